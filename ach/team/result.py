"""``analyze_team(paths) -> TeamResult``: every number of a team analysis, computed once."""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace

import numpy as np

from .. import exact
from . import pools
from .align import Team, align, load_team
from .coherence import Coherence, coherence
from .disagreement import Disagreement, disagreements
from .model import TARGET_ACCEPT, fit, readings_of
from .pooled import Pooled, pooled, remedies
from .score import TeamScore, score_team, team_truth

__all__ = ["TeamResult", "analyze_team"]

log = logging.getLogger("ach")


@dataclass(frozen=True, eq=False)
class TeamResult:
    team: Team
    each: np.ndarray  # (A, n) each analyst's exact posterior
    linear: np.ndarray
    logarithmic: np.ndarray
    pooled: Pooled
    disagreement: list[Disagreement]
    coherence: Coherence
    score: TeamScore | None = None  # scored against the outcome, when the files record it

    def to_dict(self) -> dict:
        from .serialize import team_to_dict

        return team_to_dict(self)


def analyze_team(
    cases, *, draws=1000, tune=1000, chains=4, seed=20191227, target_accept=TARGET_ACCEPT, progress=False
) -> TeamResult:
    """Analyse several analysts' files of one matrix (paths or loaded cases)."""
    team = align(list(cases)) if all(hasattr(c, "evidence") for c in cases) else load_team(cases)
    for warning in team.warnings:  # located, before the long fit
        log.warning("%s", warning)
    team_truth(team)  # files that record different outcomes are refused before the long fit
    each = np.array([exact.posterior(inp) for inp in team.each])
    readings = readings_of(team)
    result = fit(
        readings, draws=draws, tune=tune, chains=chains, seed=seed, target_accept=target_accept, progress=progress
    )
    pool = pooled(team, result, seed)
    if not pool.healthy:
        log.warning(
            "WARNING: the team model's NUTS diagnostics FAIL (R-hat max %.3f, bulk ESS min %.0f, %d divergences): "
            "the pooled intervals and biases are not to be trusted; %s",
            pool.r_hat_max,
            pool.ess_bulk_min,
            pool.divergences,
            "; ".join(remedies(pool, target_accept)),
        )
    result = TeamResult(
        team=team,
        each=each,
        linear=pools.linear(each),
        logarithmic=pools.logarithmic(each),
        pooled=pool,
        disagreement=disagreements(team, pool.inputs, pool.posterior),
        coherence=coherence(team, each),
    )
    return replace(result, score=score_team(result))
