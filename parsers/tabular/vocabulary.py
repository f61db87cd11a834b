"""The built-in vocabulary: Dutch labels in use, and the canonical field each one means.

Labels are compared after :func:`normalise_label` (case, accents, punctuation and spacing
folded), so ``Aantal  Geldige Stempassen:`` and ``aantal geldige stempassen`` are one label.

Field keys: ``cast``, ``total_counted``, ``votes_cast``, ``rejected:<code>``,
``uncounted:<EML reason code>`` for the numbers of a VoteGroup; and the structural roles
``unit_number``, ``unit_name``, ``postal_code``, ``list_number``, ``list_name``,
``candidate_number``, ``candidate_name``, ``votes``, ``total``.
"""

from __future__ import annotations

import functools
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
        "aantal opgeroepen kiezers",
        "aantal kiezers dat is opgeroepen",
        "aantal stemgerechtigde kiezers",
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
        "aantal geldige stemmen op kandidaten",
        "geldige stemmen op kandidaten",
        "aantal stemmen op kandidaten",
        "totaal stemmen op kandidaten",
        "totaal aantal stemmen op kandidaten",
        "totaal geldig",
        "geldige stemmen op lijsten",
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
        "totaal aantal getelde stemmen",
        "aantal getelde stemmen",
        "totaal getelde stemmen",
        "getelde stemmen",
        "aantal getelde stembiljetten",
        "aantal uitgebrachte stembiljetten",
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
        "aantal kiezers met een stempas",
        "kiezers met een stempas",
        "aantal stempassen",
        "geldige stempas",
        "geldige stempassen",
        "aantal geldige stempassen",
        "stempassen",
    ),
    "uncounted:geldige volmachtbewijzen": (
        "aantal kiezers met een volmachtbewijs",
        "kiezers met een volmachtbewijs",
        "aantal volmachtbewijzen",
        "geldige volmachtbewijzen schriftelijk",
        "geldig volmachtbewijs",
        "geldige volmachtbewijzen",
        "aantal geldige volmachtbewijzen",
        "volmachtbewijzen",
        "volmachten",
        "aantal volmachten",
    ),
    "uncounted:geldige kiezerspassen": (
        "aantal kiezers met een kiezerspas",
        "kiezers met een kiezerspas",
        "aantal kiezerspassen",
        "geldige kiezerspas",
        "geldige kiezerspassen",
        "aantal geldige kiezerspassen",
        "kiezerspassen",
    ),
    "uncounted:toegelaten kiezers": (
        "aantal kiezers dat is toegelaten",
        "toegelaten kiezers totaal",
        "aantal toegelaten kiezers totaal",
        "totaal aantal kiezers dat is toegelaten",
        "toegelaten kiezers",
        "aantal toegelaten kiezers",
        "totaal toegelaten kiezers",
        "totaal aantal toegelaten kiezers",
    ),
    "uncounted:meer getelde stembiljetten": (
        "aantal meer getelde stembiljetten",
        "meer getelde stemmen dan toegelaten kiezers",
        "meer stembiljetten dan toegelaten kiezers",
        "meer getelde stembiljetten",
        "meer getelde stembiljetten dan toegelaten kiezers",
    ),
    "uncounted:minder getelde stembiljetten": (
        "aantal minder getelde stembiljetten",
        "minder getelde stemmen dan toegelaten kiezers",
        "minder stembiljetten dan toegelaten kiezers",
        "minder getelde stembiljetten",
        "minder getelde stembiljetten dan toegelaten kiezers",
    ),
    "uncounted:meegenomen stembiljetten": (
        "aantal meegenomen stembiljetten",
        "kiezers hebben het stembiljet meegenomen",
        "aantal kiezers dat het stembiljet heeft meegenomen",
        "kiezers met stembiljet hebben niet gestemd",
        "meegenomen stembiljetten",
        "stembiljetten meegenomen",
    ),
    "uncounted:te weinig uitgereikte stembiljetten": (
        "aantal te weinig uitgereikte stembiljetten",
        "er zijn te weinig stembiljetten uitgereikt",
        "te weinig uitgereikte stembiljetten",
        "te weinig stembiljetten uitgereikt",
    ),
    "uncounted:te veel uitgereikte stembiljetten": (
        "aantal te veel uitgereikte stembiljetten",
        "er zijn te veel stembiljetten uitgereikt",
        "te veel uitgereikte stembiljetten",
        "te veel stembiljetten uitgereikt",
    ),
    "uncounted:kwijtgeraakte stembiljetten": (
        "aantal kwijtgeraakte stembiljetten",
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
    "uncounted:geen verklaring": (
        "geen verklaring",
        "geen verklaring voor het verschil",
        "aantal keer geen verklaring",
        "verschil niet verklaard",
    ),
    "uncounted:andere verklaring": (
        "andere verklaring",
        "andere verklaring voor het verschil",
        "aantal keer een andere verklaring",
    ),
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
    if found is None:
        found = _official_variant(key)
    if found is None and isinstance(label, str) and "%" in label:
        return "ignore"
    return found


#: Words official forms put before a statistic label (``Totaal aantal getelde stemmen``).
_LEADING_WORDS = ("het totaal aantal ", "totaal aantal ", "het aantal ", "aantal ")
#: A form's letter or number code before or after the label (``A. Aantal geldige stempassen``,
#: ``Aantal toegelaten kiezers (D)``, ``1 Aantal blanco stemmen``).
_FORM_CODE = re.compile(r"^(?:[a-z]|\d{1,2}[a-z]?) (?=\D)|(?<=\D) (?:[a-z]|\d{1,2}[a-z]?)$")


@functools.lru_cache(maxsize=4096)
def _official_variant(key: str) -> str | None:
    """A statistic label of an official form in a variant the table does not list: with a
    form code before or after it, or without its leading ``aantal`` / ``totaal aantal``.
    Only statistics are found this way (never a list, station or structural label)."""
    candidates = {key, _FORM_CODE.sub("", key).strip()}
    for text in list(candidates):
        for lead in _LEADING_WORDS:
            if text.startswith(lead):
                candidates.add(text[len(lead) :])
    for text in candidates - {key}:
        found = VOCABULARY.get(text)
        if found is not None and is_number_field(found):
            return found
    return None


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
