"""Every input of a case as arrays: the one numeric form both engines read.

Shapes: ``n`` hypotheses, ``I`` items, ``S`` sources. A concentration of NaN
marks a fixed value (no uncertainty).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["Inputs"]


@dataclass(frozen=True, eq=False)
class Inputs:
    hypotheses: list[str]
    items: list[str]
    sources: list[str]
    prior: np.ndarray  # (n,) E[pi], sums to 1
    prior_concentration: float | None  # Dirichlet concentration, None = fixed
    m: np.ndarray  # (I, n) E[L_ij]
    kappa: np.ndarray  # (I, n) Beta concentration of L_ij; NaN = fixed
    b: np.ndarray  # (I, n) P(report | not genuine, H_j)
    k: np.ndarray  # (I,) E[k_i] credibility
    k_kappa: np.ndarray  # (I,)
    r: np.ndarray  # (S,) E[r_s] reliability
    r_kappa: np.ndarray  # (S,)
    source_index: np.ndarray  # (I,) int: which source each item belongs to
    na: np.ndarray | None = None  # (I, n) bool: the cell is NA (takes b); None: no NA cell
    b_is_mean: np.ndarray | None = None  # (I,) bool: b is the default, the mean of the item's rated cells

    def __post_init__(self):
        if self.na is None:
            object.__setattr__(self, "na", np.zeros(self.m.shape, bool))
        if self.b_is_mean is None:
            object.__setattr__(self, "b_is_mean", np.zeros(self.m.shape[0], bool))

    @classmethod
    def from_case(cls, case) -> Inputs:
        hyps = case.hypothesis_ids
        sources = [s.id for s in case.sources]
        n, n_items = len(hyps), len(case.evidence)
        weights = np.array([1.0 if h.prior is None else h.prior for h in case.hypotheses], float)
        prior = weights / weights.sum()  # the loader insists on all priors or none

        m = np.empty((n_items, n))
        kappa = np.full((n_items, n), np.nan)
        b = np.empty((n_items, n))
        na = np.zeros((n_items, n), bool)
        b_is_mean = np.zeros(n_items, bool)
        for i, e in enumerate(case.evidence):
            cells = [e.likelihood[h] for h in hyps]
            na[i] = [c is None for c in cells]
            means = [c.mean for c in cells if c is not None]
            default_b = float(np.mean(means)) if means else 0.5
            if isinstance(e.if_false, dict):
                b[i] = [e.if_false.get(h, default_b) for h in hyps]
            else:
                b[i] = default_b if e.if_false is None else e.if_false
                b_is_mean[i] = e.if_false is None and bool(means)
            for j, c in enumerate(cells):
                if c is None:  # NA: the cell says nothing, so it takes if_false
                    m[i, j] = b[i, j]
                else:
                    m[i, j] = c.mean
                    if not c.fixed:
                        kappa[i, j] = c.concentration

        def unpack(beliefs):
            return (
                np.array([x.mean for x in beliefs], float),
                np.array([np.nan if x.fixed else x.concentration for x in beliefs], float),
            )

        k, k_kappa = unpack([e.credibility for e in case.evidence])
        r, r_kappa = unpack([s.reliability for s in case.sources])
        index = {sid: s for s, sid in enumerate(sources)}
        return cls(
            hypotheses=hyps,
            items=[e.id for e in case.evidence],
            sources=sources,
            prior=prior,
            prior_concentration=case.prior_concentration,
            m=m,
            kappa=kappa,
            b=b,
            k=k,
            k_kappa=k_kappa,
            r=r,
            r_kappa=r_kappa,
            source_index=np.array([index[e.source] for e in case.evidence], int),
            na=na,
            b_is_mean=b_is_mean,
        )

    @property
    def shape(self) -> tuple[int, int]:
        """(items, hypotheses)"""
        return self.m.shape

    def items_of(self, s: int) -> list[str]:
        return [self.items[i] for i in np.flatnonzero(self.source_index == s)]
