"""Schemathesis against the service's own OpenAPI document, in process (ASGI): for every
operation, generated requests (valid and invalid) never get a 5xx, and every response fits
what the OpenAPI document declares (status code, content type, body schema).

``TELNORM_SCHEMATHESIS_EXAMPLES`` raises the examples per operation (default 25)."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from telnorm.service.main import create_app
from telnorm.service.settings import Settings

EXAMPLES = int(os.environ.get("TELNORM_SCHEMATHESIS_EXAMPLES", "25"))
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]

APP = create_app(
    Settings(workers=1, max_upload_bytes=1024 * 1024, parse_timeout_seconds=30, auth_tokens=None)
)
schema = schemathesis.openapi.from_asgi("/openapi.json", APP)


@pytest.fixture(scope="module", autouse=True)
def _stop_the_app() -> Iterator[None]:
    yield
    from schemathesis.python import asgi

    asgi.shutdown_lifespans()  # the worker pool of APP


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=not os.environ.get("TELNORM_SCHEMATHESIS_EXAMPLES"),
    suppress_health_check=list(HealthCheck),
)
def test_api(case: schemathesis.Case) -> None:
    # GET /health/ready answers a documented 503 when the worker pool does not answer in
    # time (a loaded machine): the readiness answer, not a server error.
    excluded = [not_a_server_error] if case.path == "/health/ready" else []
    checks = [check for check in CHECKS if check not in excluded]
    # a generous read timeout: parses run in the worker pool, on a machine that may be busy
    case.call_and_validate(checks=checks, timeout=120)
