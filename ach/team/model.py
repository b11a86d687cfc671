"""The hierarchical PyMC model that pools analysts' readings on the logit scale (MODEL.md §8).

Every rated quantity ``q`` (a likelihood cell, an item's credibility, a
source's reliability, a prior) has a latent team value ``μ_q`` on the logit
scale. Analyst ``a``'s reading of it is

    y_aq ~ Normal(μ_q + β_a·[q is a cell], σ_a · s_aq)

with ``s_aq`` the logit-scale spread of the analyst's own Beta (their stated
confidence), ``β_a`` the analyst's bias (zero-sum: relative to the team,
partially pooled with scale ``τ``) and ``σ_a`` their noise (log-normal around
a team ``σ₀``, partially pooled with scale ``ω``). ``μ_q`` has a flat prior
and is integrated out exactly (a Gaussian integral), so NUTS samples only
``2A + 3`` hyperparameters; ``μ_q`` given them is Normal with the
precision-weighted mean of ``y_aq − β_a`` and is drawn exactly per draw.
"""

from __future__ import annotations

import logging
import os
import time
from dataclasses import dataclass

import numpy as np
from scipy.special import expit, logit, polygamma

from ..scales import unimodal

__all__ = ["Fit", "Readings", "build", "fit", "readings_of", "to_probability"]

log = logging.getLogger("ach")
FIXED_EDGE = 0.01  # a fixed 0 or 1 pooled with other readings reads as 0.01 or 0.99
FIXED_KAPPA = 80.0  # a fixed reading's spread: that of a high-confidence rating


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


def build(readings: Readings):
    """The ``pm.Model``: hyperpriors and the marginal likelihood of the readings (μ integrated out)."""
    from ..model import configure_cache

    configure_cache()
    import pymc as pm
    import pytensor.tensor as pt

    A = readings.n_analysts
    multi = readings.count[readings.quantity] >= 2  # a lone reading says nothing of bias or noise
    y, s, a = readings.y[multi], readings.s[multi], readings.analyst[multi]
    cell = readings.is_cell[multi].astype(float)
    qs, q = np.unique(readings.quantity[multi], return_inverse=True)
    with pm.Model() as model:
        sigma0 = pm.LogNormal("sigma0", mu=0.0, sigma=0.5)
        omega = pm.HalfNormal("omega", sigma=0.5)
        z = pm.Normal("z", 0.0, 1.0, shape=A)
        sigma = pm.Deterministic("sigma", sigma0 * pt.exp(omega * z))
        if A >= 2:
            tau = pm.HalfNormal("tau", sigma=1.0)
            bias = pm.Deterministic("bias", tau * pm.ZeroSumNormal("bias_raw", sigma=1.0, shape=A))  # non-centred
        else:
            bias = pm.Deterministic("bias", pt.zeros(A))
        if len(y):
            x = y - bias[a] * cell
            v = (sigma[a] * s) ** 2
            precision = pt.inc_subtensor(pt.zeros(len(qs))[q], 1 / v)
            total = pt.inc_subtensor(pt.zeros(len(qs))[q], x / v)
            loglik = (
                -0.5 * pt.sum(pt.log(2 * np.pi * v) + x**2 / v)
                + 0.5 * pt.sum(pt.log(2 * np.pi / precision))
                + 0.5 * pt.sum(total**2 / precision)
            )
            pm.Potential("readings", loglik)
    return model


@dataclass(frozen=True, eq=False)
class Fit:
    readings: Readings
    bias: np.ndarray  # (chains, draws, A)
    sigma: np.ndarray  # (chains, draws, A)
    divergences: int
    seconds: float
    chains: int
    draws: int

    def conditional(self) -> tuple[np.ndarray, np.ndarray]:
        """(mean, sd) of every μ_q given each draw's β, σ: (D, Q) each."""
        rd = self.readings
        bias = self.bias.reshape(-1, rd.n_analysts)
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
        """Team values on the logit scale: the posterior mean of the precision-weighted mean (Q,)."""
        if self.readings.n_analysts == 1:  # β = 0 and one reading: the analyst's own value, exactly
            return self.readings.y[np.argsort(self.readings.quantity)]
        return self.conditional()[0].mean(axis=0)

    def team_draws(self, seed: int) -> np.ndarray:
        """Draws of every μ_q (D, Q): exact given each NUTS draw of β and σ."""
        mean, sd = self.conditional()
        return mean + sd * np.random.default_rng(seed).standard_normal(mean.shape)


def fit(readings: Readings, *, draws=1000, tune=1000, chains=4, seed=0, progress=False) -> Fit:
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
                target_accept=0.95,
                compute_convergence_checks=False,
            )
    finally:
        logger.setLevel(level)
    seconds = time.perf_counter() - start
    post = idata.posterior
    return Fit(
        readings=readings,
        bias=post["bias"].values,
        sigma=post["sigma"].values,
        divergences=int(idata.sample_stats["diverging"].values.sum()),
        seconds=seconds,
        chains=chains,
        draws=draws,
    )


def to_probability(values: np.ndarray) -> np.ndarray:
    return expit(values)
