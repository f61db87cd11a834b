"""The pages as plain form posts (no JavaScript), through the ASGI app."""

from __future__ import annotations

import base64
import re
import zlib
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from telnorm.service.web.security import POLICY
from tests.databank.test_election_tree import (
    LINDEHOVEN_TREE,
    definition_110a,
    places,
    sent_back,
)
from tests.web.conftest import CANDIDATE_LIST, HOSTILE, TABULAR, Election, seeded_faults_csv

XLSX = TABULAR / "a_lindehoven_names.xlsx"
UNREADABLE_TABLE = b"Bureau;Foo;Bar;Baz\nDe Linde;10;20;30\nOost;5;6;7\n"


def post_upload(
    client: TestClient,
    name: str,
    data: bytes,
    *,
    candidate_list: Path | None = None,
    lang: str | None = None,
) -> tuple[int, str]:
    files: dict[str, tuple[str, bytes]] = {"file": (name, data)}
    # a browser sends the optional inputs it has, empty ones as empty parts
    files["candidate_list"] = (
        (candidate_list.name, candidate_list.read_bytes()) if candidate_list else ("", b"")
    )
    files["reference"] = ("", b"")
    response = client.post("/", files=files, data={"lang": lang} if lang else None)
    assert response.headers["content-type"].startswith("text/html")
    assert response.headers["content-security-policy"] == POLICY
    return response.status_code, response.text


def carried_of(page: str) -> str:
    match = re.search(r'name="carried" value="([^"]+)"', page)
    assert match, "the page carries no upload"
    return match.group(1)


# --- the start page -----------------------------------------------------------------------


def test_start_page_is_a_plain_dutch_form(client: TestClient) -> None:
    response = client.get("/")
    assert response.status_code == 200
    assert response.headers["content-security-policy"] == POLICY
    page = response.text
    assert '<html lang="nl">' in page
    assert re.search(r'<form id="upload"[^>]*method="post"[^>]*enctype="multipart/form-data"', page)
    for name in ("file", "candidate_list", "reference"):
        assert f'<input type="file" id="{name}" name="{name}"' in page
        assert f'<label for="{name}">' in page
    assert "Controleren" in page
    # nothing from another host: every src and href is local
    for url in re.findall(r'(?:src|href)="([^"]+)"', page):
        assert url.startswith(("/", "#", "data:")), url


@pytest.mark.parametrize(
    ("header", "lang"),
    [
        ("en-GB,en;q=0.9", "en"),
        ("nl-NL,nl;q=0.9,en;q=0.8", "nl"),
        ("en;q=0.5, nl;q=0.4", "en"),
        ("de-DE, en;q=0.3, nl;q=0.7", "nl"),
        ("fr", "nl"),
    ],
)
def test_language_from_accept_language(client: TestClient, header: str, lang: str) -> None:
    page = client.get("/", headers={"Accept-Language": header}).text
    assert f'<html lang="{lang}">' in page


def test_language_switch_is_remembered(client: TestClient) -> None:
    response = client.get("/?lang=en")
    assert '<html lang="en">' in response.text
    assert "telnorm_lang=en" in response.headers["set-cookie"]
    assert '<html lang="en">' in client.get("/", headers={"Cookie": "telnorm_lang=en"}).text
    assert '<html lang="nl">' in client.get("/?lang=nl").text


# --- the result page ----------------------------------------------------------------------


def test_result_page_shows_format_election_municipality_and_count(client: TestClient) -> None:
    status, page = post_upload(client, XLSX.name, XLSX.read_bytes(), candidate_list=CANDIDATE_LIST)
    assert status == 200
    assert 'id="municipality">Lindehoven <span class="muted">(9901)</span>' in page
    assert "Gemeenteraad Lindehoven 2026" in page
    assert re.search(r'id="format"><strong>xlsx-family-a</strong> \(zekerheid \d+%\)', page)
    assert 'id="level" data-level="municipality">gemeente' in page
    # the totals row in Dutch notation: lists 1.170, 660, 541; valid votes 2.371
    tfoot = page.split("<tfoot>")[1].split("</tfoot>")[0]
    for number in ("1.170", "660", "541", "2.371"):
        assert re.search(rf'<td class="num[^"]*">{re.escape(number)}</td>', tfoot), number
    assert '<th scope="col">Stembureau</th>' in page
    assert "Opmerkingen bij het lezen" in page  # the parser's notes
    for output in ("json", "eml", "osv4-3", "databank"):
        assert f'name="output" value="{output}"' in page


def test_result_page_in_english_keeps_dutch_notation_and_says_so(client: TestClient) -> None:
    _, page = post_upload(client, XLSX.name, XLSX.read_bytes(), lang="en")
    assert '<html lang="en">' in page
    assert "Votes per polling station" in page and "Dutch notation" in page
    assert '<td class="num">2.371</td>' in page


def test_seeded_faults_are_listed_by_severity_with_unit_place_and_row(client: TestClient) -> None:
    status, page = post_upload(client, "fouten.csv", seeded_faults_csv())
    assert status == 200
    errors = page.split('id="findings-error"')[1].split('id="findings-warning"')[0]
    rows = re.findall(r'<tr class="finding" data-code="([^"]+)" data-unit="([^"]*)">', errors)
    assert ("F.202", "9901::SB2") in rows
    assert ("F.201", "9901::SB3") in rows
    assert ("A.101", "") in rows  # the total no longer adds up
    # the finding links to its row, which is marked; the unchanged station is not
    assert 'href="#rij-2"' in errors and 'href="#rij-3"' in errors
    assert '<tr id="rij-2" class="flag-error">' in page
    assert '<tr id="rij-3" class="flag-error">' in page
    assert '<tr id="rij-1">' in page
    # the total's VVD cell, which no longer adds up (A.101 on list 2), is marked; and the
    # CSV line of the fault is named
    tfoot = page.split("<tfoot>")[1].split("</tfoot>")[0]
    assert '<td class="num flagged">660</td>' in tfoot
    assert "regel 9" in errors
    assert "Er zijn fouten gevonden" in page


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_files_get_a_readable_page(client: TestClient, name: str) -> None:
    filename, data, code = HOSTILE[name]
    status, page = post_upload(client, filename, data)
    assert 400 <= status < 500
    assert f'<code id="problem-code">{code}</code>' in page
    assert "Wat nu" in page
    assert "Traceback" not in page


def test_no_file_chosen(client: TestClient) -> None:
    status, page = post_upload(client, "", b"")
    assert status == 400
    assert "No file was chosen" in page


# --- downloads ----------------------------------------------------------------------------


@pytest.mark.parametrize("output", ["json", "osv4-3", "databank"])
def test_download_is_the_same_as_the_api_export(client: TestClient, output: str) -> None:
    _, page = post_upload(client, XLSX.name, XLSX.read_bytes(), candidate_list=CANDIDATE_LIST)
    download = client.post(
        "/web/download", files={"carried": (None, carried_of(page)), "output": (None, output)}
    )
    assert download.status_code == 200
    assert download.headers["content-disposition"].startswith("attachment;")
    api = client.post(
        f"/normalise?output={output}",
        files={
            "file": (XLSX.name, XLSX.read_bytes()),
            "candidate_list": (CANDIDATE_LIST.name, CANDIDATE_LIST.read_bytes()),
        },
    )
    assert api.status_code == 200
    assert download.content == api.content
    assert download.headers["content-type"] == api.headers["content-type"]


def test_eml_download_asks_for_what_the_file_lacks(client: TestClient) -> None:
    # the paper-form spreadsheet states neither the election date nor the contest
    form = TABULAR / "d_lindehoven_form.xls"
    _, page = post_upload(client, form.name, form.read_bytes())
    carried = carried_of(page)
    asked = client.post(
        "/web/download", files={"carried": (None, carried), "output": (None, "eml")}
    )
    assert asked.status_code == 422
    assert 'name="election_date"' in asked.text and 'name="contest_id"' in asked.text
    assert "Voor dit formaat ontbreken gegevens" in asked.text
    done = client.post(
        "/web/download",
        files={
            "carried": (None, carried_of(asked.text)),
            "output": (None, "eml"),
            "election_date": (None, "2026-03-18"),
            "contest_id": (None, "geen"),
            "creation_time": (None, "2026-03-19T12:00:00"),
        },
    )
    assert done.status_code == 200, done.text
    assert b"2026-03-19T12:00:00" in done.content and b"2026-03-18" in done.content


def test_a_changed_carried_field_is_a_readable_400(client: TestClient) -> None:
    response = client.post(
        "/web/download", files={"carried": (None, "bm90IG91cnM="), "output": (None, "json")}
    )
    assert response.status_code == 400
    assert "Upload the file again" in response.text


def test_a_carried_zlib_bomb_is_refused(client: TestClient) -> None:
    bomb = base64.b64encode(zlib.compress(b"TNC1" + b"\0" * (64 * 1024 * 1024), 9)).decode()
    response = client.post(
        "/web/download", files={"carried": (None, bomb), "output": (None, "json")}
    )
    assert response.status_code == 413
    assert '<code id="problem-code">input-too-large</code>' in response.text


# --- the mapping draft --------------------------------------------------------------------


def test_unreadable_table_shows_the_draft_with_its_blanks(client: TestClient) -> None:
    status, page = post_upload(client, "eigen.csv", UNREADABLE_TABLE)
    assert 400 <= status < 500
    assert 'id="mapping-form"' in page
    for index, label in enumerate(("Bureau", "Foo", "Bar", "Baz")):
        assert f'id="kind_{index}"' in page and f"<q>{label}</q>" in page
    assert 'id="authority"' in page
    assert "&#34;Foo&#34; = &#34;?&#34;" in page or '"Foo" = "?"' in page


def _mapping_answers(page: str, **answers: str) -> dict[str, tuple[None, str]]:
    fields = {}
    for name in ("lang", "carried", "draft", "blanks"):
        match = re.search(rf'name="{name}" value="([^"]*)"', page)
        assert match, name
        fields[name] = (None, _unescape(match.group(1)))
    fields.update({key: (None, value) for key, value in answers.items()})
    return fields


def _unescape(text: str) -> str:
    import html

    return html.unescape(text)


def test_completed_mapping_reads_the_table_and_can_be_downloaded(client: TestClient) -> None:
    _, page = post_upload(client, "eigen.csv", UNREADABLE_TABLE)
    answers = _mapping_answers(
        page,
        family="a", header_row="1",
        kind_0="unit_name",
        kind_1="list", list_1="1",
        kind_2="list", list_2="2",
        kind_3="list", list_3="3",
        authority="0668",
    )  # fmt: skip
    result = client.post("/web/mapping", files=answers)
    assert result.status_code == 200, result.text
    tfoot = result.text.split("<tfoot>")[1].split("</tfoot>")[0]
    assert re.findall(r'<td class="num">(\d+)</td>', tfoot)[:3] == ["15", "26", "37"]
    assert 'value="mapping"' in result.text
    mapping = client.post(
        "/web/download",
        files={"carried": (None, carried_of(result.text)), "output": (None, "mapping")},
    )
    assert mapping.headers["content-type"].startswith("application/toml")
    text = mapping.text
    assert '"Foo" = "1"' in text and '"Bureau" = "unit_name"' in text and 'id = "0668"' in text
    # and the downloads of that page read the file with the mapping
    csv = client.post(
        "/web/download",
        files={"carried": (None, carried_of(result.text)), "output": (None, "json")},
    )
    assert csv.status_code == 200 and b'"mapping":{"id":"eigen"' in csv.content


def test_a_wrong_answer_shows_the_form_again_with_the_reason(client: TestClient) -> None:
    _, page = post_upload(client, "eigen.csv", UNREADABLE_TABLE)
    result = client.post("/web/mapping", files=_mapping_answers(page, kind_1="list", list_1="x"))
    assert result.status_code == 422
    assert 'id="mapping-form"' in result.text
    assert "the list number must be 1 to 3 digits" in result.text


# --- /docs and /redoc -----------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/docs", "/redoc"])
def test_api_docs_use_only_local_assets(client: TestClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 200
    policy = response.headers["content-security-policy"]
    assert "default-src 'self'" in policy and "img-src 'self' data:" in policy
    assert "script-src 'self';" in policy  # no inline script, no other host
    for url in re.findall(r'(?:src|href|spec-url)="([^"]+)"', response.text):
        assert url.startswith("/"), url
        assert client.get(url).status_code == 200, url


def test_openapi_references_resolve(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    schemas = spec["components"]["schemas"]
    refs = set(
        re.findall(r'"\$ref":\s*"#/components/schemas/([^"]+)"', str(spec).replace("'", '"'))
    )
    assert refs and refs <= set(schemas)


def test_every_html_answer_has_a_self_only_policy(client: TestClient) -> None:
    """HTML of other routes (the protocol report) gets a policy too: its inline CSS may
    apply, nothing may load from another host and no script may run."""
    report = client.post(
        "/protocol",
        files={"file": (XLSX.name, XLSX.read_bytes())},
        headers={"Accept": "text/html"},
    )
    assert report.status_code == 200
    assert report.headers["content-type"].startswith("text/html")
    policy = report.headers["content-security-policy"]
    assert "default-src 'self'" in policy and "script-src 'none'" in policy
    assert "http" not in policy
    for path in ("/", "/docs", "/redoc", "/docs/oauth2-redirect"):
        assert "http" not in client.get(path).headers["content-security-policy"]


def test_a_canonical_document_uploaded_is_shown_and_exported_again(client: TestClient) -> None:
    api = client.post(
        "/normalise",
        files={
            "file": (XLSX.name, XLSX.read_bytes()),
            "candidate_list": (CANDIDATE_LIST.name, CANDIDATE_LIST.read_bytes()),
        },
    )
    status, page = post_upload(client, "telling.json", api.content)
    assert status == 200
    assert '<td class="num">2.371</td>' in page
    download = client.post(
        "/web/download", files={"carried": (None, carried_of(page)), "output": (None, "osv4-3")}
    )
    assert download.status_code == 200
    assert download.headers["content-type"].startswith("text/csv")


def test_a_reference_count_is_compared(client: TestClient) -> None:
    # the municipal totals the district used, with VVD 10 votes higher than the file's 660
    reference = b'{"kind": "municipal-totals", "municipalities": [{"id": "9901", "lists": {"1": 1170, "2": 670, "3": 541}}]}'  # noqa: E501
    response = client.post(
        "/",
        files={
            "file": (XLSX.name, XLSX.read_bytes()),
            "candidate_list": (CANDIDATE_LIST.name, CANDIDATE_LIST.read_bytes()),
            "reference": ("kieskring.json", reference),
        },
    )
    assert response.status_code == 200, response.text
    page = response.text
    assert 'id="reconciliation"' in page and "Vergeleken met de referentie" in page
    assert re.search(r'data-code="R\.201"', page)
    # the downloads carry the reference too, and still export the count
    download = client.post(
        "/web/download", files={"carried": (None, carried_of(page)), "output": (None, "json")}
    )
    assert download.status_code == 200


def test_a_broken_candidate_list_is_named_as_the_problem(client: TestClient) -> None:
    response = client.post(
        "/",
        files={
            "file": (XLSX.name, XLSX.read_bytes()),
            "candidate_list": ("lijsten.xml", b"<EML><broken"),
        },
    )
    assert 400 <= response.status_code < 500
    assert 'id="problem-file">lijsten.xml' in response.text
    assert "Traceback" not in response.text


def test_text_from_the_file_is_escaped(client: TestClient) -> None:
    """A message quoting the file (its first bytes) cannot inject markup into the page."""
    status, page = post_upload(client, "x.txt", b"<script>alert(1)</script> not a count at all")
    assert 400 <= status < 500
    assert "<script>" not in page.split("<body>")[1]
    assert "&lt;script&gt;" in page  # the message names the file's root element, escaped


def test_an_unknown_language_is_ignored(client: TestClient) -> None:
    response = client.get("/?lang=fr", headers={"Accept-Language": "nl"})
    assert response.status_code == 200
    assert '<html lang="nl">' in response.text
    assert "set-cookie" not in response.headers


def test_a_file_too_large_to_carry_gets_a_curl_command(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    from telnorm.service.web import pages

    monkeypatch.setattr(pages, "CARRY_LIMIT", 10)
    _, page = post_upload(client, XLSX.name, XLSX.read_bytes())
    assert 'name="carried"' not in page
    assert f"curl -F file=@{XLSX.name} 'http://testserver/normalise?output=eml'" in page


def _odd_xlsx() -> bytes:
    import io

    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Uitslag"
    for row in (["Bureau", "Foo", "Bar"], ["De Linde", 10, 20], ["Oost", 5, 6]):
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_a_spreadsheet_gets_the_mapping_form_too(client: TestClient) -> None:
    status, page = post_upload(client, "eigen.xlsx", _odd_xlsx())
    assert 400 <= status < 500
    assert 'id="mapping-form"' in page
    answers = _mapping_answers(
        page,
        family="a",
        header_row="1",
        kind_0="unit_name",
        kind_1="list",
        list_1="1",
        kind_2="list",
        list_2="2",
    )
    result = client.post("/web/mapping", files=answers)
    assert result.status_code == 200, result.text
    tfoot = result.text.split("<tfoot>")[1].split("</tfoot>")[0]
    assert re.findall(r'<td class="num">(\d+)</td>', tfoot)[:2] == ["15", "26"]
    # the cells of the spreadsheet are the places findings would name
    assert (
        "Uitslag"
        in client.post(
            "/web/download",
            files={"carried": (None, carried_of(result.text)), "output": (None, "mapping")},
        ).text
    )


# --- the reconciliation page ----------------------------------------------------------------


def test_reconcile_form(client: TestClient) -> None:
    page = client.get("/web/reconcile").text
    assert '<input type="file" id="files" name="file" multiple' in page
    assert '<input type="file" id="references" name="reference" multiple' in page
    assert '<a href="/web/reconcile">Afstemmen</a>' in client.get("/").text


def test_reconcile_page_shows_the_report_of_post_reconcile(
    client: TestClient, election: Election
) -> None:
    parts = [("file", (p.name, p.read_bytes())) for p in election.municipal]
    parts += [("reference", (p.name, p.read_bytes())) for p in election.districts]
    parts += [("candidate_list", ("", b"")), ("election_definition", ("", b""))]
    response = client.post("/web/reconcile", files=parts)
    assert response.status_code == 200, response.text
    assert response.headers["content-security-policy"] == POLICY
    page = response.text
    api = client.post("/reconcile", files=parts[:-2]).json()
    # the same report: every municipality with its status, and the summary
    for entry in api["municipalities"]:
        assert f'<td class="{entry["status"]}">{entry["status"]}</td>' in page
    differing = [code for code, want in election.expected.items() if want["status"] == "differs"]
    assert differing and all(f"<td>{code}</td>" in page for code in differing)
    assert "<svg" in page  # the chart
    assert '<script src="/web/reconcile.js" defer></script>' in page
    assert client.get("/web/reconcile.js").headers["content-type"].startswith("text/javascript")


def test_reconcile_page_without_a_reference_is_a_readable_problem(
    client: TestClient, election: Election
) -> None:
    parts = [("file", (p.name, p.read_bytes())) for p in election.municipal[:2]]
    response = client.post("/web/reconcile", files=[*parts, ("reference", ("", b""))])
    assert response.status_code == 400
    assert "No reference was sent" in response.text
    assert '<code id="problem-code">bad-request</code>' in response.text


def test_an_election_definition_gives_the_databank_download_its_kieskring(
    client: TestClient,
) -> None:
    # A Tweede Kamer count that names no kieskring (as an osv4-3 CSV or a spreadsheet does),
    # uploaded with a 110a whose election tree puts Lindehoven (9901) in kieskring 6.
    tree = definition_110a("TK", LINDEHOVEN_TREE).encode()
    response = client.post(
        "/",
        files={
            "file": ("telling.json", sent_back()),
            "candidate_list": ("", b""),
            "election_definition": ("110a.eml.xml", tree),
            "reference": ("", b""),
        },
    )
    assert response.status_code == 200, response.text
    assert 'id="election_definition"' in client.get("/").text
    download = client.post(
        "/web/download",
        files={"carried": (None, carried_of(response.text)), "output": (None, "databank")},
    )
    assert download.status_code == 200, download.text
    assert places(download.content) == {("G9901", "K6", "P25")}
