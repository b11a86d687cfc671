"""How figures name things: hypotheses, items and sources, shortened to fit (ArviZ's labeller idea)."""

from __future__ import annotations

from ..formatting import short, short_title, wrap

__all__ = ["hypothesis_label", "item_label", "source_label"]


def hypothesis_label(result, hid: str, width: int = 28) -> str:
    """'Kataib Hezbollah (KH)', wrapped; just the id when the title is the id."""
    title = result.case.hypothesis(hid).title
    return wrap(f"{title} ({hid})" if title and title != hid else hid, width)


def item_label(result, i: int, width: int = 48) -> str:
    e = result.case.evidence[i]
    return f"{e.id}  {short(e.text, width)}" if e.text else e.id


def source_label(result, s: int, width: int = 40) -> str:
    """'source us-gov: US government', or just the id when the title adds nothing."""
    src = result.case.sources[s]
    name = short_title(src.title, width - len(src.id) - 10) if src.title else ""
    return f"source {src.id}: {name}" if name and name != src.id else f"source {src.id}"
