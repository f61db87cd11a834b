"""The databank CSV's regions from the election tree: which kieskring a municipality lies in
when its count does not say (an osv4-3 CSV, a spreadsheet), from an election definition
(a Tweede Kamer 110a, or OSV's master election tree)."""

from __future__ import annotations

import copy
import csv
import io
from pathlib import Path

import orjson
import pytest
from click.testing import CliRunner

from telnorm.parsers.api import Limits, Source
from telnorm.parsers.eml.context import (
    ELECTION_DEFINITION,
    MASTER_TREE,
    ContextDocument,
    RegionNode,
    district_of,
    read_context_file,
)
from telnorm.parsers.errors import ContextFileError
from telnorm.service import examples
from telnorm.service.cli import cli
from telnorm.service.export import export
from telnorm.service.export.options import ExportOptions
from telnorm.service.pipeline import InputFile, normalise
from tests.conftest import corpus_path
from tests.export.helpers import base_document

MASTER = ("reference", "MasterElectionTree.xml")
OSV4_3_TK2025 = ("csv", "osv4-3", "osv4-3_telling_tk2025_gemeente_westmaasenwaal.csv")
PS_GELDERLAND = ("eml", "110a", "Verkiezingsdefinitie_PS2023_Gelderland.eml.xml")


def definition_110a(category: str, regions: str) -> str:
    """A fictional 110a with an election tree (the shape of the counting software's)."""
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<EML xmlns="urn:oasis:names:tc:evs:schema:eml" xmlns:kr="http://www.kiesraad.nl/extensions"
     Id="110a" SchemaVersion="5">
  <ElectionEvent>
    <EventIdentifier/>
    <Election>
      <ElectionIdentifier Id="{category}2026">
        <ElectionName>Verkiezing 2026</ElectionName>
        <ElectionCategory>{category}</ElectionCategory>
        <kr:ElectionSubcategory>{category}</kr:ElectionSubcategory>
        <kr:ElectionDate>2026-10-28</kr:ElectionDate>
      </ElectionIdentifier>
      <kr:ElectionTree>
        <kr:Region RegionCategory="STAAT"><kr:RegionName>Nederland</kr:RegionName></kr:Region>
        {regions}
      </kr:ElectionTree>
    </Election>
  </ElectionEvent>
</EML>
"""


TK_REGIONS = """
<kr:Region RegionNumber="6" RegionCategory="KIESKRING" SuperiorRegionCategory="STAAT">
  <kr:RegionName>Nijmegen</kr:RegionName></kr:Region>
<kr:Region RegionNumber="0999" RegionCategory="GEMEENTE" SuperiorRegionNumber="6"
    SuperiorRegionCategory="KIESKRING"><kr:RegionName>Testdorp</kr:RegionName></kr:Region>
<kr:Region RegionNumber="9002" RegionCategory="GEMEENTE" SuperiorRegionNumber="20"
    SuperiorRegionCategory="KIESKRING"><kr:RegionName>Sint Eustatius</kr:RegionName></kr:Region>
"""
#: A PS tree: its KIESKRING 2 is the province's own district, not the Tweede Kamer's K2.
PS_REGIONS = """
<kr:Region RegionNumber="6" RegionCategory="PROVINCIE"><kr:RegionName>Gelderland</kr:RegionName>
  </kr:Region>
<kr:Region RegionNumber="2" RegionCategory="KIESKRING" SuperiorRegionNumber="6"
    SuperiorRegionCategory="PROVINCIE"><kr:RegionName>Nijmegen</kr:RegionName></kr:Region>
<kr:Region RegionNumber="999" RegionCategory="GEMEENTE" SuperiorRegionNumber="2"
    SuperiorRegionCategory="KIESKRING"><kr:RegionName>Testdorp</kr:RegionName></kr:Region>
"""


def _read(tmp_path: Path, text: str, name: str = "110a.eml.xml") -> ContextDocument:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return read_context_file(Source(path, name), ELECTION_DEFINITION, Limits())


def places(data: bytes) -> set[tuple[str, str, str]]:
    rows = csv.DictReader(io.StringIO(data.decode("utf-8")), delimiter=";")
    return {(r["RegioCode"], r["OuderRegioCode"], r["GrootOuderRegioCode"]) for r in rows}


def _municipal_count(category: str = "TK", contest: str | None = None) -> dict[str, object]:
    """The fictional count of Testdorp (0999) as an osv4-3 CSV gives it: no contest id."""
    document = base_document()
    document["election"].update(category=category, subcategory=category)
    document["contest"] = {"id": contest, "name": None}
    return document


# --- reading the tree ----------------------------------------------------------------------


def test_a_110a_tree_gives_each_municipality_its_district(tmp_path: Path) -> None:
    definition = _read(tmp_path, definition_110a("TK", TK_REGIONS))
    tree = definition.region_tree
    node = RegionNode("GEMEENTE", "0999", "Testdorp", "KIESKRING", "6")
    assert tree[("GEMEENTE", "0999")] == node
    # CBS codes come with and without leading zeros
    assert district_of(tree, "0999") == district_of(tree, "999") == "6"
    assert district_of(tree, "9002") == "20"
    assert district_of(tree, "0150") is None


def test_a_tree_that_loops_ends(tmp_path: Path) -> None:
    tree = {
        ("GEMEENTE", "1"): RegionNode("GEMEENTE", "1", None, "X", "1"),
        ("X", "1"): RegionNode("X", "1", None, "GEMEENTE", "1"),
    }
    assert district_of(tree, "1") is None


@pytest.mark.corpus
def test_the_master_election_tree_is_an_election_definition() -> None:
    path = corpus_path(*MASTER)
    definition = read_context_file(Source(path, path.name), ELECTION_DEFINITION, Limits())
    assert definition.eml_id == MASTER_TREE
    tree = definition.region_tree
    # Between a municipality and its KIESKRING the master tree has a PS district numbered
    # per province; the district is still the Tweede Kamer's.
    assert district_of(tree, "0668") == "6"  # West Maas en Waal: Nijmegen
    assert district_of(tree, "0034") == "5"  # Almere: Lelystad
    assert district_of(tree, "0518") == "12"  # 's-Gravenhage
    assert district_of(tree, "9003") == "20"  # Saba: the Caribbean district
    assert definition.regions["0668"] == "West Maas en Waal"


def test_a_master_tree_is_no_candidate_list(tmp_path: Path) -> None:
    path = tmp_path / "tree.xml"
    path.write_text("<MasterElectionTree><Region RegionCategory='STAAT'/></MasterElectionTree>")
    with pytest.raises(ContextFileError, match="not an EML_NL document"):
        read_context_file(Source(path, path.name), "candidate_list", Limits())


# --- the databank CSV's parents from it ----------------------------------------------------


def test_a_count_without_its_district_takes_it_from_a_tk_110a(tmp_path: Path) -> None:
    document = _municipal_count()
    assert places(export(document, "databank").content) == {("G0999", "", "")}
    definition = _read(tmp_path, definition_110a("TK", TK_REGIONS))
    options = ExportOptions(election_definition=definition)
    exported = export(document, "databank", options)
    assert places(exported.content) == {("G0999", "K6", "P25")}
    assert not [n for n in exported.notes if "RegioCode" in n]


def test_a_public_body_takes_the_caribbean_district_from_the_tree(tmp_path: Path) -> None:
    document = _municipal_count()
    document["managing_authority"] = {"id": "9002", "name": "Sint Eustatius"}
    definition = _read(tmp_path, definition_110a("TK", TK_REGIONS))
    options = ExportOptions(election_definition=definition)
    assert places(export(document, "databank", options).content) == {("O9002", "K20", "P99")}


def test_the_contest_id_of_a_tk_count_wins_over_the_tree(tmp_path: Path) -> None:
    definition = _read(tmp_path, definition_110a("TK", TK_REGIONS))
    options = ExportOptions(election_definition=definition)
    exported = export(_municipal_count(contest="7"), "databank", options)
    assert places(exported.content) == {("G0999", "K7", "P25")}


def test_a_ps_tree_names_no_kieskring(tmp_path: Path) -> None:
    # A PS 110a's KIESKRING 2 is Gelderland's own district: never written as K2 (Leeuwarden).
    definition = _read(tmp_path, definition_110a("PS", PS_REGIONS))
    options = ExportOptions(election_definition=definition)
    exported = export(_municipal_count(), "databank", options)
    assert places(exported.content) == {("G0999", "", "")}
    note = next(n for n in exported.notes if n.startswith("OuderRegioCode"))
    assert "election_definition" in note and "parent_region_code" in note


def test_another_elections_districts_are_not_the_kieskringen() -> None:
    # A PS count of the province's district 2 (contest id 2), and a PS district office:
    # neither lies in the Tweede Kamer's kieskring 2 or its province.
    assert places(export(_municipal_count("PS", contest="2"), "databank").content) == {
        ("G0999", "", "")
    }
    district = _municipal_count("PS", contest="2")
    district["managing_authority"] = {"id": "HSB2", "name": "Nijmegen"}
    district["document"]["level"] = "district"  # type: ignore[index]
    assert ("K2", "", "") in places(export(district, "databank").content)


@pytest.mark.corpus
def test_an_osv4_3_count_with_the_master_tree_gives_the_real_parents(tmp_path: Path) -> None:
    path = corpus_path(*OSV4_3_TK2025)
    out = tmp_path / "uitslag.csv"
    result = CliRunner().invoke(
        cli,
        [
            "normalise", str(path), "--to", "databank", "-o", str(out),
            "--election-definition", str(corpus_path(*MASTER)),
        ],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert places(out.read_bytes()) == {("G0668", "K6", "P25")}
    # the same rows as the municipality's EML 510b gives (its contest id names K6)
    eml = corpus_path("eml", "510b", "Telling_TK2025_gemeente_West_Maas_en_Waal.eml.xml")
    from_eml = export(normalise(InputFile(eml, eml.name)), "databank").content
    assert out.read_bytes() == from_eml


def sent_back() -> bytes:
    """A canonical document of a TK count of Lindehoven (9901) that names no district."""
    document = copy.deepcopy(examples.CANONICAL_DOCUMENT)
    document["election"].update(id="TK2026", category="TK", subcategory="TK", domain=None)
    document["contest"] = {"id": None, "name": None}
    return orjson.dumps(document)


LINDEHOVEN_TREE = TK_REGIONS.replace('"0999"', '"9901"')


def test_a_canonical_document_sent_back_may_bring_the_tree_cli(tmp_path: Path) -> None:
    source = tmp_path / "doc.json"
    source.write_bytes(sent_back())
    tree = tmp_path / "110a.eml.xml"
    tree.write_text(definition_110a("TK", LINDEHOVEN_TREE), encoding="utf-8")
    out = tmp_path / "uitslag.csv"
    result = CliRunner().invoke(
        cli,
        [
            "normalise", str(source), "--to", "databank", "-o", str(out),
            "--election-definition", str(tree),
        ],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert places(out.read_bytes()) == {("G9901", "K6", "P25")}
    # a part that only reads a source file is still refused
    refused = CliRunner().invoke(
        cli, ["normalise", str(source), "--to", "databank", "--polling-stations", str(tree)]
    )
    assert refused.exit_code != 0 and "--polling-stations" in refused.output
