"""Export: write a canonical document in the standard formats others consume.

One entry point for the routes and the CLI::

    content, media_type, filename = export(document, "eml", ExportOptions(...))

``to`` is one of :data:`FORMATS`: ``json`` (the canonical document itself), ``eml`` (EML_NL
1.2.2 510a-d by the document's level), ``osv4-3`` (the published municipal CSV) and
``databank`` (the long CSV of verkiezingsuitslagen.nl). :func:`negotiate` picks ``to`` from
an ``output=`` parameter or an ``Accept`` header. With ``schema_dir`` (the setting
``eml_schema_dir``), EML output is validated against that schema folder before it is returned.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from telnorm.parsers.canonical import Document
from telnorm.parsers.errors import NotAcceptable, RequestError
from telnorm.service.export import databank, eml, osv4_3
from telnorm.service.export.options import PARAMETERS, ExportOptions, creation_default
from telnorm.service.export.schema_check import check_eml
from telnorm.service.jsonsafe import iter_dumps

FORMATS: tuple[str, ...] = ("json", "eml", "osv4-3", "databank")

MEDIA_TYPES: dict[str, str] = {
    "json": "application/json",
    "eml": eml.MEDIA_TYPE,
    "osv4-3": osv4_3.MEDIA_TYPE,
    "databank": databank.MEDIA_TYPE,
}

#: ``Accept`` media types (lower case, with the ``profile`` parameter where it decides) ->
#: format. Wildcards resolve to the first format of their family.
ACCEPT: dict[str, str] = {
    "application/json": "json",
    "*/*": "json",
    "application/*": "json",
    "application/xml": "eml",
    "text/xml": "eml",
    "application/eml+xml": "eml",
    "text/csv": "osv4-3",
    "text/*": "osv4-3",
    "text/csv;profile=osv4-3": "osv4-3",
    "application/vnd.telnorm.osv4-3+csv": "osv4-3",
    "text/csv;profile=databank": "databank",
    "application/vnd.telnorm.databank+csv": "databank",
}

#: ``output=`` / ``--to`` values besides the format names themselves.
ALIASES: dict[str, str] = {
    "canonical": "json",
    "xml": "eml",
    "eml510": "eml",
    "csv": "osv4-3",
    "osv4_3": "osv4-3",
    "osv": "osv4-3",
}


@dataclass(frozen=True)
class Exported:
    """What :func:`export` wrote. Unpacks as ``content, media_type, filename``.

    ``body`` is the bytes, or for a format written in pieces (EML, JSON) a function that
    yields them: :meth:`chunks` lets a file writer stream them (memory that does not grow with
    the output), :attr:`content` joins them for a caller that needs one bytes object."""

    body: bytes | Callable[[], Iterator[bytes]]
    media_type: str
    filename: str
    #: What the writer decided that the caller should hear of (a creation time it chose,
    #: databank rows the count could not fill).
    notes: tuple[str, ...] = ()
    #: The parser that read the count (``source.parser.name``), for the metrics.
    parser: str | None = None

    @property
    def content(self) -> bytes:
        return self.body if isinstance(self.body, bytes) else b"".join(self.body())

    def chunks(self) -> Iterator[bytes]:
        if isinstance(self.body, bytes):
            yield self.body
        else:
            yield from self.body()

    def __iter__(self) -> Iterator[Any]:
        return iter((self.content, self.media_type, self.filename))

    def __reduce__(self) -> tuple[Any, ...]:
        # across a process boundary the pieces travel as bytes (a writer does not pickle)
        return (Exported, (self.content, self.media_type, self.filename, self.notes, self.parser))


def _stem(document: Document) -> str:
    source = document.get("source") or {}
    name = str(source.get("filename") or "document")
    for suffix in (".eml.xml", ".xml", ".csv", ".xlsx", ".xls", ".ods", ".json", ".zip"):
        if name.lower().endswith(suffix):
            return name[: -len(suffix)]
    return name


def _filename(document: Document, to: str) -> str:
    if to == "eml":
        return eml.filename_for(document)
    if to == "osv4-3":
        return osv4_3.filename_for(document)
    if to == "databank":
        return databank.filename_for(document)
    return _stem(document) + ".json"


def format_name(value: str) -> str:
    """A format name from ``output=``/``--to``: a name, an alias or a media type."""
    key = value.strip().lower()
    if key in FORMATS:
        return key
    if key in ALIASES:
        return ALIASES[key]
    media = _media_key(key)
    if media in ACCEPT:
        return ACCEPT[media]
    raise RequestError(
        f"Unknown output format {value!r}; use one of {', '.join(FORMATS)}.",
        parameter="output",
        allowed=list(FORMATS),
    )


def _media_key(item: str) -> str:
    """``text/csv; charset=utf-8; profile="databank"`` -> ``text/csv;profile=databank``."""
    parts = [part.strip() for part in item.split(";")]
    media = parts[0].lower()
    for param in parts[1:]:
        name, _, value = param.partition("=")
        if name.strip().lower() == "profile":
            profile = value.strip().strip('"').lower()
            return f"{media};profile={profile}"
    return media


def negotiate(accept: str | None, output: str | None = None) -> str:
    """The format to write: ``output=`` wins; else the best ``Accept`` entry; else json.

    Raises NotAcceptable (406) when ``Accept`` names only formats telnorm cannot write.
    """
    if output:
        return format_name(output)
    if not accept or not accept.strip():
        return "json"
    ranked: list[tuple[float, int, int, str]] = []
    for position, item in enumerate(accept.split(",")):
        if not item.strip():
            continue
        quality = 1.0
        for param in item.split(";")[1:]:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        key = _media_key(item)
        if quality <= 0:
            continue
        # More specific ranges win at equal quality (RFC 9110 section 12.5.1).
        specificity = 0 if key.startswith("*/") else 1 if key.endswith("/*") else 2
        ranked.append((-quality, -specificity, position, key))
    for *_, key in sorted(ranked):
        if key in ACCEPT:
            return ACCEPT[key]
        media = key.split(";", 1)[0]
        if ";" in key and media in ACCEPT:
            return ACCEPT[media]
    raise NotAcceptable(
        f"None of the requested media types ({accept}) can be written. telnorm writes "
        + ", ".join(f"{MEDIA_TYPES[f]} ({f})" for f in FORMATS)
        + "; or pass output=json|eml|osv4-3|databank.",
        available=[MEDIA_TYPES[f] for f in FORMATS],
    )


def export(
    document: Document,
    to: str = "json",
    options: ExportOptions | None = None,
    *,
    schema_dir: Path | None = None,
) -> Exported:
    """Write ``document`` as ``to``: ``(content, media_type, filename)``.

    Raises ExportFieldsMissing (422) naming every field the format needs and the document
    lacks; with ``schema_dir`` set, ExportSchemaViolation (500) if the EML fails the schema.
    """
    name = format_name(to)
    options = options or ExportOptions()
    notes: tuple[str, ...] = ()
    if name == "eml":
        # Chosen once here and passed on as if requested, so the note names the exact value.
        default = creation_default(document, options)
        if default is not None:
            options = replace(options, creation_time=default[0])
            notes = (default[1],)
    body: bytes | Callable[[], Iterator[bytes]]
    if name == "databank":
        # The databank writer also says which rows the count could not fill.
        body, notes = databank.write(document, options)
    elif name == "eml":
        pieces = eml.iter_eml(document, options)  # checks the fields now, writes when read
        if schema_dir is not None:  # the schema check needs the whole document
            body = b"".join(pieces)
            check_eml(body, schema_dir)
        else:
            body = _pieces(pieces, lambda: eml.iter_eml(document, options))
    elif name == "json":
        body = _json_pieces(document)
    else:  # osv4-3: a wide table, written whole (every station is a column)
        body = osv4_3.to_osv4_3(document, options)
    parser = ((document.get("source") or {}).get("parser") or {}).get("name")
    return Exported(
        body,
        MEDIA_TYPES[name],
        _filename(document, name),
        notes,
        parser if isinstance(parser, str) else None,
    )


def _pieces(
    first: Iterator[bytes], again: Callable[[], Iterator[bytes]]
) -> Callable[[], Iterator[bytes]]:
    """A body that yields ``first`` (already started, so its checks have run), and on a
    second read writes the pieces again."""
    started = [first]

    def body() -> Iterator[bytes]:
        return started.pop() if started else again()

    return body


def _json_pieces(document: Document) -> Callable[[], Iterator[bytes]]:
    return lambda: iter_dumps(document)


__all__ = [
    "ACCEPT",
    "FORMATS",
    "MEDIA_TYPES",
    "PARAMETERS",
    "ExportOptions",
    "Exported",
    "export",
    "format_name",
    "negotiate",
]
