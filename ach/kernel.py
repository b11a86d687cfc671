"""The inner loop of the exact draws, compiled by numba (MODEL.md §4b).

One call fills a block of draws of ``P(H | E, θ)`` for one stratum: for each
draw and each source, the latent "reliable" and "genuine" indicators, then
every uncertain reliability, credibility and likelihood from its (updated)
Beta, folded straight into the source's ``log P(E_s | H)`` (MODEL.md §2), so
nothing of size draws × items × hypotheses is ever held. It is the same
arithmetic as :mod:`ach.exact`; the tests hold the two together.

NumPy's own generators draw the random numbers (numba runs their algorithms
on a ``numpy.random.Generator``), one generator per block, so a block is the
same whichever thread draws it and in whatever order. The machine code is
cached in ach's per-user cache folder; the first use compiles it (a few
seconds, said on stderr) and later runs load it.
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path

import numba
import numpy as np

from .exact import SourceSum
from .files import cache_root
from .scales import beta_params

__all__ = ["CLIP", "Block", "cache_dir", "draw_block", "prepare"]

log = logging.getLogger("ach")

CLIP = 1e-12  # keep Beta draws off exact 0 and 1, where logs blow up (as the PyMC model does)
TINY = 1e-100  # an item probability below this is added as a log, not multiplied in
FLUSH = 1e-200  # a running product below this is moved into the log sum before it can underflow


def cache_dir() -> Path:
    return cache_root() / "numba"


def _attach_cache(function):
    """``numba.njit(cache=True)`` with the cache in ach's folder: numba reads ``config.CACHE_DIR``
    when a function's cache is attached, so setting it around this one call moves only ours."""
    folder, previous = cache_dir(), numba.config.CACHE_DIR
    try:
        folder.mkdir(parents=True, exist_ok=True)
        numba.config.CACHE_DIR = str(folder)
    except OSError:  # an unwritable cache folder: numba's own default place will do
        pass
    try:
        return numba.njit(nogil=True, cache=True)(function)
    finally:
        numba.config.CACHE_DIR = previous


@numba.njit(nogil=True, inline="always")
def _beta(gen, a, b):
    """A Beta(a, b) draw as a ratio of Gamma draws (NumPy's algorithm for a, b ≥ 1), kept off 0 and 1."""
    x = gen.standard_gamma(a)
    x = x / (x + gen.standard_gamma(b))
    return min(max(x, CLIP), 1.0 - CLIP)


@_attach_cache
def _loop(gen, out, j, p_reliable, p_genuine, order, starts, fixed, r, k, L, b, log_noise, log_prior, alpha):
    """Fill ``out`` (draws, n) with ``P(H | E, θ)``, ``θ`` drawn given ``H_j`` (``j < 0``: from the prior).

    ``r``, ``k``: (3, S) and (3, I) rows of mean, Beta a, Beta b; ``L``: (3, I, n);
    ``fixed``: the masks of fixed values, packed as (S + I + I·n,) booleans.
    """
    n = out.shape[1]
    n_sources = starts.shape[0] - 1
    n_items = order.shape[0]
    log_post = np.empty(n)
    on = np.empty(n)
    product = np.empty(n)
    posterior = j >= 0
    for t in range(out.shape[0]):
        if alpha.shape[0]:  # the prior is uncertain: π ~ Dirichlet(α + e_j), by normalised Gamma draws
            total = 0.0
            for h in range(n):
                shape = alpha[h] + (1.0 if h == j else 0.0)
                log_post[h] = gen.standard_gamma(shape) if shape > 0 else 0.0
                total += log_post[h]
            for h in range(n):
                log_post[h] = np.log(log_post[h] / total)
        else:
            for h in range(n):
                log_post[h] = log_prior[h]
        for s in range(n_sources):
            if starts[s] == starts[s + 1]:
                continue  # a source with no items says nothing
            reliable = posterior and gen.random() < p_reliable[s]
            if fixed[s]:
                r_s = r[0, s]
            else:
                r_s = _beta(gen, r[1, s] + reliable, r[2, s] + (posterior and not reliable))
            for h in range(n):
                on[h] = 0.0
                product[h] = 1.0
            for x in range(starts[s], starts[s + 1]):
                i = order[x]
                genuine = reliable and gen.random() < p_genuine[i]
                if fixed[n_sources + i]:
                    k_i = k[0, i]
                else:
                    k_i = _beta(gen, k[1, i] + genuine, k[2, i] + (reliable and not genuine))
                cell = n_sources + n_items + i * n
                for h in range(n):
                    if fixed[cell + h]:
                        L_ih = L[0, i, h]
                    else:
                        L_ih = _beta(gen, L[1, i, h] + (genuine and h == j), L[2, i, h])
                    p = k_i * L_ih + (1.0 - k_i) * b[i, h]  # exact.item_probability
                    if p < TINY:
                        on[h] += np.log(p)
                    else:
                        product[h] *= p
                        if product[h] < FLUSH:
                            on[h] += np.log(product[h])
                            product[h] = 1.0
            log_r, log_not_r = np.log(r_s), np.log1p(-r_s)
            for h in range(n):  # exact.combine_source: logaddexp(log r + Σ log terms, log(1 − r) + Σ log b)
                one = log_r + on[h] + np.log(product[h])
                two = log_not_r + log_noise[s, h]
                top = max(one, two)
                if top > -np.inf:
                    top += np.log1p(np.exp(-abs(one - two)))
                log_post[h] += top
        top = log_post.max()
        if top == -np.inf:  # the evidence is impossible under every hypothesis (as exact.normalise: NaN)
            out[t, :] = np.nan
            continue
        total = 0.0
        for h in range(n):
            log_post[h] = np.exp(log_post[h] - top)
            total += log_post[h]
        for h in range(n):
            out[t, h] = log_post[h] / total


class Block:
    """The arrays the loop reads, built once per case from its :class:`~ach.inputs.Inputs`."""

    def __init__(self, inputs):
        self.order = np.argsort(inputs.source_index, kind="stable")
        self.starts = np.searchsorted(inputs.source_index[self.order], np.arange(len(inputs.sources) + 1))
        r_free, r_a, r_b = beta_params(inputs.r, inputs.r_kappa)
        k_free, k_a, k_b = beta_params(inputs.k, inputs.k_kappa)
        L_free, L_a, L_b = beta_params(inputs.m, inputs.kappa)
        self.fixed = np.concatenate([~r_free, ~k_free, ~L_free.ravel()])
        self.r = np.stack([inputs.r, r_a, r_b]).astype(float)
        self.k = np.stack([inputs.k, k_a, k_b]).astype(float)
        self.L = np.stack([inputs.m, L_a, L_b]).astype(float)
        self.b = np.ascontiguousarray(inputs.b, float)
        with np.errstate(divide="ignore"):
            self.log_noise = SourceSum(inputs.source_index, len(inputs.sources))(np.log(self.b))
            self.log_prior = np.log(inputs.prior)
        concentration = inputs.prior_concentration
        self.alpha = np.empty(0) if concentration is None else inputs.prior * concentration
        self.n = len(inputs.hypotheses)


def prepare(block: Block) -> None:
    """Compile the loop, or load it from the cache, before threads need it (and say so when compiling)."""
    if _loop.signatures:
        return
    index = f"kernel._loop-{_loop.py_func.__code__.co_firstlineno}.py{sys.version_info[0]}{sys.version_info[1]}.nbi"
    if not (Path(_loop.stats.cache_path) / index).exists():  # numba's index of this file's cache: absent, it compiles
        log.info("compiling the exact sampler (once, a few seconds; cached in %s)", cache_dir())
    draw_block(block, -1, None, 1, np.random.SeedSequence(0))


def draw_block(block: Block, j: int, latent, size: int, seed: np.random.SeedSequence) -> np.ndarray:
    """``size`` draws (size, n) of stratum ``j`` (``j < 0``: the forward draws), from their own generator."""
    out = np.empty((size, block.n))
    if latent is None:
        p_reliable, p_genuine = np.zeros(len(block.starts) - 1), np.zeros(len(block.order))
    else:
        p_reliable, p_genuine = (np.ascontiguousarray(p[:, j]) for p in latent)
    _loop(
        np.random.Generator(np.random.PCG64(seed)),
        out,
        j,
        p_reliable,
        p_genuine,
        block.order,
        block.starts,
        block.fixed,
        block.r,
        block.k,
        block.L,
        block.b,
        block.log_noise,
        block.log_prior,
        block.alpha,
    )
    return out
