"""Generate the tabular samples: a FICTIONAL municipality (Lindehoven, code 9901) in every
layout family, and the expected canonical numbers of each, from one truth table.

The expected JSON is built from the truth table here, not by running telnorm, so the tests
check the parsers against an independent oracle. Run: ``.venv/bin/python samples/make_samples.py``.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

OUT = Path(__file__).resolve().parent / "tabular"

AUTHORITY = {"id": "9901", "name": "Lindehoven"}
ELECTION_NAME = "Gemeenteraad Lindehoven 2026"
DATE = "2026-03-18"
LISTS = [
    ("1", "Lindehoven Lokaal", [("1", "Aalbers, A."), ("2", "Bakker, B.")]),
    ("2", "VVD", [("1", "Claassen, C."), ("2", "Dekker, D.")]),
    ("3", "GROENLINKS / Partij van de Arbeid (PvdA)", [("1", "Evers, E."), ("2", "Fransen, F.")]),
]
HEADER_NAMES = {"1": "Lindehoven Lokaal", "2": "VVD", "3": "GL/PvdA"}
STATIONS: list[dict[str, Any]] = [
    {
        "number": 1,
        "name": "De Linde",
        "postal": "1234 AB",
        "cast": 1500,
        "stempas": 900,
        "volmacht": 50,
        "kiezerspas": 2,
        "blanco": 7,
        "ongeldig": 5,
        "votes": {"1": [300, 100], "2": [250, 50], "3": [200, 40]},
    },
    {
        "number": 2,
        "name": "Dorpshuis Oost",
        "postal": "1235 CD",
        "cast": 1234,
        "stempas": 1000,
        "volmacht": 31,
        "kiezerspas": 0,
        "blanco": 6,
        "ongeldig": 5,
        "votes": {"1": [500, 120], "2": [150, 60], "3": [140, 50]},
    },
    {
        "number": 3,
        "name": "Café 't Hoekje",
        "postal": "1236 EF",
        "cast": 800,
        "stempas": 400,
        "volmacht": 20,
        "kiezerspas": 1,
        "blanco": 4,
        "ongeldig": 6,
        "votes": {"1": [100, 50], "2": [120, 30], "3": [80, 31]},
    },
]
for st in STATIONS:
    st["lists"] = {k: sum(v) for k, v in st["votes"].items()}
    st["total_counted"] = sum(st["lists"].values())
    st["toegelaten"] = st["stempas"] + st["volmacht"] + st["kiezerspas"]


def nl(n: int) -> str:
    """Dutch thousands: 1234 -> 1.234."""
    return f"{n:,}".replace(",", ".")


def group(st: dict[str, Any], *, candidates: bool, votes_cast: bool = False) -> dict[str, Any]:
    out: dict[str, Any] = {
        "cast": st["cast"],
        "total_counted": st.get("total_counted_stated", st["total_counted"]),
        "rejected_votes": {"blanco": st["blanco"], "ongeldig": st["ongeldig"]},
        "uncounted_votes": {
            "geldige stempassen": st["stempas"],
            "geldige volmachtbewijzen": st["volmacht"],
            "geldige kiezerspassen": st["kiezerspas"],
            "toegelaten kiezers": st["toegelaten"],
        },
        "selections": [
            {
                "affiliation_id": lid,
                "valid_votes": st["lists"][lid],
                "candidates": [
                    {"candidate_id": str(i + 1), "valid_votes": v}
                    for i, v in enumerate(st["votes"][lid])
                ]
                if candidates
                else [],
            }
            for lid, _name, _c in LISTS
        ],
    }
    if votes_cast:
        out["votes_cast"] = st["total_counted"] + st["blanco"] + st["ongeldig"]
    return out


def total_of() -> dict[str, Any]:
    keys = (
        "cast",
        "stempas",
        "volmacht",
        "kiezerspas",
        "blanco",
        "ongeldig",
        "total_counted",
        "toegelaten",
    )
    total: dict[str, Any] = {k: sum(st[k] for st in STATIONS) for k in keys}
    total["votes"] = {
        lid: [sum(st["votes"][lid][i] for st in STATIONS) for i in range(2)] for lid, *_ in LISTS
    }
    total["lists"] = {k: sum(v) for k, v in total["votes"].items()}
    return total


def expected(*, candidates: bool, names: str, unit_ids: bool = True) -> dict[str, Any]:
    """The numbers part of the canonical document every sample must give."""
    affiliations = []
    for lid, name, cands in LISTS:
        shown = name if names == "registered" else HEADER_NAMES[lid] if names == "header" else name
        affiliations.append(
            {
                "id": lid,
                "name": shown,
                "candidates": [
                    {"id": cid, "name": cname, "short_code": None} for cid, cname in cands
                ]
                if candidates
                else [],
            }
        )
    units = []
    for st in STATIONS:
        unit = {
            "id": f"9901::SB{st['number']}" if unit_ids else f"SB{st['number']}",
            "number": st["number"],
            "name": st["name"],
            "postal_code": st["postal"],
            "kind": "polling_station",
        }
        unit.update(group(st, candidates=candidates))
        units.append(unit)
    return {
        "managing_authority": AUTHORITY,
        "affiliations": affiliations,
        "total_votes": group(total_of(), candidates=candidates),
        "reporting_unit_votes": units,
    }


def write_expected(name: str, data: dict[str, Any], meta: dict[str, Any]) -> None:
    data = {"_sample": meta, **data}
    (OUT / f"{name}.expected.json").write_text(
        json.dumps(data, indent=1, ensure_ascii=False) + "\n", encoding="utf-8"
    )


STAT_LABELS = [  # (label as municipalities write it, key in STATIONS)
    ("Kiesgerechtigden", "cast"),
    ("Aantal geldige stempassen", "stempas"),
    ("Volmachtbewijzen", "volmacht"),
    ("Kiezerspassen", "kiezerspas"),
    ("Toegelaten kiezers", "toegelaten"),
    ("Blanco stemmen", "blanco"),
    ("Ongeldige stemmen", "ongeldig"),
    ("Geldige stemmen", "total_counted"),
]


def sample_a_csv() -> None:
    """Family a, cp1252, ``sep=;`` line, title rows, Dutch thousands, list numbers in headers,
    a total row."""
    out = io.StringIO(newline="")
    w = csv.writer(out, delimiter=";", lineterminator="\r\n")
    out.write("sep=;\r\n")
    w.writerow(["Verkiezing", ELECTION_NAME])
    w.writerow(["Gemeente", "Gemeente Lindehoven"])
    w.writerow(["Gemeentecode", "9901"])
    w.writerow(["Datum", "18-03-2026"])
    w.writerow([])
    header = ["Nr", "Stembureau", "Postcode", *[lab for lab, _k in STAT_LABELS]]
    header += [f"{lid}. {name}" for lid, name, _c in LISTS]
    w.writerow(header)
    for st in STATIONS:
        w.writerow(
            [
                st["number"],
                st["name"],
                st["postal"],
                *[nl(st[k]) for _l, k in STAT_LABELS],
                *[nl(st["lists"][lid]) for lid, *_ in LISTS],
            ]
        )
    t = total_of()
    w.writerow(
        [
            "",
            "Totaal",
            "",
            *[nl(t[k]) for _l, k in STAT_LABELS],
            *[nl(t["lists"][lid]) for lid, *_ in LISTS],
        ]
    )
    (OUT / "a_lindehoven_semicolon_cp1252.csv").write_bytes(out.getvalue().encode("cp1252"))
    exp = expected(candidates=False, names="registered")
    write_expected("a_lindehoven_semicolon_cp1252", exp, {"context": {}, "options": {}})


def sample_a_xlsx() -> None:
    """Family a in xlsx: merged title, a blank column, list NAMES only (resolved through the
    candidate list and the alias table), a per-station 'Totaal' column, no total row."""
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Uitslag"
    ws["A1"] = "Uitslag gemeenteraadsverkiezing Lindehoven 2026"
    ws.merge_cells("A1:F1")
    header = [
        "Stembureau nummer",
        None,
        "Stembureau",
        "Postcode",
        *[lab for lab, _k in STAT_LABELS],
        *[HEADER_NAMES[lid] for lid, *_ in LISTS],
        "Totaal",
    ]
    ws.append([])
    ws.append(header)
    for st in STATIONS:
        ws.append(
            [
                st["number"],
                None,
                st["name"],
                st["postal"],
                *[st[k] for _l, k in STAT_LABELS],
                *[st["lists"][lid] for lid, *_ in LISTS],
                st["total_counted"],
            ]
        )
    wb.save(OUT / "a_lindehoven_names.xlsx")
    exp = expected(candidates=False, names="registered")
    write_expected(
        "a_lindehoven_names",
        exp,
        {
            "context": {"candidate_list": "lindehoven.230b.eml.xml"},
            "options": {},
            "election": {"id": "GR2026_Lindehoven"},
        },
    )


def sample_b_ods() -> None:
    """Family b (stations as columns) in ods: label column B, list numbers in column A."""
    from odf.opendocument import OpenDocumentSpreadsheet
    from odf.table import Table, TableCell, TableRow
    from odf.text import P

    doc = OpenDocumentSpreadsheet()
    table = Table(name="Telling")

    def row(values: list[Any]) -> None:
        tr = TableRow()
        for v in values:
            if isinstance(v, int):
                cell = TableCell(valuetype="float", value=str(v))
                cell.addElement(P(text=str(v)))
            elif v is None:
                cell = TableCell()
            else:
                cell = TableCell(valuetype="string")
                cell.addElement(P(text=str(v)))
            tr.addElement(cell)
        table.addElement(tr)

    row(["Verkiezing", ELECTION_NAME])
    row(["Gemeente", "Lindehoven"])
    row(["Gemeentecode", "9901"])
    row([])
    t = total_of()
    row([None, None, *[st["name"] for st in STATIONS], "Totaal"])
    row([None, "Stembureaunummer", *[st["number"] for st in STATIONS], None])
    row([None, "Postcode", *[st["postal"] for st in STATIONS], None])
    for label, key in STAT_LABELS:
        row([None, label, *[st[key] for st in STATIONS], t[key]])
    for lid, name, _c in LISTS:
        row([int(lid), name, *[st["lists"][lid] for st in STATIONS], t["lists"][lid]])
    doc.spreadsheet.addElement(table)
    doc.save(str(OUT / "b_lindehoven_columns.ods"))
    exp = expected(candidates=False, names="registered")
    write_expected("b_lindehoven_columns", exp, {"context": {}, "options": {}})


def sample_b_candidates_xlsx() -> None:
    """Family b with candidate rows (the osv4-3 shape in another spreadsheet): list number in
    column A, candidate position in column B, list and candidate names in column C, stations
    as columns, a 'Totaal' column; no osv4-3 header."""
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Uitslag"
    t = total_of()
    ws.append(["Verkiezing", None, ELECTION_NAME])
    ws.append(["Gemeente", None, "Lindehoven"])
    ws.append(["Gemeentecode", None, "9901"])
    ws.append([])
    ws.append(["Lijst", "Volgnr", "Partij / kandidaat", *[st["name"] for st in STATIONS], "Totaal"])
    ws.append([None, None, "Stembureaunummer", *[st["number"] for st in STATIONS]])
    ws.append([None, None, "Postcode", *[st["postal"] for st in STATIONS]])
    for label, key in STAT_LABELS:
        ws.append([None, None, label, *[st[key] for st in STATIONS], t[key]])
    for lid, name, cands in LISTS:
        ws.append([int(lid), None, name, *[st["lists"][lid] for st in STATIONS], t["lists"][lid]])
        for i, (cid, cname) in enumerate(cands):
            ws.append(
                [
                    None,
                    int(cid),
                    cname,
                    *[st["votes"][lid][i] for st in STATIONS],
                    t["votes"][lid][i],
                ]
            )
    wb.save(OUT / "b_lindehoven_candidates.xlsx")
    exp = expected(candidates=True, names="registered")
    write_expected("b_lindehoven_candidates", exp, {"context": {}, "options": {}})


def sample_c_tsv() -> None:
    """Family c (long), UTF-16 with BOM, tab-separated, with candidates and statistic rows."""
    out = io.StringIO(newline="")
    w = csv.writer(out, delimiter="\t", lineterminator="\n")
    w.writerow(["Gemeente", "Lindehoven"])
    w.writerow(["Gemeentecode", "9901"])
    w.writerow(["Verkiezing", ELECTION_NAME])
    w.writerow(
        [
            "Stembureaunummer",
            "Stembureau",
            "Postcode",
            "Lijstnummer",
            "Partij",
            "Volgnummer",
            "Kandidaat",
            "Stemmen",
        ]
    )
    for st in STATIONS:
        base = [st["number"], st["name"], st["postal"]]
        for label, key in STAT_LABELS:
            w.writerow([*base, "", label, "", "", st[key]])
        for lid, name, cands in LISTS:
            w.writerow([*base, lid, name, "", "", st["lists"][lid]])
            for i, (cid, cname) in enumerate(cands):
                w.writerow([*base, lid, name, cid, cname, st["votes"][lid][i]])
    (OUT / "c_lindehoven_long_utf16.tsv").write_bytes(out.getvalue().encode("utf-16"))
    exp = expected(candidates=True, names="registered")
    write_expected("c_lindehoven_long_utf16", exp, {"context": {}, "options": {}})


def sample_d_xls() -> None:
    """Family d: one sheet per polling station laid out like the paper form (xls)."""
    import xlwt

    wb = xlwt.Workbook()
    for st in STATIONS:
        ws = wb.add_sheet(f"SB{st['number']}")
        rows: list[list[Any]] = [
            ["Proces-verbaal stembureau", None],
            ["Gemeente", "Lindehoven"],
            ["Gemeentecode", "9901"],
            ["Verkiezing", ELECTION_NAME],
            ["Stembureau", st["name"]],
            ["Stembureaunummer", st["number"]],
            ["Postcode", st["postal"]],
            [],
            *[[label, st[key]] for label, key in STAT_LABELS],
            [],
            ["Lijstnummer", "Partij", "Volgnummer", "Kandidaat", "Stemmen"],
        ]
        for lid, name, cands in LISTS:
            rows.append([int(lid), name, None, None, st["lists"][lid]])
            for i, (cid, cname) in enumerate(cands):
                rows.append([None, None, int(cid), cname, st["votes"][lid][i]])
        for r, values in enumerate(rows):
            for c, value in enumerate(values):
                if value is not None:
                    ws.write(r, c, value)
    wb.save(str(OUT / "d_lindehoven_form.xls"))
    exp = expected(candidates=True, names="registered")
    write_expected("d_lindehoven_form", exp, {"context": {}, "options": {}})


def sample_mapping_csv() -> None:
    """A municipality's own labels, read through mappings/lindehoven-2026.toml (comma, UTF-8)."""
    out = io.StringIO(newline="")
    w = csv.writer(out, delimiter=",", lineterminator="\n")
    w.writerow(
        [
            "Bureau",
            "Locatie",
            "PC",
            "Kiezers totaal",
            "Passen",
            "Volmachten",
            "KP",
            "Opgekomen",
            "Leeg",
            "Fout",
            *[f"L{lid}" for lid, *_ in LISTS],
        ]
    )
    for st in STATIONS:
        w.writerow(
            [
                f"SB{st['number']}",
                st["name"],
                st["postal"],
                st["cast"],
                st["stempas"],
                st["volmacht"],
                st["kiezerspas"],
                st["toegelaten"],
                st["blanco"],
                st["ongeldig"],
                *[st["lists"][lid] for lid, *_ in LISTS],
            ]
        )
    (OUT / "lindehoven_mapping_export.csv").write_bytes(out.getvalue().encode("utf-8"))
    exp = expected(candidates=False, names="registered")
    # This export does not state the valid votes (E): absent, never derived.
    for unit in [exp["total_votes"], *exp["reporting_unit_votes"]]:
        unit["total_counted"] = None
    write_expected(
        "lindehoven_mapping_export",
        exp,
        {
            "context": {"candidate_list": "lindehoven.230b.eml.xml"},
            "options": {},
            "mapping": "lindehoven-2026",
        },
    )


def candidate_list() -> None:
    """A small fictional EML 230b for Lindehoven."""
    parts = []
    for lid, name, cands in LISTS:
        cs = "".join(
            f'<Candidate><CandidateIdentifier Id="{cid}"/><CandidateFullName><xnl:PersonName>'
            f'<xnl:NameLine NameType="Initials">{cname.split(", ")[1]}</xnl:NameLine>'
            f"<xnl:LastName>{cname.split(',')[0]}</xnl:LastName></xnl:PersonName>"
            "</CandidateFullName></Candidate>"
            for cid, cname in cands
        )
        parts.append(
            f'<Affiliation><AffiliationIdentifier Id="{lid}"><RegisteredName>{name}'
            f"</RegisteredName></AffiliationIdentifier><Type>lijstengroep</Type>{cs}</Affiliation>"
        )
    xml = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<EML xmlns="urn:oasis:names:tc:evs:schema:eml" '
        'xmlns:kr="http://www.kiesraad.nl/extensions" '
        'xmlns:xnl="urn:oasis:names:tc:ciq:xsdschema:xNL:2.0" Id="230b" SchemaVersion="5">'
        '<TransactionId>1</TransactionId><ManagingAuthority><AuthorityIdentifier Id="9901">'
        "Lindehoven</AuthorityIdentifier></ManagingAuthority><CandidateList><Election>"
        '<ElectionIdentifier Id="GR2026_Lindehoven"><ElectionName>'
        + ELECTION_NAME
        + "</ElectionName><ElectionCategory>GR</ElectionCategory><kr:ElectionSubcategory>GR1"
        "</kr:ElectionSubcategory><kr:ElectionDate>" + DATE + "</kr:ElectionDate>"
        '</ElectionIdentifier><Contest><ContestIdentifier Id="geen"/>'
        + "".join(parts)
        + "</Contest></Election></CandidateList></EML>\n"
    )
    (OUT / "lindehoven.230b.eml.xml").write_text(xml, encoding="utf-8")


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    candidate_list()
    sample_a_csv()
    sample_a_xlsx()
    sample_b_ods()
    sample_b_candidates_xlsx()
    sample_c_tsv()
    sample_d_xls()
    sample_mapping_csv()
    import make_family_samples  # the families of issue 11 (beside this file)

    make_family_samples.main()


if __name__ == "__main__":
    main()
