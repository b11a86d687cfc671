"""The PyMC statement of the model (MODEL.md §4), sampled with NUTS.

The intervals are drawn exactly by :mod:`ach.conjugate` when the model is
conjugate (``ach.uncertainty`` decides); this module is the model written in
PyMC, the engine for models that are not conjugate, and the check of the
exact draws:

* :func:`sample_stratified` samples the inputs given the evidence with NUTS,
  **stratified on the hypothesis**. Under ``H_j`` only column ``j`` of the
  likelihood matrix meets the data, so ``θ | E, H_j`` is unimodal; all strata
  are independent blocks of one model, sampled in one run. Stratum ``j`` is
  weighted by the exact ``P(H_j | E)``; the other columns keep their prior,
  drawn forward. The mixture's mean of ``posterior_j(θ)`` must equal the exact
  posterior (the tower property), which the tests check.
* :func:`sample_forward` draws the inputs from the analyst's stated
  uncertainty alone with ``pm.draw`` (the reports use the faster NumPy
  draws of :mod:`ach.conjugate`; this one checks them).

The case never sees PyMC: this module turns :class:`~ach.inputs.Inputs` into
a ``pm.Model``. PyTensor compiles C on first use; :func:`configure_cache`
keeps that cache in a stable per-user folder so later runs are quick.
"""

from __future__ import annotations

import contextlib
import logging
import os
import sys
from pathlib import Path

import numpy as np

from . import exact
from .draws import DrawSummary, Effective, StratifiedPosterior, strata_of, summarise
from .files import cache_root
from .scales import beta_params

__all__ = [
    "announce_compiling",
    "build_stratified",
    "cache_dir",
    "configure_cache",
    "sample_forward",
    "sample_stratified",
    "stratum_blocks",
]

CLIP = 1e-12  # keep Beta draws off exact 0 and 1, where logs blow up

log = logging.getLogger("ach")


def cache_dir() -> Path:
    return cache_root() / "pytensor"


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


def announce_compiling(cache: Path) -> None:
    """Say so, once, when PyTensor starts compiling C code (not when the cache already has it).

    PyTensor has no hook for this; its compiler entry point is wrapped, and if
    a later PyTensor renames it nothing is announced."""
    import pytensor.link.c.cmodule as cmodule

    compiler = getattr(cmodule, "GCC_compiler", None)
    original = getattr(compiler, "compile_str", None)
    if original is None or getattr(original, "_ach_announces", False):
        return

    def compile_str(*args, **kwargs):
        if not compile_str.said:
            compile_str.said = True
            log.info("PyMC: compiling C code for the model (cached in %s: a minute now, seconds next time)", cache)
        return original(*args, **kwargs)

    compile_str.said, compile_str._ach_announces = False, True
    compiler.compile_str = staticmethod(compile_str)


@contextlib.contextmanager
def _pymc_messages(shown: bool):
    """PyMC's own log lines ("Initializing NUTS", "Sampling 4 chains ...") only when progress is shown."""
    logger = logging.getLogger("pymc")
    level = logger.level
    if not shown:
        logger.setLevel(logging.WARNING)
    try:
        yield
    finally:
        logger.setLevel(level)


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
    """Draw every input from the analyst's stated uncertainty with ``pm.draw``; posterior per draw.

    Returns the summary and the input draws themselves. The reports use
    :func:`ach.conjugate.sample_forward_exact` (no PyMC import);
    this is the PyMC statement it is checked against.
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
    return summarise([post], [1.0]), theta


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
    prior draws. The Monte Carlo errors use each stratum's effective sample
    size of the quantity reported: of the mean for the mean, of the tails for
    the interval ends, of the "leads" indicator for the shares.
    """
    import pymc as pm

    strata, weights = strata_of(inputs)
    model = build_stratified(inputs, strata)
    n_total = draws * chains
    if model.free_RVs:
        with model, _pymc_messages(progress):
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
    per_stratum, checks = [], []
    for t, j in enumerate(strata):
        L_full = _prior_columns(rng, inputs, n_total)
        L_full[:, :, j] = L_s[:, t, :]
        p = exact.posterior(inputs, L=L_full, k=k_s[:, t], r=r_s[:, t], prior=pi_s[:, t])
        per_stratum.append(p)
        leads = np.argmax(p, axis=1)
        checks.append([_diagnose(p[:, h], leads == h, chains, draws) for h in range(p.shape[1])])
    checks = np.array(checks)  # (J, n, 5): R-hat, bulk, tail, mean and "leads" ESS
    effective = Effective(mean=checks[..., 3], tail=checks[..., 2], lead=checks[..., 4], bulk=checks[..., 1])
    summary = summarise(per_stratum, weights, effective)

    # Diagnostics of what the report states: each hypothesis's posterior within
    # each stratum (J x n series), not of every sampled input (thousands).
    divergences = int(idata.sample_stats["diverging"].values.sum()) if idata is not None else 0
    return StratifiedPosterior(
        summary=summary,
        strata=[inputs.hypotheses[j] for j in strata],
        weights=weights,
        sampler="nuts",
        draws=draws,
        seed=seed,
        chains=chains,
        tune=tune,
        r_hat_max=float(np.nanmax(checks[..., 0])),
        ess_bulk_min=float(np.nanmin(checks[..., 1])),
        ess_tail_min=float(np.nanmin(checks[..., 2])),
        divergences=divergences,
        idata=idata,
    )


def _diagnose(values: np.ndarray, leads: np.ndarray, chains: int, draws: int) -> tuple[float, ...]:
    """(R-hat, bulk, tail and mean ESS of one hypothesis's posterior, ESS of its "leads" indicator)
    from its (chain × draw) series in one stratum; a constant series is as good as independent draws."""
    import arviz as az

    n_total = float(chains * draws)
    series, indicator = values.reshape(chains, draws), leads.reshape(chains, draws).astype(float)
    if np.ptp(series) == 0:
        return 1.0, n_total, n_total, n_total, n_total
    lead_ess = n_total if np.ptp(indicator) == 0 else float(az.ess(indicator, method="mean"))
    return (
        float(az.rhat(series)),
        float(az.ess(series, method="bulk")),
        float(az.ess(series, method="tail")),
        float(az.ess(series, method="mean")),
        lead_ess,
    )
