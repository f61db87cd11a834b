"""The page in a real browser: headless Chromium (Debian's package) driven by Playwright.

Each sample goes through the upload form as a person would send it; the page must show the
municipality and its totals in Dutch notation, a count with seeded faults must show the right
rule codes and units, hostile files a readable message, and no page may make a request to
another host (checked on ``/``, the result page, ``/docs`` and ``/redoc``).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from telnorm.service.pipeline import InputFile
from telnorm.service.validation.inputs import ValidateRequest, run_request
from tests.conftest import corpus_path
from tests.web.conftest import (
    CANDIDATE_LIST,
    HOSTILE,
    TABULAR,
    Election,
    Visit,
    sample_files,
    seeded_faults_csv,
)

VisitFactory = Callable[..., Visit]
Shot = Callable[..., Path]


def dutch(number: int) -> str:
    return f"{number:,}".replace(",", ".")


def upload(
    visit: Visit,
    path: Path | None = None,
    *,
    candidate_list: Path | None = None,
    reference: Path | None = None,
    payload: tuple[str, bytes] | None = None,
    mark: bool = False,
) -> Any:
    """Fill in the form on / and press the button; returns the page after the answer.
    ``mark`` sets a variable in the page first, to tell a reload from none."""
    page = visit.page
    page.goto(visit.base + "/")
    if payload is not None:
        name, data = payload
        page.set_input_files(
            "#file", files=[{"name": name, "mimeType": "application/octet-stream", "buffer": data}]
        )
    else:
        page.set_input_files("#file", str(path))
    if candidate_list is not None:
        page.set_input_files("#candidate_list", str(candidate_list))
    if reference is not None:
        page.set_input_files("#reference", str(reference))
    if mark:
        page.evaluate("window.telnormTestMark = 'before-upload'")
    page.get_by_role("button", name=re.compile("Controleren|Check")).click()
    # with JavaScript the answer replaces <main> in place: wait for the new content
    page.wait_for_selector("#verdict, #problem, #mapping-form", timeout=60_000)
    return page


def expected_of(sample: Path) -> dict[str, Any]:
    stem = sample.name.split(".")[0]
    data: dict[str, Any] = json.loads((TABULAR / f"{stem}.expected.json").read_text("utf-8"))
    return data


@pytest.mark.parametrize("sample", sample_files(), ids=lambda p: p.name)
def test_each_sample_shows_its_municipality_and_totals(
    visit: VisitFactory, sample: Path, screenshot: Shot
) -> None:
    expected = expected_of(sample)
    needs_list = "candidate_list" in expected["_sample"]["context"]
    v = visit()
    page = upload(v, sample, candidate_list=CANDIDATE_LIST if needs_list else None)

    assert page.locator("#municipality").inner_text().startswith("Lindehoven")
    assert "9901" in page.locator("#municipality").inner_text()
    assert page.locator("#filename").inner_text() == sample.name
    assert page.locator("#format strong").inner_text()  # the detected format, named
    total = page.locator("table.count tfoot tr")
    cells = total.locator("td").all_inner_texts()
    for selection in expected["total_votes"]["selections"]:
        assert dutch(selection["valid_votes"]) in cells
    if expected["total_votes"].get("total_counted") is not None:
        assert dutch(expected["total_votes"]["total_counted"]) in cells
    rows = page.locator("table.count tbody tr")
    assert rows.count() == len(expected["reporting_unit_votes"])
    # the page shows exactly the findings POST /validate reports for the same files
    report = run_request(
        ValidateRequest(
            main=InputFile(sample, sample.name),
            candidate_list=InputFile(CANDIDATE_LIST, CANDIDATE_LIST.name) if needs_list else None,
        )
    )
    shown = {
        (row.get_attribute("data-code"), row.get_attribute("data-unit") or None)
        for row in page.locator("tr.finding").all()
    }
    assert shown == {(f["code"], f["location"]["reporting_unit"]) for f in report["findings"]}
    verdict = "Geen fouten gevonden" if report["valid"] else "Er zijn fouten gevonden"
    assert verdict in page.locator("#verdict").inner_text()
    assert v.foreign_requests() == []
    if sample.name == "a_lindehoven_names.xlsx":
        screenshot(page, "result")


def test_seeded_faults_show_rule_codes_units_and_rows(
    visit: VisitFactory, screenshot: Shot
) -> None:
    v = visit()
    page = upload(v, payload=("lindehoven_fouten.csv", seeded_faults_csv()), mark=True)
    # with JavaScript the answer came without a reload: the mark set before is still there
    assert page.evaluate("window.telnormTestMark") == "before-upload"
    assert "Er zijn fouten gevonden" in page.locator("#verdict").inner_text()
    errors = page.locator("#findings-error tr.finding")
    found = {
        (row.get_attribute("data-code"), row.get_attribute("data-unit")) for row in errors.all()
    }
    assert ("F.202", "9901::SB2") in found
    assert ("F.201", "9901::SB3") in found
    # the source place is named: line and column of the CSV
    f202 = page.locator('#findings-error tr.finding[data-code="F.202"][data-unit="9901::SB2"]')
    assert "regel 9" in f202.first.locator("td.place").inner_text()
    # the offending rows are marked in the table, and the finding links to its row
    assert "flag-error" in (page.locator("#rij-2").get_attribute("class") or "")
    assert "flag-error" in (page.locator("#rij-3").get_attribute("class") or "")
    assert "flag-error" not in (page.locator("#rij-1").get_attribute("class") or "")
    f202.first.get_by_role("link").click()
    assert page.url.endswith("#rij-2")
    assert page.locator("#rij-2").evaluate("row => row.matches(':target')")
    assert v.foreign_requests() == []
    screenshot(page, "result-faults")


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_files_get_a_readable_message(
    visit: VisitFactory, name: str, screenshot: Shot
) -> None:
    filename, data, code = HOSTILE[name]
    v = visit()
    page = upload(v, payload=(filename, data))
    assert page.locator("#problem-code").inner_text() == code
    message = page.locator("#problem-message").inner_text()
    assert len(message) > 20
    body = page.locator("body").inner_text()
    assert "Traceback" not in body and 'File "' not in body
    assert "Wat nu" in body
    assert v.foreign_requests() == []
    if name == "xxe":
        screenshot(page, "problem")


def test_start_page_is_dutch_accessible_and_offline(visit: VisitFactory, screenshot: Shot) -> None:
    v = visit()
    response = v.page.goto(v.base + "/")
    assert response.headers["content-security-policy"].startswith("default-src 'self'")
    assert v.page.locator("html").get_attribute("lang") == "nl"
    # every input has its label
    for field in ("file", "candidate_list", "reference"):
        assert v.page.get_by_label(re.compile(".")).and_(v.page.locator(f"#{field}")).count() == 1
    # keyboard: tab from the top reaches the file input and the button
    v.page.keyboard.press("Tab")
    focused = set()
    for _ in range(14):
        v.page.keyboard.press("Tab")
        focused.add(v.page.evaluate("document.activeElement.id || document.activeElement.tagName"))
    assert "file" in focused and "BUTTON" in focused
    v.page.wait_for_load_state("networkidle")
    assert v.foreign_requests() == []
    screenshot(v.page, "index")


def test_english_by_browser_language_and_by_switch(visit: VisitFactory) -> None:
    english = visit(locale="en-GB")
    english.page.goto(english.base + "/")
    assert english.page.locator("html").get_attribute("lang") == "en"
    assert english.page.get_by_role("button", name="Check").count() == 1

    dutch_browser = visit(locale="nl-NL")
    page = dutch_browser.page
    page.goto(dutch_browser.base + "/")
    page.get_by_role("link", name="English").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "en"
    page.goto(dutch_browser.base + "/")  # the choice is remembered
    assert page.locator("html").get_attribute("lang") == "en"


def test_upload_without_javascript_renders_the_same_result(visit: VisitFactory) -> None:
    v = visit(java_script_enabled=False)
    page = upload(v, TABULAR / "d_lindehoven_form.xls")
    assert page.locator("#progress").is_hidden()
    assert page.url.rstrip("/") == v.base  # a real form post to /, answered with the page
    assert page.locator("#municipality").inner_text().startswith("Lindehoven")
    assert dutch(2371) in page.locator("table.count tfoot").inner_text()


def test_downloads_from_the_result_page(visit: VisitFactory, screenshot: Shot) -> None:
    v = visit(accept_downloads=True)
    page = upload(v, TABULAR / "a_lindehoven_names.xlsx", candidate_list=CANDIDATE_LIST)
    names = {}
    for label in ("Canonieke JSON", "osv4-3 CSV", "Databank-CSV"):
        with page.expect_download() as info:
            page.get_by_role("button", name=label).click()
        download = info.value
        names[label] = download.suggested_filename
        content = Path(download.path()).read_bytes()
        assert content
        if label == "Canonieke JSON":
            document = json.loads(content)
            assert document["managing_authority"]["name"] == "Lindehoven"
            assert document["total_votes"]["total_counted"] == 2371
    assert names["Canonieke JSON"].endswith(".json")
    assert names["osv4-3 CSV"].endswith(".csv")
    # EML needs an election date and a contest this spreadsheet lacks: the page asks for them
    form = visit(accept_downloads=True)
    page = upload(form, TABULAR / "d_lindehoven_form.xls")
    page.get_by_role("button", name="EML 510").click()
    page.wait_for_selector("#f-election_date")
    screenshot(page, "export-fields")
    page.fill("#f-election_date", "2026-03-18")
    page.fill("#f-contest_id", "geen")
    with page.expect_download() as info:
        page.get_by_role("button", name="Downloaden").click()
    eml = Path(info.value.path()).read_text("utf-8")
    assert "<EML" in eml and "2026-03-18" in eml
    assert form.foreign_requests() == []
    assert v.foreign_requests() == []


def test_unreadable_table_offers_the_mapping_draft_then_reads_it(
    visit: VisitFactory, screenshot: Shot
) -> None:
    data = b"Bureau;Foo;Bar;Baz\nDe Linde;10;20;30\nOost;5;6;7\n"
    v = visit(accept_downloads=True)
    page = upload(v, payload=("eigen-opmaak.csv", data))
    assert page.locator("#mapping-form").count() == 1
    screenshot(page, "mapping")
    if page.locator("#family").count():
        page.select_option("#family", "a")
    if page.locator("#header_row").count():
        page.fill("#header_row", "1")
    page.select_option("#kind_0", "unit_name")
    for index, number in ((1, "1"), (2, "2"), (3, "3")):
        page.select_option(f"#kind_{index}", "list")
        page.fill(f"#list_{index}", number)
    page.fill("#authority", "0668")
    page.get_by_role("button", name="Opnieuw proberen").click()
    page.wait_for_selector("#verdict")
    cells = page.locator("table.count tfoot td").all_inner_texts()
    assert cells[:3] == ["15", "26", "37"]
    with page.expect_download() as info:
        page.locator("#download-mapping").click()
    mapping = Path(info.value.path()).read_text("utf-8")
    assert '"Foo" = "1"' in mapping and 'id = "0668"' in mapping
    assert v.foreign_requests() == []


@pytest.mark.parametrize("path", ["/docs", "/redoc"])
def test_api_docs_load_everything_from_the_service(
    visit: VisitFactory, path: str, screenshot: Shot
) -> None:
    v = visit()
    response = v.page.goto(v.base + path)
    assert "default-src 'self'" in response.headers["content-security-policy"]
    v.page.wait_for_load_state("networkidle")
    if path == "/docs":
        v.page.wait_for_selector(".swagger-ui .info .title", timeout=30_000)
        assert "telnorm" in v.page.locator(".swagger-ui .info .title").inner_text()
    else:
        v.page.wait_for_selector("h1", timeout=30_000)
        assert "telnorm" in v.page.locator("h1").first.inner_text()
    # ReDoc's bundle asks for its vendor's logo: the policy stops it in the browser
    assert v.foreign_requests() == [], f"sent elsewhere (blocked: {v.blocked_foreign()})"
    screenshot(v.page, path.strip("/"), full_page=False)  # the first screen: pages are long


@pytest.mark.corpus
def test_a_real_eml_count_from_the_corpus(visit: VisitFactory) -> None:
    count = corpus_path("eml", "510b", "Telling_TK2025_gemeente_West_Maas_en_Waal.eml.xml")
    v = visit()
    page = upload(v, count)
    assert page.locator("#municipality").inner_text().startswith("West Maas en Waal")
    assert "13.627" in page.locator("table.count tfoot").inner_text()
    assert "eml" in page.locator("#format strong").inner_text()
    assert v.foreign_requests() == []


def test_reconcile_page_in_the_browser(
    visit: VisitFactory, election: Election, screenshot: Shot
) -> None:
    v = visit()
    page = v.page
    page.goto(v.base + "/")
    page.get_by_role("link", name="Afstemmen").click()
    page.set_input_files("#files", [str(p) for p in election.municipal])
    page.set_input_files("#references", [str(p) for p in election.districts])
    page.get_by_role("button", name="Afstemmen").click()
    page.wait_for_selector("#reconcile-report", timeout=60_000)
    report = page.locator("#reconcile-report")
    differing = [code for code, want in election.expected.items() if want["status"] == "differs"]
    rows = report.locator("table.sortable tbody tr")
    shown = {row.locator("td").first.inner_text(): row for row in rows.all()}
    for code in differing:
        assert shown[code].locator("td.differs").count() == 1, code
    assert report.locator("svg rect").count() == len(differing)
    # the sorting script is allowed (served by the service, not inline): a click sorts
    header = report.locator("table.sortable th").first
    header.click()
    assert header.get_attribute("data-dir") == "up"
    assert v.foreign_requests() == []
    screenshot(page, "reconcile")
