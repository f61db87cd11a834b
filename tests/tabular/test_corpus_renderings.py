"""A real count (TK2025 West Maas en Waal, the corpus's EML 510b) rendered, inside the tests,
into each spreadsheet family municipalities publish: every number must come out exactly as
the EML states it, unaided (or with the candidate list), and mis-mapped readings must be
refused. The renderings are built here from the EML, never copied into the repository."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from telnorm.parsers.errors import TelnormError
from telnorm.service.problems import status_of
from tests.conftest import corpus_path
from tests.tabular.helpers import run

EML = ("eml", "510b", "Telling_TK2025_gemeente_West_Maas_en_Waal.eml.xml")
CANDIDATES = ("eml", "230b", "Kandidatenlijsten_TK2025_Nijmegen.eml.xml")
STATS = [  # (official wording, canonical path)
    ("Aantal kiesgerechtigden", ("cast",)),
    ("A. Aantal geldige stempassen", ("uncounted_votes", "geldige stempassen")),
    ("Aantal geldige volmachtbewijzen", ("uncounted_votes", "geldige volmachtbewijzen")),
    ("Aantal kiezers met een kiezerspas", ("uncounted_votes", "geldige kiezerspassen")),
    ("Aantal toegelaten kiezers (D)", ("uncounted_votes", "toegelaten kiezers")),
    ("Aantal blanco stemmen", ("rejected_votes", "blanco")),
    ("Aantal ongeldige stemmen", ("rejected_votes", "ongeldig")),
    ("Aantal geldige stemmen op kandidaten", ("total_counted",)),
]


@pytest.fixture(scope="module")
def truth() -> dict[str, Any]:
    return run(corpus_path(*EML))


def _stat(group: dict[str, Any], path: tuple[str, ...]) -> Any:
    value: Any = group
    for key in path:
        value = value.get(key) if isinstance(value, dict) else None
    return value


def _lists(group: dict[str, Any]) -> dict[str, int | None]:
    return {s["affiliation_id"]: s["valid_votes"] for s in group["selections"]}


def _candidates(group: dict[str, Any]) -> dict[tuple[str, str], int]:
    return {
        (s["affiliation_id"], c["candidate_id"]): c["valid_votes"]
        for s in group["selections"]
        for c in s["candidates"]
    }


def _names(doc: dict[str, Any]) -> dict[str, str]:
    return {a["id"]: a["name"] for a in doc["affiliations"]}


def _assert_units(
    ours: dict[str, Any],
    truth: dict[str, Any],
    *,
    stats: bool,
    cands: bool,
    numbers: bool = True,
) -> None:
    assert len(ours["reporting_unit_votes"]) == len(truth["reporting_unit_votes"])
    for mine, real in zip(ours["reporting_unit_votes"], truth["reporting_unit_votes"], strict=True):
        # A pivot names its columns only (no station numbers): compared by name then.
        assert mine["number"] == real["number"] if numbers else mine["name"] == real["name"]
        assert _lists(mine) == _lists(real), real["id"]
        if stats:
            for _label, path in STATS:
                assert _stat(mine, path) == _stat(real, path), (real["id"], path)
        if cands:
            assert _candidates(mine) == _candidates(real), real["id"]


# --- pivot export -----------------------------------------------------------------------


def _pivot(truth: dict[str, Any]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    units = truth["reporting_unit_votes"]
    writer.writerow(["Som van Stemmen", "Kolomlabels"])
    writer.writerow(["Rijlabels", *(u["name"] for u in units), "Eindtotaal"])
    names = _names(truth)
    for list_id, name in names.items():
        row = [_lists(u).get(list_id) or 0 for u in units]
        writer.writerow([name, *row, sum(row)])
    sums = [sum(v or 0 for v in _lists(u).values()) for u in units]
    writer.writerow(["Eindtotaal", *sums, sum(sums)])
    return out.getvalue().encode("utf-8")


def test_pivot_export_with_the_candidate_list_is_exact(
    truth: dict[str, Any], tmp_path: Path
) -> None:
    path = tmp_path / "draaitabel.csv"
    path.write_bytes(_pivot(truth))
    doc = run(path, context={"candidate_list": corpus_path(*CANDIDATES)})
    assert doc["source"]["format"]["id"] == "csv-family-pivot"
    _assert_units(doc, truth, stats=False, cands=False, numbers=False)
    assert _lists(doc["total_votes"]) == _lists(truth["total_votes"])
    codes = {n["code"] for n in doc["notes"]}
    assert "total-from-file" in codes and "no-statistics" in codes
    assert "total-disagrees" not in codes


def test_pivot_grand_total_disagreeing_is_kept_and_noted(
    truth: dict[str, Any], tmp_path: Path
) -> None:
    text = _pivot(truth).decode("utf-8").splitlines()
    last = text[-1].split(";")
    last[1] = str(int(last[1]) + 5)  # the first station's grand total is off by 5
    text[-1] = ";".join(last)
    path = tmp_path / "draaitabel.csv"
    path.write_bytes(("\r\n".join(text) + "\r\n").encode("utf-8"))
    doc = run(path, context={"candidate_list": corpus_path(*CANDIDATES)})
    _assert_units(doc, truth, stats=False, cands=False, numbers=False)  # kept as stated
    notes = [n for n in doc["notes"] if n["code"] == "total-disagrees"]
    assert len(notes) == 1 and "the lists add up to" in notes[0]["message"]


def test_pivot_mis_mapped_header_row_is_refused(truth: dict[str, Any], tmp_path: Path) -> None:
    path = tmp_path / "draaitabel.csv"
    path.write_bytes(_pivot(truth))
    mapping = 'id = "fout"\nfamily = "pivot"\n[layout]\nheader_row = 3\nlabel_column = 1\n'
    with pytest.raises(TelnormError) as caught:
        run(path, mapping=mapping, context={"candidate_list": corpus_path(*CANDIDATES)})
    assert status_of(caught.value) == 422


# --- proces-verbaal per stembureau (stations as columns) ------------------------------------

_HEADERS = ("{n} - {name}", "Lijst {n}: {name}")
_CANDIDATE_ROWS = ("{p} - {name}", "{p}. {name}", "{name} ({p})")


def _proces_verbaal(truth: dict[str, Any]) -> openpyxl.Workbook:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Proces-verbaal"
    units = truth["reporting_unit_votes"]
    sheet.append(["Proces-verbaal van de uitslag per stembureau"])
    sheet.append(["Verkiezing", "Tweede Kamer 2025"])
    sheet.append([])
    sheet.append(["", *(f"SB {u['number']} {u['name']} ({u['postal_code']})" for u in units)])
    for label, path in STATS:
        sheet.append([label, *(_stat(u, path) for u in units)])
    for k, (list_id, name) in enumerate(_names(truth).items()):
        sheet.append([_HEADERS[k % 2].format(n=list_id, name=name), *(" " for _u in units)])
        candidates = next(a for a in truth["affiliations"] if a["id"] == list_id)["candidates"]
        for j, candidate in enumerate(candidates):
            key = (list_id, candidate["id"])
            label = _CANDIDATE_ROWS[j % 3].format(p=candidate["id"], name=f"Kandidaat {j + 1}, K.")
            sheet.append([label, *(_candidates(u).get(key) for u in units)])
        sheet.append(["Totaal", *(_lists(u).get(list_id) for u in units)])
    return book


def test_proces_verbaal_sheet_is_exact(truth: dict[str, Any], tmp_path: Path) -> None:
    path = tmp_path / "pv.xlsx"
    _proces_verbaal(truth).save(path)
    doc = run(path)
    assert doc["source"]["format"]["id"] == "xlsx-family-b"
    assert doc["source"]["cells"]["left_over"] == 0
    _assert_units(doc, truth, stats=True, cands=True)
    for mine, real in zip(doc["reporting_unit_votes"], truth["reporting_unit_votes"], strict=True):
        assert mine["postal_code"] == real["postal_code"]
        assert mine["name"] == real["name"]


# --- several sheets: the count by name, list numbers on another sheet ------------------------


def test_workbook_count_sheet_chosen_and_list_numbers_from_another_sheet(
    truth: dict[str, Any], tmp_path: Path
) -> None:
    book = openpyxl.Workbook()
    names = _names(truth)
    count = book.active
    count.title = "Uitslag per stembureau"
    count.append(["Nr", "Stembureau", *(label for label, _p in STATS), *names.values()])
    for u in truth["reporting_unit_votes"]:
        count.append(
            [u["number"], u["name"], *(_stat(u, p) for _l, p in STATS), *_lists(u).values()]
        )
    lists = book.create_sheet("Lijsten")
    lists.append(["Lijstnummer", "Partij"])
    for list_id, name in names.items():
        lists.append([int(list_id), name])
    summary = book.create_sheet("Totaal gemeente")
    summary.append(["Nr", "Stembureau", *names.values()])
    summary.append([1, "Gemeente", *_lists(truth["total_votes"]).values()])
    path = tmp_path / "uitslag.xlsx"
    book.save(path)
    doc = run(path)
    assert doc["source"]["format"]["id"] == "xlsx-family-a"
    _assert_units(doc, truth, stats=True, cands=False)
    codes = {n["code"] for n in doc["notes"]}
    assert "list-numbers-from-sheet" in codes
    layout = next(n for n in doc["notes"] if n["code"] == "layout")
    assert "'Uitslag per stembureau' chosen" in layout["message"]


# --- one sheet per station, identity in the title lines ----------------------------------------


def test_sheet_per_station_identity_from_title_lines(truth: dict[str, Any], tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    book.remove(book.active)
    names = _names(truth)
    for u in truth["reporting_unit_votes"]:
        sheet = book.create_sheet(f"Blad {u['number']}")
        sheet.append([f"Proces-verbaal stembureau {u['number']}: Stembureau {u['name']}"])
        sheet.append([f"Postcode: {u['postal_code']}"])
        for label, path in STATS:
            sheet.append([label, _stat(u, path)])
        sheet.append(["Lijstnummer", "Partij", "Volgnummer", "Kandidaat", "Stemmen"])
        for list_id, name in names.items():
            sheet.append([int(list_id), name, None, None, _lists(u).get(list_id)])
            for (lid, cid), votes in _candidates(u).items():
                if lid == list_id:
                    sheet.append([None, None, int(cid), f"Kandidaat {cid}", votes])
    path = tmp_path / "per-stembureau.xlsx"
    book.save(path)
    doc = run(path)
    assert doc["source"]["format"]["id"] == "xlsx-family-d"
    _assert_units(doc, truth, stats=True, cands=True)
    for mine, real in zip(doc["reporting_unit_votes"], truth["reporting_unit_votes"], strict=True):
        assert mine["postal_code"] == real["postal_code"]
        assert mine["name"] == real["name"]


def test_sheet_per_station_statistics_under_the_list_table(
    truth: dict[str, Any], tmp_path: Path
) -> None:
    """The proces-verbaal's order: the list table first, the statistic lines under it, each
    label with its number in the second column."""
    book = openpyxl.Workbook()
    book.remove(book.active)
    names = _names(truth)
    for u in truth["reporting_unit_votes"]:
        sheet = book.create_sheet(f"SB {u['number']} {u['name']}"[:31])
        sheet.append(["Aantal kiesgerechtigden", _stat(u, ("cast",))])
        sheet.append(
            ["Aantal toegelaten kiezers", _stat(u, ("uncounted_votes", "toegelaten kiezers"))]
        )
        sheet.append(
            ["Aantal geldige stempassen", _stat(u, ("uncounted_votes", "geldige stempassen"))]
        )
        sheet.append(["Lijstnummer", "Partij", "Stemmen"])
        for list_id, name in names.items():
            sheet.append([int(list_id), name, _lists(u).get(list_id)])
        for label, path in STATS[4:]:
            sheet.append([label, _stat(u, path)])
    path = tmp_path / "onder.xlsx"
    book.save(path)
    doc = run(path)
    assert doc["source"]["format"]["id"] == "xlsx-family-d"
    assert doc["source"]["cells"]["left_over"] == 0
    for mine, real in zip(doc["reporting_unit_votes"], truth["reporting_unit_votes"], strict=True):
        assert mine["number"] == real["number"]
        assert _lists(mine) == _lists(real)
        for _label, stat in STATS[4:]:
            assert _stat(mine, stat) == _stat(real, stat), stat
