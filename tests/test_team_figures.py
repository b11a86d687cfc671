"""The team report's figures (ach.team.figures): no text overlaps, falls outside or is tiny.

Drawn from team JSON data built here (no sampling): the four K-1 analysts and
a crowded team of ten analysts with 40 disagreeing items. The checks are
tests/test_plot_layout.py's.
"""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pytest

from ach.team.figures import FIGURES
from tests.test_plot_layout import layout_problems


def _data(analysts, items, hyps, seed=0) -> dict:
    rng = np.random.default_rng(seed)

    def post():
        p = rng.dirichlet(np.ones(len(hyps)))
        return dict(zip(hyps, map(float, p)))

    pooled = post()
    bands = ["consensus", "mild", "strong", "extreme"]
    return {
        "analysts": analysts,
        "hypotheses": hyps,
        "each": {n: {"posterior": post()} for n in analysts},
        "pools": {"linear": post(), "logarithmic": post()},
        "pooled": {
            "posterior": pooled,
            "hdi90": {h: [max(0.0, v - 0.05), min(1.0, v + 0.05)] for h, v in pooled.items()},
        },
        "disagreement": [
            {"item": e, "hypothesis": h, "impact": float(rng.uniform(0, 0.1)), "band": bands[rng.integers(4)]}
            for e in items
            for h in hyps
        ],
        "analyst_bias": {
            n: {"mean": float(b), "hdi90": [b - 0.2, b + 0.2]}
            for n, b in zip(analysts, rng.normal(0, 0.3, len(analysts)))
        },
    }


TEAMS = {
    "k1": _data(
        ["Adams", "Baker", "Chen", "Diaz"], [f"E{i:02d}" for i in range(1, 28)], ["KH", "IAM", "ISIS", "SUNNI", "OTHER"]
    ),
    "crowded": _data(
        [f"analyst-{a:02d}" for a in range(10)], [f"E{i}" for i in range(40)], [f"H{j}" for j in range(10)]
    ),
}


@pytest.mark.parametrize("team", TEAMS)
@pytest.mark.parametrize("name", FIGURES)
def test_team_figures_are_readable(team, name):
    fig = FIGURES[name](TEAMS[team])
    try:
        assert layout_problems(fig) == []
    finally:
        plt.close(fig)
