"""The layout families, one module each, and their registry.

=========  ================================  =====================================
family     module                            shape
=========  ================================  =====================================
osv4-3     :mod:`.osv43`                     the counting software's table
c          :mod:`.long`                      one row per station and list
a          :mod:`.rows`                      stations as rows
b          :mod:`.columns`                   stations as columns
d          :mod:`.form`                      one sheet per station (paper form)
pivot      :mod:`.pivot`                     lists as rows, stations as columns, no statistics
=========  ================================  =====================================

:data:`FAMILIES` is in rank order: layout detection (:mod:`telnorm.parsers.tabular.detect`)
asks each family's header signal, then each family's column signal, in this order, and the
first that fits a sheet wins; the pivot family, recognised by its own evidence
(:func:`.pivot.find_pivot`), is asked only when no other family fits. A new family is a
module with a :class:`~.base.FamilyReader` subclass and a :class:`~.base.Family` entry added here.
"""

from __future__ import annotations

from telnorm.parsers.tabular.families import columns, form, long, osv43, pivot, rows
from telnorm.parsers.tabular.families.base import Family, FamilyReader, Labels, Plan

__all__ = ["FAMILIES", "Family", "FamilyReader", "Labels", "Plan", "family"]

FAMILIES: tuple[Family, ...] = (
    osv43.FAMILY,
    long.FAMILY,
    rows.FAMILY,
    columns.FAMILY,
    form.FAMILY,
    pivot.FAMILY,
)
_BY_ID = {entry.id: entry for entry in FAMILIES}


def family(family_id: str) -> Family:
    """The registered family ``family_id`` (a, b, c, d, osv4-3)."""
    return _BY_ID[family_id]
