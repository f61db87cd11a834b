"""Unit tests of the hardening fixes outside the test suites: text decoding refuses NUL bytes
and mixed encodings, text tables refuse over-long lines, spreadsheets are checked as zips."""

from __future__ import annotations

import io
import zipfile

import pytest

from telnorm.parsers.api import Limits
from telnorm.parsers.errors import InvalidText, LimitExceeded, MalformedInput
from telnorm.parsers.tabular.spreadsheet import read_spreadsheet
from telnorm.parsers.tabular.textread import check_line_length, read_text_table
from telnorm.parsers.tabular.zipbundle import check_zip
from telnorm.parsers.text import decode

UTF8 = "Lijst;Stemmen\nCafé 't Hoekje;12\nDorpshuis;3\n".encode()


def test_plain_files_still_decode() -> None:
    assert decode(UTF8).encoding == "utf-8"
    assert decode("Café;1\n".encode("cp1252")).encoding == "cp1252"
    utf16 = decode("Lijst;Stemmen\n".encode("utf-16"))
    assert utf16.text.startswith("Lijst")


def test_nul_bytes_are_refused_with_their_place() -> None:
    data = UTF8.replace(b"Dorpshuis", b"Dorp\x00huis")
    with pytest.raises(InvalidText) as caught:
        decode(data)
    assert caught.value.location == {"line": 3, "column": 5}


def test_bytes_that_are_not_utf8_in_a_utf8_file_are_refused() -> None:
    data = UTF8.replace(b"Dorpshuis", b"Dorp\xffhuis")
    with pytest.raises(InvalidText) as caught:
        decode(data)
    assert caught.value.location is not None
    assert caught.value.location["line"] == 3
    assert caught.value.location["column"] == 5


def test_check_line_length() -> None:
    check_line_length("a" * 10 + "\n" + "b" * 10, 10)
    with pytest.raises(LimitExceeded) as caught:
        check_line_length("a\n" + "b" * 11 + "\nc", 10)
    assert caught.value.location == {"line": 2}
    with pytest.raises(LimitExceeded):
        read_text_table(b"Lijst;" + b"x" * 5000 + b"\n", Limits(max_line_length=1000))


def _zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def test_check_zip_limits() -> None:
    check_zip(_zip({"a.txt": b"abc" * 10}), Limits())
    with pytest.raises(LimitExceeded, match="holds 3 files"):
        check_zip(_zip({"a": b"1", "b": b"2", "c": b"3"}), Limits(max_zip_members=2))
    with pytest.raises(LimitExceeded, match="zip bomb"):
        check_zip(_zip({"a": b"\0" * 1_000_000}), Limits())
    with pytest.raises(LimitExceeded, match="expands to more than"):
        check_zip(_zip({"a": bytes(range(256)) * 40}), Limits(max_zip_uncompressed=5000))
    with pytest.raises(MalformedInput):
        check_zip(_zip({"a": b"1"})[:-10], Limits())


def test_spreadsheets_are_checked_as_zips() -> None:
    with pytest.raises(LimitExceeded, match="zip bomb"):
        read_spreadsheet(_zip({"xl/workbook.xml": b"\0" * 1_000_000}), "xlsx", Limits())


def test_libxml2_depth_limit_is_a_limit_not_a_truncation() -> None:
    from telnorm.parsers.xmlsafe import safe_iterparse

    data = b"<a>" * 1000 + b"</a>" * 1000
    with pytest.raises(LimitExceeded, match="nested more than 64"):
        for _ in safe_iterparse(io.BytesIO(data), Limits(), events=("end",)):
            pass


def _hog() -> int:
    chunks = [bytearray(1024 * 1024) for _ in range(2000)]  # 2 GiB, over the limit below
    return len(chunks)


def test_a_worker_out_of_memory_answers_and_survives() -> None:
    import asyncio
    import os

    from telnorm.service.workers import WorkerPool

    pool = WorkerPool(size=1, timeout=60, memory_limit=300 * 1024 * 1024)
    pool.start()
    try:
        with pytest.raises(LimitExceeded, match="more memory"):
            asyncio.run(pool.run(_hog))
        assert pool.replaced == 0
        assert isinstance(asyncio.run(pool.run(os.getpid)), int)
    finally:
        pool.close()


def test_a_count_beyond_any_json_reader_is_refused_with_its_place(tmp_path: object) -> None:
    from pathlib import Path

    from telnorm.parsers.errors import InvalidValue
    from telnorm.service.pipeline import InputFile, normalise
    from tests.hardening.conftest import eml_count

    assert isinstance(tmp_path, Path)
    path = tmp_path / "count.xml"
    path.write_bytes(eml_count(3).replace(b"<Cast>10<", b"<Cast>99999999999999999999999<"))
    with pytest.raises(InvalidValue) as caught:
        normalise(InputFile(path, "count.xml"))
    assert caught.value.location is not None
    assert caught.value.location["xpath"].endswith("Cast")
    path.write_bytes(eml_count(3).replace(b"<Cast>10<", b"<Cast>9007199254740991<"))
    assert normalise(InputFile(path, "count.xml"))["total_votes"]["cast"] == 2**53 - 1


def test_dumps_turns_a_number_over_64_bits_into_a_problem() -> None:
    from telnorm.parsers.errors import InvalidValue
    from telnorm.service.pipeline import dumps

    with pytest.raises(InvalidValue):
        dumps({"total_votes": {"cast": 10**30}})  # type: ignore[typeddict-item]


def test_huge_valid_votes_and_station_numbers(tmp_path: object) -> None:
    from pathlib import Path

    from telnorm.parsers.canonical import unit_number
    from telnorm.parsers.errors import InvalidValue
    from telnorm.service.pipeline import InputFile, normalise
    from tests.hardening.conftest import eml_count

    assert unit_number("0518::SB12") == 12
    assert unit_number("0518::SB" + "9" * 23) is None
    assert isinstance(tmp_path, Path)
    path = tmp_path / "count.xml"
    huge = b"<ValidVotes>" + b"9" * 23 + b"<"
    path.write_bytes(eml_count(3).replace(b"<ValidVotes>2<", huge))
    with pytest.raises(InvalidValue) as caught:
        normalise(InputFile(path, "count.xml"))
    assert caught.value.location is not None
