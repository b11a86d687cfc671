"""How figures name things: hypotheses, items and sources, shortened to fit (ArviZ's labeller idea)."""

from __future__ import annotations

from ..formatting import short, short_title, wrap, wrap_lines

__all__ = ["hypothesis_label", "hypothesis_labels", "item_label", "line_count", "source_label"]


def hypothesis_label(result, hid: str, width: int = 28, max_lines: int | None = None) -> str:
    """'Kataib Hezbollah (KH)', wrapped to ``width``; just the id when the title is the id.

    With ``max_lines``, a title too long for that many lines is abbreviated
    behind its id instead, 'KH: Kataib Hezbollah, directly or…', so the id
    is always there to read."""
    title = result.case.hypothesis(hid).title
    if not title or title == hid:
        return hid
    full = wrap(f"{title} ({hid})", width)
    if max_lines is None or line_count(full) <= max_lines:
        return full
    return wrap_lines(f"{hid}: {title}", width, max_lines)


def hypothesis_labels(result, hids, width: int = 28, max_lines: int | None = None) -> list[str]:
    """:func:`hypothesis_label` of each of ``hids``, all in one form: when one title has to be
    abbreviated behind its id, every one is written id first, so the labels read alike."""
    labels = [hypothesis_label(result, hid, width) for hid in hids]
    if max_lines is None or line_count(*labels) <= max_lines:
        return labels
    titles = [result.case.hypothesis(hid).title for hid in hids]
    return [wrap_lines(f"{hid}: {t}", width, max_lines) if t and t != hid else hid for hid, t in zip(hids, titles)]


def line_count(*labels: str) -> int:
    """The number of lines of the longest of ``labels`` (1 for none)."""
    return max((label.count("\n") + 1 for label in labels), default=1)


def item_label(result, i: int, width: int = 48) -> str:
    e = result.case.evidence[i]
    return f"{e.id}  {short(e.text, width)}" if e.text else e.id


def source_label(result, s: int, width: int = 40) -> str:
    """'source us-gov: US government', or just the id when the title adds nothing."""
    src = result.case.sources[s]
    name = short_title(src.title, width - len(src.id) - 10) if src.title else ""
    return f"source {src.id}: {name}" if name and name != src.id else f"source {src.id}"
