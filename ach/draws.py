"""What the reports say about draws of ``P(H | E, θ)``, whichever engine drew them.

Draws come in strata (MODEL.md §4): stratum ``j`` holds draws of the inputs
``θ`` given the evidence and ``H_j``, weighted by the exact ``P(H_j | E)``; the
forward draws are a single stratum. Every draw of stratum ``j`` weighs
``w_j / N_j``, so a summary uses the exact weights and never a resample.
The Monte Carlo error of every summary is computed from the strata as the
stratified estimator's error (for NUTS with the effective sample sizes in
place of the draw counts). An interval end is a quantile at a level chosen
by minimising the width: its error has the quantile's part, from the same
formula, and the level's part, from batches.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

__all__ = [
    "MC_TARGET",
    "MIN_STRATUM_WEIGHT",
    "Agreement",
    "DrawSummary",
    "Effective",
    "StratifiedPosterior",
    "strata_of",
    "summarise",
    "weighted_hdi",
    "weighted_quantile",
]

MC_TARGET = 0.005  # the Monte Carlo error every reported interval end and share must stay under
MIN_STRATUM_WEIGHT = 1e-6  # strata lighter than this change no reported digit
HDI_PROB = 0.9


def strata_of(inputs) -> tuple[np.ndarray, np.ndarray]:
    """The hypotheses worth a stratum and their weights, the exact ``P(H_j | E)`` renormalised."""
    from .exact import posterior

    post = posterior(inputs)
    strata = np.flatnonzero(post >= MIN_STRATUM_WEIGHT)
    return strata, post[strata] / post[strata].sum()


class _Sorted:
    """One hypothesis's draws sorted once, with their cumulative weight, for quantiles and intervals."""

    def __init__(self, x: np.ndarray, w: np.ndarray, order: np.ndarray | None = None):
        order = np.argsort(x) if order is None else order  # ties need no order: a quantile is a value
        self.x = x[order]
        cum = np.cumsum(w[order])
        self.cum = cum / cum[-1]

    def quantile(self, q) -> np.ndarray:
        at = np.searchsorted(self.cum, np.asarray(q, float) - 1e-12, side="left")
        return self.x[np.clip(at, 0, len(self.x) - 1)]

    def hdi(self, prob: float) -> np.ndarray:
        return self.hdi_and_level(prob)[0]

    def hdi_and_level(self, prob: float) -> tuple[np.ndarray, float]:
        """The shortest interval holding ``prob``, and the weight below its start (its start's level)."""
        before = np.concatenate([[0.0], self.cum[:-1]])  # weight strictly below each start
        end = np.searchsorted(self.cum, before + prob - 1e-12, side="left")
        starts = np.flatnonzero(end < len(self.x))
        widths = self.x[end[starts]] - self.x[starts]
        best = starts[int(np.argmin(widths))]
        return np.array([self.x[best], self.x[end[best]]]), float(before[best])


def weighted_quantile(x: np.ndarray, w: np.ndarray, q) -> np.ndarray:
    """Quantiles ``q`` of the distribution putting weight ``w`` on the values ``x``: the smallest
    value at which the cumulative weight reaches ``q`` (the inverse of the empirical distribution)."""
    return _Sorted(np.asarray(x, float), np.asarray(w, float)).quantile(q)


def weighted_hdi(x: np.ndarray, w: np.ndarray, prob: float = HDI_PROB) -> np.ndarray:
    """The shortest interval ``[lo, hi]`` holding at least ``prob`` of the weight ``w`` on the values ``x``."""
    return _Sorted(np.asarray(x, float), np.asarray(w, float)).hdi(prob)


def _stratified_var(shares: np.ndarray, weights: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """Variance of ``Σ_j w_j p̂_j`` for shares ``p̂_j`` (J, k) each estimated from ``counts`` (J, k) draws."""
    counts = np.asarray(counts, float).reshape(shares.shape[0], -1)
    return (weights[:, None] ** 2 * shares * (1 - shares) / np.maximum(counts, 1)).sum(axis=0)


@dataclass(frozen=True)
class Effective:
    """Effective sample sizes (J, n) of autocorrelated draws (NUTS), one per stratum and hypothesis:
    of the mean, of the tails (for interval ends and quantiles) and of the "leads" indicator (for the shares)."""

    mean: np.ndarray
    tail: np.ndarray
    lead: np.ndarray
    bulk: np.ndarray | None = None  # of the ranks (ArviZ's default ESS): the old, too optimistic, base of mc_se


@dataclass(frozen=True)
class DrawSummary:
    """Distribution of ``P(H_j | E, θ)`` over the draws: what the reports state, with its Monte Carlo errors."""

    mean: np.ndarray  # (n,)
    hdi90: np.ndarray  # (n, 2)
    p_leading: np.ndarray  # (n,) share of the weight in which H_j leads
    mc_se: np.ndarray  # (n,) Monte Carlo standard error of the mean
    hdi90_se: np.ndarray  # (n, 2) ... of each interval end
    hdi90_quantile_se: np.ndarray  # (n, 2) ... of the quantile at each end's level (falls as N^(-1/2))
    hdi90_level_se: np.ndarray  # (n, 2) ... from the choice of the start's level (falls as N^(-1/3))
    p_leading_se: np.ndarray  # (n,) ... of each share
    samples: np.ndarray = field(repr=False)  # (N, n) the draws, stratum after stratum
    weights: np.ndarray = field(repr=False)  # (N,) each draw's weight, w_j / N_j; sums to 1
    bounds: np.ndarray = field(repr=False)  # (J + 1,) where each stratum's draws start and end
    stratum_weights: np.ndarray = field(repr=False)  # (J,)
    effective: Effective = field(repr=False)

    @property
    def mc_error(self) -> float:
        """The largest Monte Carlo error of any reported interval end or share."""
        return float(max(np.max(self.hdi90_se, initial=0.0), np.max(self.p_leading_se, initial=0.0)))

    def draws_for(self, target: float) -> int:
        """How many draws in all would bring every interval end and share under ``target``
        (a share's error falls as the square root of the draws; an end's in two parts, ach.draws)."""
        square = np.concatenate([self.p_leading_se, self.hdi90_quantile_se.ravel()])
        cube = np.concatenate([np.zeros_like(self.p_leading_se), self.hdi90_level_se.ravel()])
        return int(np.ceil(len(self.samples) * _growth(square, cube, target)))

    def _column(self, j: int) -> tuple[_Sorted, list[np.ndarray]]:
        x = self.samples[:, j]
        return _Sorted(x, self.weights), [x[a:b] for a, b in zip(self.bounds[:-1], self.bounds[1:])]

    def _end_errors(self, sorted_j: _Sorted, strata_j: list[np.ndarray], j: int, ends: np.ndarray) -> np.ndarray:
        """Standard errors of estimated quantiles ``ends``: how far the quantile moves when its level
        moves by one standard error of the stratified estimate of the weight below it."""
        below = np.array([np.mean(s[:, None] <= ends[None, :], axis=0) for s in strata_j])  # (J, k)
        level = self.stratum_weights @ below
        sd = np.sqrt(_stratified_var(below, self.stratum_weights, self.effective.tail[:, [j]]))
        return (sorted_j.quantile(np.clip(level + sd, 0, 1)) - sorted_j.quantile(np.clip(level - sd, 0, 1))) / 2

    def quantiles(self, q) -> tuple[np.ndarray, np.ndarray]:
        """The quantiles ``q`` of each hypothesis's probability over the draws, and their
        Monte Carlo standard errors: two (len(q), n) arrays."""
        q = np.atleast_1d(np.asarray(q, float))
        values, errors = np.empty((len(q), self.samples.shape[1])), np.empty((len(q), self.samples.shape[1]))
        for j in range(self.samples.shape[1]):
            sorted_j, strata_j = self._column(j)
            values[:, j] = sorted_j.quantile(q)
            errors[:, j] = self._end_errors(sorted_j, strata_j, j, values[:, j])
        return values, errors


def summarise(strata: list[np.ndarray], weights, effective: Effective | None = None) -> DrawSummary:
    """Summarise stratified draws: ``strata[j]`` (N_j, n) drawn given ``H_j``, mixed with ``weights``.

    ``effective``: the effective sample sizes of autocorrelated draws; None for
    independent draws (the draw counts).
    """
    weights = np.asarray(weights, float)
    weights = weights / weights.sum()
    n = strata[0].shape[1]
    if effective is None:
        counts = np.broadcast_to(np.array([len(s) for s in strata], float)[:, None], (len(strata), n))
        effective = Effective(counts, counts, counts)

    means = np.array([s.mean(axis=0) for s in strata])  # (J, n)
    spreads = np.array([s.var(axis=0) for s in strata])
    mc_se = np.sqrt((weights[:, None] ** 2 * spreads / np.maximum(effective.mean, 1)).sum(axis=0))
    shares = np.array([np.bincount(np.argmax(s, axis=1), minlength=n) / len(s) for s in strata])

    summary = DrawSummary(
        mean=weights @ means,
        hdi90=np.empty((n, 2)),
        p_leading=weights @ shares,
        mc_se=mc_se,
        hdi90_se=np.empty((n, 2)),
        hdi90_quantile_se=np.empty((n, 2)),
        hdi90_level_se=np.empty((n, 2)),
        p_leading_se=np.sqrt(_stratified_var(shares, weights, effective.lead)),
        samples=np.concatenate(strata),
        weights=np.concatenate([np.full(len(s), w / len(s)) for s, w in zip(strata, weights)]),
        bounds=np.cumsum([0, *map(len, strata)]),
        stratum_weights=weights,
        effective=effective,
    )
    batch, batch_weight = _batches(summary.bounds, weights)
    for j in range(n):  # the intervals and their errors, filled in place (the arrays are the summary's own)
        x = summary.samples[:, j]
        order = np.argsort(x)
        sorted_j = _Sorted(x, summary.weights, order)
        strata_j = [x[a:b] for a, b in zip(summary.bounds[:-1], summary.bounds[1:])]
        summary.hdi90[j], start = sorted_j.hdi_and_level(HDI_PROB)
        spread = _start_level_spread(x, order, batch, batch_weight)
        # each end is a quantile at the start's level (or 90 % above it): its own error, and the level's
        summary.hdi90_quantile_se[j] = summary._end_errors(sorted_j, strata_j, j, summary.hdi90[j])
        levels = np.array([start, start + HDI_PROB])
        moved = sorted_j.quantile(np.clip(levels + spread, 0, 1)) - sorted_j.quantile(np.clip(levels - spread, 0, 1))
        summary.hdi90_level_se[j] = moved / 2
    summary.hdi90_se[:] = np.hypot(summary.hdi90_quantile_se, summary.hdi90_level_se)
    return summary


BATCHES = 16


def _batches(bounds: np.ndarray, weights: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Which of :data:`BATCHES` contiguous batches each draw is in (a 16th of every stratum each),
    and its weight within its batch, a stratified sample of its own."""
    batch, weight = [], []
    for (a, b), w in zip(zip(bounds[:-1], bounds[1:]), weights):
        sizes = np.diff([g * (b - a) // BATCHES for g in range(BATCHES + 1)])
        batch.append(np.repeat(np.arange(BATCHES), sizes))
        weight.append(np.repeat(w / np.maximum(sizes, 1), sizes))
    return np.concatenate(batch), np.concatenate(weight)


def _start_level_spread(x: np.ndarray, order: np.ndarray, batch: np.ndarray, weight: np.ndarray) -> float:
    """The Monte Carlo error of the level at which a 90 % interval of draws ``x`` starts, from batches.

    The level is chosen by minimising a width, so it converges at the cube
    root of the number of draws (Kim & Pollard 1990), not the square root.
    Each of :data:`BATCHES` contiguous batches (contiguous, so NUTS's
    autocorrelation stays inside a batch) chooses a level; their spread,
    scaled by ``BATCHES ** (-1/3)``, is the error of the level chosen from all
    the draws. ``order`` sorts ``x``; a batch's draws in that order are sorted too.
    """
    in_order = batch[order]
    levels = []
    for g in range(BATCHES):
        mine = order[in_order == g]
        levels.append(_Sorted(x, weight, mine).hdi_and_level(HDI_PROB)[1])
    return float(np.std(levels, ddof=1) / BATCHES ** (1 / 3))


def _growth(square: np.ndarray, cube: np.ndarray, target: float) -> float:
    """The smallest factor ``g ≥ 1`` on the draws that brings every error of square-root
    part ``square`` and cube-root part ``cube`` under ``target``: ``square²/g + cube²/g^(2/3) ≤ target²``."""
    square, cube = np.ravel(square), np.ravel(cube)
    if not np.any(square**2 + cube**2 > target**2):
        return 1.0
    lo, hi = 1.0, 2.0
    while np.any(square**2 / hi + cube**2 / hi ** (2 / 3) > target**2):
        lo, hi = hi, 2 * hi
    for _ in range(40):
        mid = np.sqrt(lo * hi)
        lo, hi = (mid, hi) if np.any(square**2 / mid + cube**2 / mid ** (2 / 3) > target**2) else (lo, mid)
    return hi


@dataclass(frozen=True)
class Agreement:
    """Whether the sampled mean agrees with the exact posterior within Monte Carlo error."""

    agree: bool  # every hypothesis within 3 Monte Carlo standard errors
    worst: str  # the hypothesis furthest away, in standard errors
    difference: float  # |sampled mean - exact| for it
    z: float  # that difference in Monte Carlo standard errors

    LIMIT = 3.0


@dataclass
class StratifiedPosterior:
    """Draws of ``P(H | E, θ)`` with ``θ`` drawn given the evidence, stratum by stratum (MODEL.md §4).

    ``sampler`` says which engine drew them: ``"exact"`` (independent draws
    from the conjugate posterior, ``ach.conjugate``) or ``"nuts"`` (PyMC,
    ``ach.model``). The MCMC diagnostics are None for exact draws, which
    have no chains to disagree."""

    summary: DrawSummary
    strata: list[str]
    weights: np.ndarray
    sampler: str
    draws: int  # in all (exact) or per chain (nuts)
    seed: int
    chains: int | None = None
    tune: int | None = None
    r_hat_max: float | None = None
    ess_bulk_min: float | None = None
    ess_tail_min: float | None = None
    divergences: int | None = None
    idata: object = field(repr=False, default=None)

    @property
    def mc_se(self) -> np.ndarray:
        return self.summary.mc_se

    @property
    def engine(self) -> str:
        """The engine's name in a sentence: "exact draws" or "NUTS"."""
        return {"exact": "exact draws", "nuts": "NUTS"}[self.sampler]

    @property
    def healthy(self) -> bool:
        return not self.problems()

    def agreement(self, exact_posterior: np.ndarray, hypotheses: list[str]) -> Agreement:
        """Does the sampled mean equal the exact posterior, up to its Monte Carlo error (MODEL.md §4a)?"""
        diff = np.abs(self.summary.mean - exact_posterior)
        with np.errstate(divide="ignore", invalid="ignore"):
            z = np.where(self.mc_se > 0, diff / self.mc_se, np.where(diff > 1e-9, np.inf, 0.0))
        worst = int(np.argmax(z))
        return Agreement(bool(z[worst] <= Agreement.LIMIT), hypotheses[worst], float(diff[worst]), float(z[worst]))

    def problems(self) -> list[str]:
        """What makes the draws untrustworthy: failed MCMC checks (NUTS), too few draws (exact)."""
        out = []
        if self.sampler == "nuts":
            if self.r_hat_max >= 1.01:
                out.append(f"R-hat {self.r_hat_max:.3f} ≥ 1.01: chains disagree")
            if self.ess_bulk_min <= 400:
                out.append(f"bulk ESS {self.ess_bulk_min:.0f} ≤ 400: too few effective draws")
            if self.divergences:
                out.append(f"{self.divergences} divergent transitions")
        elif self.summary.mc_error > MC_TARGET:
            out.append(
                f"Monte Carlo error {self.summary.mc_error:.4f} above {MC_TARGET}: too few draws for the digits reported"
            )
        return out
