"""Generic tables: any CSV or spreadsheet of a municipal count, and zip bundles of counts.

:class:`TabularParser` (``tabular``) reads text tables and spreadsheets of the layout families
of :mod:`telnorm.parsers.tabular.families`, with an optional declarative mapping
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
from telnorm.parsers.errors import (
    MisplacedHeader,
    NoCounts,
    NoHeader,
    UnknownListName,
)
from telnorm.parsers.tabular.builder import (
    DocBuilder,
    apply_candidate_list_election,
    infer_election,
)
from telnorm.parsers.tabular.detect import Labels, Plan, plan_workbook
from telnorm.parsers.tabular.families import family
from telnorm.parsers.tabular.gcpause import collector_paused
from telnorm.parsers.tabular.grid import Sheet, Workbook
from telnorm.parsers.tabular.listsheet import list_numbers_from_sheets
from telnorm.parsers.tabular.mapping import Mapping, select_mapping
from telnorm.parsers.tabular.names import ListResolver
from telnorm.parsers.tabular.numbers import looks_numeric
from telnorm.parsers.tabular.spreadsheet import (
    read_spreadsheet,
    spreadsheet_kind,
    zip_spreadsheet_kind,
)
from telnorm.parsers.tabular.textread import delimiter_option, read_text_table
from telnorm.parsers.tabular.unread import refuse_unread
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
        if _rows_of_numbers(lines) >= 2:
            # A table whose labels the vocabulary does not know (a pivot export: lists and
            # stations by name, 'Eindtotaal'): rows of a label and several numbers.
            confidence += 0.12
            evidence.append("rows of a label and several numbers")
        return Detection(min(confidence, 0.85), tuple(evidence), "csv", "text/csv")

    def parse(self, source: Source, context: ParseContext) -> Document:
        with collector_paused():
            workbook = read_workbook(source.read_bytes(), context)  # the bytes go once read
            return parse_workbook(workbook, source.filename, context, release_cells=True)


def _rows_of_numbers(lines: list[str]) -> int:
    """Lines that hold a text label and two or more numbers (any of the usual delimiters)."""
    found = 0
    for line in lines:
        parts = [p.strip().strip('"') for p in line.replace(",", ";").replace("\t", ";").split(";")]
        numbers = sum(1 for p in parts if p.replace(".", "").isdigit())
        if numbers >= 2 and any(p and not p.replace(".", "").isdigit() for p in parts):
            found += 1
    return found


def _candidate_list(context: ParseContext) -> ContextDocument | None:
    found = context.context.get(CANDIDATE_LIST)
    return found if isinstance(found, ContextDocument) else None


def parse_workbook(
    workbook: Workbook,
    filename: str | None,
    context: ParseContext,
    *,
    release_cells: bool = False,
) -> Document:
    """The document of a workbook. With ``release_cells`` (the caller has no further use for
    the workbook's cells), each sheet's rows are emptied once every cell is accounted for,
    before the document is built: a 40 MB CSV's grid is a few hundred MB."""
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
    if mapping is not None:
        _apply_ignored(plan.sheets, mapping, context)
    # The PDF reader looks values up by pointer through plain lists (parsers/pdf/table.py).
    builder = DocBuilder(context, workbook.sheets, packed=workbook.kind != "pdf")
    candidate_list = _candidate_list(context)
    resolver = ListResolver(
        candidate_list, mapping.lists if mapping else None, context.mappings_dir
    )
    _list_number_sources(workbook, plan, mapping, resolver, context)
    if not resolver.has_candidate_list and not (mapping and mapping.lists):
        context.note(
            "no-candidate-list",
            "No candidate list was supplied: list names are kept as written; when no list "
            "carries a number in the file, lists are numbered in order of appearance (not "
            "their ballot number).",
            None,
        )
    reader_class = family(plan.family).reader
    reader = reader_class(builder, resolver, Labels(mapping), mapping.columns if mapping else None)
    reader.configure(mapping)
    reader.read(plan)
    _apply_metadata(builder, reader.meta, mapping)
    if candidate_list is not None:
        apply_candidate_list_election(builder, candidate_list)
    for sheet in workbook.sheets:
        if not any(sheet is read for read in plan.sheets):
            builder.tolerate(sheet)  # a sheet not read (hidden, a summary, not chosen)
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
    refuse_unread(builder, _header_rows(workbook, plan))
    _check_statistics(builder, mapping, context)
    if release_cells:
        for sheet in workbook.sheets:
            sheet.release_cells()
    # names from the candidate list are filled by the pipeline's enrich stage
    document = builder.finish(reader.level)
    document["source"] = {
        "encoding": (workbook.encoding or "").replace("-sig", "") or None,
        "format": f"{'csv' if workbook.kind == 'csv' else workbook.kind}-family-{plan.family}",
        "media_type": workbook.media_type,
        "mapping": mapping.describe() if mapping else None,
        "cells": cells,
    }
    return document


def _list_number_sources(
    workbook: Workbook,
    plan: Plan,
    mapping: Mapping | None,
    resolver: ListResolver,
    context: ParseContext,
) -> None:
    """Where list numbers come from, besides the count sheet: another sheet of the workbook
    (named by the mapping, or the one list-number sheet there is), or, when the mapping says
    so, only the candidate list."""
    if (
        mapping is not None
        and mapping.list_numbers == "candidate-list"
        and not (resolver.has_candidate_list)
    ):
        raise UnknownListName(
            f"The mapping {mapping.id} says list numbers come from the candidate list "
            '([layout] list_numbers = "candidate-list"), but none was sent. Send the '
            "candidate list (EML 230b) of this election with the file."
        )
    found = list_numbers_from_sheets(
        workbook.sheets,
        plan.sheets,
        Labels(mapping),
        mapping.list_number_sheet if mapping else None,
    )
    if found is not None:
        numbers, name = found
        resolver.use_sheet(numbers, name)
        context.note(
            "list-numbers-from-sheet",
            f"List numbers of {len(numbers)} list name(s) are taken from sheet {name!r} of "
            "the workbook.",
            {"sheet": name},
        )


def _apply_ignored(sheets: list[Sheet], mapping: Mapping, context: ParseContext) -> None:
    """The mapping's ``ignore_rows``/``ignore_columns`` (and, with ``totals = "ignore"``, its
    total rows and columns) are left out of the reading; every number in them is named in an
    ``ignored-cells`` note, so none disappears unseen."""
    rows = set(mapping.ignore_rows)
    columns = set(mapping.ignore_columns)
    if mapping.totals == "ignore":
        rows |= set(mapping.total_rows)
        columns |= set(mapping.total_columns)
    if not rows and not columns:
        return
    for sheet in sheets:
        numbers: list[str] = []
        for r, row in enumerate(sheet.rows):
            whole_row = sheet.row_numbers[r] in rows
            for c, value in enumerate(row):
                if value is None or not (whole_row or c in columns):
                    continue
                if looks_numeric(value):
                    numbers.append(f"{sheet.where(r, c)}={sheet.text(r, c)}")
                row[c] = None
        if numbers:
            context.note(
                "ignored-cells",
                f"{len(numbers)} number(s) in the rows and columns the mapping ignores are not "
                f"read: {', '.join(numbers[:20])}{' ...' if len(numbers) > 20 else ''}.",
                {"sheet": sheet.name} if sheet.name else None,
            )


def _check_statistics(builder: DocBuilder, mapping: Mapping | None, context: ParseContext) -> None:
    """The mapping's ``[layout] statistics`` must agree with what was read: ``true`` and no
    statistic read, or ``false`` and one read, means the label column or header row is not
    where the mapping puts it (422). Without statistics the document says so in a note."""
    groups = [values for _info, values in builder.units]
    if builder.total is not None:
        groups.append(builder.total)
    read = next((key for values in groups for key in values.numbers), None)
    said = mapping.statistics if mapping is not None else None
    if said is True and read is None:
        raise NoHeader(
            f"The mapping {mapping.id if mapping else ''} says the file has statistics "
            "([layout] statistics = true), but none was read: check [layout] label_column / "
            "header_row and [labels], and send the file again."
        )
    if said is False and read is not None:
        raise MisplacedHeader(
            f"The mapping {mapping.id if mapping else ''} says the file has no statistics "
            f"([layout] statistics = false), but {read!r} was read as one: check the mapping "
            "([layout] statistics, [labels]) and send the file again.",
            field=read,
        )
    if read is None:
        context.note(
            "no-statistics",
            "The file states no statistics (no eligible voters, blank or invalid votes, "
            "admitted voters): the document holds the votes only.",
            None,
        )


def _header_rows(workbook: Workbook, plan: Plan) -> dict[int, int]:
    """Sheet index -> header row, for naming columns without a header."""
    if plan.header_row is None:
        return {}
    return {
        index: plan.header_row
        for index, sheet in enumerate(workbook.sheets)
        if sheet is plan.sheets[0]
    }


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
