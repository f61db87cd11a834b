"""The web package's small parts: notation, language choice, the carried upload, the mapping
form and the row a finding points at."""

from __future__ import annotations

import base64
import tomllib
import zlib
from pathlib import Path

import pytest

from telnorm.parsers.errors import InputTooLarge, InvalidMapping, RequestError
from telnorm.service.pipeline import InputFile
from telnorm.service.web import carry, mapping_form, view
from telnorm.service.web.i18n import STRINGS, from_accept_language
from telnorm.service.web.templating import number


def test_numbers_in_dutch_notation() -> None:
    assert number(13627) == "13.627"
    assert number(1234567, "en") == "1.234.567"  # Dutch counts, one notation
    assert number(0) == "0"
    assert number(None) == "–"  # absent is not 0


def test_both_languages_have_every_string() -> None:
    assert STRINGS["nl"].keys() == STRINGS["en"].keys()


@pytest.mark.parametrize(
    ("header", "lang"),
    [(None, None), ("", None), ("fr, de", None), ("en-US", "en"), ("nl-BE, en", "nl"),
     ("en;q=0, nl;q=0.1", "nl"), ("en;q=x, nl;q=0.2", "nl")],
)  # fmt: skip
def test_accept_language(header: str | None, lang: str | None) -> None:
    assert from_accept_language(header) == lang


def test_carry_round_trip(tmp_path: Path) -> None:
    main = tmp_path / "a"
    main.write_bytes(b"\x00\n\nbytes\nwith newlines" * 100)
    names = tmp_path / "b"
    names.write_bytes(b"<EML/>")
    field = carry.pack(
        {"file": InputFile(main, "telling ü.csv"), "candidate_list": InputFile(names, "k.xml")}
    )
    out = tmp_path / "out"
    out.mkdir()
    files = carry.unpack(field, out, 1 << 20)
    assert set(files) == {"file", "candidate_list"}
    assert files["file"].path.read_bytes() == main.read_bytes()
    assert files["file"].filename == "telling ü.csv"
    assert files["candidate_list"].path.read_bytes() == b"<EML/>"
    with pytest.raises(InputTooLarge):
        carry.unpack(field, out, 100)


@pytest.mark.parametrize(
    "field",
    ["", "!!!", "bm90IG91cnM=", base64.b64encode(zlib.compress(b"TNC1file\nx\n9\n1")).decode()],
)
def test_carry_refuses_what_it_did_not_write(tmp_path: Path, field: str) -> None:
    with pytest.raises(RequestError):
        carry.unpack(field, tmp_path, 1 << 20)


def test_carry_keeps_no_path_from_a_name(tmp_path: Path) -> None:
    source = tmp_path / "x"
    source.write_bytes(b"1")
    field = carry.pack({"file": InputFile(source, "../../etc/pass\nwd")})
    out = tmp_path / "out"
    out.mkdir()
    files = carry.unpack(field, out, 1 << 20)
    assert files["file"].filename == "pass wd"
    assert files["file"].path.parent == out


DRAFT = """id = "x"
version = "1"
family = "a"

[layout]
header_row = 1

[labels]

[lists]
# "Bureau" = "?"   # a list number, or move to [labels] (line 1, column 1)
# "Foo \\"A\\"" = "?"   # a list number, or move to [labels] (line 1, column 2)

[authority]
# id = "0000"   # CBS code of the municipality
"""


def test_mapping_completed_from_answers() -> None:
    blanks = mapping_form.blanks_of(
        {"unknown": [{"label": "Bureau", "location": None}, {"label": 'Foo "A"', "location": None}]}
    )
    answers = mapping_form.answered(
        blanks, {"kind_0": "unit_name", "kind_1": "list", "list_1": "07"}
    )
    data = tomllib.loads(mapping_form.complete(DRAFT, answers, "0668"))
    assert data["labels"] == {"Bureau": "unit_name"}
    assert data["lists"] == {'Foo "A"': "7"}
    assert data["authority"] == {"id": "0668"}


def test_mapping_answers_that_cannot_be_used() -> None:
    blanks = mapping_form.blanks_of({"unknown": [{"label": "Foo", "location": None}]})
    with pytest.raises(InvalidMapping, match="1 to 3 digits"):
        mapping_form.complete(DRAFT, mapping_form.answered(blanks, {"kind_0": "list"}), "")
    with pytest.raises(InvalidMapping, match="four digits"):
        mapping_form.complete(DRAFT, [], "66")
    with pytest.raises(InvalidMapping, match="unknown choice"):
        mapping_form.complete(DRAFT, mapping_form.answered(blanks, {"kind_0": "x"}), "")


def test_unanswered_label_blanks_are_left_out() -> None:
    blanks = mapping_form.blanks_of({"unknown": [{"label": "Bureau", "location": None}]})
    text = mapping_form.complete(DRAFT, blanks, "")
    assert '"Bureau"' not in text  # not used, as the draft says of a line left open
    assert tomllib.loads(text).get("lists", {}) == {}


NAMED_BLANKS = """id = "x"
version = "1"
family = "?"   # BLANK: a, b, c, d or pivot

[layout]
header_row = "?"   # BLANK: the row of the column headers
label_column = "?"   # BLANK for families b, d and pivot; delete this line for a and c

[lists]
"Foo" = "?"   # BLANK: its list number if it is a list
"""


def test_layout_blanks_are_filled_and_none_is_left_open() -> None:
    assert mapping_form.layout_blanks(NAMED_BLANKS) == ["family", "header_row", "label_column"]
    blanks = mapping_form.blanks_of({"unknown": [{"label": "Foo", "location": None}]})
    answers = mapping_form.answered(blanks, {"kind_0": "list", "list_0": "4"})
    data = tomllib.loads(
        mapping_form.complete(NAMED_BLANKS, answers, "", {"family": "a", "header_row": "2"})
    )
    assert data["family"] == "a" and data["layout"] == {"header_row": 2}
    assert data["lists"] == {"Foo": "4"}
    with pytest.raises(InvalidMapping, match="layout family"):
        mapping_form.complete(NAMED_BLANKS, answers, "", {"header_row": "2"})
    with pytest.raises(InvalidMapping, match="row or column number"):
        mapping_form.complete(NAMED_BLANKS, answers, "", {"family": "b", "header_row": "x"})


@pytest.mark.parametrize(
    ("pointer", "anchor"),
    [("/reporting_unit_votes/0/cast", "rij-1"), ("/reporting_unit_votes/12", "rij-13"),
     ("/total_votes/selections/3", "rij-totaal"), ("/affiliations/0", None), ("", None)],
)  # fmt: skip
def test_finding_rows(pointer: str, anchor: str | None) -> None:
    assert view.anchor_for(pointer) == anchor


def test_view_marks_the_worst_severity_and_the_list() -> None:
    document = {
        "affiliations": [{"id": "1", "name": "A"}],
        "total_votes": {"selections": [{"affiliation_id": "1", "valid_votes": 3}]},
        "reporting_unit_votes": [
            {"id": "u1", "selections": [{"affiliation_id": "1", "valid_votes": 3}]},
            {"id": "u2", "selections": [{"affiliation_id": "2", "valid_votes": 0}]},
        ],
    }
    report = {
        "valid": False,
        "findings": [
            {"code": "W", "severity": "warning", "message": "",
             "location": {"pointer": "/reporting_unit_votes/0", "affiliation": None}},
            {"code": "E", "severity": "error", "message": "",
             "location": {"pointer": "/reporting_unit_votes/0/selections/0", "affiliation": "1"}},
        ],
    }  # fmt: skip
    result = view.build(document, report)
    assert result.lists == [("1", "A"), ("2", "2")]  # a list only the votes name is kept
    assert result.rows[0].severity == "error" and result.rows[0].flagged == {"1"}
    assert result.rows[1].severity is None and result.rows[1].votes == [None, 0]
    assert [f.code for f in result.findings["error"]] == ["E"]


def test_templates_and_static_files_are_package_data() -> None:
    """A plain (non-editable) install must carry every template and static file."""
    from fnmatch import fnmatch

    from tests.conftest import ROOT

    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))
    patterns = pyproject["tool"]["setuptools"]["package-data"]["telnorm.service"]
    web = ROOT / "service" / "web"
    files = [p for folder in ("templates", "static") for p in (web / folder).iterdir()]
    assert files
    for path in files:
        relative = path.relative_to(ROOT / "service").as_posix()
        assert any(fnmatch(relative, pattern) for pattern in patterns), relative
