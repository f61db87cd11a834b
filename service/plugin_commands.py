"""``telnorm plugins``: list the installed parser plugins, and check one against the contract."""

from __future__ import annotations

import sys
from importlib.metadata import entry_points
from pathlib import Path

import click

from telnorm.parsers.registry import ENTRY_POINT_GROUP, discover

EXIT_FAILED = 1
EXIT_USAGE = 2


@click.group("plugins")
def plugins() -> None:
    """Parser plugins: list them, check one against telnorm's plugin contract."""


@plugins.command("list")
def list_plugins() -> None:
    """Every entry point of the telnorm.parsers group, with its distribution and status."""
    registry = discover()
    loaded = {parser.name: parser for parser in registry.parsers}
    failed = {failure.entry_point: failure for failure in registry.failures}
    for entry_point in sorted(entry_points(group=ENTRY_POINT_GROUP), key=lambda e: e.name):
        dist = entry_point.dist
        origin = f"{dist.name} {dist.version}" if dist else "?"
        if entry_point.name in failed:
            status = "FAILED " + failed[entry_point.name].error
        else:
            parser = loaded.get(entry_point.name)
            status = (
                f"ok, parser {parser.name!r} {parser.version} (api {parser.api_version})"
                if parser
                else "ok (registered under another parser name)"
            )
        click.echo(f"{entry_point.name:<12} {entry_point.value:<40} [{origin}] {status}")


@plugins.command("check")
@click.argument("plugin")
@click.option(
    "--samples",
    "sample_paths",
    multiple=True,
    type=click.Path(exists=True, path_type=Path),
    help="Sample file or folder (repeatable). Default: the plugin's 'samples' folders.",
)
@click.option(
    "--errors",
    "error_paths",
    multiple=True,
    type=click.Path(exists=True, path_type=Path),
    help="File or folder of files the parser must refuse (default: 'errors' folders).",
)
@click.option("--fuzz", "fuzz_examples", default=200, show_default=True, help="Mutated inputs.")
@click.option("--seed", default=0, show_default=True, help="Seed of the mutations.")
def check(
    plugin: str,
    sample_paths: tuple[Path, ...],
    error_paths: tuple[Path, ...],
    fuzz_examples: int,
    seed: int,
) -> None:
    """Run the contract checks on PLUGIN: an installed plugin's entry-point name, or a path
    (a plugin project with pyproject.toml, a package folder, or a .py file).

    Prints each check with pass/fail and the reasons; exits 0 when all pass, 1 otherwise.
    """
    try:
        from telnorm.parsers.testing import check_parser
        from telnorm.parsers.testing.locate import PluginNotFound, locate
        from telnorm.parsers.testing.samples import Sample, samples_in
    except ImportError as exc:
        click.echo(f"error: the contract kit needs: pip install 'telnorm[testing]' ({exc})")
        sys.exit(EXIT_USAGE)

    def expand(paths: tuple[Path, ...]) -> list[Sample]:
        return [s for p in paths for s in (samples_in(p) if p.is_dir() else [Sample(p)])]

    try:
        targets = locate(plugin)
    except PluginNotFound as exc:
        click.echo(f"error: {exc}")
        sys.exit(EXIT_USAGE)
    except Exception as exc:  # the plugin itself fails to import: that is the verdict
        click.echo(f"FAIL: {plugin} cannot be loaded: {type(exc).__name__}: {exc}")
        sys.exit(EXIT_FAILED)
    ok = True
    installed = discover()
    for target in targets:
        samples = expand(sample_paths) if sample_paths else target.samples
        errors = expand(error_paths) if error_paths else target.error_samples
        click.echo(f"{target.origin}")
        owner = installed.get(str(getattr(target.parser, "name", "")))
        if owner is not None and type(owner) is not target.parser:
            kind = "a built-in parser" if owner.name in installed.builtins else "another plugin"
            click.echo(
                f"COLLISION: the parser name {owner.name!r} is taken by {kind} "
                f"({type(owner).__module__}); telnorm will not load this parser under it"
            )
            ok = False
        click.echo(f"samples: {len(samples)}, error samples: {len(errors)}")
        verdict = check_parser(
            target.parser,
            samples,
            error_samples=errors,
            fuzz_examples=fuzz_examples,
            seed=seed,
        )
        click.echo(verdict.render())
        ok = ok and verdict.ok
    sys.exit(0 if ok else EXIT_FAILED)
