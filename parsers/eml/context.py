"""Context files: documents that are not counts but give a count its names.

* a candidate list (EML 230b): list names and candidate names for the positional ids of a 510;
* an election definition (EML 110a): election name, date and domain, region names, and its
  election tree (which district each municipality lies in); OSV's ``MasterElectionTree.xml``,
  the counting software's tree of every region, is accepted in its place for the tree;
* a polling-station list (EML 110b): polling-station names and postcodes.

All are small (under a megabyte), but they are read through the same safe streaming parser
as counts. Any parser may use them (the tabular parsers resolve list names through the
candidate list): they arrive parsed in ``ParseContext.context`` under their role.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from lxml import etree

from telnorm.parsers.api import Limits, Source
from telnorm.parsers.canonical import normalise_postcode
from telnorm.parsers.eml import names as n
from telnorm.parsers.errors import ContextFileError, TelnormError
from telnorm.parsers.xmlsafe import local_name, namespace, refuse_doctype_in_head, safe_iterparse

_E, _KR = n.e, n.kr

CANDIDATE_LIST = "candidate_list"
ELECTION_DEFINITION = "election_definition"
POLLING_STATIONS = "polling_stations"
CONTEXT_ROLES = (CANDIDATE_LIST, ELECTION_DEFINITION, POLLING_STATIONS)

#: Which EML documents each role accepts. An election definition part may also carry a 110b.
ROLE_DOCUMENTS = {
    CANDIDATE_LIST: ("230b", "230a", "230c"),
    ELECTION_DEFINITION: ("110a", "110b"),
    POLLING_STATIONS: ("110b",),
}


@dataclass
class CandidateInfo:
    id: str
    name: str | None
    short_code: str | None
    initials: str | None = None
    first_name: str | None = None
    prefix: str | None = None
    last_name: str | None = None
    gender: str | None = None
    locality: str | None = None


@dataclass(frozen=True)
class RegionNode:
    """One region of an election tree (110a ``kr:ElectionTree`` or OSV's master tree)."""

    category: str  # GEMEENTE, KIESKRING, PROVINCIE, STAAT, ...
    number: str
    name: str | None
    superior_category: str | None
    superior_number: str | None


#: The root of OSV's master election tree (no namespace), accepted as an election definition.
MASTER_TREE = "MasterElectionTree"


@dataclass
class AffiliationInfo:
    id: str
    name: str | None
    candidates: dict[str, CandidateInfo] = field(default_factory=dict)


@dataclass
class ContextDocument:
    """What telnorm keeps of a context file."""

    role: str
    eml_id: str
    election: dict[str, Any] = field(default_factory=dict)
    contest: dict[str, Any] = field(default_factory=dict)
    authority: dict[str, Any] = field(default_factory=dict)
    #: 230b: list number -> list.
    affiliations: dict[str, AffiliationInfo] = field(default_factory=dict)
    #: 110a: region number -> name (municipalities, districts).
    regions: dict[str, str] = field(default_factory=dict)
    #: 110a or master tree: (category, number) -> region, with the region it lies in.
    region_tree: dict[tuple[str, str], RegionNode] = field(default_factory=dict)
    #: 110b: polling-station number -> (name, postcode).
    polling_stations: dict[str, tuple[str | None, str | None]] = field(default_factory=dict)


def _text(element: etree._Element | None) -> str | None:
    if element is None or element.text is None:
        return None
    return element.text.strip() or None


def display_name(
    initials: str | None, first: str | None, prefix: str | None, last: str | None
) -> str | None:
    """``Wilders, G.``: the way the Kiesraad's own results print names."""
    if not last:
        return first or initials
    surname = f"{prefix} {last}" if prefix else last
    return f"{surname}, {initials}" if initials else surname


def _read_candidate(element: etree._Element) -> CandidateInfo:
    info = CandidateInfo(id="", name=None, short_code=None)
    for child in element.iter():
        tag = child.tag
        if not isinstance(tag, str):
            continue
        local = local_name(tag)
        if tag == _E("CandidateIdentifier"):
            info.id = (child.get("Id") or "").strip()
            info.short_code = child.get("ShortCode")
        elif local == "NameLine" and child.get("NameType") == "Initials":
            info.initials = _text(child)
        elif local == "FirstName":
            info.first_name = _text(child)
        elif local == "NamePrefix":
            info.prefix = _text(child)
        elif local == "LastName":
            info.last_name = _text(child)
        elif tag == _E("Gender"):
            info.gender = _text(child)
        elif local == "LocalityName":
            info.locality = _text(child)
    info.name = display_name(info.initials, info.first_name, info.prefix, info.last_name)
    return info


def _read_election(element: etree._Element) -> dict[str, Any]:
    election: dict[str, Any] = {"id": (element.get("Id") or "").strip() or None}
    for child in element:
        tag = child.tag
        if tag == _E("ElectionName"):
            election["name"] = _text(child)
        elif tag == _E("ElectionCategory"):
            election["category"] = _text(child)
        elif tag == _KR("ElectionSubcategory"):
            election["subcategory"] = _text(child)
        elif tag == _KR("ElectionDate"):
            election["date"] = _text(child)
        elif tag == _KR("ElectionDomain"):
            election["domain"] = {"id": child.get("Id"), "name": _text(child)}
    return election


#: The region categories of a municipality (a public body is an EILANDSGEMEENTE).
MUNICIPALITY_CATEGORIES = ("GEMEENTE", "EILANDSGEMEENTE")


def _add_region(
    doc: ContextDocument,
    element: etree._Element,
    superior_category: str | None,
    superior_number: str | None,
    name: str | None,
) -> None:
    category = (element.get("RegionCategory") or "").strip()
    number = (element.get("RegionNumber") or "").strip()
    if not category or not number:
        return  # the country (STAAT) has no number: nothing lies under it by number
    doc.region_tree[(category, number)] = RegionNode(
        category, number, name, superior_category, (superior_number or "").strip() or None
    )


def district_of(tree: dict[tuple[str, str], RegionNode], municipality: str) -> str | None:
    """The number of the KIESKRING a municipality (CBS code, leading zeros or not) lies in,
    walking up the tree (the master tree puts a PS district in between), or None."""
    for category in MUNICIPALITY_CATEGORIES:
        node = tree.get((category, municipality)) or tree.get(
            (category, municipality.lstrip("0") or "0")
        )
        if node is None:
            node = tree.get((category, municipality.zfill(4)))
        seen = 0
        while node is not None and seen < 16:  # a malformed tree cannot loop forever
            if node.superior_category == "KIESKRING" and node.superior_number:
                return node.superior_number
            if node.superior_category is None or node.superior_number is None:
                break
            node = tree.get((node.superior_category, node.superior_number))
            seen += 1
    return None


def read_context_file(source: Source, role: str, limits: Limits) -> ContextDocument:
    """Read a context file for ``role``; ContextFileError when it is not what the role needs."""
    label = role.replace("_", " ")
    try:
        head = source.head
        if not head.strip():
            raise ContextFileError(f"The {label} file is empty.")
        refuse_doctype_in_head(head)
        with source.open() as stream:
            return _read(stream, source, role, limits)
    except ContextFileError:
        raise
    except TelnormError as exc:
        raise ContextFileError(
            f"The {label} file ({source.filename}) cannot be read: {exc.message}",
            location=exc.location,
            role=role,
        ) from None


def _read(stream: Any, source: Source, role: str, limits: Limits) -> ContextDocument:
    doc: ContextDocument | None = None
    label = role.replace("_", " ")
    current_affiliation: AffiliationInfo | None = None
    for _event, element in safe_iterparse(stream, limits, events=("end",)):
        if doc is None:
            root = element.getroottree().getroot()
            eml_id = (root.get("Id") or "").strip()
            if role == ELECTION_DEFINITION and root.tag == MASTER_TREE:
                doc = ContextDocument(role=role, eml_id=MASTER_TREE)
            elif local_name(root.tag) != "EML" or namespace(root.tag) != n.EML:
                raise ContextFileError(
                    f"The {label} file ({source.filename}) is not an EML_NL document.",
                    role=role,
                )
            elif eml_id not in ROLE_DOCUMENTS[role]:
                what = n.EML_DOCUMENTS.get(eml_id, f"EML {eml_id!r}")
                wanted = " or ".join(f"EML {d}" for d in ROLE_DOCUMENTS[role])
                raise ContextFileError(
                    f"The {label} file ({source.filename}) is {what}; a {label} must be {wanted}.",
                    role=role,
                    eml_id=eml_id,
                )
            else:
                doc = ContextDocument(role=role, eml_id=eml_id)
        tag = element.tag
        if tag == _E("AuthorityIdentifier"):
            doc.authority = {"id": element.get("Id"), "name": _text(element)}
        elif tag == _E("ElectionIdentifier"):
            doc.election = _read_election(element)
        elif tag == _E("ContestIdentifier"):
            doc.contest = {"id": element.get("Id"), "name": _text(element.find(_E("ContestName")))}
        elif tag == _E("AffiliationIdentifier"):
            affiliation_id = (element.get("Id") or "").strip()
            current_affiliation = doc.affiliations.setdefault(
                affiliation_id,
                AffiliationInfo(affiliation_id, _text(element.find(_E("RegisteredName")))),
            )
        elif tag == _E("Candidate") and current_affiliation is not None:
            parent = element.getparent()
            if parent is not None and parent.tag == _E("Affiliation"):
                candidate = _read_candidate(element)
                current_affiliation.candidates[candidate.id] = candidate
                element.clear()
        elif tag == _E("Affiliation"):
            current_affiliation = None
            element.clear()
        elif tag == _KR("Region"):
            region_number = element.get("RegionNumber")
            region_name = _text(element.find(_KR("RegionName")))
            if region_number and region_name:
                doc.regions[region_number] = region_name
            _add_region(
                doc,
                element,
                element.get("SuperiorRegionCategory"),
                element.get("SuperiorRegionNumber"),
                region_name,
            )
        elif tag == "Region" and doc.eml_id == MASTER_TREE:
            # The master tree nests regions instead of naming the superior one, and numbers
            # the PS districts between a municipality and its KIESKRING per province; so a
            # region is recorded with the nearest KIESKRING above it (else its parent).
            region_name = _text(element.find("RegionName"))
            ancestors = list(element.iterancestors("Region"))
            above = next(
                (a for a in ancestors if a.get("RegionCategory") == "KIESKRING"),
                ancestors[0] if ancestors else None,
            )
            _add_region(
                doc,
                element,
                None if above is None else above.get("RegionCategory"),
                None if above is None else above.get("RegionNumber"),
                region_name,
            )
            if element.get("RegionCategory") in MUNICIPALITY_CATEGORIES and region_name:
                doc.regions.setdefault(str(element.get("RegionNumber")), region_name)
        elif tag == _E("PollingPlace"):
            station = element.find(f".//{_E('PollingStation')}")
            if station is not None:
                number = (station.get("Id") or "").strip()
                name = _text(element.find(f".//{{{n.XAL}}}LocalityName"))
                postcode = normalise_postcode(
                    _text(element.find(f".//{{{n.XAL}}}PostalCodeNumber"))
                )
                doc.polling_stations[number] = (name, postcode)
            element.clear()
    if doc is None:
        raise ContextFileError(f"The {label} file holds no XML elements.", role=role)
    if role == CANDIDATE_LIST and not doc.affiliations:
        raise ContextFileError(
            f"The {label} file ({source.filename}) lists no parties (Affiliation).", role=role
        )
    return doc
