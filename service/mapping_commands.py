"""``telnorm mappings``: draft a mapping for a spreadsheet or CSV, and list the installed ones.

``telnorm mappings suggest FILE [-o DRAFT.toml]`` is the CLI twin of ``POST /mappings/suggest``:
the draft (always valid TOML) goes to the file or standard output, the blanks left to fill in
are listed on standard error, and the exit status is 0 (a draft was written) or 1 (the file
cannot be read as a table at all).
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from telnorm.parsers.errors import TelnormError
from telnorm.service.settings import get_settings

EXIT_FAILED = 1


@click.group("mappings")
def mappings() -> None:
    """Mappings for tabular files: draft one for a file, list the installed ones."""


@mappings.command("suggest")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="Write the draft here."
)
def suggest(file: Path, output: Path | None) -> None:
    """Draft a mapping (TOML) for FILE; every '?' in it is a blank to fill in."""
    from telnorm.parsers.tabular.suggest import suggest_mapping

    try:
        result = suggest_mapping(file.read_bytes(), file.name, get_settings().limits())
    except TelnormError as error:
        click.echo(f"error: {file}: {error.message} [{error.code}]", err=True)
        sys.exit(EXIT_FAILED)
    if output is None:
        click.echo(result["mapping"], nl=False)
    else:
        output.write_text(result["mapping"], encoding="utf-8")
        click.echo(f"draft written to {output}", err=True)
    blanks = result["report"].get("blanks", [])
    if blanks:
        click.echo(f"{len(blanks)} blank(s) to fill in before use:", err=True)
        for blank in blanks:
            click.echo(f"  line {blank['line']}: {blank['text']}", err=True)


@mappings.command("list")
def list_mappings() -> None:
    """The installed mappings (id, version, title)."""
    from telnorm.parsers.tabular.mapping import builtin_mappings

    for mapping in builtin_mappings():
        click.echo(f"{mapping.id:<24} v{mapping.version:<6} {mapping.title}")
