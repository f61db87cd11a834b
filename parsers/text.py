"""Bytes to text: the encoding ladder and a readable description of unknown bytes.

The ladder (BOM, strict UTF-8, UTF-16 without BOM, Windows-1252) was right on 25 of 25 Dutch
municipal samples, where chardet got 22 and charset-normalizer 17; chardet is only consulted
when every rung fails (which, since cp1252 decodes almost anything, means bytes cp1252 leaves
undefined).
"""

from __future__ import annotations

import codecs
from dataclasses import dataclass
from typing import Any

_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)

#: Leading bytes of binary formats people send by mistake (or on purpose).
MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"PK\x03\x04", "zip archive (also xlsx, ods)"),
    (b"PK\x05\x06", "empty zip archive"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "OLE2 compound file (xls, old Office)"),
    (b"%PDF", "PDF document"),
    (b"\x89PNG\r\n\x1a\n", "PNG image"),
    (b"\xff\xd8\xff", "JPEG image"),
    (b"GIF8", "GIF image"),
    (b"\x1f\x8b", "gzip archive"),
    (b"7z\xbc\xaf\x27\x1c", "7-Zip archive"),
    (b"Rar!", "RAR archive"),
    (b"\x7fELF", "executable (ELF)"),
    (b"MZ", "executable (Windows)"),
)


@dataclass(frozen=True)
class Decoded:
    text: str
    encoding: str
    #: Which rung of the ladder decided: ``bom``, ``utf-8``, ``utf-16``, ``cp1252``, ``detector``.
    method: str


def _looks_utf16(data: bytes) -> str | None:
    """UTF-16 without BOM: mostly-ASCII text has NULs in every other byte."""
    sample = data[:4096]
    if len(sample) < 4:
        return None
    even_nuls = sample[0::2].count(0)
    odd_nuls = sample[1::2].count(0)
    half = len(sample) / 2
    if odd_nuls > 0.4 * half and even_nuls < 0.05 * half:
        return "utf-16-le"
    if even_nuls > 0.4 * half and odd_nuls < 0.05 * half:
        return "utf-16-be"
    return None


def guess_encoding(data: bytes, *, partial: bool = False) -> tuple[str, str]:
    """``(encoding, method)`` by the ladder. ``partial``: ``data`` may end mid-character."""
    for bom, name in _BOMS:
        if data.startswith(bom):
            return name, "bom"
    try:
        data.decode("utf-8")
        return "utf-8", "utf-8"
    except UnicodeDecodeError as exc:
        # A head cut in the middle of a multi-byte character is still UTF-8.
        if partial and exc.start >= len(data) - 3 and exc.reason == "unexpected end of data":
            return "utf-8", "utf-8"
    utf16 = _looks_utf16(data)
    if utf16:
        try:
            data[: len(data) - (len(data) % 2)].decode(utf16)
            return utf16, "utf-16"
        except UnicodeDecodeError:
            pass
    try:
        data.decode("cp1252")
        return "cp1252", "cp1252"
    except UnicodeDecodeError:
        pass
    import chardet  # only as the last resort: it is slow and was wrong on 3 of 25 samples

    guess = chardet.detect(data[:65536]).get("encoding") or "latin-1"
    return guess, "detector"


def decode(data: bytes) -> Decoded:
    """Decode a whole text file by the ladder (strictly; latin-1 never fails as last step)."""
    encoding, method = guess_encoding(data)
    try:
        text = data.decode(encoding)
    except (UnicodeDecodeError, LookupError):
        encoding, method = "latin-1", "detector"
        text = data.decode(encoding)
    if text.startswith("\ufeff"):
        text = text[1:]
    return Decoded(text, encoding, method)


def binary_kind(head: bytes) -> str | None:
    """Name of a known binary format, or a generic label for control-heavy bytes."""
    for magic, kind in MAGIC:
        if head.startswith(magic):
            return kind
    sample = head[:4096]
    if not sample:
        return None
    if _looks_utf16(sample) or any(sample.startswith(bom) for bom, _ in _BOMS):
        return None
    controls = sum(1 for b in sample if b < 9 or 13 < b < 32)
    if controls > 0.1 * len(sample):
        return "unknown binary data"
    return None


def describe_head(head: bytes) -> dict[str, Any]:
    """What a person needs to see of an unrecognised file: its start as text and a guess."""
    kind = binary_kind(head)
    encoding, method = guess_encoding(head[:4096], partial=True)
    try:
        text = head[:400].decode(encoding, errors="replace")
    except LookupError:
        text = head[:400].decode("latin-1")
    printable = "".join(
        ch if ch.isprintable() or ch in "\n\t" else "\N{REPLACEMENT CHARACTER}" for ch in text
    )
    return {
        "binary": kind is not None,
        "kind": kind or "text",
        "encoding": None if kind else encoding,
        "encoding_method": None if kind else method,
        "text": printable[:200],
        "first_bytes_hex": head[:16].hex(" "),
    }
