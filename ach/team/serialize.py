"""A team result as JSON-ready data: the contract of ``ach team analyze --json`` (docs/MODEL.md §8)."""

from __future__ import annotations

import math

import numpy as np

__all__ = ["team_to_dict"]


def _num(x) -> float | None:
    x = float(x)
    return None if math.isnan(x) else x


def team_to_dict(result) -> dict:
    team, p = result.team, result.pooled
    hyps = team.hypotheses

    def by_h(values):
        return {h: float(v) for h, v in zip(hyps, values)}

    return {
        "analysts": list(team.analysts),
        "hypotheses": list(hyps),
        "files": {name: case.path for name, case in zip(team.analysts, team.cases)},
        "each": {name: {"posterior": by_h(post)} for name, post in zip(team.analysts, result.each)},
        "pools": {"linear": by_h(result.linear), "logarithmic": by_h(result.logarithmic)},
        "pooled": {
            "posterior": by_h(p.posterior),
            "hdi90": {h: [lo, hi] for h, (lo, hi) in zip(hyps, p.hdi90)},
            "r_hat_max": _num(p.r_hat_max),
            "ess_bulk_min": float(p.ess_bulk_min),
            "divergences": int(p.divergences),
            "healthy": p.healthy,
            "seconds": round(p.seconds, 3),
        },
        "disagreement": [
            {
                "item": d.item,
                "hypothesis": d.hypothesis,
                "spread": d.spread,
                "impact": d.impact,
                "low": d.low,
                "high": d.high,
                "raters": d.raters,
                "classic_sd": d.classic_sd,
                "band": d.band,
            }
            for d in result.disagreement
        ],
        "analyst_bias": {
            name: {"mean": float(mean), "hdi90": [lo, hi]}
            for name, mean, (lo, hi) in zip(team.analysts, p.bias_mean, p.bias_hdi90)
        },
        "coherence": result.coherence.to_dict(),
        "not_rated": {  # cells an analyst's file has the item of but left out (not NA: no reading)
            name: [[team.items[i], hyps[j]] for i, j in zip(*np.nonzero(team.left_out[a]))]
            for a, name in enumerate(team.analysts)
            if team.left_out[a].any()
        },
        "warnings": [d.to_dict() for d in team.warnings],
        "score": None if result.score is None else result.score.to_dict(),
    }
