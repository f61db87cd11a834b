"""The host's side of the plugin contract: what telnorm checks at run time, trusting no
third-party parser.

* :func:`active_registry`: the parsers of this process, less ``TELNORM_DISABLED_PARSERS``.
* :func:`run_parse`: a third-party ``parse`` that raises anything but a
  :class:`~telnorm.parsers.errors.TelnormError`, or returns something that is not a document,
  is a :class:`~telnorm.parsers.errors.PluginError` naming the plugin and its version (a
  built-in's unexpected exception stays what it is: a bug in telnorm).
* :func:`check_output`: every document a third-party parser returns is checked against the
  canonical JSON Schema (the compiled validator of strict validation) before anyone sees it.
"""

from __future__ import annotations

from typing import Any

from telnorm.parsers.api import ParseContext, Parser, Source
from telnorm.parsers.canonical import Document
from telnorm.parsers.errors import PluginError, TelnormError
from telnorm.parsers.registry import Registry, default_registry
from telnorm.service.settings import get_settings


def active_registry() -> Registry:
    """The registry of this process with the disabled parsers left out (cached per set)."""
    return default_registry(get_settings().disabled_parser_names())


#: Small heads of the formats telnorm meets: every parser's detect is tried on them when the
#: parsers are listed, so a detect that raises or returns no Detection shows as broken even
#: before a real file reaches it.
PROBE_HEADS: tuple[tuple[bytes, str | None], ...] = (
    (b'<?xml version="1.0"?><EML xmlns="urn:oasis:names:tc:evs:schema:eml" Id="510b">', "a.xml"),
    (b"Verkiezing;Gemeenteraad 2026\r\nLijstnummer;Aanduiding;SB1\r\n1;Partij;12\r\n", "a.csv"),
    (b"PK\x03\x04\x14\x00\x00\x00\x08\x00", "a.xlsx"),
    (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", "a.pdf"),
    (b"\x00\x01\x02\x03", None),
)


def probe(registry: Registry) -> Registry:
    """Try every parser's ``detect`` on :data:`PROBE_HEADS` (marking the misbehaving ones)."""
    from telnorm.parsers.detection import safe_detect

    for parser in registry.parsers:
        for head, name in PROBE_HEADS:
            safe_detect(registry, parser, head, name)
    return registry


def note_plugin_error(error: TelnormError) -> None:
    """A plugin failed in a worker process: mark it broken in this process's registry too."""
    if not isinstance(error, PluginError):
        return
    registry = active_registry()
    parser = registry.get(str(error.extra.get("plugin")))
    if parser is not None:
        registry.mark_broken(parser, error.message)


def _blame(parser: Parser) -> dict[str, Any]:
    return {"plugin": parser.name, "plugin_version": getattr(parser, "version", None)}


def run_parse(
    registry: Registry, parser: Parser, source: Source, context: ParseContext
) -> Document:
    """``parser.parse``, with a third-party plugin's failures blamed on the plugin."""
    if registry.is_builtin(parser):
        return parser.parse(source, context)
    document: Any
    try:
        document = parser.parse(source, context)
    except (TelnormError, MemoryError, RecursionError):
        raise
    except Exception as exc:
        reason = f"parse() raised {type(exc).__name__}: {exc}"
        registry.mark_broken(parser, reason)
        raise PluginError(
            f"The parser plugin {parser.name!r} ({parser.version}) failed while reading the "
            f"file: {type(exc).__name__}: {exc}. This is a fault of the plugin, not of the file "
            "or of telnorm: report it to the plugin's authors, or send the file with another "
            "format= option.",
            **_blame(parser),
        ) from None
    if not isinstance(document, dict):
        reason = f"parse() returned {type(document).__name__}, not a canonical document"
        registry.mark_broken(parser, reason)
        raise PluginError(
            f"The parser plugin {parser.name!r} ({parser.version}) returned "
            f"{type(document).__name__} instead of a canonical document.",
            **_blame(parser),
        )
    checked: Document = document
    return checked


def check_output(registry: Registry, parser: Parser, document: Document) -> None:
    """Refuse a third-party document that is not canonical (every violation listed)."""
    if registry.is_builtin(parser):
        return
    from telnorm.service.validation.strict import schema_violations

    violations = schema_violations(document)
    if violations:
        registry.mark_broken(parser, f"returned a document that fails the schema: {violations[0]}")
        raise PluginError(
            f"The parser plugin {parser.name!r} ({parser.version}) returned a document that is "
            f"not canonical ({len(violations)} violation(s) of the JSON Schema; the first: "
            f"{violations[0]['pointer'] or '/'}: {violations[0]['message']}).",
            violations=violations,
            **_blame(parser),
        )


__all__ = [
    "PROBE_HEADS",
    "active_registry",
    "check_output",
    "note_plugin_error",
    "probe",
    "run_parse",
]
