"""The exact computation taken apart, so one item's or one source's part can be swapped out exactly.

The posterior is a sum of per-source terms, and a source's term is built
from per-item terms (MODEL.md §2); removing an item, swinging an input or
sweeping a reliability only touches one source's term. Sums of log terms keep
a zero likelihood's -inf exact, so a term can be taken out again.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .. import exact

__all__ = ["Decomposition", "leader_segments", "leaders"]


class _LogSum:
    """Sums of log terms that may be -inf (a zero likelihood), kept as (finite
    part, count of -inf) so that terms can be taken out again exactly."""

    def __init__(self, terms: np.ndarray, summed):
        finite = np.isfinite(terms)
        self.finite = summed(np.where(finite, terms, 0.0))
        self.zeros = summed((~finite).astype(float))

    @staticmethod
    def value(finite, zeros):
        return np.where(zeros > 0.5, -np.inf, finite)

    @property
    def total(self):
        return self.value(self.finite, self.zeros)

    def swap(self, s, old, new):
        """The sum of source ``s`` with term ``old`` replaced by ``new`` (broadcasting)."""
        finite = self.finite[s] - np.where(np.isfinite(old), old, 0.0) + np.where(np.isfinite(new), new, 0.0)
        zeros = self.zeros[s] - ~np.isfinite(old) + ~np.isfinite(new)
        return self.value(finite, zeros)


@dataclass
class Decomposition:
    """The exact computation taken apart (MODEL.md §2): everything sensitivity needs.

    A source's log likelihood is :func:`ach.exact.combine_source` of the sums of
    its items' genuine terms and noise terms; the log posterior is the prior
    plus the sum over sources. Keeping each sum lets one item's or one source's
    part be swapped out exactly.
    """

    inputs: object
    genuine: np.ndarray  # (I, n) log(k m + (1 - k) b): an item's term if its source is reliable
    noise: np.ndarray  # (I, n) log b: its term if not
    genuine_sum: _LogSum  # per-source sums of genuine (S, n)
    noise_sum: _LogSum  # per-source sums of noise (S, n)
    log_source: np.ndarray  # (S, n) log P(E_s | H_j)
    log_posterior: _LogSum  # log prior + sum of log_source: the unnormalised log posterior (n,)

    @classmethod
    def of(cls, inputs) -> Decomposition:
        source_sum = exact.SourceSum(inputs.source_index, len(inputs.sources))
        with np.errstate(divide="ignore", invalid="ignore"):
            genuine = exact.item_term(inputs.k[:, None], inputs.m, inputs.b)
            noise = np.log(inputs.b)
            genuine_sum, noise_sum = _LogSum(genuine, source_sum), _LogSum(noise, source_sum)
            log_source = exact.combine_source(inputs.r[:, None], genuine_sum.total, noise_sum.total)
            total = _LogSum(np.vstack([np.log(inputs.prior), log_source]), lambda x: x.sum(axis=0))
        return cls(inputs, genuine, noise, genuine_sum, noise_sum, log_source, total)

    @property
    def total(self) -> np.ndarray:
        return self.log_posterior.total

    def without_source(self, s) -> np.ndarray:
        """The unnormalised log posterior without source(s) ``s`` (…, n)."""
        old = self.log_source[s]
        finite = self.log_posterior.finite - np.where(np.isfinite(old), old, 0.0)
        return _LogSum.value(finite, self.log_posterior.zeros - ~np.isfinite(old))

    @property
    def posterior(self) -> np.ndarray:
        return exact.normalise(self.total)

    @property
    def leader(self) -> int:
        """The hypothesis the analysis is read against: the most probable (the first of a tie)."""
        return int(np.argmax(self.total))

    @property
    def tied(self) -> bool:
        """No single hypothesis leads: there is no leader to overturn."""
        return len(exact.top(self.posterior)) > 1

    def with_source_terms(self, s, genuine_sum, noise_sum, r=None) -> np.ndarray:
        """Unnormalised log posteriors (…, n) with source(s) ``s`` recombined from new sums."""
        r = self.inputs.r[s][..., None] if r is None else r
        with np.errstate(divide="ignore", invalid="ignore"):
            return self.without_source(s) + exact.combine_source(r, genuine_sum, noise_sum)

    def with_cell_terms(self, items, cols, genuine) -> np.ndarray:
        """The unnormalised log posterior of hypothesis ``cols[p]`` (P,) with item ``items[p]``'s
        genuine term under it replaced; every other hypothesis's is unchanged (one cell, O(1))."""
        s = self.inputs.source_index[items]
        with np.errstate(divide="ignore", invalid="ignore"):
            summed = self.genuine_sum.swap((s, cols), self.genuine[items, cols], genuine)
            source = exact.combine_source(self.inputs.r[s], summed, self.noise_sum.total[s, cols])
        old = self.log_source[s, cols]
        finite = self.log_posterior.finite[cols] - np.where(np.isfinite(old), old, 0.0)
        return _LogSum.value(finite, self.log_posterior.zeros[cols] - ~np.isfinite(old)) + source

    def with_item_terms(self, items, genuine, noise) -> np.ndarray:
        """Unnormalised log posteriors (…, n) with item ``items[…]``'s terms replaced."""
        s = self.inputs.source_index[items]
        return self.with_source_terms(
            s, self.genuine_sum.swap(s, self.genuine[items], genuine), self.noise_sum.swap(s, self.noise[items], noise)
        )


def leaders(posterior: np.ndarray, hypotheses: list[str]) -> list[str | None]:
    """The hypothesis that leads in each row of ``posterior`` (…, n), by id; None where several tie."""
    out = []
    for row in np.atleast_2d(posterior):
        best = exact.top(row)
        out.append(hypotheses[int(best[0])] if len(best) == 1 else None)
    return out


def leader_segments(grid: np.ndarray, posterior: np.ndarray, hypotheses: list[str]) -> list[tuple[float, float, str]]:
    """(from, to, hypothesis id): the runs of ``grid`` over which one hypothesis leads."""
    lead = np.argmax(posterior, axis=1)
    out, start = [], 0
    for g in range(1, len(grid) + 1):
        if g == len(grid) or lead[g] != lead[start]:
            out.append((float(grid[start]), float(grid[g - 1]), hypotheses[int(lead[start])]))
            start = g
    return out
