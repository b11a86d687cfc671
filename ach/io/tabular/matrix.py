"""The Evidence and Collection sheets: one row per item, one rating column per hypothesis.

:class:`MatrixReader` is the half of :class:`~ach.io.tabular.cells.Reader`
that reads the matrix, in ach's own layout and in analysts' own sheets
(:mod:`.lenient`): a header below a title or totals row, ``#`` and
``Evidence`` columns, no id column, ids with spaces, totals rows, ratings
written ``++ + 0 - --`` or ``N/A``, empty rating cells. Every convention it
applies is said in a warning, every problem is an error at its cell.
"""

from __future__ import annotations

import dataclasses
import re
from collections import Counter

from ...casefile.fields import valid_id
from ...scales import NA, SYMBOLS, other_rating
from .layout import (
    ALIASES,
    CANDIDATE_HEAD,
    CANDIDATE_TAIL,
    EVIDENCE_HEAD,
    EVIDENCE_PATH,
    EVIDENCE_TAIL,
    KIND,
    LAYOUT_HINT,
)
from .lenient import bare_zero, find_header, repaired_id, summary_label
from .read import Bad, Place, Table, filled
from .values import FAILED, CellReader, cell, text_of

__all__ = ["MatrixReader"]

_LISTED = 40  # cells named in one warning before "and N more"

_RATING_HINT = "write CC, C, N, I, II (or ++ + N - --), an ICD 203 term such as 'likely', or a probability"

_ZERO_HINT = (
    "for neutral write N (or 0.5); for impossible write 0% (a probability of 0); "
    "NA if the item does not bear on the hypothesis"
)

# 'H1: The dog', 'H2 - the child', 'H3. Someone else': an id, then the hypothesis's title.
_ID_TITLE = re.compile(r"\s*([A-Za-z0-9][A-Za-z0-9_.-]*?)\s*[:\-\u2013\u2014.)]\s*(\S.*)", re.S)


def _cells(places: list[Place]) -> str:
    from openpyxl.utils import get_column_letter

    named = [f"{get_column_letter(p.col)}{p.row} ({p.header})" for p in places[:_LISTED]]
    more = f" and {len(places) - _LISTED} more" if len(places) > _LISTED else ""
    return ", ".join(named) + more


def _symbol(raw) -> bool:
    """A rating written as a symbol, '+' or '--' (no letters): the sheet rates on a + 0 - scale."""
    return isinstance(raw, str) and other_rating(raw) is not None and not any(ch.isalnum() for ch in raw)


class MatrixReader(CellReader):
    """Reads the Evidence and Collection sheets for a Reader (``header``, ``ident``, ``where``, ``warn``)."""

    # -- Evidence ----------------------------------------------------------------
    def evidence(self, table: Table, hypotheses: list[dict] | None) -> tuple[list[dict], list[dict]]:
        """(items, hypotheses inferred from the rating columns when there is no Hypotheses sheet)."""
        hyps = None if hypotheses is None else [h["id"] for h in hypotheses if isinstance(h.get("id"), str)]
        fields = (*EVIDENCE_HEAD, *EVIDENCE_TAIL)
        self.where[("evidence",)] = table.place()
        table = self.below_title(table)
        extras: list = []
        columns, ratings, head_row, rows = self.header(
            table, fields, ALIASES["evidence"], ("text",), hyps, infer=hyps is None, extras=extras
        )
        inferred: list[dict] = []
        if hyps is None:
            inferred, ratings = self.inferred(table, head_row, ratings)
            hyps = [h["id"] for h in inferred]
        else:
            for h in hyps:
                if h not in ratings:
                    self.error(
                        table.place(head_row, what=f"no column for {h}"),
                        f"no column for the hypothesis '{h}' listed on the Hypotheses sheet",
                        f"add a column headed {h} (one rating per item), or delete the hypothesis",
                    )
        zero = any(_symbol(cell(cells, c)) for _, cells in rows for c in ratings.values())
        items, repaired, skipped = [], [], []
        for r, cells in rows:
            reason = self.not_an_item(table, r, cells, columns, ratings)
            if reason:
                skipped.append((r, reason))
                continue
            i = len(items)
            at = ("evidence", i)
            ident = self.ident(table, r, cells, columns) if "id" in columns else f"E{i + 1}"
            self.where[at] = self.where[(*at, "likelihood")] = table.place(r, what=ident or "")
            item: dict = {}
            if "id" in columns:
                self.put(item, table, r, cells, columns, at, "id")
                fixed = repaired_id(item["id"]) if isinstance(item.get("id"), str) else ""
                if "id" in item and not valid_id(item["id"]) and fixed:
                    repaired.append((table.place(r, columns["id"], "id"), item["id"], fixed))
                    item["id"] = fixed
                    self.where[at] = self.where[(*at, "likelihood")] = table.place(r, what=fixed)
            else:
                item["id"] = ident
                self.where[(*at, "id")] = table.place(r, what=ident)
            for fld in ("text", "source", "date", "type"):
                self.put(item, table, r, cells, columns, at, fld)
            item["likelihood"] = self.ratings(table, r, cells, ratings, hyps, at, na=True, zero=zero)
            for fld in ("confidence", "credibility", "credibility_confidence", "if_false", "relevance"):
                self.put(item, table, r, cells, columns, at, fld)
            citation = {}
            for fld in ("citation_report", "citation_quote", "citation_url"):
                self.put(citation, table, r, cells, columns, at, fld)
            if citation:
                item["citation"] = {"report": citation.pop("report", ""), **citation}
            self.put(item, table, r, cells, columns, at, "notes")
            self.extra_notes(item, table, r, cells, extras, at)
            if "text" not in item and "text" in columns:
                item = {"id": item.get("id"), "text": "", **{k: v for k, v in item.items() if k != "id"}}
            if "id" not in item:
                self.error(
                    table.place(r, columns["id"], "id"), "no id", "give the item an id (letters, digits, '_', '.', '-')"
                )
                continue
            if isinstance(item.get("if_false"), dict):
                for h in item["if_false"]:
                    self.where[(*at, "if_false", h)] = self.where[(*at, "if_false")]
            items.append(item)
        self.said(table, columns, items, repaired, skipped)
        return items, inferred

    def below_title(self, table: Table) -> Table:
        """The table from its header row on: rows above it (a title, a totals row) are not read."""
        at = find_header(table.rows)
        if at == 0:
            return table
        above = [r for r, _ in table.rows[:at]]
        head = table.rows[at][0]
        self.warn(
            table.place(above[0], what=f"rows {', '.join(map(str, above))}" if len(above) > 1 else ""),
            f"{'rows' if len(above) > 1 else 'row'} {', '.join(map(str, above))} above the header row {head} "
            f"{'are' if len(above) > 1 else 'is'} not read (a title or a row of totals)",
            "check that the header row is the one naming the columns (Evidence, H1, ...)",
        )
        return dataclasses.replace(table, rows=table.rows[at:])

    def inferred(self, table: Table, head_row: int, ratings: dict) -> tuple[list[dict], dict]:
        """Hypotheses from rating columns' headers; a header that is no id ('H1: The dog') gives one."""
        out, columns, renamed = [], {}, []
        for text, c in ratings.items():
            hid, title = text, text
            if not valid_id(text):
                match = _ID_TITLE.fullmatch(text)
                hid, title = (match[1], match[2].strip()) if match and valid_id(match[1]) else (repaired_id(text), text)
                if not hid:
                    self.error(
                        table.place(head_row, c, text),
                        f"the column '{text}' is read as a hypothesis, but no id can be made of its header",
                        "head it with a short id (letters, digits, '_', '.', '-'), e.g. H1, and give its title "
                        "on a Hypotheses sheet or after a colon: 'H1: The dog'",
                    )
                    continue
                renamed.append(f"'{text}' -> {hid}")
            if hid in columns:
                self.error(
                    table.place(head_row, c, text),
                    f"the columns '{text}' and {columns[hid][1]} would both be the hypothesis {hid}",
                    "give each hypothesis column its own id",
                )
                continue
            columns[hid] = (c, f"'{text}'")
            out.append({"id": hid, "title": title})
        place = table.place(head_row)
        if out:
            for j, h in enumerate(out):
                self.where[("hypotheses", j)] = self.where[("hypotheses", j, "id")] = table.place(
                    head_row, columns[h["id"]][0], h["id"]
                )
            self.where[("hypotheses",)] = place
            self.warn(
                place,
                f"no {self.sheet_name('Hypotheses')}: the hypotheses are the rating columns "
                f"{', '.join(h['id'] for h in out)}, each titled with "
                + ("its id" if not renamed else f"its header (ids made of the headers: {', '.join(renamed)})"),
                f"add {'' if self.csv else 'a '}{self.sheet_name('Hypotheses')} "
                "(id, title, description, prior, catch_all) to give them titles",
            )
        elif not ratings:
            self.error(
                place,
                "no hypothesis columns, and no Hypotheses sheet to say which they are",
                "after the item's columns, add one column per hypothesis headed with its id; " + LAYOUT_HINT,
            )
        return out, {h: c for h, (c, _) in columns.items()}

    def not_an_item(self, table: Table, r: int, cells: list, columns: dict, ratings: dict) -> str:
        """Why a row is not an item (a row of totals or formulas, a heading), or ''."""
        used = [c for c in range(1, len(cells) + 1) if filled(cells[c - 1])]
        rating_columns = set(ratings.values())
        named = [columns[k] for k in ("text", "id") if k in columns]
        labels = [cells[c - 1] for c in [*named, *used] if c in used and c not in rating_columns]
        label = next((text_of(v).strip() for v in labels if not isinstance(v, Bad)), "")
        if label and summary_label(label):
            return f"a row of totals ('{label[:40]}')"
        formulas = [c for c in used if (r, c) in table.formulas]
        has_item = any(c in used for c in named)
        if formulas and (not has_item or len(formulas) == len(used)):
            return "a row of formulas, not an item"
        if "text" in columns and columns["text"] not in used and not any(c in used for c in rating_columns):
            return "no text and no rating (a heading?)"
        return ""

    def said(self, table: Table, columns: dict, items: list, repaired: list, skipped: list, made=True) -> None:
        """The warnings of the conventions applied to a sheet, one for each."""
        for r, reason in skipped:
            self.warn(table.place(r), f"not read as an item: {reason}", "delete the row if it is not an item")
        if made and "id" not in columns and items:
            self.warn(
                table.place(),
                f"no id column: the items are numbered E1 to E{len(items)} in the order of their rows",
                "add a column headed id (or #) to keep the ids when rows are moved",
            )
        if repaired:
            listed = ", ".join(f"{p.field.split(' ')[0]} '{old}' -> {new}" for p, old, new in repaired[:_LISTED])
            self.warn(
                table.place(what="id"),
                f"ids made valid (letters, digits, '_', '.', '-' only): {listed}"
                + (f" and {len(repaired) - _LISTED} more" if len(repaired) > _LISTED else ""),
                "rename them in the sheet to choose the ids yourself",
            )
        blank, self.blank = self.blank, []
        if blank:
            self.warn(
                table.place(what="empty ratings"),
                f"{len(blank)} rating cell{'s are' if len(blank) > 1 else ' is'} empty, read as NA "
                f"(not rated: the item does not bear on that hypothesis): {_cells(blank)}",
                "write a rating in each, or NA where the item does not bear on the hypothesis",
            )
        converted, self.converted = self.converted, Counter()
        if converted:
            listed = ", ".join(
                f"'{w}' as {c} ({n} cell{'s' if n > 1 else ''})" for (w, c), n in sorted(converted.items())
            )
            self.warn(
                table.place(what="ratings"),
                f"ratings in another notation are read on the classic scale: {listed}",
                "CC means very consistent (0.90 by default), C consistent (0.70), N neutral (0.50), "
                "I inconsistent (0.20), II very inconsistent (0.05): see docs/FORMATS-SPREADSHEET.md",
            )

    def extra_notes(self, item: dict, table: Table, r: int, cells: list, extras: list, at: tuple) -> None:
        """Columns with no field of their own (Category, Comments) kept in the notes as 'Header: value'."""
        lines = [item["notes"]] if item.get("notes") else []
        for header, c in extras:
            raw = cell(cells, c)
            place = table.place(r, c, header)
            v = self.value("text", raw, place)
            if v is not None and v is not FAILED and v.strip():
                lines.append(f"{header}: {v}")
                self.where.setdefault((*at, "notes"), place)
        if len(lines) > (1 if item.get("notes") else 0):
            item["notes"] = "\n".join(lines)

    def own_sources(self, items: list[dict]) -> list[dict]:
        """With no Sources sheet, the names in the Source column (case and spacing ignored) as
        sources, each of reliability 1 with a TODO in its notes (as the other tools' importers do)."""
        ids: dict[str, str] = {}  # the name, folded -> its source id
        out: list[dict] = []
        for i, e in enumerate(items):
            name = e.get("source")
            if not isinstance(name, str):
                continue
            key = " ".join(name.split()).casefold()
            if key not in ids:
                sid = name if valid_id(name) else repaired_id(name) or f"S{len(out) + 1}"
                while sid in ids.values():
                    sid += "_"
                ids[key] = sid
                self.where[("sources", len(out))] = self.where[("evidence", i, "source")]
                out.append(
                    {"id": sid}
                    | ({"title": " ".join(name.split())} if sid != name else {})
                    | {
                        "reliability": 1,
                        "notes": "TODO reliability: the spreadsheet rates no sources, so 1 (fully reliable) "
                        "stands in until you set it",
                    }
                )
            e["source"] = ids[key]
        self.where[("sources",)] = self.where[("sources", 0)]
        listed = ", ".join(s.get("title", s["id"]) for s in out[:_LISTED])
        self.warn(
            self.where[("sources",)],
            f"no {self.sheet_name('Sources')}: the Source column names {len(out)} source"
            f"{'s' if len(out) > 1 else ''}, each taken as fully reliable (reliability 1, as an item "
            f"with no source is) until you set it: {listed}"
            + (f" and {len(out) - _LISTED} more" if len(out) > _LISTED else ""),
            f"add {'' if self.csv else 'a '}{self.sheet_name('Sources')} (id, title, reliability), or set "
            "each reliability in the case file: the items of one source then stand or fall together",
        )
        return out

    # -- Collection --------------------------------------------------------------
    def collection(self, hypotheses: list[dict]) -> list[dict]:
        table = self.tables["Collection"]
        if table is None or not table.rows:
            return []
        hyps = [h["id"] for h in hypotheses if isinstance(h.get("id"), str)]
        self.where[("collection",)] = table.place()
        fields = (*CANDIDATE_HEAD, *CANDIDATE_TAIL)
        columns, ratings, head_row, rows = self.header(table, fields, ALIASES["collection"], ("id",), hyps)
        if rows:
            for h in hyps:
                if h not in ratings:
                    self.error(
                        table.place(head_row, what=f"no column for {h}"),
                        f"no column for the hypothesis '{h}'",
                        f"add a column headed {h} (one rating per candidate)",
                    )
        zero = any(_symbol(cell(cells, c)) for _, cells in rows for c in ratings.values())
        out = []
        for r, cells in rows:
            at = ("collection", len(out))
            ident = self.ident(table, r, cells, columns)
            self.where[at] = self.where[(*at, "likelihood")] = table.place(r, what=ident or "")
            spec: dict = {}
            for fld in ("id", "text"):
                self.put(spec, table, r, cells, columns, at, fld)
            spec["likelihood"] = self.ratings(table, r, cells, ratings, hyps, at, na=False, zero=zero)
            for fld in ("credibility", "notes"):
                self.put(spec, table, r, cells, columns, at, fld)
            if "text" not in spec:
                spec = {"id": spec.get("id"), "text": "", **{k: v for k, v in spec.items() if k != "id"}}
            if spec.get("id") is None:
                self.error(table.place(r, columns.get("id", 1), "id"), "no id", "give the candidate an id")
                continue
            out.append(spec)
        self.said(table, columns, out, [], [], made=False)
        return out

    # -- cells -------------------------------------------------------------------
    def put(self, target: dict, table, r, cells, columns, at, fld) -> None:
        c = columns.get(fld)
        path = (*at, *EVIDENCE_PATH.get(fld, (fld,)))
        key = path[-1]
        if c is None:
            return
        place = table.place(r, c, fld)
        self.where[path] = place
        v = self.value(KIND[fld], cell(cells, c), place)
        if v is not None and v is not FAILED:
            target[key] = v

    def ratings(self, table, r, cells, ratings: dict, hyps: list[str], at: tuple, na: bool, zero: bool) -> dict:
        """One row's ratings; ``zero``: the sheet rates + 0 -, so a 0 is neutral."""
        out = {}
        for h in hyps:
            c = ratings.get(h)
            if c is None:
                continue
            place = table.place(r, c, h)
            self.where[(*at, "likelihood", h)] = place
            raw = cell(cells, c)
            if not filled(raw):
                if na:
                    self.blank.append(place)
                    out[h] = NA
                else:
                    self.error(place, f"no rating for the hypothesis '{h}'", f"{_RATING_HINT} (NA is not allowed here)")
                continue
            if bare_zero(raw) and (r, c) not in table.zeros:
                if zero:
                    self.converted[("0", SYMBOLS["0"])] += 1
                    out[h] = SYMBOLS["0"]
                else:
                    self.error(
                        place,
                        "a bare 0 is ambiguous: some tools mean neutral by it, ach a probability of 0 "
                        "(the item impossible under the hypothesis)",
                        _ZERO_HINT,
                    )
                continue
            v = self.value("rating", raw, place)
            if v is FAILED:
                continue
            if isinstance(v, str) and (classic := other_rating(v, zero=zero)) is not None:
                self.converted[(" ".join(v.split()), classic)] += 1
                v = classic
            out[h] = v
        return out
