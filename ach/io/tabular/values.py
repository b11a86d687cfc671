"""The value in one cell, read by its column's kind: a rating, a level, a date, a number, if_false.

:class:`CellReader` is the half of :class:`~ach.io.tabular.cells.Reader` that
turns a cell into a case-file value, reporting a cell it cannot read at the
cell (``error``/``warn`` come from the Reader).
"""

from __future__ import annotations

import datetime as dt
import math
import re

from .read import Bad, Place

__all__ = ["FAILED", "CellReader", "cell", "date_of", "outcome_of", "text_of"]

_INT = re.compile(r"[-+]?\d+")
_FLOAT = re.compile(r"[-+]?(?:\d+\.\d*|\.\d+|\d+)(?:[eE][-+]?\d+)?")
_COMMA_DECIMAL = re.compile(r"[-+]?\d+,\d+")
_TRUE = {"true", "yes", "y", "x", "1", "t", "✓"}
_FALSE = {"false", "no", "n", "0", "f", "-"}


class CellReader:
    """Reads one cell's value for a Reader (which provides ``error`` and ``warn``)."""

    def acknowledged(self, text: str, place: Place):
        """``CODE [at ID]: why`` per line (as :func:`~.layout.acknowledge_text` writes it) as entries."""
        entries = []
        for line in filter(str.strip, text.splitlines()):
            match = _ACKNOWLEDGED.fullmatch(line.strip())
            if match is None:
                self.error(
                    place,
                    f"'{line.strip()}' is not an acknowledged warning",
                    "write one per line: the warning's code, 'at' and an id if it is about one, ':' and why, "
                    "e.g. non-diagnostic at E13: kept as a lesson",
                )
                return FAILED
            entries.append({k: v for k, v in match.groupdict().items() if v is not None})
        return entries or None

    def value(self, kind: str, raw, place: Place):
        """The case-file value of one cell: None if blank, FAILED after an error."""
        if isinstance(raw, Bad):
            self.error(place, raw.message, raw.hint)
            return FAILED
        if raw is None or raw == "":
            return None
        if kind == "text":
            return text_of(raw)
        if kind == "acknowledge":
            return self.acknowledged(text_of(raw), place)
        if kind == "outcome":
            return outcome_of(text_of(raw))
        if kind == "judgment":
            return self.if_false(raw, place)  # the same cell form: one per hypothesis, KH: 0.7 or KH=0.7; ...
        if isinstance(raw, str) and not raw.strip():
            return None
        if kind == "id":
            return text_of(raw).strip()
        if (isinstance(raw, float) and not math.isfinite(raw)) or (isinstance(raw, str) and _infinite(raw)):
            self.error(place, f"'{text_of(raw).strip()}' is not a finite number", "write an ordinary number")
            return FAILED
        if kind == "level":
            return (
                raw.strip().lower() if isinstance(raw, str) else raw if isinstance(raw, (int, float)) else text_of(raw)
            )
        if kind == "date":
            return date_of(raw)
        if kind == "bool":
            if isinstance(raw, bool):
                return raw
            word = text_of(raw).strip().lower()
            if word in _TRUE:
                return True
            if word in _FALSE:
                return False
            self.error(
                place, f"'{text_of(raw)}' is not yes or no", "write TRUE or FALSE (or yes/no), or leave it empty"
            )
            return FAILED
        if kind in ("rating", "number", "credibility", "reliability"):
            if isinstance(raw, (dt.datetime, dt.date, dt.time, dt.timedelta)):
                return text_of(raw)
            if isinstance(raw, str):
                number = _number(raw)
                return raw.strip() if number is None else number
            return raw
        if kind == "if_false":
            return self.if_false(raw, place)
        if kind == "band":
            if isinstance(raw, (int, float)) and not isinstance(raw, bool):
                return [raw]
            parts = [p for p in re.split(r"\s*(?:[,;]|\s+to\s+|\s)\s*", text_of(raw).strip().strip("[]()")) if p]
            numbers = [_number(p) for p in parts]
            if len(numbers) != 2 or any(n is None for n in numbers):
                self.error(
                    place,
                    f"'{text_of(raw)}' is not a band",
                    "write the 5-95 % band as two numbers: low, high (e.g. 0.55, 0.8)",
                )
                return FAILED
            return numbers
        raise AssertionError(kind)

    def if_false(self, raw, place: Place):
        if isinstance(raw, bool) or not isinstance(raw, (int, float, str)):
            return text_of(raw)  # the loader says what is wrong with it
        if not isinstance(raw, str):
            return raw
        text = raw.strip()
        number = _number(text)
        if number is not None:
            return number
        if text in ("{}", "{ }"):
            return {}
        pieces = [p for p in re.split(r"[;\n]", text) if p.strip()]
        if len(pieces) == 1 and pieces[0].count("=") + pieces[0].count(":") > 1:
            pieces = [p for p in pieces[0].split(",") if p.strip()]
        out = {}
        for piece in pieces:
            m = re.fullmatch(r"\s*([^=:\s]+)\s*[=:]\s*(.*?)\s*", piece)
            if not m:
                self.error(
                    place,
                    f"'{text}' is neither a number nor one per hypothesis",
                    "write one probability (0.3), or one per hypothesis: H1=0.3; H2=0.5",
                )
                return FAILED
            value = _number(m[2])
            out[m[1]] = value if value is not None else m[2]
        return out


FAILED = object()


def cell(cells: list, c: int):
    return cells[c - 1] if 0 < c <= len(cells) else None


def text_of(raw) -> str:
    """Any cell as the text it shows."""
    if isinstance(raw, str):
        return raw
    if isinstance(raw, bool):
        return "TRUE" if raw else "FALSE"
    if isinstance(raw, float):
        return str(int(raw)) if raw.is_integer() and abs(raw) < 2**53 else repr(raw)
    if isinstance(raw, int):
        return str(raw)
    if isinstance(raw, dt.datetime):
        return raw.date().isoformat() if raw.time() == dt.time() else raw.isoformat(sep=" ")
    if isinstance(raw, (dt.date, dt.time)):
        return raw.isoformat()
    return str(raw)


OUTCOME_FIELDS = ("hypothesis", "date", "source", "note")


def outcome_of(text: str):
    """An outcome cell (as :func:`~.layout.outcome_text` writes it) as the case file's value:
    'unresolved'; ``key: value`` per line (a line that names no field continues the one before);
    a single word alone is the hypothesis. The loader checks what it names."""
    text = text.strip()
    if not text or text.lower() == "unresolved":
        return text.lower() or None
    out: dict = {}
    last = None
    for line in text.splitlines():
        key, sep, value = line.partition(":")
        if sep and key.strip().lower() in OUTCOME_FIELDS:
            last = key.strip().lower()
            out[last] = value.strip()
        elif last is not None:
            out[last] += "\n" + line
        elif not sep and len(text.split()) == 1:
            out["hypothesis"] = text
        else:
            return text  # the loader says it is neither
    return out


def date_of(raw):
    """A date cell as YYYY-MM-DD (Excel dates, serial numbers, text)."""
    if isinstance(raw, dt.datetime):
        return raw.date().isoformat()
    if isinstance(raw, dt.date):
        return raw.isoformat()
    if isinstance(raw, (int, float)) and not isinstance(raw, bool) and 1 <= raw < 2958466 and float(raw).is_integer():
        from openpyxl.utils.datetime import from_excel

        return from_excel(raw).date().isoformat()
    return text_of(raw).strip()


_ACKNOWLEDGED = re.compile(r"(?P<warning>[\w.-]+)(?: at (?P<at>\S+))?\s*:\s*(?P<why>.+)")


def _infinite(text: str) -> bool:
    number = _number(text)
    return isinstance(number, float) and not math.isfinite(number)


def _number(text: str):
    """A number written as text ('0.3', '3', '1.0', '30%', '0,3'), or None."""
    body = text.strip()
    percent = body.endswith("%")
    if percent:
        body = body[:-1].strip()
    if _COMMA_DECIMAL.fullmatch(body):
        body = body.replace(",", ".")
    if _INT.fullmatch(body):
        value = int(body)
    elif _FLOAT.fullmatch(body):
        value = float(body)
    else:
        return None
    return value / 100 if percent else value
