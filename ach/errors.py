"""Problems found in a user's input, each pinned to a file, a line and a field.

A :class:`Diagnostic` carries the analyst's words (``message``, ``field``,
``hint``) and, beside them, where the problem is for a program: ``path``, the
keys and list indexes from the top of the case file down to the value
(``("evidence", 6, "likelihood", "KH")``), and a short ``code`` saying what
kind of problem it is (``"missing-field"``). Importers map ``path`` to a
spreadsheet cell; nothing parses the messages.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from typing import Literal

__all__ = [
    "LINE",
    "QUOTED",
    "AchError",
    "CaseError",
    "Diagnostic",
    "EditError",
    "ScaleError",
    "bounded",
    "errors_of",
    "suggest",
]

Level = Literal["error", "warning"]
Path = tuple[str | int, ...]

QUOTED = 80  # characters of a quoted value a message shows: a 2 MB title is not printed whole
LINE = 400  # characters of one line of a message, hint or field at most, whatever it quotes unquoted

_SURROGATE = re.compile("[\ud800-\udfff]")
_OPEN = re.compile(r"(?<!\w)['\"`]")  # a quote after a space or a sign: not the apostrophe of "item's"
_CLOSE = {q: re.compile(re.escape(q) + r"(?!\w)") for q in "'\"`"}


def _whole(text: str) -> str:
    """Half a character ("\\ud800" in a YAML string) written as its escape: it cannot be printed."""
    if text.isascii() or not _SURROGATE.search(text):
        return text
    return _SURROGATE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def _cut(text: str) -> str:
    return text if len(text) <= QUOTED else text[:QUOTED] + "…"


def bounded(text: str) -> str:
    """``text`` with every quoted value over :data:`QUOTED` characters cut ('xxx…' (2,000,000 characters)),
    then every line over :data:`LINE` characters cut. At most linear in the length of ``text``."""
    if len(text) <= QUOTED or (len(text) <= LINE and "'" not in text and '"' not in text and "`" not in text):
        return text
    out, i, dead = [], 0, set()  # dead: quote marks with no closing mark further on
    for _ in range(1000):  # a text of quote marks is not scanned mark by mark: the line limit cuts the rest
        opened = _OPEN.search(text, i)
        if opened is None:
            break
        mark = opened.group()
        if mark in dead:
            out.append(text[i : opened.end()])
            i = opened.end()
            continue
        closed = _CLOSE[mark].search(text, opened.end())
        if closed is None:
            dead.add(mark)
            out.append(text[i : opened.end()])
            i = opened.end()
            continue
        inner = text[opened.end() : closed.start()]
        out.append(text[i : opened.end()])
        out.append(inner if len(inner) <= QUOTED else f"{inner[:QUOTED]}…{mark} ({len(inner):,} characters)")
        out.append("" if len(inner) > QUOTED else mark)
        i = closed.end()
    out.append(text[i:])
    lines = "".join(out).split("\n")
    return "\n".join(x if len(x) <= LINE else f"{x[: LINE - 40]}… ({len(x):,} characters)" for x in lines)


@dataclass(frozen=True)
class Diagnostic:
    level: Level
    message: str
    file: str = "<case>"
    line: int | None = None  # 1-based
    field: str = ""  # human path, e.g. "evidence E4 › likelihood › ISIS"
    hint: str = ""  # what would fix it
    path: Path = ()  # machine path from the top of the case file, e.g. ("evidence", 3, "likelihood", "ISIS")
    code: str = ""  # kind of problem, e.g. "missing-field", "unknown-source"

    def __post_init__(self):  # a value quoted in full would bury the problem (and the terminal)
        for name in ("message", "hint", "field"):
            text = getattr(self, name)
            if isinstance(text, str):
                object.__setattr__(self, name, _whole(text))
        for name in ("message", "hint"):
            text = getattr(self, name)
            if isinstance(text, str) and len(text) > QUOTED:
                object.__setattr__(self, name, bounded(text))
        if isinstance(self.field, str) and len(self.field) > QUOTED:  # "evidence <an id of 1 MB> › source"
            parts = (
                p if len(p) <= QUOTED else f"{p[:QUOTED]}… ({len(p):,} characters)" for p in self.field.split(" › ")
            )
            object.__setattr__(self, "field", bounded(" › ".join(parts)))

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        field = f" {self.field}:" if self.field else ""
        hint = f"\n    hint: {self.hint}" if self.hint else ""
        return f"{where}: {self.level}:{field} {self.message}{hint}"

    @property
    def is_error(self) -> bool:
        return self.level == "error"

    def to_dict(self) -> dict:
        out = {k: v for k, v in self.__dict__.items() if v not in ("", None, ())}
        if self.path:  # bounded too: a key of a million characters is shown by its start
            out["path"] = [p if not isinstance(p, str) else _cut(_whole(p[: QUOTED * 6])) for p in self.path]
        return out


class AchError(Exception):
    """Base of every error ach raises on purpose (as opposed to a bug)."""


class CaseError(AchError):
    """A case that cannot be analysed; carries every problem found, not just the first."""

    def __init__(self, diagnostics: list[Diagnostic]):
        self.diagnostics = list(diagnostics)
        super().__init__("\n".join(map(str, errors_of(self.diagnostics) or self.diagnostics)))


class EditError(CaseError):
    """An edit that was refused; the file is unchanged."""


class ScaleError(AchError, ValueError):
    """A rating that no scale understands; ``hint`` says what would be accepted."""

    def __init__(self, message: str, hint: str = ""):
        super().__init__(message)
        self.hint = hint


def errors_of(diagnostics) -> list[Diagnostic]:
    return [d for d in diagnostics if d.is_error]


def suggest(text: str, options) -> str:
    """'did you mean X?' for the closest option (case-blind, keeping its spelling), or ''."""
    options = [str(o) for o in options]
    lowered = {o.lower(): o for o in options}
    close = [lowered[str(text).lower()]] if str(text).lower() in lowered else []
    close = close or difflib.get_close_matches(str(text), options, n=1, cutoff=0.5)
    if not close:
        close = [lowered[c] for c in difflib.get_close_matches(str(text).lower(), list(lowered), n=1, cutoff=0.5)]
    return f"did you mean '{close[0]}'?" if close else ""
