"""``analyze(case) -> Result``: the one call that runs every engine on a case.

The exact engine always runs (milliseconds), and with it the classic scores,
the sensitivity analysis and the value of information; the draws that give
the intervals run when sampling is asked for (``ach.uncertainty`` picks the
engine). The :class:`~ach.result.Result` is built once, with
every number in it; plots and reports read it and never compute a posterior
themselves. :func:`whatif` analyses a case before and after edits made in
memory.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from . import __version__, exact, heuer, voi
from .case import Case
from .result import Result, Settings
from .scenario import apply_whatif
from .sensitivity import Sensitivity
from .serialize import whatif_to_dict

__all__ = ["WhatIf", "analyze", "whatif"]


def _exact_parts(case: Case, timeline_case: Case | None = None) -> dict:
    """Everything the exact engine gives for a case (milliseconds)."""
    inp = case.inputs
    posterior = exact.posterior(inp)
    log_item = exact.item_log_likelihood(inp)
    log_source = exact.log_likelihoods(inp)
    return {
        "case": case,
        "posterior": posterior,
        "item_woe": exact.weight_of_evidence(log_item, inp.prior),
        "source_woe": exact.weight_of_evidence(log_source, inp.prior),
        "item_log_likelihood": log_item,
        "log_evidence": log_source.sum(axis=0),
        "heuer": heuer.score(case),
        "sensitivity": Sensitivity.of(case, timeline_case=timeline_case),
        "collection": voi.rank(case, posterior),
        "hardest_pairs": voi.hardest_pairs(posterior, inp.prior, log_item, inp.hypotheses, inp.items),
    }


def analyze(
    case: Case | str | Path,
    *,
    sample: bool = True,
    sampler: str = "auto",
    draws: int | None = None,
    tune: int = 1000,
    chains: int = 4,
    seed: int = 20191227,
    progress: bool = True,
) -> Result:
    """Analyse a case (a loaded :class:`~ach.case.Case` or the path of a case file).

    Always: the exact posterior, weights of evidence, classic scores,
    sensitivity and value of information. With ``sample``: also the
    posterior of the inputs given the evidence (its intervals and rank
    stability) and the forward input-uncertainty draws, reproducible from
    ``seed``. ``sampler``: ``"auto"`` (exact draws when the model allows,
    see :mod:`ach.uncertainty`), ``"exact"`` or ``"nuts"``; ``draws`` is the
    number in all for exact draws (None: as many as the Monte Carlo error
    target needs) and per chain for NUTS (None: 1000, after ``tune`` steps, on
    ``chains`` chains). ``progress``: show NUTS's progress bar.
    """
    if not isinstance(case, Case):
        from .casefile import load

        case = load(case)
    headline, hindsight = case.headline(), case.hindsight
    parts = _exact_parts(headline, timeline_case=case)
    parts["settings"] = Settings(seed=seed, sampled=sample)
    parts["full_case"] = case
    if hindsight:
        parts.update(
            hindsight=hindsight, later=Result(**_exact_parts(case), settings=Settings(seed=seed, sampled=False))
        )
    if sample:
        from . import uncertainty

        bayes, forward = uncertainty.sample(
            headline.inputs, sampler=sampler, draws=draws, tune=tune, chains=chains, seed=seed, progress=progress
        )
        parts.update(bayes=bayes, forward=forward)
        if bayes.sampler == "exact":
            parts["settings"] = Settings(seed, True, "exact", bayes.draws)
        else:
            from .model import cache_dir

            parts["settings"] = Settings(seed, True, "nuts", bayes.draws, tune, chains, str(cache_dir()))
        if bayes.idata is not None:  # provenance travels with the draws, as pymc-marketing does
            bayes.idata.attrs.update(
                ach_version=__version__,
                case_path=case.path,
                case_sha256=case.sha256,
                as_of=case.as_of or "",
                seed=seed,
                strata=",".join(bayes.strata),
                stratum_weights=",".join(f"{w:.17g}" for w in bayes.weights),
            )
    return Result(**parts)


@dataclass(frozen=True)
class WhatIf:
    """A case analysed before and after edits made in memory (exact engine)."""

    before: Result
    after: Result
    changes: list[str]

    @property
    def shift(self) -> np.ndarray:
        return self.after.posterior - self.before.posterior

    def to_dict(self) -> dict:
        return whatif_to_dict(self)


def whatif(
    case: Case,
    *,
    drop: list[str] = (),
    set: dict | None = None,
    reliability: dict | None = None,
    credibility: dict | None = None,
    prior: dict | None = None,
) -> WhatIf:
    """The exact posterior before and after edits (see :func:`ach.scenario.apply_whatif`); the file is never changed."""
    edited, changes = apply_whatif(
        case, drop=drop, set=set, reliability=reliability, credibility=credibility, prior=prior
    )
    return WhatIf(analyze(case, sample=False), analyze(edited, sample=False), changes)
