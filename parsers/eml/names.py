"""EML_NL namespace URIs, defined once for the readers and the EML writer, and the Clark names
(``{uri}Local``) the readers match on.

Elements are matched on namespace URI, never on prefix: files use ``kr:``, ``ns2:`` or a
default namespace for the same thing. The writer declares the prefixes of :data:`PREFIXES`.
"""

from __future__ import annotations

EML = "urn:oasis:names:tc:evs:schema:eml"
KR = "http://www.kiesraad.nl/extensions"
RG = "http://www.kiesraad.nl/reportgenerator"
DS = "http://www.w3.org/2000/09/xmldsig#"
XNL = "urn:oasis:names:tc:ciq:xsdschema:xNL:2.0"
XAL = "urn:oasis:names:tc:ciq:xsdschema:xAL:2.0"


#: The prefixes the EML writer declares (as the counting software does), by namespace.
PREFIXES = (("", EML), ("ds", DS), ("kr", KR), ("xal", XAL), ("xnl", XNL))


def e(local: str) -> str:
    return f"{{{EML}}}{local}"


def kr(local: str) -> str:
    return f"{{{KR}}}{local}"


#: What each EML document id is, for messages that tell a clerk what they sent.
EML_DOCUMENTS = {
    "110a": "an election definition (verkiezingsdefinitie, EML 110a)",
    "110b": "a list of polling stations (stembureaulijst, EML 110b)",
    "210": "a nomination (kandidaatstelling, EML 210)",
    "230a": "a candidate list (EML 230a)",
    "230b": "a candidate list (kandidatenlijsten, EML 230b)",
    "230c": "a candidate list (EML 230c)",
    "510a": "a count of one polling station (EML 510a)",
    "510b": "a municipal count (telling gemeente, EML 510b)",
    "510c": "a district count (telling hoofdstembureau, EML 510c)",
    "510d": "a central count (totaaltelling, EML 510d)",
    "520": "an election result (uitslag: the elected candidates, EML 520)",
}

COUNT_LEVELS = {
    "510a": "polling_station",
    "510b": "municipality",
    "510c": "district",
    "510d": "central",
}
