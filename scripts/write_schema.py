"""Regenerate parsers/schema/canonical-v1.schema.json from the pydantic models."""

from __future__ import annotations

from pathlib import Path

import orjson

from telnorm.parsers.canonical import json_schema

TARGET = Path(__file__).resolve().parent.parent / "parsers" / "schema" / "canonical-v1.schema.json"


def main() -> None:
    TARGET.write_bytes(orjson.dumps(json_schema(), option=orjson.OPT_INDENT_2) + b"\n")
    print(f"wrote {TARGET}")


if __name__ == "__main__":
    main()
