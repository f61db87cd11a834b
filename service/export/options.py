"""Export options, and how the header values an output format needs are found.

A canonical document from a spreadsheet often lacks what EML requires (election id, category,
date, contest, creation time). Those values come, in this order of precedence, from:

1. the request (``election_id=``, ``contest_id=``, ... : an explicit request wins),
2. the document itself,
3. the supplied candidate list (EML 230b: election, contest and list names).

When a required value is still missing, :class:`Requirements` collects every such field and
:meth:`Requirements.raise_if_any` raises one :class:`~telnorm.parsers.errors.ExportFieldsMissing`
that names each field, where it lives in the document and how to supply it.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from datetime import UTC, date, datetime
from typing import Any, Literal

from telnorm.parsers.canonical import Document
from telnorm.parsers.eml.context import ContextDocument
from telnorm.parsers.errors import ExportFieldsMissing, RequestError

MissingCounts = Literal["error", "zero"]

#: Option names a request or the CLI may set (all strings); see :meth:`ExportOptions.from_params`.
PARAMETERS: tuple[str, ...] = (
    "election_id",
    "election_name",
    "election_category",
    "election_subcategory",
    "election_date",
    "election_domain_id",
    "election_domain_name",
    "contest_id",
    "contest_name",
    "authority_id",
    "authority_name",
    "creation_time",
    "transaction_id",
    "missing_counts",
    "region_code",
    "parent_region_code",
    "grandparent_region_code",
    "neutralise_formulas",
)

#: How a client supplies each field, for the 422 message.
_HOW = {
    "candidate_list": "send the candidate list (EML 230b) as the candidate_list part",
}


@dataclass(frozen=True)
class ExportOptions:
    """What a caller may add to a document when exporting it. All optional."""

    election_id: str | None = None
    election_name: str | None = None
    election_category: str | None = None
    election_subcategory: str | None = None
    election_date: str | None = None
    election_domain_id: str | None = None
    election_domain_name: str | None = None
    contest_id: str | None = None
    contest_name: str | None = None
    authority_id: str | None = None
    authority_name: str | None = None
    #: ``kr:CreationDateTime``: an ISO 8601 date-time, or ``now`` for the clock. Never the
    #: clock unless asked, so the same document always exports to the same bytes.
    creation_time: str | None = None
    transaction_id: str | None = None
    #: A required count the document does not state: ``error`` (422, the default) or ``zero``.
    missing_counts: MissingCounts = "error"
    #: Databank region codes (``G0668``, ``K6``, ``P25``, ``L528``) of the document's own
    #: authority, its parent and grandparent; derived where the authority id allows.
    region_code: str | None = None
    parent_region_code: str | None = None
    grandparent_region_code: str | None = None
    #: Databank CSV only: a text cell that begins with ``=``, ``+``, ``-``, ``@`` (or a tab
    #: or carriage return) gets a leading ``'``, so a spreadsheet program shows it as text
    #: instead of running it as a formula (CSV injection). Off by default: the databank
    #: import reads the names as they are; see rule S.107.
    neutralise_formulas: bool = False
    #: The parsed candidate list (role ``candidate_list``): names and candidate details.
    candidate_list: ContextDocument | None = field(default=None, compare=False)
    #: The parsed election definition (role ``election_definition``: a 110a, or OSV's master
    #: election tree): the databank CSV takes a municipality's district from its tree.
    election_definition: ContextDocument | None = field(default=None, compare=False)

    @classmethod
    def from_params(
        cls,
        params: Mapping[str, Any],
        candidate_list: ContextDocument | None = None,
        election_definition: ContextDocument | None = None,
    ) -> ExportOptions:
        """Build options from request parameters or CLI ``--set key=value`` pairs.

        Unknown keys are ignored (the caller passes its whole query string); empty values
        count as not given.
        """
        values: dict[str, Any] = {}
        for name in PARAMETERS:
            raw = params.get(name)
            if raw is None:
                continue
            text = str(raw).strip()
            if text:
                values[name] = text
        if "neutralise_formulas" in values:
            values["neutralise_formulas"] = _flag(values["neutralise_formulas"])
        missing = values.get("missing_counts", "error")
        if missing not in ("error", "zero"):
            raise RequestError(
                f"missing_counts must be 'error' or 'zero', not {missing!r}.",
                parameter="missing_counts",
            )
        return cls(**values, candidate_list=candidate_list, election_definition=election_definition)

    def describe(self) -> dict[str, Any]:
        """The options as plain values (for logs and tests)."""
        context = ("candidate_list", "election_definition")
        return {f.name: getattr(self, f.name) for f in fields(self) if f.name not in context}


def _flag(text: str) -> bool:
    lowered = text.lower()
    if lowered in ("1", "true", "yes", "on"):
        return True
    if lowered in ("0", "false", "no", "off"):
        return False
    raise RequestError(
        f"neutralise_formulas must be true or false, not {text!r}.",
        parameter="neutralise_formulas",
    )


# --- the fields of the EML header ---------------------------------------------------------

# Patterns of the EML_NL 1.2.2 strict schema (kiesraad-eml-extensions.xsd and
# kiesraad-eml-restrictions.xsd), checked before writing so that a bad value becomes a 422
# naming the field instead of an invalid file.
AUTHORITY_ID = re.compile(r"CSB|(?:HSB|SB)\d+|\d{4}")
ELECTION_ID = re.compile(
    r"(?:EP|EK|TK|GR|BC|GC|ER|PS|AB|NR|PR|LR|IR)2\d\d\d(?:\d\d\d\d)?(?:_[\w-]*)?"
)
CONTEST_ID = re.compile(
    r"[1-9]\d*|geen|alle|(?=[MDCLXVI])M{0,4}(?:CM|CD|D?C{0,3})(?:XC|XL|L?X{0,3})(?:IX|IV|V?I{0,3})"
)
DOMAIN_ID = re.compile(r"\d{4}|[12]?[0-9]")
CATEGORIES = ("EK", "TK", "EP", "PS", "AB", "GR", "BC", "GC", "ER", "NR", "PR", "LR", "IR")
SUBCATEGORIES = (
    "PS1", "PS2", "AB1", "AB2", "GR1", "GR2", "BC", "GC", "ER1", "TK", "EK", "EP", "NR", "PR",
    "LR", "IR",
)  # fmt: skip
_DATETIME = re.compile(r"-?\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:\d\d)?")


def is_date(value: str) -> bool:
    try:
        date.fromisoformat(value)
    except ValueError:
        return False
    return bool(re.fullmatch(r"\d{4}-\d\d-\d\d", value))


def is_datetime(value: str) -> bool:
    if not _DATETIME.fullmatch(value):
        return False
    try:
        datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return False
    return True


@dataclass
class Requirements:
    """Collects missing and invalid fields so one error can name them all."""

    missing: list[dict[str, str]] = field(default_factory=list)
    invalid: list[dict[str, str]] = field(default_factory=list)

    def need(self, name: str, pointer: str, supply: str) -> None:
        self.missing.append({"field": name, "pointer": pointer, "supply": supply})

    def bad(self, name: str, pointer: str, value: object, problem: str) -> None:
        self.invalid.append(
            {"field": name, "pointer": pointer, "value": str(value), "problem": problem}
        )

    def raise_if_any(self, output: str) -> None:
        if not self.missing and not self.invalid:
            return
        parts: list[str] = []
        if self.missing:
            parts.append(
                "these values are missing: "
                + "; ".join(f"{m['field']} ({m['supply']})" for m in self.missing)
            )
        if self.invalid:
            parts.append(
                "these values cannot be used: "
                + "; ".join(
                    f"{m['field']} = {m['value']!r} ({m['problem']})" for m in self.invalid[:20]
                )
                + (f"; and {len(self.invalid) - 20} more" if len(self.invalid) > 20 else "")
            )
        raise ExportFieldsMissing(
            f"The document cannot be written as {output}: " + ". ".join(parts) + ".",
            output=output,
            missing=self.missing,
            invalid=self.invalid,
        )


def supply_hint(option: str, example: str, candidate_list: bool = False) -> str:
    """How to supply a field: the request parameter, and the candidate list where it helps."""
    hint = f"pass {option}={example} (CLI: --set {option}={example})"
    if candidate_list:
        hint += " or " + _HOW["candidate_list"]
    return hint


def _get(document: Document, *path: str) -> Any:
    value: Any = document
    for key in path:
        if not isinstance(value, Mapping):
            return None
        value = value.get(key)
    return value


@dataclass(frozen=True)
class Header:
    """The document-level values every output writes, resolved from request, document and
    candidate list. ``None`` where nothing supplied a value."""

    election_id: str | None
    election_name: str | None
    election_category: str | None
    election_subcategory: str | None
    election_date: str | None
    domain_id: str | None
    domain_name: str | None
    contest_id: str | None
    contest_name: str | None
    authority_id: str | None
    authority_name: str | None
    created: str | None
    transaction_id: str | None


def _first(*values: Any) -> str | None:
    for value in values:
        if value is not None and str(value).strip() != "":
            return str(value)
    return None


#: The latest instant an ISO 8601 year of four digits can hold (9999-12-31T23:59:59Z).
_LAST_EPOCH = 253_402_300_799


def _now() -> str:
    return datetime.now().astimezone().replace(microsecond=0).isoformat()


def creation_default(
    document: Document, options: ExportOptions, environ: Mapping[str, str] | None = None
) -> tuple[str, str] | None:
    """The creation time to write when neither the request (``creation_time=``) nor the
    document (``document.created``) gives one, with a note saying where it came from:
    ``SOURCE_DATE_EPOCH`` when set (the reproducible-builds convention: seconds since 1970,
    UTC), else the current time. None when a creation time is given."""
    if options.creation_time is not None or _get(document, "document", "created"):
        return None
    environ = os.environ if environ is None else environ
    epoch = (environ.get("SOURCE_DATE_EPOCH") or "").strip()
    if epoch.isascii() and epoch.isdigit() and int(epoch) <= _LAST_EPOCH:
        value = datetime.fromtimestamp(int(epoch), UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        return value, (
            f"kr:CreationDateTime {value} is SOURCE_DATE_EPOCH ({epoch}): neither the request "
            "(creation_time=) nor the document gives a creation time."
        )
    value = _now()
    unusable = f" (SOURCE_DATE_EPOCH={epoch!a} is not a number of seconds)" if epoch else ""
    return value, (
        f"kr:CreationDateTime {value} is the current time{unusable}: neither the request "
        "(creation_time=) nor the document gives a creation time. Pass creation_time= or set "
        "SOURCE_DATE_EPOCH for output that is the same on every run."
    )


def resolve_header(document: Document, options: ExportOptions) -> Header:
    """Pick every header value: request option, then document, then candidate list."""
    context = options.candidate_list
    c_election: Mapping[str, Any] = context.election if context is not None else {}
    c_contest: Mapping[str, Any] = context.contest if context is not None else {}
    c_domain = c_election.get("domain") or {}
    d_domain = _get(document, "election", "domain") or {}
    created = options.creation_time
    if created is not None and created.strip().lower() == "now":
        # Only on explicit request: the wall clock makes the output differ per call.
        created = _now()
    return Header(
        election_id=_first(
            options.election_id, _get(document, "election", "id"), c_election.get("id")
        ),
        election_name=_first(
            options.election_name, _get(document, "election", "name"), c_election.get("name")
        ),
        election_category=_first(
            options.election_category,
            _get(document, "election", "category"),
            c_election.get("category"),
        ),
        election_subcategory=_first(
            options.election_subcategory,
            _get(document, "election", "subcategory"),
            c_election.get("subcategory"),
        ),
        election_date=_first(
            options.election_date, _get(document, "election", "date"), c_election.get("date")
        ),
        domain_id=_first(options.election_domain_id, d_domain.get("id"), c_domain.get("id")),
        domain_name=_first(
            options.election_domain_name, d_domain.get("name"), c_domain.get("name")
        ),
        contest_id=_first(options.contest_id, _get(document, "contest", "id"), c_contest.get("id")),
        contest_name=_first(
            options.contest_name, _get(document, "contest", "name"), c_contest.get("name")
        ),
        authority_id=_first(options.authority_id, _get(document, "managing_authority", "id")),
        authority_name=_first(options.authority_name, _get(document, "managing_authority", "name")),
        created=_first(created, _get(document, "document", "created")),
        transaction_id=_first(options.transaction_id, _get(document, "document", "transaction_id")),
    )


def check_representable(
    document: Mapping[str, Any],
    req: Requirements,
    *,
    rejected_codes: frozenset[str],
    uncounted_codes: frozenset[str] | None,
) -> None:
    """Name every number the output has no place for, so that none is dropped silently.

    ``uncounted_codes`` None: the output carries no uncounted votes at all (by design of the
    format). Also refuses a list stated twice in one unit, or a candidate twice in one list:
    a writer keyed by id would keep only one of the two numbers.
    """
    groups = [("/total_votes", document.get("total_votes") or {})]
    groups += [
        (f"/reporting_unit_votes/{index}", unit)
        for index, unit in enumerate(document.get("reporting_unit_votes") or [])
    ]
    for pointer, group in groups:
        for code in group.get("rejected_votes") or {}:
            if code not in rejected_codes:
                req.bad(
                    "rejected_votes reason code", f"{pointer}/rejected_votes", code,
                    "this format has a row only for " + ", ".join(sorted(rejected_codes)),
                )  # fmt: skip
        if uncounted_codes is not None:
            for code in group.get("uncounted_votes") or {}:
                if code not in uncounted_codes:
                    req.bad(
                        "uncounted_votes reason code", f"{pointer}/uncounted_votes", code,
                        "not an EML_NL UncountedVotes ReasonCode, so this format has no row",
                    )  # fmt: skip
        seen_lists: set[str] = set()
        for s_index, selection in enumerate(group.get("selections") or []):
            list_id = str(selection.get("affiliation_id"))
            where = f"{pointer}/selections/{s_index}"
            if list_id in seen_lists:
                req.bad("list", where, list_id, "the list is stated twice in this unit")
            seen_lists.add(list_id)
            seen_candidates: set[str] = set()
            for candidate in selection.get("candidates") or []:
                candidate_id = str(candidate.get("candidate_id"))
                if candidate_id in seen_candidates:
                    req.bad(
                        "candidate", where, f"{list_id}/{candidate_id}",
                        "the candidate is stated twice in this list",
                    )  # fmt: skip
                seen_candidates.add(candidate_id)
