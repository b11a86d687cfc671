"""Value of information against hand calculations and its own definition."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

import ach
from ach import voi as collection

from .conftest import K1


def binary_entropy(p):
    return -p * math.log2(p) - (1 - p) * math.log2(1 - p)


def test_binary_symmetric_test_gains_one_minus_h_of_the_error():
    """Two equally likely hypotheses and a test that errs 10 % of the time: the
    expected information gain is the mutual information of a binary symmetric
    channel, 1 - H(0.1) = 0.531 bits (Cover & Thomas, Elements of Information
    Theory, §7.1.4)."""
    p, seen, not_seen, gain, pgain = collection.value(np.array([0.5, 0.5]), np.array([0.9, 0.1]))
    assert p == pytest.approx(0.5)
    np.testing.assert_allclose(seen, [0.9, 0.1])
    np.testing.assert_allclose(not_seen, [0.1, 0.9])
    assert gain == pytest.approx(1 - binary_entropy(0.1))
    assert gain == pytest.approx(0.531, abs=1e-3)
    assert pgain == pytest.approx(0.9 - 0.5)


def test_an_observation_equally_likely_everywhere_is_worth_nothing():
    _, seen, _, gain, pgain = collection.value(np.array([0.2, 0.5, 0.3]), np.array([0.4, 0.4, 0.4]))
    assert gain == pytest.approx(0.0, abs=1e-12) and pgain == pytest.approx(0.0, abs=1e-12)
    np.testing.assert_allclose(seen, [0.2, 0.5, 0.3])


@given(
    arrays(float, 4, elements=st.floats(0.01, 1)),
    arrays(float, 4, elements=st.floats(0, 1)),
)
def test_gain_is_the_mutual_information_and_never_negative(weights, seen):
    post = weights / weights.sum()
    p, if_seen, if_not, gain, pgain = collection.value(post, seen)
    joint = np.stack([post * seen, post * (1 - seen)])  # (outcome, hypothesis)
    outcome = joint.sum(axis=1, keepdims=True)
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = np.where(joint > 0, joint * np.log2(joint / (outcome * post)), 0.0)
    assert gain >= 0 and pgain >= 0
    assert gain == pytest.approx(max(terms.sum(), 0.0), abs=1e-9)
    # the expected posterior is the current posterior (conservation of belief)
    np.testing.assert_allclose(p * if_seen + (1 - p) * if_not, post, atol=1e-9)


def test_k1_candidates_ranked_by_information_gain():
    case = ach.load(K1)
    result = ach.analyze(case, sample=False)
    values = collection.rank(case, result.posterior)
    assert len(values) >= 4
    gains = [v.info_gain for v in values]
    assert gains == sorted(gains, reverse=True) and min(gains) >= 0
    for v in values:
        c = next(c for c in case.collection if c.id == v.id)
        m = np.array([c.likelihood[h].mean for h in case.hypothesis_ids])
        lam = c.credibility.mean * m + (1 - c.credibility.mean) * m.mean()
        assert v.p_seen == pytest.approx(float(result.posterior @ lam))
        np.testing.assert_allclose(v.if_seen, result.posterior * lam / (result.posterior @ lam))


def test_hardest_pairs_are_the_live_close_ones():
    result = ach.analyze(K1, sample=False)
    assert result.hardest_pairs == collection.hardest_pairs(
        result.posterior, result.inputs.prior, result.item_log_likelihood, result.hypotheses, result.inputs.items
    )
    pairs = result.hardest_pairs
    assert {pairs[0].a, pairs[0].b} == {"KH", "ISIS"}
    assert pairs[0].gain_from_10db > 0
    assert pairs[0].separating_items
