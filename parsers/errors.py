"""One exception tree for everything that can go wrong with an input.

Every error that an input can cause is a :class:`TelnormError`. Each class carries a stable
``code`` (the last segment of the RFC 9457 problem ``type``), a short ``title`` and a message
written for a clerk, plus an optional ``location`` (``{"line": .., "column": ..}``,
``{"sheet": .., "cell": ..}``, ``{"xpath": ..}``). They say nothing about HTTP: the service
maps codes to statuses in one place (:mod:`telnorm.service.problems`) and builds the problem
catalogue (``GET /problems``) from the classes of this module; the CLI prints the message and
exits non-zero. Anything that is *not* a ``TelnormError`` is a bug in telnorm, never the
caller's fault.
"""

from __future__ import annotations

from typing import Any, ClassVar

Location = dict[str, Any]

#: Base of every problem ``type`` URI. Relative, so it resolves against the service that
#: answered; ``GET /problems/{code}`` documents each one.
PROBLEM_BASE = "/problems/"


class TelnormError(Exception):
    """Base of every error an input can cause."""

    code: ClassVar[str] = "input-error"
    title: ClassVar[str] = "The file could not be processed"

    def __init__(
        self,
        message: str,
        *,
        location: Location | None = None,
        **extra: Any,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.location = location
        self.extra = extra

    @property
    def type_uri(self) -> str:
        return PROBLEM_BASE + self.code

    def __reduce__(self) -> tuple[Any, ...]:
        # Errors cross the process-pool boundary; keep keyword arguments when pickled.
        return (_rebuild, (type(self), self.message, self.location, self.extra))


def _rebuild(
    cls: type[TelnormError], message: str, location: Location | None, extra: dict[str, Any]
) -> TelnormError:
    return cls(message, location=location, **extra)


# --- the request itself ----------------------------------------------------------------


class RequestError(TelnormError):
    """The request is malformed (missing part, bad option)."""

    code = "bad-request"
    title = "The request is not valid"


class EmptyInput(TelnormError):
    code = "empty-input"
    title = "The file is empty"


class InputTooLarge(TelnormError):
    code = "input-too-large"
    title = "The file is larger than this service accepts"


class LimitExceeded(TelnormError):
    """A structural limit (depth, elements, rows, cells, zip ratio, time) was crossed."""

    code = "limit-exceeded"
    title = "The file exceeds a processing limit"


class ParseTimeout(LimitExceeded):
    code = "parse-timeout"
    title = "Reading the file took too long"


class ParseCrashed(TelnormError):
    """The worker reading the file died (a crash in a C library, or killed for memory)."""

    code = "parse-crashed"
    title = "Reading the file stopped the parser"


# --- what the file is ------------------------------------------------------------------


class UnsupportedFormat(TelnormError):
    """No parser recognises the file."""

    code = "unsupported-format"
    title = "The file's format is not recognised"


class BinaryInput(UnsupportedFormat):
    code = "binary-input"
    title = "The file is binary data, not an election result"


class UnknownParser(TelnormError):
    code = "unknown-format"
    title = "The requested format is not known"


class NotACount(TelnormError):
    """A recognised election document that does not hold counted votes (520, 230b, 110a)."""

    code = "not-a-count"
    title = "The file is an election document, but not a count"


class NotEML(TelnormError):
    """Well-formed XML that is not EML_NL."""

    code = "not-eml"
    title = "The XML file is not an EML_NL election document"


# --- what is inside --------------------------------------------------------------------


class MalformedInput(TelnormError):
    """The file is damaged or breaks its own format's grammar."""

    code = "malformed-input"
    title = "The file is damaged or incomplete"


class MalformedXML(MalformedInput):
    code = "malformed-xml"
    title = "The XML is not well-formed (damaged or incomplete)"


class InvalidText(MalformedInput):
    """A text file holds bytes that are not text: NUL bytes, or bytes that are not UTF-8 in
    the middle of a file that is UTF-8 elsewhere (two encodings mixed)."""

    code = "invalid-text"
    title = "The text file holds bytes that are not text in its encoding"


class UnsafeXML(TelnormError):
    """DOCTYPE, entity declarations or external references: refused before any expansion."""

    code = "forbidden-doctype"
    title = "The XML declares a DOCTYPE or entities, which are refused for safety"


class InvalidValue(MalformedInput):
    """A value (a count, an id) cannot be read as what its place requires."""

    code = "invalid-value"
    title = "A value in the file cannot be read"


class StructureError(MalformedInput):
    """Required structure is missing (no authority, a selection before any list, ...)."""

    code = "invalid-structure"
    title = "The file lacks a part every count must have"


class ContextFileError(TelnormError):
    """A context file (candidate list, election definition) is unusable or does not match."""

    code = "invalid-context-file"
    title = "A supplied context file cannot be used"


# --- tabular input (CSV, spreadsheets, zip bundles) ----------------------------------------


class InvalidCount(InvalidValue):
    """A count cell holds text, a dash, a negative or a fraction."""

    code = "invalid-count"
    title = "A count cell does not hold a whole number"


class NoHeader(StructureError):
    """No header row (or label column) the vocabulary or a mapping recognises."""

    code = "no-header"
    title = "No recognisable header in the table"


class NoCounts(StructureError):
    """The table was recognised, but it holds no numbers at all."""

    code = "no-counts"
    title = "The table holds no counts"


class AmbiguousLayout(StructureError):
    """The table fits more than one layout family equally well."""

    code = "ambiguous-layout"
    title = "The table's layout is ambiguous"


class UnknownListName(StructureError):
    """A list (party) name that neither the candidate list nor the alias table resolves."""

    code = "unknown-list-name"
    title = "A list name cannot be resolved to a list number"


class DuplicateValue(StructureError):
    """One number stated twice, differently, for the same unit: a statistic, list or
    candidate in two columns or rows (or two headers resolving to the same list). The
    numbers cannot both be right."""

    code = "duplicate-value"
    title = "A number is stated twice for one unit"


class ListNumberConflict(UnknownListName):
    """List numbers that contradict each other or the candidate list: a header's number that
    is not the number of the name after it, or numbers in some headers and none in others."""

    code = "list-number-conflict"
    title = "The list numbers in the file contradict each other or the candidate list"


class InvalidMapping(TelnormError):
    """A mapping file (TOML) is malformed or names a mapping that does not exist."""

    code = "invalid-mapping"
    title = "The mapping cannot be used"


class AmbiguousBundle(TelnormError):
    """A zip bundle holds several counts: the caller must pick one with ``member=``."""

    code = "several-counts"
    title = "The zip file holds several counts"


# --- export ----------------------------------------------------------------------------


class ExportFieldsMissing(TelnormError):
    """The document lacks (or has unusable) values the requested output format requires.

    ``extra`` carries ``missing`` and ``invalid``: lists of ``{field, pointer, supply}`` (and
    ``value``/``problem`` for invalid ones), so a client can ask the user for exactly those.
    """

    code = "export-fields-missing"
    title = "The document lacks values the requested output format requires"


class NotAcceptable(TelnormError):
    """No output format telnorm can write matches the request's ``Accept`` or ``output=``."""

    code = "not-acceptable"
    title = "The requested output format is not available"


class ExportSchemaViolation(TelnormError):
    """telnorm wrote EML that fails the configured schema: a telnorm bug, never the caller's."""

    code = "export-schema-violation"
    title = "telnorm produced EML that does not pass the configured EML_NL schema"


# --- parser plugins -------------------------------------------------------------------------


class PluginError(TelnormError):
    """A third-party parser plugin failed: its ``parse`` raised an unexpected exception or
    returned something that is not a valid canonical document. The problem names the plugin
    and its version (``plugin``, ``plugin_version``): neither the caller's file nor telnorm is
    at fault (the service answers 502: a component it relies on answered badly)."""

    code = "plugin-error"
    title = "A parser plugin failed"
