"""The Electoral Council's control protocol (controleprotocol) for one municipal count.

``telnorm protocol`` and ``POST /protocol`` answer with the protocol's three parts: A (stations
with unexplained differences), B (outliers) and C (every station's list shares and their
deviation from the rest of the municipality). The station checks themselves live in
:mod:`.checks`, shared with the validation rules W.201-W.204 and P.101-P.105, so a station is
flagged by the report exactly when the matching rule fires.

Modules: :mod:`.checks` (the station checks), :mod:`.neighbourhoods` (the postcode table),
:mod:`.report` (parts A, B, C), :mod:`.summary` (the Dutch sentences), :mod:`.render` (CSV
and HTML), :mod:`.schema`, :mod:`.job` (one request), :mod:`.cli` (``telnorm protocol``).
"""
