"""What the pages run in the worker pool (module-level, so they pickle by name).

The page shows the document and its validation report side by side, so one job reads the
file once, with source locations, and validates that document: the same public functions
``POST /normalise`` and ``POST /validate`` call, composed differently, not a second pipeline.
"""

from __future__ import annotations

import orjson

from telnorm.parsers.api import Limits
from telnorm.service.validation.inputs import (
    ValidateRequest,
    load_candidate_list,
    read_document,
)
from telnorm.service.validation.reference import load_reference
from telnorm.service.validation.runner import validate


def inspect_job(request: ValidateRequest, limits: Limits) -> bytes:
    """``{"document": <canonical, without locations>, "report": <validation report>}``."""
    candidate_list = (
        load_candidate_list(request.candidate_list.path, request.candidate_list.filename, limits)
        if request.candidate_list is not None
        else None
    )
    # One read with locations: the report then names cells and lines without a second parse.
    document = read_document(request, limits, locations=True)
    reference = (
        load_reference(request.reference.path, request.reference.filename, limits=limits)
        if request.reference is not None
        else None
    )
    report = validate(
        document,
        reference=reference,
        candidate_list=candidate_list,
        plausibility=request.plausibility,
    )
    # The page needs the findings' places, not the map of every value (a third of the size).
    document.pop("locations", None)
    return orjson.dumps({"document": document, "report": report})
