"""Exact draws of the inputs (MODEL.md §4b) against independent methods.

The latent probabilities and the draws are checked against importance
sampling from the prior (a method that shares nothing with the conjugate
derivation but the model), the mean against the exact posterior (the tower
property), the Monte Carlo errors against the spread over many seeds, and
the summaries against ArviZ and NumPy.
"""

from __future__ import annotations

import arviz as az
import numpy as np
import pytest

import ach
from ach import conjugate, draws, exact, uncertainty

from .conftest import make_inputs, random_inputs

Q = [0.05, 0.25, 0.5, 0.75, 0.95]


def small_case():
    """3 hypotheses, 2 sources (one with two items), everything uncertain, a Dirichlet prior."""
    return make_inputs(
        [[0.8, 0.3, 0.5], [0.6, 0.6, 0.2], [0.3, 0.7, 0.4]],
        source_index=[0, 0, 1],
        r=[0.6, 0.8],
        k=[0.7, 0.9, 0.6],
        prior=[0.5, 0.3, 0.2],
        kappa=8.0,
        r_kappa=[5.0, 8.0],
        k_kappa=[6.0, 10.0, 5.0],
        prior_concentration=6.0,
    )


def prior_draws(inp, size, rng):
    """Every input from its prior, with NumPy's own Beta and Dirichlet (not ach's sampler)."""

    def beta(mean, kappa, shape):
        from ach.scales import beta_params

        free, a, b = beta_params(mean, kappa)
        x = rng.beta(np.broadcast_to(a, shape), np.broadcast_to(b, shape))
        return np.where(free, x, mean)

    L = beta(inp.m, inp.kappa, (size, *inp.m.shape))
    k = beta(inp.k, inp.k_kappa, (size, len(inp.k)))
    r = beta(inp.r, inp.r_kappa, (size, len(inp.r)))
    prior = rng.dirichlet(inp.prior * inp.prior_concentration, size=size)
    return L, k, r, prior


@pytest.fixture(scope="module")
def importance():
    """The posterior of the inputs by importance sampling: prior draws weighted by P(E | θ)."""
    inp = small_case()
    L, k, r, prior = prior_draws(inp, 400_000, np.random.default_rng(0))
    with np.errstate(divide="ignore"):
        joint = np.log(prior) + exact.log_likelihoods(inp, L=L, k=k, r=r).sum(axis=-2)  # log π_j P(E | H_j, θ)
    w = np.exp(joint - joint.max())
    weight = w.sum(axis=1)
    weight /= weight.sum()
    post = w / w.sum(axis=1, keepdims=True)  # P(H | E, θ)
    return inp, post, weight, (L, k, r, w)


def test_latent_probabilities_match_importance_sampling(importance):
    """P(z_s = 1 | E, H_j): the weighted share of r_s ∏(k L + (1 − k) b) in P(E_s | H_j, θ)."""
    inp, _, _, (L, k, r, w) = importance
    p_reliable, p_genuine = conjugate.latent_probabilities(inp)
    for s, items in enumerate([[0, 1], [2]]):
        on = r[:, s, None] * np.prod(k[:, items, None] * L[:, items] + (1 - k[:, items, None]) * inp.b[items], axis=1)
        off = (1 - r[:, s, None]) * np.prod(inp.b[items], axis=0)
        for j in range(3):
            wj = w[:, j] / w[:, j].sum()
            np.testing.assert_allclose(p_reliable[s, j], np.sum(wj * on[:, j] / (on[:, j] + off[:, j])), atol=0.01)
    assert np.all((0 <= p_genuine) & (p_genuine <= 1))
    np.testing.assert_allclose(p_genuine[0], 0.7 * inp.m[0] / (0.7 * inp.m[0] + 0.3 * inp.b[0]))


def test_exact_draws_match_importance_sampling_in_distribution(importance):
    inp, post, weight, _ = importance
    ess_is = 1 / np.sum(weight**2)
    b = conjugate.sample_exact(inp, draws=100_000, seed=3)
    got, got_se = b.summary.quantiles(Q)
    for j in range(3):
        want = draws.weighted_quantile(post[:, j], weight, Q)
        # the importance estimate's own error, from its effective sample size
        sd = np.sqrt(np.array(Q) * (1 - np.array(Q)) / ess_is)
        lo = draws.weighted_quantile(post[:, j], weight, np.clip(np.array(Q) - sd, 0, 1))
        hi = draws.weighted_quantile(post[:, j], weight, np.clip(np.array(Q) + sd, 0, 1))
        se = np.sqrt(got_se[:, j] ** 2 + ((hi - lo) / 2) ** 2)
        assert np.all(np.abs(got[:, j] - want) <= 4 * se + 1e-4), (j, got[:, j], want, se)
    leads_is = np.bincount(np.argmax(post, axis=1), weights=weight, minlength=3)
    np.testing.assert_allclose(b.summary.p_leading, leads_is, atol=4 * np.sqrt(0.25 / ess_is) + 4 * 0.0025)


@pytest.mark.parametrize("make", ["k1", "random", "small"])
def test_mean_of_the_draws_is_the_exact_posterior(make):
    inp = {
        "k1": lambda: ach.load("cases/k1.yaml").headline().inputs,
        "random": lambda: random_inputs(np.random.default_rng(4), 40, 6, 7),
        "small": small_case,
    }[make]()
    b = conjugate.sample_exact(inp, seed=5)
    z = (b.summary.mean - exact.posterior(inp)) / b.mc_se
    assert np.all(np.abs(z) < 4), z
    assert b.summary.mc_error <= draws.MC_TARGET  # as many draws as the target needs, by default


def test_monte_carlo_errors_are_honest_over_seeds():
    """Over 120 seeds, the spread of each estimate equals the error the draws report."""
    inp = small_case()
    runs = [conjugate.sample_exact(inp, draws=3000, seed=s).summary for s in range(120)]
    exact_post = exact.posterior(inp)
    z = np.array([(s.mean - exact_post) / s.mc_se for s in runs])
    assert 0.7 < np.mean(z**2) < 1.4  # the mean's error against the truth
    # shares and quantiles: the error formula is the spread; interval ends: at most the spread
    # (their batch estimate errs on the safe side), and not wildly above it
    quantiles = [s.quantiles(Q) for s in runs]
    for name, values, reported, low, high in [
        ("p_leading", [s.p_leading for s in runs], [s.p_leading_se for s in runs], 0.75, 1.35),
        ("quantiles", [q[0] for q in quantiles], [q[1] for q in quantiles], 0.75, 1.35),
        ("hdi90", [s.hdi90 for s in runs], [s.hdi90_se for s in runs], 0.4, 1.25),
    ]:
        spread, reported = np.std(values, axis=0, ddof=1), np.mean(reported, axis=0)
        keep = spread > 2e-3  # ends pinned near 0 have (almost) no spread to compare
        ratio = spread[keep] / reported[keep]
        assert keep.sum() >= 3 and np.all((low < ratio) & (ratio < high)), (name, ratio)
        assert np.all(spread[~keep] < np.maximum(1.25 * reported[~keep], 1e-3))


def test_nothing_uncertain_means_every_draw_is_the_exact_posterior():
    inp = make_inputs([[0.8, 0.3], [0.4, 0.6]])
    b = conjugate.sample_exact(inp, seed=1)
    np.testing.assert_allclose(b.summary.samples, np.broadcast_to(exact.posterior(inp), b.summary.samples.shape))
    np.testing.assert_allclose(b.summary.hdi90[:, 0], b.summary.hdi90[:, 1])
    assert b.summary.mc_error == pytest.approx(0, abs=1e-12) and b.draws == conjugate.FIRST_DRAWS


def _underflowing_source():
    """600 items of one source, each about 1e-3, differing a little by hypothesis: their product is
    about 1e-1800 (far below the smallest float) and the hypotheses differ by a few nepers."""
    rng = np.random.default_rng(1)
    m = rng.uniform(1e-3, 2e-3, (600, 1)) * np.exp(rng.normal(0, 0.05, (600, 3)))
    return make_inputs(m, source_index=np.zeros(600), r=[0.999], b=np.full((600, 3), 1e-4))


@pytest.mark.parametrize(
    "inp",
    [
        _underflowing_source(),
        # terms under 1e-100 multiplied together would underflow: 1e-190 × 1e-150 against 2e-190 × 1e-150
        make_inputs([[1e-190, 2e-190], [1e-150, 1e-150], [0.3, 0.2]], source_index=[0, 0, 1], b=1e-300),
        # a fully reliable and a worthless source, an impossible if_false, a zero likelihood, a prior ruling one out
        make_inputs(
            [[0.9, 0.2, 0.0], [0.3, 0.6, 0.1]], r=[1.0, 0.0], b=[[0.0, 0.5, 0.5], [0.2, 0.2, 0.2]], prior=[1, 1, 0]
        ),
    ],
    ids=["underflow", "tiny", "edges"],
)
def test_the_compiled_loop_is_the_closed_form_at_fixed_inputs(inp):
    """With nothing uncertain every draw is the exact posterior, through every path of the loop's arithmetic."""
    want = exact.posterior(inp)
    assert np.all(np.isfinite(want)) and np.sum(want > 1e-6) >= 2  # a posterior that the paths could get wrong
    for summary in (
        conjugate.sample_exact(inp, draws=500, seed=2).summary,
        conjugate.sample_forward_exact(inp, draws=500),
    ):
        np.testing.assert_allclose(
            summary.samples, np.broadcast_to(want, summary.samples.shape), rtol=1e-9, atol=1e-300
        )


def test_impossible_evidence_gives_no_number():
    inp = make_inputs([[0.0, 0.0]], b=[[0.0, 0.0]])
    assert np.all(np.isnan(conjugate.sample_forward_exact(inp, draws=300).samples))
    assert np.all(np.isnan(exact.posterior(inp)))


def test_same_seed_same_draws_whatever_the_threads_and_the_blocks(monkeypatch):
    inp = ach.load("cases/k1.yaml").headline().inputs
    a = conjugate.sample_exact(inp, draws=9000, seed=9)
    assert not np.array_equal(a.summary.samples, conjugate.sample_exact(inp, draws=9000, seed=10).summary.samples)
    one = conjugate.sample_exact(inp, draws=9000, seed=9, cores=1)  # one thread draws every block, in order
    np.testing.assert_array_equal(a.summary.samples, one.summary.samples)
    np.testing.assert_array_equal(
        a.summary.samples, conjugate.sample_exact(inp, draws=9000, seed=9, cores=3).summary.samples
    )
    # extending the draws keeps those already drawn: 9000 then more is 9000 and the rest
    more = conjugate.sample_exact(inp, draws=20_000, seed=9).summary
    for t in range(len(a.strata)):
        head = a.summary.samples[a.summary.bounds[t] : a.summary.bounds[t + 1]]
        np.testing.assert_array_equal(head, more.samples[more.bounds[t] : more.bounds[t] + len(head)])
    # smaller blocks change which draws come out, not their distribution
    monkeypatch.setattr(conjugate, "BLOCK", 100)
    small = conjugate.sample_exact(inp, draws=9000, seed=9)
    assert not np.array_equal(small.summary.samples, a.summary.samples)
    assert np.all(np.abs(small.summary.mean - a.summary.mean) < 4 * np.hypot(small.mc_se, a.mc_se))


def test_more_draws_when_the_error_target_needs_them():
    inp = random_inputs(np.random.default_rng(2), 30, 5, 5)
    b = conjugate.sample_exact(inp, seed=1, target=0.002)
    assert b.draws > conjugate.FIRST_DRAWS and b.summary.mc_error <= 0.002


def test_forward_draws_follow_the_stated_uncertainty():
    """Every input from its Beta: compare the numpy forward draws with PyMC's pm.draw of the same model."""
    from ach import model

    inp = ach.load("cases/k1.yaml").headline().inputs
    ours = conjugate.sample_forward_exact(inp, draws=20_000, seed=1)
    pymc_draws, _ = model.sample_forward(inp, draws=20_000, seed=2)
    a, a_se = ours.quantiles(Q)
    b, b_se = pymc_draws.quantiles(Q)
    assert np.all(np.abs(a - b) <= 4 * np.hypot(a_se, b_se) + 1e-4)
    np.testing.assert_allclose(
        ours.p_leading, pymc_draws.p_leading, atol=4 * np.hypot(ours.p_leading_se, pymc_draws.p_leading_se).max()
    )


def test_weighted_summaries_match_arviz_and_numpy():
    rng = np.random.default_rng(0)
    x = rng.beta(2, 5, size=4001)
    equal = np.full(len(x), 1 / len(x))
    np.testing.assert_allclose(draws.weighted_hdi(x, equal), az.hdi(x, hdi_prob=0.9), atol=2e-3)
    np.testing.assert_array_equal(draws.weighted_quantile(x, equal, Q), np.quantile(x, Q, method="inverted_cdf"))
    # a weight of 2 is the same as the value twice
    w = rng.integers(1, 3, size=len(x)).astype(float)
    np.testing.assert_array_equal(
        draws.weighted_quantile(x, w / w.sum(), Q), np.quantile(np.repeat(x, w.astype(int)), Q, method="inverted_cdf")
    )


def test_auto_takes_the_exact_draws_and_says_so():
    inp = make_inputs([[0.8, 0.3]], kappa=10.0)
    assert uncertainty.choose(inp) == "exact"
    assert uncertainty.choose(inp, "nuts") == "nuts"
    with pytest.raises(ValueError, match="sampler must be one of"):
        uncertainty.choose(inp, "gibbs")
    r = ach.analyze("cases/warmup.yaml", seed=1)
    assert r.bayes.sampler == "exact" and r.to_dict()["bayes"]["sampler"] == "exact"
    assert "exact independent draws" in r.provenance()["sampler"]


def test_a_long_round_of_draws_says_how_far_it_has_come(monkeypatch, caplog):
    inp = ach.load("cases/k1.yaml").headline().inputs
    monkeypatch.setattr(conjugate, "PROGRESS_EVERY", 0.0)  # every block is "long"
    with caplog.at_level("INFO", logger="ach"):
        conjugate.sample_forward_exact(inp, draws=3 * conjugate.BLOCK, cores=1)
    said = [r.getMessage() for r in caplog.records if "of" in r.getMessage()]
    assert said == [f"forward draws: {k * conjugate.BLOCK} of {3 * conjugate.BLOCK} draws" for k in (1, 2)]
    caplog.clear()
    monkeypatch.setattr(conjugate, "PROGRESS_EVERY", 3600.0)  # a round that ends in time says nothing
    with caplog.at_level("INFO", logger="ach"):
        conjugate.sample_forward_exact(inp, draws=3 * conjugate.BLOCK, cores=1, seed=1)
    assert not [r for r in caplog.records if " of " in r.getMessage()]
