"""The built-in vocabulary: Dutch labels in use, and the canonical field each one means.

Labels are compared after :func:`normalise_label` (case, accents, punctuation and spacing
folded), so ``Aantal  Geldige Stempassen:`` and ``aantal geldige stempassen`` are one label.

Field keys: ``cast``, ``total_counted``, ``votes_cast``, ``rejected:<code>``,
``uncounted:<EML reason code>`` for the numbers of a VoteGroup; and the structural roles
``unit_number``, ``unit_name``, ``postal_code``, ``list_number``, ``list_name``,
``candidate_number``, ``candidate_name``, ``votes``, ``total``.
"""

from __future__ import annotations

import re
import unicodedata

from telnorm.parsers.canonical import REJECTED_REASON_CODES, UNCOUNTED_REASON_CODES

_NON_WORD = re.compile(r"[^a-z0-9]+")


def normalise_label(text: object) -> str:
    """``'  Geldige  Stempas: '`` -> ``'geldige stempas'``; accents dropped, ``_`` is a space."""
    if text is None:
        return ""
    folded = unicodedata.normalize("NFKD", str(text)).encode("ascii", "ignore").decode("ascii")
    return _NON_WORD.sub(" ", folded.lower()).strip()


NUMBER_FIELDS: dict[str, tuple[str, ...]] = {
    "cast": (
        "opgeroepenen",
        "opgeroepen",
        "opgeroepen kiezers",
        "aantal opgeroepenen",
        "kiesgerechtigden",
        "aantal kiesgerechtigden",
        "kiesgerechtigd",
        "stemgerechtigden",
        "aantal stemgerechtigden",
        "cast",
    ),
    "total_counted": (
        "geldige stembiljetten",
        "geldige stemmen",
        "aantal geldige stemmen",
        "totaal geldige stemmen",
        "totaal aantal geldige stemmen",
        "stemmen op kandidaten",
        "stemmen op lijsten",
        "total counted",
        "geldig",
    ),
    "votes_cast": (
        "aangetroffen stembiljetten",
        "aantal aangetroffen stembiljetten",
        "uitgebrachte stemmen",
        "aantal uitgebrachte stemmen",
        "totaal uitgebrachte stemmen",
        "getelde stembiljetten",
        "totaal getelde stembiljetten",
        "votes cast",
    ),
    "rejected:blanco": (
        "blanco",
        "blanco stemmen",
        "blanco stembiljetten",
        "aantal blanco stemmen",
        "aantal blanco stembiljetten",
        "rejected blanco",
    ),
    "rejected:ongeldig": (
        "ongeldig",
        "ongeldige stemmen",
        "ongeldige stembiljetten",
        "aantal ongeldige stemmen",
        "aantal ongeldige stembiljetten",
        "rejected ongeldig",
    ),
    "uncounted:geldige stempassen": (
        "geldige stempas",
        "geldige stempassen",
        "aantal geldige stempassen",
        "stempassen",
    ),
    "uncounted:geldige volmachtbewijzen": (
        "geldig volmachtbewijs",
        "geldige volmachtbewijzen",
        "aantal geldige volmachtbewijzen",
        "volmachtbewijzen",
        "volmachten",
        "aantal volmachten",
    ),
    "uncounted:geldige kiezerspassen": (
        "geldige kiezerspas",
        "geldige kiezerspassen",
        "aantal geldige kiezerspassen",
        "kiezerspassen",
    ),
    "uncounted:toegelaten kiezers": (
        "toegelaten kiezers",
        "aantal toegelaten kiezers",
        "totaal toegelaten kiezers",
        "totaal aantal toegelaten kiezers",
    ),
    "uncounted:meer getelde stembiljetten": (
        "meer stembiljetten dan toegelaten kiezers",
        "meer getelde stembiljetten",
        "meer getelde stembiljetten dan toegelaten kiezers",
    ),
    "uncounted:minder getelde stembiljetten": (
        "minder stembiljetten dan toegelaten kiezers",
        "minder getelde stembiljetten",
        "minder getelde stembiljetten dan toegelaten kiezers",
    ),
    "uncounted:meegenomen stembiljetten": (
        "kiezers met stembiljet hebben niet gestemd",
        "meegenomen stembiljetten",
        "stembiljetten meegenomen",
    ),
    "uncounted:te weinig uitgereikte stembiljetten": (
        "er zijn te weinig stembiljetten uitgereikt",
        "te weinig uitgereikte stembiljetten",
        "te weinig stembiljetten uitgereikt",
    ),
    "uncounted:te veel uitgereikte stembiljetten": (
        "er zijn te veel stembiljetten uitgereikt",
        "te veel uitgereikte stembiljetten",
        "te veel stembiljetten uitgereikt",
    ),
    "uncounted:kwijtgeraakte stembiljetten": (
        "er zijn stembiljetten kwijtgeraakt",
        "kwijtgeraakte stembiljetten",
        "stembiljetten kwijtgeraakt",
    ),
    "uncounted:geen briefstembiljetten": (
        "geen stembiljet in enveloppe",
        "geen briefstembiljetten",
        "geen stembiljet in envelop",
    ),
    "uncounted:te veel briefstembiljetten": (
        "meer stembiljetten in een enveloppe",
        "te veel briefstembiljetten",
        "meer stembiljetten in een envelop",
    ),
    "uncounted:geen verklaring": ("geen verklaring",),
    "uncounted:andere verklaring": ("andere verklaring",),
}

ROLE_FIELDS: dict[str, tuple[str, ...]] = {
    "unit_number": (
        "gebiednummer",
        "gebied nummer",
        "stembureaunummer",
        "stembureau nummer",
        "nummer stembureau",
        "nr stembureau",
        "stembureau nr",
        "sb",
        "sb nr",
        "sb nummer",
        "bureau nr",
        "bureaunummer",
        "station id",
        "unit number",
        "nummer",
        "nr",
    ),
    "unit_name": (
        "stembureau",
        "naam stembureau",
        "stembureau naam",
        "stembureaunaam",
        "locatie",
        "naam locatie",
        "station name",
        "unit name",
        "stemlokaal",
    ),
    "postal_code": ("postcode", "postal code", "pc"),
    "list_number": (
        "lijstnummer",
        "lijst nummer",
        "lijst nr",
        "lijstnr",
        "lijst",
        "partijnummer",
        "list number",
    ),
    "list_name": (
        "aanduiding",
        "lijstnaam",
        "naam lijst",
        "partij",
        "partijnaam",
        "naam partij",
        "politieke groepering",
        "aanduiding politieke groepering",
        "list name",
    ),
    "candidate_number": (
        "volgnummer",
        "volgnr",
        "kandidaatnummer",
        "kandidaat nummer",
        "kandidaat nr",
        "positie",
        "plaats op lijst",
        "candidate number",
    ),
    "candidate_name": ("naam kandidaat", "kandidaat", "kandidaatnaam", "candidate name"),
    "votes": ("stemmen", "aantal stemmen", "aantal", "votes", "valid votes"),
    # Columns and rows that hold no counts (turnout and other percentages): never a list,
    # their numbers are left over (noted).
    "ignore": (
        "opkomst",
        "opkomstpercentage",
        "opkomst percentage",
        "opkomst in procenten",
        "opkomst pct",
        "percentage",
        "percentage opkomst",
        "procent",
        "pct",
        "perc",
        "turnout",
    ),
    "total": (
        "totaal",
        "totaal gemeente",
        "gemeente totaal",
        "gemeentetotaal",
        "som",
        "total",
        "totaal generaal",
    ),
}


def _index() -> dict[str, str]:
    table: dict[str, str] = {}
    for key, labels in (*NUMBER_FIELDS.items(), *ROLE_FIELDS.items()):
        for label in labels:
            table[normalise_label(label)] = key
    # The EML reason codes themselves, and ``uncounted_<code>`` as third-party exports write.
    for code in UNCOUNTED_REASON_CODES:
        table.setdefault(normalise_label(code), f"uncounted:{code}")
        table[normalise_label(f"uncounted {code}")] = f"uncounted:{code}"
    for code in REJECTED_REASON_CODES:
        table.setdefault(normalise_label(code), f"rejected:{code}")
    return table


VOCABULARY: dict[str, str] = _index()


def field_for(label: object, extra: dict[str, str] | None = None) -> str | None:
    """The field key a label means (a mapping's own labels first), or None. A label with a
    ``%`` (``Opkomst %``, ``%``) is ``ignore`` unless the mapping says otherwise."""
    key = normalise_label(label)
    if not key:
        return "ignore" if isinstance(label, str) and "%" in label else None
    if extra and key in extra:
        return extra[key]
    found = VOCABULARY.get(key)
    if found is None and isinstance(label, str) and "%" in label:
        return "ignore"
    return found


def is_number_field(key: str | None) -> bool:
    return key is not None and (key in NUMBER_FIELDS or key.startswith(("uncounted:", "rejected:")))


def describe_field(key: str) -> str:
    """A field key as the canonical path it fills (for notes and the suggest report)."""
    if key.startswith("uncounted:"):
        return f"uncounted_votes[{key.split(':', 1)[1]!r}]"
    if key.startswith("rejected:"):
        return f"rejected_votes[{key.split(':', 1)[1]!r}]"
    return key


# --- structure words --------------------------------------------------------------------

#: Roles of the columns (or rows) that name a polling station, and a list.
UNIT_ROLES = ("unit_number", "unit_name")
LIST_ROLES = ("list_number", "list_name")
#: Roles of the columns that describe a list or candidate (never a polling station).
DESCRIBING_ROLES = ("list_number", "list_name", "candidate_number", "candidate_name")
#: ``Label: value`` lines above a table (or on a paper-form sheet) and what they fill.
META_LABELS = {
    "verkiezing": "election",
    "verkiezingen": "election",
    "naam verkiezing": "election",
    "datum": "date",
    "verkiezingsdatum": "date",
    "datum verkiezing": "date",
    "gemeente": "area",
    "gebied": "area",
    "naam gemeente": "area",
    "gemeentecode": "number",
    "gemeentenummer": "number",
    "cbs code": "number",
    "cbs gemeentecode": "number",
}
TOTAL_LABELS = {
    "totaal",
    "totalen",
    "totaal gemeente",
    "gemeente totaal",
    "gemeentetotaal",
    "gemeente",
    "total",
    "totals",
    "som",
    "totaal generaal",
    "generaal totaal",
    "eindtotaal",
}
#: A label whose first word is one of these, or that contains one as a word, is a total
#: (``Totaal gemeente Lindehoven``, ``Totaal stembureaus``, ``Som van de stembureaus``).
_TOTAL_WORDS = frozenset(
    ("totaal", "totalen", "total", "totals", "som", "generaal", "eindtotaal", "gemeentetotaal")
)
#: ... and one with one of these is a subtotal: neither a unit nor the total (left over).
_SUBTOTAL_WORDS = frozenset(
    ("subtotaal", "subtotalen", "subtotal", "subtotals", "tussentotaal", "deeltotaal")
)


def _maybe_total(text: str) -> bool:
    """False when ``text`` cannot be a total label (every one contains 'tot', 'som', 'gen' or
    'gemeente', and folding ASCII text only lowercases it and turns punctuation into spaces)."""
    if not text.isascii():
        return True
    lowered = text.lower()
    return "tot" in lowered or "som" in lowered or "gen" in lowered or "gemeente" in lowered


def total_kind(text: str) -> str | None:
    """``"total"`` for a label of a total row or column, ``"subtotal"`` for a subtotal's,
    else None. A total label is one of :data:`TOTAL_LABELS` (``Gemeente`` alone included),
    or a label with a total word (``Totalen``, ``Totaal gemeente Lindehoven``)."""
    if not text or not _maybe_total(text):
        return None
    label = normalise_label(text)
    if not label:
        return None
    words = label.split()
    if any(word in _SUBTOTAL_WORDS for word in words):
        return "subtotal"
    if label in TOTAL_LABELS or any(word in _TOTAL_WORDS for word in words):
        return "total"
    return None
