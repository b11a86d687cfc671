"""The closed-form posterior (MODEL.md §2-3) and weights of evidence (§5).

Everything is in log space and vectorised over items, sources, hypotheses and
any leading axes (draws, scenarios), so the same code serves the headline
number, the forward Monte Carlo and the sensitivity sweeps. The formula is
written once, as two primitives: :func:`item_term` (one item, its source
reliable) and :func:`combine_source` (a source's items together, reliable or
noise). They take an array namespace, so the PyMC model (``ach.model``), the
sensitivity analysis and the value of information all evaluate the very same
expression.
"""

from __future__ import annotations

import numpy as np

__all__ = [
    "DB",
    "SourceSum",
    "combine_source",
    "item_log_likelihood",
    "item_probability",
    "item_term",
    "log_likelihoods",
    "log_source_likelihood",
    "logsumexp",
    "normalise",
    "pairwise_db",
    "posterior",
    "posterior_by_id",
    "top",
    "weight_of_evidence",
]

DB = 10.0 / np.log(10.0)  # natural log -> decibans


class SourceSum:
    """Sum item terms within each source: ``(..., I, n) -> (..., S, n)``.

    Sorting once and using ``reduceat`` is vectorised and, unlike a one-hot
    matrix product, keeps ``-inf`` (a zero likelihood) exact.
    """

    def __init__(self, source_index: np.ndarray, n_sources: int):
        self.order = np.argsort(source_index, kind="stable")
        ordered = source_index[self.order]
        self.present = np.unique(ordered)
        self.starts = np.searchsorted(ordered, self.present)
        self.n_sources = n_sources

    def __call__(self, x: np.ndarray) -> np.ndarray:
        out = np.zeros((*x.shape[:-2], self.n_sources, x.shape[-1]))
        if len(self.present):
            out[..., self.present, :] = np.add.reduceat(x[..., self.order, :], self.starts, axis=-2)
        return out


def item_probability(k, m, b):
    """``k·m + (1 − k)·b``: P(the item | H_j, its source reliable) (MODEL.md §2).

    Genuine with probability ``k`` (then observed with ``m``), else noise
    (observed with ``b``). Works on numbers and on NumPy or PyTensor arrays.
    """
    return k * m + (1 - k) * b


def item_term(k, m, b, xp=np):
    """``log(k·m + (1 − k)·b)``: an item's log term when its source is reliable."""
    return xp.log(item_probability(k, m, b))


def combine_source(r, genuine, noise, xp=np):
    """``log P(E_s | H_j)`` from a source's summed log terms (MODEL.md §2).

    ``genuine``: Σ of the items' :func:`item_term` (the source reliable);
    ``noise``: Σ of ``log b`` (all its items noise at once), weighed by ``r``.
    """
    return xp.logaddexp(xp.log(r) + genuine, xp.log1p(-r) + noise)


def log_source_likelihood(L, k, r, b, source_sum, xp=np):
    """``log P(E_s | H_j)`` for every source and hypothesis (MODEL.md §2).

    ``L, b``: (..., I, n) likelihoods if genuine / if not; ``k``: (..., I, 1|n)
    credibility; ``r``: (..., S, 1|n) reliability. If the source is reliable each
    item is genuine with probability k; if not, all its items are noise at once.
    """
    return combine_source(r, source_sum(item_term(k, L, b, xp)), source_sum(xp.log(b)), xp)


def logsumexp(a: np.ndarray, axis: int = -1) -> np.ndarray:
    top = np.max(a, axis=axis, keepdims=True)
    top = np.where(np.isfinite(top), top, 0.0)
    with np.errstate(divide="ignore"):
        return np.squeeze(top, axis) + np.log(np.sum(np.exp(a - top), axis=axis))


def normalise(log_post: np.ndarray) -> np.ndarray:
    """softmax over the last axis; all -inf (impossible evidence) gives NaN."""
    with np.errstate(invalid="ignore"):
        return np.exp(log_post - logsumexp(log_post)[..., None])


def log_likelihoods(inputs, L=None, k=None, r=None) -> np.ndarray:
    """``log P(E_s | H_j)`` (…, S, n) at the means, or at given draws of L, k, r."""
    L = inputs.m if L is None else L
    k = inputs.k if k is None else k
    r = inputs.r if r is None else r
    with np.errstate(divide="ignore"):
        return log_source_likelihood(
            L, k[..., :, None], r[..., :, None], inputs.b, SourceSum(inputs.source_index, len(inputs.sources))
        )


def posterior(inputs, L=None, k=None, r=None, prior=None) -> np.ndarray:
    """``P(H_j | E)``; with draws of the inputs, one posterior per draw (…, n)."""
    prior = inputs.prior if prior is None else prior
    with np.errstate(divide="ignore"):
        return normalise(np.log(prior) + log_likelihoods(inputs, L, k, r).sum(axis=-2))


def posterior_by_id(case) -> dict[str, float]:
    """The exact posterior of a case's headline (as of its date), hypothesis id -> probability."""
    return dict(zip(case.hypothesis_ids, map(float, posterior(case.headline().inputs))))


def item_log_likelihood(inputs) -> np.ndarray:
    """``log P(E_i | H_j)`` of each item alone, its source's reliability included (I, n)."""
    r = inputs.r[inputs.source_index][:, None]
    with np.errstate(divide="ignore"):
        return combine_source(r, item_term(inputs.k[:, None], inputs.m, inputs.b), np.log(inputs.b))


def top(values: np.ndarray, atol: float = 1e-9) -> np.ndarray:
    """Indices of the largest values along the last axis, ties included (equal within ``atol``).

    Symmetric evidence gives hypotheses posteriors equal to the last bit or
    nearly so; calling one of them "the leader" would say more than the
    numbers do.
    """
    values = np.asarray(values, float)
    return np.flatnonzero(values >= np.max(values) - atol)


def weight_of_evidence(log_lik: np.ndarray, prior: np.ndarray) -> np.ndarray:
    """Good's weight of evidence in decibans for H_j against the rest (…, n).

    ``P(E | not H_j)`` is the prior-weighted mean of the other hypotheses:
    ``Σ_{h≠j} π_h P(E|H_h) / (1 − π_j)``. The sum over the others is the sum over
    all less the one, taken against the largest term, except where H_j is that
    term: there the others are summed apart. So it costs O(n) per row (the
    n × n of every pair is 0.5 GB at 10,000 × 50) and never subtracts nearly
    equal numbers.
    """
    prior = np.asarray(prior, float)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        terms = np.log(prior) + log_lik  # log π_h P(E|H_h)
        top = np.max(terms, axis=-1, keepdims=True)
        top = np.where(np.isfinite(top), top, 0.0)
        scaled = np.exp(terms - top)
        others = np.log(np.maximum(scaled.sum(axis=-1, keepdims=True) - scaled, 0.0)) + top
        first = np.argmax(terms, axis=-1)[..., None]  # the largest term's own "others": summed without it
        apart = _without(terms, first)
        np.put_along_axis(others, first, logsumexp(apart)[..., None], axis=-1)
        log_not = others - np.log1p(-prior)
        return DB * (log_lik - log_not)


def _without(terms: np.ndarray, at: np.ndarray) -> np.ndarray:
    """``terms`` with the entry ``at`` (…, 1) of each row set to -inf."""
    out = terms.copy()
    np.put_along_axis(out, at, -np.inf, axis=-1)
    return out


def pairwise_db(log_lik: np.ndarray) -> np.ndarray:
    """``10 log10 P(E|H_a) / P(E|H_b)`` for every pair (…, n, n)."""
    with np.errstate(invalid="ignore"):
        return DB * (log_lik[..., :, None] - log_lik[..., None, :])
