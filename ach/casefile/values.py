"""Small shared pieces of reading a case file: the set-aside marker and the hints."""

from __future__ import annotations

from ..errors import ScaleError, suggest

__all__ = ["INVALID", "id_hint", "input_hint", "text_of", "valid"]


class _Invalid:
    """Stands for a value the schema rejected: reported once, then ignored."""

    def __repr__(self) -> str:
        return "<invalid>"


INVALID = _Invalid()


def valid(value) -> bool:
    return value is not INVALID


def text_of(value, default: str = "") -> str:
    return value if isinstance(value, str) else default


def input_hint(exc: ScaleError, value, admiralty: dict) -> str:
    """A number out of range for reliability or credibility: also say the codes exist."""
    if isinstance(value, (int, float)):
        codes = ", ".join(map(str, admiralty))
        return f"write a probability between 0 and 1, one of low, medium, high, or an Admiralty code ({codes})"
    return exc.hint


def id_hint(text: str, options: list[str]) -> str:
    allowed = f"the hypotheses are {', '.join(sorted(options))}"
    return "; ".join(filter(None, [suggest(text, options), allowed]))
