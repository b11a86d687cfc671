"""The exact engine against hand calculations, brute force and textbook problems."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import ach
from ach import exact
from ach.scales import ADMIRALTY_CREDIBILITY, ADMIRALTY_RELIABILITY, fit_band

from .conftest import MINI, make_inputs


def brute_force_posterior(inp) -> np.ndarray:
    """Enumerate every state of the world: which sources are reliable and which
    items genuine. No logs, no vectorisation: an independent route to §2-3."""
    n_items, n = inp.m.shape
    S = len(inp.sources)
    joint = np.zeros(n)
    for j in range(n):
        for reliable in itertools.product([0, 1], repeat=S):
            p_rel = math.prod(inp.r[s] if reliable[s] else 1 - inp.r[s] for s in range(S))
            for genuine in itertools.product([0, 1], repeat=n_items):
                p = p_rel
                for i in range(n_items):
                    s = inp.source_index[i]
                    if not reliable[s]:
                        # an unreliable source's items are all noise: genuine is impossible
                        p *= inp.b[i, j] if not genuine[i] else 0.0
                    else:
                        p *= (inp.k[i] * inp.m[i, j]) if genuine[i] else ((1 - inp.k[i]) * inp.b[i, j])
                joint[j] += p
    joint *= inp.prior
    return joint / joint.sum()


def test_mini_case_by_hand():
    """tests/data/mini.yaml worked through on paper (docs: the cake example)."""
    case = ach.load(MINI)
    likely = fit_band(0.55, 0.80)[0]  # E1 under DOG was written 'likely'
    k1 = ADMIRALTY_CREDIBILITY[2][0]  # E1 credibility 2
    r_kid = ADMIRALTY_RELIABILITY["D"][0]
    r_crumbs = 0.95
    m1 = {"DOG": likely, "KID": 0.3, "OTHER": 0.2}
    b1 = sum(m1.values()) / 3
    m2 = {"DOG": 0.8, "KID": 0.7, "OTHER": 0.5}
    b2 = {"DOG": 0.9, "KID": 0.9, "OTHER": 0.5}
    m3 = {"DOG": 0.05, "KID": 0.9, "OTHER": 0.7}
    b3 = sum(m3.values()) / 3
    prior = {"DOG": 0.25, "KID": 0.5, "OTHER": 0.25}
    joint = {}
    for h in prior:
        crumbs = r_crumbs * (k1 * m1[h] + (1 - k1) * b1) * m3[h] + (1 - r_crumbs) * b1 * b3
        kid = r_kid * m2[h] + (1 - r_kid) * b2[h]
        joint[h] = prior[h] * crumbs * kid
    total = sum(joint.values())
    expected = [joint[h] / total for h in case.hypothesis_ids]
    np.testing.assert_allclose(exact.posterior(case.inputs), expected, rtol=1e-12)


@pytest.mark.parametrize("seed", range(8))
def test_matches_brute_force_enumeration(seed):
    rng = np.random.default_rng(seed)
    n_items, n, S = rng.integers(1, 6), rng.integers(2, 5), rng.integers(1, 4)
    S = min(S, n_items)
    src = np.concatenate([np.arange(S), rng.integers(0, S, n_items - S)])
    inp = make_inputs(
        rng.uniform(0.01, 0.99, (n_items, n)),
        source_index=src,
        r=rng.uniform(0, 1, S),
        k=rng.uniform(0, 1, n_items),
        prior=rng.dirichlet(np.ones(n)),
        b=rng.uniform(0.01, 0.99, (n_items, n)),  # per-hypothesis if_false: deception
    )
    np.testing.assert_allclose(exact.posterior(inp), brute_force_posterior(inp), rtol=1e-10)


def test_taxicab_witness():
    """Tversky & Kahneman's cab problem: 15 % of cabs are Blue, the witness says
    Blue and is right 80 % of the time -> P(Blue) = 0.12 / 0.29 = 0.414."""
    inp = make_inputs([[0.8, 0.2]], prior=[0.15, 0.85])
    assert exact.posterior(inp)[0] == pytest.approx(0.12 / 0.29, abs=1e-12)


def test_bovens_hartmann_partially_reliable_witness():
    """Bovens & Hartmann, Bayesian Epistemology (2003), ch. 3: a witness is
    reliable with probability rho (then tells the truth) or a randomiser that
    says 'yes' with probability a. P(REP|H) = rho + (1-rho) a,
    P(REP|not H) = (1-rho) a. Here rho = 0.6, a = 0.3, P(H) = 0.2."""
    rho, a, h = 0.6, 0.3, 0.2
    inp = make_inputs([[1.0, 0.0]], r=[rho], prior=[h, 1 - h], b=[[a, a]])
    expected = h * (rho + (1 - rho) * a) / (h * (rho + (1 - rho) * a) + (1 - h) * (1 - rho) * a)
    assert exact.posterior(inp)[0] == pytest.approx(expected, abs=1e-12)


def test_two_independent_tests():
    """Gigerenzer's mammography problem: prevalence 1 %, sensitivity 80 %,
    false positives 9.6 %. One positive: 7.8 %; two independent positives: 41 %."""
    one = make_inputs([[0.8, 0.096]], prior=[0.01, 0.99])
    two = make_inputs([[0.8, 0.096], [0.8, 0.096]], prior=[0.01, 0.99])
    assert exact.posterior(one)[0] == pytest.approx(0.008 / (0.008 + 0.99 * 0.096), abs=1e-12)
    assert exact.posterior(one)[0] == pytest.approx(0.0776, abs=5e-4)
    assert exact.posterior(two)[0] == pytest.approx(0.0064 / (0.0064 + 0.99 * 0.096**2), abs=1e-12)


def test_same_unreliable_witness_twice_is_not_two_witnesses():
    """Two reports from one source of reliability 0.5 move the posterior less
    than the same two reports from two independent sources of reliability 0.5."""
    m = [[0.9, 0.1], [0.9, 0.1]]
    shared = make_inputs(m, source_index=[0, 0], r=[0.5])
    independent = make_inputs(m, source_index=[0, 1], r=[0.5, 0.5])
    single = make_inputs(m[:1], r=[0.5])
    p_single, p_shared, p_indep = (exact.posterior(x)[0] for x in (single, shared, independent))
    assert p_single < p_shared < p_indep


def test_thousands_of_items_do_not_underflow():
    """3000 items, each 0.2 vs 0.19: the product underflows float64 outright,
    the log-space engine gives the closed form."""
    n_items = 3000
    inp = make_inputs(np.tile([[0.2, 0.19]], (n_items, 1)))
    log_odds = n_items * (math.log(0.2) - math.log(0.19))
    assert 0.2**n_items == 0.0
    assert exact.posterior(inp)[1] == pytest.approx(1 / (1 + math.exp(log_odds)), rel=1e-9)


def test_weight_of_evidence_two_hypotheses_is_log_likelihood_ratio():
    inp = make_inputs([[0.8, 0.2], [0.3, 0.6]], prior=[0.3, 0.7])
    woe = exact.weight_of_evidence(exact.item_log_likelihood(inp), inp.prior)
    np.testing.assert_allclose(woe[:, 0], [10 * math.log10(4), 10 * math.log10(0.5)])
    np.testing.assert_allclose(woe[:, 1], -woe[:, 0])
    # independent, fully reliable items: the weights add up to the change in log odds
    post = exact.posterior(inp)
    shift = 10 * math.log10(post[0] / post[1]) - 10 * math.log10(0.3 / 0.7)
    assert woe[:, 0].sum() == pytest.approx(shift)


def test_weight_of_evidence_against_the_prior_weighted_rest():
    inp = make_inputs([[0.6, 0.2, 0.4]], prior=[0.5, 0.3, 0.2])
    woe = exact.weight_of_evidence(exact.item_log_likelihood(inp), inp.prior)[0]
    not_h0 = (0.3 * 0.2 + 0.2 * 0.4) / 0.5
    assert woe[0] == pytest.approx(10 * math.log10(0.6 / not_h0))


@settings(max_examples=200)
@given(
    st.integers(2, 7).flatmap(
        lambda n: st.tuples(
            st.lists(
                st.lists(st.one_of(st.floats(-200, 5), st.just(-math.inf)), min_size=n, max_size=n),
                min_size=1,
                max_size=6,
            ),
            st.lists(st.one_of(st.floats(0.01, 1), st.just(0.0)), min_size=n, max_size=n).filter(lambda p: sum(p) > 0),
        )
    )
)
def test_weight_of_evidence_is_the_definition_for_every_row(case):
    """Against P(E | not H_j) summed over the others one by one, with exact fractions of the terms:
    extreme likelihoods (200 nepers apart), zero likelihoods and zero priors included."""
    rows, weights = case
    log_lik, prior = np.array(rows, float), np.array(weights) / sum(weights)
    got = exact.weight_of_evidence(log_lik, prior)
    for i, row in enumerate(rows):
        for j, own in enumerate(row):
            rest = [(prior[h], row[h]) for h in range(len(row)) if h != j and prior[h] > 0 and row[h] > -math.inf]
            if not rest:  # nothing else could have produced the evidence: infinitely for H_j, or undefined
                assert got[i, j] == math.inf or math.isnan(got[i, j]), (row, prior, j, got[i, j])
                assert math.isnan(got[i, j]) == (own == -math.inf or prior[j] == 1.0)
                continue
            if own == -math.inf:
                assert got[i, j] == -math.inf
                continue
            top = max(value for _, value in rest)
            log_not = top + math.log(sum(p * math.exp(v - top) for p, v in rest)) - math.log1p(-prior[j])
            want = exact.DB * (own - log_not)
            assert got[i, j] == pytest.approx(want, rel=1e-9, abs=1e-9), (row, prior, j)


def test_pairwise_is_antisymmetric_and_matches_ratios():
    inp = make_inputs([[0.6, 0.2, 0.4]])
    pair = exact.pairwise_db(exact.item_log_likelihood(inp))[0]
    np.testing.assert_allclose(pair, -pair.T)
    assert pair[0, 1] == pytest.approx(10 * math.log10(3))


def test_three_strong_items_of_a_half_reliable_source_weigh_less_together():
    """Three strong items of one half-reliable source: diluted once, not once
    each, their joint weight is below the sum of their weights alone (and above
    any one of them). Not a general law: many weak items can weigh more."""
    inp = make_inputs([[0.9, 0.1]] * 3, source_index=[0, 0, 0], r=[0.5])
    item = exact.weight_of_evidence(exact.item_log_likelihood(inp), inp.prior)
    source = exact.weight_of_evidence(exact.log_likelihoods(inp), inp.prior)
    assert source[0, 0] < item[:, 0].sum()
    assert source[0, 0] > item[0, 0]


def test_zero_likelihood_rules_out_exactly():
    inp = make_inputs([[0.0, 0.5, 0.5], [0.9, 0.1, 0.5]])
    post = exact.posterior(inp)
    assert post[0] == 0.0
    assert post.sum() == pytest.approx(1.0)


def test_draws_axis_matches_one_at_a_time():
    rng = np.random.default_rng(3)
    inp = make_inputs(rng.uniform(0.1, 0.9, (6, 3)), source_index=[0, 0, 1, 1, 2, 2], r=[0.9, 0.5, 0.7])
    L = rng.uniform(0.1, 0.9, (4, 6, 3))
    k = rng.uniform(0.5, 1, (4, 6))
    r = rng.uniform(0.3, 1, (4, 3))
    batch = exact.posterior(inp, L=L, k=k, r=r)
    for d in range(4):
        np.testing.assert_allclose(batch[d], exact.posterior(inp, L=L[d], k=k[d], r=r[d]))


def test_k1_case_exact_posterior_is_a_distribution():
    from .conftest import K1

    result = ach.analyze(K1, sample=False)
    assert result.posterior.sum() == pytest.approx(1.0)
    assert len(result.hypotheses) >= 5
    assert result.item_woe.shape == (len(result.case.evidence), len(result.hypotheses))


def test_default_band_table_is_what_the_fit_gives():
    from ach.scales import DEFAULT_FITS, TERMS, _fit_band

    assert set(DEFAULT_FITS) == set(TERMS.values())
    for (lo, hi), (mean, kappa) in DEFAULT_FITS.items():
        fitted = _fit_band(lo, hi, 0.05)
        assert mean == pytest.approx(fitted[0], rel=1e-9) and kappa == pytest.approx(fitted[1], rel=1e-6)
