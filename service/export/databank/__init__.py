"""Write a canonical document as the CSV that verkiezingsuitslagen.nl imports.

The format as the Electoral Council publishes it ("zoals geïmporteerd", the ``*_uitslag.csv``
of its open data, whose README describes each column): sixteen columns (``COLUMNS``), one
value per row, ``;``, UTF-8 without a BOM, LF line ends, no quoting. The rules (see also
``docs/export.md``, which says which of them were checked against what):

* **Regions** carry a level letter and a code: ``G`` + CBS code for a municipality
  (``G0150``; ``G9010`` is the postal vote from abroad, under K12), ``O`` + code for the
  public bodies 9001-9003, ``K`` + number for a district (``HSB4`` -> ``K4``), ``P`` + CBS
  province code (``P23``), ``L528`` for the Netherlands. The document's authority is one
  region (its ``total_votes``); reporting units become regions only when they are a databank
  level (municipalities of a 510c, districts of a 510d). Polling stations are not: a 510b
  gives its municipality's rows only.
* **Parents and grandparents**: a municipality's parent is its district, the grandparent the
  district's province; a district's parent is its province, the grandparent the country; a
  province's parent the country. Districts and provinces come from the count (contest id,
  unit ids) and :data:`PROVINCE_OF_DISTRICT` (the kieskringen of the Kieswet, art. E 1).
  The Caribbean district (K20) is in no province: the real files place it under a
  thirteenth ``P`` region, ``P99`` "Niet-provinciaal ingedeeld" (the code and name the
  Council's own results portal gives that region; see docs/export.md for the evidence).
  A region whose place the count does not give keeps empty cells and a note (never a
  guessed code). The ``region_code``, ``parent_region_code`` and
  ``grandparent_region_code`` options always win for the authority's region, and its units
  inherit them (a unit's grandparent is the authority's parent).
* **Order**: regions by RegioCode (level letter G < K < L < O < P, then the number), the one
  simple order that puts the country's rows where the real TK2025 file has them (after the
  municipalities and districts). Within a region the statistics, then per list its
  ``LijstAantalStemmen`` row followed by its ``KandidaatAantalStemmen`` rows.
* **Rows per region**: ``Kiesgerechtigden`` (cast), ``Opkomst`` (the ballots: H, or
  E + F + G, as the real files' municipal rows add up), ``AantalGeldigeStemmen`` (E),
  ``AantalBlancoStemmen`` (F), ``AantalOngeldigeStemmen`` (G), then per list
  ``LijstAantalStemmen``; at district level and above each list is followed by its
  ``KandidaatAantalStemmen`` rows (municipal rows hold list totals only, as the real files
  do). A number the document does not state has no row, never a 0, and a **note** names
  each such missing row (region and VeldType), as it names empty region codes and candidate
  columns the count cannot fill.
* **Names**: ``LijstNaam`` the registered name; candidate columns from the candidate list
  (230b; gender ``m``/``v``), else split from the document's ``Achternaam, I.N.``.
  ``Partij`` is always empty (the import needs the column, never a value).

The parts: :mod:`.regions` (codes, names, parents, order), :mod:`.rows` (a document's rows),
:mod:`.provinces` (a central count's province sums), :mod:`.candidates` (the candidate
columns), :mod:`.notes` (what a count lacks) and :mod:`.writer` (the bytes).
"""

from telnorm.service.export.databank.candidates import split_name
from telnorm.service.export.databank.notes import Notes
from telnorm.service.export.databank.regions import (
    PROVINCE_OF_DISTRICT,
    lineage,
    region_code,
    region_order,
)
from telnorm.service.export.databank.rows import FIELD_TYPES, build, iter_rows
from telnorm.service.export.databank.writer import (
    COLUMNS,
    FORMULA_STARTS,
    MEDIA_TYPE,
    filename_for,
    neutralised,
    to_databank,
    write,
)

__all__ = [
    "COLUMNS",
    "FIELD_TYPES",
    "FORMULA_STARTS",
    "MEDIA_TYPE",
    "PROVINCE_OF_DISTRICT",
    "Notes",
    "build",
    "filename_for",
    "iter_rows",
    "lineage",
    "neutralised",
    "region_code",
    "region_order",
    "split_name",
    "to_databank",
    "write",
]
