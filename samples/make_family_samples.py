"""Samples of the layout families of issue 11 for the fictional municipality Lindehoven (9901),
built from the truth table of ``make_samples.py`` (run by its ``main``):

* ``pivot_lindehoven_crlf.csv``: a pivot table's export (lists as rows by name, stations as
  columns, grand-total row and column ``Eindtotaal``, no statistics, ``;`` and CRLF);
* ``pv_lindehoven_proces_verbaal.xlsx``: a proces-verbaal sheet (stations as columns with
  ``SB 1 De Linde (1234 AB)`` headers, the Kiesraad's statistic wording, list header rows
  ``1 - Partij`` / ``Lijst 2: Partij`` without votes, candidates with the position in the
  label, a ``Totaal`` row per list, cells holding only a space);
* ``multi_lindehoven_workbook.xlsx``: a count sheet with list names only, a ``Lijsten`` sheet
  with the numbers, a ``Totaal gemeente`` summary sheet.
"""

from __future__ import annotations

import csv
import io
from typing import Any

from make_samples import (  # type: ignore[import-not-found]
    ELECTION_NAME,
    LISTS,
    OUT,
    STATIONS,
    expected,
    total_of,
    write_expected,
)

#: The Kiesraad's proces-verbaal wording, with the key of the truth table.
OFFICIAL_LABELS = [
    ("Aantal kiesgerechtigden", "cast"),
    ("A. Aantal geldige stempassen", "stempas"),
    ("B. Aantal geldige volmachtbewijzen", "volmacht"),
    ("C. Aantal kiezers met een kiezerspas", "kiezerspas"),
    ("D. Totaal aantal toegelaten kiezers", "toegelaten"),
    ("Aantal blanco stemmen", "blanco"),
    ("Aantal ongeldige stemmen", "ongeldig"),
    ("Aantal geldige stemmen op kandidaten", "total_counted"),
]


def _no_statistics(group: dict[str, Any]) -> dict[str, Any]:
    return group | {"cast": None, "total_counted": None, "rejected_votes": {}, "uncounted_votes": {}}


def sample_pivot_csv() -> None:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(["Som van Stemmen", "Kolomlabels"])
    writer.writerow(
        [
            "Rijlabels",
            *(f"SB {st['number']} {st['name']} ({st['postal']})" for st in STATIONS),
            "Eindtotaal",
        ]
    )
    for lid, name, _c in LISTS:
        row = [st["lists"][lid] for st in STATIONS]
        writer.writerow([name, *row, sum(row)])
    sums = [st["total_counted"] for st in STATIONS]
    writer.writerow(["Eindtotaal", *sums, sum(sums)])
    (OUT / "pivot_lindehoven_crlf.csv").write_bytes(out.getvalue().encode("utf-8"))
    exp = expected(candidates=False, names="registered")
    exp["total_votes"] = _no_statistics(exp["total_votes"])
    exp["reporting_unit_votes"] = [_no_statistics(u) for u in exp["reporting_unit_votes"]]
    write_expected(
        "pivot_lindehoven_crlf",
        exp,
        {"context": {"candidate_list": "lindehoven.230b.eml.xml"}, "options": {}},
    )


def sample_proces_verbaal_xlsx() -> None:
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Proces-verbaal"
    t = total_of()
    ws.append(["Proces-verbaal van de uitslag"])
    ws.append(["Verkiezing", ELECTION_NAME])
    ws.append(["Gemeente", "Lindehoven"])
    ws.append(["Gemeentecode", "9901"])
    ws.append([])
    ws.append(
        [None, *(f"SB {st['number']} {st['name']} ({st['postal']})" for st in STATIONS), "Totaal"]
    )
    for label, key in OFFICIAL_LABELS:
        ws.append([label, *(st[key] for st in STATIONS), t[key]])
    headers = ("{n} - {name}", "Lijst {n}: {name}")
    candidates = ("{p} - {name}", "{p}. {name}", "{name} ({p})")
    for k, (lid, name, cands) in enumerate(LISTS):
        ws.append([headers[k % 2].format(n=lid, name=name), *(" " for _st in STATIONS), " "])
        for i, (cid, cname) in enumerate(cands):
            ws.append(
                [
                    candidates[(k + i) % 3].format(p=cid, name=cname),
                    *(st["votes"][lid][i] for st in STATIONS),
                    t["votes"][lid][i],
                ]
            )
        ws.append(["Totaal", *(st["lists"][lid] for st in STATIONS), t["lists"][lid]])
    wb.save(OUT / "pv_lindehoven_proces_verbaal.xlsx")
    exp = expected(candidates=True, names="registered")
    write_expected("pv_lindehoven_proces_verbaal", exp, {"context": {}, "options": {}})


def sample_multi_sheet_xlsx() -> None:
    import openpyxl

    wb = openpyxl.Workbook()
    count = wb.active
    count.title = "Uitslag per stembureau"
    count.append(["Gemeente", "Lindehoven"])
    count.append(["Gemeentecode", "9901"])
    count.append([])
    count.append(
        [
            "Nr",
            "Stembureau",
            "Postcode",
            *(label for label, _k in OFFICIAL_LABELS),
            *(name for _l, name, _c in LISTS),
        ]
    )
    for st in STATIONS:
        count.append(
            [
                st["number"],
                st["name"],
                st["postal"],
                *(st[key] for _label, key in OFFICIAL_LABELS),
                *(st["lists"][lid] for lid, *_ in LISTS),
            ]
        )
    lists = wb.create_sheet("Lijsten")
    lists.append(["Lijstnummer", "Partij"])
    for lid, name, _c in LISTS:
        lists.append([int(lid), name])
    summary = wb.create_sheet("Totaal gemeente")
    summary.append(["Nr", "Stembureau", *(name for _l, name, _c in LISTS)])
    summary.append([1, "Lindehoven", *(total_of()["lists"][lid] for lid, *_ in LISTS)])
    wb.save(OUT / "multi_lindehoven_workbook.xlsx")
    exp = expected(candidates=False, names="registered")
    write_expected("multi_lindehoven_workbook", exp, {"context": {}, "options": {}})


def main() -> None:
    sample_pivot_csv()
    sample_proces_verbaal_xlsx()
    sample_multi_sheet_xlsx()
