"""Problems found in a user's input, each pinned to a file, a line and a field."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Diagnostic:
    level: str  # "error" or "warning"
    message: str
    file: str = "<case>"
    line: int | None = None  # 1-based
    field: str = ""  # human path, e.g. "evidence E4 › likelihood › ISIS"
    hint: str = ""  # what would fix it

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        field = f" {self.field}:" if self.field else ""
        hint = f"\n    hint: {self.hint}" if self.hint else ""
        return f"{where}: {self.level}:{field} {self.message}{hint}"

    def to_dict(self) -> dict:
        return {k: v for k, v in self.__dict__.items() if v not in ("", None)}


class CaseError(Exception):
    """A case that cannot be analysed; carries every problem found, not just the first."""

    def __init__(self, diagnostics: list[Diagnostic]):
        self.diagnostics = list(diagnostics)
        errors = [d for d in self.diagnostics if d.level == "error"]
        super().__init__("\n".join(map(str, errors or self.diagnostics)))
