"""Imports of other tools' records into the ledger (issue 8 item 3): test runners' JUnit XML
(``ledger.imports.junit``) and the Test Traceability Matrix as CSV (``ledger.imports.ttm_csv``).

Both turn what they read into ordinary commands run through the one write path
(``ledger.commands.execute``), one unit at a time (``ledger.imports.units``): a unit is written
whole or not at all, a refused unit is reported with where it came from, the field and the reason,
and the others are written. A dry run runs every unit through the same path and rolls it back.
"""
