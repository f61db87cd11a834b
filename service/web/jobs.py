"""What the pages run in the worker pool (module-level, so they pickle by name).

The page shows the document and its validation report side by side, so one job reads the
file once, with source locations, and validates that document: the same public functions
``POST /normalise`` and ``POST /validate`` call, composed differently, not a second pipeline.
"""

from __future__ import annotations

import dataclasses

import orjson

from telnorm.parsers.api import Limits
from telnorm.parsers.packed_selections import json_default
from telnorm.service.validation.inputs import ValidateRequest, validate_document


def inspect_job(request: ValidateRequest, limits: Limits) -> bytes:
    """``{"document": <canonical, without locations>, "report": <validation report>}``."""
    # One read with locations (the context files read once): the report then names cells
    # and lines without a second parse.
    document, report = validate_document(dataclasses.replace(request, locations="always"), limits)
    # The page needs the findings' places, not the map of every value (a third of the size).
    document.pop("locations", None)
    return orjson.dumps({"document": document, "report": report}, default=json_default)
