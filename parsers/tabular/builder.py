"""Assembling a canonical document from values found in cells, with their locations.

The layout readers (the families of :mod:`telnorm.parsers.tabular.families`, and the osv4-3
parser) only say "this cell holds the value of field F of unit U" through
:class:`DocBuilder`. The builder is split by job:

* :mod:`.values`: what is stored (one unit's values, unit and list descriptions, the
  per-row helpers of the fast path);
* :mod:`.accounting`: reading count cells and accounting for every numeric cell;
* :mod:`.store`: the value store, with duplicate detection;
* :mod:`.assembly`: the document (:class:`DocBuilder`);
* :mod:`.election`: election fields inferred from a name or taken from a candidate list.

This module keeps the names readers import in one place.
"""

from __future__ import annotations

from telnorm.parsers.tabular.assembly import DocBuilder
from telnorm.parsers.tabular.election import apply_candidate_list_election, infer_election
from telnorm.parsers.tabular.values import (
    MAX_POSITION,
    Affiliation,
    CellRef,
    RowLayout,
    RowPicker,
    UnitInfo,
    Values,
    VoteKey,
)

__all__ = [
    "MAX_POSITION",
    "Affiliation",
    "CellRef",
    "DocBuilder",
    "RowLayout",
    "RowPicker",
    "UnitInfo",
    "Values",
    "VoteKey",
    "apply_candidate_list_election",
    "infer_election",
]
