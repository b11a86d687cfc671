"""What every tool importer shares: hypothesis ids, sources named in text, levels, unrated cells, the header."""

from __future__ import annotations

import re
import textwrap
import unicodedata

from ...casefile.dump import DEFAULT_RELIABILITY
from ...formatting import clip, count
from ...scales import NA, RATINGS
from ..achz.words import is_catch_all
from .jsondoc import Walk, writable

__all__ = [
    "CLASSIC",
    "LEVELS",
    "MAX_HYPOTHESES",
    "MAX_ITEMS",
    "Sources",
    "header",
    "hypotheses",
    "level",
    "ordered",
    "question_for",
    "ratings_line",
    "unrated",
]

CLASSIC = (*RATINGS, NA)

# As for PARC ACH files (ach.io.achz): far above a real matrix, and what the loader checks in seconds.
MAX_HYPOTHESES = 100
MAX_ITEMS = 5_000

LEVELS = {"high": "high", "medium": "medium", "moderate": "medium", "low": "low"}

ITEM_ORDER = ("id", "text", "source", "type", "likelihood", "credibility", "relevance", "citation", "notes")


def level(value) -> str | None:
    """'High', 'medium', 'Moderate' -> high / medium / medium; None for anything else."""
    return LEVELS.get(value.strip().lower()) if isinstance(value, str) else None


def ordered(item: dict) -> dict:
    """An evidence entry with its keys in the order a hand-written case file has them."""
    return {k: item[k] for k in ITEM_ORDER if k in item}


def question_for(title: str) -> str:
    return f"Which hypothesis best explains the evidence in '{title}'?"


def ratings_line() -> str:
    return ", ".join(f"{k} {v:.2f}" for k, v in RATINGS.items())


def hypotheses(walk: Walk, found: list[tuple[str, str, str]]) -> list[dict]:
    """Case entries H1, H2, … for (path, title, description) in order; the catch-all marked where one
    looks like it ('Other', 'Someone else'); a warning for titles written twice."""
    out = []
    for j, (_, title, description) in enumerate(found, start=1):
        spec = {"id": f"H{j}", "title": title}
        if description and description != title:
            spec["description"] = description
        out.append(spec)
    titles = [h["title"] for h in out]
    for title in sorted({t for t in titles if titles.count(t) > 1}):
        walk.warn(
            found[titles.index(title)][0],
            f"two hypotheses are both called '{clip(title)}'",
            "they stay separate (their H ids differ); rename one in the new file",
        )
    catch = [h for h in out if is_catch_all(h["title"])]
    if catch:
        catch[-1]["catch_all"] = True
    return out


class Sources:
    """The sources the items name in words, one entry per distinct text (case and spacing ignored).

    The tools rate no source, so each entry's reliability is the loader's own default for an
    unsourced item (1), and its notes open with a TODO that ``ach validate`` reports until the
    analyst sets it.
    """

    def __init__(self, tool: str):
        self.tool = tool
        self.entries: list[dict] = []
        self._ids: dict[str, str] = {}

    def id_for(self, text: str) -> str | None:
        """The source id for an item's source text; None for no text."""
        text = " ".join(text.split())
        if not text:
            return None
        key = text.casefold()
        if key not in self._ids:
            sid = _slug(text, {e["id"] for e in self.entries}, len(self.entries) + 1)
            self._ids[key] = sid
            self.entries.append(
                {
                    "id": sid,
                    "title": text,
                    "reliability": DEFAULT_RELIABILITY,
                    "notes": f"TODO reliability: {self.tool} rates no sources, so {DEFAULT_RELIABILITY} "
                    "(fully reliable) stands in until you set it",
                }
            )
        return self._ids[key]


def _slug(text: str, taken: set[str], n: int) -> str:
    """'ESET, Microsoft, US-CERT' -> 'eset-microsoft-us-cert' (at most 40 characters, unique); S<n> if
    nothing of the text can be an id."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    if len(slug) > 40:
        slug = slug[:40].rsplit("-", 1)[0] if "-" in slug[:40] else slug[:40]
    slug = slug or f"S{n}"
    out, k = slug, 2
    while out in taken:
        out, k = f"{slug}-{k}", k + 1
    return out


def unrated(walk: Walk, path: str, cells: list[str], tool: str) -> None:
    """One warning listing the cells the export leaves unrated (they are read as NA)."""
    if not cells:
        return
    shown = ", ".join(cells[:12]) + (f", … ({len(cells) - 12} more)" if len(cells) > 12 else "")
    walk.warn(
        path,
        f"{count(cells, 'cell')} not rated in the export, read as NA (the cell says nothing, as {tool} "
        f"scores it): {shown}",
        "rate them in the new file (`ach rate`), or leave NA where the item does not bear on the hypothesis",
        code="tool-unrated",
    )


def header(intro: str, did: list[str], todo: list[str], warnings) -> str:
    """The comment block on top of the new case file: where it came from, what was done, what is left."""
    lines = [*textwrap.wrap(intro, 96), "", "What the import did"]
    for entry in did:
        lines += textwrap.wrap(entry, 96, initial_indent="  - ", subsequent_indent="    ")
    lines += ["", "What to do now"]
    for entry in todo:
        lines += textwrap.wrap(entry, 96, initial_indent="  - ", subsequent_indent="    ")
    if warnings:
        lines += ["", "Import warnings"]
        for d in warnings[:50]:
            lines.append(f"  - {d.field + ': ' if d.field else ''}{clip(d.message, 200)}")
        if len(warnings) > 50:
            lines.append(f"  - … and {len(warnings) - 50} more")
    return writable("\n".join(lines))  # a key or a title in a message may hold a control character
