"""The Dutch sentence of each station in parts A and B: what was found and what to do.

Numbers in Dutch notation (``3,4%``), so a clerk can paste the sentence into a memo.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any


def dutch_number(value: float, decimals: int = 1) -> str:
    return f"{value:.{decimals}f}".replace(".", ",")


def _recount_sentence(recounted: bool | None) -> str:
    if recounted is True:
        return "Het stembureau is al herteld; een nieuwe hertelling is niet nodig."
    if recounted is False:
        return "Het stembureau is niet herteld: onderzoek het verschil of laat het hertellen."
    return (
        "Het bestand zegt niet of het stembureau al is herteld: ga dat na in het "
        "proces-verbaal, en laat het anders hertellen."
    )


def summary_a(no_explanation: int | None, short: int | None, recounted: bool | None) -> str:
    """Part A: an unexplained difference between admitted voters and counted ballots."""
    unexplained, gap = no_explanation or 0, short or 0
    if unexplained and gap:
        found = (
            f"Er is een onverklaard verschil van {unexplained + gap} tussen het aantal "
            f"toegelaten kiezers en het aantal getelde stembiljetten: {unexplained} keer is "
            "'geen verklaring' ingevuld en de gegeven verklaringen tellen niet op tot het "
            "verschil."
        )
    elif unexplained:
        found = (
            f"Er is een onverklaard verschil van {unexplained} tussen het aantal toegelaten "
            "kiezers en het aantal getelde stembiljetten ('geen verklaring')."
        )
    else:
        found = (
            f"Er is een onverklaard verschil van {gap} tussen het aantal toegelaten kiezers en "
            "het aantal getelde stembiljetten: de verklaringen in het proces-verbaal tellen niet "
            "op tot het verschil."
        )
    return f"{found} {_recount_sentence(recounted)}"


def swap_sentence(swap: Mapping[str, Any], list_name: str | None) -> str:
    over, under = swap["over"], swap["under"]
    named = f" ({list_name})" if list_name else ""
    return (
        f"lijst {swap['affiliation_id']}{named}: kandidaat {over['candidate_id']} kreeg "
        f"{over['votes']} stemmen (verwacht {over['expected']}), kandidaat "
        f"{under['candidate_id']} kreeg {under['votes']} (verwacht {under['expected']})"
    )


def summary_b(entry: Mapping[str, Any], list_names: Mapping[str, str | None]) -> str:
    """Part B: the outliers of one station, one clause each."""
    clauses: list[str] = []
    if entry["zero_votes"]:
        clauses.append("er zijn geen stemmen uitgebracht")
    if entry["invalid_pct"] is not None:
        clauses.append(f"{dutch_number(entry['invalid_pct'])}% van de stemmen is ongeldig")
    if entry["blank_pct"] is not None:
        clauses.append(f"{dutch_number(entry['blank_pct'])}% van de stemmen is blanco")
    if entry["admitted_difference"] is not None:
        clauses.append(
            "het aantal toegelaten kiezers en het aantal uitgebrachte stemmen verschillen "
            f"{entry['admitted_difference']}"
        )
    deviations: Sequence[Mapping[str, Any]] = entry["list_deviations"]
    if deviations:
        parts = [
            f"lijst {d['affiliation_id']} {dutch_number(d['share'])}% tegen "
            f"{dutch_number(d['rest_share'])}% in de rest van de gemeente"
            for d in deviations
        ]
        clauses.append("de uitslag wijkt sterk af bij " + "; ".join(parts))
    swaps: Sequence[Mapping[str, Any]] = entry["swaps"]
    if swaps:
        described = [swap_sentence(s, list_names.get(s["affiliation_id"])) for s in swaps]
        clauses.append("mogelijk zijn kandidaten verwisseld: " + "; ".join(described))
    text = "; ".join(clauses)
    return (
        f"{text[:1].upper()}{text[1:]}. Vergelijk de uitslag met het proces-verbaal van dit "
        "stembureau en laat bij een fout hertellen."
    )


__all__ = ["dutch_number", "summary_a", "summary_b", "swap_sentence"]
