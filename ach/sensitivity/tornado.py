"""The tornado: each uncertain input swung across its 5-95 % interval, the others at their means."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from .. import exact
from ..scales import beta_params
from .decomposition import Decomposition

__all__ = ["Q", "Swing", "Swings", "tornado"]


Q = 0.05  # swings run from the 5 % to the 95 % point of each input


@dataclass
class Swing:
    kind: str  # "likelihood", "credibility", "reliability", "prior"
    id: str  # evidence id (likelihood, credibility), source id (reliability) or hypothesis id (prior)
    hypothesis: str | None  # for a likelihood cell
    low: float  # the input at its 5 % point
    high: float  # ... and its 95 % point
    p_low: float  # P(leader) with the input at its low value
    p_high: float

    @property
    def width(self) -> float:
        return abs(self.p_high - self.p_low)

    @property
    def label(self) -> str:
        return self.label_of(self.kind, self.id, self.hypothesis)

    @staticmethod
    def label_of(kind: str, id: str, hypothesis: str | None) -> str:
        return f"{id} likelihood under {hypothesis}" if kind == "likelihood" else f"{id} {kind}"


def _quantiles(mean, kappa):
    """5 % and 95 % points of each input's Beta; fixed inputs stay put.

    Inputs share a few Betas (a rating scale, numbers to three decimals): each
    distinct one is inverted once (10,000 × 50 cells: 1,000,000 calls became 2,000)."""
    from scipy.special import betaincinv

    free, a, b = beta_params(mean, kappa)
    pairs, where = np.unique(np.stack([a[free], b[free]], axis=-1), axis=0, return_inverse=True)
    lo, hi = np.array(mean, float), np.array(mean, float)
    lo[free] = betaincinv(pairs[:, 0], pairs[:, 1], Q)[where.ravel()]
    hi[free] = betaincinv(pairs[:, 0], pairs[:, 1], 1 - Q)[where.ravel()]
    return free, lo, hi


class Swings(Sequence):
    """Every swing, longest first, held as columns: a 10,000 × 50 case has half a million,
    too many to make an object of each; an object is made for the rows that are read."""

    FIELDS = ("kind", "id", "hypothesis", "low", "high", "p_low", "p_high")

    def __init__(self, parts: list[tuple]):
        columns = [
            np.concatenate([np.asarray(part[f], dtype=float if f > 2 else object) for part in parts])
            if parts
            else np.empty(0, dtype=float if f > 2 else object)
            for f in range(len(self.FIELDS))
        ]
        order = np.argsort(-np.abs(columns[6] - columns[5]), kind="stable")  # longest first; ties keep their order
        self._columns = dict(zip(self.FIELDS, (c[order] for c in columns)))

    def __len__(self) -> int:
        return len(self._columns["low"])

    def __getitem__(self, at):
        if isinstance(at, slice):
            return [self[i] for i in range(*at.indices(len(self)))]
        c = self._columns
        return Swing(*(c[f][at] if f in ("kind", "id", "hypothesis") else float(c[f][at]) for f in self.FIELDS))

    def column(self, name: str) -> list:
        """One field of every swing, longest first, as plain Python values (``label`` too)."""
        if name == "label":
            return [
                Swing.label_of(k, i, h)
                for k, i, h in zip(*(self._columns[f].tolist() for f in ("kind", "id", "hypothesis")))
            ]
        return self._columns[name].tolist()


def tornado(inputs, parts: Decomposition | None = None) -> Swings:
    """Swing each uncertain input across its 5-95 % interval, the others at their
    means; P(leading hypothesis) at both ends. Longest bar first."""
    parts = parts or Decomposition.of(inputs)
    lead = parts.leader
    hyps, items, sources = inputs.hypotheses, inputs.items, inputs.sources
    k, b = inputs.k[:, None], inputs.b
    swings: list[tuple] = []  # (kind, id, hypothesis, low, high, p_low, p_high) columns, one tuple per kind

    def p_lead(total):
        return exact.normalise(total)[..., lead]

    # likelihood cells: only hypothesis j's term changes, so P(leader) follows from one number
    free, lo, hi = _quantiles(inputs.m, inputs.kappa)
    cells = np.argwhere(free)
    if len(cells):
        rows, cols = cells[:, 0], cells[:, 1]
        total = parts.total
        others = np.array(
            [exact.logsumexp(np.delete(total, j)) if len(hyps) > 1 else -np.inf for j in range(len(hyps))]
        )
        ends = []
        for value in (lo, hi):
            with np.errstate(divide="ignore"):
                changed = parts.with_cell_terms(rows, cols, exact.item_term(k, value, b)[rows, cols])
                lead_term = np.where(cols == lead, changed, total[lead])
                ends.append(np.exp(lead_term - np.logaddexp(others[cols], changed)))
        ids, names = np.asarray(items, object), np.asarray(hyps, object)
        swings.append(((("likelihood",) * len(rows)), ids[rows], names[cols], lo[rows, cols], hi[rows, cols], *ends))

    # credibility: the item's whole row changes
    free, lo, hi = _quantiles(inputs.k, inputs.k_kappa)
    idx = np.flatnonzero(free)
    if len(idx):
        ends = []
        for value in (lo, hi):
            with np.errstate(divide="ignore"):
                genuine = exact.item_term(value[idx, None], inputs.m[idx], b[idx])
            ends.append(p_lead(parts.with_item_terms(idx, genuine, parts.noise[idx])))
        swings.append(
            (("credibility",) * len(idx), [items[i] for i in idx], (None,) * len(idx), lo[idx], hi[idx], *ends)
        )

    # reliability: one source's term
    free, lo, hi = _quantiles(inputs.r, inputs.r_kappa)
    idx = np.flatnonzero(free)
    if len(idx):
        ends = [
            p_lead(parts.with_source_terms(idx, parts.genuine_sum.total[idx], parts.noise_sum.total[idx], v[idx, None]))
            for v in (lo, hi)
        ]
        swings.append(
            (("reliability",) * len(idx), [sources[s] for s in idx], (None,) * len(idx), lo[idx], hi[idx], *ends)
        )

    # prior: Dirichlet marginals, the other hypotheses rescaled to keep the sum 1
    if inputs.prior_concentration is not None:
        c = inputs.prior_concentration
        free, lo, hi = _quantiles(inputs.prior, np.full(len(hyps), c))
        for j in np.flatnonzero(free):
            ends = []
            for value in (lo[j], hi[j]):
                prior = inputs.prior * (1 - value) / (1 - inputs.prior[j])
                prior[j] = value
                with np.errstate(divide="ignore"):
                    ends.append(float(p_lead(parts.total - np.log(inputs.prior) + np.log(prior))))
            swings.append((("prior",), [hyps[j]], (None,), [lo[j]], [hi[j]], [ends[0]], [ends[1]]))
    return Swings(swings)
