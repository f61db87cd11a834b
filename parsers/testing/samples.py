"""Samples for the contract checks: the plugin's own files, and files of other formats.

A plugin supplies its own samples (paths, or :class:`Sample` when a file needs parser options).
The kit supplies the *foreign* samples every parser must score low: small files of the other
formats telnorm reads (EML, osv4-3 CSV, a generic CSV), binary data and plain text, all
generated here, plus the heads of the shared corpus files when a corpus is found
(``TELNORM_CORPUS``, or ``../shared/corpus`` next to a telnorm checkout).
"""

from __future__ import annotations

import io
import os
import random
import zipfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from telnorm.parsers.api import HEAD_BYTES

#: Corpus sub-folders, and the built-in parsers that rightly claim the files in them.
_CORPUS_CLAIMS: tuple[tuple[str, frozenset[str]], ...] = (
    ("eml", frozenset({"eml"})),
    ("csv/osv4-3", frozenset({"osv4-3", "tabular"})),
    ("csv", frozenset({"tabular"})),
)


@dataclass(frozen=True)
class Sample:
    """One of the plugin's own files, with the parser options it needs (if any)."""

    path: Path
    options: Mapping[str, Any] = field(default_factory=dict)
    #: Validation codes the sample's own numbers are known to break (the arithmetic check
    #: accepts these; e.g. a record whose candidates do not add up to the list total).
    expect_findings: tuple[str, ...] = ()

    @property
    def id(self) -> str:
        return self.path.name

    @classmethod
    def of(cls, item: Sample | str | os.PathLike[str]) -> Sample:
        return item if isinstance(item, Sample) else cls(Path(item))


@dataclass(frozen=True)
class ForeignSample:
    """A file of another format: a parser under test must score it below 0.5.

    ``claimed_by`` names the parsers that rightly read it (the check skips it for them);
    ``kind`` lets a plugin opt out of a whole kind (``claims`` of the contract).
    """

    id: str
    kind: str
    head: bytes
    filename: str | None
    claimed_by: frozenset[str] = frozenset()


def as_samples(items: Iterable[Sample | str | os.PathLike[str]]) -> list[Sample]:
    return [Sample.of(item) for item in items]


def samples_in(folder: str | os.PathLike[str], pattern: str = "*") -> list[Sample]:
    """Every file in ``folder`` matching ``pattern`` (not hidden), sorted, as samples."""
    root = Path(folder)
    return [
        Sample(path)
        for path in sorted(root.glob(pattern))
        if path.is_file() and not path.name.startswith(".")
    ]


# --- generated foreign samples -----------------------------------------------------------

_EML_510B = """<?xml version="1.0" encoding="UTF-8"?>
<EML Id="510b" SchemaVersion="5" xmlns="urn:oasis:names:tc:evs:schema:eml"
     xmlns:kr="http://www.kiesraad.nl/extensions">
  <TransactionId>1</TransactionId>
  <ManagingAuthority><AuthorityIdentifier Id="9999">Kitdorp</AuthorityIdentifier>
  </ManagingAuthority>
  <Count><Election><ElectionIdentifier Id="GR2026_Kitdorp">
    <ElectionName>Gemeenteraad Kitdorp 2026</ElectionName>
    <ElectionCategory>GR</ElectionCategory>
    <kr:ElectionDate>2026-03-18</kr:ElectionDate></ElectionIdentifier>
  <Contests><Contest><ContestIdentifier Id="geen"/>
    <TotalVotes>
      <Selection><AffiliationIdentifier Id="1"><RegisteredName>Kitpartij</RegisteredName>
      </AffiliationIdentifier><ValidVotes>10</ValidVotes></Selection>
      <Selection><Candidate><CandidateIdentifier Id="1"/></Candidate>
      <ValidVotes>10</ValidVotes></Selection>
      <Cast>20</Cast><TotalCounted>10</TotalCounted>
      <RejectedVotes ReasonCode="blanco">0</RejectedVotes>
      <RejectedVotes ReasonCode="ongeldig">0</RejectedVotes>
    </TotalVotes>
  </Contest></Contests></Election></Count>
</EML>
"""

_OTHER_XML = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>Nieuws gemeente Kitdorp</title></channel></rss>
"""

_OSV4_3 = (
    "\ufeffVerkiezing;;Gemeenteraad Kitdorp 2026\r\n"
    "Datum;;2026-03-18\r\n"
    "Gebied;;Gemeente Kitdorp\r\n"
    "Nummer;;9999\r\n"
    "\r\n"
    "Lijstnummer;Aanduiding;Volgnummer;Naam kandidaat;Totaal;Stembureau Dorpshuis\r\n"
    "Gebiednummer;;;;;1\r\n"
    "Postcode;;;;;9999 AA\r\n"
    ";opgeroepenen;;;1000;1000\r\n"
    ";blanco stemmen;;;2;2\r\n"
    "1;Kitpartij;;;300;300\r\n"
    "1;Kitpartij;1;Jansen, A.;300;300"
)

_WIDE_CSV = (
    "Stembureau,Postcode,Opgeroepenen,Kitpartij,Dorpsbelang,Blanco,Ongeldig\n"
    "Dorpshuis,9999 AA,1000,300,250,2,1\n"
    "Sporthal,9999 AB,800,200,210,0,3\n"
)

_PROSE = (
    "Notulen van de openbare vergadering van de gemeenteraad van Kitdorp.\n"
    "Aanwezig: de voorzitter en vijftien leden. De vergadering wordt om 19.30 uur geopend.\n"
)

_JSON = '{"format_version": "1", "document": {"eml_id": null, "level": "municipality"}}\n'


def _zip_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("lees-mij.txt", _PROSE)
    return buffer.getvalue()


def builtin_foreign_samples() -> list[ForeignSample]:
    """Small files of every other kind, generated here (no corpus needed)."""
    noise = random.Random(7).randbytes(4096)
    return [
        ForeignSample("eml-510b", "eml", _EML_510B.encode(), "telling.eml.xml", frozenset({"eml"})),
        ForeignSample("xml-other", "xml", _OTHER_XML.encode(), "nieuws.xml", frozenset({"eml"})),
        ForeignSample(
            "osv4-3-csv",
            "csv",
            _OSV4_3.encode("utf-8"),
            "osv4-3_telling.csv",
            frozenset({"osv4-3", "tabular"}),
        ),
        ForeignSample("wide-csv", "csv", _WIDE_CSV.encode(), "uitslag.csv", frozenset({"tabular"})),
        ForeignSample("zip", "zip", _zip_bytes(), "bundel.zip", frozenset({"zip", "tabular"})),
        ForeignSample("png", "binary", b"\x89PNG\r\n\x1a\n" + noise[:512], "logo.png"),
        ForeignSample("pdf", "binary", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n" + noise[:512], "pv.pdf"),
        ForeignSample("random-bytes", "binary", noise, None),
        ForeignSample("prose", "text", _PROSE.encode(), "notulen.txt"),
        ForeignSample("json", "text", _JSON.encode(), "document.json"),
        ForeignSample("empty", "empty", b"", "leeg.txt"),
    ]


# --- the shared corpus ---------------------------------------------------------------------


def corpus_root() -> Path | None:
    """The shared corpus: ``$TELNORM_CORPUS``, else ``../shared/corpus`` of a checkout."""
    configured = os.environ.get("TELNORM_CORPUS")
    if configured:
        path = Path(configured)
        return path if path.is_dir() else None
    checkout = Path(__file__).resolve().parents[2]
    path = checkout.parent / "shared" / "corpus"
    return path if path.is_dir() else None


def corpus_foreign_samples(root: Path | None = None) -> list[ForeignSample]:
    """The heads of the corpus files (EML, CSV), each claimed by the parsers that read it."""
    root = root if root is not None else corpus_root()
    if root is None:
        return []
    found: dict[Path, ForeignSample] = {}
    for folder, claimed_by in _CORPUS_CLAIMS:
        base = root / folder
        if not base.is_dir():
            continue
        for path in sorted(base.rglob("*")):
            if path in found or not path.is_file() or path.suffix.lower() not in {".xml", ".csv"}:
                continue
            with path.open("rb") as handle:
                head = handle.read(HEAD_BYTES)
            relative = path.relative_to(root).as_posix()
            kind = "eml" if folder == "eml" else "csv"
            found[path] = ForeignSample(f"corpus:{relative}", kind, head, path.name, claimed_by)
    return list(found.values())


def default_foreign_samples() -> list[ForeignSample]:
    """Generated samples plus the corpus (when there is one)."""
    return builtin_foreign_samples() + corpus_foreign_samples()


__all__ = [
    "ForeignSample",
    "Sample",
    "as_samples",
    "builtin_foreign_samples",
    "corpus_foreign_samples",
    "corpus_root",
    "default_foreign_samples",
    "samples_in",
]
