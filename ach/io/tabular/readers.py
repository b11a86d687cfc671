"""Reading a workbook or CSV files into a case dict: find the tables, then read their cells."""

from __future__ import annotations

from pathlib import Path

from ...errors import CaseError, Diagnostic
from .cells import Reader
from .layout import (
    SUFFIXES,
    companion,
)
from .lenient import matrix_score
from .read import csv_table, workbook_tables

__all__ = ["read_csv", "read_xlsx"]


def read_xlsx(path: str | Path, warnings: list[Diagnostic] | None = None) -> tuple[dict, str]:
    """(case dict, header comment) from an Excel workbook in the ach layout.

    Raises :class:`CaseError` naming the sheet, row and column of every
    problem, the loader's own checks included. Pass a list as ``warnings`` to
    receive the warnings.
    """
    name = str(path)
    tables, notes = workbook_tables(Path(path), name, matrix_score)
    return Reader(name, tables, notes, csv=False).read(warnings)


def read_csv(path: str | Path, warnings: list[Diagnostic] | None = None) -> tuple[dict, str]:
    """(case dict, header comment) from ``x.csv`` and the companions beside it.

    Without ``x.hypotheses.csv`` the hypotheses are the rating columns'
    headers (titles = ids, with a warning); without ``x.case.csv`` there is no
    question, which is an error.
    """
    path = Path(path)
    name = str(path)
    for suffix, sheet in SUFFIXES.items():
        if path.name.lower().endswith(f".{suffix}.csv"):
            main = path.name[: -len(f".{suffix}.csv")] + ".csv"
            raise CaseError(
                [
                    Diagnostic(
                        "error",
                        f"this is the {sheet} companion of a CSV case, not its evidence matrix",
                        name,
                        hint=f"import the evidence file {main}; ach reads its companions itself",
                    )
                ]
            )
    notes: list[Diagnostic] = []
    tables = {"Evidence": csv_table(path, "Evidence", notes, required=True)}
    for sheet in SUFFIXES.values():
        tables[sheet] = csv_table(companion(path, sheet), sheet, notes, required=False)
    return Reader(name, tables, notes, csv=True).read(warnings)
