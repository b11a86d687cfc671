"""The posterior along one input (a source's reliability, an item's credibility) and along time."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .. import exact
from .decomposition import Decomposition, leader_segments, leaders

__all__ = ["Curve", "Timeline", "credibility_sweep", "reliability_sweep", "timeline"]


@dataclass
class Curve:
    """The posterior as one input runs over a grid, and who leads where."""

    grid: np.ndarray  # (G,)
    posterior: np.ndarray  # (G, n)
    segments: list[tuple[float, float, str]]  # (from, to, hypothesis id) runs of one leader


def _curve(inputs, grid, posterior) -> Curve:
    return Curve(grid, posterior, leader_segments(grid, posterior, inputs.hypotheses))


def reliability_sweep(inputs, source: int, grid=None, parts: Decomposition | None = None) -> Curve:
    """The posterior (G, n) as source ``source``'s reliability runs over ``grid``."""
    parts = parts or Decomposition.of(inputs)
    grid = np.linspace(0, 1, 51) if grid is None else np.asarray(grid, float)
    total = parts.with_source_terms(
        source, parts.genuine_sum.total[source], parts.noise_sum.total[source], grid[:, None]
    )
    return _curve(inputs, grid, exact.normalise(total))


def credibility_sweep(inputs, item: int, grid=None, parts: Decomposition | None = None) -> Curve:
    """The posterior (G, n) as item ``item``'s credibility runs over ``grid``: at 0 the
    report is certainly not genuine (planted, if its if_false says by whom)."""
    parts = parts or Decomposition.of(inputs)
    grid = np.linspace(0, 1, 51) if grid is None else np.asarray(grid, float)
    with np.errstate(divide="ignore"):
        genuine = exact.item_term(grid[:, None], inputs.m[item], inputs.b[item])
    items = np.full(len(grid), item)
    noise = np.broadcast_to(parts.noise[item], genuine.shape)
    return _curve(inputs, grid, exact.normalise(parts.with_item_terms(items, genuine, noise)))


@dataclass
class Timeline:
    """The posterior as it stood after each evidence date, oldest first."""

    dates: list[str]  # "start" first when there are undated items
    posterior: np.ndarray  # (T, n)
    added: list[list[str]]  # the items each date added
    leaders: list[str]  # who leads after each date
    prior_leader: str  # who leads before any evidence


def timeline(inputs, dates: list[str | None], parts: Decomposition | None = None) -> Timeline:
    """The posterior after each evidence date; items without a date count from the start."""
    known = sorted({d for d in dates if d})
    steps = (["start"] if any(d is None for d in dates) else []) + known
    cutoff = np.array([d or "" for d in dates])
    parts = parts or Decomposition.of(inputs)
    source_sum = exact.SourceSum(inputs.source_index, len(inputs.sources))
    out = []
    for step in steps:
        absent = cutoff > ("" if step == "start" else step)
        genuine = np.where(absent[:, None], 0.0, parts.genuine)  # log 1: an absent item's terms
        noise = np.where(absent[:, None], 0.0, parts.noise)
        with np.errstate(divide="ignore", invalid="ignore"):
            log_source = exact.combine_source(inputs.r[:, None], source_sum(genuine), source_sum(noise))
            out.append(exact.normalise(np.log(inputs.prior) + log_source.sum(axis=0)))
    added = [[eid for eid, d in zip(inputs.items, dates) if (d or "start") == step] for step in steps]
    posterior = np.array(out).reshape(len(steps), len(inputs.hypotheses))
    return Timeline(
        steps,
        posterior,
        added,
        leaders(posterior, inputs.hypotheses) if steps else [],
        leaders(inputs.prior, inputs.hypotheses)[0],
    )
