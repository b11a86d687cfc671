"""Sensitivity results against re-running the exact engine on edited inputs."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
from hypothesis import given, settings

import ach
from ach import exact
from ach import sensitivity as sens
from ach.scales import beta_params

from .conftest import K1, make_inputs
from .test_properties import cases


def set_cell(inputs, item: int, cell: int, value: float):
    """Inputs with one likelihood set to ``value`` as an analyst's edit sets it: an item whose if_false is
    the default (the mean of its likelihoods) takes the new mean. Written apart from the engine's own
    probe, for checking it."""
    m, b, na = inputs.m.copy(), inputs.b.copy(), inputs.na.copy()
    m[item, cell], na[item, cell] = value, False
    if inputs.b_is_mean[item]:
        b[item] = m[item][~na[item]].mean()
        m[item][na[item]] = b[item, 0]
    return replace(inputs, m=m, b=b, na=na)


def edited_value(t, scale: float) -> float:
    """The threshold's edit carried ``scale`` times as far (in the factor): 1.02 beyond it, 0.98 short of it."""
    factor = t.factor * scale
    return min(t.value_from * factor, 1.0) if t.direction == "raise" else t.value_from / factor


def drop_items(inp, drop):
    keep = [i for i in range(len(inp.items)) if i not in set(drop)]
    return replace(
        inp,
        items=[inp.items[i] for i in keep],
        m=inp.m[keep],
        kappa=inp.kappa[keep],
        b=inp.b[keep],
        k=inp.k[keep],
        k_kappa=inp.k_kappa[keep],
        source_index=inp.source_index[keep],
    )


@pytest.fixture(scope="module")
def k1():
    return ach.load(K1).inputs


def test_parts_reproduce_the_exact_posterior(k1):
    np.testing.assert_allclose(sens.Decomposition.of(k1).posterior, exact.posterior(k1), rtol=1e-12)


def test_leave_one_out_matches_rerun_on_k1(k1):
    loo = sens.leave_one_out(k1)
    for i in range(len(k1.items)):
        np.testing.assert_allclose(loo.items[i], exact.posterior(drop_items(k1, [i])), atol=1e-12)
    for s in range(len(k1.sources)):
        gone = [i for i in range(len(k1.items)) if k1.source_index[i] == s]
        np.testing.assert_allclose(loo.sources[s], exact.posterior(drop_items(k1, gone)), atol=1e-12)
    lead = np.argmax(exact.posterior(k1))
    for i in loo.item_linchpins:
        assert np.argmax(exact.posterior(drop_items(k1, [i]))) != lead
    assert loo.item_linchpins, "K-1 rests on a few US items: removing one changes the leader"


@given(cases())
@settings(max_examples=60)
def test_leave_one_out_matches_rerun(inp):
    loo = sens.leave_one_out(inp)
    for i in range(len(inp.items)):
        if len(inp.items) > 1:
            np.testing.assert_allclose(loo.items[i], exact.posterior(drop_items(inp, [i])), atol=1e-9)


@pytest.mark.parametrize("r0", [0.9, 1.0])
def test_leave_one_out_keeps_zero_likelihoods_exact(r0):
    """With r = 1 the zero makes a whole source's term -inf: taking it out must
    give the posterior without it, not NaN."""
    inp = make_inputs([[0.0, 0.5, 0.5], [0.9, 0.1, 0.5], [0.3, 0.3, 0.9]], source_index=[0, 0, 1], r=[r0, 1.0])
    loo = sens.leave_one_out(inp)
    for i in range(3):
        np.testing.assert_allclose(loo.items[i], exact.posterior(drop_items(inp, [i])), atol=1e-12)
    np.testing.assert_allclose(loo.sources[0], exact.posterior(drop_items(inp, [0, 1])), atol=1e-12)
    curve = sens.reliability_sweep(inp, 0, grid=[0.5])
    np.testing.assert_allclose(curve.posterior[0], exact.posterior(replace(inp, r=np.array([0.5, 1.0]))), atol=1e-12)


def test_tornado_swings_match_rerun(k1):
    swings = sens.tornado(k1)
    lead = int(np.argmax(exact.posterior(k1)))
    assert [s.width for s in swings] == sorted((s.width for s in swings), reverse=True)
    kinds = {s.kind for s in swings}
    assert kinds == {"likelihood", "credibility", "reliability", "prior"}
    for s in swings[:12] + swings[-3:]:
        for value, p in ((s.low, s.p_low), (s.high, s.p_high)):
            if s.kind == "likelihood":
                m = k1.m.copy()
                m[k1.items.index(s.id), k1.hypotheses.index(s.hypothesis)] = value
                edited = replace(k1, m=m)
            elif s.kind == "credibility":
                k = k1.k.copy()
                k[k1.items.index(s.id)] = value
                edited = replace(k1, k=k)
            elif s.kind == "reliability":
                r = k1.r.copy()
                r[k1.sources.index(s.id)] = value
                edited = replace(k1, r=r)
            else:
                j = k1.hypotheses.index(s.id)
                prior = k1.prior * (1 - value) / (1 - k1.prior[j])
                prior[j] = value
                edited = replace(k1, prior=prior)
            assert exact.posterior(edited)[lead] == pytest.approx(p, abs=1e-12)


def test_tornado_uses_the_5_and_95_percent_points(k1):
    from scipy.stats import beta

    s = next(s for s in sens.tornado(k1) if s.kind == "reliability")
    j = k1.sources.index(s.id)
    _, a, b = beta_params(k1.r[j], k1.r_kappa[j])
    assert s.low == pytest.approx(beta.ppf(0.05, a, b)) and s.high == pytest.approx(beta.ppf(0.95, a, b))


def test_item_threshold_applied_with_whatif_flips_the_leader_and_a_bit_less_does_not():
    """The threshold is the edit an analyst makes: `ach whatif --set ITEM.HYP=VALUE` at 1.02 times the
    reported factor makes the rival lead, at 0.98 times it does not (K-1, every item that can)."""
    case = ach.load(K1)
    result = ach.analyze(case, sample=False)
    finite = [t for t in result.sensitivity.thresholds if t.factor is not None]
    assert len(finite) >= 10
    for t in finite:
        beyond = ach.whatif(case, set={f"{t.item}.{t.hypothesis}": edited_value(t, 1.02)})
        short = ach.whatif(case, set={f"{t.item}.{t.hypothesis}": edited_value(t, 0.98)})
        assert beyond.after.leading == t.rival, t
        assert short.after.leading == result.leading, t


def test_an_item_that_cannot_overturn_alone_has_no_threshold():
    """A source of reliability 0.2: even an impossible-under-the-leader item
    cannot move the odds by more than 1 / 0.8."""
    inp = make_inputs([[0.9, 0.1], [0.9, 0.1], [0.5, 0.5]], source_index=[0, 1, 2], r=[1, 1, 0.2])
    t = sens.item_thresholds(inp)[2]
    assert t.factor is None and t.value_to is None and t.rival is None


def test_a_tie_has_no_thresholds_and_no_linchpins():
    inp = make_inputs([[0.8, 0.8, 0.2], [0.3, 0.3, 0.6]])
    assert sens.item_thresholds(inp) == [] and sens.prior_threshold(inp) is None
    loo = sens.leave_one_out(inp)
    assert loo.item_linchpins == [] and loo.source_linchpins == []


def test_prior_threshold_applied_flips_the_leader(k1):
    t = sens.prior_threshold(k1)
    lead = int(np.argmax(exact.posterior(k1)))
    h = k1.hypotheses.index(t.rival)
    for scale, flips in ((1.001, True), (0.999, False)):
        prior = k1.prior.copy()
        prior[h] = prior[lead] * t.odds_needed * scale
        post = exact.posterior(replace(k1, prior=prior / prior.sum()))
        assert (post[h] > post[lead]) == flips


def test_reliability_sweep_endpoints(k1):
    s = k1.sources.index("us-gov")
    curve = sens.reliability_sweep(k1, s, grid=[0.0, k1.r[s], 1.0])
    grid, post = curve.grid, curve.posterior
    np.testing.assert_allclose(post[1], exact.posterior(k1), atol=1e-12)
    for g, p in zip(grid, post):
        r = k1.r.copy()
        r[s] = g
        np.testing.assert_allclose(p, exact.posterior(replace(k1, r=r)), atol=1e-12)
    # us-gov's E01 says who would plant it (per-hypothesis if_false): even a
    # worthless source then still speaks; a source of plain noise does not
    assert not np.allclose(post[0], sens.leave_one_out(k1).sources[s])
    plain = next(j for j in range(len(k1.sources)) if np.ptp(k1.b[k1.source_index == j], axis=1).max() == 0)
    curve = sens.reliability_sweep(k1, plain, grid=[0.0])
    _, post0 = curve.grid, curve.posterior
    np.testing.assert_allclose(post0[0], sens.leave_one_out(k1).sources[plain], atol=1e-12)


def test_credibility_sweep_matches_rerun(k1):
    i = 5
    curve = sens.credibility_sweep(k1, i, grid=np.linspace(0, 1, 5))
    grid, post = curve.grid, curve.posterior
    for g, p in zip(grid, post):
        k = k1.k.copy()
        k[i] = g
        np.testing.assert_allclose(p, exact.posterior(replace(k1, k=k)), atol=1e-12)


def test_timeline_ends_at_the_posterior_and_starts_with_the_first_date():
    case = ach.load(K1)
    inp = case.inputs
    dates = [e.date for e in case.evidence]
    tl = sens.timeline(inp, dates)
    steps, post = tl.dates, tl.posterior
    assert steps == sorted(steps)
    np.testing.assert_allclose(post[-1], exact.posterior(inp), atol=1e-12)
    first = [i for i, d in enumerate(dates) if d is not None and d > steps[0]]
    np.testing.assert_allclose(post[0], exact.posterior(drop_items(inp, first)), atol=1e-12)


def test_timeline_puts_undated_items_at_the_start():
    inp = make_inputs([[0.9, 0.1], [0.2, 0.8], [0.6, 0.4]])
    tl = sens.timeline(inp, [None, "2020-01-02", "2020-01-01"])
    steps, post = tl.dates, tl.posterior
    assert steps == ["start", "2020-01-01", "2020-01-02"]
    np.testing.assert_allclose(post[0], exact.posterior(drop_items(inp, [1, 2])))
    np.testing.assert_allclose(post[1], exact.posterior(drop_items(inp, [1])))


@given(cases(max_items=6, max_hyps=4))
@settings(max_examples=60, deadline=None)
def test_thresholds_flip_exactly_on_random_cases(inp):
    post = exact.posterior(inp)
    if len(exact.top(post, 1e-6)) > 1:  # (near) tie: no leader to overturn
        return
    lead = int(np.argmax(post))
    for i, t in enumerate(sens.item_thresholds(inp)):
        if t.factor is None or not np.isfinite(t.factor):
            continue
        j = inp.hypotheses.index(t.hypothesis)
        beyond = exact.posterior(set_cell(inp, i, j, edited_value(t, 1.02)))
        short = exact.posterior(set_cell(inp, i, j, edited_value(t, 0.98)))
        assert int(np.argmax(beyond)) == inp.hypotheses.index(t.rival)
        assert int(np.argmax(short)) == lead


@given(cases(max_items=4, max_hyps=3))
@settings(max_examples=30, deadline=None)
def test_no_smaller_single_edit_changes_the_leader(inp):
    """Brute force: scan every cell of every item over a fine grid of values; no edit closer (in
    log-odds) than the reported one changes the leader."""
    post = exact.posterior(inp)
    if len(exact.top(post, 1e-6)) > 1:
        return
    lead = int(np.argmax(post))
    values = np.linspace(1e-6, 1 - 1e-6, 400)
    logit = lambda p: np.log(p) - np.log1p(-p)  # noqa: E731
    for i, t in enumerate(sens.item_thresholds(inp)):
        best = np.inf if t.factor is None else abs(logit(t.value_to) - logit(np.clip(t.value_from, 1e-6, 1 - 1e-6)))
        for j in range(len(inp.hypotheses)):
            start = logit(np.clip(inp.m[i, j], 1e-6, 1 - 1e-6))
            for v in values:
                if (
                    abs(logit(v) - start) < best * 0.99
                    and int(np.argmax(exact.posterior(set_cell(inp, i, j, v)))) != lead
                ):
                    pytest.fail(f"{inp.items[i]} under {inp.hypotheses[j]} -> {v:.4f} flips, closer than {t}")
