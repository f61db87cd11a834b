"""The reconciliation report: every municipality against its reference, and the seats.

Shape (JSON Schema: :mod:`telnorm.service.reconcile.schema`, served at
``GET /schema/reconcile``)::

    {"summary": {municipalities, equal, differing, unreadable, unmatched, total_difference},
     "municipalities": [{id, name, file, status, differences, ...}],
     "references": [...], "seat_impact": {...}, "notes": [...]}
"""

from __future__ import annotations

from typing import Any

from telnorm.service.reconcile.compare import compare_file, sort_key
from telnorm.service.reconcile.impact import ImpactOptions, seat_impact
from telnorm.service.reconcile.references import ReferenceSet, RefUnit
from telnorm.service.reconcile.summary import FileSummary

STATUSES = ("equal", "differs", "unreadable", "unmatched")


def _order(entry: dict[str, Any]) -> tuple[tuple[int, str], str]:
    return (sort_key(str(entry.get("id") or "~")), str(entry.get("file")))


def build_report(
    summaries: list[FileSummary], refs: ReferenceSet, options: ImpactOptions | None = None
) -> dict[str, Any]:
    entries: list[dict[str, Any]] = []
    pairs: list[tuple[FileSummary, RefUnit]] = []
    notes: list[str] = []
    for item in summaries:
        entry, unit = compare_file(item, refs)
        entries.append(entry)
        if unit is not None:
            pairs.append((item, unit))
    entries.sort(key=_order)
    seen: dict[str, str] = {}
    for entry in entries:
        key = entry.get("id")
        if key and entry["status"] in ("equal", "differs"):
            if key in seen:
                notes.append(
                    f"Municipality {key} is in two files ({seen[key]} and {entry['file']}); "
                    "both are compared, and both corrections count in seat_impact."
                )
            seen[key] = entry["file"]
    # a reference whose own levels disagree (the Boxmeer case inside a databank file)
    notes += [f"Reference {doc.file}: {doubt}" for doc in refs.documents for doubt in doc.doubts]
    counts = {status: sum(1 for e in entries if e["status"] == status) for status in STATUSES}
    summary = {
        "municipalities": len(entries),
        "equal": counts["equal"],
        "differing": counts["differs"],
        "unreadable": counts["unreadable"],
        "unmatched": counts["unmatched"],
        "total_difference": sum(e.get("difference", 0) for e in entries),
        "total_absolute_difference": sum(
            abs(d["difference"]) for e in entries for d in e.get("differences", [])
        ),
    }
    compared = set(seen)
    missing = sorted(
        {
            unit.code
            for doc in refs.documents
            for unit in doc.units
            if unit.code is not None and unit.code not in compared
        }
    )
    report: dict[str, Any] = {
        "summary": summary,
        "municipalities": entries,
        "references": [
            {
                "file": doc.file,
                "description": doc.description,
                "level": doc.level,
                "election_id": doc.election_id,
                "units": len(doc.units),
            }
            for doc in refs.documents
        ],
        "reference_units_without_file": missing,
        "seat_impact": seat_impact(refs, pairs, options or ImpactOptions()),
        "notes": notes,
    }
    return report


def exit_status(report: dict[str, Any]) -> int:
    """0 when every municipality equals its reference, 1 otherwise."""
    summary = report["summary"]
    clean = summary["municipalities"] > 0 and summary["equal"] == summary["municipalities"]
    return 0 if clean else 1
