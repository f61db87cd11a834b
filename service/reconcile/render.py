"""The report as CSV (for spreadsheets) and as one self-contained HTML page.

The HTML has no external assets: the style, the few lines of script that sort the table
and the SVG chart are all inline, so the file can be mailed or archived as it is.
:func:`render_html_fragment` gives the body alone, for pages that embed the report.
"""

from __future__ import annotations

import csv
import io
from html import escape
from typing import Any

CSV_COLUMNS = (
    "municipality_id",
    "municipality",
    "file",
    "status",
    "kind",
    "affiliation_id",
    "candidate_id",
    "statistic",
    "count",
    "reference",
    "difference",
    "detail",
)


def render_csv(report: dict[str, Any]) -> bytes:
    """One row per municipality and list (or candidate, or statistic) that differs, and one
    row per unreadable or unmatched file."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for m in report["municipalities"]:
        base = [m.get("id") or "", m.get("name") or "", m["file"], m["status"]]
        if m["status"] in ("unreadable", "unmatched"):
            problem = m.get("problem") or {}
            detail = problem.get("detail") or "; ".join(m.get("notes", []))
            writer.writerow([*base, m["status"], "", "", "", "", "", "", detail])
            continue
        for d in m.get("differences", []):
            writer.writerow(
                [
                    *base,
                    "list",
                    d["affiliation_id"],
                    "",
                    "",
                    d["count"],
                    d["reference"],
                    d["difference"],
                    "",
                ]
            )
        for d in m.get("candidate_differences", []):
            writer.writerow(
                [
                    *base,
                    "candidate",
                    d["affiliation_id"],
                    d["candidate_id"],
                    "",
                    d["count"],
                    d["reference"],
                    d["difference"],
                    "",
                ]
            )
        for d in m.get("statistic_differences", []):
            writer.writerow(
                [
                    *base,
                    "statistic",
                    "",
                    "",
                    d["statistic"],
                    d["count"],
                    d["reference"],
                    d["difference"],
                    "",
                ]
            )
    return ("\ufeff" + out.getvalue()).encode("utf-8")  # BOM: spreadsheets read UTF-8


_STYLE = """
body{font-family:system-ui,sans-serif;margin:2em;color:#222}
table{border-collapse:collapse;margin:1em 0}
th,td{border:1px solid #ccc;padding:.3em .6em;text-align:left}
th{background:#f0f0f0;cursor:pointer}
td.n{text-align:right;font-variant-numeric:tabular-nums}
.equal{color:#276227}.differs{color:#a33}.unreadable,.unmatched{color:#a60}
.summary td{font-weight:bold}
"""

_SCRIPT = """
document.querySelectorAll('table.sortable th').forEach(function(th, col){
  th.addEventListener('click', function(){
    var body = th.closest('table').tBodies[0], rows = Array.from(body.rows);
    var up = th.dataset.dir !== 'up'; th.dataset.dir = up ? 'up' : 'down';
    rows.sort(function(a, b){
      var x = a.cells[col].dataset.v || a.cells[col].textContent,
          y = b.cells[col].dataset.v || b.cells[col].textContent;
      var nx = parseFloat(x), ny = parseFloat(y);
      var c = (!isNaN(nx) && !isNaN(ny)) ? nx - ny : x.localeCompare(y);
      return up ? c : -c;
    });
    rows.forEach(function(r){ body.appendChild(r); });
  });
});
"""


def _cell(value: Any, numeric: bool = False) -> str:
    text = "" if value is None else str(value)
    if numeric:
        return f'<td class="n" data-v="{escape(text)}">{escape(text)}</td>'
    return f"<td>{escape(text)}</td>"


def _chart(municipalities: list[dict[str, Any]]) -> str:
    """Horizontal bars: the sum of absolute list differences per differing municipality."""
    bars = [
        (
            m.get("name") or m.get("id") or m["file"],
            sum(abs(d["difference"]) for d in m["differences"]),
        )
        for m in municipalities
        if m["status"] == "differs"
    ]
    bars = [b for b in bars if b[1] > 0]
    if not bars:
        return "<p>No list differences to chart.</p>"
    top = max(value for _, value in bars)
    row, label_w, bar_w = 18, 220, 420
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" width="{label_w + bar_w + 90}" '
        f'height="{row * len(bars) + 10}" aria-label="Differences per municipality">'
    ]
    for i, (label, value) in enumerate(bars):
        y = i * row + 5
        width = max(1, round(bar_w * value / top))
        parts.append(
            f'<text x="{label_w - 6}" y="{y + 13}" text-anchor="end" font-size="12">'
            f"{escape(str(label))}</text>"
            f'<rect x="{label_w}" y="{y + 2}" width="{width}" height="{row - 5}" fill="#c44">'
            f"<title>{escape(str(label))}: {value}</title></rect>"
            f'<text x="{label_w + width + 4}" y="{y + 13}" font-size="12">{value}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def _impact(impact: dict[str, Any]) -> str:
    parts = ["<h2>Seat impact</h2>"]
    for e in impact.get("elections", []):
        parts.append(
            f"<h3>{escape(str(e.get('election_id') or 'election'))}: "
            f"{escape(e.get('status', ''))}</h3>"
        )
        if e.get("reason"):
            parts.append(f"<p>{escape(e['reason'])}</p>")
        if e.get("basis"):
            parts.append(f"<p>Apportioned over {escape(e['basis'])}; {e.get('seats')} seats.</p>")
        if e.get("lists"):
            parts.append(
                "<table><thead><tr><th>List</th><th>Name</th><th>Seats (reference)</th>"
                "<th>Seats (corrected)</th><th>Change</th></tr></thead><tbody>"
            )
            for item in e["lists"]:
                parts.append(
                    "<tr>"
                    + _cell(item["affiliation_id"])
                    + _cell(item["name"])
                    + _cell(item["reference_seats"], True)
                    + _cell(item["corrected_seats"], True)
                    + _cell(f"{item['change']:+d}", True)
                    + "</tr>"
                )
            parts.append("</tbody></table>")
        if e.get("candidates"):
            parts.append("<ul>")
            for c in e["candidates"]:
                who = c.get("name") or f"candidate {c['candidate_id']}"
                verb = "would be elected" if c["change"] == "elected" else "would not be elected"
                parts.append(f"<li>List {escape(c['affiliation_id'])}: {escape(who)} {verb}</li>")
            parts.append("</ul>")
        for note in e.get("notes", []):
            parts.append(f"<p><em>{escape(note)}</em></p>")
    return "".join(parts)


def render_html_fragment(report: dict[str, Any]) -> str:
    s = report["summary"]
    rows = []
    for m in report["municipalities"]:
        diffs = ", ".join(f"{d['affiliation_id']}: {d['difference']:+d}" for d in m["differences"])
        if m["status"] == "unreadable":
            diffs = (m.get("problem") or {}).get("detail") or ""
        elif m["status"] == "unmatched":
            diffs = "; ".join(m.get("notes", []))
        rows.append(
            "<tr>"
            + _cell(m.get("id"))
            + _cell(m.get("name"))
            + _cell(m["file"])
            + f'<td class="{escape(m["status"])}">{escape(m["status"])}</td>'
            + _cell(m.get("difference", 0), True)
            + _cell(diffs)
            + "</tr>"
        )
    summary = (
        '<table class="summary"><tr><th>Municipalities</th><th>Equal</th><th>Differing</th>'
        "<th>Unreadable</th><th>Unmatched</th><th>Total difference</th></tr><tr>"
        + "".join(
            _cell(s[k], True)
            for k in (
                "municipalities",
                "equal",
                "differing",
                "unreadable",
                "unmatched",
                "total_difference",
            )
        )
        + "</tr></table>"
    )
    table = (
        '<table class="sortable"><thead><tr><th>CBS code</th><th>Municipality</th><th>File</th>'
        "<th>Status</th><th>Difference</th><th>Lists that differ (file minus reference)</th>"
        "</tr></thead><tbody>" + "".join(rows) + "</tbody></table>"
    )
    return (
        "<h1>Reconciliation report</h1>"
        + summary
        + "<h2>Differences per municipality</h2>"
        + _chart(report["municipalities"])
        + "<h2>Municipalities</h2>"
        + table
        + _impact(report.get("seat_impact") or {})
    )


def render_html(report: dict[str, Any]) -> bytes:
    page = (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        "<title>telnorm reconciliation report</title>"
        f"<style>{_STYLE}</style></head><body>{render_html_fragment(report)}"
        f"<script>{_SCRIPT}</script></body></html>"
    )
    return page.encode("utf-8")
