"""Reading a workbook or CSV file into tables of cells, safely.

Size limits refuse zip bombs and runaway files before they are read; formulas
give the value Excel saved with them; every cell keeps its row and column so
that a problem can be reported at ``Evidence!F4``.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from ...errors import CaseError, Diagnostic, suggest
from ...files import read_input
from .layout import (
    HELP_SHEET,
    LAYOUT_HINT,
    MAX_BYTES,
    MAX_CELLS,
    MAX_ROWS,
    MAX_UNZIPPED,
    SHEETS,
    restore_formula,
    xl_unescape,
)

__all__ = ["Bad", "Place", "Table", "csv_table", "failure", "filled", "header_field", "why", "workbook_tables"]


class Bad:
    """A cell that has no usable value (a formula never calculated, an error such as #N/A)."""

    def __init__(self, message: str, hint: str):
        self.message, self.hint = message, hint


@dataclass
class Table:
    """One sheet (or CSV file) as read: its non-empty rows, each (row number, cells)."""

    name: str  # Evidence, Hypotheses, ...
    file: str  # for diagnostics
    sheet: str | None  # the sheet's own title; None for a CSV file
    rows: list[tuple[int, list]]
    formulas: frozenset = field(default_factory=frozenset)  # (row, column) of the cells that were formulas
    zeros: frozenset = field(default_factory=frozenset)  # (row, column) of the zeros formatted as 0%

    def place(self, row: int | None = None, col: int | None = None, header: str = "", what: str = "") -> Place:
        return Place(self.file, self.sheet, row, col, header, what)


@dataclass(frozen=True)
class Place:
    file: str
    sheet: str | None
    row: int | None = None
    col: int | None = None
    header: str = ""
    what: str = ""

    @property
    def field(self) -> str:
        from openpyxl.utils import get_column_letter

        if self.row is None:
            base = f"{self.sheet} sheet" if self.sheet else ""
            return f"{base} ({self.what})" if self.what and base else self.what or base
        if self.col is None:
            base = f"{self.sheet} row {self.row}" if self.sheet else f"row {self.row}"
            return f"{base} ({self.what})" if self.what else base
        letter = get_column_letter(self.col)
        base = f"{self.sheet}!{letter}{self.row}" if self.sheet else f"row {self.row}, column {letter}"
        return f"{base} ({self.header})" if self.header else base


def failure(name: str, message: str, hint: str = "", field: str = "") -> CaseError:
    """A problem with the workbook or CSV file as a whole (or one of its sheets, named in ``field``)."""
    return CaseError([Diagnostic("error", message, name, None, field, hint, code="sheet" if field else "workbook")])


def _not_a_workbook(raw: bytes, name: str) -> CaseError | None:
    """A clear word for the files people save as .xlsx that are not."""
    if raw.startswith(b"\xd0\xcf\x11\xe0"):
        return failure(
            name,
            "this is an old-style .xls workbook, or an encrypted one",
            "open it in Excel and save it as an Excel Workbook (.xlsx), without a password",
        )
    if not raw.startswith(b"PK"):
        head = raw[:2048]
        looks_text = head and not any(b < 9 or 13 < b < 32 for b in head)
        hint = "it looks like text: if it is CSV, name it .csv" if looks_text else "save the workbook as .xlsx in Excel"
        return failure(name, "not an Excel workbook (an .xlsx file is a zip archive; this is not one)", hint)
    return None


def workbook_tables(
    path: Path, name: str, score: Callable[[list], int] | None = None
) -> tuple[dict[str, Table | None], list[Diagnostic]]:
    """The sheets ach reads, by name; with no sheet called Evidence, the one ``score`` rates the
    most like an evidence matrix (see :func:`~.lenient.matrix_score`)."""
    raw = read_input(path, "an Excel workbook", limit=MAX_BYTES)
    bad = _not_a_workbook(raw, name)
    if bad:
        raise bad
    try:
        with zipfile.ZipFile(io.BytesIO(raw)) as archive:
            members = archive.infolist()
            names = {m.filename for m in members}
            unzipped = sum(m.file_size for m in members)
            mimetype = archive.read("mimetype")[:100] if "mimetype" in names else b""
    except CaseError:
        raise
    except Exception as exc:  # noqa: BLE001 - a damaged archive fails in many ways
        raise failure(
            name,
            f"the workbook is damaged or truncated ({why(exc)})",
            "open it in Excel and save it again, or export it afresh",
        ) from None
    if b"opendocument" in mimetype:
        raise failure(
            name,
            "this is an OpenDocument spreadsheet (.ods), not an Excel workbook",
            "save it as Excel 2007-365 (.xlsx)",
        )
    if "xl/workbook.xml" not in names and not any(n.lower().endswith("workbook.xml") for n in names):
        raise failure(
            name,
            "a zip archive, but not an Excel workbook (no xl/workbook.xml inside)",
            "save the spreadsheet as .xlsx in Excel",
        )
    if unzipped > MAX_UNZIPPED:
        raise failure(
            name,
            f"the workbook unpacks to {unzipped / 2**20:.0f} MB; ach reads up to {MAX_UNZIPPED // 2**20} MB",
            "check that this is the right file; split a larger case",
        )

    import warnings as pywarnings

    from openpyxl import load_workbook

    notes: list[Diagnostic] = []
    try:
        with pywarnings.catch_warnings():
            pywarnings.simplefilter("ignore")  # openpyxl warns about features it drops (extensions, styles)
            wb = load_workbook(io.BytesIO(raw), read_only=True, data_only=False, keep_links=False)
            try:
                titles = [ws.title for ws in wb.worksheets]
                chosen = _choose_sheets(titles, name)
                grids, formulas, zeros = {}, {}, {}
                budget = [MAX_CELLS]
                looking = "Evidence" not in chosen and score is not None
                for ws in wb.worksheets:
                    if ws.title in chosen.values() or (looking and ws.title.strip().lower() != HELP_SHEET.lower()):
                        grids[ws.title], formulas[ws.title], zeros[ws.title] = _grid(ws, name, budget)
            finally:
                wb.close()
            if "Evidence" not in chosen:
                _find_matrix(chosen, titles, grids, score, name, notes)
            _not_read(chosen, titles, name, notes)
            if any(formulas.get(t) for t in chosen.values()):
                wb = load_workbook(io.BytesIO(raw), read_only=True, data_only=True, keep_links=False)
                try:
                    budget = [MAX_CELLS]
                    for ws in wb.worksheets:
                        if ws.title in chosen.values() and formulas.get(ws.title):
                            cached, _, _ = _grid(ws, name, budget)
                            _fill_formulas(grids[ws.title], formulas[ws.title], cached)
                finally:
                    wb.close()
    except CaseError:
        raise
    except Exception as exc:  # noqa: BLE001 - openpyxl raises anything on a malformed part
        raise failure(
            name, f"the workbook cannot be read ({why(exc)})", "open it in Excel and save it again as .xlsx"
        ) from None
    tables: dict[str, Table | None] = dict.fromkeys(SHEETS)
    for sheet, title in chosen.items():
        rows = [(r, cells) for r, cells in grids[title] if any(filled(v) for v in cells)]
        tables[sheet] = Table(sheet, name, title, rows, frozenset(formulas[title]), frozenset(zeros[title]))
    return tables, notes


def why(exc: Exception) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    text = text if len(text) <= 120 else text[:119] + "…"
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def _choose_sheets(titles: list[str], name: str) -> dict[str, str]:
    """Which sheet is which, by name (compared without case)."""
    chosen: dict[str, str] = {}
    for title in titles:
        key = title.strip().lower()
        match = next((s for s in SHEETS if s.lower() == key), None)
        if match and match in chosen:
            raise failure(
                name, f"two sheets are called {match}: '{chosen[match]}' and '{title}'", "rename or delete one"
            )
        if match:
            chosen[match] = title
    return chosen


def _others(chosen: dict[str, str], titles: list[str]) -> list[str]:
    return [t for t in titles if t not in chosen.values() and t.strip().lower() != HELP_SHEET.lower()]


def _find_matrix(chosen: dict, titles: list[str], grids: dict, score, name: str, notes: list[Diagnostic]) -> None:
    """With no sheet called Evidence: the sheet that looks most like a matrix, or the only one."""
    others = _others(chosen, titles)
    scores = {t: score(grids[t]) for t in others if t in grids} if score else {}
    best = max(others, key=lambda t: scores.get(t, 0), default=None)
    if best is not None and scores.get(best, 0) > 0:
        why_this = "its header names the items' column, and ratings are below it"
    elif len(titles) == 1 and others:
        best, why_this = titles[0], "it is the only sheet"  # as before: its problems are said at their cells
    else:
        listed = ", ".join(f"'{t}'" for t in titles) or "none"
        raise failure(
            name,
            f"no sheet is called Evidence, and none looks like an evidence matrix (the sheets: {listed})",
            "; ".join(
                filter(
                    None,
                    [
                        suggest("Evidence", others),
                        "name the evidence matrix's sheet Evidence, or give it a header row naming the items' "
                        "column (Evidence, Item, Description or text) and one column per hypothesis; " + LAYOUT_HINT,
                    ],
                )
            ),
        )
    chosen["Evidence"] = best
    notes.append(
        Diagnostic(
            "warning",
            f"no sheet is called Evidence: '{best}' is read as the evidence matrix: {why_this}",
            name,
            None,
            f"{best} sheet",
            "rename it Evidence to say so",
        )
    )


def _not_read(chosen: dict, titles: list[str], name: str, notes: list[Diagnostic]) -> None:
    for title in _others(chosen, titles):
        notes.append(
            Diagnostic(
                "warning",
                "this sheet is not read (ach reads Evidence, Hypotheses, Sources, Case, Collection, Reports, "
                "Rationales)",
                name,
                None,
                f"{title} sheet",
                "rename it if it holds one of those; helper sheets (weights, lists, charts) can stay as they are",
            )
        )


def _grid(ws, name: str, budget: list[int]) -> tuple[list[tuple[int, list]], list[tuple[int, int]], list]:
    """(rows (number, values), formula positions, zeros formatted as percent) of a read-only worksheet,
    within the limits."""
    ws.reset_dimensions()  # read what is there, not what the file claims (a stray XFD1048576 pads every row)
    rows, formulas, zeros = [], [], []
    for r, cells in enumerate(ws.iter_rows(), 1):
        budget[0] -= len(cells)
        if budget[0] < 0:
            raise failure(
                name,
                f"the workbook has more than {MAX_CELLS:,} cells; ach reads cases up to that size",
                "delete unused rows and columns, or split the case",
                f"{ws.title} row {r}",
            )
        values = []
        for c, cell in enumerate(cells, 1):
            value, kind = cell.value, getattr(cell, "data_type", None)
            if kind == "f":
                formulas.append((r, c))
                value = Bad(
                    "a formula with no saved value",
                    "save the workbook in Excel first (so the formula's result is stored with it), or type the value",
                )
            elif kind == "e" and value is not None:
                value = Bad(f"the cell shows the error {value}", "fix the formula, or type the value")
            elif isinstance(value, str):
                value = restore_formula(xl_unescape(value))
            elif value == 0 and isinstance(value, (int, float)) and not isinstance(value, bool):
                if "%" in str(getattr(cell, "number_format", "") or ""):
                    zeros.append((r, c))  # typed 0%: a deliberate zero, not a bare 0
            values.append(value)
        if values and any(filled(v) for v in values):
            if r > MAX_ROWS:
                raise failure(
                    name,
                    f"more than {MAX_ROWS:,} rows; ach reads cases up to that size",
                    "delete unused rows, or split the case",
                    f"{ws.title} row {r}",
                )
            rows.append((r, values))
    return rows, formulas, zeros


def _fill_formulas(
    rows: list[tuple[int, list]], formulas: list[tuple[int, int]], cached: list[tuple[int, list]]
) -> None:
    """Put each formula's saved value in place of its Bad marker (kept when nothing was saved)."""
    values = dict(cached)
    mine = dict(rows)
    for r, c in formulas:
        saved = values.get(r, [])
        value = saved[c - 1] if c - 1 < len(saved) else None
        if value is None or (isinstance(value, Bad) and not value.message.startswith("the cell shows")):
            continue
        mine[r][c - 1] = value


def filled(value) -> bool:
    return value is not None and not (isinstance(value, str) and not value.strip())


def _decode_csv(raw: bytes, name: str, notes: list[Diagnostic]) -> str:
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return raw.decode("utf-16")
        except UnicodeDecodeError:
            raise failure(name, "the file starts as UTF-16 text but is damaged", "save it again as CSV UTF-8") from None
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        where = raw[: exc.start].count(b"\n") + 1
        byte = raw[exc.start]
    try:
        text = raw.decode("cp1252")
    except UnicodeDecodeError:
        raise failure(
            name,
            f"not UTF-8 text (byte 0x{byte:02x} on line {where}), nor Windows-1252",
            "save it as CSV UTF-8 (Excel: File › Save As › CSV UTF-8)",
        ) from None
    notes.append(
        Diagnostic(
            "warning",
            f"not UTF-8 (byte 0x{byte:02x} on line {where}): read as Windows-1252",
            name,
            None,
            "",
            "check accented letters and symbols; save as CSV UTF-8 to be sure",
        )
    )
    return text


def csv_table(path: Path, sheet: str, notes: list[Diagnostic], required: bool) -> Table | None:
    name = str(path)
    if not required and not path.exists():
        return None
    raw = read_input(path, "a CSV file", limit=MAX_BYTES)
    text = _decode_csv(raw, name, notes)
    first = text.split("\n", 1)[0]
    delimiter = max((",", ";", "\t"), key=lambda d: (first.count(d), d == ","))
    csv.field_size_limit(max(csv.field_size_limit(), MAX_BYTES))
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows, budget, r = [], MAX_CELLS, 0
    try:
        for r, cells in enumerate(reader, 1):
            budget -= len(cells)
            if budget < 0 or r > MAX_ROWS:
                raise failure(
                    name,
                    f"more than {MAX_ROWS:,} rows or {MAX_CELLS:,} cells; ach reads cases up to that size",
                    "split the case",
                    f"row {r}",
                )
            values = [restore_formula(v) if v != "" else None for v in cells]  # ach's export defused formulas
            if any(filled(v) for v in values):
                rows.append((r, values))
        if text.count('"') % 2 and rows and any("\n" in (v or "") for v in rows[-1][1]):
            r = rows[-1][0] - 1  # the row the open quote starts on, named below as r + 1
            raise csv.Error("a quote opened on this row is never closed")
    except csv.Error as exc:
        raise failure(
            name,
            f"not readable as CSV ({exc})",
            "check the quotes on this row: a value with a comma, quote "
            "or line break must be in double quotes, and a quote inside it doubled",
            f"row {r + 1}",
        ) from None
    return Table(sheet, name, None, rows)


def header_field(text) -> str:
    """A header as a field name: 'Evidence ID' -> 'evidence_id'."""
    return re.sub(r"[\s\-]+", "_", str(text).strip().lower())
