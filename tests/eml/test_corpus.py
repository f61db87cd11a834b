"""Every 510 of the corpus normalises, and its numbers equal sums computed independently.

The independent side reads the XML with a plain full-tree lxml parse (fine for test files)
and recomputes totals positionally, without any code of telnorm's.
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from pathlib import Path
from typing import Any

import pytest
from lxml import etree

from telnorm.service.pipeline import InputFile, NormaliseOptions, normalise
from tests.conftest import assert_canonical, corpus_files, corpus_path

EML_NS = "urn:oasis:names:tc:evs:schema:eml"
COUNTS = [p for p in corpus_files("eml/**/*.xml") if b'Id="510' in p.read_bytes()[:3000]]
NS = {"e": EML_NS}


def _independent(path: Path) -> dict[str, Any]:
    """Per group: list totals, candidate votes by (list, candidate), and the scalars."""
    tree = etree.parse(str(path), etree.XMLParser(resolve_entities=False, no_network=True))
    groups: dict[str, Any] = {}
    for group in tree.iterfind(".//e:TotalVotes", NS):
        groups["total"] = _group(group)
    for unit in tree.iterfind(".//e:ReportingUnitVotes", NS):
        unit_id = unit.find("e:ReportingUnitIdentifier", NS).get("Id")
        groups[unit_id] = _group(unit)
    return groups


def _group(element: Any) -> dict[str, Any]:
    lists: dict[str, int] = {}
    candidates: dict[tuple[str, str], int] = {}
    current = None
    for selection in element.iterfind("e:Selection", NS):
        votes = int(selection.findtext("e:ValidVotes", namespaces=NS))
        affiliation = selection.find("e:AffiliationIdentifier", NS)
        if affiliation is not None:
            current = affiliation.get("Id")
            lists[current] = votes
        else:
            candidate = selection.find("e:Candidate/e:CandidateIdentifier", NS).get("Id")
            candidates[(str(current), candidate)] = votes
    cast = element.findtext("e:Cast", namespaces=NS)
    counted = element.findtext("e:TotalCounted", namespaces=NS)
    rejected = {r.get("ReasonCode"): int(r.text) for r in element.iterfind("e:RejectedVotes", NS)}
    return {
        "lists": lists,
        "candidates": candidates,
        "cast": int(cast) if cast is not None else None,
        "total_counted": int(counted) if counted is not None else None,
        "rejected": rejected,
    }


def _ours(group: dict[str, Any]) -> dict[str, Any]:
    return {
        "lists": {s["affiliation_id"]: s["valid_votes"] for s in group["selections"]},
        "candidates": {
            (s["affiliation_id"], c["candidate_id"]): c["valid_votes"]
            for s in group["selections"]
            for c in s["candidates"]
        },
        "cast": group["cast"],
        "total_counted": group["total_counted"],
        "rejected": group["rejected_votes"],
    }


@pytest.mark.parametrize("path", COUNTS, ids=lambda p: p.name)
def test_every_corpus_count_normalises_to_independent_numbers(path: Path) -> None:
    document = normalise(InputFile(path, path.name))
    assert_canonical(document)
    expected = _independent(path)
    assert _ours(document["total_votes"]) == expected["total"]
    units = {u["id"]: _ours(u) for u in document["reporting_unit_votes"]}
    assert units == {k: v for k, v in expected.items() if k != "total"}
    # Totals really are the sum of the units wherever the file is internally consistent:
    # recompute per list from the independent side and compare with what we emit.
    unit_sum: dict[str, int] = defaultdict(int)
    for key, group in expected.items():
        if key != "total":
            for list_id, votes in group["lists"].items():
                unit_sum[list_id] += votes
    emitted_sum: dict[str, int] = defaultdict(int)
    for unit in document["reporting_unit_votes"]:
        for selection in unit["selections"]:
            emitted_sum[selection["affiliation_id"]] += selection["valid_votes"]
    assert emitted_sum == unit_sum


def test_tk2025_with_candidate_list() -> None:
    count = corpus_path("eml/510b/Telling_TK2025_gemeente_West_Maas_en_Waal.eml.xml")
    names = corpus_path("eml/230b/Kandidatenlijsten_TK2025_Nijmegen.eml.xml")
    document = normalise(
        InputFile(count, count.name), {"candidate_list": InputFile(names, names.name)}
    )
    assert_canonical(document)
    assert len(document["reporting_unit_votes"]) == 11
    assert len(document["affiliations"]) == 24
    assert document["total_votes"]["total_counted"] == 13627
    assert document["total_votes"]["cast"] == 16290
    assert all(u["cast"] == 0 for u in document["reporting_unit_votes"])
    pvv = document["affiliations"][0]
    assert pvv["candidates"][0]["name"] == "Wilders, G."
    total_pvv = document["total_votes"]["selections"][0]
    assert total_pvv["affiliation_id"] == "1"
    assert total_pvv["candidates"][0] == {"candidate_id": "1", "valid_votes": 3072}
    assert document["source"]["context"][0]["role"] == "candidate_list"
    assert document["source"]["context"][0]["eml_id"] == "230b"


def test_tk2025_numbers_equal_the_osv4_3_csv() -> None:
    """Cross-check with the counting software's CSV export of the same count, read here with
    the csv module only: every list and candidate number of every unit and of the total."""
    count = corpus_path("eml/510b/Telling_TK2025_gemeente_West_Maas_en_Waal.eml.xml")
    csv_path = corpus_path("csv/osv4-3/osv4-3_telling_tk2025_gemeente_westmaasenwaal.csv")
    document = normalise(InputFile(count, count.name))
    rows = list(csv.reader(io.StringIO(csv_path.read_text("utf-8-sig")), delimiter=";"))
    numbers = next(r for r in rows if r and r[0] == "Gebiednummer")
    # column -> group key: the total column, then one per polling station by its number
    columns = {4: "total"}
    columns.update({i: f"0668::SB{n}" for i, n in enumerate(numbers) if n.strip().isdigit()})
    groups = {"total": document["total_votes"]}
    groups.update({u["id"]: u for u in document["reporting_unit_votes"]})
    statistics = {
        "toegelaten kiezers": ("uncounted_votes", "toegelaten kiezers"),
        "geldige stempas": ("uncounted_votes", "geldige stempassen"),
        "geldige stembiljetten": ("total_counted", None),
        "blanco stembiljetten": ("rejected_votes", "blanco"),
        "ongeldige stembiljetten": ("rejected_votes", "ongeldig"),
    }
    compared = 0
    current_list = None
    for row in rows:
        if len(row) < 5:
            continue
        if row[0].strip().isdigit():
            current_list = row[0].strip()
        for column, key in columns.items():
            if column >= len(row) or not row[column].strip().isdigit():
                continue
            value = int(row[column])
            group = groups[key]
            lists = {s["affiliation_id"]: s for s in group["selections"]}
            if row[0].strip().isdigit():
                assert lists[current_list]["valid_votes"] == value
            elif row[2].strip().isdigit() and current_list is not None:
                candidates = {
                    c["candidate_id"]: c["valid_votes"] for c in lists[current_list]["candidates"]
                }
                assert candidates[row[2].strip()] == value
            elif row[1] in statistics:
                field, code = statistics[row[1]]
                assert (group[field][code] if code else group[field]) == value, (key, row[1])
            else:
                continue
            compared += 1
    assert compared > 1000


@pytest.mark.parametrize(
    ("name", "check"),
    [
        ("510b/Fake_test_data_Telling_EP2024_gemeente_Steenwijkerland.eml.xml", "names"),
        ("510b/eml510b_with_investigations.eml.xml", "investigations"),
        ("draft-1.3/deserialize_eml510b_test_1_3_1_with_previous_values.eml.xml", "previous"),
        ("draft-1.3/eml_510b_1_3_with_optionals.xml", "draft"),
        ("legacy-osv/EML_510b_GR2002_Nuth-rg.xml", "legacy"),
        ("510-other/Totaaltelling_PS2023_Drenthe_provincie_Drenthe.eml.xml", "central"),
        ("510b/empty_party_name.eml.xml", "empty-name"),
    ],
)
def test_quirks(name: str, check: str) -> None:
    path = corpus_path("eml", *name.split("/"))
    document = normalise(InputFile(path, path.name), options=NormaliseOptions(locations=True))
    assert_canonical(document)
    units = document["reporting_unit_votes"]
    codes = [note["code"] for note in document["notes"]]
    if check == "names":
        by_id = {u["id"]: u for u in units}
        assert by_id["1708::SB1"]["name"] == "Holterberg" or by_id["1708::SB1"]["name"].endswith(
            "Holterberg"
        )
        assert by_id["1708::SB1"]["postal_code"] == "7451 AA"
        assert by_id["1708::SB1"]["raw_name"].endswith("(postcode: 7451 AA)")
        assert all(not (u["name"] or "").startswith("Stembureau Stembureau") for u in units)
        assert all('"' not in (u["name"] or "")[:1] for u in units)
    elif check == "investigations":
        assert units[0]["investigations"]["toegelaten kiezers opnieuw vastgesteld"] is True
        assert "schema-drift" in codes
    elif check == "previous":
        assert units[0]["previous"]["selections"][0]["valid_votes"] == 99
        assert document["total_votes"]["selections"][0]["valid_votes"] == 100
    elif check == "draft":
        assert document["document"]["schema_version"] == "1.3"
        assert document["document"]["phase"] == "eerste zitting"
        assert document["document"]["counting_method"] == "centrale stemopneming"
    elif check == "legacy":
        assert document["managing_authority"] == {"id": "0951", "name": "Gemeente Nuth"}
        assert "report-generator-block" in codes
        assert all(u["uncounted_votes"] == {} for u in units)
        assert set(units[0]["rejected_votes"]) == {"blanco", "ongeldig"}
    elif check == "central":
        assert document["document"]["level"] == "central"
        assert units[0]["kind"] == "municipality"
        assert units[0]["id"] == "1680"
    elif check == "empty-name":
        assert any(a["name"] in ("", None) for a in document["affiliations"])
    # every value has a location when asked
    pointer = "/total_votes/selections/0/valid_votes"
    assert document["locations"][pointer]["xpath"].endswith("/ValidVotes")
