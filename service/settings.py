"""All settings of the service, in one pydantic-settings class.

Every value has a safe built-in default, so ``telnorm serve`` runs with no configuration.
Override with environment variables prefixed ``TELNORM_`` (``TELNORM_MAX_UPLOAD_BYTES=...``)
or a ``.env`` file in the working directory.
"""

from __future__ import annotations

import json
from dataclasses import fields
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from telnorm.parsers.api import Limits
from telnorm.service.authconfig import AuthConfigError, auth_tokens
from telnorm.service.cpus import default_workers

_LIMITS = Limits()


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="TELNORM_", env_file=".env", extra="ignore")

    host: str = Field(default="127.0.0.1", description="Interface `telnorm serve` listens on.")
    port: int = Field(default=8000, description="Port `telnorm serve` listens on.")
    root_path: str = Field(
        default="",
        description="Path prefix a reverse proxy serves telnorm under (e.g. /telnorm): "
        "links in /docs and the OpenAPI servers entry use it.",
    )

    # --- requests ----------------------------------------------------------------------
    max_upload_bytes: int = Field(
        default=256 * 1024 * 1024, description="Largest request body accepted (413 above)."
    )
    max_context_files: int = Field(default=3, description="Context parts per request.")
    reconcile_max_files: int = Field(
        default=1000,
        description="File and reference parts of one POST /reconcile, besides its election "
        "definition and candidate list (the body size is capped by max_upload_bytes).",
    )

    # --- workers -----------------------------------------------------------------------
    workers: int = Field(
        default_factory=default_workers,
        description="Parse worker processes (CPU-bound work runs there). Default: one per "
        "CPU the container's cgroup quota allows (not the host's count), at most 4.",
    )
    worker_max_tasks: int = Field(
        default=200, description="Jobs per worker before it is replaced (keeps memory flat)."
    )
    worker_memory_bytes: int | None = Field(
        default=4 * 1024 * 1024 * 1024,
        description="Address-space limit of each worker; a parse over it gets a 422.",
    )
    parse_timeout_seconds: float = Field(
        default=120.0, description="Wall time per parse; a parse that overruns is stopped."
    )
    max_queued_jobs: int = Field(
        default=32,
        ge=0,
        description="Jobs that may wait for a free worker; one more is a 503 with Retry-After.",
    )
    retry_after_seconds: int = Field(
        default=5, ge=1, description="Retry-After of the 503 answered when the queue is full."
    )

    # --- structural limits: defaults are those of parsers.api.Limits, the one place ------
    max_xml_depth: int = Field(default=_LIMITS.max_xml_depth, description="XML nesting depth.")
    max_xml_elements: int = Field(
        default=_LIMITS.max_xml_elements, description="XML elements per file."
    )
    max_rows: int = Field(default=_LIMITS.max_rows, description="Rows per sheet or CSV.")
    max_columns: int = Field(default=_LIMITS.max_columns, description="Columns per sheet or CSV.")
    max_cells: int = Field(default=_LIMITS.max_cells, description="Cells per workbook or CSV.")
    max_line_length: int = Field(
        default=_LIMITS.max_line_length, description="Characters per line."
    )
    max_zip_members: int = Field(default=_LIMITS.max_zip_members, description="Members per zip.")
    max_zip_uncompressed: int = Field(
        default=_LIMITS.max_zip_uncompressed, description="Uncompressed bytes of a zip (xlsx, ods)."
    )
    max_zip_ratio: float = Field(
        default=_LIMITS.max_zip_ratio, description="Compression ratio of a zip member."
    )
    max_pdf_pages: int = Field(
        default=_LIMITS.max_pdf_pages, description="Pages of a PDF record read (422 above)."
    )
    ocr_timeout_seconds: float = Field(
        default=_LIMITS.ocr_timeout_seconds, description="OCR wall time per scanned page."
    )
    ocr_dpi: int = Field(default=_LIMITS.ocr_dpi, description="Resolution scans are OCR'd at.")
    ocr_min_confidence: float = Field(
        default=_LIMITS.ocr_min_confidence,
        description="OCR confidence (0-100) a number no arithmetic check covers needs.",
    )
    ocr_min_confidence_checked: float = Field(
        default=_LIMITS.ocr_min_confidence_checked,
        description="OCR confidence a number covered by a passing arithmetic check needs.",
    )

    # --- connections -------------------------------------------------------------------
    header_timeout_seconds: float = Field(
        default=10.0,
        description="Time for a request's headers to arrive, from its first byte (from the "
        "connection's start for the first request); then 408 and the connection is closed.",
    )
    body_timeout_seconds: float = Field(
        default=30.0,
        description="Longest wait for the next part of a request body; then 408.",
    )
    keep_alive_seconds: float = Field(
        default=5.0, description="An idle keep-alive connection is closed after this long."
    )

    # --- access and logs ---------------------------------------------------------------
    auth_tokens: Annotated[list[str] | None, NoDecode] = Field(
        default=None,
        description="Bearer tokens; when set, every route but the health probes needs one. "
        "As an environment variable: a JSON list (TELNORM_AUTH_TOKENS='[\"s3cret\"]') or "
        "tokens separated by commas. Set but empty (no token in it) refuses to start.",
    )
    auth_tokens_file: Path | None = Field(
        default=None, description="A file with one bearer token per line (# comments allowed)."
    )
    log_level: str = Field(
        default="INFO",
        description="Level of every log line (telnorm, uvicorn and its access log): DEBUG, "
        "INFO, WARNING, ERROR.",
    )
    cors_origins: list[str] = Field(
        default_factory=list,
        description="Origins allowed to call the API from a browser (CORS); empty: CORS off. "
        'A JSON list, e.g. TELNORM_CORS_ORIGINS=\'["https://app.example"]\'; ["*"] for any.',
    )
    gzip_min_bytes: int = Field(
        default=64 * 1024,
        ge=0,
        description="Responses at least this large are gzip-compressed for clients that accept it.",
    )

    @field_validator("auth_tokens", mode="before")
    @classmethod
    def _token_list(cls, value: Any) -> Any:
        """A JSON list, or (friendlier in an environment variable) comma-separated tokens."""
        if isinstance(value, str):
            text = value.strip()
            if text.startswith("["):
                return json.loads(text)
            return text.split(",")
        return value

    def tokens(self) -> frozenset[str]:
        """The bearer tokens; empty when authentication is off (nothing configured).

        Raises AuthConfigError when authentication is configured but holds no token (an
        empty TELNORM_AUTH_TOKENS, a list of blanks, a token file without a token, a token
        file that cannot be read): the service must never start open by accident.
        """
        return auth_tokens(self.auth_tokens, self.auth_tokens_file)

    # --- parser plugins ------------------------------------------------------------------
    disabled_parsers: str = Field(
        default="",
        description="Parser names to leave out without uninstalling them, comma-separated "
        "(TELNORM_DISABLED_PARSERS=telstaat,pdf); GET /parsers lists them as disabled.",
    )

    def disabled_parser_names(self) -> tuple[str, ...]:
        return tuple(sorted({n.strip() for n in self.disabled_parsers.split(",") if n.strip()}))

    # --- mappings ----------------------------------------------------------------------
    mappings_dir: Path | None = Field(
        default=None,
        description="Folder of mapping files (TOML) and the list-name alias table "
        "(aliases.toml), used instead of the ones packaged with telnorm. The pipeline hands it "
        "to the parsers (ParseContext.mappings_dir); GET /mappings lists its mappings.",
    )

    # --- output ------------------------------------------------------------------------
    eml_schema_dir: Path | None = Field(
        default=None,
        description="Folder with the EML_NL XSDs; when set, exported EML is validated.",
    )

    # --- control protocol (telnorm protocol, POST /protocol): the Electoral Council's
    # values (its control-protocol tool, protocol version GR2026) ------------------------
    protocol_version: str = Field(
        default="GR2026", description="Protocol version named in the report."
    )
    protocol_invalid_pct: float = Field(
        default=3.0, description="Part B: invalid votes at or above this % of the ballots."
    )
    protocol_blank_pct: float = Field(
        default=3.0, description="Part B: blank votes at or above this % of the ballots."
    )
    protocol_admitted_difference: int = Field(
        default=15, description="Part B: admitted voters and ballots differ by this many."
    )
    protocol_admitted_difference_pct: float = Field(
        default=2.0, description="Part B: ... or by this % of the ballots."
    )
    protocol_list_deviation_points: float = Field(
        default=50.0,
        description="Part B: a list's share deviates this many percentage points from the rest.",
    )
    protocol_swap_factor: float = Field(
        default=5.0, description="Part B swaps: at least this factor above / below expected."
    )
    protocol_swap_min_votes: int = Field(
        default=15, description="Part B swaps: received (over) or expected (under) at least."
    )
    protocol_swap_min_units_municipality: int = Field(
        default=2, description="Part B swaps: stations the municipality needs for the check."
    )
    protocol_swap_min_units_neighbourhood: int = Field(
        default=5, description="Part B swaps: stations a neighbourhood needs for its check."
    )

    def limits(self) -> Limits:
        """The structural limits for the parsers, from the fields of the same names."""
        return Limits(**{item.name: getattr(self, item.name) for item in fields(Limits)})


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()


__all__ = ["AuthConfigError", "Settings", "get_settings"]
