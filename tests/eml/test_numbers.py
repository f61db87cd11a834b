"""One rule for counts, through every route of the HTTP service: a sign, digits of another
script and numbers beyond the signed 64-bit range are refused with the same problem type
(``invalid-count``) and a location, whether the count is EML, an osv4-3 CSV, another CSV, a
spreadsheet or a canonical document sent to /validate."""

from __future__ import annotations

import functools
import io
import json
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from fastapi.testclient import TestClient

from telnorm.parsers.counts import MAX_COUNT, CountError, json_problem, parse_count
from telnorm.service.main import create_app
from telnorm.service.pipeline import InputFile, normalise_json
from telnorm.service.settings import Settings

#: (name, how the count is written): each is refused everywhere.
VARIANTS = [
    ("plus-sign", "+400"),
    ("arabic-indic", "\u0664\u0660\u0660"),
    ("full-width", "\uff14\uff10\uff10"),
    ("above-64-bit", str(MAX_COUNT + 1)),
    ("twenty-digits", "12345678901234567890"),
]

EML = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<EML xmlns="urn:oasis:names:tc:evs:schema:eml" xmlns:kr="http://www.kiesraad.nl/extensions"'
    ' Id="510b"><TransactionId>1</TransactionId><ManagingAuthority>'
    '<AuthorityIdentifier Id="0999">Testdorp</AuthorityIdentifier></ManagingAuthority>'
    '<Count><Election><ElectionIdentifier Id="GR2026_Testdorp"><ElectionName>Gemeenteraad '
    "Testdorp 2026</ElectionName><ElectionCategory>GR</ElectionCategory>"
    "<kr:ElectionDate>2026-03-18</kr:ElectionDate></ElectionIdentifier><Contests><Contest>"
    '<ContestIdentifier Id="geen"/><TotalVotes><Selection><AffiliationIdentifier Id="1">'
    "<RegisteredName>Lijst A</RegisteredName></AffiliationIdentifier><ValidVotes>{votes}"
    "</ValidVotes></Selection><Cast>900</Cast><TotalCounted>400</TotalCounted>"
    '<RejectedVotes ReasonCode="blanco">0</RejectedVotes>'
    '<RejectedVotes ReasonCode="ongeldig">0</RejectedVotes></TotalVotes></Contest>'
    "</Contests></Election></Count></EML>"
)

OSV4_3 = (
    '\ufeff"Verkiezing";;"Gemeenteraad Testdorp 2026"\n"Datum";;"2026-03-18"\n'
    '"Gebied";;"Gemeente Testdorp"\n"Nummer";;"0999"\n\n'
    '"Lijstnummer";"Aanduiding";"Volgnummer";"Naam kandidaat";"Totaal";"Dorpshuis"\n'
    '"Gebiednummer";;;;;"1"\n"Postcode";;;;;"9999 AA"\n'
    ';"opgeroepenen";;;"900";"900"\n'
    '"1";"Lijst A";;;"400";"{votes}"\n'
    ';;"1";"Jansen, A.";"400";"400"'
)

WIDE_CSV = "Stembureau;Postcode;Opgeroepenen;Lijst A;Blanco\nDorpshuis;9999 AA;900;{votes};2\n"


def _xlsx(votes: str) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["Stembureau", "Postcode", "Opgeroepenen", "Lijst A", "Blanco"])
    sheet.append(["Dorpshuis", "9999 AA", 900, votes, 2])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


@functools.cache
def _good_document() -> str:
    """A complete canonical document (what telnorm itself writes), as JSON text."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "count.eml.xml"
        path.write_text(EML.format(votes="400"), encoding="utf-8")
        return normalise_json(InputFile(path, path.name)).decode()


def _canonical(votes: str) -> bytes:
    document: dict[str, Any] = json.loads(_good_document())
    # JSON has no '+400' or Arabic-Indic number: they come as text; a big number as a number
    value: Any = int(votes) if votes.isascii() and votes.isdigit() else votes
    document["total_votes"]["selections"][0]["valid_votes"] = value
    return json.dumps(document).encode()  # orjson writes no integer beyond 64 bits


ROUTES: dict[str, tuple[str, str, Any]] = {
    "eml": ("/normalise", "count.eml.xml", lambda v: EML.format(votes=v).encode()),
    "osv4-3": ("/normalise", "osv4-3_telling.csv", lambda v: OSV4_3.format(votes=v).encode()),
    "csv": ("/normalise", "uitslag.csv", lambda v: WIDE_CSV.format(votes=v).encode()),
    "xlsx": ("/normalise", "uitslag.xlsx", _xlsx),
    "validate-eml": ("/validate", "count.eml.xml", lambda v: EML.format(votes=v).encode()),
    "validate-json": ("/validate", "count.json", _canonical),
    "normalise-json": ("/normalise?output=osv4-3", "count.json", _canonical),
}


@pytest.fixture(scope="module")
def client() -> Iterator[TestClient]:
    settings = Settings(workers=1, max_upload_bytes=8 * 1024 * 1024, parse_timeout_seconds=30)
    with TestClient(create_app(settings)) as test_client:
        yield test_client


def test_the_rule() -> None:
    assert parse_count(" 400 ") == 400
    assert parse_count(str(MAX_COUNT)) == MAX_COUNT
    for _name, text in VARIANTS:
        with pytest.raises(CountError):
            parse_count(text)
    assert json_problem(400) is None
    assert json_problem(MAX_COUNT + 1) is not None
    assert json_problem(1.8e19) is not None
    assert json_problem("400") is not None  # a count in JSON is a number


@pytest.mark.parametrize("route", list(ROUTES))
def test_good_count_passes_every_route(client: TestClient, route: str) -> None:
    """The same files with a plain 400 are read (so the refusals below are the number's)."""
    path, filename, make = ROUTES[route]
    response = client.post(path, files={"file": (filename, make("400"))})
    assert response.status_code == 200, response.text


@pytest.mark.parametrize("route", list(ROUTES))
@pytest.mark.parametrize(("variant", "text"), VARIANTS, ids=[v for v, _ in VARIANTS])
def test_bad_count_is_one_problem_everywhere(
    client: TestClient, route: str, variant: str, text: str
) -> None:
    path, filename, make = ROUTES[route]
    response = client.post(path, files={"file": (filename, make(text))})
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["type"] == "/problems/invalid-count", problem
    location = problem["location"]
    if route in ("eml", "validate-eml"):
        assert location["xpath"].endswith("TotalVotes/Selection[1]/ValidVotes")
    elif route == "osv4-3":
        assert location == {"line": 10, "column": 6}
    elif route == "csv":
        assert location == {"line": 2, "column": 4}
    elif route == "xlsx":
        assert location["cell"] == "D2"
    else:
        assert location == {"pointer": "/total_votes/selections/0/valid_votes"}


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be"])
def test_utf16_eml_without_bom_is_read_over_http(client: TestClient, codec: str) -> None:
    """UTF-16 XML whose declaration names it, without a BOM: read, not refused as binary."""
    text = EML.format(votes="400").replace('encoding="UTF-8"', 'encoding="UTF-16"')
    response = client.post("/normalise", files={"file": ("count.xml", text.encode(codec))})
    assert response.status_code == 200, response.text
    assert response.json()["total_votes"]["selections"][0]["valid_votes"] == 400
