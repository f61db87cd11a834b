"""The mapping loop: a draft is always TOML that loads, its blanks are named, run unedited it
reads the file exactly or is refused, and filled in it reads the file exactly. Invalid
mappings are 422 invalid-mapping naming the key and its line."""

from __future__ import annotations

import csv
import io
import re
import tomllib
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from telnorm.parsers.errors import InvalidMapping, MappingBlanks, TelnormError
from telnorm.parsers.tabular.mapping import parse_mapping
from telnorm.parsers.tabular.suggest import suggest_mapping
from tests.tabular.helpers import run

# --- generated tables with a known truth ---------------------------------------------------

PARTIES = ["Lokaal Belang", "VVD", "D66", 'Partij "Noord"', "Groen\\Links", "Één Gemeente"]
STATIONS = ["SB1 De Linde", "SB2 Kerk", "SB3 School", "Dorpshuis", "Stembureau 5 Sporthal"]


def _table(family: str, stations: list[str], lists: list[str], votes: list[list[int]]) -> str:
    """A CSV rendering of ``votes[s][l]`` in one of the families (a: stations as rows,
    pivot: lists as rows with a grand total)."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    if family == "a":
        writer.writerow(["Stembureau", "Opgeroepenen", *lists])
        for name, row in zip(stations, votes, strict=True):
            writer.writerow([name, sum(row) * 2, *row])
    else:
        writer.writerow(["Rijlabels", *stations, "Eindtotaal"])
        for k, name in enumerate(lists):
            column = [votes[s][k] for s in range(len(stations))]
            writer.writerow([name, *column, sum(column)])
        writer.writerow(["Eindtotaal", *(sum(r) for r in votes), sum(map(sum, votes))])
    return out.getvalue()


def _truth_check(doc: dict[str, Any], lists: list[str], votes: list[list[int]]) -> None:
    """Every station's votes per list name are exactly the truth."""
    names = {a["id"]: a["name"] for a in doc["affiliations"]}
    got = [
        {names[s["affiliation_id"]]: s["valid_votes"] for s in unit["selections"]}
        for unit in doc["reporting_unit_votes"]
    ]
    assert got == [dict(zip(lists, row, strict=True)) for row in votes]


tables = st.tuples(
    st.sampled_from(["a", "pivot"]),
    st.integers(2, 4),
    st.integers(2, 4),
    st.randoms(use_true_random=False),
)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tables)
def test_draft_run_unedited_is_exact_or_refused_and_filled_in_is_exact(
    spec: tuple[str, int, int, Any],
) -> None:
    family, n_stations, n_lists, rnd = spec
    stations = rnd.sample(STATIONS, n_stations)
    lists = rnd.sample(PARTIES, n_lists)
    votes = [[rnd.randint(0, 999) for _ in lists] for _ in stations]
    data = _table(family, stations, lists, votes).encode("utf-8")
    draft = suggest_mapping(data, "gen.csv")["mapping"]
    tomllib.loads(draft)  # always TOML
    with pytest.raises(MappingBlanks) as caught:  # the list numbers are not in the file
        parse_mapping(draft, "draft")
    blanks = sorted(b["key"] for b in caught.value.extra["blanks"])
    path = Path(_tmp()) / "gen.csv"
    path.write_bytes(data)
    with pytest.raises(MappingBlanks):
        run(path, mapping=draft)
    if "family" in blanks:
        # Neither axis could be told (no station-like header, no known list name): the
        # family and header row are blanks too, never a guess.
        assert "layout.header_row" in blanks
        return
    assert blanks == sorted(f"lists.{name}" for name in lists)
    # The clerk fills in each blank with the list's number: the file reads exactly.
    filled = draft
    for number, name in enumerate(lists, start=1):
        line = next(line for line in filled.splitlines() if line.startswith(_key(name) + " = "))
        filled = filled.replace(line, f'{_key(name)} = "{number}"')
    doc = run(path, mapping=filled)
    _truth_check(doc, lists, votes)
    assert doc["source"]["cells"]["left_over"] == (0 if family == "a" else n_stations + 1)


def _key(name: str) -> str:
    return '"' + name.replace("\\", "\\\\").replace('"', '\\"') + '"'


_TMP: list[str] = []


def _tmp() -> str:
    import tempfile

    if not _TMP:
        _TMP.append(tempfile.mkdtemp(prefix="telnorm-loop-"))
    return _TMP[0]


cell_text = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters=";\r\n\x00"),
    max_size=12,
)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.lists(st.one_of(cell_text, st.integers(0, 5000).map(str)), min_size=2, max_size=6),
        min_size=2,
        max_size=8,
    )
)
def test_every_draft_is_toml_that_loads(rows: list[list[str]]) -> None:
    """Whatever the file holds (quotes, backslashes, control characters, labels that fold to
    one), the draft parses as TOML, and loads or is refused only for its blanks."""
    text = "\r\n".join(";".join(row) for row in rows) + "\r\n"
    try:
        result = suggest_mapping(text.encode("utf-8"), "any.csv")
    except TelnormError:
        return  # not a table at all: refused with a problem, not a draft
    tomllib.loads(result["mapping"])
    try:
        parse_mapping(result["mapping"], "draft")
    except MappingBlanks as blanks:
        assert blanks.extra["blanks"]
        assert all(b["line"] for b in blanks.extra["blanks"])


def test_wrong_type_and_unknown_key_name_the_key_and_line() -> None:
    with pytest.raises(InvalidMapping) as caught:
        parse_mapping('id = "x"\n\n[layout]\nheader_row = "drie"\n', "t")
    assert caught.value.extra == {"key": "layout.header_row", "line": 4}
    assert "line 4" in caught.value.message and "header_row" in caught.value.message
    with pytest.raises(InvalidMapping) as caught:
        parse_mapping('id = "x"\n[layout]\nheader_rij = 3\n', "t")
    assert caught.value.extra == {"key": "layout.header_rij", "line": 3}
    with pytest.raises(InvalidMapping) as caught:
        parse_mapping('id = "x"\n[lists]\n"VVD" = "twee"\n', "t")
    assert caught.value.extra["line"] == 3
    with pytest.raises(InvalidMapping) as caught:
        parse_mapping('id = "x"\nfamilie = "a"\n', "t")
    assert caught.value.extra == {"key": "familie", "line": 2}


def test_cli_suggest_writes_the_draft_and_lists_the_blanks(tmp_path: Path) -> None:
    from telnorm.service.cli import cli

    data = _table("pivot", ["SB1", "SB2"], ["VVD", "CDA"], [[1, 2], [3, 4]])
    (tmp_path / "p.csv").write_text(data, encoding="utf-8")
    result = CliRunner().invoke(
        cli, ["mappings", "suggest", str(tmp_path / "p.csv"), "-o", str(tmp_path / "d.toml")]
    )
    assert result.exit_code == 0, result.output
    draft = (tmp_path / "d.toml").read_text(encoding="utf-8")
    assert tomllib.loads(draft)["family"] == "pivot"
    assert "2 blank(s)" in result.output and re.search(r"line \d+: \"VVD\" = \"\?\"", result.output)
    refused = CliRunner().invoke(
        cli, ["normalise", str(tmp_path / "p.csv"), "--mapping", str(tmp_path / "d.toml")]
    )
    assert refused.exit_code != 0 and "mapping-blanks" in refused.output
