"""Which disagreements move the answer: every cell's spread and impact, and the classic SD bands (MODEL.md §8)."""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from .. import exact
from ..scales import RATINGS, nearest_rating

__all__ = ["BANDS", "Disagreement", "band", "disagreements"]

# Open Source ACH's bands of the standard deviation of the analysts' classic ratings
# (II..CC as -2..2); ach's cut points.
BANDS = (("consensus", 0.0), ("mild", 0.5), ("strong", 1.0), ("extreme", float("inf")))
STEP = {"II": -2, "I": -1, "N": 0, "C": 1, "CC": 2}


def band(sd: float) -> str:
    for name, upper in BANDS:
        if sd <= upper + 1e-12:
            return name
    return BANDS[-1][0]


@dataclass(frozen=True)
class Disagreement:
    item: str
    hypothesis: str
    spread: float  # SD of the analysts' likelihoods (probability scale)
    impact: float  # how far the leader's probability moves between the lowest and highest rating
    low: float
    high: float
    raters: int
    classic_sd: float  # SD of the nearest classic ratings, -2..2
    band: str


def _leader_probability(inputs, i, j, value, leader) -> float:
    m = inputs.m.copy()
    m[i, j] = value
    b = inputs.b
    if inputs.b_is_mean[i]:  # the default if_false follows the edit, as for thresholds (§6)
        b = b.copy()
        b[i] = m[i, ~inputs.na[i]].mean()
        m[i, inputs.na[i]] = b[i, inputs.na[i]]
    return float(exact.posterior(replace(inputs, m=m, b=b))[leader])


def disagreements(team, team_inputs, posterior) -> list[Disagreement]:
    """Every cell at least two analysts rated, highest impact first."""
    leader = int(np.argmax(posterior))
    out = []
    _, n_items, n = team.m.shape
    for i in range(n_items):
        for j in range(n):
            values = team.m[:, i, j]
            values = values[~np.isnan(values)]
            if len(values) < 2:
                continue
            lo, hi = float(values.min()), float(values.max())
            impact = 0.0
            if hi > lo:
                impact = abs(
                    _leader_probability(team_inputs, i, j, hi, leader)
                    - _leader_probability(team_inputs, i, j, lo, leader)
                )
            steps = [STEP[r] for r in nearest_rating(values, RATINGS)]
            sd = float(np.std(steps))
            out.append(
                Disagreement(
                    team.items[i],
                    team.hypotheses[j],
                    float(np.std(values)),
                    impact,
                    lo,
                    hi,
                    len(values),
                    sd,
                    band(sd),
                )
            )
    return sorted(out, key=lambda d: (-d.impact, -d.spread, d.item, d.hypothesis))
