"""One normalise pipeline for every way in: a zip member goes through the same stages as a
file sent on its own, context files are read once per request, and the enrich stage fills
every parser's output (osv4-3, spreadsheets, EML) from a polling-station list (110b)."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient

from telnorm.parsers.eml import context as eml_context
from telnorm.parsers.errors import ContextFileError, RequestError
from telnorm.service import pipeline
from telnorm.service.cli import cli
from telnorm.service.export.job import normalise_export_job
from telnorm.service.pipeline import InputFile, NormaliseOptions, normalise
from telnorm.service.validation.inputs import ValidateRequest, run_request
from tests.conftest import SAMPLES, assert_canonical, corpus_path

TABULAR = SAMPLES / "tabular"
CANDIDATES = TABULAR / "lindehoven.230b.eml.xml"
OSV_CSV = ("csv", "osv4-3", "osv4-3_telling_tk2025_gemeente_westmaasenwaal.csv")
EML_COUNT = ("eml", "510b", "deserialize_eml510b_test.eml.xml")


def _zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def _write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def polling_station_list(
    election_id: str, authority_id: str, stations: dict[str, tuple[str, str]]
) -> bytes:
    """An EML 110b naming ``stations`` ({number: (name, postcode)})."""
    places = "".join(
        f'<PollingPlace Channel="polling"><PhysicalLocation><Address><Locality>'
        f"<xal:LocalityName>{name}</xal:LocalityName><xal:PostalCode><xal:PostalCodeNumber>"
        f"{postcode}</xal:PostalCodeNumber></xal:PostalCode></Locality></Address>"
        f'<PollingStation Id="{number}">{number}</PollingStation></PhysicalLocation>'
        "</PollingPlace>"
        for number, (name, postcode) in stations.items()
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<EML xmlns="urn:oasis:names:tc:evs:schema:eml" xmlns:kr="http://www.kiesraad.nl/extensions"'
        ' xmlns:xal="urn:oasis:names:tc:ciq:xsdschema:xAL:2.0" Id="110b" SchemaVersion="5">'
        "<TransactionId>1</TransactionId><ManagingAuthority>"
        f'<AuthorityIdentifier Id="{authority_id}">Gemeente</AuthorityIdentifier>'
        "</ManagingAuthority>"
        "<ElectionEvent><EventIdentifier/><Election>"
        f'<ElectionIdentifier Id="{election_id}"></ElectionIdentifier>'
        f'<Contest><ContestIdentifier Id="geen"/>{places}</Contest>'
        "</Election></ElectionEvent></EML>"
    ).encode()


def _notes(document: dict[str, Any], code: str) -> list[dict[str, Any]]:
    return [note for note in document["notes"] if note["code"] == code]


# --- a bundle's member goes through the same stages ------------------------------------------


def test_sheet_on_an_eml_in_a_zip_is_refused_as_for_the_bare_file(
    client: TestClient, tmp_path: Path
) -> None:
    count = corpus_path(*EML_COUNT).read_bytes()
    bare = client.post("/normalise?sheet=X", content=count)
    zipped = client.post(
        "/normalise?sheet=X", files={"file": ("bundle.zip", _zip({"telling.xml": count}))}
    )
    for answer in (bare, zipped):
        assert answer.status_code == 400, answer.text
        problem = answer.json()
        assert problem["type"] == "/problems/bad-request"
        assert problem["options"] == ["sheet"]
        assert problem["parser"] == "eml"
    assert "zip member 'telling.xml'" in zipped.json()["detail"]
    # the same through the CLI
    path = _write(tmp_path, "bundle.zip", _zip({"telling.xml": count}))
    result = CliRunner().invoke(cli, ["normalise", str(path), "--sheet", "X"])
    assert result.exit_code != 0
    assert "sheet=" in result.output


def test_a_zip_member_takes_format_and_the_member_options(tmp_path: Path) -> None:
    csv = (TABULAR / "a_lindehoven_semicolon_cp1252.csv").read_bytes()
    path = _write(tmp_path, "bundle.zip", _zip({"uitslag.csv": csv}))
    document = normalise(
        InputFile(path, path.name),
        options=NormaliseOptions(format="tabular", parser_options={"delimiter": ";"}),
    )
    assert_canonical(document)
    assert document["source"]["member"] == "uitslag.csv"
    assert document["source"]["parser"]["name"] == "zip"
    assert document["source"]["format"]["id"] == "csv-family-a"
    # format= names the member's parser: forcing EML on the CSV member is the EML refusal
    with pytest.raises(Exception) as caught:
        normalise(InputFile(path, path.name), options=NormaliseOptions(format="eml"))
    assert getattr(caught.value, "code", None) in {"not-eml", "malformed-xml"}
    # an option for neither the bundle nor the member's parser is named
    with pytest.raises(RequestError) as refused:
        normalise(
            InputFile(path, path.name),
            options=NormaliseOptions(format="osv4-3", parser_options={"sheet": "x"}),
        )
    assert refused.value.extra["options"] == ["sheet"]


def test_a_bundled_candidate_list_is_context_with_provenance(tmp_path: Path) -> None:
    xlsx = (TABULAR / "a_lindehoven_names.xlsx").read_bytes()
    path = _write(
        tmp_path, "bundle.zip", _zip({"uitslag.xlsx": xlsx, "lijsten.xml": CANDIDATES.read_bytes()})
    )
    document = normalise(InputFile(path, path.name))
    assert document["source"]["context"][0]["filename"] == "lijsten.xml"
    assert document["source"]["context"][0]["eml_id"] == "230b"
    assert _notes(document, "zip-context")
    assert document["affiliations"][2]["name"] == "GROENLINKS / Partij van de Arbeid (PvdA)"


# --- context files are read once per request --------------------------------------------------


@pytest.fixture
def context_reads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The roles of every context file read, in order (whoever reads it)."""
    calls: list[str] = []
    original = eml_context._read

    def counting(stream: Any, source: Any, role: str, limits: Any) -> Any:
        calls.append(role)
        return original(stream, source, role, limits)

    monkeypatch.setattr(eml_context, "_read", counting)
    return calls


def test_context_files_are_read_once_for_normalise_export_and_validate(
    context_reads: list[str], tmp_path: Path
) -> None:
    sample = TABULAR / "a_lindehoven_names.xlsx"
    names = InputFile(CANDIDATES, CANDIDATES.name)
    exported = normalise_export_job(
        InputFile(sample, sample.name),
        {"candidate_list": names},
        NormaliseOptions(),
        pipeline.Limits(),
        "databank",
        {},
    )
    assert exported.content
    assert context_reads == ["candidate_list"]
    context_reads.clear()
    report = run_request(
        ValidateRequest(InputFile(sample, sample.name), candidate_list=names, locations="always")
    )
    assert report["summary"] is not None
    assert context_reads == ["candidate_list"]


# --- enrich: a 110b fills every parser's output ---------------------------------------------


def test_osv4_3_csv_with_a_corpus_110b_gets_postcodes_with_notes(tmp_path: Path) -> None:
    """The corpus CSV with its postcode row left empty, and the corpus 110b of Juinen given
    this count's election and municipality: postcodes and names fill from the 110b, a note
    per value; stations the 110b lacks keep the count's values and are noted."""
    text = corpus_path(*OSV_CSV).read_text(encoding="utf-8-sig")
    lines = text.splitlines()
    postcode = next(i for i, line in enumerate(lines) if line.startswith('"Postcode"'))
    lines[postcode] = '"Postcode";;;;' + ';""' * 11
    count = _write(tmp_path, "telling.csv", "\n".join(lines).encode("utf-8-sig"))
    juinen = corpus_path("eml", "110b", "eml110b_stembureaulijst-juinen.eml.xml").read_text()
    stations = _write(
        tmp_path,
        "stembureaus.xml",
        juinen.replace("GR2025_Juinen", "TK2025").replace('Id="0042"', 'Id="0668"').encode(),
    )
    document = normalise(
        InputFile(count, count.name),
        {"polling_stations": InputFile(stations, stations.name)},
    )
    assert_canonical(document)
    units = document["reporting_unit_votes"]
    assert [u["postal_code"] for u in units[:4]] == ["2541 AA", "2541 BB", "2541 CC", None]
    filled = _notes(document, "names-from-context")
    assert {n["location"]["pointer"] for n in filled} == {
        f"/reporting_unit_votes/{i}/postal_code" for i in range(3)
    }
    # the count names its stations: the 110b's other names are contradictions, not taken
    assert units[0]["name"] == "Gemeentehuis"
    contradictions = _notes(document, "context-contradiction")
    assert "/reporting_unit_votes/0/name" in {n["location"]["pointer"] for n in contradictions}
    assert any("Studio The Rules" in n["message"] for n in contradictions)
    unmatched = _notes(document, "context-unmatched")
    assert len(unmatched) == 1 and "8 polling station(s)" in unmatched[0]["message"]
    assert document["source"]["context"][0]["eml_id"] == "110b"


def test_osv4_3_postcodes_it_states_are_never_overwritten(tmp_path: Path) -> None:
    count = corpus_path(*OSV_CSV)
    stations = _write(
        tmp_path,
        "stembureaus.xml",
        polling_station_list(
            "TK2025", "0668", {"1": ("Gemeentehuis", "6658 AG"), "2": ("X", "1111 AA")}
        ),
    )
    document = normalise(
        InputFile(count, count.name), {"polling_stations": InputFile(stations, stations.name)}
    )
    first, second = document["reporting_unit_votes"][:2]
    assert (first["postal_code"], second["postal_code"]) == ("6658 AG", "6658 CX")
    contradictions = _notes(document, "context-contradiction")
    pointers = [n["location"]["pointer"] for n in contradictions]
    assert pointers == ["/reporting_unit_votes/1/name", "/reporting_unit_votes/1/postal_code"]
    assert "1111 AA" in contradictions[1]["message"] and "kept" in contradictions[1]["message"]
    assert not _notes(document, "names-from-context")


def test_spreadsheet_csv_without_postcodes_gets_them_from_a_110b(tmp_path: Path) -> None:
    rows = [
        line.split(";")
        for line in (TABULAR / "a_lindehoven_semicolon_cp1252.csv")
        .read_bytes()
        .decode("cp1252")
        .splitlines()
    ]
    header = next(i for i, row in enumerate(rows) if "Postcode" in row)
    column = rows[header].index("Postcode")
    text = "\n".join(
        ";".join(cell for c, cell in enumerate(row) if i < header or c != column)
        for i, row in enumerate(rows)
    )
    count = _write(tmp_path, "uitslag.csv", text.encode("cp1252"))
    stations = _write(
        tmp_path,
        "stembureaus.xml",
        polling_station_list(
            "GR2026_Lindehoven",
            "9901",
            {
                "1": ("De Linde", "1234 AB"),
                "2": ("Het Dorpshuis", "1235 CD"),
                "3": ("Hoekje", "1236 EF"),
            },
        ),
    )
    document = normalise(
        InputFile(count, count.name),
        {
            "candidate_list": InputFile(CANDIDATES, CANDIDATES.name),
            "polling_stations": InputFile(stations, stations.name),
        },
    )
    assert_canonical(document)
    assert [u["postal_code"] for u in document["reporting_unit_votes"]] == [
        "1234 AB",
        "1235 CD",
        "1236 EF",
    ]
    assert [u["name"] for u in document["reporting_unit_votes"]][1] == "Dorpshuis Oost"
    assert len(_notes(document, "names-from-context")) == 3
    # 'Hoekje' is part of the count's "Café 't Hoekje": the same station, not a contradiction
    assert [n["location"]["pointer"] for n in _notes(document, "context-contradiction")] == [
        "/reporting_unit_votes/1/name"
    ]


def test_a_110b_of_another_municipality_is_refused(tmp_path: Path) -> None:
    count = corpus_path(*OSV_CSV)
    stations = _write(
        tmp_path, "other.xml", polling_station_list("TK2025", "0363", {"1": ("A", "1011 AA")})
    )
    with pytest.raises(ContextFileError) as caught:
        normalise(
            InputFile(count, count.name), {"polling_stations": InputFile(stations, stations.name)}
        )
    assert "0363" in caught.value.message and "0668" in caught.value.message


def test_http_osv4_3_with_polling_stations_part(client: TestClient, tmp_path: Path) -> None:
    count = corpus_path(*OSV_CSV)
    stations = polling_station_list("TK2025", "0668", {"11": ("Dorpshuis De Hucht", "6626 AC")})
    answer = client.post(
        "/normalise",
        files={
            "file": (count.name, count.read_bytes()),
            "polling_stations": ("stembureaus.xml", stations),
        },
    )
    assert answer.status_code == 200, answer.text
    document = answer.json()
    assert document["reporting_unit_votes"][10]["postal_code"] == "6626 AC"
    assert not _notes(document, "context-contradiction")
    assert json.dumps(document["source"]["context"]).count("110b") == 1


# --- delimiter= is read (HTTP and CLI), by the tabular and osv4-3 parsers -------------------


def test_delimiter_option_is_read_over_http(client: TestClient) -> None:
    count = corpus_path(*OSV_CSV).read_bytes()
    sample = (TABULAR / "a_lindehoven_semicolon_cp1252.csv").read_bytes()
    for name, data in (("telling.csv", count), ("uitslag.csv", sample)):
        right = client.post("/normalise?delimiter=;", files={"file": (name, data)})
        assert right.status_code == 200, right.text
        # the wrong separator makes every line one cell: refused, never read as something
        wrong = client.post("/normalise?delimiter=|", files={"file": (name, data)})
        assert wrong.status_code == 422, wrong.text
    bad = client.post("/normalise?delimiter=ab", files={"file": ("telling.csv", count)})
    assert bad.status_code == 400
    assert "one character" in bad.json()["detail"]
    eml = client.post("/normalise?delimiter=;", content=corpus_path(*EML_COUNT).read_bytes())
    assert eml.status_code == 400 and eml.json()["options"] == ["delimiter"]


def test_delimiter_option_is_read_by_the_cli() -> None:
    count = str(corpus_path(*OSV_CSV))
    assert CliRunner().invoke(cli, ["normalise", count, "--delimiter", ";"]).exit_code == 0
    wrong = CliRunner().invoke(cli, ["normalise", count, "--delimiter", "|"])
    assert wrong.exit_code != 0


def test_a_plugins_output_is_enriched_like_any_other(tmp_path: Path) -> None:
    """The example plugin (installed by make setup) does nothing with context files; the
    enrich stage fills what its file leaves out and notes what it says otherwise."""
    from tests.plugins.install import EXAMPLE, ensure_example_installed

    ensure_example_installed()
    sample = EXAMPLE / "src" / "telnorm_telstaat" / "samples" / "lindewaarde_gr2026.txt"
    stations = _write(
        tmp_path,
        "stembureaus.xml",
        polling_station_list(
            "GR2026_Lindewaarde", "9903", {"1": ("Raadhuis", "9903 AB"), "2": ("X", "1111 XX")}
        ),
    )
    document = normalise(
        InputFile(sample, sample.name), {"polling_stations": InputFile(stations, stations.name)}
    )
    assert document["source"]["parser"]["name"] == "telstaat"
    assert [u["postal_code"] for u in document["reporting_unit_votes"][:2]] == [
        "9903 AB",
        "9904 CD",
    ]
    contradictions = _notes(document, "context-contradiction")
    assert [n["location"]["pointer"] for n in contradictions] == [
        "/reporting_unit_votes/1/name",
        "/reporting_unit_votes/1/postal_code",
    ]
