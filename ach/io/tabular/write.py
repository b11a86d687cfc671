"""Writing a case as an Excel workbook (``.xlsx``) or as CSV files, atomically.

Every text cell is stored as text (never a formula), every number so that it
reads back as the same number, and nothing is written when any cell could
not hold its value. Text that a spreadsheet would take for a formula
(``=HYPERLINK(...)``, ``@SUM``, ``+1``) cannot run when the file is opened
(CSV injection): in CSV it gets OWASP's leading apostrophe, in a workbook the
cell is marked as quoted text (Excel's own form of that apostrophe, which
keeps it text when the cell is edited). Reading undoes exactly that.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
import re
from pathlib import Path

from ...errors import CaseError, Diagnostic
from ...files import refuse_existing, write_atomic
from .layout import (
    EXCEL_CELL_CHARS,
    HELP_SHEET,
    OPTIONAL_SHEETS,
    RATING_WORDS,
    SUFFIXES,
    Sheet,
    case_data,
    companion,
    defuse_formula,
    formula_like,
    number_text,
    sheets,
    xl_escape,
)

__all__ = ["export_csv", "export_xlsx"]


def export_xlsx(case, path: str | Path, *, overwrite: bool = False, warnings: list | None = None) -> Path:
    """Write ``case`` (a loaded :class:`~ach.case.Case` or a case dict) as an Excel workbook, atomically;
    ``warnings`` gains one for every comment of the case file no sheet can hold."""
    path = Path(path)
    out = _exported(case, warnings, excel=True)
    refuse_existing([path], overwrite)
    return write_atomic(path, _workbook_bytes(out.data, out.comment, out.remarks))


def export_csv(case, path: str | Path, *, overwrite: bool = False, warnings: list | None = None) -> list[Path]:
    """Write ``case`` as ``x.csv`` (the Evidence sheet) plus ``x.hypotheses.csv``,
    ``x.sources.csv``, ``x.case.csv`` and, with candidates and comments,
    ``x.collection.csv`` and ``x.rationales.csv``.

    Returns the paths written. Every file is written atomically; a stale
    optional companion is removed (only with ``overwrite``).
    """
    path = Path(path)
    out = _exported(case, warnings, excel=False)
    files = {path: None, **{companion(path, s): s for s in SUFFIXES.values()}}
    tables = {t.name: t for t in sheets(out.data, out.comment, out.remarks)}
    contents = {
        p: _csv_bytes(tables["Evidence" if s is None else s])
        for p, s in files.items()
        if s not in OPTIONAL_SHEETS or tables[s].rows
    }
    stale = [p for p, s in files.items() if p not in contents and p.exists()]
    refuse_existing([*contents, *stale], overwrite)
    written = []
    try:
        for p, content in contents.items():
            existed = p.exists()
            write_atomic(p, content)
            written.append((p, existed))
    except BaseException:
        for p, existed in written:
            if not existed:
                p.unlink(missing_ok=True)
        raise
    for p in stale:
        p.unlink(missing_ok=True)
    return list(contents)


def _exported(case, warnings: list | None, excel: bool):
    out = case_data(case)
    _check_storable(out.data, out.comment, out.origin, excel=excel)
    if warnings is not None:
        warnings.extend(
            Diagnostic(
                "warning",
                "this comment is not carried to the spreadsheet: it is tied to no field "
                "(inside a one-line list, or after the last entry)",
                out.origin,
                line,
                hint="move it to the end of a field's line, or onto its own line above a field",
                code="comment-not-carried",
            )
            for line in out.untied
        )
    return out


def _check_storable(data: dict, comment: str, origin: str, excel: bool) -> None:
    """Refuse, before writing anything, text a spreadsheet cell cannot hold."""
    problems = []

    def walk(node, where):
        if isinstance(node, dict):
            for k, v in node.items():
                walk(v, [*where, str(k)])
        elif isinstance(node, list):
            for i, v in enumerate(node):
                ident = v.get("id") if isinstance(v, dict) else None
                label = f"{where[-1]} {ident}" if isinstance(ident, str) else f"{where[-1]}[{i}]"
                walk(v, [*where[:-1], label])
        elif isinstance(node, str) and excel and len(node) > EXCEL_CELL_CHARS:
            problems.append(
                Diagnostic(
                    "error",
                    f"{len(node):,} characters: an Excel cell holds at most {EXCEL_CELL_CHARS:,}",
                    origin,
                    field=" › ".join(where),
                    hint="shorten it, or export to CSV, which has no such limit",
                )
            )

    walk(data, [])
    if excel and len(comment) > EXCEL_CELL_CHARS:
        problems.append(
            Diagnostic(
                "error",
                f"the opening comment has {len(comment):,} characters: an Excel cell holds at "
                f"most {EXCEL_CELL_CHARS:,}",
                origin,
                hint="shorten it, or export to CSV",
            )
        )
    if problems:
        raise CaseError(problems)


def _excel_number_ok(value) -> bool:
    """Whether openpyxl (16 significant digits) stores the number exactly."""
    if isinstance(value, int):
        return abs(value) < 2**53
    return math.isfinite(value) and float(f"{value:.16g}") == value


def _workbook_bytes(data: dict, comment: str, notes=()) -> bytes:
    from openpyxl import Workbook
    from openpyxl.comments import Comment
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    wb = Workbook()
    wb.remove(wb.active)
    bold, fill = Font(bold=True), PatternFill("solid", fgColor="DDE4EE")
    top, wrap = Alignment(vertical="top"), Alignment(vertical="top", wrap_text=True)
    widths = {
        "id": 12,
        "text": 30,
        "rating": 14,
        "candidate": 14,
        "level": 12,
        "date": 12,
        "number": 10,
        "credibility": 12,
        "reliability": 12,
        "bool": 10,
        "if_false": 18,
        "case": 60,
    }
    wide = {"text", "description", "notes", "citation_quote", "comment"}
    sources = [s.get("id") for s in data.get("sources") or [] if isinstance(s, dict)]
    extra_terms = [t for t in (data.get("scale") or {}).get("terms") or {} if t not in RATING_WORDS]

    for out in sheets(data, comment, notes):
        if out.name in ("Reports", "Rationales") and not out.rows:
            continue  # a case without a reports list or comments gets no empty sheet
        ws = wb.create_sheet(out.name)
        for c, (header, about) in enumerate(zip(out.headers, out.about), 1):
            cell = ws.cell(1, c, xl_escape(header))
            cell.data_type = "s"
            cell.font, cell.fill, cell.alignment = bold, fill, wrap
            if about:
                cell.comment = Comment(about, "ach", width=300, height=110)
        for r, row in enumerate(out.rows, 2):
            for c, (value, kind) in enumerate(zip(row, out.kinds), 1):
                if value is None:
                    continue
                if out.name == "Case" and c == 2 and row[0] == "date":
                    kind = "date"
                cell = ws.cell(r, c)
                _put(cell, value, kind)
                if kind in ("text", "case"):
                    cell.alignment = wrap if (out.headers[c - 1].lower() in wide or kind == "case") else top
        for c, kind in enumerate(out.kinds, 1):
            header = out.headers[c - 1].lower()
            width = 60 if header == "text" and kind == "text" else 50 if header in wide else widths.get(kind, 14)
            ws.column_dimensions[get_column_letter(c)].width = 50 if out.name == "Case" and c == 3 else width
        ws.freeze_panes = "B2"
        if out.rows or out.name != "Case":
            ws.auto_filter.ref = f"A1:{get_column_letter(len(out.headers))}{max(len(out.rows) + 1, 2)}"

        n_rows = len(out.rows)

        def cols(*kinds, out=out):
            return [c for c, k in enumerate(out.kinds, 1) if k in kinds]

        def validate(*rule, ws=ws, n_rows=n_rows):
            _validate(ws, n_rows, *rule)

        validate(
            "rating",
            [*RATING_WORDS, *extra_terms],
            False,
            "CC C N I II NA, an ICD 203 term, or a probability 0-1",
            cols("rating"),
        )
        validate(
            "observation",
            [w for w in (*RATING_WORDS, *extra_terms) if w != "NA"],
            False,
            "CC C N I II, an ICD 203 term, or a probability 0-1 (no NA)",
            cols("candidate"),
        )
        validate("level", ["low", "medium", "high"], True, "", cols("level"))
        validate(
            "credibility",
            ["1", "2", "3", "4", "5", "6", "low", "medium", "high"],
            False,
            "Admiralty 1-6, low/medium/high, or a probability 0-1",
            cols("credibility"),
        )
        validate(
            "reliability",
            ["A", "B", "C", "D", "E", "F", "low", "medium", "high"],
            False,
            "Admiralty A-F, low/medium/high, or a probability 0-1",
            cols("reliability"),
        )
        validate("catch_all", ["TRUE", "FALSE"], False, "", cols("bool"))
        if out.name == "Evidence" and sources:
            src = [c for c, h in enumerate(out.headers, 1) if h.lower() == "source" and out.kinds[c - 1] == "id"]
            validate(
                "source", [s for s in sources if isinstance(s, str)], False, "A source id from the Sources sheet", src
            )

    _help_sheet(wb.create_sheet(HELP_SHEET), bold, wrap)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def _validate(ws, n_rows: int, kind: str, options, strict: bool, prompt: str, columns) -> None:
    """A list rule (Excel's data validation) on ``columns``: a drop-down of the allowed values."""
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    if not columns:
        return
    options = [o for o in options if "," not in o and '"' not in o]
    formula = '"' + ",".join(options) + '"'
    if len(formula) > 255:  # Excel's limit for a list typed into the rule
        return
    dv = DataValidation(
        type="list",
        formula1=formula,
        allow_blank=True,
        showErrorMessage=strict,
        errorStyle="stop" if strict else "warning",
        showInputMessage=bool(prompt),
        promptTitle=kind[:32],
        prompt=prompt[:255] if prompt else None,
    )
    dv.error = f"Allowed: {', '.join(options)}"[:225]
    for c in columns:
        letter = get_column_letter(c)
        dv.add(f"{letter}2:{letter}{max(n_rows + 500, 1000)}")
    ws.add_data_validation(dv)


def _put(cell, value, kind: str) -> None:
    """One value into one cell, so that it reads back as the same value."""
    if isinstance(value, bool):
        cell.value = value
    elif isinstance(value, (int, float)):
        exact = _excel_number_ok(value)
        if kind == "credibility" and isinstance(value, float) and value.is_integer():
            exact = False  # 1.0 must not read back as 1 (Admiralty "confirmed")
        if exact:
            cell.value = value
            if value == 0 and kind in ("rating", "candidate"):
                cell.number_format = "0%"  # an impossibility, not the bare 0 the reader refuses
        else:
            cell.value, cell.data_type = number_text(value), "s"
    elif isinstance(value, str) and kind == "date" and _excel_date(value):
        cell.value = _excel_date(value)
        cell.number_format = "yyyy-mm-dd"
    elif isinstance(value, str):
        _put_text(cell, value)
    else:
        _put_text(cell, str(value))


def _put_text(cell, text: str) -> None:
    """Text, even when it starts with '=' (never a formula); quoted, so an edit in Excel keeps it text.

    Reading drops one apostrophe before a formula-like text in either format
    (a defused CSV saved from Excel as a workbook keeps its apostrophe), so a
    text that itself starts with one gets the apostrophe CSV would give it.
    """
    if formula_like(text):
        cell.quotePrefix = True
        if text.startswith("'"):
            text = defuse_formula(text)
    cell.value, cell.data_type = xl_escape(text), "s"


def _excel_date(text: str) -> dt.date | None:
    """A YYYY-MM-DD text as a date Excel can show (Excel has no dates before 1900)."""
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        return None
    try:
        day = dt.date.fromisoformat(text)
    except ValueError:
        return None
    return day if day >= dt.date(1900, 3, 1) else None


def _help_sheet(ws, bold, wrap) -> None:
    lines = [
        (
            "ach case workbook",
            "One case of Bayesian Analysis of Competing Hypotheses. Read back with `ach import FILE -o CASE.yaml`.",
        ),
        (
            "Evidence",
            "One row per item: id, text, source, type, date, credibility, credibility_confidence, relevance, "
            "confidence, then one column per hypothesis (header = the hypothesis id), then if_false, "
            "citation_report, citation_quote, citation_url, notes.",
        ),
        (
            "Hypotheses",
            "id, title, description, prior, catch_all (TRUE/FALSE). The rating columns of Evidence and "
            "Collection must match these ids.",
        ),
        ("Sources", "id, title, reliability, confidence, notes."),
        (
            "Case",
            "field / value rows: title, question (required), description, analyst, handling, date, as_of, "
            "default_reliability, prior_concentration, acknowledge (one 'CODE at ID: why' per line), "
            "outcome ('unresolved', or 'hypothesis: ID', 'date: ...', 'source: ...', 'note: ...' per line), "
            "judgment (one 'ID: 0.7' per line), judgment_when (before/after), "
            "scale.ratings.CC (etc.), scale.terms.<term> ('low, high'), comment.",
        ),
        (
            "Collection",
            "Candidate observations for `ach collect`: id, text, credibility, one column per hypothesis, notes.",
        ),
        (
            "Reports",
            "The reports citations name, in words: id (what Evidence's citation_report says), title, publisher, date, url.",
        ),
        (
            "Rationales",
            "The comments of the case file, one per row: sheet, id, field (a column; a rating as likelihood.KH), "
            "place (end: at the end of the field's line; above: lines above it), comment. Kept on import.",
        ),
        (
            "Ratings",
            "CC 0.90, C 0.70, N 0.50, I 0.20, II 0.05, NA (does not bear on the hypothesis); or an ICD 203 term: "
            "almost no chance, very unlikely, unlikely, roughly even chance, likely, very likely, almost "
            "certain; or a probability such as 0.3 or 30%.",
        ),
        (
            "Reliability",
            "A number in [0, 1], low/medium/high, or Admiralty A (completely reliable) to F (cannot be judged).",
        ),
        (
            "Credibility",
            "A number in [0, 1], low/medium/high, or Admiralty 1 (confirmed) to 6 (cannot be judged). "
            "A whole number 1-6 is always a code: for certainty type '1.0 (as text).",
        ),
        ("Empty cells", "An empty cell is an omitted field; a rating cell may not be empty (write NA)."),
        ("Formulas", "Allowed: ach reads the value Excel saved with the formula."),
        ("More", "docs/FORMATS-SPREADSHEET.md and docs/FORMAT.md in the ach documentation."),
    ]
    for r, (key, text) in enumerate(lines, 1):
        ws.cell(r, 1, key).font = bold
        cell = ws.cell(r, 2, text)
        cell.alignment = wrap
    ws.column_dimensions["A"].width = 20
    ws.column_dimensions["B"].width = 110


def _csv_bytes(out: Sheet) -> bytes:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    headers, rows = out.headers, out.rows
    if out.name == "Case":
        headers, rows = headers[:2], [row[:2] for row in rows]
    writer.writerow(headers)
    for row in rows:
        writer.writerow([_csv_text(v, kind) for v, kind in zip(row, out.kinds)])
    return buffer.getvalue().encode("utf-8-sig")  # the BOM tells Excel the file is UTF-8


def _csv_text(value, kind: str) -> str:
    if value is None:
        return ""
    if isinstance(value, (bool, int, float)):
        if value == 0 and kind in ("rating", "candidate") and not isinstance(value, bool):
            return "0%"  # an impossibility, not the bare 0 the reader refuses
        return number_text(value)
    return defuse_formula(str(value))
