"""The parser plugin API (version 1).

A parser is a class with a ``name``, a ``version``, ``api_version``, a ``detect`` method that
scores a file's first bytes and a ``parse`` method that turns the whole file into the canonical
document. Parsers register through the ``telnorm.parsers`` entry-point group; the built-in
ones do so in telnorm's own ``pyproject.toml``, exactly as a third-party package would.

Parsers never see HTTP: they get a :class:`Source` (a file on disk plus what is known about
it) and a :class:`ParseContext` (options, limits, context files, and the collectors for
notes and source locations). They raise errors from :mod:`telnorm.parsers.errors`.
"""

from __future__ import annotations

import hashlib
from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, ClassVar

from telnorm.parsers.canonical import Document, Note

#: The plugin API version this telnorm implements. A plugin whose ``api_version`` has another
#: major number is refused (listed with the reason in ``GET /parsers``).
API_VERSION = "1.0"

#: How many leading bytes detection looks at.
HEAD_BYTES = 64 * 1024


@dataclass(frozen=True)
class Detection:
    """How sure a parser is that it can read a file, and why."""

    confidence: float
    evidence: tuple[str, ...] = ()
    #: A more precise format id than the parser name, e.g. ``eml-510b`` or ``osv4-3-csv``.
    format: str | None = None
    media_type: str | None = None

    def __post_init__(self) -> None:
        if not 0.0 <= self.confidence <= 1.0:
            raise ValueError(f"confidence must be in [0, 1], got {self.confidence}")

    @classmethod
    def no(cls, *evidence: str) -> Detection:
        return cls(0.0, tuple(evidence))


@dataclass(frozen=True)
class Limits:
    """Structural limits a parser must respect (the service fills them from its settings)."""

    max_xml_depth: int = 64
    max_xml_elements: int = 20_000_000
    max_rows: int = 200_000
    max_columns: int = 5_000
    max_cells: int = 5_000_000
    max_line_length: int = 1_000_000
    max_zip_members: int = 1_000
    max_zip_uncompressed: int = 512 * 1024 * 1024
    max_zip_ratio: float = 200.0
    #: PDF records (parsers/pdf): pages read, OCR wall time per page, rendering resolution,
    #: and the OCR confidence (0-100) a number needs: ``ocr_min_confidence`` when no check of
    #: the record covers it, ``ocr_min_confidence_checked`` when a passing check does.
    max_pdf_pages: int = 60
    ocr_timeout_seconds: float = 60.0
    ocr_dpi: int = 200
    ocr_min_confidence: float = 80.0
    ocr_min_confidence_checked: float = 60.0


@dataclass
class Source:
    """One input file: where its bytes are and what is known about them."""

    path: Path
    filename: str | None = None
    media_type: str | None = None
    _head: bytes | None = field(default=None, repr=False)
    _sha256: str | None = field(default=None, repr=False)

    @property
    def size(self) -> int:
        return self.path.stat().st_size

    @property
    def head(self) -> bytes:
        if self._head is None:
            with self.path.open("rb") as handle:
                self._head = handle.read(HEAD_BYTES)
        return self._head

    @property
    def sha256(self) -> str:
        if self._sha256 is None:
            digest = hashlib.sha256()
            with self.path.open("rb") as handle:
                for block in iter(lambda: handle.read(1 << 20), b""):
                    digest.update(block)
            self._sha256 = digest.hexdigest()
        return self._sha256

    def open(self) -> IO[bytes]:
        return self.path.open("rb")

    def read_bytes(self) -> bytes:
        return self.path.read_bytes()


@dataclass
class ParseContext:
    """Everything a parse needs besides the file: options, limits, context, collectors."""

    options: Mapping[str, Any] = field(default_factory=dict)
    limits: Limits = field(default_factory=Limits)
    #: Parsed context documents by role: ``candidate_list``, ``election_definition``,
    #: ``polling_stations`` (see :mod:`telnorm.parsers.eml.context`).
    context: Mapping[str, Any] = field(default_factory=dict)
    want_locations: bool = False
    #: Validation's way to locations: instead of the whole map, a parser that can may set
    #: :attr:`deferred_locations` to a mapping that computes an entry when asked for (the EML
    #: reader does; for others the validator reads the file again with locations).
    defer_locations: bool = False
    #: A :class:`telnorm.parsers.location_map.LocationMap` (or, from a parser that builds its
    #: map anyway, the dict); the pipeline makes it the document's ``locations``.
    deferred_locations: Mapping[str, Any] | None = None
    #: Keep finished units' selections as JSON bytes (:mod:`telnorm.parsers.packed_selections`);
    #: off when the caller reads every selection right away (validation), where decoding
    #: them again would only cost time.
    pack_selections: bool = True
    #: The folder of mapping files and the alias table (the service setting ``mappings_dir``,
    #: ``TELNORM_MAPPINGS_DIR``); None: the ones packaged with telnorm.
    mappings_dir: Path | None = None
    notes: list[Note] = field(default_factory=list)
    locations: dict[str, dict[str, Any]] = field(default_factory=dict)
    _noted: set[tuple[str, str]] = field(default_factory=set, repr=False)

    def note(
        self,
        code: str,
        message: str,
        location: dict[str, Any] | None = None,
        *,
        once_key: str | None = None,
    ) -> None:
        """Record something tolerated. With ``once_key``, only the first of a kind is kept."""
        if once_key is not None:
            key = (code, once_key)
            if key in self._noted:
                return
            self._noted.add(key)
        self.notes.append({"code": code, "message": message, "location": location})

    def locate(self, pointer: str, location: dict[str, Any]) -> None:
        """Record where the value at a JSON Pointer came from (only when asked for)."""
        if self.want_locations:
            self.locations[pointer] = location


class Parser(ABC):
    """Base class of every parser plugin."""

    #: Unique, lower-case, stable: used in ``format=`` and in ``source.parser.name``.
    name: ClassVar[str]
    version: ClassVar[str]
    api_version: ClassVar[str] = API_VERSION
    #: One line for ``GET /parsers`` and ``telnorm parsers``.
    title: ClassVar[str] = ""
    media_types: ClassVar[tuple[str, ...]] = ()
    extensions: ClassVar[tuple[str, ...]] = ()
    #: The parser-specific options it reads from ``ParseContext.options`` (``sheet``,
    #: ``mapping``, ...). Any other option sent with a file this parser reads is refused with
    #: a 400, so an option is never ignored silently.
    options: ClassVar[tuple[str, ...]] = ()

    @abstractmethod
    def detect(self, head: bytes, filename: str | None) -> Detection:
        """Score the first bytes (up to :data:`HEAD_BYTES`) of a file. Must not raise."""

    @abstractmethod
    def parse(self, source: Source, context: ParseContext) -> Document:
        """Read the whole file into a canonical document (without ``source``; the pipeline
        adds provenance). Raise :class:`telnorm.parsers.errors.TelnormError` subclasses for bad
        input,
        with a location wherever one is known."""

    @classmethod
    def describe(cls) -> dict[str, Any]:
        return {
            "name": cls.name,
            "version": cls.version,
            "api_version": cls.api_version,
            "title": cls.title,
            "media_types": list(cls.media_types),
            "extensions": list(cls.extensions),
            "options": list(cls.options),
        }


@dataclass
class Unpacked:
    """What a :class:`BundleParser` hands back: the one file to normalise, and context files
    found beside it. The pipeline runs its own stages on the member (detect, check options,
    parse, enrich), exactly as for a file sent on its own."""

    #: The member to normalise, written to disk.
    member: Source
    #: Its path inside the bundle (``source.member`` of the output).
    name: str
    #: Context files found in the bundle, by role; used where the request sent none.
    context_files: dict[str, Source] = field(default_factory=dict)


class BundleParser(Parser):
    """A parser of a file that holds the file to normalise (a zip bundle).

    It does not build a document: :meth:`unpack` picks the member, and the pipeline hands it
    back to its own stages. Its ``options`` are the ones it reads itself (``member``); every
    other option belongs to the member and is checked against the member's parser.
    """

    @abstractmethod
    def unpack(self, source: Source, context: ParseContext, folder: Path) -> Unpacked:
        """Choose the member (and any context files) and write them into ``folder``."""

    def parse(self, source: Source, context: ParseContext) -> Document:
        raise TypeError(
            f"{type(self).__name__} is a bundle: the pipeline unpacks it and normalises its "
            "member (telnorm.service.pipeline.normalise)."
        )
