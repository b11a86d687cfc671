"""Spreadsheets: an ACH matrix in Excel (``.xlsx``) or CSV, to and from a case.

Exporting starts from what the analyst wrote (:func:`ach.casefile.to_data`),
so every rating, Admiralty code, confidence and number goes out exactly as
written. Importing reads the cells back into a plain dict shaped like a case
file, runs the loader's checks on it and reports every problem at the cell it
comes from (``Evidence!F4 (KH)``). The round trip case file -> workbook ->
case file keeps everything the case holds; YAML comments become the Case
sheet's ``comment`` (the file's opening comment block) or are lost (comments
inside the file).
"""

from .layout import companion
from .readers import read_csv, read_xlsx
from .write import export_csv, export_xlsx

__all__ = ["companion", "export_csv", "export_xlsx", "read_csv", "read_xlsx"]
