"""The candidate columns of the databank's rows: from the candidate list (230b), else split
from the document's ``Achternaam, I.N.``."""

from __future__ import annotations

from dataclasses import dataclass

from telnorm.parsers.canonical import Document
from telnorm.service.export.options import ExportOptions

#: The candidate list's gender values as the databank writes them.
GENDER = {"male": "m", "female": "v", "m": "m", "v": "v", "man": "m", "vrouw": "v"}


@dataclass(frozen=True)
class CandidateColumns:
    initials: str | None = None
    first_name: str | None = None
    prefix: str | None = None
    last_name: str | None = None
    locality: str | None = None
    gender: str | None = None


def split_name(name: str | None) -> CandidateColumns:
    """``van Dijck, A.P.C.`` -> prefix ``van``, last name ``Dijck``, initials ``A.P.C.``."""
    if not name:
        return CandidateColumns()
    surname, _, initials = name.partition(",")
    words = surname.split()
    prefix_words: list[str] = []
    # Tussenvoegsels are written in lower case before the surname (van, de, van der, 't).
    while len(words) > 1 and (words[0][:1].islower() or words[0].startswith("'")):
        prefix_words.append(words.pop(0))
    return CandidateColumns(
        initials=initials.strip() or None,
        prefix=" ".join(prefix_words) or None,
        last_name=" ".join(words) or None,
    )


def candidate_columns(
    document: Document, options: ExportOptions
) -> dict[tuple[str, str], CandidateColumns]:
    columns: dict[tuple[str, str], CandidateColumns] = {}
    for affiliation in document.get("affiliations") or []:
        for candidate in affiliation.get("candidates") or []:
            key = (str(affiliation["id"]), str(candidate["id"]))
            columns[key] = split_name(candidate.get("name"))
    if options.candidate_list is not None:
        for affiliation_id, info in options.candidate_list.affiliations.items():
            for candidate_id, c in info.candidates.items():
                gender = GENDER.get((c.gender or "").strip().lower(), c.gender)
                columns[(affiliation_id, candidate_id)] = CandidateColumns(
                    c.initials, c.first_name, c.prefix, c.last_name, c.locality, gender
                )
    return columns


__all__ = ["GENDER", "CandidateColumns", "candidate_columns", "split_name"]
