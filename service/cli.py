"""The ``telnorm`` command line: normalise, detect, parsers, schema, serve."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

import click
import orjson

from telnorm.parsers.api import Limits
from telnorm.parsers.canonical import json_schema
from telnorm.parsers.errors import RequestError, TelnormError
from telnorm.service import pipeline
from telnorm.service.apportion.cli import apportion as apportion_command
from telnorm.service.batch import batch_pool, closing_pool
from telnorm.service.export import Exported
from telnorm.service.export.job import (
    EXPORT_CONTEXT_PARTS,
    canonical_export_job,
    normalise_export_job,
)
from telnorm.service.files import walk as _expand
from telnorm.service.jobs import normalise_job
from telnorm.service.mapping_commands import mappings as mappings_group
from telnorm.service.pipeline import InputFile, NormaliseOptions
from telnorm.service.plugin_commands import plugins as plugins_group
from telnorm.service.plugin_host import active_registry, probe
from telnorm.service.protocol.cli import protocol as protocol_command
from telnorm.service.reconcile.cli import reconcile as reconcile_command
from telnorm.service.settings import get_settings
from telnorm.service.validation.cli import validate as validate_command
from telnorm.service.validation.inputs import is_canonical_json

EXIT_FAILED = 1
EXIT_USAGE = 2


def _with_notes(path: Path, exported: Exported) -> Iterator[bytes]:
    """The exported bytes, in pieces; what the writer chose (an EML creation time) goes to
    stderr."""
    for note in exported.notes:
        click.echo(f"note: {path}: {note}", err=True)
    return exported.chunks()


def _write(target: Path | None, pieces: Iterable[bytes], end: bytes = b"") -> None:
    """Write pieces to ``target`` (standard output when None). A file is written beside its
    name and renamed into place at the end, so a failure halfway leaves no partial file."""
    if target is None:
        for piece in pieces:
            sys.stdout.buffer.write(piece)
        sys.stdout.buffer.write(end)
        return
    partial = target.with_name(f".{target.name}.partial")
    try:
        with partial.open("wb") as out:
            for piece in pieces:
                out.write(piece)
        partial.replace(target)
    finally:
        partial.unlink(missing_ok=True)


def _describe_error(error: TelnormError) -> str:
    parts = [f"{k} {v}" for k, v in (error.location or {}).items() if v not in (None, "")]
    where = f" ({', '.join(parts)})" if parts else ""
    doubtful = error.extra.get("doubtful") or []
    listed = "".join(
        f"\n  {d['id']}: page {d['page']} bbox {d['bbox']} read {d['read']!r}: {d['message']}"
        for d in doubtful
    )
    return f"{error.message}{where} [{error.code}]{listed}"


def _context(
    candidate_list: Path | None, election_definition: Path | None, polling_stations: Path | None
) -> dict[str, InputFile]:
    roles = {
        "candidate_list": candidate_list,
        "election_definition": election_definition,
        "polling_stations": polling_stations,
    }
    return {role: InputFile(path, path.name) for role, path in roles.items() if path is not None}


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="telnorm")
@click.pass_context
def cli(ctx: click.Context) -> None:
    """telnorm: normalise Dutch municipal election result files into one canonical JSON
    document, and validate it."""
    if ctx.invoked_subcommand != "serve":  # the service limits each worker instead
        _limit_memory(get_settings().worker_memory_bytes)


def _limit_memory(limit: int | None) -> None:
    """The CLI parses in its own process: give it the memory limit a service worker has, so
    a runaway parse stops with a message instead of taking the machine's memory."""
    if not limit:
        return
    import resource

    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    if soft == resource.RLIM_INFINITY or soft > limit:
        resource.setrlimit(resource.RLIMIT_AS, (limit, hard))


def _refuse_source_options(
    parser_options: dict[str, Any], locations: bool, context: dict[str, InputFile]
) -> None:
    """Options that read a source file mean nothing for a canonical document."""
    given = sorted(parser_options) + (["--locations"] if locations else [])
    source_only = sorted(set(context) - set(EXPORT_CONTEXT_PARTS))
    given += [f"--{role.replace('_', '-')}" for role in source_only]
    if given:
        raise RequestError(
            f"The file is a canonical document (JSON), exported again as it is: "
            f"{', '.join(given)} apply to a source file; leave them out (--candidate-list "
            "may still supply names, --election-definition the databank CSV's districts)."
        )


def _job_for(
    path: Path,
    context: dict[str, InputFile],
    options: NormaliseOptions,
    limits: Limits,
    to: str,
    export_params: dict[str, str],
    parser_options: dict[str, Any],
    locations: bool,
    format_name: str | None,
    in_process: bool,
) -> tuple[Callable[..., Any], tuple[Any, ...]]:
    """What to run for one input: a module-level job and its arguments (they pickle, for
    the batch worker, whose answer crosses the pipe as bytes; in this process the document
    is written as it is serialised, a unit at a time)."""
    source = InputFile(path, path.name)
    schema_dir = get_settings().eml_schema_dir
    if is_canonical_json(source, False, format_name):
        # re-export: a canonical document in, checked, written as --to
        _refuse_source_options(parser_options, locations, context)
        return canonical_export_job, (source, context, limits, to, export_params, schema_dir)
    if to == "json" and not in_process:
        return normalise_job, (source, context, options, limits)
    return normalise_export_job, (source, context, options, limits, to, export_params, schema_dir)


_existing_file = click.Path(exists=True, dir_okay=False, path_type=Path)


@cli.command()
@click.argument("inputs", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.option(
    "--candidate-list", type=_existing_file, help="EML 230b with list and candidate names."
)
@click.option("--election-definition", type=_existing_file, help="EML 110a (or 110b).")
@click.option("--polling-stations", type=_existing_file, help="EML 110b with station names.")
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path),
    help="Output file for one input; a folder for several. Default: standard output.",
)
@click.option("--format", "format_name", help="Parser to use instead of detection.")
@click.option("--locations", is_flag=True, help="Add the source-location map.")
@click.option("--mapping", help="Mapping id or mapping file (TOML) for a tabular input.")
@click.option("--member", help="Zip member to read.")
@click.option("--sheet", help="Spreadsheet sheet to read.")
@click.option(
    "--delimiter", help="The separator of a CSV (one character), instead of detecting it."
)
@click.option(
    "--corrections",
    help="PDF records: values for doubtful numbers, a JSON object of id -> number, or a file "
    "holding one (see docs/pdf.md).",
)
@click.option(
    "--to",
    "to",
    type=click.Choice(["json", "eml", "osv4-3", "databank"]),
    default="json",
    show_default=True,
    help="Output format: canonical JSON, EML 510, osv4-3 CSV or the databank CSV.",
)
@click.option(
    "--set",
    "export_settings",
    multiple=True,
    metavar="KEY=VALUE",
    help="Export option, e.g. --set election_id=GR2026 (see docs/export.md).",
)
@click.option(
    "--progress/--no-progress",
    default=None,
    help="Progress bar on standard error (default: on for several files at a terminal).",
)
def normalise(
    inputs: tuple[Path, ...],
    candidate_list: Path | None,
    election_definition: Path | None,
    polling_stations: Path | None,
    output: Path | None,
    format_name: str | None,
    locations: bool,
    mapping: str | None,
    member: str | None,
    sheet: str | None,
    delimiter: str | None,
    corrections: str | None,
    to: str,
    export_settings: tuple[str, ...],
    progress: bool | None,
) -> None:
    """Normalise FILE(s) (or every file in a folder) into canonical JSON.

    A canonical document (a .json file, or one starting with {) is not parsed again: it is
    checked against the canonical JSON Schema and written as --to (re-export).

    One input: the document goes to -o OUT or to standard output. Several: one JSON file per
    input in the -o folder (or one document per line on standard output), a summary of the
    failures on standard error, and exit status 1 if any failed.
    """
    files = list(_expand(inputs))
    if not files:
        raise click.UsageError("No files found in the given folder(s).")
    parser_options: dict[str, Any] = {}
    if mapping:
        key = "mapping_file" if Path(mapping).is_file() else "mapping"
        parser_options[key] = mapping
    if member:
        parser_options["member"] = member
    if sheet:
        parser_options["sheet"] = sheet
    if delimiter:
        parser_options["delimiter"] = delimiter
    if corrections:
        given = Path(corrections)
        is_file = not corrections.lstrip().startswith("{") and given.is_file()
        parser_options["corrections"] = given.read_text("utf-8") if is_file else corrections
    options = NormaliseOptions(
        format=format_name, locations=locations, parser_options=parser_options
    )
    context = _context(candidate_list, election_definition, polling_stations)
    limits = get_settings().limits()
    export_params: dict[str, str] = {}
    for item in export_settings:
        key, sep, value = item.partition("=")
        if not sep:
            raise click.UsageError(f"--set wants KEY=VALUE, not {item!r}.")
        export_params[key.strip()] = value
    suffix = {"json": ".json", "eml": ".eml.xml", "osv4-3": ".csv", "databank": ".databank.csv"}[to]
    several = len(files) > 1
    if several and output is not None:
        output.mkdir(parents=True, exist_ok=True)
    show_progress = progress if progress is not None else (several and sys.stderr.isatty())

    failures: list[tuple[Path, str]] = []
    written: set[str] = set()
    # Several files: each is read in a worker process, as in the service, so that a file that
    # crashes or exhausts the reader costs that file alone and the batch goes on.
    pool = batch_pool(get_settings()) if several else None
    with (
        click.progressbar(
            files, label="normalising", file=sys.stderr, hidden=not show_progress
        ) as bar,
        closing_pool(pool),
    ):
        for path in bar:
            try:
                job, args = _job_for(
                    path, context, options, limits, to, export_params, parser_options,
                    locations, format_name, pool is None,
                )  # fmt: skip
                result = job(*args) if pool is None else pool.run_blocking(job, args, {})
            except TelnormError as error:
                failures.append((path, _describe_error(error)))
                continue
            body = [result] if isinstance(result, bytes) else _with_notes(path, result)
            try:
                if output is None:
                    # JSON: one document a line; other formats exactly as written.
                    _write(None, body, b"\n" if to == "json" else b"")
                elif several:
                    name = path.name + suffix
                    if name in written:  # same file name in two folders
                        name = "_".join(path.parts[-2:]) + suffix
                    written.add(name)
                    _write(output / name, body)
                else:
                    _write(output, body)
            except TelnormError as error:  # found while writing (a number beyond 64 bits)
                failures.append((path, _describe_error(error)))
    for path, message in failures:
        click.echo(f"error: {path}: {message}", err=True)
    if several:
        click.echo(
            f"{len(files) - len(failures)} of {len(files)} files normalised, "
            f"{len(failures)} failed.",
            err=True,
        )
    if failures:
        sys.exit(EXIT_FAILED)


@cli.command()
@click.argument("file", type=_existing_file)
@click.option("--json", "as_json", is_flag=True, help="Print the full detection result as JSON.")
def detect(file: Path, as_json: bool) -> None:
    """Say which format FILE is, with every parser's confidence and evidence."""
    result = pipeline.detect(InputFile(file, file.name))
    if as_json:
        click.echo(orjson.dumps(result, option=orjson.OPT_INDENT_2).decode())
        return
    for candidate in result["candidates"]:
        click.echo(
            f"{candidate['confidence']:.2f}  {candidate['parser']:<12} {candidate['format']}"
        )
        for line in candidate["evidence"]:
            click.echo(f"      - {line}")
    if result["best"] is None:
        seen = result["seen"] or {}
        click.echo(
            f"not recognised; it looks like {seen.get('kind')} "
            f"({seen.get('encoding') or 'binary'}): {seen.get('text', '')[:80]!r}"
        )
        sys.exit(EXIT_FAILED)


@cli.command("parsers")
def list_parsers() -> None:
    """List the installed parser plugins, and those that failed to load, lost their name to
    another parser, or are disabled."""
    registry = probe(active_registry())
    for parser in registry.parsers:
        status = f"BROKEN: {registry.broken[parser.name]}" if parser.name in registry.broken else ""
        origin = "built-in" if parser.name in registry.builtins else "plugin"
        click.echo(
            f"{parser.name:<14} {parser.version:<8} api {parser.api_version:<5} {origin:<8} "
            f"{parser.title} {status}".rstrip()
        )
    for failure in registry.failures:
        click.echo(f"{failure.entry_point:<14} FAILED   {failure.target}: {failure.error}")
    for collision in registry.collisions:
        click.echo(f"{collision.entry_point:<14} COLLISION {collision.target}: {collision.error}")
    for name in registry.disabled:
        click.echo(f"{name:<14} DISABLED (TELNORM_DISABLED_PARSERS)")


@cli.command()
def schema() -> None:
    """Print the JSON Schema of the canonical document."""
    click.echo(orjson.dumps(json_schema(), option=orjson.OPT_INDENT_2).decode())


@cli.command()
@click.option("--host", default=None, help="Interface to listen on (default 127.0.0.1).")
@click.option("--port", default=None, type=int, help="Port (default 8000).")
@click.option("--workers", default=None, type=int, help="Parse worker processes.")
def serve(host: str | None, port: int | None, workers: int | None) -> None:
    """Run the HTTP service."""
    import os

    import uvicorn

    from telnorm.service.connection import protocol_class
    from telnorm.service.settings import AuthConfigError

    if workers is not None:
        # the app reads its settings when service.main is imported, after this
        os.environ["TELNORM_WORKERS"] = str(workers)
        get_settings.cache_clear()
    settings = get_settings()
    try:
        settings.tokens()  # never start open by accident: refuse a configuration without one
    except AuthConfigError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(EXIT_USAGE)
    uvicorn.run(
        "telnorm.service.main:app",
        host=host or settings.host,
        port=port or settings.port,
        http=protocol_class(settings.header_timeout_seconds),
        timeout_keep_alive=int(max(1, settings.keep_alive_seconds)),
        # no uvicorn log config: the app routes uvicorn's loggers, its access log included,
        # to its JSON handler at TELNORM_LOG_LEVEL (service/observability.py)
        log_config=None,
        log_level=settings.log_level.lower(),
        # behind a proxy that serves telnorm under a prefix: links in /docs and the
        # OpenAPI servers entry carry it (the server's setting; FastAPI's is deprecated)
        root_path=settings.root_path,
    )


cli.add_command(validate_command)
cli.add_command(plugins_group)
cli.add_command(mappings_group)
cli.add_command(protocol_command)
cli.add_command(reconcile_command)
cli.add_command(apportion_command)


def main() -> None:
    try:
        cli()
    except MemoryError:
        click.echo(
            "error: reading the file needed more memory than one parse may use "
            "(TELNORM_WORKER_MEMORY_BYTES). The file is too large or built to exhaust memory.",
            err=True,
        )
        sys.exit(EXIT_USAGE)


if __name__ == "__main__":
    main()
