"""``telnorm protocol``: the control-protocol report of one count.

Exit status: 0 the report was made (whatever it found: the protocol points at stations to
look at, it does not judge the count), 2 the count or the neighbourhood table is unreadable.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click
import orjson

from telnorm.parsers.errors import TelnormError
from telnorm.service.pipeline import InputFile
from telnorm.service.protocol.job import ProtocolRequest, run_protocol, thresholds_from
from telnorm.service.protocol.render import PARTS, render_csv, render_html
from telnorm.service.settings import get_settings

EXIT_UNREADABLE = 2

_file = click.Path(exists=True, dir_okay=False, path_type=Path)


def _csv_targets(output: Path) -> dict[str, Path]:
    """``-o uitslag.csv`` writes ``uitslag_A.csv``, ``uitslag_B.csv`` and ``uitslag_C.csv``
    (the Council's tool writes the three parts as three files too); a folder gets
    ``A.csv``, ``B.csv`` and ``C.csv``."""
    if output.is_dir():
        return {part: output / f"{part.upper()}.csv" for part in PARTS}
    stem = output.with_suffix("") if output.suffix.lower() == ".csv" else output
    return {part: stem.with_name(f"{stem.name}_{part.upper()}.csv") for part in PARTS}


@click.command()
@click.argument("file", type=_file)
@click.option(
    "--neighbourhoods",
    type=_file,
    help="CSV of postcode to neighbourhood (zip_code,neighbourhood_code,ambiguous): swaps are "
    "then also checked against each station's neighbourhood.",
)
@click.option("--candidate-list", type=_file, help="EML 230b: list and candidate names.")
@click.option("--polling-stations", type=_file, help="EML 110b: station names and postcodes.")
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["json", "csv", "html"]),
    default="json",
    show_default=True,
    help="json (the report), csv (parts A, B and C in the Council tool's layout) or html.",
)
@click.option("--parser", "parser_name", help="Parser to use instead of detection.")
@click.option("-o", "--output", type=click.Path(path_type=Path), help="Write here.")
def protocol(
    file: Path,
    neighbourhoods: Path | None,
    candidate_list: Path | None,
    polling_stations: Path | None,
    output_format: str,
    parser_name: str | None,
    output: Path | None,
) -> None:
    """The control-protocol report of FILE (any count telnorm reads): A unexplained
    differences, B outliers, C list shares per station."""
    settings = get_settings()
    context = {
        role: InputFile(path, path.name)
        for role, path in (
            ("candidate_list", candidate_list),
            ("polling_stations", polling_stations),
        )
        if path is not None
    }
    request = ProtocolRequest(
        main=InputFile(file, file.name),
        neighbourhoods=InputFile(neighbourhoods, neighbourhoods.name) if neighbourhoods else None,
        context_files=context,
        format=parser_name,
        thresholds=thresholds_from(settings),
    )
    try:
        report = run_protocol(request, settings.limits())
    except TelnormError as error:
        click.echo(f"error: {file}: {error.message} [{error.code}]", err=True)
        sys.exit(EXIT_UNREADABLE)
    names = {row["affiliation_id"]: row.get("affiliation_name") for row in report["c"]}
    if output_format == "json":
        _emit(orjson.dumps(report, option=orjson.OPT_INDENT_2) + b"\n", output)
    elif output_format == "html":
        _emit(render_html(report, names).encode(), output)
    elif output is None:
        click.echo("\r\n".join(render_csv(report, names, part) for part in PARTS), nl=False)
    else:
        for part, target in _csv_targets(output).items():
            target.write_text(render_csv(report, names, part), encoding="utf-8", newline="")
            click.echo(f"wrote {target}", err=True)


def _emit(data: bytes, output: Path | None) -> None:
    if output is None:
        sys.stdout.buffer.write(data)
    else:
        output.write_bytes(data)


__all__ = ["protocol"]
