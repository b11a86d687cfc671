"""SIMULATION TEST of the team model (docs/MODEL.md §8), kept cheap: 20 small simulated teams.

Analysts are generated with known biases and noise around known team values;
over the repetitions the 90 % intervals of the biases and of the team values
must cover the truth about 90 % of the time, within a binomial tolerance
(about 3 binomial standard deviations). Small models (4 analysts × 15
cells), 150 draws on 2 chains: about 1.5 minutes in all.
"""

from __future__ import annotations

import numpy as np

from ach.team.model import Readings, fit
from ach.team.pooled import hdi

SIMS, ANALYSTS, CELLS = 20, 4, 15


def _simulate(rng):
    bias = rng.normal(0, 0.5, ANALYSTS)
    bias -= bias.mean()  # the model's biases are relative to the team
    sigma = 0.8 * np.exp(0.3 * rng.standard_normal(ANALYSTS))
    mu = rng.normal(0, 1.5, CELLS)
    s = rng.uniform(0.5, 1.5, (ANALYSTS, CELLS))  # stated spreads differ by reading
    y = mu + bias[:, None] + sigma[:, None] * s * rng.standard_normal((ANALYSTS, CELLS))
    a, q = np.meshgrid(np.arange(ANALYSTS), np.arange(CELLS), indexing="ij")
    readings = Readings(
        kind=["cell"] * CELLS,
        index=[(i, 0) for i in range(CELLS)],
        y=y.ravel(),
        s=s.ravel(),
        analyst=a.ravel(),
        quantity=q.ravel(),
        is_cell=np.ones(y.size, bool),
        constant={},
        n_analysts=ANALYSTS,
    )
    return readings, bias, mu


def test_intervals_of_biases_and_team_values_cover_the_truth_about_90_percent():
    rng = np.random.default_rng(2026)
    bias_hits = mu_hits = 0
    for sim in range(SIMS):
        readings, bias, mu = _simulate(rng)
        f = fit(readings, draws=150, tune=200, chains=2, seed=sim)
        draws = f.bias.reshape(-1, ANALYSTS)
        bias_hits += sum(lo <= b <= hi for b, (lo, hi) in zip(bias, map(hdi, draws.T)))
        team = f.team_draws(seed=sim)
        mu_hits += sum(lo <= m <= hi for m, (lo, hi) in zip(mu, map(hdi, team.T)))
    n_bias, n_mu = SIMS * ANALYSTS, SIMS * CELLS
    # 90 % of 80 is 72 (binomial sd 2.7); of 300, 270 (sd 5.2). Intervals within a team are correlated.
    assert 0.775 <= bias_hits / n_bias <= 0.99, bias_hits / n_bias
    assert 0.83 <= mu_hits / n_mu <= 0.96, mu_hits / n_mu
