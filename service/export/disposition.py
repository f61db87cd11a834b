"""``Content-Disposition`` for a download whose file name comes from the file's own data.

An export's name is built from ids and names inside the uploaded file, so it may hold any
character: non-Latin-1 text (a header must be Latin-1, or the server fails with a 500), CR/LF
(a broken or split response), ``"`` or ``;`` (extra header parameters) and ``\\`` or ``/``.
RFC 6266 with RFC 8187 (formerly 5987): ``filename*=UTF-8''...`` carries the real name,
percent-encoded, and ``filename="..."`` an ASCII fallback for old clients made only of
letters, digits, ``.``, ``_`` and ``-``. Both keep the extension and stay short.
"""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import quote

#: Longest name, in characters, before percent-encoding (the fallback has the same bound).
MAX_NAME = 120
_UNSAFE_ASCII = re.compile(r"[^A-Za-z0-9._-]+")
_SUFFIX = re.compile(r"(\.[A-Za-z0-9]{1,10}){1,2}$")
#: RFC 8187 attr-char besides letters and digits: sent as they are, all else percent-encoded.
_ATTR_CHARS = "!#$&+-.^_`|~"


def _clean(name: str) -> str:
    """The name without control characters (CR, LF, NUL, ...) or path separators."""
    text = unicodedata.normalize("NFC", name)
    text = "".join(" " if unicodedata.category(ch).startswith("C") else ch for ch in text)
    text = text.replace("/", "_").replace("\\", "_")
    return " ".join(text.split()).strip(" .")


def _shorten(name: str, limit: int) -> str:
    """At most ``limit`` characters, keeping the extension (``.eml.xml``, ``.csv``)."""
    if len(name) <= limit:
        return name
    match = _SUFFIX.search(name)
    suffix = match.group(0) if match and len(match.group(0)) < limit // 2 else ""
    return name[: limit - len(suffix)].rstrip(" ._-") + suffix


def ascii_fallback(name: str, default: str = "download") -> str:
    """Letters, digits, ``.``, ``_`` and ``-`` only (accents dropped: ``é`` -> ``e``), the
    extension kept; ``default`` for a stem with nothing left (``名前.csv`` -> ``download.csv``).
    """
    found = _SUFFIX.search(name)
    suffix = found.group(0) if found else ""
    stem = name[: len(name) - len(suffix)]
    decomposed = unicodedata.normalize("NFKD", stem)
    text = decomposed.encode("ascii", "ignore").decode("ascii")
    text = _UNSAFE_ASCII.sub("_", text).strip("._-")
    return _shorten((text or default) + suffix, MAX_NAME)


def content_disposition(filename: str, kind: str = "attachment") -> str:
    """The header value: ``attachment; filename="fallback"; filename*=UTF-8''encoded``."""
    name = _shorten(_clean(filename), MAX_NAME) or "download"
    fallback = ascii_fallback(name)
    encoded = quote(name, safe=_ATTR_CHARS, encoding="utf-8")
    return f"{kind}; filename=\"{fallback}\"; filename*=UTF-8''{encoded}"


__all__ = ["MAX_NAME", "ascii_fallback", "content_disposition"]
