"""Member checks shared by every reader that opens a zip (bundles, xlsx, xlsm, ods).

Run on the central directory, before any member is decompressed. A member that is encrypted,
compressed with a method the reader lacks, or named with a path that climbs out of the archive
(``..``, an absolute path, a drive letter) is a 422 naming the member. Without this check an
encrypted member or an unknown method surfaces as a vague "damaged" message (or a library's
own error), and a ``..`` member was skipped without a word.
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterable
from pathlib import PurePosixPath

from telnorm.parsers.errors import MalformedInput

_METHOD_NAMES = {
    zipfile.ZIP_STORED: "stored",
    zipfile.ZIP_DEFLATED: "deflate",
    9: "deflate64",
    zipfile.ZIP_BZIP2: "bzip2",
    zipfile.ZIP_LZMA: "lzma",
    93: "zstandard",
    95: "xz",
    98: "ppmd",
    99: "AES encryption",
}

#: What Python's zipfile raises for a damaged archive besides BadZipFile: a directory entry
#: claiming a zip version it lacks ("zip file version 6.5"), a header offset before the
#: start ("negative seek value"), a truncated header.
UNREADABLE_ZIP: tuple[type[Exception], ...] = (
    zipfile.BadZipFile,
    NotImplementedError,
    ValueError,
    OSError,
    EOFError,
)

#: What Office and LibreOffice write, and all the spreadsheet library is sure to read.
SPREADSHEET_METHODS = frozenset({zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED})


def _python_methods() -> frozenset[int]:
    """Methods Python's zipfile can decompress here (bzip2 and lzma need their modules)."""
    methods = {zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED}
    try:
        import bz2  # noqa: F401

        methods.add(zipfile.ZIP_BZIP2)
    except ImportError:  # pragma: no cover - a Python built without bz2
        pass
    try:
        import lzma  # noqa: F401

        methods.add(zipfile.ZIP_LZMA)
    except ImportError:  # pragma: no cover - a Python built without lzma
        pass
    return frozenset(methods)


#: What the bundle reader (Python's zipfile) can decompress.
BUNDLE_METHODS = _python_methods()


def method_name(method: int) -> str:
    return _METHOD_NAMES.get(method, f"method {method}")


def climbs_out(name: str) -> bool:
    """A member path with ``..``, an absolute path or a drive letter."""
    normalised = name.replace("\\", "/")
    if normalised.startswith("/") or (len(normalised) > 1 and normalised[1] == ":"):
        return True
    return ".." in PurePosixPath(normalised).parts


def check_members(
    infos: Iterable[zipfile.ZipInfo],
    what: str,
    methods: frozenset[int],
    prefix: str = "",
) -> None:
    """Refuse encrypted members, unknown compression methods and paths that climb out."""
    for info in infos:
        name = prefix + info.filename
        if climbs_out(info.filename):
            raise MalformedInput(
                f"The {what} file has a member named {name!r}, a path that points outside the "
                "archive. Election files never have one; telnorm refuses the file rather than "
                "skip the member. Pack the files again without folders above the archive.",
                location={"member": name},
            )
        if info.flag_bits & 0x1 or info.compress_type == 99:
            raise MalformedInput(
                f"The {what} file's member {name!r} is encrypted (password-protected). "
                "telnorm cannot read encrypted files: save or pack it again without a "
                "password.",
                location={"member": name},
            )
        if info.compress_type not in methods:
            allowed = ", ".join(method_name(m) for m in sorted(methods))
            raise MalformedInput(
                f"The {what} file's member {name!r} is compressed with "
                f"{method_name(info.compress_type)}, which telnorm cannot read here (it reads "
                f"{allowed}). Pack the files again with ordinary (deflate) compression.",
                location={"member": name},
            )


__all__ = [
    "BUNDLE_METHODS",
    "SPREADSHEET_METHODS",
    "UNREADABLE_ZIP",
    "check_members",
    "climbs_out",
    "method_name",
]
