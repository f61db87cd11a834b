"""PackedSelections reads like the list it was packed from, and writes as the same JSON."""

from __future__ import annotations

import copy
import json
import pickle
from typing import Any

import orjson
import pytest

from telnorm.parsers.canonical import Selection
from telnorm.parsers.packed_selections import PackedSelections, json_default, pack, unpacked
from telnorm.service.jsonsafe import dumps
from telnorm.service.validation.strict import schema_violations

SELECTIONS: list[Selection] = [
    {
        "affiliation_id": "1",
        "valid_votes": 10,
        "candidates": [
            {"candidate_id": "1", "valid_votes": 6},
            {"candidate_id": "2", "valid_votes": 4},
        ],
    },
    {"affiliation_id": "2", "valid_votes": None, "candidates": []},
]


def test_reads_like_the_list() -> None:
    packed = pack(copy.deepcopy(SELECTIONS))
    assert isinstance(packed, PackedSelections)
    assert len(packed) == 2 and bool(packed)
    assert list(packed) == SELECTIONS and packed == SELECTIONS
    assert packed[0]["candidates"][1]["valid_votes"] == 4
    assert packed[-1] == SELECTIONS[-1] and packed[:1] == SELECTIONS[:1]
    assert list(reversed(packed)) == SELECTIONS[::-1]
    assert SELECTIONS[1] in packed and packed.index(SELECTIONS[1]) == 1
    assert packed != SELECTIONS[:1] and packed == pack(copy.deepcopy(SELECTIONS))
    assert "2 selections" in repr(packed)
    with pytest.raises(TypeError):
        hash(packed)


def test_writes_as_the_same_json_without_decoding() -> None:
    document: dict[str, Any] = {"total_votes": {"selections": pack(copy.deepcopy(SELECTIONS))}}
    plain = {"total_votes": {"selections": SELECTIONS}}
    assert dumps(document) == orjson.dumps(plain)
    assert orjson.dumps(document, default=json_default) == orjson.dumps(plain)
    with pytest.raises(TypeError):
        json.dumps(document)  # the stdlib writer knows nothing of it: loud, never wrong


def test_copies_and_pickles_as_the_list() -> None:
    packed = pack(copy.deepcopy(SELECTIONS))
    assert copy.deepcopy(packed) is packed  # immutable
    assert pickle.loads(pickle.dumps(packed)) == SELECTIONS
    assert type(pickle.loads(pickle.dumps(packed))) is list


def test_a_number_beyond_64_bits_stays_a_list_for_the_writer_to_refuse() -> None:
    too_big: list[Selection] = [{"affiliation_id": "1", "valid_votes": 1 << 70, "candidates": []}]
    assert pack(too_big) is too_big


def test_schema_checks_see_plain_json() -> None:
    document: dict[str, Any] = {"total_votes": {"selections": pack(copy.deepcopy(SELECTIONS))}}
    assert unpacked(document)["total_votes"]["selections"] == SELECTIONS
    assert isinstance(document["total_votes"]["selections"], PackedSelections)  # unchanged
    # the strict check reads it (and finds the missing top-level fields, not a type error)
    assert all("PackedSelections" not in v["message"] for v in schema_violations(document))
