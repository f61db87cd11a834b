"""Bad tabular input: each problem a distinct 422 type naming the sheet and cell or line."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from telnorm.parsers.api import Limits
from telnorm.parsers.errors import (
    AmbiguousBundle,
    AmbiguousLayout,
    InvalidCount,
    InvalidMapping,
    LimitExceeded,
    NoHeader,
    TelnormError,
    UnknownListName,
)
from telnorm.parsers.tabular.numbers import NotACount, parse_count
from telnorm.parsers.tabular.suggest import suggest_mapping
from telnorm.service.pipeline import InputFile, NormaliseOptions, normalise
from telnorm.service.problems import status_of
from tests.conftest import SAMPLES, assert_canonical
from tests.tabular.helpers import run

TABULAR = SAMPLES / "tabular"
CANDIDATES = TABULAR / "lindehoven.230b.eml.xml"


def xlsx(tmp_path: Path, rows: list[list[Any]], name: str = "t.xlsx") -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Blad1"
    for row in rows:
        ws.append(row)
    path = tmp_path / name
    wb.save(path)
    return path


@pytest.mark.parametrize(
    ("text", "value"),
    [("1.234", 1234), ("12", 12), (" 1 234 ", 1234), ("", None), ("7,0", 7), (3.0, 3)],
)
def test_dutch_counts(text: object, value: int | None) -> None:
    assert parse_count(text) == value


@pytest.mark.parametrize("text", ["-", "n.v.t.", "12,5", "-3", True, 2.5])
def test_not_counts(text: object) -> None:
    with pytest.raises(NotACount):
        parse_count(text)


def test_text_in_count_cell_of_xlsx(tmp_path: Path) -> None:
    path = xlsx(
        tmp_path,
        [
            ["Stembureau", "Kiesgerechtigden", "Blanco", "VVD"],
            ["School", 100, 1, 20],
            ["Kerk", 200, "twee", 30],
        ],
    )
    with pytest.raises(InvalidCount) as caught:
        run(path)
    assert caught.value.location == {"sheet": "Blad1", "cell": "C3"}
    assert "sheet 'Blad1', cell C3" in caught.value.message


def test_no_header(tmp_path: Path) -> None:
    path = xlsx(tmp_path, [["foo", "bar"], [1, 2], [3, 4]])
    with pytest.raises(NoHeader) as caught:
        run(path, fmt="tabular")
    assert "mappings/suggest" in caught.value.message


def test_ambiguous_layout(tmp_path: Path) -> None:
    path = xlsx(
        tmp_path,
        [
            ["Stembureau", "Opgeroepenen", "Blanco", "Ongeldig"],
            ["Opgeroepenen", 1, 2, 3],
            ["Blanco", 4, 5, 6],
            ["Ongeldig", 7, 8, 9],
        ],
    )
    with pytest.raises(AmbiguousLayout) as caught:
        run(path)
    assert caught.value.code == "ambiguous-layout"


def test_unknown_list_name_with_candidate_list(tmp_path: Path) -> None:
    path = xlsx(tmp_path, [["Stembureau", "Blanco", "VVD", "Partij X"], ["School", 1, 20, 3]])
    with pytest.raises(UnknownListName) as caught:
        run(path, context={"candidate_list": CANDIDATES})
    assert caught.value.location == {"sheet": "Blad1", "cell": "D1"}
    assert "[lists]" in caught.value.message


def test_alias_resolution_is_noted_with_confidence(tmp_path: Path) -> None:
    path = xlsx(
        tmp_path,
        [["Stembureau", "Blanco", "VVD", "GL-PvdA", "lindehoven lokaal"], ["School", 1, 20, 3, 4]],
    )
    doc = run(path, context={"candidate_list": CANDIDATES})
    assert_canonical(doc)
    assert [a["id"] for a in doc["affiliations"]] == ["1", "2", "3"]
    conf = {
        n["location"]["cell"]: n["location"]["confidence"]
        for n in doc["notes"]
        if n["code"] == "list-resolved"
    }
    assert conf == {"C1": 1.0, "D1": 0.9, "E1": 1.0}


def test_distinct_problem_types() -> None:
    classes: list[type[TelnormError]] = [
        InvalidCount,
        NoHeader,
        AmbiguousLayout,
        UnknownListName,
        AmbiguousBundle,
        InvalidMapping,
    ]
    assert len({c.code for c in classes}) == len(classes)
    assert all(status_of(c) == 422 for c in classes)


def test_bad_mapping_upload(tmp_path: Path) -> None:
    with pytest.raises(InvalidMapping):
        run(TABULAR / "lindehoven_mapping_export.csv", mapping='id = "x"\n[labels]\n"A" = "nope"\n')
    with pytest.raises(InvalidMapping):
        run(TABULAR / "lindehoven_mapping_export.csv", mapping="no-such-mapping")


def test_uploaded_mapping_text(tmp_path: Path) -> None:
    text = (Path(__file__).resolve().parents[2] / "mappings" / "lindehoven-2026.toml").read_text()
    doc = run(TABULAR / "lindehoven_mapping_export.csv", mapping=text.replace("2026", "x"))
    assert doc["source"]["mapping"]["id"] == "lindehoven-x"
    assert doc["reporting_unit_votes"][2]["cast"] == 800


def test_row_limit(tmp_path: Path) -> None:
    path = TABULAR / "c_lindehoven_long_utf16.tsv"
    with pytest.raises(LimitExceeded):
        normalise(InputFile(path, path.name), limits=Limits(max_rows=10))


def _zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def test_zip_with_nested_zip_and_candidate_list(tmp_path: Path) -> None:
    inner = _zip(
        {
            "uitslag.xlsx": (TABULAR / "a_lindehoven_names.xlsx").read_bytes(),
            "kandidaten.xml": CANDIDATES.read_bytes(),
        }
    )
    path = tmp_path / "bundle.zip"
    path.write_bytes(_zip({"bundle/inner.zip": inner, "leesmij.txt.md": b"hallo"}))
    doc = run(path)
    assert_canonical(doc)
    assert doc["source"]["member"] == "bundle/inner.zip/uitslag.xlsx"
    assert doc["source"]["parser"]["name"] == "zip"
    assert [a["name"] for a in doc["affiliations"]][2] == "GROENLINKS / Partij van de Arbeid (PvdA)"


def test_zip_with_several_counts_is_422_listing_them(tmp_path: Path) -> None:
    path = tmp_path / "two.zip"
    path.write_bytes(
        _zip(
            {
                "a.csv": (TABULAR / "a_lindehoven_semicolon_cp1252.csv").read_bytes(),
                "b.ods": (TABULAR / "b_lindehoven_columns.ods").read_bytes(),
            }
        )
    )
    with pytest.raises(AmbiguousBundle) as caught:
        run(path)
    assert caught.value.extra["members"] == ["a.csv", "b.ods"]
    doc = run(path, member="b.ods")
    assert doc["source"]["member"] == "b.ods"


def test_zip_bomb_ratio_refused(tmp_path: Path) -> None:
    path = tmp_path / "bomb.zip"
    path.write_bytes(_zip({"big.csv": b"0;" * 2_000_000}))
    with pytest.raises(LimitExceeded):
        normalise(InputFile(path, path.name))
    with pytest.raises(LimitExceeded):
        normalise(InputFile(path, path.name), limits=Limits(max_zip_ratio=1e9, max_zip_members=0))


def test_suggest_drafts_a_loadable_mapping() -> None:
    import tomllib

    result = suggest_mapping((TABULAR / "a_lindehoven_names.xlsx").read_bytes(), "x.xlsx")
    draft = tomllib.loads(result["mapping"])
    assert draft["family"] == "a" and draft["layout"]["header_row"] == 3
    assert {"label": "Lindehoven Lokaal", "location": {"sheet": "Uitslag", "cell": "M3"}} in (
        result["report"]["unknown"]
    )


def test_pipeline_options_object() -> None:
    path = TABULAR / "b_lindehoven_columns.ods"
    doc = normalise(InputFile(path, path.name), None, NormaliseOptions(parser_options={}))
    assert doc["source"]["format"]["id"] == "ods-family-b"
