"""Generic tables: any CSV or spreadsheet of a municipal count, and zip bundles of counts.

:class:`TabularParser` (``tabular``) reads text tables and spreadsheets of the layout families
of :mod:`telnorm.parsers.tabular.layouts`, with an optional declarative mapping
(:mod:`telnorm.parsers.tabular.mapping`); :class:`ZipBundleParser` (``zip``) opens a bundle safely
and
hands its one count to the parser that recognises it. Options (``context.options``):
``mapping`` (an id from ``mappings/`` or the TOML text), ``sheet`` (a sheet name),
``member`` (a zip member), ``delimiter`` (text tables).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from telnorm.parsers.api import Detection, ParseContext, Parser, Source
from telnorm.parsers.canonical import Document
from telnorm.parsers.eml.context import CANDIDATE_LIST, ContextDocument
from telnorm.parsers.errors import NoCounts
from telnorm.parsers.tabular.builder import (
    DocBuilder,
    apply_candidate_list_election,
    infer_election,
)
from telnorm.parsers.tabular.gcpause import collector_paused
from telnorm.parsers.tabular.grid import Workbook
from telnorm.parsers.tabular.layouts import Labels, new_reader, plan_workbook
from telnorm.parsers.tabular.mapping import Mapping, select_mapping
from telnorm.parsers.tabular.names import ListResolver
from telnorm.parsers.tabular.spreadsheet import (
    read_spreadsheet,
    spreadsheet_kind,
    zip_spreadsheet_kind,
)
from telnorm.parsers.tabular.textread import delimiter_option, read_text_table
from telnorm.parsers.tabular.vocabulary import VOCABULARY, normalise_label
from telnorm.parsers.tabular.zipbundle import ZipBundleParser
from telnorm.parsers.text import binary_kind, guess_encoding

__all__ = ["TabularParser", "ZipBundleParser", "read_workbook"]


def read_workbook(data: bytes, context: ParseContext) -> Workbook:
    kind = zip_spreadsheet_kind(data)  # a zip's kind from its member names
    if kind is not None:
        return read_spreadsheet(data, kind, context.limits)
    return read_text_table(data, context.limits, delimiter=delimiter_option(context.options))


class TabularParser(Parser):
    name = "tabular"
    options = ("delimiter", "mapping", "mapping_file", "sheet")
    version = "1.0.0"
    title = "Any CSV or spreadsheet (xlsx, xlsm, xls, ods) of a count, by layout family or mapping"
    media_types = (
        "text/csv",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "application/vnd.ms-excel",
        "application/vnd.oasis.opendocument.spreadsheet",
    )
    extensions = (".csv", ".txt", ".tsv", ".xlsx", ".xlsm", ".xls", ".ods")

    def detect(self, head: bytes, filename: str | None) -> Detection:
        kind = spreadsheet_kind(head)
        if kind is not None:
            return Detection(0.9, (f"{kind} spreadsheet",), f"spreadsheet-{kind}", None)
        if binary_kind(head) is not None:
            return Detection.no("binary data, not a table")
        encoding, _ = guess_encoding(head[:8192], partial=True)
        try:
            text = head[:16384].decode(encoding, "ignore")
        except LookupError:
            return Detection.no()
        if text.lstrip("\ufeff \r\n\t").startswith("<"):
            return Detection.no("looks like XML or HTML")
        lines = [line for line in text.splitlines()[:40] if line.strip()]
        if not lines:
            return Detection.no("no text lines")
        known = 0
        for line in lines:
            for part in line.replace(",", ";").replace("\t", ";").split(";"):
                if normalise_label(part.strip().strip('"')) in VOCABULARY:
                    known += 1
        separated = sum(1 for line in lines if any(d in line for d in ";,\t|"))
        if separated < max(1, len(lines) // 2):
            return Detection.no("not a delimited table")
        confidence = 0.4 + min(known, 6) * 0.07
        evidence = [f"a delimited text table; {known} label(s) of the vocabulary"]
        return Detection(min(confidence, 0.85), tuple(evidence), "csv", "text/csv")

    def parse(self, source: Source, context: ParseContext) -> Document:
        data = source.read_bytes()
        with collector_paused():
            workbook = read_workbook(data, context)
            return parse_workbook(workbook, source.filename, context)


def _candidate_list(context: ParseContext) -> ContextDocument | None:
    found = context.context.get(CANDIDATE_LIST)
    return found if isinstance(found, ContextDocument) else None


def parse_workbook(workbook: Workbook, filename: str | None, context: ParseContext) -> Document:
    for code, message, location in workbook.notes:
        context.note(code, message, location)
    option: Any = context.options.get("mapping")
    mapping_file = context.options.get("mapping_file")
    if mapping_file:
        # The service stores an uploaded mapping part on disk and passes its path.
        option = Path(str(mapping_file)).read_bytes()
    mapping, why = select_mapping(option, workbook, filename, context.mappings_dir)
    if mapping is not None:
        context.note("mapping", f"Mapping {mapping.id} v{mapping.version} ({why}).", None)
        if mapping.empty_values:
            _apply_empty_values(workbook, mapping.empty_values, context)
    sheet_option = context.options.get("sheet")
    plan = plan_workbook(workbook.sheets, mapping, sheet_option, context.note)
    context.note(
        "layout",
        f"Layout family {plan.family}: " + "; ".join(plan.evidence) + ".",
        None,
    )
    builder = DocBuilder(context, workbook.sheets)
    candidate_list = _candidate_list(context)
    resolver = ListResolver(
        candidate_list, mapping.lists if mapping else None, context.mappings_dir
    )
    if not resolver.has_candidate_list and not (mapping and mapping.lists):
        context.note(
            "no-candidate-list",
            "No candidate list was supplied: list names are kept as written; when no list "
            "carries a number in the file, lists are numbered in order of appearance (not "
            "their ballot number).",
            None,
        )
    reader = new_reader(builder, resolver, Labels(mapping), mapping.columns if mapping else None)
    level = "municipality"
    if plan.family == "osv4-3":
        from telnorm.parsers.osv4_3 import read_osv_sheet

        # a district's or central office's sheet says so in its Nummer line
        level = read_osv_sheet(plan.sheets[0], builder)
    elif plan.family == "a":
        reader.read_a(plan.sheets[0], _required(plan.header_row, plan))
    elif plan.family == "b":
        reader.read_b(plan.sheets[0], _required(plan.label_column, plan))
    elif plan.family == "c":
        reader.read_c(plan.sheets[0], _required(plan.header_row, plan))
    else:
        reader.read_d(plan.sheets, plan.label_column)
    _apply_metadata(builder, reader.meta, mapping)
    if candidate_list is not None:
        apply_candidate_list_election(builder, candidate_list)
    cells = builder.cell_accounting()
    if cells["read"] == 0:
        formulas = ""
        if workbook.kind != "csv":
            formulas = (
                " If the counts are formulas, the file was saved without their results (some "
                "programs do that): open it in Excel or LibreOffice, recalculate and save it "
                "again."
            )
        raise NoCounts(
            f"The table was recognised (layout family {plan.family}), but none of its cells "
            f"holds a number, so there are no votes to read.{formulas}",
            location={"sheet": plan.sheets[0].name} if workbook.kind != "csv" else None,
        )
    # names from the candidate list are filled by the pipeline's enrich stage
    document = builder.finish(level)
    document["source"] = {
        "encoding": (workbook.encoding or "").replace("-sig", "") or None,
        "format": f"{'csv' if workbook.kind == 'csv' else workbook.kind}-family-{plan.family}",
        "media_type": workbook.media_type,
        "mapping": mapping.describe() if mapping else None,
        "cells": cells,
    }
    return document


def _apply_empty_values(
    workbook: Workbook, empty_values: tuple[str, ...], context: ParseContext
) -> None:
    """The mapping's ``[options] empty_values`` (such as ``-`` or ``n.v.t.``): text cells that
    say "nothing here" are read as empty cells (not stated), never as 0; each such cell is
    counted in a note, with the first one's location."""
    wanted = {value.strip().casefold() for value in empty_values}
    found: dict[str, int] = {}
    first: dict[str, dict[str, Any]] = {}
    for sheet in workbook.sheets:
        for r, row in enumerate(sheet.rows):
            for c, value in enumerate(row):
                if isinstance(value, str) and value.strip().casefold() in wanted:
                    row[c] = None
                    key = value.strip()
                    found[key] = found.get(key, 0) + 1
                    first.setdefault(key, sheet.location(r, c))
    for key, count in found.items():
        context.note(
            "empty-value",
            f"{count} cell(s) holding {key!r} were read as empty (not stated), as the "
            "mapping's [options] empty_values says.",
            first[key],
        )


def _required(value: int | None, plan: Any) -> int:
    if value is None:
        from telnorm.parsers.errors import NoHeader

        raise NoHeader(
            f"The layout (family {plan.family}) is known, but its header row or label column "
            "was not found. Set [layout] header_row / label_column in the mapping."
        )
    return value


def _apply_metadata(builder: DocBuilder, meta: dict[str, Any], mapping: Mapping | None) -> None:
    if builder.election.get("name") is None and meta.get("election"):
        infer_election(builder, meta.get("election"), meta.get("date"), meta.get("area"))
    area = meta.get("area")
    if area and builder.authority.get("name") is None:
        builder.authority["name"] = (
            area[9:].strip() if area.lower().startswith("gemeente ") else area
        )
    if meta.get("number") and builder.authority.get("id") is None:
        builder.authority["id"] = meta["number"]
    if mapping is not None:
        for key, value in mapping.election.items():
            if key in builder.election:
                builder.election[key] = value
        for key, value in mapping.authority.items():
            if key in builder.authority:
                builder.authority[key] = value
