"""Seat apportionment and election of candidates by the Kieswet (chapter P). See
docs/apportionment.md."""
