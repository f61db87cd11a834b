"""Streaming XML that is safe to point at any upload.

Every XML read in telnorm goes through :func:`safe_iterparse`:

* lxml with ``resolve_entities=False, no_network=True, huge_tree=False``;
* any DOCTYPE is refused before the first element is handed out, so no entity of a
  billion-laughs or external-entity file is ever expanded (lxml reports the DOCTYPE as soon as
  it has read the root's start tag, which comes after every declaration);
* depth and element-count limits, counted as the stream goes;
* syntax errors become :class:`~telnorm.parsers.errors.MalformedXML` with the line and column.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import IO

from lxml import etree

from telnorm.parsers.api import Limits
from telnorm.parsers.errors import LimitExceeded, MalformedXML, UnsafeXML

_ENTITY_MARKERS = (b"<!DOCTYPE", b"<!ENTITY")


def refuse_doctype_in_head(head: bytes) -> None:
    """Cheap pre-check on the first bytes: a DOCTYPE or ENTITY declaration is refused.

    Handles UTF-16 by also looking for the markers with NULs interleaved.
    """
    for marker in _ENTITY_MARKERS:
        wide_le = b"".join(bytes([c, 0]) for c in marker)
        wide_be = b"".join(bytes([0, c]) for c in marker)
        if marker in head or wide_le in head or wide_be in head:
            raise UnsafeXML(
                "The file declares a DOCTYPE or entities. Election files never need one, and "
                "they can be used to read files from the server or exhaust its memory, so "
                "telnorm refuses them. Export the file again without a DOCTYPE.",
            )


def _refuse_doctype(element: etree._Element) -> None:
    docinfo = element.getroottree().docinfo
    if getattr(docinfo, "doctype", None) or docinfo.internalDTD is not None:
        raise UnsafeXML(
            "The file declares a DOCTYPE. Election files never need one, and it can be used "
            "to read files from the server or exhaust its memory, so telnorm refuses it.",
            location={"line": element.sourceline or 1},
        )


def safe_iterparse(
    stream: IO[bytes],
    limits: Limits,
    events: tuple[str, ...] = ("start", "end"),
    tag: list[str] | None = None,
) -> Iterator[tuple[str, etree._Element]]:
    """Yield ``(event, element)`` like :func:`lxml.etree.iterparse`, safely.

    With ``start`` events the depth and element count are checked here as the stream goes.
    With ``end`` events only (the fast path of large counts, optionally filtered by ``tag``
    so that lxml hands Python only the elements the reader wants) the events are counted
    against the element limit, the caller counts what it reads below them, and depth is left
    to libxml2's own limit plus the caller's check of unknown subtrees.

    The caller clears elements it has finished with; this function only guards the stream.
    """
    iterator = etree.iterparse(
        stream,
        events=events,
        tag=tag,
        resolve_entities=False,
        no_network=True,
        huge_tree=False,
        load_dtd=False,
        dtd_validation=False,
        remove_comments=True,
        remove_pis=True,
        recover=False,
    )
    max_depth = limits.max_xml_depth
    max_elements = limits.max_xml_elements
    try:
        if "start" not in events:
            for count, item in enumerate(iterator, 1):
                if count == 1:
                    _refuse_doctype(item[1])
                if count > max_elements:
                    _too_many(max_elements, item[1])
                yield item
            return
        depth = 0
        elements = 0
        for event, element in iterator:
            if event == "start":
                if elements == 0:
                    _refuse_doctype(element)
                depth += 1
                elements += 1
                if depth > max_depth:
                    raise LimitExceeded(
                        f"The XML is nested more than {max_depth} levels deep; election "
                        "files are never that deep.",
                        location={"line": element.sourceline},
                    )
                if elements > max_elements:
                    _too_many(max_elements, element)
            else:
                depth -= 1
            yield event, element
    except etree.XMLSyntaxError as exc:
        raise _syntax_error(exc, iterator.error_log, stream, max_depth) from None


_MISMATCH = re.compile(r"Opening and ending tag mismatch: (\S+) line (\d+) and ([^\s,]+)")
_UNDEFINED_ENTITY = re.compile(r"Entity '([^']*)' not defined")
_BAD_BYTES = re.compile(
    r"(?:not proper UTF-8|Char 0x[0-9A-Fa-f]+ out of allowed range|"
    r"invalid character|Input is not proper|Invalid bytes in character encoding)",
    re.IGNORECASE,
)
_UNSUPPORTED_ENCODING = re.compile(r"Unsupported encoding:?\s*([^\s,]+)", re.IGNORECASE)
_EXTRA_CONTENT = "Extra content at the end of the document"


def _syntax_error(
    exc: etree.XMLSyntaxError, log: etree._ListErrorLog, stream: IO[bytes], max_depth: int
) -> LimitExceeded | MalformedXML | UnsafeXML:
    """What is wrong, in words: a mismatched tag, an undeclared entity, bytes not valid in
    the encoding, content after the root, and only when nothing of that kind was found and
    the error came at the end of the file, "probably truncated"."""
    line, column = exc.position if exc.position else (None, None)
    message = str(exc.msg or exc).strip()
    # libxml2's own first error is more telling than the exception's summary (an undeclared
    # entity surfaces as "no element found" at line 0)
    logged = [entry for entry in log if entry.message]
    if logged:
        first = logged[0]
        message = first.message.strip()
        line, column = first.line or line, first.column or column
    where = {"line": line, "column": column}
    if "Excessive depth" in message:  # libxml2's own limit (256 without huge_tree)
        return LimitExceeded(
            f"The XML is nested more than {max_depth} levels deep; election files are "
            "never that deep.",
            location=where,
        )
    if "DOCTYPE" in message or "<!ENTITY" in message:
        return UnsafeXML(
            f"The XML declares a DOCTYPE or entities, which telnorm refuses for safety. "
            f"Parser said: {message}",
            location=where,
        )
    mismatch = _MISMATCH.search(message)
    if mismatch:
        opened, opened_line, closed = mismatch.groups()
        return MalformedXML(
            f"Mismatched tag: the element <{opened}> opened on line {opened_line} is closed "
            f"by </{closed}>. An element is missing its end tag, or a tag is misspelled.",
            location=where,
        )
    entity = _UNDEFINED_ENTITY.search(message)
    if entity:
        return MalformedXML(
            f"The XML uses the entity &{entity.group(1)}; which is not declared (XML knows "
            "only &amp; &lt; &gt; &quot; &apos;, and telnorm allows no declarations). Write "
            "the character itself (the file is UTF-8) or a character reference such as "
            "&#233;.",
            location=where,
        )
    encoding = _UNSUPPORTED_ENCODING.search(message)
    if encoding:
        return MalformedXML(
            f"The XML declares the encoding {encoding.group(1)!r}, which is not a known "
            "encoding. Declare the file's real encoding (UTF-8 or windows-1252) in "
            '<?xml ... encoding="..."?>.',
            location=where,
        )
    if _BAD_BYTES.search(message):
        return MalformedXML(
            "The XML has bytes that are not valid in its encoding (UTF-8 unless it declares "
            "another): the file was saved in another encoding than it declares, or is "
            "damaged. Save it as UTF-8, or declare its real encoding (for instance "
            f'<?xml version="1.0" encoding="windows-1252"?>). Parser said: {message}',
            location=where,
        )
    if _EXTRA_CONTENT in message:
        return MalformedXML(
            "There is more after the XML's root element has closed: two documents pasted "
            f"together, or stray text at the end. Parser said: {message}",
            location=where,
        )
    if "Document is empty" in message or "Start tag expected" in message:
        return MalformedXML("The file does not start with an XML element.", location=where)
    # lxml reads ahead in chunks: an error while nothing is left unread is an error at the
    # end of the file, which for an otherwise valid file means it was cut off.
    try:
        at_end = stream.read(1) == b""
    except (OSError, ValueError):
        at_end = False
    if at_end:
        return MalformedXML(
            "The XML ends before all its elements are closed: the file is probably "
            f"truncated (cut off during upload or export). Parser said: {message}",
            location=where,
        )
    if "Entity" in message or "entity" in message:
        return MalformedXML(
            f"The XML has a malformed entity or character reference. Parser said: {message}",
            location=where,
        )
    return MalformedXML(f"The XML is not well-formed: {message}", location=where)


def _too_many(limit: int, element: etree._Element) -> None:
    raise LimitExceeded(
        f"The XML has more than {limit:,} elements, the most this service reads in one file.",
        location={"line": element.sourceline},
    )


def local_name(tag: object) -> str:
    """``{ns}Name`` -> ``Name``."""
    text = str(tag)
    return text.rsplit("}", 1)[-1]


def namespace(tag: object) -> str:
    """``{ns}Name`` -> ``ns`` ('' without a namespace)."""
    text = str(tag)
    if text.startswith("{"):
        return text[1 : text.index("}")]
    return ""
