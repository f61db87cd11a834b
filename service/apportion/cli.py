"""``telnorm apportion``: seats and elected candidates of one election."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click
import orjson

from telnorm.parsers.errors import TelnormError
from telnorm.service.apportion.inputs import apportion_job
from telnorm.service.pipeline import InputFile
from telnorm.service.settings import get_settings

_file = click.Path(exists=True, dir_okay=False, path_type=Path)


def render_text(result: dict[str, Any]) -> str:
    """A plain summary for a terminal: the lists, the elected, the ties and notes."""
    lines = [
        f"Election {result.get('election_id') or '?'}: {result['seats']} seats, "
        f"{result['total_votes']} votes, quota {result['quota']['decimal']} "
        f"({result['quota']['fraction']}), residual seats by {result['residual_method']}.",
        f"Preference threshold {result['preference_threshold']['percent']}% of the quota: "
        f"more than {result['preference_threshold']['decimal']} votes.",
        "",
        f"{'LIST':<6}{'VOTES':>10}{'FULL':>6}{'REST':>6}{'SEATS':>7}  NAME",
    ]
    for item in result["lists"]:
        lines.append(
            f"{item['affiliation_id']:<6}{item['votes']:>10}{item['full_seats']:>6}"
            f"{item['residual_seats']:>6}{item['seats']:>7}  {item['name'] or ''}"
        )
    lines += ["", "Elected:"]
    for e in result["elected"]:
        lines.append(
            f"  list {e['affiliation_id']:<4} candidate {e['candidate_id']:<4} "
            f"{e['votes']:>8} votes  {e['by']:<11} {e['name'] or ''}"
        )
    for tie in result["ties"]:
        lines.append(f"TIE ({tie['article']}): {tie['reason']}")
    for note in result["notes"]:
        lines.append(f"note: {note}")
    return "\n".join(lines) + "\n"


@click.command()
@click.argument("file", type=_file)
@click.option("--election-definition", type=_file, help="EML 110a: seats and preference threshold.")
@click.option("--candidate-list", type=_file, help="EML 230b: names and the candidates per list.")
@click.option(
    "--seats",
    type=click.IntRange(min=1),
    default=None,
    help="Number of seats (overrides the 110a).",
)
@click.option(
    "--format", "fmt", type=click.Choice(["json", "text"]), default="json", show_default=True
)
def apportion(
    file: Path,
    election_definition: Path | None,
    candidate_list: Path | None,
    seats: int | None,
    fmt: str,
) -> None:
    """Apportion the seats of FILE (a central 510d, a municipal 510b for a council, or
    canonical JSON) by the Kieswet (P 5-P 10), and elect the candidates (P 15-P 17).

    Exit status: 0 done; 1 a tie that the law decides by lot; 2 unusable input.
    """
    try:
        result = apportion_job(
            InputFile(file, file.name),
            InputFile(election_definition, election_definition.name)
            if election_definition
            else None,
            InputFile(candidate_list, candidate_list.name) if candidate_list else None,
            seats,
            get_settings().limits(),
        )
    except TelnormError as exc:
        click.echo(f"error: {exc.message} [{exc.code}]", err=True)
        sys.exit(2)
    if fmt == "text":
        click.echo(render_text(result), nl=False)
    else:
        click.echo(orjson.dumps(result, option=orjson.OPT_INDENT_2).decode())
    sys.exit(1 if result["tie"] else 0)
