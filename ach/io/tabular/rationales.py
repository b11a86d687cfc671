"""The Rationales sheet: the comments of a case file, one per row, read back to be hung on
their fields (:mod:`ach.casefile.remarks`)."""

from __future__ import annotations

from ...casefile.remarks import PLACES, Remark
from .layout import RATIONALE_COLUMNS
from .read import Place, Table, filled, header_field
from .values import cell, text_of

__all__ = ["read_rationales"]


def read_rationales(table: Table | None, warn) -> list[tuple[Remark, Place]]:
    """The comments of the case file, one per row of the Rationales sheet (sheet, id, field,
    place, comment), each with its row; ``warn(place, message, hint)`` hears of rows not read."""
    if table is None or not table.rows:
        return []
    (head_row, header), *rows = table.rows
    columns = {header_field(v): c for c, v in enumerate(header, 1) if filled(v)}
    missing = [f for f in RATIONALE_COLUMNS if f not in columns]
    if missing:
        warn(
            table.place(head_row),
            f"the Rationales sheet has no column {', '.join(missing)}: its comments are not read",
            f"the columns are {', '.join(RATIONALE_COLUMNS)}",
        )
        return []
    out = []
    for r, cells in rows:
        sheet, ident, fld, where, text = (
            text_of(cell(cells, columns[c])).strip() if filled(cell(cells, columns[c])) else ""
            for c in RATIONALE_COLUMNS
        )
        if where not in PLACES:
            warn(
                table.place(r, columns["place"], "place"),
                f"'{where}' is not a place of a comment: this comment is not kept",
                "write end (at the end of the field's line) or above (lines above it)",
            )
            continue
        if text:
            out.append((Remark(sheet, ident, fld, where, text), table.place(r)))
    return out
