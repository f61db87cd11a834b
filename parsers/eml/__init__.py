"""EML_NL: the XML the counting software (OSV, Abacus) and the Electoral Council exchange.

:class:`EMLParser` reads 510a/b/c/d counts at every level, from the 2017-era OSV output to the
EML_NL 1.3 draft, streaming. Other EML documents are recognised and refused for counting with
a message that says what they are; 230b, 110a and 110b are read as context files
(:mod:`telnorm.parsers.eml.context`) and applied by the pipeline's enrich stage
(:mod:`telnorm.parsers.enrich`) to every parser's output.
"""

from __future__ import annotations

import re
from typing import ClassVar

from telnorm.parsers.api import Detection, ParseContext, Parser, Source
from telnorm.parsers.canonical import Document
from telnorm.parsers.eml import names as n
from telnorm.parsers.eml.count import CountReader
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
        encoding, _ = guess_encoding(source.head[:4096], partial=True)
        document["source"] = {
            "encoding": encoding.replace("-sig", ""),
            "media_type": "application/xml",
        }
        return document
