"""The hierarchical PyMC model that pools analysts' readings on the logit scale (MODEL.md §8).

Every rated quantity ``q`` (a likelihood cell, an item's credibility, a
source's reliability, a prior) has a latent team value ``μ_q`` on the logit
scale. Analyst ``a``'s reading of it is

    y_aq ~ Normal(μ_q + β_a·[q is a cell], σ_a · s_aq)

with ``s_aq`` the logit-scale spread of the analyst's own Beta (their stated
confidence), ``β_a`` the analyst's bias (zero-sum: relative to the team,
partially pooled with scale ``τ``) and ``σ_a`` their noise (log-normal around
a team ``σ₀``, partially pooled with scale ``ω``). ``μ_q`` has a flat prior
and ``β`` a Gaussian one, so both are integrated out exactly (Gaussian
integrals) and NUTS samples only the ``A + 3`` hyperparameters ``τ, σ₀, ω,
log σ_a``; given them, ``β`` and then ``μ_q`` are Normal and drawn exactly.
"""

from __future__ import annotations

import logging
import os
import time
from dataclasses import dataclass

import numpy as np
from scipy.special import expit, logit, polygamma

from ..scales import unimodal

__all__ = ["TARGET_ACCEPT", "Fit", "Readings", "build", "fit", "readings_of", "to_probability", "zero_sum_basis"]

log = logging.getLogger("ach")
FIXED_EDGE = 0.01  # a fixed 0 or 1 pooled with other readings reads as 0.01 or 0.99
FIXED_KAPPA = 80.0  # a fixed reading's spread: that of a high-confidence rating
TARGET_ACCEPT = 0.9  # NUTS's target acceptance (no divergence on the teaching set at four seeds)


@dataclass(frozen=True, eq=False)
class Readings:
    """The modelled quantities (those the analysts do not all give the same fixed value) and their readings."""

    kind: list[str]  # per quantity: "cell", "k", "r", "prior"
    index: list[tuple]  # per quantity: (i, j), (i,), (s,), (j,)
    y: np.ndarray  # (R,) logit readings
    s: np.ndarray  # (R,) logit-scale spread of each reading (stated confidence)
    analyst: np.ndarray  # (R,) int
    quantity: np.ndarray  # (R,) int
    is_cell: np.ndarray  # (R,) bool: the bias applies
    constant: dict  # (kind, index) -> value of the quantities every rater gave the same fixed value
    n_analysts: int

    @property
    def count(self) -> np.ndarray:
        return np.bincount(self.quantity, minlength=len(self.kind))


def _spread(mean: np.ndarray, kappa: np.ndarray) -> np.ndarray:
    """sd of logit(X) for X ~ Beta(m κ, (1 − m) κ): sqrt(ψ₁(α) + ψ₁(β))."""
    kappa = unimodal(mean, np.where(np.isnan(kappa), FIXED_KAPPA, kappa))
    return np.sqrt(polygamma(1, mean * kappa) + polygamma(1, (1 - mean) * kappa))


def readings_of(team) -> Readings:
    """Every quantity's readings, analyst by analyst (NaN and NA are no reading)."""
    kinds, indices, rows, constant = [], [], [], {}

    def add(kind, index, values, kappas):
        got = [(a, float(v), float(kp)) for a, (v, kp) in enumerate(zip(values, kappas)) if not np.isnan(v)]
        if not got:
            return
        fixed = [np.isnan(kp) or v in (0.0, 1.0) for _, v, kp in got]
        if all(fixed) and len({v for _, v, _ in got}) == 1:
            constant[(kind, index)] = got[0][1]
            return
        q = len(kinds)
        kinds.append(kind)
        indices.append(index)
        for (a, v, kp), f in zip(got, fixed):
            if f:
                v, kp = float(np.clip(v, FIXED_EDGE, 1 - FIXED_EDGE)), np.nan
            rows.append((a, q, v, kp, kind == "cell"))

    A, n_items, n = team.m.shape
    for i in range(n_items):
        for j in range(n):
            add("cell", (i, j), team.m[:, i, j], team.kappa[:, i, j])
        add("k", (i,), team.k[:, i], team.k_kappa[:, i])
    for s in range(len(team.sources)):
        add("r", (s,), team.r[:, s], team.r_kappa[:, s])
    pc = np.nan if team.prior_concentration is None else team.prior_concentration
    for j in range(n):
        add("prior", (j,), team.prior[:, j], np.full(A, pc))
    a, q, v, kp, cell = (np.array(x) for x in zip(*rows)) if rows else [np.array([])] * 5
    v = v.astype(float)
    return Readings(
        kind=kinds,
        index=indices,
        y=logit(v),
        s=_spread(v, kp.astype(float)),
        analyst=a.astype(int),
        quantity=q.astype(int),
        is_cell=cell.astype(bool),
        constant=constant,
        n_analysts=A,
    )


def zero_sum_basis(A: int) -> np.ndarray:
    """An orthonormal basis (A, A − 1) of the vectors that sum to zero (Helmert's): β = P z."""
    P = np.zeros((A, max(A - 1, 0)))
    for k in range(1, A):
        P[:k, k - 1] = 1.0
        P[k, k - 1] = -k
        P[:, k - 1] /= np.sqrt(k * (k + 1))
    return P


def build(readings: Readings):
    """The ``pm.Model``: hyperpriors and the marginal likelihood of the readings (μ and β integrated out).

    Only ``τ``, ``σ₀``, ``ω`` and ``log σ_a`` are sampled. Given them the readings
    are linear-Gaussian in ``(μ, β)``: ``μ`` (flat) is integrated out per
    quantity and ``β = P z``, ``z ~ Normal(0, τ² I)``, in closed form over
    ``A − 1`` dimensions, so NUTS never meets the funnel between ``τ`` and
    the biases (``τ`` near zero on a team that agrees, a divergence at
    the defaults before). ``bias_mean`` and ``bias_cov`` (the conditional of
    ``z``) are recorded per draw; :func:`fit` draws ``β`` from them exactly.
    ``log σ_a`` is centred: every analyst's noise is pinned by their many
    readings, and an analyst who always sits at the consensus (noise near
    zero, a flat likelihood below) is bounded by ``Normal(log σ₀, ω)``.
    """
    from ..model import configure_cache

    configure_cache()
    import pymc as pm
    import pytensor.tensor as pt

    A = readings.n_analysts
    multi = readings.count[readings.quantity] >= 2  # a lone reading says nothing of bias or noise
    y, s, a = readings.y[multi], readings.s[multi], readings.analyst[multi]
    cell = readings.is_cell[multi].astype(float)
    qs, q = np.unique(readings.quantity[multi], return_inverse=True)
    Q, P = len(qs), zero_sum_basis(A)
    with pm.Model() as model:
        sigma0 = pm.LogNormal("sigma0", mu=0.0, sigma=0.5)
        omega = pm.HalfNormal("omega", sigma=0.5)
        sigma = pm.Deterministic("sigma", pt.exp(pm.Normal("log_sigma", pt.log(sigma0), omega, shape=A)))
        tau = pm.HalfNormal("tau", sigma=1.0) if A >= 2 else None
        if len(y):
            v = (sigma[a] * s) ** 2
            w = 1 / v
            W = pt.inc_subtensor(pt.zeros(Q)[q], w)
            mean = pt.inc_subtensor(pt.zeros(Q)[q], w * y) / W
            # β = 0: the Gaussian integral over μ, with residuals from the weighted mean (no cancellation)
            loglik = -0.5 * pt.sum(pt.log(2 * np.pi * v) + w * (y - mean[q]) ** 2) + 0.5 * pt.sum(pt.log(2 * np.pi / W))
        if A >= 2:
            if len(y):
                # the log-likelihood in β is loglik + gᵀβ − ½ βᵀHβ; in z: hᵀz − ½ zᵀMz
                U = pt.inc_subtensor(pt.zeros(Q * A)[q * A + a], w * cell).reshape((Q, A))
                UP = pt.dot(U, P)
                h = pt.dot(P.T, pt.inc_subtensor(pt.zeros(A)[a], w * cell * (y - mean[q])))
                M = pt.dot(P.T * pt.sum(U, axis=0)[None, :], P) - pt.dot(UP.T, UP / W[:, None])
            else:
                h, M = pt.zeros(A - 1), pt.zeros((A - 1, A - 1))
            C = np.eye(A - 1) + tau**2 * M  # τ² (M + I/τ²): well conditioned as τ → 0
            C_inv = pt.linalg.inv(C)
            z_mean = tau**2 * pt.dot(C_inv, h)
            pm.Deterministic("bias_mean", pt.dot(P, z_mean))
            pm.Deterministic("bias_cov", tau**2 * C_inv)  # of z, in the basis P
            if len(y):
                loglik = loglik - 0.5 * pt.linalg.slogdet(C)[1] + 0.5 * pt.dot(h, z_mean)
        if len(y):
            pm.Potential("readings", loglik)
    return model


@dataclass(frozen=True, eq=False)
class Fit:
    readings: Readings
    bias: np.ndarray  # (chains, draws, A): exact draws given each NUTS draw
    bias_mean: np.ndarray  # (chains, draws, A): E[β | τ, σ, readings]
    sigma: np.ndarray  # (chains, draws, A)
    divergences: int
    seconds: float
    chains: int
    draws: int

    def conditional(self, bias: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        """(mean, sd) of every μ_q given each draw's β (the drawn ones by default) and σ: (D, Q) each."""
        rd = self.readings
        bias = (self.bias if bias is None else bias).reshape(-1, rd.n_analysts)
        sigma = self.sigma.reshape(-1, rd.n_analysts)
        x = rd.y - bias[:, rd.analyst] * rd.is_cell
        w = 1.0 / (sigma[:, rd.analyst] * rd.s) ** 2
        Q = len(rd.kind)
        P = np.zeros((len(bias), Q))
        T = np.zeros((len(bias), Q))
        np.add.at(P.T, rd.quantity, w.T)
        np.add.at(T.T, rd.quantity, (w * x).T)
        return T / P, 1.0 / np.sqrt(P)

    def point(self) -> np.ndarray:
        """Team values on the logit scale: the posterior mean of the precision-weighted mean (Q,).

        The weighted mean is linear in β, so its mean given a draw uses E[β | draw] (Rao-Blackwellised)."""
        if self.readings.n_analysts == 1:  # β = 0 and one reading: the analyst's own value, exactly
            return self.readings.y[np.argsort(self.readings.quantity)]
        return self.conditional(self.bias_mean)[0].mean(axis=0)

    def team_draws(self, seed: int) -> np.ndarray:
        """Draws of every μ_q (D, Q): exact given each NUTS draw of β and σ."""
        mean, sd = self.conditional()
        return mean + sd * np.random.default_rng(seed).standard_normal(mean.shape)


def _biases(post, A: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """β drawn exactly from Normal(bias_mean, P · bias_cov · Pᵀ) at each NUTS draw; (draws, means)."""
    if A == 1:
        zeros = np.zeros(post["sigma"].shape)
        return zeros, zeros
    mean = post["bias_mean"].values
    root = np.linalg.cholesky(post["bias_cov"].values)  # (chains, draws, A − 1, A − 1)
    noise = np.random.default_rng(seed).standard_normal(mean.shape[:2] + (A - 1, 1))
    return mean + (zero_sum_basis(A) @ (root @ noise))[..., 0], mean


def fit(
    readings: Readings, *, draws=1000, tune=1000, chains=4, seed=0, target_accept=TARGET_ACCEPT, progress=False
) -> Fit:
    """Sample the hyperparameters with NUTS (messages on the "ach" logger while it compiles and samples)."""
    from ..model import announce_compiling, configure_cache

    cache = configure_cache()
    import pymc as pm

    announce_compiling(cache)
    model = build(readings)
    log.info(
        "team model: NUTS on %d analysts' %d readings of %d quantities (%d chains × %d draws after %d tuning)",
        readings.n_analysts,
        len(readings.y),
        len(readings.kind),
        chains,
        draws,
        tune,
    )
    start = time.perf_counter()
    logger = logging.getLogger("pymc")
    level = logger.level
    if not progress:
        logger.setLevel(logging.WARNING)
    try:
        with model:
            idata = pm.sample(
                draws=draws,
                tune=tune,
                chains=chains,
                cores=min(chains, os.cpu_count() or 1),
                random_seed=seed,
                progressbar=progress,
                target_accept=target_accept,
                compute_convergence_checks=False,
            )
    finally:
        logger.setLevel(level)
    seconds = time.perf_counter() - start
    post = idata.posterior
    bias, bias_mean = _biases(post, readings.n_analysts, seed)
    return Fit(
        readings=readings,
        bias=bias,
        bias_mean=bias_mean,
        sigma=post["sigma"].values,
        divergences=int(idata.sample_stats["diverging"].values.sum()),
        seconds=seconds,
        chains=chains,
        draws=draws,
    )


def to_probability(values: np.ndarray) -> np.ndarray:
    return expit(values)
