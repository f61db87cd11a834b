"""The Jinja2 environment of the pages, with the filters they use."""

from __future__ import annotations

from pathlib import Path

from fastapi.templating import Jinja2Templates

HERE = Path(__file__).resolve().parent
STATIC_DIR = HERE / "static"

templates = Jinja2Templates(directory=HERE / "templates")


def number(value: object, lang: str = "nl") -> str:
    """A count in Dutch notation (``13.627``) in both languages: these are Dutch counts, as
    on the forms and in the files, and one notation keeps a number the same in a screenshot
    or a report whichever language the clerk reads (the English caption says so). An absent
    value is a dash, never a 0 the file did not state."""
    del lang  # the same notation in both languages
    if value is None:
        return "–"
    if isinstance(value, bool) or not isinstance(value, int):
        return str(value)
    return f"{value:,}".replace(",", ".")


def percent(value: float, lang: str = "nl") -> str:
    text = f"{value * 100:.0f}%"
    return text.replace(".", ",") if lang == "nl" else text


templates.env.filters["number"] = number
templates.env.filters["percent"] = percent
