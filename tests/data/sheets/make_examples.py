"""Write the hand-made examples in this folder: the cake case of tests/data/mini.yaml, typed
the way an analyst would type it (Title Case headers, only the columns needed, percentages,
Excel dates, yes/no), once as a workbook and once as CSV files.

    python tests/data/sheets/make_examples.py

tests/test_spreadsheet.py checks that both import to exactly the case in mini.yaml.
"""

import csv
import datetime as dt
from pathlib import Path

import openpyxl
from openpyxl.styles import Font

HERE = Path(__file__).resolve().parent

EVIDENCE = [
    ["ID", "Text", "Source", "Date", "Credibility", "Relevance", "DOG", "KID", "OTHER", "If false"],
    ["E1", "Crumbs on the dog bed", "crumbs", None, 2, None, "likely", "30%", "I", None],
    ["E2", "The child says the dog did it", "kid", None, None, None, 0.8, 0.7, "N", "DOG=0.9; KID=0.9; OTHER=0.5"],
    ["E3", "Chocolate on the child's sleeve", "crumbs", dt.date(2024, 3, 1), None, "High", "II", "CC", "C", None],
]
HYPOTHESES = [
    ["ID", "Title", "Prior", "Catch-all"],
    ["DOG", "The dog", 1, "no"],
    ["KID", "The child", 2, None],
    ["OTHER", "Someone else", 1, "yes"],
]
SOURCES = [
    ["ID", "Title", "Reliability"],
    ["kid", "The child's own account", "D"],
    ["crumbs", "Physical traces", "95%"],
]
CASE = [
    ["Field", "Value"],
    ["title", "The missing cake"],
    ["question", "Who ate the cake?"],
    ["comment", "A small case for tests: who ate the cake?"],
]


def workbook() -> None:
    wb = openpyxl.Workbook()
    wb.active.title = "Evidence"
    for title, rows in (("Evidence", EVIDENCE), ("Hypotheses", HYPOTHESES), ("Sources", SOURCES), ("Case", CASE)):
        ws = wb[title] if title in wb.sheetnames else wb.create_sheet(title)
        for row in rows:
            ws.append(row)
        for cell in ws[1]:
            cell.font = Font(bold=True)
    for row in wb["Evidence"].iter_rows(min_row=2, min_col=4, max_col=4):
        row[0].number_format = "dd/mm/yyyy"
    wb.save(HERE / "cake.xlsx")


def csv_files() -> None:
    def write(name, rows):
        with (HERE / name).open("w", newline="", encoding="utf-8") as fh:
            csv.writer(fh).writerows(
                [["" if v is None else v.isoformat() if isinstance(v, dt.date) else v for v in row] for row in rows]
            )

    write("cake.csv", EVIDENCE)
    write("cake.hypotheses.csv", HYPOTHESES)
    write("cake.sources.csv", SOURCES)
    write("cake.case.csv", CASE)


if __name__ == "__main__":
    workbook()
    csv_files()
