"""From tables of cells to a case dict, every problem reported at its cell.

:class:`Reader` maps headers to fields, reads each cell by its column's kind,
runs the loader's checks on the result and maps each of the loader's
diagnostics back to the cell it comes from through its ``path`` (no message
is parsed).
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from pathlib import Path

from ...casefile import check_text, dump_case
from ...casefile.remarks import attach
from ...errors import CaseError, Diagnostic, suggest
from .layout import (
    ALIASES,
    CASE_KEYS,
    HYPOTHESIS_COLUMNS,
    KIND,
    LAYOUT_HINT,
    REPORT_COLUMNS,
    SOURCE_COLUMNS,
    companion,
)
from .lenient import NOTE_COLUMNS, TEXT_RANK
from .matrix import MatrixReader
from .rationales import read_rationales
from .read import Bad, Place, Table, filled, header_field
from .values import FAILED, cell, text_of

__all__ = ["KNOCK_ON", "Reader"]

# What the loader says of a row whose refused cell was left out of the case: said already, at the cell.
KNOCK_ON = frozenset({"missing-rating", "missing-field", "if-false-incomplete"})


class Reader(MatrixReader):
    """Cells -> case dict; every problem located at its cell; the loader's checks mapped back."""

    def __init__(self, name: str, tables: dict[str, Table | None], notes: list[Diagnostic], csv: bool):
        self.name, self.tables, self.csv = name, tables, csv
        self.diagnostics: list[Diagnostic] = list(notes)
        self.where: dict[tuple, Place] = {}
        self.blank: list[Place] = []  # empty rating cells of the sheet being read, read as NA
        self.converted: Counter = Counter()  # (rating as written, classic rating) -> cells
        self.error_places: list[Place] = []
        self.made_question = False

    # -- reporting -------------------------------------------------------------
    def report(self, level: str, place: Place, message: str, hint: str = "") -> None:
        # where: a cell or a row; else a sheet; else the CSV file itself (place.file)
        code = "cell" if place.row is not None else "sheet" if place.sheet else "file"
        self.diagnostics.append(Diagnostic(level, message, place.file, None, place.field, hint, code=code))

    def error(self, place: Place, message: str, hint: str = "") -> None:
        self.error_places.append(place)
        self.report("error", place, message, hint)

    def warn(self, place: Place, message: str, hint: str = "") -> None:
        self.report("warning", place, message, hint)

    def sheet_name(self, sheet: str) -> str:
        """How to name a sheet in a message: 'x.hypotheses.csv' or 'Hypotheses sheet'."""
        return Path(companion(self.name, sheet)).name if self.csv else f"{sheet} sheet"

    def missing(self, sheet: str) -> Place:
        if self.csv:
            return Place(str(companion(self.name, sheet)), None)
        return Place(self.name, sheet)

    @property
    def failed(self) -> bool:
        return any(d.level == "error" for d in self.diagnostics)

    # -- the whole -------------------------------------------------------------
    def read(self, warnings: list[Diagnostic] | None) -> tuple[dict, str]:
        """The case dict and its header comment; every problem of the workbook in one CaseError.

        The loader's checks run even when reading the cells found errors, so
        that a bad rating is not hidden behind a missing Case sheet until the
        next run. A finding at a cell already in error is not said twice, nor
        one of the :data:`KNOCK_ON` kinds in a row with a refused cell (the
        cell's value was left out, so the loader misses it); anything else in
        that row (a duplicate id beside a refused rating) is said now.
        """
        data, comment = self.build()
        header = f"Imported from the {'CSV files' if self.csv else 'spreadsheet'} {Path(self.name).name}."
        if self.made_question:
            header += "\nCheck the question: the spreadsheet has none, so it was made up from the title."
        if comment:
            header += "\n\n" + comment
        if data:
            text = dump_case(data, header)
            _, found = check_text(text.encode("utf-8"), self.name)
            cells = {(d.file, d.field) for d in self.diagnostics if d.level == "error"}
            rows = {(p.file, p.sheet, p.row) for p in self.error_places}
            for d in found:
                place = self.locate(d)
                moved = self.translate(d, place)
                if d.level == "error" and (
                    (moved.file, moved.field) in cells
                    or (
                        d.code in KNOCK_ON
                        and place is not None
                        and place.row is not None
                        and (place.file, place.sheet, place.row) in rows
                    )
                ):
                    continue
                self.diagnostics.append(moved)
        if self.failed:
            raise CaseError(self.diagnostics)
        if warnings is not None:
            warnings.extend(self.diagnostics)
        return data, header

    def build(self) -> tuple[dict, str]:
        evidence_table = self.tables["Evidence"]
        if evidence_table is None or not evidence_table.rows:
            where = evidence_table.place() if evidence_table else Place(self.name, "Evidence")
            self.error(
                where,
                "the evidence matrix is empty: no header row, no items",
                "the first row names the columns (id, text, ..., one per hypothesis); then one row per item; "
                + LAYOUT_HINT,
            )
            return {}, ""
        fields: dict = {}
        comment = self.case_sheet(fields)
        if "question" not in fields:
            self.make_question(fields)
        scale = fields.pop("scale", None)
        hypotheses = self.hypotheses()
        sources = self.sources()
        evidence, inferred = self.evidence(evidence_table, hypotheses)
        if hypotheses is None:
            hypotheses = inferred
        if sources is None and any("source" in e for e in evidence):
            sources = self.own_sources(evidence)
        collection = self.collection(hypotheses)
        data = {k: fields[k] for k in CASE_KEYS if k in fields}
        data["hypotheses"] = hypotheses
        if sources is not None:
            data["sources"] = sources
        data["evidence"] = evidence
        if collection:
            data["collection"] = collection
        reports = self.reports()
        if reports:
            data["reports"] = reports
        if scale:
            data["scale"] = scale
        data, unplaced = attach(data, self.rationales())
        for note, place in unplaced:
            self.warn(
                place,
                f"this comment has no place in the case: {note.sheet} has no {note.id or 'field'}"
                f"{' › ' + note.field if note.field else ''}; it is not kept",
                "correct the sheet, id or field of the row (ach export writes them), or delete the row",
            )
        return data, comment

    # -- Rationales --------------------------------------------------------------
    def rationales(self) -> list:
        return read_rationales(self.tables.get("Rationales"), self.warn)

    # -- Case ------------------------------------------------------------------
    def case_sheet(self, data: dict) -> str:
        table = self.tables["Case"]
        self.where[()] = Place(self.name, None) if table is None else table.place()
        if table is None:
            return ""
        rows = table.rows
        if rows and header_field(rows[0][1][0] if rows[0][1] else "") in ("field", "key", "name"):
            rows = rows[1:]
        comment, seen = "", {}
        allowed = [*CASE_KEYS, "comment", "scale.ratings.<rating>", "scale.terms.<term>"]
        for r, cells in rows:
            key_raw = cells[0] if cells else None
            value = cells[1] if len(cells) > 1 else None
            key_place = table.place(r, 1, "field")
            if isinstance(key_raw, Bad):
                self.error(key_place, key_raw.message, key_raw.hint)
                continue
            if not filled(key_raw):
                if filled(value):
                    self.error(
                        key_place,
                        "a value with no field name",
                        f"write the field in column A: one of {', '.join(allowed)}",
                    )
                continue
            key = str(key_raw).strip()
            lower = key.lower()
            place = table.place(r, 2, key)
            same = lower if lower.startswith("scale.") else header_field(key)
            if same in seen:
                self.error(key_place, f"'{key}' is given twice (also on row {seen[same]})", "keep one of the rows")
                continue
            seen[same] = r
            if lower.startswith("scale.ratings."):
                rating = key.split(".", 2)[2].strip().upper()
                self.where[("scale", "ratings", rating)] = place
                v = self.value("number", value, place)
                if v is not None and v is not FAILED:
                    data.setdefault("scale", {}).setdefault("ratings", {})[rating] = v
                continue
            if lower.startswith("scale.terms."):
                term = key.split(".", 2)[2].strip()
                self.where[("scale", "terms", term)] = place
                v = self.value("band", value, place)
                if v is not None and v is not FAILED:
                    data.setdefault("scale", {}).setdefault("terms", {})[term] = v
                continue
            norm = header_field(key)
            if norm not in (*CASE_KEYS, "comment"):
                self.error(
                    key_place,
                    f"unknown field '{key}'",
                    "; ".join(filter(None, [suggest(key, [*CASE_KEYS, "comment"]), f"allowed: {', '.join(allowed)}"])),
                )
                continue
            self.where[(norm,)] = place
            v = self.value(KIND[norm], value, place)
            if v is FAILED:
                continue
            if norm == "comment":
                comment = v or ""
            elif v is not None:
                data[norm] = v
            elif norm == "question":
                data[norm] = ""  # the row is there, its value empty: an empty question, as written
        return comment

    def make_question(self, data: dict) -> None:
        """No question in the workbook: one made up from the title, as the .achz import does."""
        table = self.tables["Case"]
        title = data.get("title") or Path(self.name).stem
        data["question"] = f"Which hypothesis best explains the evidence in '{title}'?"
        self.made_question = True
        if table is None:
            place = self.missing("Case")
            what = f"{self.sheet_name('Case')} is missing" if self.csv else "the workbook has no Case sheet"
            add = f"add {self.sheet_name('Case')} with" if self.csv else "add a Case sheet (columns field, value) with"
        else:
            place = table.place(what="question")
            what, add = "the Case sheet has no row `question`", "add"
        self.where[("question",)] = place
        self.warn(
            place,
            f"no question: {what}; the question is made up from the title: {data['question']}",
            f"{add} a row `question | <the one question the hypotheses answer>`, or edit it in the case file",
        )

    # -- Hypotheses, Sources ---------------------------------------------------
    def header(
        self,
        table: Table,
        fields: tuple,
        aliases: dict,
        required: tuple,
        hyps: list[str] | None = None,
        infer: bool = False,
        extras: list | None = None,
    ) -> tuple[dict, dict, int, list]:
        """(field -> column, hypothesis -> column, header row number, data rows) of a table.

        ``extras`` (the Evidence sheet) gains (header, column) of the columns kept in the notes:
        those with no field (Category, Comments) and a second column for the text (Description
        beside Evidence; the better name of :data:`~.lenient.TEXT_RANK` is the text).
        """
        head_row, cells = table.rows[0]
        columns, ratings, spelled = {}, {}, {}
        width = max(len(row) for _, row in table.rows)
        for c in range(1, width + 1):
            raw = cell(cells, c)
            place = table.place(head_row, c)
            if isinstance(raw, Bad):
                self.error(place, raw.message, raw.hint)
                continue
            if not filled(raw):
                below = next((r for r, row in table.rows[1:] if c - 1 < len(row) and filled(row[c - 1])), None)
                if below is not None:
                    self.error(
                        table.place(below, c),
                        "a value in a column with no header",
                        f"name the column in row {head_row}, or delete the values",
                    )
                continue
            text = text_of(raw).strip()
            place = table.place(head_row, c, text)
            norm = header_field(text)
            if hyps is not None and text in hyps:
                target, key = ratings, text
            elif extras is not None and norm in NOTE_COLUMNS:
                extras.append((text, c))
                continue
            elif norm in fields or norm in aliases:
                target, key = columns, aliases.get(norm, norm)
                if extras is not None and key == "text" and key in columns and spelled["text"][0] != norm:
                    rank = {n: i for i, n in enumerate(TEXT_RANK)}
                    if rank.get(norm, len(rank)) < rank.get(spelled["text"][0], len(rank)):
                        extras.append((spelled["text"][1], columns["text"]))
                        columns["text"], spelled["text"] = c, (norm, text)
                    else:
                        extras.append((text, c))
                    continue
                spelled.setdefault(key, (norm, text))
            elif infer:
                target, key = ratings, text
            else:
                options = [*fields, *(hyps or [])]
                hint = suggest(text, options)
                what = (
                    "neither a column ach reads nor a hypothesis listed on the Hypotheses sheet"
                    if hyps is not None
                    else "not a column ach reads"
                )
                self.error(
                    place,
                    f"unknown column '{text}': {what}",
                    "; ".join(
                        filter(
                            None,
                            [
                                hint,
                                f"the columns: {', '.join(fields)}"
                                + (f"; the hypotheses: {', '.join(hyps)}" if hyps else ""),
                                "delete the column if it is yours",
                            ],
                        )
                    ),
                )
                continue
            if key in target:
                self.error(place, f"the column '{text}' appears twice", "delete or rename one of them")
                continue
            target[key] = c
        if extras:
            extras.sort(key=lambda e: e[1])
        for need in required:
            if need not in columns:
                self.error(
                    table.place(head_row, what=f"no column '{need}'"),
                    f"the sheet has no '{need}' column",
                    f"add a column headed {need} to row {head_row}; " + LAYOUT_HINT,
                )
        return columns, ratings, head_row, table.rows[1:]

    def hypotheses(self) -> list[dict] | None:
        table = self.tables["Hypotheses"]
        if table is None:
            return None
        self.where[("hypotheses",)] = table.place()
        if not table.rows:
            self.error(
                table.place(), "lists no hypotheses", "one row per hypothesis under the header row id, title, ..."
            )
            return []
        columns, _, _, rows = self.header(table, HYPOTHESIS_COLUMNS, ALIASES["hypotheses"], ("id",))
        out, seen = [], {}
        for r, cells in rows:
            j = len(out)
            spec = self.row(table, r, cells, columns, ("hypotheses", j), HYPOTHESIS_COLUMNS)
            if spec is None:
                continue
            hid = spec.get("id")
            if hid is not None and hid in seen:  # said here: the rating columns are matched to these ids next
                self.error(
                    self.where[("hypotheses", j, "id")],
                    f"hypothesis id '{hid}' is used twice (also on row {seen[hid]})",
                    "give each hypothesis its own id",
                )
            seen.setdefault(hid, r)
            if "title" not in spec and "id" in spec:
                spec = {"id": spec["id"], "title": spec["id"], **{k: v for k, v in spec.items() if k != "id"}}
            out.append(spec)
        return out

    def sources(self) -> list[dict] | None:
        if self.tables["Sources"] is None:
            return None
        return self.simple("Sources", "sources", SOURCE_COLUMNS, ALIASES["sources"], ("id", "reliability"))

    def reports(self) -> list[dict]:
        return self.simple("Reports", "reports", REPORT_COLUMNS, {"report": "id", "link": "url"}, ("id", "title"))

    def simple(self, sheet: str, section: str, order: tuple, aliases: dict, required: tuple) -> list[dict]:
        """The rows of a sheet of one kind of entry (sources, reports), each a dict in ``order``."""
        table = self.tables.get(sheet)
        if table is None or not table.rows:
            return []
        self.where[(section,)] = table.place()
        columns, _, _, rows = self.header(table, order, aliases, required)
        out = []
        for r, cells in rows:
            spec = self.row(table, r, cells, columns, (section, len(out)), order)
            if spec is not None:
                out.append(spec)
        return out

    def row(self, table: Table, r: int, cells: list, columns: dict, at: tuple, order: tuple) -> dict | None:
        """One row of a simple sheet (hypotheses, sources) as a dict in ``order``."""
        spec = {}
        ident = self.ident(table, r, cells, columns)
        self.where[at] = table.place(r, what=ident or "")
        for fld in order:
            c = columns.get(fld)
            if c is None:
                continue
            place = table.place(r, c, fld)
            self.where[(*at, fld)] = place
            v = self.value(KIND[fld], cell(cells, c), place)
            if v is not None and v is not FAILED:
                spec[fld] = v
        if "id" not in spec and "id" in columns:
            self.error(
                table.place(r, columns["id"], "id"), "no id", "give the row an id (letters, digits, '_', '.', '-')"
            )
            return None
        return spec

    def ident(self, table, r, cells, columns) -> str:
        c = columns.get("id")
        raw = cell(cells, c) if c else None
        return text_of(raw).strip() if filled(raw) and not isinstance(raw, Bad) else ""

    # -- one cell --------------------------------------------------------------

    # -- the loader's findings, back at their cells ----------------------------------------
    def locate(self, d: Diagnostic) -> Place | None:
        """The cell, row or sheet a loader diagnostic's ``path`` comes from (None: nowhere known)."""
        path, place = tuple(d.path), None
        while place is None and path is not None:
            place = self.where.get(path)
            if place is None:
                if not path:
                    break
                path = path[:-1]
        return place

    def translate(self, d: Diagnostic, place: Place | None) -> Diagnostic:
        """A loader diagnostic of the imported case, placed at ``place``."""
        if place is None:
            return dataclasses.replace(
                d, file=self.name, line=None, field=f"imported case › {d.field}" if d.field else ""
            )
        return dataclasses.replace(d, file=place.file, line=None, field=place.field or d.field)
