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
from dataclasses import dataclass
from typing import Literal

__all__ = ["AchError", "CaseError", "Diagnostic", "EditError", "ScaleError", "errors_of", "suggest"]

Level = Literal["error", "warning"]
Path = tuple[str | int, ...]


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
        if self.path:
            out["path"] = list(self.path)
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
