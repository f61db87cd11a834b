"""The page's two languages: Dutch by default, English on request.

The language is, in order: ``?lang=`` (remembered in a cookie), the cookie, the browser's
``Accept-Language``, else Dutch. Messages of findings and problems come from the rule
catalogue and the parsers, which speak English; the page around them is translated.
"""

from __future__ import annotations

from starlette.requests import Request

LANGUAGES = ("nl", "en")
DEFAULT = "nl"
COOKIE = "telnorm_lang"


def from_accept_language(header: str | None) -> str | None:
    """The first of our languages the browser ranks highest (RFC 9110 ``q`` values)."""
    if not header:
        return None
    ranked: list[tuple[float, int, str]] = []
    for position, item in enumerate(header.split(",")):
        tag, *params = (part.strip() for part in item.split(";"))
        quality = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        primary = tag.split("-", 1)[0].lower()
        if primary in LANGUAGES and quality > 0:
            ranked.append((-quality, position, primary))
    return min(ranked)[2] if ranked else None


def choose(request: Request, asked: str | None = None) -> str:
    if asked in LANGUAGES:
        return asked
    cookie = request.cookies.get(COOKIE)
    if cookie in LANGUAGES:
        return cookie
    return from_accept_language(request.headers.get("accept-language")) or DEFAULT


_NL: dict[str, str] = {
    "app_title": "telnorm – uitslagbestanden controleren",
    "tagline": "Lees een uitslagbestand van een gemeente, zie de telling en wat er niet klopt, "
    "en download het in de standaardformaten.",
    "switch": "English",
    "upload_heading": "Bestand controleren",
    "file_label": "Uitslagbestand",
    "file_hint": "EML 510, osv4-3 CSV, een andere CSV, een spreadsheet (xlsx, xls, ods) of een "
    "zip-bestand.",
    "candidate_list_label": "Kandidatenlijst (optioneel)",
    "candidate_list_hint": "EML 230b: namen van lijsten en kandidaten.",
    "election_definition_label": "Verkiezingsdefinitie (optioneel)",
    "election_definition_hint": "EML 110a, of de MasterElectionTree.xml van de "
    "verkiezingssoftware: namen van de verkiezing en de gebieden, en in welke kieskring elke "
    "gemeente ligt (voor de databank-CSV).",
    "reference_label": "Referentietelling (optioneel)",
    "reference_hint": "De telling van het hoofdstembureau (EML 510c), het centraal stembureau "
    "(510d), de databank-CSV van de verkiezing (…_uitslag.csv) of gemeentelijke totalen (JSON), "
    "om mee te vergelijken.",
    "submit": "Controleren",
    "uploading": "Bezig met uploaden…",
    "processing": "Bestand wordt gelezen en gecontroleerd…",
    "upload_failed": "Het versturen is mislukt. Probeer het opnieuw.",
    "no_js_note": "Werkt ook zonder JavaScript.",
    "result_heading": "Resultaat",
    "another": "Ander bestand controleren",
    "file": "Bestand",
    "format": "Herkend formaat",
    "confidence": "zekerheid",
    "evidence": "Waarom",
    "election": "Verkiezing",
    "municipality": "Gemeente",
    "level": "Niveau",
    "level_polling_station": "stembureau",
    "level_municipality": "gemeente (gemeentelijk stembureau)",
    "level_district": "kieskring (hoofdstembureau)",
    "level_central": "centraal stembureau",
    "date": "Datum",
    "verdict_valid": "Geen fouten gevonden.",
    "verdict_invalid": "Er zijn fouten gevonden.",
    "errors": "Fouten",
    "warnings": "Waarschuwingen",
    "info": "Ter informatie",
    "reconciliation": "Vergeleken met de referentie",
    "reconciliation_unit": "eenheid in de referentie",
    "lists_differing": "lijsten met verschil",
    "difference": "verschil",
    "count_heading": "De telling",
    "count_caption": "Stemmen per stembureau en lijst",
    "unit": "Stembureau",
    "total": "Totaal",
    "total_counted": "Geldige stemmen",
    "blanco": "Blanco",
    "ongeldig": "Ongeldig",
    "admitted": "Toegelaten kiezers",
    "findings_heading": "Bevindingen",
    "no_findings": "Geen bevindingen.",
    "code": "Code",
    "where": "Waar",
    "in_file": "In het bestand",
    "message": "Bevinding",
    "list": "lijst",
    "candidate": "kandidaat",
    "cell": "cel",
    "sheet": "blad",
    "line": "regel",
    "column": "kolom",
    "nearest": "dichtstbijzijnde plek",
    "show_in_table": "toon in tabel",
    "expected": "verwacht",
    "actual": "gevonden",
    "notes_heading": "Opmerkingen bij het lezen",
    "downloads_heading": "Downloaden",
    "downloads_hint": "Het bestand wordt opnieuw gelezen en omgezet; er wordt niets bewaard.",
    "download_json": "Canonieke JSON",
    "download_eml": "EML 510",
    "download_osv": "osv4-3 CSV",
    "download_databank": "Databank-CSV",
    "too_large_to_carry": "Dit bestand is te groot om via de pagina opnieuw te versturen. "
    "Download met curl:",
    "problem_heading": "Het bestand kan niet worden verwerkt",
    "problem_type": "Soort probleem",
    "problem_where": "Waar",
    "problem_what_to_do": "Wat nu",
    "problem_todo": "Controleer of dit het juiste bestand is en of het volledig is. Lees de "
    "melding hierboven: die zegt wat er mis is. Lukt het niet, stuur het bestand dan naar "
    "de beheerder van deze dienst.",
    "bug_heading": "Er ging iets mis in telnorm",
    "bug_text": "Dit ligt niet aan uw bestand. Meld het aan de beheerder, met dit kenmerk:",
    "export_heading": "Voor dit formaat ontbreken gegevens",
    "export_hint": "Vul de ontbrekende gegevens in en download opnieuw.",
    "export_submit": "Downloaden",
    "mapping_heading": "Deze spreadsheet kan niet zonder hulp gelezen worden",
    "mapping_intro": "telnorm heeft een concept-mapping gemaakt. Vul de lege plekken in en "
    "probeer het opnieuw.",
    "mapping_blank_list": "Kolom",
    "mapping_what": "Wat staat in deze kolom?",
    "mapping_list_number": "Lijstnummer",
    "role_": "– nog niet gekozen –",
    "role_list": "een lijst (partij)",
    "role_unit_name": "naam van het stembureau",
    "role_unit_number": "nummer van het stembureau",
    "role_ignore": "niet gebruiken",
    "mapping_blank_list_hint": "Bij een lijst: het nummer van de lijst op het stembiljet.",
    "mapping_authority": "CBS-code van de gemeente",
    "mapping_authority_hint": "Vier cijfers, bijvoorbeeld 0668.",
    "mapping_retry": "Opnieuw proberen",
    "mapping_family": "Opzet van de tabel (a: stembureaus als rijen, b: als kolommen, c: lang, "
    "d: blad per stembureau)",
    "mapping_header_row": "Rij met de kolomkoppen",
    "mapping_label_column": "Kolom met de rijlabels (b, d; anders leeg laten)",
    "mapping_draft": "De concept-mapping",
    "mapping_download": "Mapping downloaden",
    "mapping_used": "Gelezen met de ingevulde mapping.",
    "mapping_report_recognised": "Herkend",
    "mapping_still": "Dat lukte nog niet:",
    "lang_name": "Nederlands",
    "nav_check": "Bestand controleren",
    "nav_reconcile": "Afstemmen",
    "reconcile_heading": "Afstemmen: alle gemeenten tegen de referentie",
    "reconcile_intro": "Vergelijk de tellingen van de gemeenten (veel bestanden of één zip) met "
    "de tellingen van de hoofdstembureaus of het centraal stembureau: per gemeente gelijk of "
    "niet, het verschil per lijst, en wat dat voor de zetels betekent.",
    "reconcile_files": "Tellingen van de gemeenten",
    "reconcile_files_hint": "Kies meerdere bestanden (EML 510b, osv4-3 CSV, spreadsheets) of "
    "één zip-bestand.",
    "reconcile_references": "Referentietellingen",
    "reconcile_references_hint": "EML 510c (hoofdstembureau), 510d (centraal stembureau) of "
    "gemeentelijke totalen (JSON); één of meer.",
    "reconcile_more": "Voor de zetelgevolgen (optioneel)",
    "reconcile_definition": "Verkiezingsdefinitie (EML 110a)",
    "reconcile_seats": "Aantal zetels",
    "reconcile_submit": "Afstemmen",
}

_EN: dict[str, str] = {
    "app_title": "telnorm – check election result files",
    "tagline": "Read a municipality's election result file, see the count and what is wrong "
    "with it, and download it in the standard formats.",
    "switch": "Nederlands",
    "upload_heading": "Check a file",
    "file_label": "Result file",
    "file_hint": "EML 510, osv4-3 CSV, another CSV, a spreadsheet (xlsx, xls, ods) or a zip file.",
    "candidate_list_label": "Candidate list (optional)",
    "candidate_list_hint": "EML 230b: names of lists and candidates.",
    "election_definition_label": "Election definition (optional)",
    "election_definition_hint": "EML 110a, or the counting software's MasterElectionTree.xml: "
    "names of the election and its regions, and the kieskring each municipality lies in (for "
    "the databank CSV).",
    "reference_label": "Reference count (optional)",
    "reference_hint": "The district's count (EML 510c), the central count (510d), the "
    "election's databank CSV (…_uitslag.csv) or municipal totals (JSON), to compare with.",
    "submit": "Check",
    "uploading": "Uploading…",
    "processing": "Reading and checking the file…",
    "upload_failed": "Sending failed. Please try again.",
    "no_js_note": "Works without JavaScript too.",
    "result_heading": "Result",
    "another": "Check another file",
    "file": "File",
    "format": "Detected format",
    "confidence": "confidence",
    "evidence": "Why",
    "election": "Election",
    "municipality": "Municipality",
    "level": "Level",
    "level_polling_station": "polling station",
    "level_municipality": "municipality",
    "level_district": "electoral district (hoofdstembureau)",
    "level_central": "central electoral committee",
    "date": "Date",
    "verdict_valid": "No errors found.",
    "verdict_invalid": "Errors were found.",
    "errors": "Errors",
    "warnings": "Warnings",
    "info": "For information",
    "reconciliation": "Compared with the reference",
    "reconciliation_unit": "unit in the reference",
    "lists_differing": "lists that differ",
    "difference": "difference",
    "count_heading": "The count",
    "count_caption": "Votes per polling station and list (numbers in Dutch notation: 1.234 "
    "is one thousand two hundred and thirty-four)",
    "unit": "Polling station",
    "total": "Total",
    "total_counted": "Valid votes",
    "blanco": "Blank",
    "ongeldig": "Invalid",
    "admitted": "Admitted voters",
    "findings_heading": "Findings",
    "no_findings": "No findings.",
    "code": "Code",
    "where": "Where",
    "in_file": "In the file",
    "message": "Finding",
    "list": "list",
    "candidate": "candidate",
    "cell": "cell",
    "sheet": "sheet",
    "line": "line",
    "column": "column",
    "nearest": "nearest place",
    "show_in_table": "show in table",
    "expected": "expected",
    "actual": "found",
    "notes_heading": "Notes from reading the file",
    "downloads_heading": "Download",
    "downloads_hint": "The file is read and converted again; nothing is stored.",
    "download_json": "Canonical JSON",
    "download_eml": "EML 510",
    "download_osv": "osv4-3 CSV",
    "download_databank": "Databank CSV",
    "too_large_to_carry": "This file is too large to send again through the page. "
    "Download with curl:",
    "problem_heading": "The file cannot be processed",
    "problem_type": "Problem type",
    "problem_where": "Where",
    "problem_what_to_do": "What to do",
    "problem_todo": "Check that this is the right file and that it is complete. Read the "
    "message above: it says what is wrong. If that does not help, send the file to the "
    "operator of this service.",
    "bug_heading": "Something went wrong in telnorm",
    "bug_text": "This is not your file's fault. Report it to the operator, with this reference:",
    "export_heading": "This format needs values the file lacks",
    "export_hint": "Fill in the missing values and download again.",
    "export_submit": "Download",
    "mapping_heading": "This spreadsheet cannot be read without help",
    "mapping_intro": "telnorm drafted a mapping. Fill in the blanks and try again.",
    "mapping_blank_list": "Column",
    "mapping_what": "What is in this column?",
    "mapping_list_number": "List number",
    "role_": "– not chosen yet –",
    "role_list": "a list (party)",
    "role_unit_name": "the polling station's name",
    "role_unit_number": "the polling station's number",
    "role_ignore": "do not use",
    "mapping_blank_list_hint": "The list's number on the ballot; leave empty if it is not a list.",
    "mapping_authority": "CBS code of the municipality",
    "mapping_authority_hint": "Four digits, for example 0668.",
    "mapping_retry": "Try again",
    "mapping_family": "Layout of the table (a: stations as rows, b: as columns, c: long, "
    "d: sheet per station)",
    "mapping_header_row": "Row of the column headers",
    "mapping_label_column": "Column of the row labels (b, d; else leave empty)",
    "mapping_draft": "The draft mapping",
    "mapping_download": "Download the mapping",
    "mapping_used": "Read with the completed mapping.",
    "mapping_report_recognised": "Recognised",
    "mapping_still": "That did not work yet:",
    "lang_name": "English",
    "nav_check": "Check a file",
    "nav_reconcile": "Reconcile",
    "reconcile_heading": "Reconcile: every municipality against the reference",
    "reconcile_intro": "Compare the municipalities' counts (many files or one zip) with the "
    "counts of the district or central electoral committees: equal or not per municipality, "
    "the difference per list, and what it means for the seats.",
    "reconcile_files": "The municipalities' counts",
    "reconcile_files_hint": "Choose several files (EML 510b, osv4-3 CSV, spreadsheets) or one "
    "zip file.",
    "reconcile_references": "Reference counts",
    "reconcile_references_hint": "EML 510c (district), 510d (central) or municipal totals "
    "(JSON); one or more.",
    "reconcile_more": "For the seat impact (optional)",
    "reconcile_definition": "Election definition (EML 110a)",
    "reconcile_seats": "Number of seats",
    "reconcile_submit": "Reconcile",
}

STRINGS: dict[str, dict[str, str]] = {"nl": _NL, "en": _EN}
