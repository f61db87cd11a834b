"""Generate the databank samples: the results site's import CSV ("zoals geïmporteerd") of a
FICTIONAL Tweede Kamer election in three FICTIONAL municipalities, at the three sizes the
reader meets: one municipality, one district with its municipalities, a whole election.

Municipal codes 9901-9903 are not CBS codes; the district (K6 Nijmegen, K7 Arnhem),
province (P25 Gelderland) and country (L528) codes are the databank's real ones. Every
higher region is written as the sum of the regions under it, from one truth table here (not
by running telnorm), so the reader's sum check has an independent oracle; ``errors/`` holds
files it must refuse. Run:
``.venv/bin/python samples/make_databank_samples.py``.
"""

from __future__ import annotations

from pathlib import Path

OUT = Path(__file__).resolve().parent / "databank"

HEADER = (
    "Regio;RegioCode;OuderRegioCode;GrootOuderRegioCode;Partij;LijstNummer;LijstNaam;"
    "KandidaatNummer;KandidaatInitialen;KandidaatVoornaam;KandidaatTussenvoegsel;"
    "KandidaatAchternaam;KandidaatWoonplaats;KandidaatGeslacht;VeldType;Waarde"
)
#: list number -> (name, candidates: number -> (initials, first name, prefix, last name,
#: locality, gender))
LISTS = {
    "1": ("Partij voor het Rivierenland", {
        "1": ("A.B.", "Anna", "van", "Dijk", "Lindehoven", "v"),
        "2": ("C.", "Cor", "", "Jansen", "Beekdorp", "m"),
    }),
    "2": ("Heuvelrode Vooruit", {
        "1": ("E.", "Eva", "de", "Vries", "Heuvelrode", "v"),
        "2": ("G.H.", "Gerrit", "", "Hendriks", "Lindehoven", "m"),
    }),
    "3": ("Lijst Samen", {
        "1": ("K.", "Karim", "", "Amrani", "Beekdorp", "m"),
    }),
}  # fmt: skip
#: code -> (name, district, electorate, blank, invalid, candidate votes per list)
MUNICIPALITIES = {
    "G9901": ("Lindehoven", "K6", 16290, 57, 13, {"1": [2100, 1116], "2": [4000, 311], "3": [900]}),
    "G9902": ("Beekdorp", "K6", 9120, 21, 8, {"1": [1500, 640], "2": [700, 80], "3": [1333]}),
    "G9903": ("Heuvelrode", "K7", 12004, 33, 10, {"1": [800, 95], "2": [5100, 420], "3": [610]}),
}
DISTRICTS = {"K6": ("Nijmegen", "P25"), "K7": ("Arnhem", "P25")}
PROVINCES = {"P25": ("Gelderland", "L528")}
COUNTRY = ("Nederland", "L528")
STATISTICS = (
    "Kiesgerechtigden", "Opkomst", "AantalGeldigeStemmen", "AantalBlancoStemmen",
    "AantalOngeldigeStemmen",
)  # fmt: skip
#: The country's result rows of the made-up election (seats per list, elected candidates):
#: the reader notes and leaves them out.
SEATS = {"Heuvelrode Vooruit": 2, "Partij voor het Rivierenland": 2, "Lijst Samen": 1}
ELECTED = [("1", "1"), ("1", "2"), ("2", "1"), ("2", "2"), ("3", "1")]


def _votes(codes: list[str]) -> dict[str, list[int]]:
    total = {number: [0] * len(LISTS[number][1]) for number in LISTS}
    for code in codes:
        for number, votes in MUNICIPALITIES[code][5].items():
            total[number] = [a + b for a, b in zip(total[number], votes, strict=True)]
    return total


def _statistics(codes: list[str]) -> dict[str, int]:
    electorate = sum(MUNICIPALITIES[c][2] for c in codes)
    blank = sum(MUNICIPALITIES[c][3] for c in codes)
    invalid = sum(MUNICIPALITIES[c][4] for c in codes)
    valid = sum(sum(v) for v in _votes(codes).values())
    return {
        "Kiesgerechtigden": electorate,
        "Opkomst": valid + blank + invalid,
        "AantalGeldigeStemmen": valid,
        "AantalBlancoStemmen": blank,
        "AantalOngeldigeStemmen": invalid,
    }


def _region(place: tuple[str, str, str, str], codes: list[str], candidates: bool) -> list[str]:
    head = ";".join(place) + ";"
    rows = [f"{head}" + ";" * 10 + f"{kind};{value}" for kind, value in _statistics(codes).items()]
    for number, votes in _votes(codes).items():
        name, people = LISTS[number]
        rows.append(f"{head};{number};{name}" + ";" * 8 + f"LijstAantalStemmen;{sum(votes)}")
        if candidates:
            for (cid, person), count in zip(people.items(), votes, strict=True):
                cells = ";".join(person)
                rows.append(f"{head};{number};{name};{cid};{cells};KandidaatAantalStemmen;{count}")
    return rows


def _municipality(code: str) -> list[str]:
    name, district, *_ = MUNICIPALITIES[code]
    return _region((name, code, district, DISTRICTS[district][1]), [code], candidates=False)


def _district(code: str) -> list[str]:
    name, province = DISTRICTS[code]
    under = [c for c, m in MUNICIPALITIES.items() if m[1] == code]
    return _region((name, code, province, PROVINCES[province][1]), under, candidates=True)


def _results() -> list[str]:
    """The country's seats (no list number, by name) and elected candidates."""
    head = ";".join((*COUNTRY, "", "")) + ";"
    rows = [
        f"{head};;{name}" + ";" * 8 + f"LijstAantalZetels;{seats}"
        for name, seats in sorted(SEATS.items())
    ]
    for number, cid in ELECTED:
        name, people = LISTS[number]
        cells = ";".join(people[cid])
        rows.append(f"{head};{number};{name};{cid};{cells};KandidaatGekozen;1")
    return rows


def _write(name: str, rows: list[str]) -> None:
    (OUT / name).write_text(HEADER + "\n" + "\n".join(rows) + "\n", encoding="utf-8")


def main() -> None:
    OUT.mkdir(exist_ok=True)
    _write("TK2026_gemeente_Lindehoven_uitslag.csv", _municipality("G9901"))
    _write(
        "TK2026_kieskring_Nijmegen_uitslag.csv",
        _municipality("G9901") + _municipality("G9902") + _district("K6"),
    )
    everything = list(MUNICIPALITIES)
    rows = _results()
    for code in everything:
        rows += _municipality(code)
    rows += _district("K6") + _district("K7")
    rows += _region((*COUNTRY, "", ""), everything, candidates=True)
    rows += _region(("Gelderland", "P25", "L528", ""), everything, candidates=True)
    _write("TK2026_uitslag.csv", rows)
    # Files the reader must refuse, with the line: a number stated twice for one region, and
    # the weighted votes of an Eerste Kamer file (not a count of ballots).
    (OUT / "errors").mkdir(exist_ok=True)
    once = _municipality("G9901")
    _write("errors/duplicate_value_uitslag.csv", [*once, once[-1].rsplit(";", 1)[0] + ";901"])
    head = ";".join((*COUNTRY, "", "")) + ";"
    _write(
        "errors/EK2027_weighted_votes_uitslag.csv",
        [
            f"{head};1;Partij voor het Rivierenland" + ";" * 8 + "LijstAantalGewogenStemmen;4866",
            f"{head};1;Partij voor het Rivierenland" + ";" * 8 + "LijstAantalStemmen;17",
        ],
    )


if __name__ == "__main__":
    main()
