"""Exact, independent draws of the inputs, without MCMC (MODEL.md §4b).

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

The latent probabilities are computed here, once; the draws themselves are
made by the compiled loop of :mod:`ach.kernel`, block by block on every
core, holding nothing larger than the draws × hypotheses it returns; as many
are made as the Monte Carlo error target needs (:data:`ach.draws.MC_TARGET`).
"""

from __future__ import annotations

import logging
import os
import time
from concurrent.futures import ThreadPoolExecutor

import numpy as np

from . import exact, kernel
from .draws import MC_TARGET, DrawSummary, StratifiedPosterior, strata_of, summarise

__all__ = [
    "BLOCK",
    "FIRST_DRAWS",
    "MAX_DRAWS",
    "available_cores",
    "latent_probabilities",
    "sample_exact",
    "sample_forward_exact",
]

log = logging.getLogger("ach")

BLOCK = 4096  # draws per block: one generator each, drawn by one thread
FIRST_DRAWS = 20_000  # the first round; more follow if the Monte Carlo error needs them
MAX_DRAWS = 2_000_000
PROGRESS_EVERY = 5.0  # seconds between progress lines in a long round of draws
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


def available_cores() -> int:
    """The cores this process may run on: the blocks of draws are spread over them."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


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
        # each error falls at its own rate (ach.draws); a tenth more for the noise in the estimate
        total = min(MAX_DRAWS, max(int(1.1 * summary.draws_for(target)) + 1, int(1.5 * total)))
        log.info("%s: %d draws for a Monte Carlo error under %s", what, total, target)
        summary = extend(total)
    return summary


class _Strata:
    """Draws of each stratum, extended on demand, in blocks of :data:`BLOCK` draws.

    Block ``b`` of stratum ``j`` has a generator of its own, seeded by
    ``(seed, j, b)``: the same seed gives the same draws whichever thread drew
    each block, and extending a stratum keeps the draws it had."""

    def __init__(self, inputs, strata, weights, seed, latent, cores, what: str):
        self.strata, self.weights, self.latent, self.seed, self.cores = strata, weights, latent, seed, cores
        self.what = what
        self.block = kernel.Block(inputs)
        self.parts: list[list[np.ndarray]] = [[] for _ in strata]

    def _draw(self, task) -> None:
        t, b, size = task
        j = self.strata[t]
        seed = np.random.SeedSequence(self.seed, spawn_key=(j + 1, b))
        self.parts[t][b] = kernel.draw_block(self.block, j, self.latent, size, seed)

    def extend(self, total: int) -> DrawSummary:
        counts = _allocate(total, self.weights) if self.latent is not None else [total]
        tasks = []
        for t, count in enumerate(map(int, counts)):
            blocks = self.parts[t]
            blocks.extend([np.empty((0, self.block.n))] * (-(-count // BLOCK) - len(blocks)))
            for b in range(len(blocks)):
                size = min(BLOCK, count - b * BLOCK)
                if len(blocks[b]) < size:  # a block drawn in part is drawn again, longer: the same first draws
                    tasks.append((t, b, size))
        kernel.prepare(self.block)
        progress = _Progress(self.what, sum(size for _, _, size in tasks))
        if len(tasks) > 1 and self.cores > 1:
            with ThreadPoolExecutor(max_workers=self.cores) as pool:
                for task, _ in zip(tasks, pool.map(self._draw, tasks)):  # the loop releases the GIL
                    progress.done(task[2])
        else:
            for task in tasks:
                self._draw(task)
                progress.done(task[2])
        return summarise([np.concatenate(blocks) for blocks in self.parts], self.weights)


class _Progress:
    """Says how far a long round of draws has come, every :data:`PROGRESS_EVERY` seconds (a large case
    draws for minutes); a round that ends sooner says nothing."""

    def __init__(self, what: str, total: int):
        self.what, self.total, self.drawn = what, total, 0
        self.said = time.monotonic()

    def done(self, size: int) -> None:
        self.drawn += size
        if time.monotonic() - self.said >= PROGRESS_EVERY and self.drawn < self.total:
            log.info("%s: %d of %d draws", self.what, self.drawn, self.total)
            self.said = time.monotonic()


def sample_exact(
    inputs, *, draws: int | None = None, seed: int = 0, target: float = MC_TARGET, cores: int | None = None
) -> StratifiedPosterior:
    """Independent draws of ``P(H | E, θ)`` with ``θ`` from its exact posterior, strata by the exact ``P(H_j | E)``.

    ``draws``: how many in all; None draws until every interval end and
    rank-stability share has a Monte Carlo error under ``target``. The same
    ``seed`` gives the same draws, on any number of ``cores`` (None: :func:`available_cores`)."""
    strata, weights = strata_of(inputs)
    drawn = _Strata(
        inputs,
        [int(j) for j in strata],
        weights,
        seed,
        latent_probabilities(inputs),
        cores or available_cores(),
        "exact draws",
    )
    summary = _adaptive(drawn.extend, draws, target, "exact draws")
    return StratifiedPosterior(
        summary=summary,
        strata=[inputs.hypotheses[j] for j in strata],
        weights=weights,
        sampler="exact",
        draws=len(summary.samples),
        seed=seed,
        ess_bulk_min=float(np.diff(summary.bounds).min()),  # independent draws: each one counts
        ess_tail_min=float(np.diff(summary.bounds).min()),
    )


def sample_forward_exact(
    inputs, *, draws: int | None = None, seed: int = 0, target: float = MC_TARGET, cores: int | None = None
) -> DrawSummary:
    """The forward draws (a robustness display, not a posterior), as many as ``target`` needs."""
    return _adaptive(
        _Strata(inputs, [-1], np.ones(1), seed, None, cores or available_cores(), "forward draws").extend,
        draws,
        target,
        "forward draws",
    )
