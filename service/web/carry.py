"""Carrying an upload through the page, so the service stays stateless.

The result page offers downloads (JSON, EML, osv4-3, databank) and the mapping form offers a
retry; both need the uploaded files again, and a browser cannot fill a file input by
itself. The page therefore carries the files in one hidden form field: the parts, framed,
compressed with zlib and base64-encoded. Posting the field back re-runs exactly what
``POST /normalise`` runs on the same files, so a download is that upload's export.

Why not a signed token: a token needs a stored copy (state) or the same bytes in the page
anyway; and signing buys nothing, since whoever holds the page may upload the same files to
the API directly. A carried payload is checked like any upload (size caps, parsers).
"""

from __future__ import annotations

import base64
import binascii
import zlib
from collections.abc import Mapping
from pathlib import Path

from telnorm.parsers.errors import InputTooLarge, RequestError
from telnorm.service.pipeline import InputFile

#: The parts a page may carry (the file and what reading it again needs).
CARRIED_PARTS = ("file", "candidate_list", "election_definition", "reference", "mapping")
_MAGIC = b"TNC1"


def _broken() -> RequestError:
    return RequestError(
        "The page's stored upload is damaged or was changed (the hidden field 'carried'). "
        "Upload the file again from the start page."
    )


def pack(files: Mapping[str, InputFile]) -> str:
    """The carried field of ``files`` (role -> file on disk)."""
    frames = [_MAGIC]
    for role in CARRIED_PARTS:
        item = files.get(role)
        if item is None:
            continue
        data = item.path.read_bytes()
        # a line break would end the name's frame line early (uploads' names never have one)
        name = (item.filename or role).replace("\n", " ").replace("\r", " ").encode("utf-8")
        header = b"%s\n%s\n%d\n" % (role.encode(), name, len(data))
        frames += [header, data]
    return base64.b64encode(zlib.compress(b"".join(frames), 6)).decode("ascii")


def unpack(field: str, folder: Path, max_bytes: int) -> dict[str, InputFile]:
    """Write the carried files into ``folder``; RequestError when the field is not one of
    ours, InputTooLarge when it unpacks to more than ``max_bytes`` (a zlib bomb)."""
    try:
        compressed = base64.b64decode(field.encode("ascii"), validate=True)
        inflater = zlib.decompressobj()
        raw = inflater.decompress(compressed, max_bytes + 1)
    except (ValueError, binascii.Error, zlib.error, UnicodeEncodeError):
        raise _broken() from None
    if len(raw) > max_bytes or inflater.unconsumed_tail:
        raise InputTooLarge(
            f"The page's stored upload unpacks to more than {max_bytes} bytes, the most this "
            "service accepts.",
            limit_bytes=max_bytes,
        )
    if not raw.startswith(_MAGIC):
        raise _broken()
    files: dict[str, InputFile] = {}
    position = len(_MAGIC)
    while position < len(raw):
        try:
            role_end = raw.index(b"\n", position)
            name_end = raw.index(b"\n", role_end + 1)
            size_end = raw.index(b"\n", name_end + 1)
            role = raw[position:role_end].decode("ascii")
            name = raw[role_end + 1 : name_end].decode("utf-8")
            size = int(raw[name_end + 1 : size_end])
        except (ValueError, UnicodeDecodeError):
            raise _broken() from None
        start, position = size_end + 1, size_end + 1 + size
        if role not in CARRIED_PARTS or role in files or size < 0 or position > len(raw):
            raise _broken()
        target = folder / f"carried-{len(files)}-{role}"
        target.write_bytes(raw[start:position])
        # the name was made safe when first uploaded; strip any path all the same
        safe = Path(name.replace("\\", "/")).name or role
        files[role] = InputFile(target, safe)
    if "file" not in files:
        raise _broken()
    return files
