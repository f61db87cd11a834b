"""``telnorm reconcile``: every municipal file against the reference counts."""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path
from typing import Any

import click
import orjson

from telnorm.parsers.eml.context import CANDIDATE_LIST, read_context_file
from telnorm.parsers.errors import TelnormError
from telnorm.service.apportion.inputs import read_election_definition
from telnorm.service.files import walk
from telnorm.service.pipeline import InputFile
from telnorm.service.reconcile.impact import ImpactOptions
from telnorm.service.reconcile.inputs import expand
from telnorm.service.reconcile.references import load_reference_set
from telnorm.service.reconcile.render import render_csv, render_html
from telnorm.service.reconcile.report import build_report, exit_status
from telnorm.service.reconcile.runner import summarise_all
from telnorm.service.settings import get_settings

EXIT_USAGE = 2


def _fail(message: str) -> None:
    click.echo(f"error: {message}", err=True)
    sys.exit(EXIT_USAGE)


def render(report: dict[str, Any], fmt: str) -> bytes:
    if fmt == "csv":
        return render_csv(report)
    if fmt == "html":
        return render_html(report)
    return orjson.dumps(report, option=orjson.OPT_INDENT_2) + b"\n"


@click.command()
@click.argument("inputs", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.option(
    "--reference",
    "references",
    multiple=True,
    required=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="District 510c, central 510d, the databank's import CSV or municipal-totals JSON "
    "(repeatable).",
)
@click.option(
    "--format", "fmt", type=click.Choice(["json", "csv", "html"]), default="json", show_default=True
)
@click.option(
    "-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="Write the report here."
)
@click.option(
    "-j",
    "--jobs",
    type=click.IntRange(min=1),
    default=None,
    help="Worker processes (default: all cores).",
)
@click.option("--seats", type=click.IntRange(min=1), default=None, help="Seats, for seat_impact.")
@click.option(
    "--election-definition",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="EML 110a: seats and preference threshold for seat_impact.",
)
@click.option(
    "--candidate-list",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="EML 230b: names and candidates for seat_impact.",
)
@click.option(
    "--progress/--no-progress",
    default=None,
    help="Progress bar on standard error (default: at a terminal).",
)
def reconcile(
    inputs: tuple[Path, ...],
    references: tuple[Path, ...],
    fmt: str,
    output: Path | None,
    jobs: int | None,
    seats: int | None,
    election_definition: Path | None,
    candidate_list: Path | None,
    progress: bool | None,
) -> None:
    """Reconcile municipal counts (files, folders, zips) with the reference counts.

    Exit status: 0 every municipality equals its reference; 1 any differs, cannot be read or
    has no reference; 2 the arguments themselves cannot be used.
    """
    settings = get_settings()
    limits = settings.limits()
    try:
        refs = load_reference_set([(p, p.name) for p in references], limits)
        definition = (
            read_election_definition(
                InputFile(election_definition, election_definition.name), limits
            )
            if election_definition
            else None
        )
        roster = (
            read_context_file(
                InputFile(candidate_list, candidate_list.name).source(), CANDIDATE_LIST, limits
            )
            if candidate_list
            else None
        )
    except TelnormError as exc:
        _fail(exc.message)
        return
    files = list(walk(inputs))
    if not files:
        _fail("No files found in the given inputs.")
    with tempfile.TemporaryDirectory(prefix="telnorm-reconcile-") as tmp:
        items, broken = expand([(p, str(p)) for p in files], Path(tmp), limits)
        show = progress if progress is not None else sys.stderr.isatty()
        with click.progressbar(
            length=len(items), label="reconciling", file=sys.stderr, hidden=not show
        ) as bar:
            summaries = summarise_all(
                items,
                limits,
                jobs or os.cpu_count() or 1,
                settings.worker_memory_bytes,
                bar.update,
            )
    options = ImpactOptions(seats=seats, definition=definition, candidate_list=roster)
    report = build_report(broken + summaries, refs, options)
    body = render(report, fmt)
    if output is None:
        sys.stdout.buffer.write(body)
    else:
        output.write_bytes(body)
    s = report["summary"]
    click.echo(
        f"{s['municipalities']} municipalities: {s['equal']} equal, {s['differing']} differing, "
        f"{s['unreadable']} unreadable, {s['unmatched']} unmatched; total difference "
        f"{s['total_difference']:+d}.",
        err=True,
    )
    sys.exit(exit_status(report))
