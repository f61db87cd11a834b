"""Names that a spreadsheet program would run as a formula (CSV injection)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from telnorm.service.validation.model import Context, Finding, Rule, Severity

#: The first characters that make Excel, LibreOffice and Google Sheets read a cell as a
#: formula (OWASP "CSV injection"), including a tab or carriage return before one.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _names(document: Any) -> Iterator[tuple[str, str, str | None, str | None]]:
    """Every name of the document: (pointer, name, list id, candidate id)."""
    for key in ("election", "contest", "managing_authority"):
        part = document.get(key) or {}
        if isinstance(part.get("name"), str):
            yield f"/{key}/name", part["name"], None, None
    for a_index, affiliation in enumerate(document.get("affiliations") or ()):
        aff = affiliation.get("id")
        if isinstance(affiliation.get("name"), str):
            yield f"/affiliations/{a_index}/name", affiliation["name"], aff, None
        for c_index, candidate in enumerate(affiliation.get("candidates") or ()):
            if isinstance(candidate.get("name"), str):
                pointer = f"/affiliations/{a_index}/candidates/{c_index}/name"
                yield pointer, candidate["name"], aff, candidate.get("id")


class S107(Rule):
    """A name (of a list, a candidate, a reporting unit, the election, the contest or the
    authority) begins with ``=``, ``+``, ``-`` or ``@`` (or a tab or carriage return): a
    spreadsheet program that opens an export of the count (the osv4-3 or databank CSV) runs
    it as a formula. The name is kept as it is in the document and in osv4-3 (the real format
    has no escape); the databank CSV can neutralise it with ``neutralise_formulas=true``.
    This project's own code.

    Fails: list 3 is named ``=HYPERLINK("http://example.org","Lijst 3")``.

    Passes: every name begins with a letter, a digit or a quote.
    """

    code = "S.107"
    severity = Severity.WARNING
    title = "A name would run as a formula in a spreadsheet"
    family = "structure"

    def check(self, ctx: Context) -> Iterator[Finding]:
        for rank, (pointer, name, aff, cid) in enumerate(_names(ctx.document)):
            if name.startswith(FORMULA_STARTS):
                yield Finding(
                    code=self.code,
                    severity=self.severity,
                    message=f"The name {name[:60]!r} at {pointer} begins with {name[0]!r}: a "
                    "spreadsheet program would run it as a formula.",
                    pointer=pointer,
                    affiliation=aff,
                    candidate=cid,
                    order=(-1, -1, rank),
                )
        for group in ctx.units:
            for key in ("name", "raw_name"):
                value = group.data.get(key)
                if isinstance(value, str) and value.startswith(FORMULA_STARTS):
                    yield self.finding(
                        group,
                        f"{group.sentence_label}'s {key.replace('_', ' ')} {value[:60]!r} "
                        f"begins with {value[0]!r}: a spreadsheet program would run it as a "
                        "formula.",
                        f"/{key}",
                    )
                    break  # the raw name holds the name: one finding per unit


__all__ = ["S107"]
