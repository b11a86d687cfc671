"""Reading analysts' own matrices: the conventions of sheets ach did not write.

An ACH matrix typed in Excel, or kept in a public template, differs from the
layout ``ach export`` writes in ways that are easy to read without guessing:
the sheet has another name (``ACH_matrix``, Excel's ``Sheet``), the columns are
headed ``#``, ``Evidence``, ``Evidence Type``, ``Category``; a totals row of
formulas sits above or below the header; ratings are written ``++ + - --``.
This module recognises them; the reader warns about every one it applies, so
nothing is read differently without the analyst being told.
"""

from __future__ import annotations

import re

from ...casefile.fields import valid_id
from ...scales import NA, RATINGS, TERM_ALIASES, TERMS, other_rating
from .layout import ALIASES
from .read import Bad, filled, header_field
from .values import text_of

__all__ = [
    "NOTE_COLUMNS",
    "TEXT_RANK",
    "bare_zero",
    "find_header",
    "matrix_score",
    "repaired_id",
    "summary_label",
]

# Evidence-sheet headers (as header_field spells them) that hold the item's text, best first:
# when two of them head columns, the better one is the text and the other goes to the notes.
TEXT_RANK = ("text", "evidence", "evidence_text", "evidence_item", "item", "description")

# Columns of an analyst's own sheet that have no field of their own: each is kept in the item's
# notes as "Header: value".
NOTE_COLUMNS = {"category", "comments", "comment", "remarks", "analysis", "rationale", "discussion"}

# Headers that are item fields in analysts' sheets (beside the fields and aliases of the layout).
FIELD_WORDS = {"id", "text", "source", "type", "date", "credibility", "relevance", "notes", "#", *TEXT_RANK}

# The words of a totals or score row's label ("Total", "Weighted inconsistency score").
_SUMMARY_CORE = {"total", "totals", "sum", "score", "scores", "count", "inconsistency", "inconsistencies"}
_SUMMARY_WORDS = _SUMMARY_CORE | {"weighted", "weight", "consistency", "overall", "grand", "of", "the", "ach"}

_BARE_ZERO = re.compile(r"\s*[-+]?0+\s*")


def summary_label(text: str) -> bool:
    """'Total', 'Inconsistency score', 'Weighted inconsistency': a row of totals, not an item."""
    words = re.sub(r"[^a-z]+", " ", text.lower()).split()
    return bool(words) and len(words) <= 5 and bool(_SUMMARY_CORE & set(words)) and set(words) <= _SUMMARY_WORDS


def bare_zero(raw) -> bool:
    """A plain 0 (the number, or the text '0'): neutral in some tools, impossible in ach."""
    if isinstance(raw, bool):
        return False
    if isinstance(raw, (int, float)):
        return raw == 0
    return isinstance(raw, str) and _BARE_ZERO.fullmatch(raw) is not None


def repaired_id(text: str) -> str:
    """An id made valid: 'Item 1' -> 'Item_1', '#3' -> '3'; '' when nothing is left."""
    fixed = re.sub(r"[^A-Za-z0-9_.-]+", "_", text.strip())
    fixed = re.sub(r"^[^A-Za-z0-9]+", "", fixed).rstrip("_")
    return fixed if valid_id(fixed) else ""


def _rating_like(raw) -> bool:
    if isinstance(raw, bool) or raw is None or isinstance(raw, Bad):
        return False
    if isinstance(raw, (int, float)):
        return 0 <= raw <= 1
    text = text_of(raw).strip()
    if not text or len(text) > 30:
        return False
    key = " ".join(text.lower().split())
    return (
        text.upper() in RATINGS
        or text.upper() == NA
        or other_rating(text, zero=True) is not None
        or key in TERMS
        or key in TERM_ALIASES
        or re.fullmatch(r"\d+(?:[.,]\d+)?\s*%|0?[.,]\d+|[01]", text) is not None
    )


def _known(raw, aliases: dict = ALIASES["evidence"]) -> bool:
    if not filled(raw) or isinstance(raw, Bad):
        return False
    norm = header_field(text_of(raw))
    return norm in FIELD_WORDS or norm in aliases or norm in NOTE_COLUMNS


def find_header(rows: list[tuple[int, list]], aliases: dict = ALIASES["evidence"], look: int = 10) -> int:
    """The index (in ``rows``) of the header row: the first of the first rows naming two item
    fields (``#``, ``Evidence``, ``id``, ``text``...), else the first naming one, else the first."""
    counts = [sum(_known(v, aliases) for v in cells) for _, cells in rows[:look]]
    for need in (2, 1):
        for i, n in enumerate(counts):
            if n >= need:
                return i
    return 0


def matrix_score(rows: list[tuple[int, list]], aliases: dict = ALIASES["evidence"]) -> int:
    """How much a sheet looks like an evidence matrix: the rating-like cells under a header that
    names the item's text, in columns that are not item fields (0: not a matrix)."""
    if not rows:
        return 0
    at = find_header(rows, aliases)
    header = rows[at][1]
    names = [header_field(text_of(v)) if filled(v) and not isinstance(v, Bad) else "" for v in header]
    if not any(n in TEXT_RANK or aliases.get(n) == "text" for n in names):
        return 0
    open_columns = [c for c, n in enumerate(names) if n and not _known(header[c], aliases)]
    if not open_columns:
        return 0
    return sum(_rating_like(cells[c]) for _, cells in rows[at + 1 :] for c in open_columns if c < len(cells))
