"""Exact, independent draws of the inputs, with NumPy alone (MODEL.md §4b).

Every input enters ``P(E_s | H_j)`` linearly, so with independent Beta priors
the posterior of the inputs given the evidence and ``H_j`` is a finite
mixture of products of Betas. Two latent indicators make it explicit:
``z_s`` (source ``s`` reliable) and ``g_i`` (item ``i`` genuine, its source
reliable). Given ``H_j``, at the input means,

* ``P(z_s = 1 | E) = r A1 / (r A1 + (1 − r) A0)``, with
  ``A1 = ∏_{i∈s} (k_i m_ij + (1 − k_i) b_ij)`` and ``A0 = ∏_{i∈s} b_ij``;
* ``P(g_i = 1 | z_s = 1, E) = k_i m_ij / (k_i m_ij + (1 − k_i) b_ij)``;

and then ``r_s ~ Beta(a + z, b + 1 − z)``, ``k_i ~ Beta(a + g, b + 1 − g)``
(its prior when ``z_s = 0``), ``L_ij ~ Beta(a + g, b)``, every other column of
``L`` keeps its prior and ``π ~ Dirichlet(c π̄ + e_j)``. The forward draws are
the same code with no evidence: every input from its prior.

Draws are made in chunks so no array of draws × items × hypotheses exceeds
:data:`CHUNK_CELLS` values, and as many are made as the Monte Carlo error
target needs (:data:`ach.draws.MC_TARGET`).
"""

from __future__ import annotations

import logging

import numpy as np

from . import exact
from .draws import MC_TARGET, DrawSummary, StratifiedPosterior, strata_of, summarise
from .scales import beta_params

__all__ = [
    "CHUNK_CELLS",
    "FIRST_DRAWS",
    "MAX_DRAWS",
    "draw_forward",
    "draw_stratum",
    "latent_probabilities",
    "sample_exact",
    "sample_forward_exact",
]

log = logging.getLogger("ach")

CLIP = 1e-12  # keep Beta draws off exact 0 and 1, where logs blow up (as the PyMC model does)
CHUNK_CELLS = 2**22  # values per (draws, items, hypotheses) array in one chunk (32 MB)
FIRST_DRAWS = 20_000  # the first round; more follow if the Monte Carlo error needs them
MAX_DRAWS = 2_000_000
MIN_PER_STRATUM = 200  # even a light stratum gets enough draws for its mean and spread


def latent_probabilities(inputs) -> tuple[np.ndarray, np.ndarray]:
    """``P(z_s = 1 | E, H_j)`` (S, n) and ``P(g_i = 1 | z_s = 1, E, H_j)`` (I, n), at the input means."""
    k = inputs.k[:, None]
    sums = exact.SourceSum(inputs.source_index, len(inputs.sources))
    with np.errstate(divide="ignore", invalid="ignore"):
        genuine = k * inputs.m
        item = genuine + (1 - k) * inputs.b
        on = np.log(inputs.r)[:, None] + sums(np.log(item))
        off = np.log1p(-inputs.r)[:, None] + sums(np.log(inputs.b))
        p_reliable = np.exp(on - np.logaddexp(on, off))
        p_genuine = np.where(item > 0, genuine / item, 0.0)
    return np.nan_to_num(p_reliable), p_genuine


class _Priors:
    """The Beta parameters of every uncertain input, computed once."""

    def __init__(self, inputs):
        self.L = beta_params(inputs.m, inputs.kappa)
        self.k = beta_params(inputs.k, inputs.k_kappa)
        self.r = beta_params(inputs.r, inputs.r_kappa)


def _beta(rng, a, b):
    """Beta(a, b) draws as a ratio of Gamma draws in single precision (twice as fast as
    ``rng.beta``; the 7 digits are far below the Monte Carlo error), kept off 0 and 1."""
    a, b = np.broadcast_arrays(np.asarray(a, np.float32), np.asarray(b, np.float32))
    x = rng.standard_gamma(a, dtype=np.float32)
    y = rng.standard_gamma(b, dtype=np.float32)
    return np.clip(x / (x + y), CLIP, 1 - CLIP, dtype=np.float64)


def draw_stratum(inputs, priors: _Priors, j: int | None, size: int, rng, latent=None) -> np.ndarray:
    """``size`` draws of ``P(H | E, θ)`` (size, n), ``θ`` drawn given the evidence and ``H_j``
    (``j is None``: from the prior alone, the forward draws)."""
    n_sources, n_items = len(inputs.sources), len(inputs.items)
    if j is None:
        reliable = np.zeros((size, n_sources), bool)
        genuine = np.zeros((size, n_items), bool)
    else:
        p_reliable, p_genuine = latent
        reliable = rng.random((size, n_sources)) < p_reliable[:, j]
        genuine = reliable[:, inputs.source_index] & (rng.random((size, n_items)) < p_genuine[:, j])
    seen = reliable[:, inputs.source_index]  # the item met the data through its reliable source

    free, a, b = priors.r
    r = np.broadcast_to(inputs.r, (size, n_sources)).copy()
    if j is None:
        r[:, free] = _beta(rng, np.broadcast_to(a[free], (size, int(free.sum()))), b[free])
    else:
        r[:, free] = _beta(rng, a[free] + reliable[:, free], b[free] + ~reliable[:, free])
    free, a, b = priors.k
    k = np.broadcast_to(inputs.k, (size, n_items)).copy()
    k[:, free] = _beta(rng, a[free] + genuine[:, free], b[free] + (seen & ~genuine)[:, free])
    free, a, b = priors.L
    L = np.broadcast_to(inputs.m, (size, *inputs.m.shape)).copy()
    L[:, free] = _beta(rng, np.broadcast_to(a[free], (size, int(free.sum()))), b[free])
    if j is not None:
        col = free[:, j]
        L[:, col, j] = _beta(rng, a[col, j] + genuine[:, col], b[col, j])

    if inputs.prior_concentration is None:
        prior = inputs.prior
    else:
        alpha = inputs.prior * inputs.prior_concentration
        if j is not None:
            alpha = alpha + np.eye(len(alpha))[j]
        prior = rng.dirichlet(alpha, size=size)
    return exact.posterior(inputs, L=L, k=k, r=r, prior=prior)


def _chunked(inputs, priors, j, size, rng, latent) -> np.ndarray:
    chunk = max(1, CHUNK_CELLS // max(1, inputs.m.size))
    parts = [draw_stratum(inputs, priors, j, min(chunk, size - at), rng, latent) for at in range(0, size, chunk)]
    return np.concatenate(parts) if parts else np.empty((0, len(inputs.hypotheses)))


def _allocate(total: int, weights: np.ndarray) -> np.ndarray:
    """Draws per stratum: proportional to the weights (largest remainders), at least MIN_PER_STRATUM."""
    raw = total * weights
    counts = np.floor(raw).astype(int)
    counts[np.argsort(counts - raw)[: total - counts.sum()]] += 1
    return np.maximum(counts, MIN_PER_STRATUM)


def _adaptive(extend, draws, target, what: str):
    """``extend(total)`` brings the draws to ``total`` and summarises them: ``draws`` of them, or
    (when None) as many as ``target`` needs. Returns the last summary."""
    total = FIRST_DRAWS if draws is None else int(draws)
    summary = extend(total)
    while draws is None and summary.mc_error > target and total < MAX_DRAWS:
        # interval ends converge at the cube root of the draws (ach.draws): the cube of the ratio
        need = int(total * (summary.mc_error / target) ** 3 * 1.1) + 1
        total = min(MAX_DRAWS, max(need, 2 * total))
        log.info("%s: %d draws for a Monte Carlo error under %s", what, total, target)
        summary = extend(total)
    return summary


class _Strata:
    """Draws of each stratum, extended on demand from one random stream (the same seed, the same draws)."""

    def __init__(self, inputs, strata, weights, seed, latent):
        self.inputs, self.strata, self.weights, self.latent = inputs, strata, weights, latent
        self.priors, self.rng = _Priors(inputs), np.random.default_rng(seed)
        self.parts = [np.empty((0, len(inputs.hypotheses))) for _ in strata]

    def extend(self, total: int) -> DrawSummary:
        counts = _allocate(total, self.weights) if self.latent is not None else [total]
        for t, (j, c) in enumerate(zip(self.strata, counts)):
            more = int(c) - len(self.parts[t])
            if more > 0:
                new = _chunked(self.inputs, self.priors, j, more, self.rng, self.latent)
                self.parts[t] = np.concatenate([self.parts[t], new])
        return summarise(self.parts, self.weights)


def sample_exact(inputs, *, draws: int | None = None, seed: int = 0, target: float = MC_TARGET) -> StratifiedPosterior:
    """Independent draws of ``P(H | E, θ)`` with ``θ`` from its exact posterior, strata by the exact ``P(H_j | E)``.

    ``draws``: how many in all; None draws until every interval end and
    rank-stability share has a Monte Carlo error under ``target``. The same
    ``seed`` gives the same draws."""
    strata, weights = strata_of(inputs)
    drawn = _Strata(inputs, [int(j) for j in strata], weights, seed, latent_probabilities(inputs))
    summary = _adaptive(drawn.extend, draws, target, "exact draws")
    return StratifiedPosterior(
        summary=summary,
        strata=[inputs.hypotheses[j] for j in strata],
        weights=weights,
        sampler="exact",
        draws=int(sum(len(p) for p in drawn.parts)),
        seed=seed,
        ess_bulk_min=float(min(len(p) for p in drawn.parts)),  # independent draws: each one counts
        ess_tail_min=float(min(len(p) for p in drawn.parts)),
    )


def draw_forward(inputs, size: int, seed: int = 0) -> np.ndarray:
    """``size`` posteriors (size, n), every input drawn from the analyst's stated uncertainty."""
    return _chunked(inputs, _Priors(inputs), None, size, np.random.default_rng(seed), None)


def sample_forward_exact(inputs, *, draws: int | None = None, seed: int = 0, target: float = MC_TARGET) -> DrawSummary:
    """The forward draws (a robustness display, not a posterior), as many as ``target`` needs."""
    return _adaptive(_Strata(inputs, [None], np.ones(1), seed, None).extend, draws, target, "forward draws")
