"""Run-time XSD check of the EML telnorm writes (setting ``eml_schema_dir``).

The writer checks every value it needs before writing, so the schema should never fail; this
check is the belt to those braces, for deployments that want proof on every response. A
failure is telnorm's bug (HTTP 500), never the caller's.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from lxml import etree

from telnorm.parsers.errors import ExportSchemaViolation

#: The entry point of the EML_NL strict schema set for counts.
COUNT_SCHEMA = "510-count-kiesraad-strict.xsd"


@lru_cache(maxsize=4)
def _schema(path: str) -> etree.XMLSchema:
    # Loading the schema set takes ~0.3 s; keep it per schema folder for the process.
    parser = etree.XMLParser(resolve_entities=False, no_network=True)
    return etree.XMLSchema(etree.parse(path, parser))


def load_schema(schema_dir: Path) -> etree.XMLSchema:
    entry = Path(schema_dir) / COUNT_SCHEMA
    if not entry.is_file():
        raise FileNotFoundError(f"EML schema folder {schema_dir} has no {COUNT_SCHEMA}")
    return _schema(str(entry.resolve()))


def schema_errors(data: bytes, schema_dir: Path) -> list[str]:
    """The schema's complaints about ``data`` (empty when it validates)."""
    schema = load_schema(schema_dir)
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True)
    tree = etree.fromstring(data, parser)
    if schema.validate(tree):
        return []
    # lxml-stubs do not type _ErrorLog as iterable; its text form has one error a line.
    return str(schema.error_log).splitlines()


def check_eml(data: bytes, schema_dir: Path | None) -> None:
    """Validate produced EML against ``schema_dir`` when one is configured (else do nothing).

    Raises ExportSchemaViolation listing the first errors.
    """
    if schema_dir is None:
        return
    errors = schema_errors(data, schema_dir)
    if errors:
        raise ExportSchemaViolation(
            "The EML telnorm wrote does not pass the configured schema "
            f"({COUNT_SCHEMA}): {errors[0]}. This is a telnorm bug; please report it with "
            "the input file.",
            errors=errors[:20],
        )


__all__ = ["COUNT_SCHEMA", "check_eml", "load_schema", "schema_errors"]
