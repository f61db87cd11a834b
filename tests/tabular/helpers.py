"""Helpers of the tabular tests: normalise through the pipeline, compare two counts' numbers."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from telnorm.service.pipeline import InputFile, NormaliseOptions, normalise

NUMBER_KEYS = ("cast", "total_counted", "rejected_votes", "uncounted_votes", "votes_cast")


def run(
    path: Path,
    *,
    locations: bool = False,
    fmt: str | None = None,
    context: dict[str, Path] | None = None,
    **parser_options: Any,
) -> dict[str, Any]:
    return normalise(
        InputFile(path, path.name),
        {role: InputFile(p, p.name) for role, p in (context or {}).items()},
        NormaliseOptions(format=fmt, locations=locations, parser_options=parser_options),
    )


def numbers(group: dict[str, Any], *, with_votes_cast: bool = False) -> dict[str, Any]:
    """The numbers of a VoteGroup, in a comparable shape."""
    out: dict[str, Any] = {
        "cast": group.get("cast"),
        "total_counted": group.get("total_counted"),
        "rejected_votes": dict(group.get("rejected_votes") or {}),
        "uncounted_votes": dict(group.get("uncounted_votes") or {}),
        "selections": {
            s["affiliation_id"]: (
                s["valid_votes"],
                {c["candidate_id"]: c["valid_votes"] for c in s["candidates"]},
            )
            for s in group.get("selections") or []
        },
    }
    if with_votes_cast:
        out["votes_cast"] = group.get("votes_cast")
    return out


def assert_same_numbers(ours: dict[str, Any], theirs: dict[str, Any]) -> None:
    """Field by field: totals, every unit (by id), lists and their names."""
    assert numbers(ours["total_votes"]) == numbers(theirs["total_votes"])
    assert [u["id"] for u in ours["reporting_unit_votes"]] == [
        u["id"] for u in theirs["reporting_unit_votes"]
    ]
    pairs = zip(ours["reporting_unit_votes"], theirs["reporting_unit_votes"], strict=True)
    for mine, other in pairs:
        assert numbers(mine) == numbers(other), mine["id"]
        assert mine["number"] == other["number"]
        assert mine["postal_code"] == other["postal_code"]
        assert (other["name"] or "").endswith(mine["name"] or "")
    assert [(a["id"], a["name"]) for a in ours["affiliations"]] == [
        (a["id"], a["name"]) for a in theirs["affiliations"]
    ]
    assert [[c["id"] for c in a["candidates"]] for a in ours["affiliations"]] == [
        [c["id"] for c in a["candidates"]] for a in theirs["affiliations"]
    ]
    assert ours["managing_authority"]["id"] == theirs["managing_authority"]["id"]
    assert ours["election"]["id"] == theirs["election"]["id"]
    assert ours["election"]["date"] == theirs["election"]["date"]
