"""``telnorm apportion``: seats from the 110a, names from the 230b, exit statuses."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from telnorm.service.cli import cli

CORPUS = Path(__file__).resolve().parents[2].parent / "shared" / "corpus" / "eml"


def corpus(*parts: str) -> str:
    path = CORPUS.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"corpus file not available: {path}")
    return str(path)


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["apportion", *args])
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout


def test_seats_and_threshold_from_the_election_definition() -> None:
    count = corpus("apportionment", "Telling_GR2022_NoordBeveland.eml.xml")
    definition = corpus("110a", "Verkiezingsdefinitie_GR2026_Stadskanaal.eml.xml")
    status, out = run(count, "--election-definition", definition)
    assert status == 0
    result = json.loads(out)
    assert result["seats"] == 23  # kr:NumberOfSeats of the 110a
    assert result["preference_threshold"]["percent"] == 25  # kr:PreferenceThreshold
    assert result["residual_method"] == "largest_averages"
    assert sum(item["seats"] for item in result["lists"]) == 23
    status, out = run(count, "--election-definition", definition, "--seats", "13")
    assert json.loads(out)["seats"] == 13  # --seats wins


def test_names_from_the_candidate_list() -> None:
    count = corpus("510b", "Telling_GR2022_WestMaasenWaal.eml.xml")
    roster = corpus("230b", "Kandidatenlijsten_GR2022_WestMaasenWaal.eml.xml")
    status, out = run(count, "--candidate-list", roster, "--seats", "19")
    assert status == 0
    result = json.loads(out)
    assert all(e["name"] for e in result["elected"])
    assert len(result["elected"]) == 19
    assert all(item["candidates"] for item in result["lists"])
    assert not any("taken from the count" in note for note in result["notes"])


def _count_xml(votes: list[int]) -> bytes:
    """A minimal municipal 510b: one candidate per list, the given list votes."""
    selections = "".join(
        f'<Selection><AffiliationIdentifier Id="{i}"><RegisteredName>Lijst {i}</RegisteredName>'
        f"</AffiliationIdentifier><ValidVotes>{v}</ValidVotes></Selection>"
        f'<Selection><Candidate><CandidateIdentifier Id="1"/></Candidate>'
        f"<ValidVotes>{v}</ValidVotes></Selection>"
        for i, v in enumerate(votes, start=1)
    )
    group = (
        f"{selections}<Cast>2000</Cast><TotalCounted>{sum(votes)}</TotalCounted>"
        '<RejectedVotes ReasonCode="ongeldig">0</RejectedVotes>'
        '<RejectedVotes ReasonCode="blanco">0</RejectedVotes>'
    )
    return (
        '<EML xmlns="urn:oasis:names:tc:evs:schema:eml" xmlns:kr="http://www.kiesraad.nl/extensions"'
        ' Id="510b" SchemaVersion="5"><TransactionId>1</TransactionId><ManagingAuthority>'
        '<AuthorityIdentifier Id="0999">Gelijkstad</AuthorityIdentifier><AuthorityAddress/>'
        "</ManagingAuthority><kr:CreationDateTime>2026-03-19T10:00:00.000</kr:CreationDateTime>"
        '<Count><EventIdentifier/><Election><ElectionIdentifier Id="GR2026_Gelijkstad">'
        "<ElectionName>Gemeenteraad Gelijkstad 2026</ElectionName><ElectionCategory>GR"
        "</ElectionCategory><kr:ElectionSubcategory>GR1</kr:ElectionSubcategory>"
        "<kr:ElectionDate>2026-03-18</kr:ElectionDate></ElectionIdentifier><Contests><Contest>"
        f'<ContestIdentifier Id="geen"/><TotalVotes>{group}</TotalVotes><ReportingUnitVotes>'
        f'<ReportingUnitIdentifier Id="0999::SB1">Stembureau 1</ReportingUnitIdentifier>{group}'
        "</ReportingUnitVotes></Contest></Contests></Election></Count></EML>"
    ).encode()


def test_a_tie_exits_1_and_text_says_so(tmp_path: Path) -> None:
    path = tmp_path / "gelijk.eml.xml"
    path.write_bytes(_count_xml([300, 300, 300]))
    status, out = run(str(path), "--seats", "2", "--format", "text")
    assert status == 1
    assert "TIE (P 8 lid 2)" in out
    status, _ = run(str(path))  # GR without seats: refused, not guessed
    assert status == 2
