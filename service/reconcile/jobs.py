"""Functions the service's worker pool runs for ``POST /reconcile`` (module level, so they
pickle by name). Each returns small, picklable results."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from telnorm.parsers.api import Limits
from telnorm.parsers.eml.context import CANDIDATE_LIST, read_context_file
from telnorm.service.apportion.inputs import read_election_definition
from telnorm.service.pipeline import InputFile
from telnorm.service.reconcile.impact import ImpactOptions
from telnorm.service.reconcile.inputs import Item, expand
from telnorm.service.reconcile.references import ReferenceSet, load_reference_set
from telnorm.service.reconcile.report import build_report
from telnorm.service.reconcile.summary import FileSummary


def expand_job(
    files: list[InputFile], workdir: Path, limits: Limits
) -> tuple[list[Item], list[FileSummary]]:
    return expand([(f.path, f.filename or f.path.name) for f in files], workdir, limits)


def references_job(
    references: list[InputFile],
    election_definition: InputFile | None,
    candidate_list: InputFile | None,
    seats: int | None,
    limits: Limits,
) -> tuple[ReferenceSet, ImpactOptions]:
    refs = load_reference_set([(r.path, r.filename or r.path.name) for r in references], limits)
    definition = (
        read_election_definition(election_definition, limits) if election_definition else None
    )
    roster = (
        read_context_file(candidate_list.source(), CANDIDATE_LIST, limits)
        if candidate_list
        else None
    )
    return refs, ImpactOptions(seats=seats, definition=definition, candidate_list=roster)


def report_job(
    summaries: list[FileSummary], refs: ReferenceSet, options: ImpactOptions
) -> dict[str, Any]:
    return build_report(summaries, refs, options)
