"""The version telnorm stamps into ``source.normaliser_version``."""

from importlib.metadata import PackageNotFoundError, version

try:
    NORMALISER_VERSION = version("telnorm")
except PackageNotFoundError:  # running from a checkout that was never installed
    NORMALISER_VERSION = "0+unknown"
