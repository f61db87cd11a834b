"""Issue 16, input families: each answered with a 4xx problem (or read right), never a 5xx,
on a one-worker app whose worker must survive every file."""

from __future__ import annotations

import io
import time
import zipfile
from collections.abc import Iterator
from typing import Any
from urllib.parse import unquote

import pytest
from fastapi.testclient import TestClient

from tests.hardening.conftest import (
    CSV_SAMPLE,
    XLSX_SAMPLE,
    assert_healthy,
    assert_problem,
    csv_sample,
    eml_count,
    service,
)
from tests.hardening.files import (
    CELL,
    ODS_SAMPLE,
    bundle,
    eml_named,
    encrypted_xls,
    far_xlsx,
    ods_with_rows,
    rezip,
    with_method,
)

#: Every hostile file here must be answered within this (the app's parse timeout is 60 s).
ANSWER_SECONDS = 20


@pytest.fixture(scope="module")
def client() -> Iterator[TestClient]:
    with service() as client:
        yield client


def post(client: TestClient, body: bytes, filename: str, **params: str) -> Any:
    started = time.monotonic()
    response = client.post("/normalise", content=body, params={"filename": filename, **params})
    assert time.monotonic() - started < ANSWER_SECONDS
    assert response.status_code < 500, response.text[:1000]
    return response


def worker_pid(client: TestClient) -> int:
    import os

    pool = client.app.state.pool  # type: ignore[attr-defined]
    pid: int = client.portal.call(pool.run, os.getpid)  # type: ignore[union-attr]
    return pid


# --- 1. Content-Disposition from file data ---------------------------------------------

NASTY_NAMES = [
    ("GR2026_Lindehoven", "Lindehövén 名前 Ωmega"),  # not Latin-1
    ("GR2026_A\r\nSet-Cookie: x=1", "Lindehoven"),  # CR/LF
    ('GR2026_A"; filename=evil.exe; x="', "Lindehoven"),  # quote and parameters
    ("GR2026_A\\..\\..\\etc;passwd", "C:\\temp\\x"),  # backslashes, ;
    ("GR2026_" + "Ä" * 400, "L" * 500),  # very long
]


@pytest.mark.parametrize("output", ["eml", "osv4-3", "databank"])
@pytest.mark.parametrize("election_id,authority", NASTY_NAMES)
def test_download_names_from_file_data(
    client: TestClient, output: str, election_id: str, authority: str
) -> None:
    response = post(
        client,
        eml_named(election_id, authority),
        "count.xml",
        output=output,
        creation_time="2026-03-19T12:00:00",
        election_date="2026-03-18",
        missing_counts="zero",
    )
    if response.status_code != 200:  # EML refuses an election id it cannot write: a 422
        assert output == "eml", response.text
        assert_problem(response, 422, "export-fields-missing")
        return
    header = response.headers["content-disposition"]
    header.encode("latin-1")  # a header the server could send at all
    assert "\r" not in header and "\n" not in header
    kind, fallback, extended = (part.strip() for part in header.split(";"))
    assert kind == "attachment"
    assert fallback.startswith('filename="') and fallback.endswith('"')
    assert set(fallback[10:-1]) <= set(
        "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-"
    )
    assert extended.startswith("filename*=UTF-8''")
    real = unquote(extended[len("filename*=UTF-8''") :], encoding="utf-8", errors="strict")
    assert real and not {"\r", "\n", "/", "\\"} & set(real)
    assert len(real) <= 120 and len(fallback) <= 132
    assert real.endswith((".eml.xml", ".csv"))


def test_content_disposition_function() -> None:
    from telnorm.service.export.disposition import content_disposition

    assert content_disposition("Telling_GR2026_X.eml.xml") == (
        'attachment; filename="Telling_GR2026_X.eml.xml"; '
        "filename*=UTF-8''Telling_GR2026_X.eml.xml"
    )
    assert content_disposition("Ü名.csv") == (
        "attachment; filename=\"U.csv\"; filename*=UTF-8''%C3%9C%E5%90%8D.csv"
    )
    assert content_disposition("名前.csv").split(";")[1].strip() == 'filename="download.csv"'
    value = content_disposition('a"b;c\r\nd\\e.csv')
    assert value.split(";")[1].strip() == 'filename="a_b_c_d_e.csv"'
    assert "%22" in value and "%3B" in value and "\r" not in value


# --- 2. zip members: encrypted, unknown method, paths climbing out ------------------------


def _xlsx_member() -> str:
    return next(
        n for n in zipfile.ZipFile(XLSX_SAMPLE).namelist() if n.startswith("xl/worksheets/")
    )


ZIP_CASES = {
    "encrypted-xlsx-member": lambda: (
        rezip(XLSX_SAMPLE.read_bytes(), flags={_xlsx_member(): 0x1}),
        "count.xlsx",
        "encrypted",
    ),
    "encrypted-ods-member": lambda: (
        rezip(ODS_SAMPLE.read_bytes(), flags={"content.xml": 0x1}),
        "count.ods",
        "encrypted",
    ),
    "encrypted-bundle-member": lambda: (
        rezip(bundle({"telling.csv": csv_sample()}), flags={"telling.csv": 0x1}),
        "bundle.zip",
        "encrypted",
    ),
    "deflate64-bundle-member": lambda: (
        with_method(bundle({"telling.csv": csv_sample()}, zipfile.ZIP_STORED), "telling.csv", 9),
        "bundle.zip",
        "deflate64",
    ),
    "zstandard-bundle-member": lambda: (
        with_method(bundle({"telling.csv": csv_sample()}, zipfile.ZIP_STORED), "telling.csv", 93),
        "bundle.zip",
        "zstandard",
    ),
    "bzip2-xlsx-member": lambda: (
        rezip(XLSX_SAMPLE.read_bytes(), method=zipfile.ZIP_BZIP2),
        "count.xlsx",
        "bzip2",
    ),
    "lzma-ods-member": lambda: (
        rezip(ODS_SAMPLE.read_bytes(), method=zipfile.ZIP_LZMA),
        "count.ods",
        "lzma",
    ),
    "dotdot-bundle-member": lambda: (
        bundle({"telling.csv": csv_sample(), "../../etc/cron.d/x": b"x"}),
        "bundle.zip",
        "outside",
    ),
    "dotdot-only-member": lambda: (
        bundle({"../telling.csv": csv_sample()}),
        "bundle.zip",
        "outside",
    ),
    "absolute-member": lambda: (
        bundle({"/tmp/telling.csv": csv_sample()}),
        "bundle.zip",
        "outside",
    ),
    "dotdot-xlsx-member": lambda: (
        rezip(
            XLSX_SAMPLE.read_bytes(),
            replace={"../x.xml": b"<x/>"},
            order=[*zipfile.ZipFile(XLSX_SAMPLE).namelist(), "../x.xml"],
        ),
        "count.xlsx",
        "outside",
    ),
    "encrypted-member-in-nested-bundle": lambda: (
        bundle({"inner.zip": rezip(bundle({"t.csv": csv_sample()}), flags={"t.csv": 1})}),
        "bundle.zip",
        "encrypted",
    ),
}


@pytest.mark.parametrize("case", sorted(ZIP_CASES))
def test_zip_members_refused_naming_the_member(client: TestClient, case: str) -> None:
    body, filename, word = ZIP_CASES[case]()
    pid = worker_pid(client)
    problem = assert_problem(post(client, body, filename), 422, "malformed-input")
    assert word in problem["detail"]
    assert problem["location"]["member"] in problem["detail"]
    assert worker_pid(client) == pid  # refused, not crashed


# --- 3. spreadsheet dimensions ---------------------------------------------------------

FAR_CASES = {
    "xlsx-cell-XFD1048576": lambda: far_xlsx(
        '<row r="1"><c r="A1" t="inlineStr"><is><t>Stembureau</t></is></c></row>'
        '<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>'
    ),
    "xlsx-declared-dimension": lambda: far_xlsx(
        '<row r="1"><c r="A1"><v>1</v></c></row>', dimension="A1:XFD1048576"
    ),
    "xlsx-cell-row-beyond-its-row": lambda: far_xlsx(
        '<row r="1"><c r="A1"><v>1</v></c><c r="B900000"><v>1</v></c></row>'
    ),
    "xlsx-column-only": lambda: far_xlsx(
        '<row r="1"><c r="A1"><v>1</v></c><c r="ZZZ1"><v>1</v></c></row>'
    ),
    "xlsx-area-within-each-axis": lambda: far_xlsx(
        '<row r="1"><c r="GJH1"><v>1</v></c></row><row r="199999"><c r="A199999"><v>1</v></c></row>'
    ),
    "xlsx-cells-without-r": lambda: far_xlsx(
        '<row r="150000">'
        + "".join(f"<c><v>{i * 7919 % 10007}</v></c>" for i in range(4000))
        + "</row>"
    ),
    "xlsx-prefixed-namespace": lambda: far_xlsx(
        '<x:row r="1048576"><x:c r="XFD1048576"><x:v>2</x:v></x:c></x:row>', prefix="x"
    ),
    "ods-repeated-far-cell": lambda: ods_with_rows(
        f"<table:table-row>{CELL}</table:table-row>"
        '<table:table-row table:number-rows-repeated="1048574"><table:table-cell '
        'table:number-columns-repeated="16384"/></table:table-row>'
        f'<table:table-row><table:table-cell table:number-columns-repeated="16383"/>{CELL}'
        "</table:table-row>"
    ),
    "ods-repeated-values": lambda: ods_with_rows(
        '<table:table-row table:number-rows-repeated="1048576"><table:table-cell '
        'office:value-type="float" office:value="1" table:number-columns-repeated="16384">'
        "<text:p>1</text:p></table:table-cell></table:table-row>"
    ),
    "ods-area-within-each-axis": lambda: ods_with_rows(
        f"<table:table-row>{CELL}</table:table-row>"
        '<table:table-row table:number-rows-repeated="199990"><table:table-cell/>'
        "</table:table-row><table:table-row><table:table-cell "
        f'table:number-columns-repeated="4990"/>{CELL}</table:table-row>'
    ),
}


@pytest.mark.parametrize("case", sorted(FAR_CASES))
def test_far_cells_refused_before_allocation(client: TestClient, case: str) -> None:
    body = FAR_CASES[case]()
    assert len(body) < 100_000  # tiny files
    filename = "count.ods" if case.startswith("ods") else "count.xlsx"
    pid = worker_pid(client)
    problem = assert_problem(post(client, body, filename), 422, "limit-exceeded")
    assert problem["location"]["sheet"]
    assert worker_pid(client) == pid  # the worker was not killed by an allocation
    # inside a bundle too
    problem = assert_problem(post(client, bundle({filename: body}), "b.zip"), 422, "limit-exceeded")
    assert worker_pid(client) == pid


def test_trailing_empty_repeats_are_not_far_cells(client: TestClient) -> None:
    """Spreadsheet programs end a sheet with a million empty repeated rows: not refused."""
    content = zipfile.ZipFile(ODS_SAMPLE).read("content.xml").decode()
    end = content.index("</table:table>")
    tail = (
        '<table:table-row table:number-rows-repeated="1048500"><table:table-cell '
        'table:number-columns-repeated="16384"/></table:table-row>'
    )
    body = rezip(
        ODS_SAMPLE.read_bytes(),
        replace={"content.xml": (content[:end] + tail + content[end:]).encode()},
    )
    assert post(client, body, "count.ods").status_code == 200


def test_large_sheet_fast_check(client: TestClient) -> None:
    """A sheet too large for the exact scan gets the C-speed check: a far reference in it is
    refused the same way."""
    from telnorm.parsers.tabular.sheetscan import EXACT_SCAN_BYTES

    row = "".join(f'<c r="{chr(65 + c)}{{r}}"><v>{c}</v></c>' for c in range(10))
    filler = "".join(f'<row r="{r}">' + row.format(r=r) + "</row>" for r in range(2, 30_000))
    assert len(filler) > EXACT_SCAN_BYTES
    far = '<row r="1048576"><c r="A1048576"><v>1</v></c></row>'
    body = far_xlsx(filler + far)
    assert_problem(post(client, body, "count.xlsx"), 422, "limit-exceeded")


# --- 4. stored packages inside bundles -----------------------------------------------------

STORED_CASES = {
    "stored-xlsx": lambda: (rezip(XLSX_SAMPLE.read_bytes(), zipfile.ZIP_STORED), "t.xlsx"),
    "stored-ods": lambda: (rezip(ODS_SAMPLE.read_bytes(), zipfile.ZIP_STORED), "t.ods"),
    "ods-mimetype-last": lambda: (
        rezip(
            ODS_SAMPLE.read_bytes(),
            order=[
                *[n for n in zipfile.ZipFile(ODS_SAMPLE).namelist() if n != "mimetype"],
                "mimetype",
            ],
        ),
        "t.ods",
    ),
    "xlsx-content-types-last": lambda: (
        rezip(
            XLSX_SAMPLE.read_bytes(),
            zipfile.ZIP_STORED,
            order=sorted(
                zipfile.ZipFile(XLSX_SAMPLE).namelist(), key=lambda n: n == "[Content_Types].xml"
            ),
        ),
        "t.xlsx",
    ),
}


@pytest.mark.parametrize("case", sorted(STORED_CASES))
@pytest.mark.parametrize("wrapping", ["alone", "deflated-bundle", "stored-bundle"])
def test_packages_recognised_stored_or_deflated(
    client: TestClient, case: str, wrapping: str
) -> None:
    body, name = STORED_CASES[case]()
    if wrapping != "alone":
        method = zipfile.ZIP_STORED if wrapping == "stored-bundle" else zipfile.ZIP_DEFLATED
        body, name = bundle({"uitslag/" + name: body}, method), "bundle.zip"
    response = post(client, body, name)
    assert response.status_code == 200, response.text[:500]
    assert response.json()["total_votes"]["selections"]


# --- 5. integers beyond 64 bits, on every route ----------------------------------------

HUGE = "123456789012345678901234567890"


def _csv_with_huge() -> bytes:
    text = CSV_SAMPLE.read_bytes().decode("cp1252")
    lines = text.split("\n")
    row = next(i for i, line in enumerate(lines) if line[:1].isdigit())
    cells = lines[row].split(";")
    cells[-1] = HUGE + ("\r" if cells[-1].endswith("\r") else "")
    lines[row] = ";".join(cells)
    return "\n".join(lines).encode("cp1252")


def _xlsx_with_huge() -> bytes:
    import openpyxl

    book = openpyxl.load_workbook(XLSX_SAMPLE)
    sheet = book.worksheets[0]
    for row in sheet.iter_rows():
        for cell in row:
            if isinstance(cell.value, int) and cell.value > 10:
                cell.value = 1e30
                buffer = io.BytesIO()
                book.save(buffer)
                return buffer.getvalue()
    raise AssertionError("no count cell in the sample")


def _canonical_with_huge(client: TestClient) -> bytes:
    body = client.post("/normalise", content=csv_sample(), params={"filename": "a.csv"}).content
    text = body.decode()
    marker = '"valid_votes":'
    at = text.index(marker) + len(marker)
    end = at + len(text[at:].split(",", 1)[0].split("}", 1)[0])
    return (text[:at] + HUGE + text[end:]).encode()


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
@pytest.mark.parametrize(
    "route", ["normalise-json", "normalise-eml", "normalise-osv4-3", "normalise-databank",
              "validate", "protocol", "suggest", "detect"],
)  # fmt: skip
def test_huge_integers_never_a_5xx(client: TestClient, kind: str, route: str) -> None:
    body, name = (_csv_with_huge(), "a.csv") if kind == "csv" else (_xlsx_with_huge(), "a.xlsx")
    params: dict[str, str] = {"filename": name}
    path = "/normalise"
    if route.startswith("normalise-"):
        params.update(output=route.split("-", 1)[1], creation_time="2026-03-19T12:00:00",
                      election_date="2026-03-18", missing_counts="zero")  # fmt: skip
    else:
        path = {
            "validate": "/validate",
            "protocol": "/protocol",
            "suggest": "/mappings/suggest",
            "detect": "/detect",
        }[route]
    response = client.post(path, content=body, params=params)
    assert response.status_code < 500, response.text[:500]
    if route in ("suggest", "detect") and response.status_code == 200:
        return  # nothing counted: the number is not a count here
    problem = response.json()
    assert response.status_code == 422, problem
    assert problem["location"], problem


def test_huge_integer_in_canonical_json(client: TestClient) -> None:
    body = _canonical_with_huge(client)
    json_type = {"content-type": "application/json"}
    for path, params in [
        ("/validate", {}),
        ("/protocol", {}),
        *[("/normalise", {"output": out}) for out in ("json", "eml", "osv4-3", "databank")],
    ]:
        response = client.post(path, content=body, headers=json_type, params=params)
        # the canonical check of counts (invalid-count) or the 64-bit guard (invalid-value)
        assert response.status_code == 422, (path, response.text[:300])
        problem = response.json()
        assert problem["code"] in ("invalid-count", "invalid-value"), problem
        assert problem["location"]["pointer"].endswith("/valid_votes"), path
        assert "larger than any count" in problem["detail"]
    response = client.post(
        "/validate",
        files={"file": ("a.csv", csv_sample()), "reference": ("ref.json", body)},
    )
    assert response.status_code == 422, response.text[:300]


def test_dumps_names_the_place() -> None:
    from telnorm.parsers.errors import InvalidValue
    from telnorm.service.jsonsafe import check_json_numbers, dumps

    document = {"a": [1, {"b": 1 << 70}], "locations": {"/a/1/b": {"line": 7}}}
    with pytest.raises(InvalidValue) as caught:
        dumps(document)
    assert caught.value.location == {"pointer": "/a/1/b", "line": 7}
    assert dumps({"a": (1 << 64) - 1, "b": -(1 << 63)})  # the edges are written
    with pytest.raises(InvalidValue):
        check_json_numbers(b'{"x": [' + HUGE.encode() + b"]}", {"x": [float(HUGE)]})
    check_json_numbers(b'{"id": "' + HUGE.encode() + b'"}', {"id": HUGE})  # a string


# --- clear messages ----------------------------------------------------------------------

EML_HEAD = (
    b"<?xml version='1.0' encoding='UTF-8'?>"
    b"<EML xmlns='urn:oasis:names:tc:evs:schema:eml' Id='510b'><ManagingAuthority>"
)
XML_MESSAGES = {
    "mismatched-tag": (EML_HEAD + b"<a></b></ManagingAuthority></EML>", "Mismatched tag"),
    "undeclared-entity": (EML_HEAD + b"&nbsp;</ManagingAuthority></EML>", "&nbsp;"),
    "bad-utf8": (
        EML_HEAD + b"caf\xe9 au lait</ManagingAuthority></EML>",
        "not valid in its encoding",
    ),
    "unknown-encoding": (b"<?xml version='1.0' encoding='klingon'?><EML/>", "'klingon'"),
    "two-roots": (EML_HEAD + b"</ManagingAuthority></EML><EML/>", "more after"),
    "truncated": (EML_HEAD + b"<a>", "truncated"),
}


@pytest.mark.parametrize("case", sorted(XML_MESSAGES))
def test_xml_errors_say_what_is_wrong(client: TestClient, case: str) -> None:
    body, words = XML_MESSAGES[case]
    problem = assert_problem(post(client, body, "count.xml"), 422, "malformed-xml")
    assert words in problem["detail"]
    assert case == "truncated" or "truncated" not in problem["detail"]
    assert problem["location"]["line"]


def test_encrypted_workbook_says_so(client: TestClient) -> None:
    for name in ("count.xlsx", "count.xls"):
        problem = assert_problem(post(client, encrypted_xls(), name), 422, "malformed-input")
        assert "encrypted" in problem["detail"]


@pytest.mark.parametrize("name", ["uitslag.xls", "uitslag.xlsx", "uitslag.csv"])
def test_html_saved_as_a_spreadsheet_says_so(client: TestClient, name: str) -> None:
    for page in (
        b"<!DOCTYPE html><html><body><table><tr><td>Stembureau</td></tr></table></body></html>",
        b"\xef\xbb\xbf<html xmlns:x='urn:schemas-microsoft-com:office:excel'><head>",
        b"  <table border=1><tr><td>1</td></tr></table>",
    ):
        problem = assert_problem(post(client, page, name), 415, "unsupported-format")
        assert "web page (HTML)" in problem["detail"]


@pytest.mark.parametrize("media", ["Multipart/Form-Data", "MULTIPART/FORM-DATA"])
def test_multipart_media_type_any_case(client: TestClient, media: str) -> None:
    body = (
        b'--B0\r\nContent-Disposition: form-data; name="file"; filename="a.csv"\r\n\r\n'
        + csv_sample()
        + b"\r\n--B0--\r\n"
    )
    response = client.post(
        "/normalise", content=body, headers={"content-type": f"{media}; boundary=B0"}
    )
    assert response.status_code == 200, response.text[:300]
    assert response.json()["source"]["filename"] == "a.csv"


# --- 8. a killed worker ------------------------------------------------------------------


def test_killed_worker_does_not_fail_the_next_request() -> None:
    import os
    import signal

    with service(workers=1) as client:
        for _ in range(3):
            os.kill(worker_pid(client), signal.SIGKILL)
            response = client.post("/normalise", content=eml_count(), params={"filename": "c.xml"})
            assert response.status_code == 200, response.text[:300]
        assert_healthy(client)


def test_worker_killed_during_a_job_is_retried_once() -> None:
    import asyncio

    from telnorm.service.workers import WorkerPool
    from tests.hardening.jobs import die_first_time

    pool = WorkerPool(size=1, timeout=30)
    pool.start()
    try:
        import tempfile

        with tempfile.TemporaryDirectory() as folder:
            marker = f"{folder}/died"
            assert asyncio.run(pool.run(die_first_time, marker)) == "second try"
            assert pool.replaced == 1
    finally:
        pool.close()


# --- 12. formula injection -----------------------------------------------------------------


def test_formula_names_kept_verbatim_warned_and_neutralised_on_request(client: TestClient) -> None:
    formula = '=HYPERLINK("http://example.org","x")'
    body = eml_named("GR2026_Lindehoven", formula)
    document = post(client, body, "c.xml").json()
    assert document["managing_authority"]["name"] == formula
    params = {"creation_time": "2026-03-19T12:00:00", "missing_counts": "zero"}
    osv = post(client, body, "c.xml", output="osv4-3", **params)
    assert osv.status_code == 200
    report = client.post("/validate", content=body, params={"filename": "c.xml"}).json()
    assert "S.107" in {finding["code"] for finding in report["findings"]}
    plain = post(client, body, "c.xml", output="databank", **params).content.decode()
    assert f"\n{formula};" in plain  # the import file as it is: the name verbatim
    safe = post(client, body, "c.xml", output="databank", neutralise_formulas="true", **params)
    text = safe.content.decode()
    assert f"\n'{formula};" in text
    assert not any(line.startswith(("=", "+", "-", "@")) for line in text.splitlines())
    rules = {rule["code"]: rule for rule in client.get("/rules").json()["rules"]}
    assert rules["S.107"]["bad_example"] and rules["S.107"]["good_example"]
    bad = post(client, body, "c.xml", output="databank", neutralise_formulas="maybe", **params)
    assert_problem(bad, 400, "bad-request")
