"""Versions: the one telnorm stamps into ``source.normaliser_version``, and the HTTP API's."""

from importlib.metadata import PackageNotFoundError, version

try:
    NORMALISER_VERSION = version("telnorm")
except PackageNotFoundError:  # running from a checkout that was never installed
    NORMALISER_VERSION = "0+unknown"

#: Version of the HTTP API contract (``info.version`` of /openapi.json, the
#: ``Telnorm-API-Version`` header). Semantic versioning; docs/api.md says what may change
#: without a bump.
HTTP_API_VERSION = "1.0.0"
