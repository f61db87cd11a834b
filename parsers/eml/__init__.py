"""EML_NL: the XML the counting software (OSV, Abacus) and the Electoral Council exchange.

:class:`EMLParser` reads 510a/b/c/d counts at every level, from the 2017-era OSV output to the
EML_NL 1.3 draft, streaming. Other EML documents are recognised and refused for counting with
a message that says what they are; 230b, 110a and 110b are read as context files
(:mod:`telnorm.parsers.eml.context`).
"""

from __future__ import annotations

import re
from typing import Any, ClassVar

from telnorm.parsers import enrich
from telnorm.parsers.api import Detection, ParseContext, Parser, Source
from telnorm.parsers.canonical import Document
from telnorm.parsers.eml import names as n
from telnorm.parsers.eml.context import (
    CANDIDATE_LIST,
    ELECTION_DEFINITION,
    POLLING_STATIONS,
    ContextDocument,
)
from telnorm.parsers.eml.count import CountReader
from telnorm.parsers.errors import ContextFileError
from telnorm.parsers.text import guess_encoding
from telnorm.parsers.xmlsafe import refuse_doctype_in_head

__all__ = ["EMLParser"]

_ROOT_ID = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?EML\b[^>]*?\sId\s*=\s*[\"']([^\"']*)[\"']", re.S)
_XML_START = re.compile(rb"^\s*(?:<\?xml|<!--|<)", re.S)


class EMLParser(Parser):
    name = "eml"
    version = "1.0.0"
    title = "EML_NL 510a/b/c/d counts (OSV 2017 output up to the EML_NL 1.3 draft)"
    media_types = ("application/xml", "text/xml", "application/eml+xml")
    extensions = (".xml", ".eml", ".eml.xml")

    _NAMESPACE: ClassVar[bytes] = n.EML.encode()

    def detect(self, head: bytes, filename: str | None) -> Detection:
        text = head
        encoding, _ = guess_encoding(head[:4096], partial=True)
        if encoding.startswith(("utf-16", "utf-32")):
            try:
                text = head[: len(head) - len(head) % 4].decode(encoding, "ignore").encode()
            except LookupError:
                return Detection.no()
        if text.startswith(b"\xef\xbb\xbf"):
            text = text[3:]
        if not _XML_START.match(text):
            return Detection.no("does not start like XML")
        evidence = ["starts like XML"]
        # Any XML is ours to answer for: a non-EML XML gets a clear 'not-eml' from parse().
        confidence = 0.5
        if self._NAMESPACE in text:
            evidence.append(f"declares the EML namespace {n.EML}")
            confidence = 0.75
        match = _ROOT_ID.search(text)
        eml_id = match.group(1).decode("ascii", "replace") if match else None
        if match:
            evidence.append(f'root <EML Id="{eml_id}">')
        if eml_id in n.COUNT_LEVELS:
            confidence = 0.98 if self._NAMESPACE in text else 0.6
            evidence.append(f"an EML {eml_id} count ({n.COUNT_LEVELS[eml_id]} level)")
            fmt = f"eml-{eml_id}"
        elif eml_id:
            # Recognised, so that parse() can refuse it with a message saying what it is.
            confidence = 0.9 if self._NAMESPACE in text else 0.5
            evidence.append(n.EML_DOCUMENTS.get(eml_id, f"EML {eml_id}") + ", not a count")
            fmt = f"eml-{eml_id}"
        else:
            fmt = "xml"
        if b"<!DOCTYPE" in text:
            evidence.append("declares a DOCTYPE (will be refused)")
        return Detection(confidence, tuple(evidence), fmt, "application/xml")

    def parse(self, source: Source, context: ParseContext) -> Document:
        refuse_doctype_in_head(source.head)
        with source.open() as stream:
            document = CountReader(context).read(stream)
        _apply_context(document, context)
        encoding, _ = guess_encoding(source.head[:4096], partial=True)
        document["source"] = {
            "encoding": encoding.replace("-sig", ""),
            "media_type": "application/xml",
        }
        return document


def _apply_context(document: Document, context: ParseContext) -> None:
    candidate_list = context.context.get(CANDIDATE_LIST)
    if isinstance(candidate_list, ContextDocument):
        apply_candidate_list(document, candidate_list, context)
    for role in (ELECTION_DEFINITION, POLLING_STATIONS):
        definition = context.context.get(role)
        if isinstance(definition, ContextDocument):
            apply_definition(document, definition, context)


def _check_election(document: Document, other: ContextDocument) -> None:
    ours = document["election"].get("id")
    theirs = other.election.get("id")
    if ours and theirs and ours != theirs:
        raise ContextFileError(
            f"The {other.role.replace('_', ' ')} is for election {theirs}, but the count is for "
            f"{ours}. Send the file that belongs to this election.",
            role=other.role,
        )


def apply_candidate_list(
    document: Document, candidate_list: ContextDocument, context: ParseContext
) -> None:
    """A candidate list of another election is refused; else it fills names."""
    _check_election(document, candidate_list)
    enrich.check_same_contest(document, candidate_list)
    enrich.apply_candidate_list(document, candidate_list, context)


def apply_definition(
    document: Document, definition: ContextDocument, context: ParseContext
) -> None:
    """Fill election fields, unit names and postcodes the count lacks."""
    _check_election(document, definition)
    election = document["election"]
    for key, value in definition.election.items():
        if election.get(key) is None and value is not None and key != "id":
            election[key] = value
    filled = 0
    for unit in document["reporting_unit_votes"]:
        tail = str(unit["id"]).rsplit("::", 1)[-1]
        number = tail[2:] if tail.upper().startswith("SB") else tail
        station = definition.polling_stations.get(number)
        if station is not None:
            name, postcode = station
            if not unit.get("name") and name:
                unit["name"] = name
                filled += 1
            if not unit.get("postal_code") and postcode:
                unit["postal_code"] = postcode
                filled += 1
        region = definition.regions.get(number.lstrip("0") or "0") or definition.regions.get(number)
        if region and not unit.get("name"):
            unit["name"] = region
            filled += 1
    if filled:
        context.note(
            "names-from-context",
            f"{filled} unit names or postcodes come from the {definition.role.replace('_', ' ')} "
            f"(EML {definition.eml_id}), not from the count.",
            None,
        )


def describe_context(document: ContextDocument) -> dict[str, Any]:
    return {"role": document.role, "eml_id": document.eml_id}
