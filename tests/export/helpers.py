"""Helpers of the export tests: canonical documents built in code, the XSD, parsing back."""

from __future__ import annotations

import copy
import tempfile
from functools import lru_cache
from pathlib import Path
from typing import Any

import pytest
from hypothesis import strategies as st
from lxml import etree

from telnorm.parsers.canonical import UNCOUNTED_REASON_CODES
from telnorm.service.pipeline import InputFile, normalise
from tests.conftest import CORPUS

XSD = CORPUS / "xsd" / "v1.2.2" / "510-count-kiesraad-strict.xsd"


@lru_cache(maxsize=1)
def _schema() -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(XSD)))


def assert_valid_eml(data: bytes) -> None:
    """Fail unless ``data`` validates against the strict EML_NL 1.2.2 count schema."""
    if not XSD.exists():
        pytest.skip("the EML_NL 1.2.2 schemas (../shared/corpus/xsd) are not available")
    schema = _schema()
    if not schema.validate(etree.fromstring(data)):
        pytest.fail("exported EML fails the XSD:\n" + str(schema.error_log)[:2000])


def parse_bytes(data: bytes, name: str, **context: Path) -> dict[str, Any]:
    """Normalise bytes through the whole pipeline (detection included), as a client would."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / name
        path.write_bytes(data)
        return normalise(
            InputFile(path, name), {role: InputFile(p, p.name) for role, p in context.items()}
        )


def numbers(group: dict[str, Any]) -> dict[str, Any]:
    """Every number of a vote group, comparable."""
    return {
        "cast": group.get("cast"),
        "total_counted": group.get("total_counted"),
        "rejected_votes": dict(group.get("rejected_votes") or {}),
        "uncounted_votes": dict(group.get("uncounted_votes") or {}),
        "selections": [
            (
                s["affiliation_id"],
                s["valid_votes"],
                [(c["candidate_id"], c["valid_votes"]) for c in s["candidates"]],
            )
            for s in group.get("selections") or []
        ],
    }


def without_provenance(document: dict[str, Any]) -> dict[str, Any]:
    out = copy.deepcopy(document)
    out.pop("source", None)
    out.pop("notes", None)
    return out


def base_document(**overrides: Any) -> dict[str, Any]:
    """A small complete municipal count (fictional municipality 0999 Testdorp)."""

    def group(cast: int | None, lists: list[tuple[int, list[int]]]) -> dict[str, Any]:
        total = sum(votes for votes, _ in lists)
        return {
            "cast": cast,
            "total_counted": total,
            "rejected_votes": {"blanco": 2, "ongeldig": 1},
            "uncounted_votes": {
                "geldige stempassen": total + 3,
                "toegelaten kiezers": total + 3,
            },
            "selections": [
                {
                    "affiliation_id": str(index + 1),
                    "valid_votes": votes,
                    "candidates": [
                        {"candidate_id": str(c + 1), "valid_votes": v}
                        for c, v in enumerate(candidates)
                    ],
                }
                for index, (votes, candidates) in enumerate(lists)
            ],
        }

    unit1 = group(None, [(10, [7, 3]), (5, [5])])
    unit2 = group(0, [(20, [12, 8]), (1, [1])])
    total = group(900, [(30, [19, 11]), (6, [6])])
    total["rejected_votes"] = {"blanco": 4, "ongeldig": 2}
    total["uncounted_votes"] = {"geldige stempassen": 42, "toegelaten kiezers": 42}
    document: dict[str, Any] = {
        "format_version": "1",
        "document": {
            "eml_id": None,
            "level": "municipality",
            "created": None,
            "transaction_id": None,
        },
        "election": {
            "id": "GR2026",
            "name": "Gemeenteraad Testdorp 2026",
            "category": "GR",
            "subcategory": "GR1",
            "date": "2026-03-18",
            "domain": None,
        },
        "contest": {"id": "geen", "name": None},
        "managing_authority": {"id": "0999", "name": "Testdorp"},
        "affiliations": [
            {
                "id": "1",
                "name": "Partij A & Co",
                "candidates": [
                    {"id": "1", "name": "Jansen, A.", "short_code": None},
                    {"id": "2", "name": "van der Berg, B.C.", "short_code": None},
                ],
            },
            {
                "id": "2",
                "name": 'Lijst "Dorp" <2>',
                "candidates": [{"id": "1", "name": "de Vries, C.", "short_code": None}],
            },
        ],
        "total_votes": total,
        "reporting_unit_votes": [
            {
                "id": "0999::SB1",
                "number": 1,
                "name": "Dorpshuis",
                "postal_code": "9999 AA",
                "kind": "polling_station",
                **unit1,
            },
            {
                "id": "0999::SB2",
                "number": 2,
                "name": "School",
                "postal_code": None,
                "kind": "polling_station",
                **unit2,
            },
        ],
        "notes": [],
    }
    document.update(overrides)
    return document


# --- a hypothesis strategy of canonical documents -------------------------------------------

_NAME_ALPHABET = st.sampled_from(
    list("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZéëï&'-0123456789")
)
_word = st.text(_NAME_ALPHABET, min_size=1, max_size=8)
name_text = st.lists(_word, min_size=1, max_size=3).map(" ".join)
count = st.integers(min_value=0, max_value=10**7)


@st.composite
def vote_group(draw: st.DrawFn, lists: list[tuple[str, int]], unit: bool) -> dict[str, Any]:
    codes = draw(st.lists(st.sampled_from(UNCOUNTED_REASON_CODES), unique=True, max_size=5))
    return {
        "cast": draw(st.one_of(st.none(), count)) if unit else draw(count),
        "total_counted": draw(count),
        "rejected_votes": {"blanco": draw(count), "ongeldig": draw(count)},
        "uncounted_votes": {code: draw(count) for code in codes},
        "selections": [
            {
                "affiliation_id": list_id,
                "valid_votes": draw(count),
                "candidates": [
                    {"candidate_id": str(c + 1), "valid_votes": draw(count)}
                    for c in range(n_candidates)
                ],
            }
            for list_id, n_candidates in lists
        ],
    }


@st.composite
def documents(draw: st.DrawFn) -> dict[str, Any]:
    """Municipal counts with 1-4 lists, 0-3 candidates a list and 0-4 polling stations."""
    n_lists = draw(st.integers(1, 4))
    lists = [(str(i + 1), draw(st.integers(0, 3))) for i in range(n_lists)]
    numbers_ = draw(st.lists(st.integers(1, 999), unique=True, max_size=4))
    document = base_document()
    document["affiliations"] = [
        {
            "id": list_id,
            "name": draw(name_text),
            "candidates": [{"id": str(c + 1), "name": None, "short_code": None} for c in range(n)],
        }
        for list_id, n in lists
    ]
    document["total_votes"] = draw(vote_group(lists, unit=False))
    document["reporting_unit_votes"] = [
        {
            "id": f"0999::SB{number}",
            "number": number,
            "name": draw(name_text),
            "postal_code": draw(st.one_of(st.none(), st.just("1234 AB"))),
            "kind": "polling_station",
            **draw(vote_group(lists, unit=True)),
        }
        for number in numbers_
    ]
    document["document"]["created"] = "2026-03-19T10:00:00"
    return document
