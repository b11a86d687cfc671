"""The PyMC computations against the exact engine (MODEL.md §4)."""

from __future__ import annotations

import numpy as np
import pytest

import ach
from ach import exact, model
from ach.formatting import pct
from ach.scales import icd203_term

from .conftest import MINI, make_inputs, random_inputs


def assert_agrees_with_exact(sampled, exact_post, z=4.0, floor=2e-3):
    """Sampled mixture mean within Monte Carlo error of the exact posterior."""
    diff = np.abs(sampled.summary.mean - exact_post)
    bound = z * sampled.mc_se + floor
    assert np.all(diff <= bound), f"diff {diff} > bound {bound}"


@pytest.mark.parametrize("fixture", ["k1_sampled", "k1_nuts"])
def test_k1_sampled_mean_agrees_with_exact(fixture, request):
    result = request.getfixturevalue(fixture)
    b = result.bayes
    assert_agrees_with_exact(b, result.posterior)
    assert b.healthy, b.problems()
    # intervals hold the exact value and lie in [0, 1]
    lo, hi = b.summary.hdi90.T
    assert np.all((0 <= lo) & (lo <= result.posterior) & (result.posterior <= hi) & (hi <= 1))
    np.testing.assert_allclose(b.summary.p_leading.sum(), 1.0)


def test_large_synthetic_case_agrees_with_exact():
    """300 items x 10 hypotheses, several hypotheses live: the case a naive
    (unstratified) NUTS run gets wrong by 0.09 (MODEL.md §4a)."""
    inp = random_inputs(np.random.default_rng(0), 300, 10, 17)
    inp.m[:] = 0.5 + (inp.m - 0.5) * 0.15  # weak items keep many hypotheses alive
    inp.b[:] = inp.m.mean(axis=1, keepdims=True)
    post = exact.posterior(inp)
    assert np.sum(post > 0.05) >= 5
    sampled = model.sample_stratified(inp, draws=300, tune=300, chains=2, seed=11, progress=False)
    assert sampled.divergences == 0
    assert_agrees_with_exact(sampled, post)


def test_uncertain_prior_stratum_weights_are_exact():
    """With a Dirichlet prior the exact posterior uses E[pi]; the strata, sampled
    with pi free, still mix back to it."""
    inp = make_inputs(
        [[0.8, 0.3, 0.5], [0.6, 0.6, 0.2]],
        prior=[0.5, 0.3, 0.2],
        kappa=10.0,
        prior_concentration=6.0,
    )
    sampled = model.sample_stratified(inp, draws=800, tune=500, chains=2, seed=5, progress=False)
    assert_agrees_with_exact(sampled, exact.posterior(inp))


def test_nothing_uncertain_means_no_spread():
    """All inputs fixed: every draw is the exact posterior, forward and stratified."""
    inp = make_inputs([[0.8, 0.3], [0.4, 0.6]])
    fwd, _ = model.sample_forward(inp, draws=50, seed=1)
    np.testing.assert_allclose(fwd.samples, np.broadcast_to(exact.posterior(inp), (50, 2)), rtol=1e-12)
    sampled = model.sample_stratified(inp, draws=60, tune=60, chains=2, seed=1, progress=False)
    np.testing.assert_allclose(sampled.summary.mean, exact.posterior(inp), rtol=1e-12)
    np.testing.assert_allclose(sampled.summary.hdi90[:, 0], sampled.summary.hdi90[:, 1], atol=1e-12)


def test_forward_draws_follow_the_stated_uncertainty():
    """The forward Monte Carlo draws each input from its Beta: the mean and spread
    of the drawn likelihoods match the Beta's."""
    kappa = 20.0
    inp = make_inputs([[0.7, 0.2]], kappa=kappa)
    _, theta = model.sample_forward(inp, draws=4000, seed=2)
    L = theta["L"][:, 0, :]
    np.testing.assert_allclose(L.mean(axis=0), [0.7, 0.2], atol=0.01)
    expected_sd = np.sqrt(np.array([0.7 * 0.3, 0.2 * 0.8]) / (kappa + 1))
    np.testing.assert_allclose(L.std(axis=0), expected_sd, rtol=0.08)


def test_forward_rank_stability_reflects_a_close_call():
    """Two nearly tied hypotheses with loose judgments: the leader changes often."""
    inp = make_inputs([[0.55, 0.5]], kappa=6.0)
    fwd, _ = model.sample_forward(inp, draws=2000, seed=3)
    assert 0.3 < fwd.p_leading[0] < 0.8
    lo, hi = fwd.hdi90[0]
    assert hi - lo > 0.1


@pytest.mark.parametrize("sampler", ["exact", "nuts"])
def test_same_seed_same_numbers(sampler):
    a = ach.analyze(MINI, sampler=sampler, draws=150, tune=150, chains=2, seed=42, progress=False)
    b = ach.analyze(MINI, sampler=sampler, draws=150, tune=150, chains=2, seed=42, progress=False)
    np.testing.assert_array_equal(a.bayes.summary.mean, b.bayes.summary.mean)
    np.testing.assert_array_equal(a.forward.hdi90, b.forward.hdi90)
    assert a.bayes.sampler == sampler


def test_compile_cache_is_per_user_and_stable(monkeypatch, tmp_path):
    monkeypatch.setenv("ACH_CACHE_DIR", str(tmp_path))
    assert model.cache_dir() == tmp_path / "pytensor"
    monkeypatch.delenv("ACH_CACHE_DIR")
    assert model.cache_dir() == model.cache_dir()
    assert "ach" in str(model.cache_dir())


def test_result_json_carries_sampling_and_provenance(k1_sampled, k1_nuts):
    for result in (k1_sampled, k1_nuts):
        d = result.to_dict()
        hyps = d["hypotheses"]
        for key in ("mean", "hdi90", "p_leading"):
            assert set(d["bayes"][key]) == set(hyps)
        assert set(d["bayes"]["mc_error"]["hdi90"]) == set(hyps) == set(d["forward"]["mc_error"]["p_leading"])
        assert set(d["forward"]["hdi90"]) == set(hyps)
        prov = d["provenance"]
        assert prov["seed"] == 7 and prov["case_sha256"] == d["case"]["sha256"]
        assert d["confidence"]["level"] in ("low", "moderate", "high")
    exact_draws, nuts = k1_sampled.to_dict(), k1_nuts.to_dict()
    assert exact_draws["bayes"]["sampler"] == "exact" and exact_draws["bayes"]["draws"] == k1_sampled.bayes.draws
    assert exact_draws["bayes"]["chains"] is None and exact_draws["bayes"]["r_hat_max"] is None
    assert exact_draws["bayes"]["mc_error"]["max"] <= 0.005
    assert "numpy_version" in exact_draws["provenance"] and "pymc_version" not in exact_draws["provenance"]
    assert nuts["bayes"]["sampler"] == "nuts" and (nuts["bayes"]["chains"], nuts["bayes"]["draws"]) == (4, 1000)
    assert "pymc_version" in nuts["provenance"] and "compile_cache" in nuts["provenance"]


def test_statement_uses_icd203_term_number_and_interval(k1_sampled):
    lead = k1_sampled.leading
    text = k1_sampled.statement(lead)
    lo, hi = k1_sampled.interval(lead)
    p = k1_sampled.posterior[k1_sampled.hypotheses.index(lead)]
    assert text.startswith(icd203_term(p))
    assert f"{100 * p:.0f} %" in text and "90 % interval" in text
    assert f"{pct(lo, sign=False)}–{pct(hi)}" in text


@pytest.mark.parametrize(
    "p,term", [(0.03, "almost no chance"), (0.5, "roughly even chance"), (0.72, "likely"), (0.999, "almost certain")]
)
def test_icd203_terms(p, term):
    assert icd203_term(p) == term
