"""The PyMC side (MODEL.md §4): how sure can we be of the exact posterior?

Two computations, both in PyMC:

* :func:`sample_stratified` samples the inputs given the evidence with NUTS,
  **stratified on the hypothesis**. Under ``H_j`` only column ``j`` of the
  likelihood matrix meets the data, so ``θ | E, H_j`` is unimodal; all strata
  are independent blocks of one model, sampled in one run. Stratum ``j`` is
  weighted by the exact ``P(H_j | E)``; the other columns keep their prior,
  drawn forward. The mixture's mean of ``posterior_j(θ)`` must equal the exact
  posterior (the tower property), which the tests check.
* :func:`sample_forward` draws the inputs from the analyst's stated
  uncertainty alone: a robustness display, not a posterior.

The case never sees PyMC: this module turns :class:`~ach.inputs.Inputs` into
a ``pm.Model``. PyTensor compiles C on first use; :func:`configure_cache`
keeps that cache in a stable per-user folder so later runs are quick.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from . import exact
from .scales import beta_params

__all__ = [
    "MIN_STRATUM_WEIGHT",
    "Agreement",
    "DrawSummary",
    "StratifiedPosterior",
    "build_stratified",
    "cache_dir",
    "configure_cache",
    "sample_forward",
    "sample_stratified",
    "stratum_blocks",
]

MIN_STRATUM_WEIGHT = 1e-6  # strata lighter than this change no reported digit
CLIP = 1e-12  # keep Beta draws off exact 0 and 1, where logs blow up


def cache_dir() -> Path:
    from platformdirs import user_cache_dir

    return Path(os.environ.get("ACH_CACHE_DIR") or user_cache_dir("ach")) / "pytensor"


def configure_cache() -> Path:
    """Point PyTensor's compile cache at ach's per-user cache (before it is imported)."""
    import warnings

    # PyTensor falls back to NumPy's BLAS when no system BLAS is linked; ach's
    # graphs are elementwise, so the notice is noise for an analyst.
    warnings.filterwarnings("ignore", message=".*BLAS.*", module=r"pytensor\..*")
    flags = os.environ.get("PYTENSOR_FLAGS", "")
    if "pytensor" in sys.modules or "base_compiledir" in flags:
        import pytensor

        return Path(pytensor.config.base_compiledir)
    path = cache_dir()
    path.mkdir(parents=True, exist_ok=True)
    os.environ["PYTENSOR_FLAGS"] = ",".join(filter(None, [flags, f"base_compiledir={path}"]))
    return path


@dataclass(frozen=True)
class DrawSummary:
    """Distribution of ``posterior_j(θ)`` over draws: what both sections report."""

    mean: np.ndarray  # (n,)
    hdi90: np.ndarray  # (n, 2)
    p_leading: np.ndarray  # (n,) share of draws in which H_j leads
    samples: np.ndarray  # (N, n) equally weighted draws, for plots

    @classmethod
    def from_draws(cls, draws: np.ndarray, mean: np.ndarray | None = None, p_leading: np.ndarray | None = None):
        import arviz as az

        hdi = np.array([az.hdi(draws[:, j], hdi_prob=0.9) for j in range(draws.shape[1])])
        if p_leading is None:
            p_leading = np.bincount(np.argmax(draws, axis=1), minlength=draws.shape[1]) / len(draws)
        return cls(draws.mean(axis=0) if mean is None else mean, hdi, p_leading, draws)


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
    """The stratified NUTS result (MODEL.md §4a)."""

    summary: DrawSummary
    mc_se: np.ndarray  # (n,) Monte Carlo standard error of summary.mean
    strata: list[str]
    weights: np.ndarray
    r_hat_max: float
    ess_bulk_min: float
    ess_tail_min: float
    divergences: int
    chains: int
    draws: int
    tune: int
    seed: int
    idata: object = field(repr=False, default=None)

    @property
    def healthy(self) -> bool:
        return self.r_hat_max < 1.01 and self.ess_bulk_min > 400 and self.divergences == 0

    def agreement(self, exact_posterior: np.ndarray, hypotheses: list[str]) -> Agreement:
        """Does the sampled mean equal the exact posterior, up to its Monte Carlo error (MODEL.md §4a)?"""
        diff = np.abs(self.summary.mean - exact_posterior)
        with np.errstate(divide="ignore", invalid="ignore"):
            z = np.where(self.mc_se > 0, diff / self.mc_se, np.where(diff > 1e-9, np.inf, 0.0))
        worst = int(np.argmax(z))
        return Agreement(bool(z[worst] <= Agreement.LIMIT), hypotheses[worst], float(diff[worst]), float(z[worst]))

    def problems(self) -> list[str]:
        out = []
        if self.r_hat_max >= 1.01:
            out.append(f"R-hat {self.r_hat_max:.3f} ≥ 1.01: chains disagree")
        if self.ess_bulk_min <= 400:
            out.append(f"bulk ESS {self.ess_bulk_min:.0f} ≤ 400: too few effective draws")
        if self.divergences:
            out.append(f"{self.divergences} divergent transitions")
        return out


def _beta_or_fixed(pm, pt, name, mean, kappa):
    """A Beta where the cell is uncertain, the mean itself where it is fixed."""
    free, alpha, beta = beta_params(mean, kappa)
    if not free.any():
        return pt.as_tensor_variable(np.asarray(mean, float))
    raw = pm.Beta(name, alpha=alpha, beta=beta, shape=np.shape(mean))
    return pt.where(free, pt.clip(raw, CLIP, 1 - CLIP), mean)


def _prior_columns(rng, inputs, size: int) -> np.ndarray:
    """Fresh prior draws of the whole likelihood matrix (size, I, n)."""
    free, alpha, beta = beta_params(inputs.m, inputs.kappa)
    draws = np.clip(rng.beta(alpha, beta, size=(size, *alpha.shape)), CLIP, 1 - CLIP)
    return np.where(free, draws, inputs.m)


def _prior(pm, pt, inputs, shape):
    if inputs.prior_concentration is None:
        return pt.as_tensor_variable(np.broadcast_to(inputs.prior, shape).copy())
    alpha = np.broadcast_to(inputs.prior * inputs.prior_concentration, shape).copy()
    return pm.Dirichlet("pi", a=alpha, shape=shape)


def sample_forward(inputs, draws: int = 4000, seed: int = 0) -> tuple[DrawSummary, dict]:
    """Draw every input from the analyst's stated uncertainty; posterior per draw.

    Returns the summary and the input draws themselves.
    """
    configure_cache()
    import pymc as pm
    import pytensor.tensor as pt

    with pm.Model():
        L = _beta_or_fixed(pm, pt, "L", inputs.m, inputs.kappa)
        k = _beta_or_fixed(pm, pt, "k", inputs.k, inputs.k_kappa)
        r = _beta_or_fixed(pm, pt, "r", inputs.r, inputs.r_kappa)
        prior = _prior(pm, pt, inputs, inputs.prior.shape)
        values = pm.draw([L, k, r, prior], draws=draws, random_seed=seed)
    L_d, k_d, r_d, prior_d = (np.broadcast_to(v, (draws, *np.shape(v)[1:])) if np.ndim(v) else v for v in values)
    theta = {"L": np.asarray(L_d), "k": np.asarray(k_d), "r": np.asarray(r_d), "prior": np.asarray(prior_d)}
    post = exact.posterior(inputs, L=theta["L"], k=theta["k"], r=theta["r"], prior=theta["prior"])
    return DrawSummary.from_draws(post), theta


def stratum_blocks(inputs, strata: np.ndarray) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """(mean, concentration) of each stratum's inputs, one row per stratum:
    L (J, I) is column ``strata[t]`` of the matrix; k (J, I) and r (J, S) repeat."""
    J = len(strata)
    return {
        "L": (inputs.m[:, strata].T, inputs.kappa[:, strata].T),
        "k": (np.tile(inputs.k, (J, 1)), np.tile(inputs.k_kappa, (J, 1))),
        "r": (np.tile(inputs.r, (J, 1)), np.tile(inputs.r_kappa, (J, 1))),
    }


def build_stratified(inputs, strata: np.ndarray):
    """One ``pm.Model`` holding every stratum as an independent block.

    Block ``t`` carries the column ``strata[t]`` of L, and its own k, r and π;
    its log density is ``log π_j + Σ_s log P(E_s | H_j; θ_t)``.
    """
    configure_cache()
    import pymc as pm
    import pytensor.tensor as pt

    J, n, S = len(strata), len(inputs.hypotheses), len(inputs.sources)
    idx = inputs.source_index

    def source_sum(x):  # (I, J) -> (S, J), keeps -inf exact
        return pt.inc_subtensor(pt.zeros((S, x.shape[1]))[idx], x)

    with pm.Model() as model:
        L, k, r = (_beta_or_fixed(pm, pt, name, *spec) for name, spec in stratum_blocks(inputs, strata).items())
        prior = _prior(pm, pt, inputs, (J, n))
        log_lik = exact.log_source_likelihood(
            L.T, k.T, r.T, pt.as_tensor_variable(inputs.b[:, strata]), source_sum, xp=pt
        )  # (S, J)
        log_prior = pt.log(prior[np.arange(J), strata])
        pm.Potential("evidence", log_lik.sum() + log_prior.sum())
    return model


def sample_stratified(
    inputs,
    *,
    draws: int = 1000,
    tune: int = 1000,
    chains: int = 4,
    seed: int = 0,
    progress: bool = True,
) -> StratifiedPosterior:
    """NUTS on every stratum at once; mix strata by the exact posterior.

    Each stratum fills the columns that do not meet the data with its own fresh
    prior draws, so the strata's Monte Carlo errors are independent and the
    reported standard error is honest.
    """
    import pymc as pm

    exact_post = exact.posterior(inputs)
    strata = np.flatnonzero(exact_post >= MIN_STRATUM_WEIGHT)
    weights = exact_post[strata] / exact_post[strata].sum()
    model = build_stratified(inputs, strata)
    n_total = draws * chains
    free = model.free_RVs
    if free:
        with model:
            idata = pm.sample(
                draws=draws,
                tune=tune,
                chains=chains,
                cores=min(chains, os.cpu_count() or 1),
                random_seed=seed,
                progressbar=progress,
                target_accept=0.9,
                compute_convergence_checks=False,
            )
        post = idata.posterior
    else:  # nothing uncertain: every "draw" is the means
        idata, post = None, {}

    def stacked(name, mean, kappa):  # (chain*draw, J, ...) with fixed cells filled in
        if name not in post:
            return np.broadcast_to(mean, (n_total, *mean.shape))
        raw = post[name].values.reshape(n_total, *mean.shape)
        return np.where(beta_params(mean, kappa)[0], np.clip(raw, CLIP, 1 - CLIP), mean)

    J = len(strata)
    L_s, k_s, r_s = (stacked(name, *spec) for name, spec in stratum_blocks(inputs, strata).items())
    pi_s = (
        post["pi"].values.reshape(n_total, J, -1)
        if "pi" in post
        else np.broadcast_to(inputs.prior, (n_total, J, len(inputs.prior)))
    )

    rng = np.random.default_rng(seed)
    per_stratum, means, ses, checks = [], [], [], []
    for t, j in enumerate(strata):
        L_full = _prior_columns(rng, inputs, n_total)
        L_full[:, :, j] = L_s[:, t, :]
        p = exact.posterior(inputs, L=L_full, k=k_s[:, t], r=r_s[:, t], prior=pi_s[:, t])
        per_stratum.append(p)
        means.append(p.mean(axis=0))
        stats = np.array([_diagnose(p[:, h].reshape(chains, draws), n_total) for h in range(p.shape[1])])
        checks.append(stats)
        ses.append(p.std(axis=0) / np.sqrt(np.maximum(stats[:, 1], 1.0)))
    means, ses, checks = np.array(means), np.array(ses), np.concatenate(checks)
    mixed_mean = weights @ means
    mc_se = np.sqrt((weights[:, None] ** 2 * ses**2).sum(axis=0))

    counts = rng.multinomial(n_total, weights)
    mixture = np.concatenate([p[rng.integers(0, n_total, c)] for p, c in zip(per_stratum, counts)])
    # rank stability from the exact mixture weights, not the resample
    p_leading = sum(
        w * np.bincount(np.argmax(p, 1), minlength=p.shape[1]) / n_total for w, p in zip(weights, per_stratum)
    )
    summary = DrawSummary.from_draws(mixture, mean=mixed_mean, p_leading=p_leading)

    # Diagnostics of what the report states: each hypothesis's posterior within
    # each stratum (J x n series), not of every sampled input (thousands).
    r_hat_max, ess_bulk_min, ess_tail_min = (
        float(np.nanmax(checks[:, 0])),
        *map(float, np.nanmin(checks[:, 1:], axis=0)),
    )
    divergences = int(idata.sample_stats["diverging"].values.sum()) if idata is not None else 0
    return StratifiedPosterior(
        summary=summary,
        mc_se=mc_se,
        strata=[inputs.hypotheses[j] for j in strata],
        weights=weights,
        r_hat_max=r_hat_max,
        ess_bulk_min=ess_bulk_min,
        ess_tail_min=ess_tail_min,
        divergences=divergences,
        chains=chains,
        draws=draws,
        tune=tune,
        seed=seed,
        idata=idata,
    )


def _diagnose(series: np.ndarray, n_total: int) -> tuple[float, float, float]:
    """(R-hat, bulk ESS, tail ESS) of one (chain, draw) series; a constant one is perfect."""
    import arviz as az

    if np.ptp(series) == 0:
        return 1.0, float(n_total), float(n_total)
    return (float(az.rhat(series)), float(az.ess(series, method="bulk")), float(az.ess(series, method="tail")))
