"""The tornado: each uncertain input swung across its 5-95 % interval, the others at their means."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .. import exact
from ..scales import beta_params
from .decomposition import Decomposition

__all__ = ["Q", "Swing", "tornado"]


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
        if self.kind == "likelihood":
            return f"{self.id} likelihood under {self.hypothesis}"
        return f"{self.id} {self.kind}"


def _quantiles(mean, kappa):
    """5 % and 95 % points of each input's Beta; fixed inputs stay put."""
    from scipy.special import betaincinv

    free, a, b = beta_params(mean, kappa)
    lo = np.where(free, betaincinv(a, b, Q), mean)
    hi = np.where(free, betaincinv(a, b, 1 - Q), mean)
    return free, lo, hi


def tornado(inputs, parts: Decomposition | None = None) -> list[Swing]:
    """Swing each uncertain input across its 5-95 % interval, the others at their
    means; P(leading hypothesis) at both ends. Longest bar first."""
    parts = parts or Decomposition.of(inputs)
    lead = parts.leader
    hyps, items, sources = inputs.hypotheses, inputs.items, inputs.sources
    k, b = inputs.k[:, None], inputs.b
    swings: list[Swing] = []

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
        for c, (i, j) in enumerate(cells):
            swings.append(Swing("likelihood", items[i], hyps[j], lo[i, j], hi[i, j], ends[0][c], ends[1][c]))

    # credibility: the item's whole row changes
    free, lo, hi = _quantiles(inputs.k, inputs.k_kappa)
    idx = np.flatnonzero(free)
    if len(idx):
        ends = []
        for value in (lo, hi):
            with np.errstate(divide="ignore"):
                genuine = exact.item_term(value[idx, None], inputs.m[idx], b[idx])
            ends.append(p_lead(parts.with_item_terms(idx, genuine, parts.noise[idx])))
        swings += [
            Swing("credibility", items[i], None, lo[i], hi[i], ends[0][c], ends[1][c]) for c, i in enumerate(idx)
        ]

    # reliability: one source's term
    free, lo, hi = _quantiles(inputs.r, inputs.r_kappa)
    idx = np.flatnonzero(free)
    if len(idx):
        ends = [
            p_lead(parts.with_source_terms(idx, parts.genuine_sum.total[idx], parts.noise_sum.total[idx], v[idx, None]))
            for v in (lo, hi)
        ]
        swings += [
            Swing("reliability", sources[s], None, lo[s], hi[s], ends[0][c], ends[1][c]) for c, s in enumerate(idx)
        ]

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
            swings.append(Swing("prior", hyps[j], None, lo[j], hi[j], *ends))
    return sorted(swings, key=lambda s: -s.width)
