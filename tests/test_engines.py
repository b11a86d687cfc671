"""The exact draws and NUTS on the PyMC model agree in distribution (MODEL.md §4b).

For K-1 and a synthetic 300 × 10 case: every hypothesis's quantiles (5, 25,
50, 75, 95 %) and rank-stability shares agree within their joint Monte Carlo
error, and within each stratum a two-sample Kolmogorov–Smirnov test on
(thinned) NUTS draws against exact draws does not reject.
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from ach import conjugate, model

from .conftest import random_inputs

Q = [0.05, 0.25, 0.5, 0.75, 0.95]
Z = 4.0  # standard errors; with ~100 comparisons per case a false alarm is rare (about 1 in 160)


def synthetic_300x10():
    inp = random_inputs(np.random.default_rng(0), 300, 10, 17)
    inp.m[:] = 0.5 + (inp.m - 0.5) * 0.15  # weak items keep many hypotheses alive
    inp.b[:] = inp.m.mean(axis=1, keepdims=True)
    return inp


@pytest.fixture(scope="module")
def synthetic():
    inp = synthetic_300x10()
    nuts = model.sample_stratified(inp, draws=600, tune=600, chains=2, seed=11, progress=False)
    return inp, nuts, conjugate.sample_exact(inp, draws=40_000, seed=12)


@pytest.fixture(scope="module")
def k1(k1_nuts):
    inp = k1_nuts.case.inputs
    return inp, k1_nuts.bayes, conjugate.sample_exact(inp, draws=100_000, seed=13)


def stratum(summary, t):
    return summary.samples[summary.bounds[t] : summary.bounds[t + 1]]


@pytest.mark.parametrize("case", ["k1", "synthetic"])
def test_quantiles_and_shares_agree_within_their_monte_carlo_error(case, request):
    _, nuts, exact_draws = request.getfixturevalue(case)
    assert nuts.healthy, nuts.problems()
    a, a_se = nuts.summary.quantiles(Q)
    b, b_se = exact_draws.summary.quantiles(Q)
    joint = np.hypot(a_se, b_se)
    assert np.all(np.abs(a - b) <= Z * joint + 1e-4), np.max(np.abs(a - b) / (joint + 1e-12))
    share = np.hypot(nuts.summary.p_leading_se, exact_draws.summary.p_leading_se)
    assert np.all(np.abs(nuts.summary.p_leading - exact_draws.summary.p_leading) <= Z * share + 1e-4)


@pytest.mark.parametrize("case", ["k1", "synthetic"])
def test_a_two_sample_test_does_not_tell_the_engines_apart(case, request):
    """Per stratum and hypothesis, KS on NUTS draws thinned to about one per effective draw;
    Bonferroni over every test at a family-wise level of 1 %."""
    _inp, nuts, exact_draws = request.getfixturevalue(case)
    assert nuts.strata == exact_draws.strata
    p_values = []
    for t, _ in enumerate(nuts.strata):
        ours, theirs = stratum(exact_draws.summary, t), stratum(nuts.summary, t)
        chains = theirs.reshape(nuts.chains, nuts.draws, -1)
        for h in range(theirs.shape[1]):
            step = int(np.ceil(nuts.chains * nuts.draws / nuts.summary.effective.mean[t, h]))
            thinned = chains[:, ::step, h].ravel()
            if np.ptp(thinned) == 0:
                continue
            p_values.append(stats.ks_2samp(thinned, ours[:, h]).pvalue)
    assert len(p_values) >= len(nuts.strata) * 2
    assert min(p_values) * len(p_values) > 0.01, sorted(p_values)[:5]


def test_the_exact_means_sit_on_the_exact_posterior_where_nuts_does(synthetic):
    inp, nuts, exact_draws = synthetic
    from ach import exact

    truth = exact.posterior(inp)
    for b in (nuts, exact_draws):
        assert np.all(np.abs(b.summary.mean - truth) <= Z * b.mc_se + 1e-4)
