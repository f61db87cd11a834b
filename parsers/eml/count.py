"""The streaming reader of EML_NL 510 count documents (510a/b/c/d).

One pass of ``iterparse`` over ``end`` events. Each ``Selection`` is read when it closes and
then cleared and detached, so memory stays flat however many polling stations a file has.
Values are gathered into the *open group* (the ``TotalVotes`` or ``ReportingUnitVotes`` being
read); when that group closes it becomes the total or a reporting unit. Header elements
(authority, election, contest) are small and read when they close.

Positional selections: in EML a candidate's ``Selection`` belongs to the list ``Selection``
before it, so the reader keeps "the current list" of the open group.
"""

from __future__ import annotations

import sys
from array import array
from typing import IO, Any, NoReturn

from lxml import etree

from telnorm.parsers.api import ParseContext
from telnorm.parsers.canonical import (
    FORMAT_VERSION,
    REJECTED_REASON_CODES,
    UNCOUNTED_REASON_CODES,
    CandidateVotes,
    Document,
    ReportingUnit,
    Selection,
    VoteGroup,
    eml_unit_name,
    unit_number,
)
from telnorm.parsers.conventions import escape_pointer, id_sort_key
from telnorm.parsers.counts import CountError, parse_count
from telnorm.parsers.eml import names as n
from telnorm.parsers.eml.bulk import read_plain
from telnorm.parsers.eml.context import display_name
from telnorm.parsers.eml.locations import (
    GROUP_XPATH,
    DeferredLocations,
    GroupLines,
    group_xpath,
)
from telnorm.parsers.errors import (
    DuplicateValue,
    InvalidCount,
    LimitExceeded,
    NotACount,
    NotEML,
    StructureError,
)
from telnorm.parsers.packed_selections import pack
from telnorm.parsers.xmlsafe import local_name, namespace, safe_iterparse

_E = n.e
_KR = n.kr

SELECTION = _E("Selection")
AFFILIATION_IDENTIFIER = _E("AffiliationIdentifier")
REGISTERED_NAME = _E("RegisteredName")
CANDIDATE = _E("Candidate")
CANDIDATE_IDENTIFIER = _E("CandidateIdentifier")
VALID_VOTES = _E("ValidVotes")
CAST = _E("Cast")
TOTAL_COUNTED = _E("TotalCounted")
REJECTED_VOTES = _E("RejectedVotes")
UNCOUNTED_VOTES = _E("UncountedVotes")
TOTAL_VOTES = _E("TotalVotes")
REPORTING_UNIT_VOTES = _E("ReportingUnitVotes")
REPORTING_UNIT_IDENTIFIER = _E("ReportingUnitIdentifier")
PREVIOUS_VALID_VOTES = _KR("PreviousValidVotes")
PREVIOUS_CAST = _KR("PreviousCast")
PREVIOUS_TOTAL_COUNTED = _KR("PreviousTotalCounted")
PREVIOUS_REJECTED_VOTES = _KR("PreviousRejectedVotes")
PREVIOUS_UNCOUNTED_VOTES = _KR("PreviousUncountedVotes")
INVESTIGATIONS = _KR("ReportingUnitInvestigations")
INVESTIGATION = _KR("Investigation")
CONTEST = _E("Contest")
CANDIDATE_FULL_NAME = _E("CandidateFullName")

#: Elements the reader understands, wherever they stand. Anything else in the EML or
#: Kiesraad namespace, or in a foreign namespace, is an extension: kept out of the numbers
#: and reported once per name in ``notes``.
KNOWN = frozenset(
    [
        _E(name)
        for name in (
            "EML",
            "TransactionId",
            "ManagingAuthority",
            "AuthorityIdentifier",
            "AuthorityAddress",
            "Count",
            "EventIdentifier",
            "Election",
            "ElectionIdentifier",
            "ElectionName",
            "ElectionCategory",
            "Contests",
            "Contest",
            "ContestIdentifier",
            "ContestName",
            "TotalVotes",
            "ReportingUnitVotes",
            "ReportingUnitIdentifier",
            "Selection",
            "AffiliationIdentifier",
            "RegisteredName",
            "Candidate",
            "CandidateIdentifier",
            "ValidVotes",
            "Cast",
            "TotalCounted",
            "RejectedVotes",
            "UncountedVotes",
            "IssueDate",
        )
    ]
    + [
        _KR(name)
        for name in (
            "CreationDateTime",
            "ElectionSubcategory",
            "ElectionDomain",
            "ElectionDate",
            "Schema",
            "Phase",
            "CountingMethod",
            "ReportingUnitInvestigations",
            "Investigation",
            "PreviousValidVotes",
            "PreviousCast",
            "PreviousTotalCounted",
            "PreviousRejectedVotes",
            "PreviousUncountedVotes",
        )
    ]
    + ["{" + n.DS + "}CanonicalizationMethod"]
)

#: The reason codes EML_NL defines, per element.
KNOWN_REASON_CODES = {
    "RejectedVotes": frozenset(REJECTED_REASON_CODES),
    "UncountedVotes": frozenset(UNCOUNTED_REASON_CODES),
}

#: Namespaces whose content is known to carry no counts (signatures, report layout).
IGNORED_NAMESPACES = frozenset([n.DS, n.RG])

_GROUP_XPATH = GROUP_XPATH
#: Selection elements anywhere in a vote group (as many as lxml would hand over as events).
_COUNT_SELECTIONS = etree.XPath("count(.//e:Selection)", namespaces={"e": n.EML})
_LAST_SELECTION = etree.XPath("(.//e:Selection)[last()]", namespaces={"e": n.EML})
#: A vote group's children other than its Selections (comments and PIs are removed).
_NOT_SELECTIONS = etree.XPath("*[not(self::e:Selection)]", namespaces={"e": n.EML})
_DIRECT_SELECTIONS = etree.XPath("count(e:Selection)", namespaces={"e": n.EML})
#: The known children of a vote group other than Selection.
_GROUP_CHILDREN = tuple(sorted(tag for tag in KNOWN if tag != SELECTION))


def _count(element: etree._Element, xpath: str) -> int:
    """A count from an element's text by the one rule (:mod:`telnorm.parsers.counts`), or
    an ``invalid-count`` problem with the element's line and XPath."""
    text = element.text
    try:
        return parse_count(text if text is not None else "")
    except CountError as exc:
        shown = (text or "").strip()
        shown = shown if len(shown) <= 40 else shown[:40] + "..."
        raise InvalidCount(
            f"{local_name(element.tag)} must be a count, but the file has {shown!r}: {exc.reason}.",
            location={"line": element.sourceline, "xpath": xpath},
            value=shown,
        ) from None


class _Group:
    """The open ``TotalVotes`` or ``ReportingUnitVotes`` while its children stream by."""

    __slots__ = (
        "cast",
        "current",
        "current_candidates",
        "index",
        "investigations",
        "investigations_line",
        "lines",
        "list_ids",
        "previous",
        "raw_name",
        "rejected",
        "seen",
        "selections",
        "total_counted",
        "uncounted",
        "unit_id",
    )

    def __init__(self, index: int) -> None:
        self.index = index  # -1 for the total, else the unit's position
        self.seen = 0  # Selection elements read so far (lists and candidates)
        self.unit_id: str | None = None
        self.raw_name: str | None = None
        self.cast: int | None = None
        self.total_counted: int | None = None
        self.rejected: dict[str, int] = {}
        self.uncounted: dict[str, int] = {}
        self.selections: list[Selection] = []
        self.current: Selection | None = None
        self.current_candidates: set[str] = set()  # candidate ids of the current list
        self.list_ids: set[str] = set()  # list ids of this group so far
        self.previous: dict[str, Any] | None = None
        self.investigations: dict[str, bool] | None = None
        self.investigations_line: int | None = None
        #: where each element the schema allows once was stated (name -> line)
        self.lines: dict[str, int | None] = {}

    def pointer(self) -> str:
        return "/total_votes" if self.index < 0 else f"/reporting_unit_votes/{self.index}"

    def xpath(self) -> str:
        return group_xpath(self.index)

    def prev(self) -> dict[str, Any]:
        if self.previous is None:
            self.previous = {
                "cast": None,
                "total_counted": None,
                "rejected_votes": {},
                "uncounted_votes": {},
                "selections": [],
            }
        return self.previous

    def vote_group(self) -> VoteGroup:
        group: VoteGroup = {
            "cast": self.cast,
            "total_counted": self.total_counted,
            "rejected_votes": self.rejected,
            "uncounted_votes": self.uncounted,
            "selections": pack(self.selections),
        }
        if self.previous is not None:
            group["previous"] = self.previous
        return group


def unit_kind(unit_id: str, name: str | None) -> str | None:
    """What a reporting unit is, from its id (``0518::SB3``, ``HSB3::0518``, ``HSB3``)."""
    tail = unit_id.rsplit("::", 1)[-1]
    if tail.upper().startswith("SB"):
        if name and "briefstembureau" in name.lower():
            return "postal"
        return "polling_station"
    if tail.upper().startswith("BSB"):
        return "postal"
    if tail.isdigit():
        return "municipality"
    if tail.upper().startswith("HSB"):
        return "district"
    return None


class CountReader:
    """Reads one 510 document. Create one per parse; call :meth:`read`."""

    def __init__(self, context: ParseContext) -> None:
        self.context = context
        #: keep what locations are made of, compute them when asked (see eml.locations)
        self.defer = context.defer_locations or context.want_locations
        self.group_lines: dict[int, GroupLines] = {}
        self.eml_id: str | None = None
        self.header: dict[str, Any] = {
            "transaction_id": None,
            "created": None,
            "schema_version": None,
            "phase": None,
            "counting_method": None,
            "authority_id": None,
            "authority_name": None,
            "election": {
                "id": None,
                "name": None,
                "category": None,
                "subcategory": None,
                "date": None,
                "domain": None,
            },
            "contest": {"id": None, "name": None},
        }
        # affiliation id -> (name, {candidate id: name from the file}) in order of appearance
        self.affiliations: dict[str, tuple[str | None, dict[str, str | None]]] = {}
        self.total: VoteGroup | None = None
        self.units: list[ReportingUnit] = []
        self.group: _Group | None = None
        self.contests = 0
        #: elements read so far (lxml hands over only the tags the reader handles; the
        #: handlers add what they read below them)
        self.elements = 0
        #: tags of unknown elements already reported (see _unknown)
        self.unknown_seen: set[str] = set()

    # --- entry point -------------------------------------------------------------------

    def read(self, stream: IO[bytes]) -> Document:
        handlers = {
            CAST: self._cast,
            TOTAL_COUNTED: self._total_counted,
            REJECTED_VOTES: self._rejected,
            UNCOUNTED_VOTES: self._uncounted,
            REPORTING_UNIT_IDENTIFIER: self._unit_identifier,
            REPORTING_UNIT_VOTES: self._close_unit,
            TOTAL_VOTES: self._close_total,
            PREVIOUS_CAST: self._previous_scalar,
            PREVIOUS_TOTAL_COUNTED: self._previous_scalar,
            PREVIOUS_REJECTED_VOTES: self._previous_reason,
            PREVIOUS_UNCOUNTED_VOTES: self._previous_reason,
            INVESTIGATIONS: self._investigations,
        }
        header_handlers = {
            _E("TransactionId"): self._transaction,
            _E("AuthorityIdentifier"): self._authority,
            _KR("CreationDateTime"): self._created,
            _KR("Schema"): self._schema,
            _KR("Phase"): self._phase,
            _KR("CountingMethod"): self._counting_method,
            _E("ElectionIdentifier"): self._election,
            _E("ContestIdentifier"): self._contest,
        }
        handlers.update(header_handlers)
        handlers[CONTEST] = self._contest_end
        # Selections are read with their group when it closes (in bulk when plain), so
        # libxml2 need not hand each one to Python: about 1 µs saved per Selection.
        limits = self.context.limits
        # Look at the root first (its start tag): a DOCTYPE, a non-EML root or another EML
        # document is refused before the body is read, whatever tags the body holds.
        for _event, first in safe_iterparse(stream, limits, events=("start",)):
            self._check_root(first)
            break
        else:
            raise NotEML("The file holds no XML elements.")
        stream.seek(0)
        root: etree._Element | None = None
        events = safe_iterparse(stream, limits, events=("end",), tag=list(handlers))
        for _event, element in events:
            handlers[element.tag](element)
            if self.elements > limits.max_xml_elements:
                raise LimitExceeded(
                    f"The XML has more than {limits.max_xml_elements:,} elements, the most "
                    "this service reads in one file.",
                    location={"line": element.sourceline},
                )
            root = element
        if root is None:
            raise StructureError(
                "The EML document holds no count (no TotalVotes or ReportingUnitVotes).",
                location={"xpath": "/EML/Count"},
            )
        root = root.getroottree().getroot()
        self._check_leftovers(root)
        return self._document()

    # --- root and header ---------------------------------------------------------------

    def _contest_end(self, element: etree._Element) -> None:
        self.contests += 1

    def _check_root(self, root: etree._Element) -> None:
        ns, local = namespace(root.tag), local_name(root.tag)
        if local != "EML" or ns != n.EML:
            found = f"<{local}>" + (f" in namespace {ns}" if ns else " without a namespace")
            raise NotEML(
                f"The XML's root element is {found}; an EML_NL file starts with <EML> in "
                f"namespace {n.EML}. This is not an election count.",
                location={"line": root.sourceline, "xpath": "/" + local},
            )
        eml_id = (root.get("Id") or "").strip()
        self.eml_id = eml_id
        if eml_id not in n.COUNT_LEVELS:
            what = n.EML_DOCUMENTS.get(eml_id, f"an EML document with Id {eml_id!r}")
            hint = ""
            if eml_id in ("230b", "110a", "110b"):
                hint = (
                    " Send it as context with the count instead (the 'candidate_list' or "
                    "'election_definition' part)."
                )
            raise NotACount(
                f"This file is {what}, not a count of votes (EML 510). telnorm normalises "
                f"counts only.{hint}",
                location={"line": root.sourceline, "xpath": "/EML/@Id"},
                eml_id=eml_id or None,
            )

    def _transaction(self, element: etree._Element) -> None:
        self.header["transaction_id"] = (element.text or "").strip() or None

    def _authority(self, element: etree._Element) -> None:
        parent = element.getparent()
        if parent is None or parent.tag != _E("ManagingAuthority"):
            return
        self.header["authority_id"] = (element.get("Id") or "").strip() or None
        self.header["authority_name"] = (element.text or "").strip() or None

    def _created(self, element: etree._Element) -> None:
        self.header["created"] = (element.text or "").strip() or None

    def _schema(self, element: etree._Element) -> None:
        self.header["schema_version"] = element.get("Version")

    def _phase(self, element: etree._Element) -> None:
        self.header["phase"] = element.get("PhaseCode")

    def _counting_method(self, element: etree._Element) -> None:
        self.header["counting_method"] = element.get("MethodCode")

    def _election(self, element: etree._Element) -> None:
        election = self.header["election"]
        election["id"] = (element.get("Id") or "").strip() or None
        for child in element:
            tag = child.tag
            text = (child.text or "").strip() or None
            if tag == _E("ElectionName"):
                election["name"] = text
            elif tag == _E("ElectionCategory"):
                election["category"] = text
            elif tag == _KR("ElectionSubcategory"):
                election["subcategory"] = text
            elif tag == _KR("ElectionDate"):
                election["date"] = text
            elif tag == _KR("ElectionDomain"):
                election["domain"] = {"id": child.get("Id"), "name": text}

    def _contest(self, element: etree._Element) -> None:
        contest = self.header["contest"]
        contest["id"] = (element.get("Id") or "").strip() or None
        for child in element:
            if child.tag == _E("ContestName"):
                contest["name"] = (child.text or "").strip() or None

    # --- groups ------------------------------------------------------------------------

    def _open_group(self, child: etree._Element) -> _Group:
        """The open group, created on its first child (whose parent says which kind)."""
        group = self.group
        if group is None:
            parent = child.getparent()
            is_total = parent is not None and parent.tag == TOTAL_VOTES
            group = self.group = _Group(-1 if is_total else len(self.units))
            if self.defer:
                self.group_lines.setdefault(group.index, GroupLines())
        return group

    def _group_of(self, element: etree._Element) -> _Group:
        """The group closing now (an empty one has had no child to open it)."""
        group = self.group
        if group is None:
            group = _Group(-1 if element.tag == TOTAL_VOTES else len(self.units))
        return group

    def _keep_lines(self, group: _Group, element: etree._Element, count: int) -> None:
        """Deferred locations: the line of each of the group's Selections, kept compactly."""
        lines = self.group_lines.setdefault(group.index, GroupLines())
        first = _line_of(element) or 0
        last = _LAST_SELECTION(element)
        found = last[0] if isinstance(last, list) and last else None
        end = _line_of(found) if isinstance(found, etree._Element) else None
        if first and first == end:  # lines only grow: every Selection is on this line
            lines.selections = array("L", [first]) * count
        else:
            lines.selections = array("L", (_line_of(s) or 0 for s in element.iter(SELECTION)))

    def _read_selections(self, group: _Group, element: etree._Element) -> None:
        """Read the closing group's selections: in bulk when they are plain
        (:mod:`telnorm.parsers.eml.bulk`), else one by one with every check."""
        counted = _COUNT_SELECTIONS(element)
        selections = int(counted) if isinstance(counted, float) else 0
        if self.defer:
            self._keep_lines(group, element, selections)
        plain = read_plain(element, selections)
        if plain is None:
            # in document order, at any depth: as they closed (nested in an extension too)
            for child in element.iter(SELECTION):
                self.elements += len(child) + 2  # the Selection, its children, the identifier
                self._selection(child)
            return
        self.elements += 4 * plain.count  # each: the Selection, two children, the identifier
        group.seen = plain.count
        group.selections = plain.selections
        affiliations = self.affiliations
        for listed in plain.lists:
            affiliation_id = listed.affiliation_id
            group.list_ids.add(affiliation_id)
            known = affiliations.get(affiliation_id)
            if known is None:
                known = affiliations[affiliation_id] = (listed.name, {})
            elif known[0] is None and listed.name:
                known = affiliations[affiliation_id] = (listed.name, known[1])
            names = known[1]
            missing = set(listed.candidate_ids).difference(names)
            if missing:  # in order of appearance, as the one-by-one reading records them
                for candidate_id in listed.candidate_ids:
                    if candidate_id in missing:
                        names[candidate_id] = None

    def _selection(self, element: etree._Element) -> None:
        group = self._open_group(element)
        group.seen += 1
        affiliation_id: str | None = None
        candidate_id: str | None = None
        name: str | None = None
        votes: int | None = None
        previous: int | None = None
        votes_line: int | None = None
        for child in element:
            tag = child.tag
            if tag == VALID_VOTES:
                if votes is not None:
                    self._duplicate(
                        group,
                        "ValidVotes",
                        self._selection_xpath(group) + "/ValidVotes",
                        votes_line,
                        child,
                    )
                votes_line = _line_of(child)
                text = child.text
                # fast path for the common case; _count handles spaces and reports errors
                if text is not None and len(text) < 16 and text.isdigit() and text.isascii():
                    votes = int(text)
                else:
                    votes = _count(child, self._selection_xpath(group) + "/ValidVotes")
            elif tag == CANDIDATE:
                for part in child:
                    if part.tag == CANDIDATE_IDENTIFIER:
                        candidate_id = sys.intern((part.get("Id") or "").strip())
                    elif part.tag == CANDIDATE_FULL_NAME:
                        name = _person_name(part)
                    elif namespace(part.tag) != n.EML:
                        # Candidate's own EML children (Gender, address) carry no counts.
                        self._unknown(part)
            elif tag == AFFILIATION_IDENTIFIER:
                affiliation_id = sys.intern((child.get("Id") or "").strip())
                for part in child:
                    if part.tag == REGISTERED_NAME:
                        name = (part.text or "").strip()
            elif tag == PREVIOUS_VALID_VOTES:
                previous = _count(
                    child, self._selection_xpath(group) + "/" + "kr:PreviousValidVotes"
                )
            elif tag not in KNOWN:
                self._unknown(child)
        if affiliation_id is not None:
            if not affiliation_id:
                raise StructureError(
                    "A list (AffiliationIdentifier) has no Id, so its votes cannot be "
                    "assigned to a list number.",
                    location={
                        "line": element.sourceline,
                        "xpath": self._selection_xpath(group),
                    },
                )
            if affiliation_id in group.list_ids:
                raise StructureError(
                    f"List {affiliation_id} appears twice in the same "
                    f"{'total' if group.index < 0 else 'reporting unit'}; which of its numbers "
                    "is right cannot be told. Export the count again.",
                    location={
                        "line": element.sourceline,
                        "xpath": self._selection_xpath(group),
                    },
                )
            group.list_ids.add(affiliation_id)
            selection: Selection = {
                "affiliation_id": affiliation_id,
                "valid_votes": votes,
                "candidates": [],
            }
            group.selections.append(selection)
            group.current = selection
            group.current_candidates = set()
            known = self.affiliations.get(affiliation_id)
            if known is None:
                self.affiliations[affiliation_id] = (name, {})
            elif known[0] is None and name:
                self.affiliations[affiliation_id] = (name, known[1])
            if previous is not None:
                group.prev()["selections"].append(
                    {"affiliation_id": affiliation_id, "valid_votes": previous, "candidates": []}
                )
        elif candidate_id is not None:
            current = group.current
            if current is None:
                raise StructureError(
                    "A candidate's votes come before any list: in EML each candidate belongs "
                    "to the list Selection before it.",
                    location={
                        "line": element.sourceline,
                        "xpath": self._selection_xpath(group),
                    },
                )
            if not candidate_id:
                raise StructureError(
                    "A candidate (CandidateIdentifier) has no Id.",
                    location={
                        "line": element.sourceline,
                        "xpath": self._selection_xpath(group),
                    },
                )
            if votes is None:
                raise StructureError(
                    "A candidate's Selection has no ValidVotes.",
                    location={
                        "line": element.sourceline,
                        "xpath": self._selection_xpath(group),
                    },
                )
            if candidate_id in group.current_candidates:
                raise StructureError(
                    f"Candidate {candidate_id} appears twice under list "
                    f"{current['affiliation_id']}: the Selection of the next list is probably "
                    "missing (in EML each candidate belongs to the list Selection before it), "
                    "so these votes cannot be assigned. Export the count again.",
                    location={
                        "line": element.sourceline,
                        "xpath": self._selection_xpath(group),
                    },
                )
            group.current_candidates.add(candidate_id)
            entry: CandidateVotes = {"candidate_id": candidate_id, "valid_votes": votes}
            candidates = current["candidates"]
            candidates.append(entry)
            names = self.affiliations[current["affiliation_id"]][1]
            if name or candidate_id not in names:
                names[candidate_id] = name
            if previous is not None and group.previous is not None and group.previous["selections"]:
                group.previous["selections"][-1]["candidates"].append(
                    {"candidate_id": candidate_id, "valid_votes": previous}
                )
        else:
            raise StructureError(
                "A Selection names neither a list (AffiliationIdentifier) nor a candidate.",
                location={
                    "line": element.sourceline,
                    "xpath": self._selection_xpath(group),
                },
            )

    def _selection_xpath(self, group: _Group) -> str:
        # Position among the group's Selection elements (lists and candidates).
        return f"{group.xpath()}/Selection[{group.seen}]"

    def _scalar_location(
        self, group: _Group, field: str, element: etree._Element, name: str
    ) -> None:
        self._locate_scalar(
            group, "/" + field, {"line": element.sourceline, "xpath": f"{group.xpath()}/{name}"}
        )

    def _locate_scalar(self, group: _Group, suffix: str, location: dict[str, Any]) -> None:
        if self.defer:
            self.group_lines[group.index].scalars[suffix] = location
        else:
            self.context.locate(group.pointer() + suffix, location)

    def _duplicate(
        self,
        group: _Group,
        name: str,
        xpath: str,
        first_line: int | None,
        element: etree._Element,
    ) -> NoReturn:
        """A count element the schema allows once, stated again: refused, never last-wins."""
        where = "the total" if group.index < 0 else f"reporting unit {group.unit_id or ''}"
        # positional XPaths name the two places even in a file written on one line
        first, second = f"{xpath}[1]", f"{xpath}[2]"
        raise DuplicateValue(
            f"{name} is stated twice in {where.strip()}: {first} (line {first_line}) and "
            f"{second} (line {_line_of(element)}). EML allows it once, and which number is "
            "right cannot be told. Export the count again.",
            location={"line": _line_of(element), "xpath": second},
            first={"line": first_line, "xpath": first},
        )

    def _once(self, group: _Group, name: str, xpath: str, element: etree._Element) -> None:
        """Remember where ``name`` was stated in this group; a second time is refused."""
        lines = group.lines
        if name in lines:
            self._duplicate(group, name, xpath, lines[name], element)
        lines[name] = _line_of(element)

    def _cast(self, element: etree._Element) -> None:
        group = self._open_group(element)
        self._once(group, "Cast", group.xpath() + "/Cast", element)
        group.cast = _count(element, group.xpath() + "/Cast")
        if self.defer:
            self._scalar_location(group, "cast", element, "Cast")

    def _total_counted(self, element: etree._Element) -> None:
        group = self._open_group(element)
        self._once(group, "TotalCounted", group.xpath() + "/TotalCounted", element)
        group.total_counted = _count(element, group.xpath() + "/TotalCounted")
        if self.defer:
            self._scalar_location(group, "total_counted", element, "TotalCounted")

    def _reason(
        self, group: _Group, element: etree._Element, target: dict[str, int], name: str, field: str
    ) -> None:
        code = (element.get("ReasonCode") or "").strip()
        xpath = f"{group.xpath()}/{name}[@ReasonCode='{code}']"
        if not code:
            raise StructureError(
                f"{name} has no ReasonCode, so it is unclear which count it is.",
                location={"line": element.sourceline, "xpath": xpath},
            )
        self._once(group, f"{name} with ReasonCode {code!r}", xpath, element)
        value = _count(element, xpath)
        if code not in KNOWN_REASON_CODES[name]:
            self.context.note(
                "unknown-reason-code",
                f"{name} ReasonCode {code!r} is not an EML_NL reason code; its numbers are kept "
                f"under {field} as the file states them, but no rule checks them and the EML, "
                "osv4-3 and databank exports refuse them.",
                {"line": element.sourceline, "xpath": xpath},
                once_key=f"{name}:{code}",
            )
        target[code] = value
        if self.defer:
            self._locate_scalar(
                group,
                f"/{field}/{escape_pointer(code)}",
                {"line": element.sourceline, "xpath": xpath},
            )

    def _rejected(self, element: etree._Element) -> None:
        group = self._open_group(element)
        self._reason(group, element, group.rejected, "RejectedVotes", "rejected_votes")

    def _uncounted(self, element: etree._Element) -> None:
        group = self._open_group(element)
        self._reason(group, element, group.uncounted, "UncountedVotes", "uncounted_votes")

    def _previous_scalar(self, element: etree._Element) -> None:
        group = self._open_group(element)
        field = "cast" if element.tag == PREVIOUS_CAST else "total_counted"
        group.prev()[field] = _count(element, group.xpath() + "/" + local_name(element.tag))

    def _previous_reason(self, element: etree._Element) -> None:
        group = self._open_group(element)
        field = "rejected_votes" if element.tag == PREVIOUS_REJECTED_VOTES else "uncounted_votes"
        code = (element.get("ReasonCode") or "").strip()
        group.prev()[field][code] = _count(element, group.xpath() + "/" + local_name(element.tag))

    def _investigations(self, element: etree._Element) -> None:
        group = self._open_group(element)
        found: dict[str, bool] = {}
        for child in element:
            if child.tag == INVESTIGATION:
                found[(child.get("ReasonCode") or "").strip()] = (
                    child.text or ""
                ).strip().lower() == "true"
        group.investigations = found
        group.investigations_line = getattr(element, "sourceline", None)  # stubs lack the type

    def _unit_identifier(self, element: etree._Element) -> None:
        group = self._open_group(element)
        group.unit_id = (element.get("Id") or "").strip()
        group.raw_name = element.text.strip() if element.text else None

    def _close_total(self, element: etree._Element) -> None:
        group = self._group_of(element)
        self._read_selections(group, element)
        self._check_group_children(element)
        if self.total is not None:
            raise StructureError(
                "The file has more than one TotalVotes; a count has one total.",
                location={"line": element.sourceline, "xpath": group.xpath()},
            )
        if self.defer:
            self.group_lines.setdefault(group.index, GroupLines()).keep_shape(group.selections)
        self.total = group.vote_group()
        self.group = None
        self._detach(element)

    def _close_unit(self, element: etree._Element) -> None:
        group = self._group_of(element)
        self._read_selections(group, element)
        self._check_group_children(element)
        if not group.unit_id:
            raise StructureError(
                "A ReportingUnitVotes has no ReportingUnitIdentifier with an Id.",
                location={"line": element.sourceline, "xpath": group.xpath()},
            )
        name, postal = eml_unit_name(group.raw_name)
        unit: ReportingUnit = {
            "id": group.unit_id,
            "number": unit_number(group.unit_id),
            "name": name,
        }
        if group.raw_name is not None and group.raw_name != name:
            unit["raw_name"] = group.raw_name
        unit["postal_code"] = postal
        unit["kind"] = unit_kind(group.unit_id, name)
        unit["cast"] = group.cast
        unit["total_counted"] = group.total_counted
        unit["rejected_votes"] = group.rejected
        unit["uncounted_votes"] = group.uncounted
        if self.defer:
            self.group_lines.setdefault(group.index, GroupLines()).keep_shape(group.selections)
        unit["selections"] = pack(group.selections)  # a fifth of the memory (see packed_selections)
        if group.previous is not None:
            unit["previous"] = group.previous
        if group.investigations is not None:
            unit["investigations"] = group.investigations
            # EML_NL 1.2.2 allows it only as the unit's last child.
            block = element.find(INVESTIGATIONS)
            if block is not None and block.getnext() is not None:
                self.context.note(
                    "schema-drift",
                    "kr:ReportingUnitInvestigations stands before the unit's votes, where the "
                    "EML_NL 1.2.2 schema does not allow it (it must come last); its values "
                    "are kept as 'investigations' of the unit.",
                    {
                        "line": group.investigations_line,
                        "xpath": group.xpath() + "/kr:ReportingUnitInvestigations",
                    },
                    once_key="investigations",
                )
        self.units.append(unit)
        self.group = None
        self._detach(element)

    def _detach(self, element: etree._Element) -> None:
        """Free a finished group and what stands before it (earlier groups, header parts).

        Unknown elements among those siblings are reported first: once detached, the check
        of leftovers at the end of the file would not see them.
        """
        element.clear()
        parent = element.getparent()
        if parent is None:
            return
        while (sibling := element.getprevious()) is not None:
            if isinstance(sibling.tag, str) and sibling.tag not in KNOWN:
                self._foreign(sibling)
            del parent[0]

    def _check_group_children(self, element: etree._Element) -> None:
        # Unknown children are counted against the element limit here (lxml hands the
        # reader only the tags it handles, so nobody else counts them).
        unknown = 0
        # Selections are known (a thousand per station): when every other child has a known
        # tag (counted by lxml's C tag filter), there is nothing to look at in Python
        direct = _DIRECT_SELECTIONS(element)
        known = sum(1 for _ in element.iterchildren(*_GROUP_CHILDREN))
        if isinstance(direct, float) and int(direct) + known == len(element):
            self.elements += 1
            return
        others = _NOT_SELECTIONS(element)
        for child in others if isinstance(others, list) else ():
            if isinstance(child, etree._Element) and child.tag not in KNOWN:
                unknown += 1
                self._unknown(child)
        self.elements += 1 + unknown

    # --- extensions --------------------------------------------------------------------

    def _unknown(self, element: etree._Element) -> None:
        tag = element.tag
        if not isinstance(tag, str):
            return  # comments and processing instructions
        # Once per name: a file may hold hundreds of thousands of one extension element, and
        # describing each (its XPath, the numbers below it) only to drop the note again made
        # such files cost time in proportion to elements times their depth.
        if tag in self.unknown_seen:
            if len(element) and _depth(element) > self.context.limits.max_xml_depth:
                self._too_deep(element)
            return
        self.unknown_seen.add(tag)
        ns = namespace(tag)
        if ns in IGNORED_NAMESPACES:
            return
        depth = _depth(element)
        if depth > self.context.limits.max_xml_depth:
            self._too_deep(element)
        numbers = [
            (node.text or "").strip()
            for node in element.iter()
            if isinstance(node.tag, str) and (node.text or "").strip().isdigit()
        ]
        detail = ""
        if numbers:
            shown = ", ".join(numbers[:5]) + ("..." if len(numbers) > 5 else "")
            detail = f" It holds numbers ({shown}) that are not counted."
        self.context.note(
            "unknown-element",
            f"Element <{local_name(tag)}> (namespace {ns or 'none'}) is not part of EML_NL "
            f"510 as telnorm knows it; it is kept out of the numbers.{detail}",
            {"line": element.sourceline, "xpath": _xpath_of(element)},
            once_key=tag,
        )

    def _too_deep(self, element: etree._Element) -> None:
        raise LimitExceeded(
            f"An element is nested {_depth(element)} levels deep inside "
            f"<{local_name(element.tag)}>; election files are never that deep.",
            location={"line": element.sourceline},
        )

    def _check_leftovers(self, root: etree._Element) -> None:
        """After the stream: report unknown elements outside the vote groups, once each.

        What is left of the tree is the header: the vote groups were detached as they closed.
        """
        stack = list(root)
        while stack:
            element = stack.pop()
            tag = element.tag
            if not isinstance(tag, str):
                continue
            if tag in KNOWN:
                stack.extend(element)
                continue
            self._foreign(element)

    def _foreign(self, element: etree._Element) -> None:
        """Report an element telnorm does not read (with its whole subtree), once per name."""
        if namespace(element.tag) == n.RG:
            self.context.note(
                "report-generator-block",
                "The file carries an OSV report-generator (rg:) block: a summary laid out "
                "for printing that repeats the counts. It is ignored; the counts are read "
                "from the EML elements.",
                {"line": element.sourceline, "xpath": _xpath_of(element)},
                once_key="rg",
            )
            return
        self._unknown(element)

    # --- the document ------------------------------------------------------------------

    def _document(self) -> Document:
        header = self.header
        if self.contests > 1:
            raise StructureError(
                f"The file holds {self.contests} contests; telnorm reads counts of one "
                "contest per file. Split the file per contest.",
                location={"xpath": "/EML/Count/Election/Contests"},
            )
        if self.total is None:
            raise StructureError(
                "The count has no TotalVotes: every EML 510 states the authority's total.",
                location={"xpath": _GROUP_XPATH + "TotalVotes"},
            )
        if self.group is not None:
            raise StructureError(
                "Votes stand outside any TotalVotes or ReportingUnitVotes.",
                location={"xpath": _GROUP_XPATH},
            )
        if header["authority_id"] is None:
            raise StructureError(
                "The count names no managing authority (ManagingAuthority/"
                "AuthorityIdentifier/@Id), so it is unclear whose count this is.",
                location={"xpath": "/EML/ManagingAuthority/AuthorityIdentifier"},
            )
        eml_id = self.eml_id or "510b"
        level = n.COUNT_LEVELS[eml_id]
        if self.defer:
            self.context.deferred_locations = DeferredLocations(self.group_lines)
        affiliations = self._affiliations()
        return {
            "format_version": FORMAT_VERSION,
            "document": {
                "eml_id": eml_id,
                "level": level,
                "created": header["created"],
                "transaction_id": header["transaction_id"],
                "schema_version": header["schema_version"],
                "phase": header["phase"],
                "counting_method": header["counting_method"],
            },
            "election": header["election"],
            "contest": header["contest"],
            "managing_authority": {"id": header["authority_id"], "name": header["authority_name"]},
            "affiliations": affiliations,
            "total_votes": self.total,
            "reporting_unit_votes": self.units,
            "notes": [],
        }

    def _affiliations(self) -> list[dict[str, Any]]:
        result = []
        for affiliation_id, (name, candidates) in sorted(
            self.affiliations.items(), key=lambda item: id_sort_key(item[0])
        ):
            result.append(
                {
                    "id": affiliation_id,
                    "name": name,
                    "candidates": [
                        {"id": candidate_id, "name": candidates[candidate_id], "short_code": None}
                        for candidate_id in sorted(candidates, key=id_sort_key)
                    ],
                }
            )
        return result


def _person_name(element: etree._Element) -> str | None:
    """``Lastname, I.`` from an EML CandidateFullName (xNL PersonName)."""
    initials = first = prefix = last = None
    for node in element.iter():
        tag = node.tag
        if not isinstance(tag, str):
            continue
        local = local_name(tag)
        text = (node.text or "").strip() or None
        if local == "NameLine" and node.get("NameType") == "Initials":
            initials = text
        elif local == "FirstName":
            first = text
        elif local == "NamePrefix":
            prefix = text
        elif local == "LastName":
            last = text
    return display_name(initials, first, prefix, last)


def _line_of(element: etree._Element) -> int | None:
    line: int | None = getattr(element, "sourceline", None)  # the stubs lack its type
    return line


def _depth(element: etree._Element) -> int:
    deepest = 0
    stack = [(element, 1)]
    while stack:
        node, level = stack.pop()
        deepest = max(deepest, level)
        stack.extend((child, level + 1) for child in node)
    return deepest


def _xpath_of(element: etree._Element) -> str:
    parts = []
    node: etree._Element | None = element
    while node is not None:
        tag = node.tag
        if isinstance(tag, str):
            ns = namespace(tag)
            prefix = {n.KR: "kr:", n.RG: "rg:", n.DS: "ds:"}.get(ns, "" if ns == n.EML else "*:")
            parts.append(prefix + local_name(tag))
        node = node.getparent()
    return "/" + "/".join(reversed(parts))
