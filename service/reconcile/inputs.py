"""The inputs of a reconciliation: files, folders of them, and zips of them.

A zip that holds several counts is unpacked (within the zip limits of the settings) and
every count in it becomes an input of its own, named ``bundle.zip!member``; context files
in it (230b, 110a/b) are not counts and are skipped. A zip holding a single count is
handed to the parsers whole (the zip-bundle parser reads it with its candidate list).
Spreadsheets (xlsx, ods) are zips too, and are never unpacked.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from telnorm.parsers.api import Limits
from telnorm.parsers.errors import LimitExceeded, MalformedInput
from telnorm.service.problems import problem_document
from telnorm.service.reconcile.summary import FileSummary

_COUNT_SUFFIXES = (
    ".xml",
    ".eml",
    ".csv",
    ".txt",
    ".tsv",
    ".xlsx",
    ".xlsm",
    ".xls",
    ".ods",
    ".json",
    ".zip",
)
_EML_ID = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?EML\b[^>]*?\sId\s*=\s*[\"']([^\"']*)[\"']", re.S)
_CONTEXT_IDS = (b"110a", b"110b", b"230a", b"230b", b"230c")


@dataclass(frozen=True)
class Item:
    path: Path
    label: str

    @property
    def filename(self) -> str:
        """The sender's name of the file (a zip member's own name), for format detection:
        an uploaded part is spooled under a name of its own."""
        return (
            PurePosixPath(self.label.rsplit("!", 1)[-1].replace("\\", "/")).name or self.path.name
        )


def _is_plain_zip(path: Path) -> bool:
    """A zip archive that is not a spreadsheet (xlsx and ods are zips with a manifest)."""
    with path.open("rb") as handle:
        if handle.read(4) != b"PK\x03\x04":
            return False
    try:
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, OSError):
        return False
    return "[Content_Types].xml" not in names and "mimetype" not in names


def _is_context(data: bytes) -> bool:
    match = _EML_ID.search(data[:4096])
    return bool(match and match.group(1).strip() in _CONTEXT_IDS)


def _members(path: Path, limits: Limits) -> list[zipfile.ZipInfo]:
    with zipfile.ZipFile(path) as archive:
        infos = [i for i in archive.infolist() if not i.is_dir()]
    if len(infos) > limits.max_zip_members:
        raise LimitExceeded(
            f"The zip has {len(infos)} members; at most {limits.max_zip_members} are read."
        )
    if sum(i.file_size for i in infos) > limits.max_zip_uncompressed:
        raise LimitExceeded("The zip unpacks to more than the uncompressed size allowed.")
    for info in infos:
        if info.compress_size and info.file_size / info.compress_size > limits.max_zip_ratio:
            raise LimitExceeded(
                f"The zip member {info.filename} is compressed beyond the allowed ratio."
            )
    return [
        i
        for i in infos
        if PurePosixPath(i.filename).suffix.lower() in _COUNT_SUFFIXES
        and not any(part.startswith((".", "__MACOSX")) for part in PurePosixPath(i.filename).parts)
    ]


def _unpack(path: Path, label: str, workdir: Path, limits: Limits) -> list[Item]:
    items: list[Item] = []
    target = workdir / f"zip{len(list(workdir.iterdir()))}"
    target.mkdir()
    with zipfile.ZipFile(path) as archive:
        for index, info in enumerate(_members(path, limits)):
            with archive.open(info) as member:
                data = member.read(info.file_size + 1)
            if len(data) > info.file_size:
                raise LimitExceeded(
                    f"The zip member {info.filename} is larger than its header says."
                )
            if _is_context(data):
                continue
            name = PurePosixPath(info.filename).name
            out = target / f"{index}-{name}"
            out.write_bytes(data)
            items.append(Item(out, f"{label}!{info.filename}"))
    return items


def expand(
    paths: Iterable[tuple[Path, str]], workdir: Path, limits: Limits
) -> tuple[list[Item], list[FileSummary]]:
    """Every count to read, and the zips that could not be opened (as unreadable entries)."""
    items: list[Item] = []
    broken: list[FileSummary] = []
    for path, label in paths:
        if not _is_plain_zip(path):
            items.append(Item(path, label))
            continue
        try:
            inner = _unpack(path, label, workdir, limits)
        except (LimitExceeded, zipfile.BadZipFile, OSError) as exc:
            error = (
                exc
                if isinstance(exc, LimitExceeded)
                else MalformedInput(f"The zip cannot be read: {exc}")
            )
            broken.append(FileSummary(file=label, problem=problem_document(error)))
            continue
        if len(inner) <= 1:
            items.append(Item(path, label))  # one count: the zip-bundle parser reads it whole
        else:
            items.extend(inner)
    return items, broken
