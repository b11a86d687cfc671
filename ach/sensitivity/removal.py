"""Leave one out: the posterior without each item, and without each source, and who leads then."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .. import exact
from .decomposition import Decomposition, leaders

__all__ = ["LeaveOneOut", "leave_one_out"]


@dataclass
class LeaveOneOut:
    items: np.ndarray  # (I, n) posterior without each item
    sources: np.ndarray  # (S, n) posterior without each source
    item_leaders: list[str | None]  # the hypothesis that leads without each item (None: a tie)
    source_leaders: list[str | None]  # ... without each source
    item_linchpins: list[int]  # items whose removal changes the leading hypothesis (none when it is tied)
    source_linchpins: list[int]


def leave_one_out(inputs, parts: Decomposition | None = None) -> LeaveOneOut:
    parts = parts or Decomposition.of(inputs)
    ones = np.zeros_like(parts.genuine)  # log 1: an absent item's terms
    items = exact.normalise(parts.with_item_terms(np.arange(len(inputs.items)), ones, ones))
    sources = exact.normalise(parts.without_source(np.arange(len(inputs.sources))))
    item_leaders = leaders(items, inputs.hypotheses) if len(items) else []
    source_leaders = leaders(sources, inputs.hypotheses) if len(sources) else []
    lead = None if parts.tied else inputs.hypotheses[parts.leader]
    return LeaveOneOut(
        items=items,
        sources=sources,
        item_leaders=item_leaders,
        source_leaders=source_leaders,
        item_linchpins=[i for i, who in enumerate(item_leaders) if lead is not None and who != lead],
        source_linchpins=[s for s, who in enumerate(source_leaders) if lead is not None and who != lead],
    )
