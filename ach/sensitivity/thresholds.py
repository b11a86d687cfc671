"""What would change our mind: the smallest edit of one item, and the prior odds, that would change the leader."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .. import exact
from .decomposition import Decomposition

__all__ = ["PriorThreshold", "Threshold", "item_thresholds", "prior_threshold"]


@dataclass
class Threshold:
    """The smallest single edit of one item's likelihoods that changes the leader.

    The edit is the one an analyst makes (``ach whatif --set ITEM.HYP=VALUE``,
    or re-rating the cell in the file): one cell set to a new number, with the
    item's default ``if_false`` (the mean of its likelihoods) following it.
    Raised (``direction == "raise"``) to ``to = from × factor`` or lowered to
    ``to = from / factor``; ``factor`` is None when no single cell of the item
    can change the leader on its own.
    """

    item: str
    rival: str | None  # the hypothesis that leads just past the edit (None: it cannot)
    hypothesis: str | None  # the cell edited
    direction: str | None  # "raise" or "lower"
    value_from: float | None
    value_to: float | None
    factor: float | None  # >= 1: how many times the cell must be raised (or lowered)
    ratio: float  # the item's likelihood ratio leader : rival (or runner-up) now


LIMIT = 1e-6  # edits explore likelihoods in [LIMIT, 1 - LIMIT]: beyond, a rating says "impossible" or "certain"


GRID = 32  # points per cell and direction on which the first change of leader is sought, then refined


CHUNK = 20_000  # probes evaluated at once (memory: CHUNK x hypotheses)


def _probe(inputs, parts: Decomposition, items, cells, values) -> np.ndarray:
    """Unnormalised log posteriors (P, n) with cell ``cells[p]`` of item ``items[p]`` set to ``values[p]``,
    the item's default if_false recomputed as the analyst's edit would recompute it."""
    m = inputs.m[items].copy()
    na = inputs.na[items].copy()
    rows = np.arange(len(items))
    m[rows, cells] = values
    na[rows, cells] = False
    b = inputs.b[items].copy()
    follows = inputs.b_is_mean[items]
    if follows.any():
        rated = np.where(na, 0.0, m)
        mean = rated.sum(axis=1) / np.maximum((~na).sum(axis=1), 1)
        b[follows] = mean[follows, None]
    m = np.where(na, b, m)
    with np.errstate(divide="ignore"):
        genuine = exact.item_term(inputs.k[items][:, None], m, b)
        noise = np.log(b)
    return parts.with_item_terms(items, genuine, noise)


def _flips(total: np.ndarray, lead: int) -> np.ndarray:
    """Whether another hypothesis leads outright in each row."""
    others = total.copy()
    others[:, lead] = -np.inf
    return others.max(axis=1) > total[:, lead]


def _may_flip(inputs, parts, items, cells, up, start, edge, lead) -> np.ndarray:
    """Whether moving cell ``cells[p]`` of ``items[p]`` from ``start`` to ``edge`` could change the leader.

    Along the move every hypothesis's log posterior is monotone in the cell's
    value: the cell, the mean if_false that follows it and the not-rated cells
    that equal that mean all rise with it, and every term rises with them. So a
    rival can pass the leader somewhere on the way only if it passes the leader
    held at its best end (raising: the rival at the edge against the leader at
    the start; lowering: the other way round). Exact, and most probes stop here.
    """
    out = np.zeros(len(items), bool)
    unmoved = start == inputs.m[items, cells]  # the cell as rated (not clipped): the case as it stands
    for lo in range(0, len(items), CHUNK):
        sl = slice(lo, lo + CHUNK)
        at_start = np.broadcast_to(parts.total, (len(items[sl]), len(parts.total))).copy()
        moved = np.flatnonzero(~unmoved[sl])
        if len(moved):
            at_start[moved] = _probe(inputs, parts, items[sl][moved], cells[sl][moved], start[sl][moved])
        at_edge = _probe(inputs, parts, items[sl], cells[sl], edge[sl])
        high = np.where(up[sl, None], at_edge, at_start)  # every hypothesis at its highest on the way
        low_lead = np.where(up[sl], at_start[:, lead], at_edge[:, lead])
        high[:, lead] = -np.inf
        out[sl] = high.max(axis=1) > low_lead
    return out


def item_thresholds(inputs, parts: Decomposition | None = None) -> list[Threshold]:
    """For each item, the smallest edit of one of its likelihoods (in log-odds) that changes the leader.

    Each cell is moved up towards 1 and down towards 0; the first value on a
    log-odds grid at which another hypothesis leads is refined by bisection.
    Through a source that may be unreliable or an item that may be false, an
    item's pull is bounded, so some items cannot overturn the judgment on their
    own. With a tie there is no leader to overturn: no thresholds.
    """
    parts = parts or Decomposition.of(inputs)
    if parts.tied:
        return []
    lead = parts.leader
    n_items, n = inputs.m.shape
    m0 = np.clip(inputs.m, LIMIT, 1 - LIMIT)
    # every (item, cell, direction) probe, on a grid in log-odds from the cell to the edge
    item_ix, cell_ix, up = (
        a.ravel() for a in np.meshgrid(np.arange(n_items), np.arange(n), [True, False], indexing="ij")
    )
    start = logit(m0[item_ix, cell_ix])
    edge = np.where(up, logit(1 - LIMIT), logit(LIMIT))
    may = _may_flip(inputs, parts, item_ix, cell_ix, up, m0[item_ix, cell_ix], expit(edge), lead)
    live = np.flatnonzero(may & (start != edge))
    steps = np.linspace(0, 1, GRID + 1)[1:]
    grid = start[live, None] + (edge - start)[live, None] * steps  # (live probes, GRID): only those that may flip
    flipped = np.zeros(grid.shape, bool)
    per_chunk = max(CHUNK // GRID, 1)
    for lo in range(0, len(live), per_chunk):
        rows = np.arange(lo, min(lo + per_chunk, len(live)))
        total = _probe(
            inputs,
            parts,
            np.repeat(item_ix[live[rows]], GRID),
            np.repeat(cell_ix[live[rows]], GRID),
            expit(grid[rows]).ravel(),
        )
        flipped[rows] = _flips(total, lead).reshape(len(rows), GRID)
    flips = flipped.any(axis=1)  # of the live probes
    first = np.argmax(flipped, axis=1)
    at = np.arange(len(live))
    hi = grid[at, first]  # flips
    lo_ = np.where(first > 0, grid[at, np.maximum(first - 1, 0)], start[live])  # does not
    idx = live[flips]
    a, b = lo_[flips], hi[flips]
    for _ in range(40):  # bisection in log-odds
        mid = (a + b) / 2
        flip = _flips(_probe(inputs, parts, item_ix[idx], cell_ix[idx], expit(mid)), lead)
        b = np.where(flip, mid, b)
        a = np.where(flip, a, mid)
    boundary = np.full(len(start), np.nan)
    boundary[idx] = b
    rival = np.full(len(start), -1)
    if len(idx):
        past = _probe(inputs, parts, item_ix[idx], cell_ix[idx], expit(b))
        past[:, lead] = -np.inf
        rival[idx] = np.argmax(past, axis=1)
    found = np.zeros(len(start), bool)
    found[idx] = True
    distance = np.where(found, np.abs(boundary - start), np.inf).reshape(n_items, n * 2)
    hyps = inputs.hypotheses
    runner_up = int(np.argsort(-parts.total)[1]) if n > 1 else lead
    out = []
    for i, eid in enumerate(inputs.items):
        p = int(np.argmin(distance[i])) + i * n * 2
        with np.errstate(divide="ignore", invalid="ignore"):
            if not np.isfinite(distance[i].min()):
                ratio = float(inputs.m[i, lead] / inputs.m[i, runner_up])
                out.append(Threshold(eid, None, None, None, None, None, None, ratio))
                continue
            j, r = int(cell_ix[p]), int(rival[p])
            old, new = float(inputs.m[i, j]), float(expit(boundary[p]))
            factor = (new / old if old > 0 else np.inf) if up[p] else old / new
            out.append(
                Threshold(
                    eid,
                    hyps[r],
                    hyps[j],
                    "raise" if up[p] else "lower",
                    old,
                    new,
                    float(factor),
                    float(inputs.m[i, lead] / inputs.m[i, r]),
                )
            )
    return out


def logit(p):
    return np.log(p) - np.log1p(-p)


def expit(x):
    return 1.0 / (1.0 + np.exp(-x))


@dataclass
class PriorThreshold:
    rival: str
    odds_now: float  # prior odds rival : leader as stated
    odds_needed: float  # prior odds rival : leader that would make the rival lead


def prior_threshold(inputs, parts: Decomposition | None = None) -> PriorThreshold | None:
    """'You would need to believe beforehand that the rival is N times more
    likely than the leader': the rival needing the smallest such N (None when tied)."""
    parts = parts or Decomposition.of(inputs)
    if parts.tied:
        return None
    lead = parts.leader
    post = parts.posterior
    best = None
    for h in range(len(inputs.hypotheses)):
        if h == lead or post[h] == 0:
            continue
        now = inputs.prior[h] / inputs.prior[lead]
        needed = now * post[lead] / post[h]
        if best is None or needed < best.odds_needed:
            best = PriorThreshold(inputs.hypotheses[h], float(now), float(needed))
    return best
