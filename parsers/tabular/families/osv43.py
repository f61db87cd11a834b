"""Family osv4-3: the counting software's table (``Lijstnummer;Aanduiding;Volgnummer;Naam
kandidaat;Totaal`` and then the stations), in a CSV or a spreadsheet sheet.

The sheet reader itself is :func:`telnorm.parsers.osv4_3.read_osv_sheet`: it lives beside the
osv4-3 parser's identity rules (preamble, election, authority, station names), which change
with that parser; this module registers it as a family and recognises its header.
"""

from __future__ import annotations

from telnorm.parsers.tabular.families.base import Family, FamilyReader, HeaderEvidence, Plan


class OSVSheetReader(FamilyReader):
    family = "osv4-3"

    def read(self, plan: Plan) -> None:
        # Imported here: the osv4-3 package imports the tabular builder.
        from telnorm.parsers.osv4_3 import read_osv_sheet

        # a district's or central office's sheet says so in its Nummer line
        self.level = read_osv_sheet(plan.sheets[0], self.builder)


def header_signal(evidence: HeaderEvidence) -> str | None:
    """A list column, a candidate-number column and a 'Totaal' before the stations."""
    roles = evidence.roles
    if evidence.lists and "candidate_number" in roles and "total" in roles:
        # The osv4-3 header has its 'Totaal' before the stations; a table whose total column
        # comes after them is family b with candidate rows.
        sheet, r = evidence.sheet, evidence.row
        total = roles.index("total")
        if not any(role is None and sheet.text(r, c) for c, role in enumerate(roles[:total])):
            return f"{sheet.row_where(r)}: osv4-3 header (Lijstnummer ... Totaal)"
    return None


FAMILY = Family("osv4-3", "the osv4-3 table", OSVSheetReader, header_signal=header_signal)
