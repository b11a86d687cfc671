"""The report's table of sampler diagnostics: what each engine must pass, and how it was run."""

from __future__ import annotations

from ..draws import MC_TARGET
from ..formatting import pp

__all__ = ["checks", "settings"]


def checks(bayes) -> list[dict]:
    """The checks the diagnostics table shows: the MCMC ones for NUTS, the Monte Carlo error for both."""
    error = bayes.summary.mc_error
    mc = _check("Monte Carlo error, largest (interval ends, shares)", pp(error), f"below {pp(MC_TARGET)}", None)
    if bayes.sampler == "exact":
        return [
            _check("independent draws", f"{bayes.draws:,}", "as many as the error target needs", None),
            {**mc, "status": "ok" if error <= MC_TARGET else "FAILED"},
        ]
    return [
        _check("R-hat, largest", f"{bayes.r_hat_max:.3f}", "below 1.01", bayes.r_hat_max < 1.01),
        _check("bulk ESS, smallest", f"{bayes.ess_bulk_min:.0f}", "above 400", bayes.ess_bulk_min > 400),
        _check("tail ESS, smallest", f"{bayes.ess_tail_min:.0f}", "for reference", None),
        _check("divergent transitions", f"{bayes.divergences}", "0", bayes.divergences == 0),
        {**mc, "target": "for reference"},
    ]


def settings(bayes) -> str:
    if bayes.sampler == "exact":
        return f"{bayes.draws:,} exact independent draws, seed {bayes.seed}"
    return f"NUTS, {bayes.chains} chains × {bayes.draws} draws after {bayes.tune} tuning steps, seed {bayes.seed}"


def _check(name: str, value: str, target: str, ok: bool | None) -> dict:
    return {"name": name, "value": value, "target": target, "status": "" if ok is None else "ok" if ok else "FAILED"}
