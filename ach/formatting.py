"""The one set of formatters for numbers and text that ach shows a reader.

Everything that turns a probability into "47 %", a weight of evidence into
"+2.5", or a long title into "US government…" lives here, so the report, the
figures, the command line and the messages all write a number the same way.
No statistics here: only formatting.
"""

from __future__ import annotations

import json
import math
import textwrap

__all__ = [
    "clip",
    "count",
    "db",
    "fold",
    "interval",
    "join",
    "pair_pct",
    "pct",
    "pct1",
    "plain",
    "pp",
    "pp1",
    "quoted",
    "ratio",
    "short",
    "short_title",
    "times",
    "wrap",
    "wrap_lines",
]


# -- numbers -------------------------------------------------------------------
def pct(p: float, sign: bool = True) -> str:
    """Percent with as many digits as the number needs: 72 %, 0.4 %, <0.1 %, 0 %."""
    v = 100 * float(p)
    if v in (0.0, 100.0) or 1 <= v <= 99:
        text = f"{v:.0f}"
    elif v < 0.1:
        text = "<0.1"
    elif v > 99.9:
        text = ">99.9"
    else:
        text = f"{v:.1f}"
    return f"{text} %" if sign else text


def pct1(p: float) -> str:
    """One decimal, for tables that compare close numbers: '2.6 %'."""
    v = 100 * float(p)
    return f"{v:.1f} %" if v >= 0.05 or v == 0 else f"{v:.2g} %"


def pair_pct(a: str, pa: float, b: str, pb: float) -> str:
    """'ISIS 46 %, KH 32 %'; one decimal when the two would read the same."""
    fmt = pct1 if pct(pa) == pct(pb) else pct
    return f"{a} {fmt(pa)}, {b} {fmt(pb)}"


def interval(pair) -> str:
    """'58–83 %'; a lower end that rounds to nothing is written 0, not 0.00."""
    lo, hi = (float(x) for x in pair)
    low = "0" if 100 * lo < 0.005 else pct(lo, sign=False)
    return f"{low}–{pct(hi)}"


def pp(x: float) -> str:
    """Percentage points with two significant digits: '0.46 pp'."""
    return f"{100 * float(x):.2g} pp"


def pp1(x: float) -> str:
    """Percentage points with one decimal: '12.3 pp'."""
    return f"{100 * float(x):.1f} pp"


def db(value: float, unit: str = "") -> str:
    """A signed weight of evidence: '+2.5', '−1.0', '0.0' (no signed zero), '+∞'; NaN as a dash."""
    value = float(value)
    if math.isnan(value):
        return "–"
    if math.isinf(value):
        return ("+∞" if value > 0 else "−∞") + unit
    if abs(value) < 0.05:
        return "0.0" + unit
    return f"{value:+.1f}".replace("-", "−") + unit


def ratio(x: float) -> str:
    """A likelihood ratio: '5.9', '0.47', '12', '∞'."""
    x = float(x)
    if math.isnan(x):
        return "–"
    if math.isinf(x):
        return "∞"
    if x >= 10:
        return f"{x:.0f}"
    return f"{x:.1f}" if x >= 1 else f"{x:.2g}"


def fold(x: float) -> str:
    """A factor of at least 1: '12', '2.3'."""
    return f"{x:.0f}" if x >= 10 else f"{x:.1f}"


def times(x: float) -> str:
    """A factor that may be below 1: '12', '2.3', '0.45'."""
    return f"{x:.0f}" if x >= 10 else f"{x:.2g}" if x < 1 else f"{x:.1f}"


# -- text ----------------------------------------------------------------------
def clip(text, n: int = 60) -> str:
    """One line of at most ``n`` characters, cut anywhere with an ellipsis."""
    text = " ".join(str(text).split())
    return text if len(text) <= n else text[: n - 1] + "…"


def short(text, width: int = 48) -> str:
    """One line of at most ``width`` characters, cut at a word."""
    return textwrap.shorten(" ".join(str(text).split()), width=width, placeholder="…")


def short_title(title, width: int = 40) -> str:
    """A title without its parenthetical: 'US government (anonymous …)' -> 'US government'."""
    head = str(title).split(" (")[0].strip()
    return short(head or title, width)


def wrap(text, width: int = 28) -> str:
    return "\n".join(textwrap.wrap(str(text), width=width)) or str(text)


def wrap_lines(text, width: int, max_lines: int) -> str:
    """Wrapped to at most ``max_lines`` lines, the last one cut with an ellipsis."""
    lines = textwrap.wrap(" ".join(str(text).split()), width=width)
    if len(lines) > max_lines:
        lines = [*lines[: max_lines - 1], short(" ".join(lines[max_lines - 1 :]), width)]
    return "\n".join(lines) or str(text)


def quoted(value) -> str:
    """A value as the analyst would recognise it in a message, shortened: 'mid', 1.5, [1, 2]."""
    text = f"'{value}'" if isinstance(value, str) else json.dumps(value, default=str, ensure_ascii=False)
    return text if len(text) <= 60 else text[:59] + "…"


def plain(value) -> str:
    """A value in a line that says what an edit changed: mid, 1.5, true; long text in quotes, cut."""
    if isinstance(value, str):
        return value if value and len(value) <= 60 else repr(value[:57] + "…") if value else "''"
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def join(items) -> str:
    """'A', 'A and B', 'A, B and C'."""
    items = list(items)
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def count(things, word: str, plural: str = "") -> str:
    """'1 item', '3 items', '2 hypotheses' (``things``: anything with a length, or a number)."""
    n = things if isinstance(things, int) else len(things)
    return f"{n} {word if n == 1 else plural or word + 's'}"
