"""A section that a higher floor adds to a report: the team's pooled judgment, for one.

The report never computes or imports what it shows: a :class:`Section` hands
it plain, already formatted data, its figures as PNG bytes and the name of
the template pair (``<template>.html.j2`` and ``<template>.md.j2`` in
``ach/report/templates``) that renders it, escaped like the rest of the report.
"""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["Section", "SectionFigure", "entries"]


@dataclass(frozen=True)
class SectionFigure:
    name: str  # unique in the report: the file figures/<name>.png
    title: str
    caption: str
    png: bytes = field(repr=False)


@dataclass(frozen=True)
class Section:
    id: str  # the HTML anchor
    title: str  # the heading, and the link in the contents
    template: str  # renders <template>.html.j2 and <template>.md.j2
    data: dict
    figures: tuple[SectionFigure, ...] = ()


def entries(sections, numbered: int) -> list[dict]:
    """The sections as the templates read them, their figures numbered on from the report's ``numbered``."""
    out = []
    for s in sections:
        figures = [
            {"name": f.name, "number": numbered + k, "title": f.title, "caption": f.caption}
            for k, f in enumerate(s.figures, start=1)
        ]
        numbered += len(figures)
        out.append({"id": s.id, "title": s.title, "template": s.template, "data": s.data, "figures": figures})
    return out
