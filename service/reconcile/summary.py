"""Small per-file summaries: what reconciliation needs of a count, and nothing more.

A worker process normalises one municipal file and hands back only its totals per list,
per candidate and per statistic (a few kilobytes), never the document: memory in the
parent is bounded by the number of municipalities, and in a worker by the largest file.
"""

from __future__ import annotations

import gc
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from telnorm.parsers.api import Limits
from telnorm.parsers.canonical import Document
from telnorm.parsers.errors import LimitExceeded, TelnormError
from telnorm.service.apportion.inputs import load_count
from telnorm.service.pipeline import InputFile
from telnorm.service.problems import problem_document

#: The statistics compared (R.203): E, F, G and A-D, as the validator does.
STATISTICS = (
    "total_counted",
    "blanco",
    "ongeldig",
    "geldige stempassen",
    "geldige volmachtbewijzen",
    "geldige kiezerspassen",
    "toegelaten kiezers",
)


@dataclass
class GroupTotals:
    """One vote group (a total or a reporting unit) reduced to its numbers."""

    lists: dict[str, int] = field(default_factory=dict)
    #: list -> candidate -> votes; a list is present only when the group states candidates
    candidates: dict[str, dict[str, int]] = field(default_factory=dict)
    statistics: dict[str, int] = field(default_factory=dict)

    def has_lists(self) -> bool:
        return bool(self.lists)


def group_totals(group: Mapping[str, Any]) -> GroupTotals:
    out = GroupTotals()
    for sel in group.get("selections") or []:
        aff = str(sel.get("affiliation_id"))
        votes = sel.get("valid_votes")
        out.lists[aff] = out.lists.get(aff, 0) + (votes if type(votes) is int else 0)
        cands = sel.get("candidates") or []
        if cands:
            per = out.candidates.setdefault(aff, {})
            for cand in cands:
                value = cand.get("valid_votes")
                cid = str(cand.get("candidate_id"))
                per[cid] = per.get(cid, 0) + (value if type(value) is int else 0)
    if type(group.get("total_counted")) is int:
        out.statistics["total_counted"] = group["total_counted"]
    for key in ("rejected_votes", "uncounted_votes"):
        for code, value in (group.get(key) or {}).items():
            if code in STATISTICS and type(value) is int:
                out.statistics[code] = value
    return out


def add_into(target: GroupTotals, other: GroupTotals, sign: int = 1) -> None:
    for aff, votes in other.lists.items():
        target.lists[aff] = target.lists.get(aff, 0) + sign * votes
    for aff, per in other.candidates.items():
        into = target.candidates.setdefault(aff, {})
        for cid, votes in per.items():
            into[cid] = into.get(cid, 0) + sign * votes
    for key, value in other.statistics.items():
        target.statistics[key] = target.statistics.get(key, 0) + sign * value


@dataclass
class FileSummary:
    """One input file: who it is from and its municipal total, or why it cannot be read."""

    file: str
    authority_id: str | None = None
    authority_name: str | None = None
    election_id: str | None = None
    category: str | None = None
    contest_id: str | None = None
    level: str | None = None
    sha256: str | None = None
    totals: GroupTotals | None = None
    list_names: dict[str, str | None] = field(default_factory=dict)
    problem: dict[str, Any] | None = None


def summarise_document(document: Document, name: str) -> FileSummary:
    authority = document.get("managing_authority") or {}
    election = document.get("election") or {}
    source = document.get("source") or {}
    return FileSummary(
        file=name,
        authority_id=authority.get("id"),
        authority_name=authority.get("name"),
        election_id=election.get("id"),
        category=election.get("category"),
        contest_id=(document.get("contest") or {}).get("id"),
        level=(document.get("document") or {}).get("level"),
        sha256=source.get("sha256"),
        totals=group_totals(document.get("total_votes") or {}),
        list_names={str(a.get("id")): a.get("name") for a in document.get("affiliations") or []},
    )


def summarise_file(item: InputFile, limits: Limits, label: str | None = None) -> FileSummary:
    """Normalise one file and keep its summary; a file that cannot be read becomes its
    problem document (the run goes on). Runs in a worker process."""
    name = label or item.filename or item.path.name
    try:
        document = load_count(item, limits)
        return summarise_document(document, name)
    except TelnormError as exc:
        return FileSummary(file=name, problem=problem_document(exc))
    except MemoryError:
        gc.collect()
        error = LimitExceeded(
            "Reading the file needed more memory than one parse may use: it is too large or "
            "built to exhaust memory."
        )
        return FileSummary(file=name, problem=problem_document(error))
    except RecursionError:
        return FileSummary(
            file=name,
            problem=problem_document(LimitExceeded("The file is nested too deeply to read.")),
        )
