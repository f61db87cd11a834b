"""Hostile and odd files of the second hardening round, made on the spot (none committed)."""

from __future__ import annotations

import io
import struct
import zipfile

from tests.conftest import SAMPLES
from tests.hardening.conftest import XLSX_SAMPLE, eml_count

ODS_SAMPLE = SAMPLES / "tabular" / "b_lindehoven_columns.ods"
SHEET_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
CELL = (
    '<table:table-cell office:value-type="float" office:value="1"><text:p>1</text:p>'
    "</table:table-cell>"
)


def rezip(
    data: bytes,
    method: int = zipfile.ZIP_DEFLATED,
    replace: dict[str, bytes] | None = None,
    order: list[str] | None = None,
    flags: dict[str, int] | None = None,
) -> bytes:
    """A zip's members written again: another method, some contents replaced, another order,
    extra flag bits on some members."""
    replace = replace or {}
    source = zipfile.ZipFile(io.BytesIO(data))
    names = order or [info.filename for info in source.infolist()]
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", method) as archive:
        for name in names:
            info = zipfile.ZipInfo(name, date_time=(2026, 1, 1, 0, 0, 0))
            info.compress_type = method
            archive.writestr(
                info, replace.get(name, source.read(name) if name in source.NameToInfo else b"")
            )
    data = out.getvalue()
    for name, bits in (flags or {}).items():
        data = patch_member(data, name, flags=bits)
    return data


def patch_member(data: bytes, member: str, method: int | None = None, flags: int = 0) -> bytes:
    """Set the compression method and add flag bits (bit 0: encrypted) of ``member`` in its
    local header and its central-directory entry, as another zip writer would have."""
    blob = bytearray(data)
    info = zipfile.ZipFile(io.BytesIO(data)).getinfo(member)
    at = info.header_offset
    struct.pack_into("<H", blob, at + 6, struct.unpack_from("<H", blob, at + 6)[0] | flags)
    if method is not None:
        struct.pack_into("<H", blob, at + 8, method)
    position = 0
    while (position := blob.find(b"PK\x01\x02", position)) >= 0:
        length = struct.unpack_from("<H", blob, position + 28)[0]
        if blob[position + 46 : position + 46 + length] == member.encode():
            old = struct.unpack_from("<H", blob, position + 8)[0]
            struct.pack_into("<H", blob, position + 8, old | flags)
            if method is not None:
                struct.pack_into("<H", blob, position + 10, method)
        position += 4
    return bytes(blob)


def with_method(data: bytes, member: str, method: int) -> bytes:
    """A member (written stored) marked with a compression method the reader lacks."""
    assert zipfile.ZipFile(io.BytesIO(data)).getinfo(member).compress_type == zipfile.ZIP_STORED
    return patch_member(data, member, method=method)


def xlsx_with_sheet(sheet_xml: str) -> bytes:
    """The sample workbook with its first sheet replaced."""
    names = zipfile.ZipFile(XLSX_SAMPLE).namelist()
    sheet = next(n for n in names if n.startswith("xl/worksheets/") and n.endswith(".xml"))
    return rezip(XLSX_SAMPLE.read_bytes(), replace={sheet: sheet_xml.encode()})


def far_xlsx(cells: str, dimension: str = "", prefix: str = "") -> bytes:
    p = f"{prefix}:" if prefix else ""
    xmlns = f'xmlns:{prefix}="{SHEET_NS}"' if prefix else f'xmlns="{SHEET_NS}"'
    head = f'<{p}dimension ref="{dimension}"/>' if dimension else ""
    return xlsx_with_sheet(
        f"<{p}worksheet {xmlns}>{head}<{p}sheetData>{cells}</{p}sheetData></{p}worksheet>"
    )


def ods_with_rows(rows: str) -> bytes:
    content = zipfile.ZipFile(ODS_SAMPLE).read("content.xml").decode()
    start = content.index("<table:table-row")
    end = content.index("</table:table>")
    return rezip(
        ODS_SAMPLE.read_bytes(),
        replace={"content.xml": (content[:start] + rows + content[end:]).encode()},
    )


def bundle(members: dict[str, bytes], method: int = zipfile.ZIP_DEFLATED) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", method) as archive:
        for name, data in members.items():
            archive.writestr(zipfile.ZipInfo(name, date_time=(2026, 1, 1, 0, 0, 0)), data)
    return out.getvalue()


def encrypted_xls() -> bytes:
    """An OLE2 container holding an ``EncryptedPackage`` stream, as Office writes a workbook
    protected with a password to open (an xls made by xlwt, its stream renamed)."""
    import xlwt

    book = xlwt.Workbook()
    book.add_sheet("Telling").write(0, 0, "Stembureau")
    buffer = io.BytesIO()
    book.save(buffer)
    data = buffer.getvalue()
    at = data.index("Workbook".encode("utf-16-le"))
    name = "EncryptedPackage".encode("utf-16-le") + b"\0\0"
    entry = bytearray(data[at : at + 128])
    entry[0:64] = name.ljust(64, b"\0")
    entry[64:66] = len(name).to_bytes(2, "little")
    return data[:at] + bytes(entry) + data[at + 128 :]


def eml_named(election_id: str, authority: str) -> bytes:
    """The small EML count with another election id and authority name (XML-escaped)."""
    from xml.sax.saxutils import escape, quoteattr

    return (
        eml_count()
        .replace(
            b"Id='GR2026_Lindehoven'",
            b"Id=" + quoteattr(election_id, {"\r": "&#13;", "\n": "&#10;"}).encode(),
        )
        .replace(
            b"Lindehoven</AuthorityIdentifier>",
            escape(authority).encode() + b"</AuthorityIdentifier>",
        )
    )
