"""``telnorm validate``: the report of one file, or of many (files and folders, ``-j`` in
parallel) with a summary.

Exit status: 0 valid (all of them), 1 not valid (any has an error), 2 an input (or the
reference or candidate list) could not be read.
"""

from __future__ import annotations

import multiprocessing
import sys
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

import click
import orjson

from telnorm.parsers.api import Limits
from telnorm.parsers.errors import TelnormError
from telnorm.service.files import walk
from telnorm.service.pipeline import InputFile
from telnorm.service.settings import get_settings
from telnorm.service.validation.inputs import ValidateRequest, run_request

EXIT_VALID = 0
EXIT_INVALID = 1
EXIT_UNREADABLE = 2

_file = click.Path(exists=True, dir_okay=False, path_type=Path)


def _where(source: Any) -> str:
    if not source:
        return ""
    # A value the file does not state is shown at the nearest place that exists: say so.
    near = "near " if source.get("nearest") else ""
    if "cell" in source:
        return near + f"{source.get('sheet') or ''}!{source['cell']}".lstrip("!")
    if "xpath" in source:
        line = f"line {source['line']} " if source.get("line") is not None else ""
        return f"{near}{line}{source['xpath']}"
    if "column" in source:
        return f"{near}line {source.get('line')} col {source['column']}"
    return ", ".join(f"{k} {v}" for k, v in source.items())


def _number(value: Any, signed: bool = False) -> str:
    if value is None:
        return ""
    return f"{value:+d}" if signed else str(value)


def render_text(report: dict[str, Any]) -> str:
    """The report as a table for a terminal: one row per finding, its message below it."""
    doc = report["document"]
    summary = report["summary"]
    lines = [
        f"{doc.get('authority_name') or ''} ({doc.get('authority') or '?'}), election "
        f"{doc.get('election') or '?'}".strip(),
        f"{'VALID' if report['valid'] else 'NOT VALID'}: {summary['errors']} error(s), "
        f"{summary['warnings']} warning(s), {summary['info']} info",
    ]
    reconciliation = summary.get("reconciliation")
    if reconciliation:
        if reconciliation["unit"] is None:
            lines.append(f"Reference {reconciliation['reference']}: municipality not found.")
        else:
            lines.append(
                f"Reference {reconciliation['reference']}: unit {reconciliation['unit']} "
                f"(matched by {reconciliation['matched_by']}); total list difference "
                f"{reconciliation['difference']:+d} over {reconciliation['lists_differing']} "
                "list(s)."
            )
    if not report["findings"]:
        return "\n".join(lines) + "\n"
    header = ("SEVERITY", "CODE", "UNIT", "LIST", "CAND", "EXPECTED", "ACTUAL", "DIFF", "SOURCE")
    rows: list[tuple[str, ...]] = []
    messages: list[str] = []
    for finding in report["findings"]:
        location = finding["location"]
        unit = location["reporting_unit"]
        if unit is None:
            unit = "(total)" if location["pointer"].startswith("/total_votes") else "-"
        rows.append(
            (
                finding["severity"],
                finding["code"],
                unit,
                location["affiliation"] or "",
                location["candidate"] or "",
                _number(finding["expected"]),
                _number(finding["actual"]),
                _number(finding["difference"], signed=True),
                _where(location["source"]) or location["pointer"],
            )
        )
        messages.append(finding["message"])
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header) - 1)]
    numeric = {5, 6, 7}

    def line(row: tuple[str, ...]) -> str:
        cells = [
            cell.rjust(widths[i]) if i in numeric else cell.ljust(widths[i])
            for i, cell in enumerate(row[:-1])
        ]
        return "  ".join([*cells, row[-1]]).rstrip()

    lines.append("")
    lines.append(line(header))
    for row, message in zip(rows, messages, strict=True):
        lines.append(line(row))
        lines.append(f"    {message}")
    return "\n".join(lines) + "\n"


@click.command("validate")
@click.argument("inputs", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.option(
    "--reference",
    type=_file,
    help="Reference count: EML 510c/510d, a canonical document or municipal totals JSON.",
)
@click.option("--candidate-list", type=_file, help="EML 230b: names, and checks S.103 and S.106.")
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["json", "text"]),
    default="json",
    show_default=True,
    help="Report format.",
)
@click.option("--plausibility", is_flag=True, help="Also run the plausibility checks (P).")
@click.option("--parser", "parser_name", help="Parser for FILE instead of detection.")
@click.option("--mapping", help="Mapping id or mapping file (TOML) for a tabular input.")
@click.option("--member", help="Zip member to read.")
@click.option("--sheet", help="Spreadsheet sheet to read.")
@click.option(
    "--locations",
    type=click.Choice(["auto", "always", "never"]),
    default="auto",
    show_default=True,
    help="Source locations of findings; auto: EML and tabular files locate them in the same "
    "read, other files are read again with locations only when there are findings.",
)
@click.option(
    "-j",
    "--jobs",
    type=click.IntRange(min=1),
    default=1,
    show_default=True,
    help="Files validated in parallel (processes).",
)
def validate(
    inputs: tuple[Path, ...],
    reference: Path | None,
    candidate_list: Path | None,
    output_format: str,
    plausibility: bool,
    parser_name: str | None,
    mapping: str | None,
    member: str | None,
    sheet: str | None,
    locations: str,
    jobs: int,
) -> None:
    """Validate FILE(s) (canonical JSON documents or any file telnorm normalises), or every
    file in a folder.

    One file: its report on standard output. Several: one report per file (JSON: one line
    each, with "file"; text: a heading each), in the order given, and a summary on standard
    error. Exit status 0 when all are valid, 1 when any is not, 2 when any could not be read.
    """
    files = list(walk(inputs))
    if not files:
        raise click.UsageError("No files found in the given folder(s).")
    options: dict[str, Any] = {}
    if mapping:
        options["mapping_file" if Path(mapping).is_file() else "mapping"] = mapping
    if member:
        options["member"] = member
    if sheet:
        options["sheet"] = sheet
    requests = [
        ValidateRequest(
            main=InputFile(file, file.name),
            reference=InputFile(reference, reference.name) if reference else None,
            candidate_list=(
                InputFile(candidate_list, candidate_list.name) if candidate_list else None
            ),
            plausibility=plausibility,
            format=parser_name,
            parser_options=options,
            locations=locations,
        )
        for file in files
    ]
    outcomes = run_all(requests, get_settings().limits(), jobs)
    if len(files) == 1:
        sys.exit(_print_one(outcomes[0], output_format))
    sys.exit(_print_several(files, outcomes, output_format))


Outcome = tuple[dict[str, Any] | None, str | None]


def _validate_one(request: ValidateRequest, limits: Limits) -> Outcome:
    """``(report, None)`` or ``(None, error message)``; module-level so it pickles."""
    try:
        return run_request(request, limits), None
    except TelnormError as error:
        where = ""
        if error.location:
            where = " (" + ", ".join(f"{k} {v}" for k, v in error.location.items()) + ")"
        return None, f"{error.message}{where} [{error.code}]"


def run_all(requests: list[ValidateRequest], limits: Limits, jobs: int) -> list[Outcome]:
    """Every request's outcome, in order; ``jobs`` > 1 runs them in that many processes."""
    if jobs == 1 or len(requests) == 1:
        return [_validate_one(request, limits) for request in requests]
    # spawn, not fork: forking a process that runs threads can deadlock the child
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=min(jobs, len(requests)), mp_context=context) as executor:
        return list(executor.map(_validate_one, requests, [limits] * len(requests)))


def _status(outcome: Outcome) -> int:
    report, _ = outcome
    if report is None:
        return EXIT_UNREADABLE
    return EXIT_VALID if report["valid"] else EXIT_INVALID


def _print_one(outcome: Outcome, output_format: str) -> int:
    report, error = outcome
    if report is None:
        click.echo(f"error: {error}", err=True)
        return EXIT_UNREADABLE
    if output_format == "json":
        sys.stdout.buffer.write(orjson.dumps(report, option=orjson.OPT_INDENT_2) + b"\n")
    else:
        click.echo(render_text(report), nl=False)
    return _status(outcome)


def _print_several(files: list[Path], outcomes: list[Outcome], output_format: str) -> int:
    for path, (report, error) in zip(files, outcomes, strict=True):
        if report is None:
            click.echo(f"error: {path}: {error}", err=True)
            if output_format == "json":
                line = {"file": str(path), "valid": None, "error": error}
                sys.stdout.buffer.write(orjson.dumps(line) + b"\n")
            continue
        if output_format == "json":
            sys.stdout.buffer.write(orjson.dumps({"file": str(path), **report}) + b"\n")
        else:
            click.echo(f"== {path}")
            click.echo(render_text(report))
    statuses = [_status(outcome) for outcome in outcomes]
    click.echo(
        f"{len(files)} files: {statuses.count(EXIT_VALID)} valid, "
        f"{statuses.count(EXIT_INVALID)} not valid, "
        f"{statuses.count(EXIT_UNREADABLE)} unreadable.",
        err=True,
    )
    return max(statuses)
