"""Invariants of the exact engine, for any case hypothesis can think of."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from ach import exact

from .conftest import make_inputs
from .test_exact import brute_force_posterior

prob = st.floats(0.01, 0.99)


@st.composite
def cases(draw, max_items=8, max_hyps=5):
    n_items = draw(st.integers(1, max_items))
    n = draw(st.integers(2, max_hyps))
    n_sources = draw(st.integers(1, n_items))
    src = draw(arrays(int, n_items, elements=st.integers(0, n_sources - 1)))
    src[:n_sources] = np.arange(n_sources)  # every source has an item
    return make_inputs(
        draw(arrays(float, (n_items, n), elements=prob)),
        source_index=src,
        r=draw(arrays(float, n_sources, elements=st.floats(0, 1))),
        k=draw(arrays(float, n_items, elements=st.floats(0, 1))),
        prior=draw(arrays(float, n, elements=st.floats(0.05, 1))),
        b=draw(st.one_of(st.none(), arrays(float, (n_items, n), elements=prob))),
    )


def with_rows(inp, m, b, source_index, k):
    return make_inputs(m, source_index=source_index, r=inp.r, k=k, prior=inp.prior, b=b)


@given(cases())
def test_posterior_is_a_distribution(inp):
    post = exact.posterior(inp)
    assert np.all(post >= 0) and np.all(post <= 1)
    np.testing.assert_allclose(post.sum(), 1.0)


@given(cases(), st.randoms(use_true_random=False))
def test_order_of_evidence_and_sources_does_not_matter(inp, rnd):
    items = list(range(len(inp.items)))
    rnd.shuffle(items)
    relabel = list(range(len(inp.sources)))
    rnd.shuffle(relabel)
    new_src = np.array([relabel[s] for s in inp.source_index[items]])
    r = np.empty_like(inp.r)
    r[relabel] = inp.r
    shuffled = make_inputs(inp.m[items], source_index=new_src, r=r, k=inp.k[items], prior=inp.prior, b=inp.b[items])
    np.testing.assert_allclose(exact.posterior(shuffled), exact.posterior(inp), rtol=1e-9)


@given(cases(), prob, st.floats(0, 1), st.data())
def test_non_diagnostic_item_changes_nothing(inp, value, k, data):
    """Equal likelihoods (and the default, equal if_false) under every hypothesis:
    no change, whichever source it joins and however credible it is."""
    n = inp.m.shape[1]
    s = data.draw(st.integers(0, len(inp.sources) - 1))
    more = with_rows(
        inp,
        np.vstack([inp.m, np.full(n, value)]),
        np.vstack([inp.b, np.full(n, value)]),
        np.append(inp.source_index, s),
        np.append(inp.k, k),
    )
    np.testing.assert_allclose(exact.posterior(more), exact.posterior(inp), rtol=1e-9, atol=1e-12)


@given(cases(), st.data())
def test_source_of_reliability_zero_changes_nothing(inp, data):
    """A fully unreliable source whose false reports are uninformative (b constant)."""
    n = inp.m.shape[1]
    rows = data.draw(st.integers(1, 4))
    m_new = data.draw(arrays(float, (rows, n), elements=prob))
    b_new = np.repeat(m_new.mean(axis=1, keepdims=True), n, axis=1)
    new_source = len(inp.sources)
    more = make_inputs(
        np.vstack([inp.m, m_new]),
        source_index=np.append(inp.source_index, [new_source] * rows),
        r=np.append(inp.r, 0.0),
        k=np.append(inp.k, np.ones(rows)),
        prior=inp.prior,
        b=np.vstack([inp.b, b_new]),
    )
    np.testing.assert_allclose(exact.posterior(more), exact.posterior(inp), rtol=1e-9, atol=1e-12)


@given(arrays(float, st.tuples(st.integers(1, 5), st.integers(2, 4)), elements=prob), st.data())
def test_second_copy_in_fully_reliable_source_squares_likelihood_ratio(m, data):
    i = data.draw(st.integers(0, m.shape[0] - 1))
    once = make_inputs(m[i : i + 1])
    twice = make_inputs(m[[i, i]], source_index=[0, 0])
    p1, p2 = exact.posterior(once), exact.posterior(twice)
    a, c = 0, m.shape[1] - 1
    np.testing.assert_allclose(p2[a] / p2[c], (p1[a] / p1[c]) ** 2, rtol=1e-9)


@given(arrays(float, st.tuples(st.integers(1, 8), st.integers(2, 5)), elements=prob), st.data())
def test_reliability_and_credibility_one_is_naive_bayes(m, data):
    n_items, n = m.shape
    src = data.draw(arrays(int, n_items, elements=st.integers(0, n_items - 1)))
    src = np.unique(src, return_inverse=True)[1]  # sources 0..S-1, some shared
    prior = data.draw(arrays(float, n, elements=st.floats(0.05, 1)))
    inp = make_inputs(m, source_index=src, r=np.ones(src.max() + 1), k=np.ones(n_items), prior=prior)
    naive = prior * np.prod(m, axis=0)
    np.testing.assert_allclose(exact.posterior(inp), naive / naive.sum(), rtol=1e-9)


@given(cases())
@settings(max_examples=50)
def test_weights_of_evidence_are_finite_and_pairwise_antisymmetric(inp):
    log_item = exact.item_log_likelihood(inp)
    woe = exact.weight_of_evidence(log_item, inp.prior)
    assert np.isfinite(woe).all()
    pair = exact.pairwise_db(log_item)
    np.testing.assert_allclose(pair, -np.swapaxes(pair, -1, -2), atol=1e-9)


@given(cases(max_items=4, max_hyps=3))
@settings(max_examples=40)
def test_agrees_with_brute_force_enumeration(inp):
    np.testing.assert_allclose(exact.posterior(inp), brute_force_posterior(inp), rtol=1e-9, atol=1e-12)
