"""The team's inputs from its values, and the pooled posterior with its 90 % interval (MODEL.md §8)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .. import exact
from ..inputs import Inputs
from .model import Fit, to_probability

__all__ = ["Pooled", "pooled", "remedies", "team_inputs"]

CHUNK = 500  # draws per exact-engine call


def _arrays(team, readings, values: np.ndarray):
    """Team m (D, I, n), k (D, I), r (D, S), prior (D, n) from quantity values (D, Q) on the probability scale."""
    D = values.shape[0]
    _, n_items, n = team.m.shape
    m = np.full((D, n_items, n), np.nan)
    k = np.ones((D, n_items))
    r = np.ones((D, len(team.sources)))
    prior = np.full((D, n), np.nan)
    target = {"cell": m, "k": k, "r": r, "prior": prior}
    for (kind, index), value in readings.constant.items():
        target[kind][(slice(None), *index)] = value
    for q, (kind, index) in enumerate(zip(readings.kind, readings.index)):
        target[kind][(slice(None), *index)] = values[:, q]
    prior = prior / prior.sum(axis=1, keepdims=True)
    return m, k, r, prior


def _b(team, m: np.ndarray) -> np.ndarray:
    """if_false of the team at its point m (I, n): the default rule where every rater left it default."""
    rated_mean = np.nanmean(np.where(np.isnan(m), np.nan, m), axis=1)
    given = np.nanmean(np.where(team.rated[..., None], team.b, np.nan), axis=0)
    default = np.array([team.b_is_mean[team.rated[:, i], i].all() for i in range(len(team.items))])
    b = np.where(default[:, None], np.nan_to_num(rated_mean, nan=0.5)[:, None], given)
    return b


def team_inputs(team, readings, values: np.ndarray) -> Inputs:
    """The team's :class:`Inputs` at quantity values on the logit scale (Q,): fixed, the exact engine reads them."""
    m, k, r, prior = (x[0] for x in _arrays(team, readings, to_probability(values)[None]))
    na = np.isnan(m)
    b = _b(team, m)
    m = np.where(na, b, m)
    n_items, n = m.shape
    return Inputs(
        hypotheses=team.hypotheses,
        items=team.items,
        sources=team.sources,
        prior=prior,
        prior_concentration=None,
        m=m,
        kappa=np.full((n_items, n), np.nan),
        b=b,
        k=k,
        k_kappa=np.full(n_items, np.nan),
        r=r,
        r_kappa=np.full(len(team.sources), np.nan),
        source_index=team.source_index,
        na=na,
        b_is_mean=np.array([team.b_is_mean[team.rated[:, i], i].all() for i in range(n_items)]),
    )


def hdi(x: np.ndarray, prob: float = 0.9) -> tuple[float, float]:
    """The shortest interval holding ``prob`` of the draws."""
    x = np.sort(x)
    size = int(np.ceil(prob * len(x)))
    widths = x[size - 1 :] - x[: len(x) - size + 1]
    lo = int(np.argmin(widths))
    return float(x[lo]), float(x[lo + size - 1])


@dataclass(frozen=True, eq=False)
class Pooled:
    inputs: Inputs  # the team's inputs at its point values
    posterior: np.ndarray  # (n,) exact posterior at the team's point values
    draws: np.ndarray  # (D, n) posterior at each draw of the team values
    hdi90: list[tuple[float, float]]
    bias_hdi90: list[tuple[float, float]]
    bias_mean: np.ndarray
    r_hat_max: float
    ess_bulk_min: float
    divergences: int
    seconds: float

    @property
    def healthy(self) -> bool:
        return not self.failures

    @property
    def failures(self) -> list[str]:
        """Which of the three checks fail: "divergences", "ess", "r_hat" (none: healthy)."""
        return [
            name
            for name, failed in (
                ("divergences", self.divergences > 0),
                ("ess", not self.ess_bulk_min > 400),
                ("r_hat", not self.r_hat_max < 1.01),
            )
            if failed
        ]


def remedies(pool: Pooled, target_accept: float) -> list[str]:
    """What helps with each failed check (more draws do not remove divergences)."""
    advice = {
        "divergences": "divergences mean NUTS met a region it cannot integrate: raise --target-accept "
        f"(now {target_accept:g}; try 0.99), and if they persist look for an analyst whose ratings all "
        "equal another's or the team's (their noise scale goes to zero)",
        "ess": "the bulk ESS is low: run more --draws",
        "r_hat": "R-hat is high (the chains disagree): run more --tune and --draws"
        if pool.r_hat_max == pool.r_hat_max
        else "R-hat needs two or more --chains",
    }
    return [advice[name] for name in pool.failures]


def pooled(team, fit: Fit, seed: int) -> Pooled:
    import arviz as az

    rd = fit.readings
    inputs = team_inputs(team, rd, fit.point())
    mu = fit.team_draws(seed)
    posts = []
    for start in range(0, len(mu), CHUNK):
        m, k, r, prior = _arrays(team, rd, to_probability(mu[start : start + CHUNK]))
        m = np.where(np.isnan(m), inputs.b, m)
        posts.append(exact.posterior(inputs, L=m, k=k, r=r, prior=prior))
    draws = np.concatenate(posts)
    shape = (fit.chains, fit.draws)
    series = [draws[:, j].reshape(shape) for j in range(draws.shape[1])]
    if rd.n_analysts >= 2:
        series += [fit.bias[..., a] for a in range(rd.n_analysts)]
    series += [fit.sigma[..., a] for a in range(rd.n_analysts)]
    rhat, ess = [], []
    for x in series:
        if np.ptp(x) == 0:
            continue
        rhat.append(float(az.rhat(x)) if fit.chains > 1 else np.nan)
        ess.append(float(az.ess(x, method="bulk")))
    bias = fit.bias.reshape(-1, rd.n_analysts)
    return Pooled(
        inputs=inputs,
        posterior=exact.posterior(inputs),
        draws=draws,
        hdi90=[hdi(draws[:, j]) for j in range(draws.shape[1])],
        bias_hdi90=[hdi(bias[:, a]) for a in range(rd.n_analysts)],
        bias_mean=bias.mean(axis=0),
        r_hat_max=float(np.nanmax(rhat)) if rhat and not np.all(np.isnan(rhat)) else float("nan"),
        ess_bulk_min=float(min(ess)) if ess else float(len(draws)),
        divergences=fit.divergences,
        seconds=fit.seconds,
    )
