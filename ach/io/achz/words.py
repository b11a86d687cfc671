"""The words of PARC ACH files: catch-all hypothesis names, and dates as they are written.

PARC ACH 2.0 writes an item's date as milliseconds since 1970 (``0``: none);
older or hand-made files write text dates. Both become YYYY-MM-DD.
"""

from __future__ import annotations

import datetime as dt
import re

__all__ = ["DAY_MS", "QUARTER_HOUR_MS", "epoch_date", "is_catch_all", "parse_date"]

# A catch-all's name is made of these words only, and has at least one of the first kind.
_CATCH_ALL_CORE = {
    "other",
    "others",
    "another",
    "someone",
    "somebody",
    "something",
    "anyone",
    "anybody",
    "none",
    "unknown",
    "nobody",
    "else",
    "unidentified",
    "unlisted",
}


_CATCH_ALL_WORDS = _CATCH_ALL_CORE | {
    "all",
    "any",
    "some",
    "an",
    "a",
    "of",
    "the",
    "above",
    "or",
    "and",
    "actor",
    "actors",
    "group",
    "groups",
    "party",
    "parties",
    "explanation",
    "explanations",
    "cause",
    "causes",
    "hypothesis",
    "hypotheses",
    "possibility",
    "possibilities",
    "option",
    "options",
    "perpetrator",
    "perpetrators",
    "reason",
    "reasons",
    "answer",
    "answers",
    "person",
    "persons",
    "people",
    "entity",
    "entities",
}


def is_catch_all(name: str) -> bool:
    """'Other', 'Someone else', 'None of the above', 'Other / unknown actor' (parentheses ignored);
    not 'Another Iran-aligned militia'."""
    words = re.sub(r"[^a-z]+", " ", re.sub(r"\([^)]*\)", " ", name.lower())).split()
    return bool(_CATCH_ALL_CORE & set(words)) and set(words) <= _CATCH_ALL_WORDS


_MONTHS = {
    m: i for i, m in enumerate(("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), 1)
}


def parse_date(raw: str) -> tuple[str | None, str]:
    """(YYYY-MM-DD or None, a note for the item's notes or '')."""
    s = raw.strip()
    ymd, note = None, ""
    if m := re.fullmatch(r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[T ].*)?", s):
        ymd = int(m[1]), int(m[2]), int(m[3])
    elif m := re.fullmatch(r"(\d{4})(\d{2})(\d{2})", s):
        ymd = int(m[1]), int(m[2]), int(m[3])
    elif m := re.fullmatch(r"(\d{1,2})([-/.])(\d{1,2})\2(\d{4})(?:[T ].*)?", s):
        a, sep, b, y = int(m[1]), m[2], int(m[3]), int(m[4])
        if sep == "." or (a > 12 >= b):
            ymd = y, b, a  # day first: European dots, or unambiguous
        else:
            ymd = y, a, b  # month first, as the US software writes it
            if a <= 12 and b <= 12 and a != b:
                note = f"PARC ACH date '{raw}' read as month/day/year."
    elif m := re.fullmatch(r"(\d{1,2})\s+([A-Za-z]{3,})\.?,?\s+(\d{4})", s):
        ymd = (int(m[3]), _MONTHS.get(m[2][:3].lower(), 0), int(m[1])) if _full_month(m[2]) else None
    elif m := re.fullmatch(r"([A-Za-z]{3,})\.?\s+(\d{1,2}),?\s+(\d{4})", s):
        ymd = (int(m[3]), _MONTHS.get(m[1][:3].lower(), 0), int(m[2])) if _full_month(m[1]) else None
    try:
        if ymd:
            return dt.date(*ymd).isoformat(), note
    except ValueError:
        pass
    return None, f"PARC ACH date: {raw}"


def _full_month(word: str) -> bool:
    names = (
        "january",
        "february",
        "march",
        "april",
        "may",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
        "sept",
    )
    w = word.lower()
    return any(n.startswith(w) for n in names) and len(w) >= 3


DAY_MS = 86_400_000


QUARTER_HOUR_MS = 900_000


def epoch_date(ms: int) -> str | None:
    """YYYY-MM-DD for PARC ACH's milliseconds since 1970 (UTC), or None if no calendar holds it.

    A program that stores a date as an instant stores some midnight: the
    analyst's, in a time zone the file does not say. So an instant on a
    quarter hour (as every time zone's midnight is) is taken as the midnight
    nearest to it, the date of ``ms + 12 h`` (right for the midnights of time
    zones from UTC-11:45 to UTC+12, and for the 10:00 UTC ach writes); any
    other instant is read as its UTC date.
    """
    shift = 12 * 3_600_000 if ms % QUARTER_HOUR_MS == 0 else 0
    try:
        day = dt.date(1970, 1, 1) + dt.timedelta(days=(ms + shift) // DAY_MS)
    except OverflowError:
        return None
    return day.isoformat()
