"""The databank's fixed geography: the country's code, the provinces by CBS code, and the
province each Tweede Kamer kieskring lies in (Kieswet art. E 1). Shared by the reader (which
checks the parents a file states against it) and the writer (which derives them)."""

from __future__ import annotations

COUNTRY = "L528"

#: The kieskringen (Kieswet art. E 1) and the CBS code of the province each lies in; 20 is
#: the Caribbean district (Bonaire, Sint Eustatius, Saba), in no province: the databank puts
#: it under region 99, "Niet-provinciaal ingedeeld" (the Council's results portal's code).
PROVINCE_OF_DISTRICT = {
    "1": "20", "2": "21", "3": "22", "4": "23", "5": "24", "6": "25", "7": "25", "8": "26",
    "9": "27", "10": "27", "11": "27", "12": "28", "13": "28", "14": "28", "15": "28",
    "16": "29", "17": "30", "18": "30", "19": "31", "20": "99",
}  # fmt: skip

#: The provinces by CBS code, as the databank names them; 99 holds the Caribbean district.
PROVINCE_NAMES = {
    "20": "Groningen", "21": "Fryslân", "22": "Drenthe", "23": "Overijssel", "24": "Flevoland",
    "25": "Gelderland", "26": "Utrecht", "27": "Noord-Holland", "28": "Zuid-Holland",
    "29": "Zeeland", "30": "Noord-Brabant", "31": "Limburg", "99": "Niet-provinciaal ingedeeld",
}  # fmt: skip

#: The public bodies (``O`` regions), municipalities of the Caribbean district.
PUBLIC_BODIES = ("9001", "9002", "9003")


def kieskring(parent: str, grandparent: str) -> str | None:
    """The kieskring number of a ``K`` parent whose stated grandparent is the province the
    Kieswet puts it in (``K6``, ``P25`` -> ``6``); None for any other pair (a district of
    another election, whose codes are not the Tweede Kamer's)."""
    number = parent[1:]
    if parent[:1] != "K" or not number.isdigit():
        return None
    province = PROVINCE_OF_DISTRICT.get(number.lstrip("0"))
    return number.lstrip("0") if province is not None and grandparent == "P" + province else None


__all__ = ["COUNTRY", "PROVINCE_NAMES", "PROVINCE_OF_DISTRICT", "PUBLIC_BODIES", "kieskring"]
