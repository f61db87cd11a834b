"""One municipality against its reference: the same comparison as the R rules of the
validator (R.201 lists, R.202 candidates, R.203 statistics), as numbers for a report.

``difference`` is always the municipal file minus the reference. A list the reference
lacks counts 0 there (the Boxmeer case); candidates are compared only for lists whose
candidates both sides state; statistics only where both state them.
"""

from __future__ import annotations

from typing import Any

from telnorm.service.reconcile.references import ReferenceSet, RefUnit
from telnorm.service.reconcile.summary import FileSummary, GroupTotals
from telnorm.service.validation.reference import cbs_code


def sort_key(identifier: str) -> tuple[int, str]:
    return (int(identifier), "") if identifier.isdigit() else (1 << 30, identifier)


def list_differences(file: GroupTotals, ref: GroupTotals) -> list[dict[str, Any]]:
    out = []
    for aff in sorted(set(file.lists) | set(ref.lists), key=sort_key):
        count, reference = file.lists.get(aff, 0), ref.lists.get(aff, 0)
        if count != reference:
            out.append(
                {
                    "affiliation_id": aff,
                    "count": count,
                    "reference": reference,
                    "difference": count - reference,
                }
            )
    return out


def candidate_differences(file: GroupTotals, ref: GroupTotals) -> list[dict[str, Any]]:
    out = []
    # only lists whose candidates both sides state: a count without candidate votes (a
    # spreadsheet of list totals) says nothing about them, which is not 0
    for aff in sorted(set(ref.candidates) & set(file.candidates), key=sort_key):
        theirs = ref.candidates[aff]
        ours = file.candidates[aff]
        for cid in sorted(set(ours) | set(theirs), key=sort_key):
            count, reference = ours.get(cid, 0), theirs.get(cid, 0)
            if count != reference:
                out.append(
                    {
                        "affiliation_id": aff,
                        "candidate_id": cid,
                        "count": count,
                        "reference": reference,
                        "difference": count - reference,
                    }
                )
    return out


def statistic_differences(file: GroupTotals, ref: GroupTotals) -> list[dict[str, Any]]:
    out = []
    for key in file.statistics:
        if key in ref.statistics and file.statistics[key] != ref.statistics[key]:
            out.append(
                {
                    "statistic": key,
                    "count": file.statistics[key],
                    "reference": ref.statistics[key],
                    "difference": file.statistics[key] - ref.statistics[key],
                }
            )
    return out


def _unit_label(refs: ReferenceSet, unit: RefUnit) -> dict[str, Any]:
    return {"file": refs.documents[unit.reference].file, "unit": unit.id}


def compare_file(summary: FileSummary, refs: ReferenceSet) -> tuple[dict[str, Any], RefUnit | None]:
    """The report entry of one input file, and the reference unit it was compared with."""
    code = cbs_code(summary.authority_id)
    entry: dict[str, Any] = {
        "id": code or summary.authority_id,
        "name": summary.authority_name,
        "file": summary.file,
        "sha256": summary.sha256,
        "status": "unreadable",
        "differences": [],
    }
    if summary.problem is not None or summary.totals is None:
        entry["problem"] = summary.problem
        return entry, None
    notes: list[str] = []
    units, matched_by = refs.match(summary.authority_id, summary.authority_name)
    if not units:
        entry["status"] = "unmatched"
        notes.append(
            f"No reference has a unit for {summary.authority_name or '?'} "
            f"({summary.authority_id or 'no id'})."
        )
        entry["notes"] = notes
        return entry, None
    unit = units[0]
    if matched_by == "name":
        notes.append(
            f"Matched by name ({unit.name!r}), not by CBS code: the file says "
            f"{summary.authority_id!r}, the reference unit is {unit.id!r}."
        )
    for other in units[1:]:
        same = list_differences(other.totals, unit.totals) == []
        notes.append(
            f"{refs.documents[other.reference].file} also has this municipality "
            f"(unit {other.id}){' with the same lists' if same else ' with OTHER numbers'}; "
            f"compared with {refs.documents[unit.reference].file}."
        )
    ref_doc = refs.documents[unit.reference]
    ours, theirs = summary.election_id, ref_doc.election_id
    if ours and theirs and ours != theirs:
        notes.append(f"The election differs: {ours} in the file, {theirs} in the reference.")
    lists = list_differences(summary.totals, unit.totals)
    candidates = candidate_differences(summary.totals, unit.totals)
    statistics = statistic_differences(summary.totals, unit.totals)
    entry.update(
        status="differs" if lists or candidates or statistics else "equal",
        matched_by=matched_by,
        reference=_unit_label(refs, unit),
        differences=lists,
        difference=sum(d["difference"] for d in lists),
    )
    if candidates:
        entry["candidate_differences"] = candidates
    if statistics:
        entry["statistic_differences"] = statistics
    if notes:
        entry["notes"] = notes
    return entry, unit
