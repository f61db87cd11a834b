"""One protocol request: read the count (any format telnorm reads), build the report.

Used by ``telnorm protocol`` in-process and by ``POST /protocol`` inside a worker process
(the request is picklable; the report crosses the pipe as one bytes object).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from typing import Any

from telnorm.parsers.api import Limits
from telnorm.service.jsonsafe import dumps as checked_dumps
from telnorm.service.pipeline import InputFile
from telnorm.service.protocol.checks import DEFAULT_THRESHOLDS, Thresholds
from telnorm.service.protocol.neighbourhoods import read_neighbourhoods
from telnorm.service.protocol.report import build_report
from telnorm.service.validation.inputs import ValidateRequest, read_document


@dataclass(frozen=True)
class ProtocolRequest:
    main: InputFile
    neighbourhoods: InputFile | None = None
    #: Context files for normalising the count (``candidate_list``, ``polling_stations``...).
    context_files: Mapping[str, InputFile] = field(default_factory=dict)
    format: str | None = None
    parser_options: Mapping[str, Any] = field(default_factory=dict)
    thresholds: Thresholds = DEFAULT_THRESHOLDS


def thresholds_from(settings: Any) -> Thresholds:
    """The thresholds of the ``protocol_*`` settings (the Council's values by default)."""
    values = {
        item.name: getattr(settings, f"protocol_{item.name}")
        for item in fields(Thresholds)
        if hasattr(settings, f"protocol_{item.name}")
    }
    return Thresholds(**values)


def run_protocol(request: ProtocolRequest, limits: Limits | None = None) -> dict[str, Any]:
    """The report (a TelnormError when the count or the neighbourhood table is unreadable)."""
    table = (
        read_neighbourhoods(request.neighbourhoods.path, request.neighbourhoods.filename)
        if request.neighbourhoods is not None
        else None
    )
    context = dict(request.context_files)
    validate_request = ValidateRequest(
        main=request.main,
        candidate_list=context.pop("candidate_list", None),
        context_files=context,
        format=request.format,
        parser_options=request.parser_options,
    )
    document = read_document(validate_request, limits, locations=False)
    return build_report(document, request.thresholds, table)


def protocol_job(request: ProtocolRequest, limits: Limits) -> bytes:
    """The worker-process job of ``POST /protocol``."""
    return checked_dumps(run_protocol(request, limits))  # beyond 64 bits: a 422, not a 500


__all__ = ["ProtocolRequest", "protocol_job", "run_protocol", "thresholds_from"]
