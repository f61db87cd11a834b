"""Zip bundles: municipalities publish a count as a zip, sometimes with a zip inside.

Opened safely before anything is decompressed in full: member count, total uncompressed size
and the compression ratio of every member are checked against ``context.limits``, and each
member is read with a hard cap (a member whose header lies about its size is caught). The one
count inside goes back to the normalise pipeline (detected, its options checked, parsed and
enriched as if sent on its own), with a candidate list (EML 230b) found in the bundle as context
when the request sent none; several counts are a 422 listing them (pick one with ``member=``).
"""

from __future__ import annotations

import io
import re
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from telnorm.parsers.api import BundleParser, Detection, Limits, ParseContext, Source, Unpacked
from telnorm.parsers.eml.context import CANDIDATE_LIST
from telnorm.parsers.errors import (
    AmbiguousBundle,
    LimitExceeded,
    MalformedInput,
    RequestError,
    UnsupportedFormat,
)
from telnorm.parsers.zipsafe import (
    BUNDLE_METHODS,
    SPREADSHEET_METHODS,
    UNREADABLE_ZIP,
    check_members,
)

_MAX_DEPTH = 2
_COUNT_SUFFIXES = (".csv", ".txt", ".tsv", ".xlsx", ".xlsm", ".xls", ".ods", ".xml", ".eml")
_EML_ID = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?EML\b[^>]*?\sId\s*=\s*[\"']([^\"']*)[\"']", re.S)


@dataclass
class Member:
    name: str
    data: bytes


def is_bundle(data: bytes) -> bool:
    """A zip that is not a spreadsheet package (by its names when ``data`` is whole)."""
    from telnorm.parsers.tabular.spreadsheet import zip_spreadsheet_kind

    return data.startswith(b"PK\x03\x04") and zip_spreadsheet_kind(data) is None


def check_zip(data: bytes, limits: Limits, what: str = "zip") -> None:
    """Member count, total uncompressed size and every member's compression ratio, from the
    central directory, before anything is decompressed (xlsx and ods are zips too)."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except UNREADABLE_ZIP as exc:
        raise MalformedInput(
            f"The {what} file is damaged or incomplete: {exc}. It may have been cut off; "
            "send it again."
        ) from None
    infos = archive.infolist()
    if len(infos) > limits.max_zip_members:
        raise LimitExceeded(
            f"The {what} file holds {len(infos)} files; the limit is {limits.max_zip_members}."
        )
    check_members(infos, what, BUNDLE_METHODS if what == "zip" else SPREADSHEET_METHODS)
    total = 0
    for info in infos:
        if info.compress_size and info.file_size / info.compress_size > limits.max_zip_ratio:
            raise LimitExceeded(
                f"{what} member {info.filename!r} expands "
                f"{info.file_size / info.compress_size:.0f} times (limit "
                f"{limits.max_zip_ratio:.0f}): refused as a possible zip bomb."
            )
        total += info.file_size
        if total > limits.max_zip_uncompressed:
            raise LimitExceeded(
                f"The {what} file expands to more than {limits.max_zip_uncompressed:,} bytes "
                "(limit)."
            )


def _read_members(
    data: bytes, limits: Limits, prefix: str, depth: int, budget: list[int]
) -> list[Member]:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except UNREADABLE_ZIP as exc:
        raise MalformedInput(f"The zip file {prefix or ''} is damaged: {exc}.") from None
    infos = [i for i in archive.infolist() if not i.is_dir()]
    if len(infos) > limits.max_zip_members:
        raise LimitExceeded(
            f"The zip holds {len(infos)} files; the limit is {limits.max_zip_members}."
        )
    check_members(infos, "zip", BUNDLE_METHODS, prefix)
    members: list[Member] = []
    for info in infos:
        name = prefix + info.filename
        parts = PurePosixPath(info.filename).parts
        if any(p.startswith(".") or p == "__MACOSX" for p in parts):
            continue
        if info.compress_size and info.file_size / info.compress_size > limits.max_zip_ratio:
            raise LimitExceeded(
                f"Zip member {name!r} expands {info.file_size / info.compress_size:.0f} times "
                f"(limit {limits.max_zip_ratio:.0f}): refused as a possible zip bomb."
            )
        budget[0] -= info.file_size
        if budget[0] < 0:
            raise LimitExceeded(
                f"The zip expands to more than {limits.max_zip_uncompressed} bytes (limit)."
            )
        try:
            with archive.open(info) as handle:
                content = handle.read(info.file_size + 1)
        except (
            zipfile.BadZipFile,
            zlib.error,
            EOFError,
            NotImplementedError,
            ValueError,
            OSError,
        ) as exc:
            # A damaged member: a local header that contradicts the directory, a bad CRC,
            # a broken deflate stream, an unknown compression method.
            raise MalformedInput(
                f"Zip member {name!r} is damaged and cannot be read: {str(exc).rstrip('.')}. "
                "Send the file again (it may have been cut off or changed in transit).",
                location={"member": name},
            ) from None
        if len(content) > info.file_size:
            raise LimitExceeded(f"Zip member {name!r} is larger than its header says: refused.")
        if content.startswith(b"PK\x03\x04") and is_bundle(content):
            if depth >= _MAX_DEPTH:
                raise LimitExceeded(f"Zip member {name!r} nests zips deeper than {_MAX_DEPTH}.")
            members.extend(_read_members(content, limits, name + "/", depth + 1, budget))
        else:
            members.append(Member(name, content))
    return members


def _eml_id(data: bytes) -> str | None:
    match = _EML_ID.search(data[:65536])
    return match.group(1).decode("ascii", "replace") if match else None


def classify(members: list[Member]) -> tuple[list[Member], list[Member], list[Member]]:
    """``(counts, candidate lists, other)``."""
    counts: list[Member] = []
    lists: list[Member] = []
    other: list[Member] = []
    for member in members:
        lower = member.name.lower()
        is_xml = member.data.lstrip()[:1] == b"<" or lower.endswith((".xml", ".eml"))
        eml = _eml_id(member.data) if is_xml else None
        if eml is not None:
            if eml.startswith("510"):
                counts.append(member)
            elif eml.startswith("230"):
                lists.append(member)
            else:
                other.append(member)
        elif lower.endswith(_COUNT_SUFFIXES) and not is_xml:
            counts.append(member)
        else:
            other.append(member)
    return counts, lists, other


class ZipBundleParser(BundleParser):
    """Picks the one count in a bundle (or the ``member=`` named) and a candidate list beside
    it; the pipeline normalises the member like a file sent on its own (``format=``, ``sheet=``
    and the other options apply to the member and are checked against its parser)."""

    name = "zip"
    options = ("member",)
    version = "1.0.0"
    title = "A zip bundle holding one count (CSV, spreadsheet or EML), possibly with a 230b"
    media_types = ("application/zip",)
    extensions = (".zip",)

    def detect(self, head: bytes, filename: str | None) -> Detection:
        if not is_bundle(head):
            return Detection.no("not a zip bundle")
        return Detection(0.8, ("zip archive that is not a spreadsheet",), "zip", "application/zip")

    def unpack(self, source: Source, context: ParseContext, folder: Path) -> Unpacked:
        members = _read_members(
            source.read_bytes(), context.limits, "", 1, [context.limits.max_zip_uncompressed]
        )
        counts, lists, other = classify(members)
        member = _choose_member(members, counts, context.options.get("member"))
        for item in other:
            context.note("zip-member-skipped", f"Zip member {item.name!r} is not used.", None)
        path = folder / "member"
        path.write_bytes(member.data)
        unpacked = Unpacked(Source(path, PurePosixPath(member.name).name), member.name)
        if len(lists) == 1:
            list_path = folder / "candidate-list.xml"
            list_path.write_bytes(lists[0].data)
            unpacked.context_files[CANDIDATE_LIST] = Source(list_path, lists[0].name)
        elif len(lists) > 1:
            context.note(
                "zip-context",
                f"The zip holds {len(lists)} candidate lists; none is used. Send the right one "
                "as the candidate_list part.",
                None,
            )
        return unpacked


def _choose_member(members: list[Member], counts: list[Member], wanted: object) -> Member:
    """The member ``member=`` names, else the bundle's one count."""
    if wanted:
        chosen = [m for m in members if wanted in (m.name, PurePosixPath(m.name).name)]
        if len(chosen) != 1:
            raise RequestError(
                f"The zip has no single member {wanted!r}. Its files: "
                + ", ".join(m.name for m in members)
                + ".",
                members=[m.name for m in members],
            )
        return chosen[0]
    if len(counts) == 1:
        return counts[0]
    if not counts:
        raise UnsupportedFormat(
            "The zip holds no count (CSV, spreadsheet or EML 510). Its files: "
            + ", ".join(m.name for m in members)
            + "."
        )
    names = [m.name for m in counts]
    raise AmbiguousBundle(
        f"The zip holds {len(counts)} counts: {', '.join(names)}. Send one of them, or "
        "pick one with member=NAME (e.g. member=" + names[0] + ").",
        members=names,
    )
