"""The report as CSV in the Council tool's own layout, and as a self-contained HTML page.

The CSV parts follow the Council's control-protocol tool: its header block (protocol
version, description, election), its identification columns and column names, ``;`` and
CRLF (Python's csv default, which that tool uses too), so staff can set the two side by side.
Its value formats are kept as well: ``ja (3.4%)``, ``+1.2%``. Part A leaves out stations that
were already recounted, as that tool does; the JSON keeps them, marked ``recounted``.
"""

from __future__ import annotations

import csv
import html
import io
import re
from collections.abc import Mapping, Sequence
from typing import Any

from telnorm.parsers.conventions import id_sort_key

ID_COLUMNS = [
    "Verkiezingnummer",
    "Type",
    "Kieskringnummer",
    "Gemeentenummer",
    "Gemeentenaam",
    "Stembureaunummer",
    "Stembureaunaam",
]
_POSTCODE = re.compile(r"\(\s*postcode:\s*\d{4}\s*[A-Z]{2}\s*\)")
_PREFIX = re.compile(r"^(Stembureau\s)+")


def station_name(name: str | None) -> str:
    """The station name as the Council's tool prints it: no postcode, no 'Stembureau '."""
    return _PREFIX.sub("", _POSTCODE.sub("", name or "")).strip()


def _header(writer: Any, report: Mapping[str, Any], description: str) -> None:
    election, authority = report["election"], report["authority"]
    writer.writerow(["Versie controleprotocol", report["protocol_version"]])
    writer.writerow(["Beschrijving", description])
    writer.writerow([])
    writer.writerow(["EML datum/tijd", report.get("created")])
    writer.writerow(["Verkiezing", election.get("name")])
    writer.writerow(["Datum", election.get("date")])
    writer.writerow(["Kieskringnummer", election.get("contest")])
    writer.writerow(["Gemeentenummer", authority.get("id")])
    writer.writerow([])


def _ids(report: Mapping[str, Any], entry: Mapping[str, Any], part: str) -> list[Any]:
    election, authority = report["election"], report["authority"]
    return [
        election.get("id"),
        part,
        election.get("contest"),
        authority.get("id"),
        authority.get("name"),
        entry["station"],
        station_name(entry.get("name")),
    ]


def _pct(value: float) -> str:
    return f"{round(value, 1)}%"


def _yes(flag: bool | None) -> str | None:
    return "ja" if flag else None


def csv_a(report: Mapping[str, Any]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    _header(writer, report, "Stembureaus met niet onderzochte telverschillen")
    writer.writerow([*ID_COLUMNS, "Niet onderzocht telverschil", "Al herteld", "Samenvatting"])
    for entry in report["a"]:
        if entry["recounted"]:
            continue
        difference = (entry["no_explanation"] or 0) + (entry["explanations_short"] or 0)
        writer.writerow([*_ids(report, entry, "A"), difference, None, entry["summary"]])
    return out.getvalue()


def _list_label(deviation: Mapping[str, Any], names: Mapping[str, str | None]) -> str:
    name = names.get(deviation["affiliation_id"])
    points = deviation["share"] - deviation["rest_share"]
    label = name or f"{deviation['affiliation_id']}. blanco"
    return f"{label} ({round(points, 1)}%)"


def _swap_text(swap: Mapping[str, Any], names: Mapping[str, str | None]) -> str:
    name = names.get(swap["affiliation_id"])
    named = f" ({name})" if name else ""
    over, under = swap["over"], swap["under"]
    return (
        f"Mogelijke verwisseling op lijst {swap['affiliation_id']}{named}: Kandidaat "
        f"{over['candidate_id']} had {over['votes']} stemmen maar verwachting was "
        f"{over['expected']}. Kandidaat {under['candidate_id']} had {under['votes']} stemmen "
        f"maar verwachting was {under['expected']}"
    )


def _admitted(entry: Mapping[str, Any], report: Mapping[str, Any]) -> str | None:
    gap = entry["admitted_difference"]
    if gap is None:
        return None
    if gap >= report["thresholds"]["admitted_difference"]:
        return f"ja ({gap})"
    ballots = entry.get("ballots")
    return f"ja ({_pct(gap * 100 / ballots)})" if ballots else f"ja ({gap})"


def csv_b(report: Mapping[str, Any], names: Mapping[str, str | None]) -> str:
    t = report["thresholds"]
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    used = "gebruikt" if report["neighbourhoods_used"] else "niet_gebruikt"
    _header(
        writer,
        report,
        "Spreadsheet afwijkende percentages blanco en ongeldige stemmen, stembureaus met nul "
        f"stemmen, afwijkingen van het lijstgemiddelde >={t['list_deviation_points']}% en "
        f"mogelijk verwisselde kandidaten (wijkdata {used})",
    )
    writer.writerow(
        [
            *ID_COLUMNS,
            "Stembureau met nul stemmen",
            f"Stembureau >={t['invalid_pct']}% ongeldig",
            f"Stembureau >={t['blank_pct']}% blanco",
            f"Stembureau >={t['admitted_difference']} of >={t['admitted_difference_pct']}% "
            "verschil tussen toegelaten kiezers en uitgebrachte stemmen",
            f"Stembureau met lijst >={t['list_deviation_points']}% afwijking",
            "Mogelijk verwisselde kandidaten",
            "Al herteld",
            "Samenvatting",
        ]
    )
    for entry in report["b"]:
        writer.writerow(
            [
                *_ids(report, entry, "B"),
                _yes(entry["zero_votes"]),
                f"ja ({_pct(entry['invalid_pct'])})" if entry["invalid_pct"] is not None else None,
                f"ja ({_pct(entry['blank_pct'])})" if entry["blank_pct"] is not None else None,
                _admitted(entry, report),
                ", ".join(sorted(_list_label(d, names) for d in entry["list_deviations"])),
                ", ".join(_swap_text(s, names) for s in entry["swaps"]) or None,
                _yes(entry.get("recounted")),
                entry["summary"],
            ]
        )
    return out.getvalue()


def csv_c(report: Mapping[str, Any], names: Mapping[str, str | None]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    _header(writer, report, "Afwijking per stembureau per partij")
    lists = sorted({row["affiliation_id"] for row in report["c"]}, key=id_sort_key)
    writer.writerow([*ID_COLUMNS, *(names.get(aff) or aff for aff in lists)])
    rows: dict[str, dict[str, Any]] = {}
    entries: dict[str, Mapping[str, Any]] = {}
    for row in report["c"]:
        rows.setdefault(row["station"], {})[row["affiliation_id"]] = row["deviation"]
        entries.setdefault(row["station"], row)
    for station, deviations in rows.items():
        cells = [_signed(deviations[aff]) if aff in deviations else None for aff in lists]
        writer.writerow([*_ids(report, entries[station], "C"), *cells])
    return out.getvalue()


def _signed(value: float) -> str:
    rounded = round(value, 1)
    return f"{'+' if rounded > 0 else ''}{rounded}%"


PARTS = ("a", "b", "c")


def render_csv(report: Mapping[str, Any], names: Mapping[str, str | None], part: str) -> str:
    """One part (``a``, ``b`` or ``c``) as the Council tool writes it."""
    if part == "a":
        return csv_a(report)
    if part == "b":
        return csv_b(report, names)
    return csv_c(report, names)


def render_html(report: Mapping[str, Any], names: Mapping[str, str | None]) -> str:
    """A self-contained page (no external assets) with the three parts as tables."""
    esc = html.escape
    election, authority = report["election"], report["authority"]

    def table(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
        head = "".join(f'<th scope="col">{esc(h)}</th>' for h in headers)
        body = "".join(
            "<tr>" + "".join(f"<td>{esc('' if c is None else str(c))}</td>" for c in r) + "</tr>"
            for r in rows
        )
        return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"

    a_rows = [
        [e["station"], e["name"], e["no_explanation"], e["explanations_short"],
         {True: "ja", False: "nee", None: "onbekend"}[e["recounted"]], e["summary"]]
        for e in report["a"]
    ]  # fmt: skip
    b_rows = [[e["station"], e["name"], e["summary"]] for e in report["b"]]
    c_rows = [
        [r["station"], r["name"], names.get(r["affiliation_id"]) or r["affiliation_id"],
         f"{r['share']:.1f}%", f"{r['rest_share']:.1f}%", _signed(r["deviation"])]
        for r in report["c"]
    ]  # fmt: skip
    title = f"Controleprotocol {election.get('name') or ''} — {authority.get('name') or ''}"
    return (
        '<!doctype html><html lang="nl"><head><meta charset="utf-8">'
        f"<title>{esc(title)}</title><style>body{{font-family:sans-serif;margin:2rem}}"
        "table{border-collapse:collapse;margin-bottom:2rem}td,th{border:1px solid #999;"
        "padding:.25rem .5rem;text-align:left}th{background:#eee}</style></head><body>"
        f"<h1>{esc(title)}</h1><p>Versie controleprotocol {esc(report['protocol_version'])}; "
        f"{report['stations']} stembureaus.</p>"
        "<h2>A. Niet onderzochte telverschillen</h2>"
        + table(
            [
                "Stembureau",
                "Naam",
                "Geen verklaring",
                "Verklaringen tekort",
                "Al herteld",
                "Samenvatting",
            ],
            a_rows,
        )
        + "<h2>B. Opvallende uitslagen</h2>"
        + table(["Stembureau", "Naam", "Samenvatting"], b_rows)
        + "<h2>C. Afwijking per stembureau per lijst</h2>"
        + table(["Stembureau", "Naam", "Lijst", "Aandeel", "Rest gemeente", "Afwijking"], c_rows)
        + "</body></html>"
    )


__all__ = ["PARTS", "csv_a", "csv_b", "csv_c", "render_csv", "render_html", "station_name"]
