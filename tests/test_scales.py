"""The rating vocabularies: ICD 203 bands, classic ratings, Admiralty codes, confidence."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy import stats

from ach import scales
from ach.scales import (
    ADMIRALTY_CREDIBILITY,
    ADMIRALTY_RELIABILITY,
    LIKELIHOOD_CONCENTRATION,
    RATINGS,
    TERM_ALIASES,
    TERMS,
    Belief,
    Scale,
    ScaleError,
    credibility,
    fit_band,
    icd203_term,
    reliability,
)

SCALE = Scale()
# The means printed in docs/FORMAT.md ("Default scales"), to three decimals.
DOCUMENTED_MEANS = {
    "almost no chance": 0.027,
    "very unlikely": 0.116,
    "unlikely": 0.319,
    "roughly even chance": 0.500,
    "likely": 0.681,
    "very likely": 0.884,
    "almost certain": 0.973,
}


# -- ICD 203 terms ----------------------------------------------------------------


@pytest.mark.parametrize("term", list(TERMS))
def test_fitted_beta_has_the_band_as_its_5_95_interval(term):
    lo, hi = TERMS[term]
    mean, kappa = fit_band(lo, hi)
    a, b = mean * kappa, (1 - mean) * kappa
    assert stats.beta.ppf(0.05, a, b) == pytest.approx(lo, rel=1e-6)
    assert stats.beta.ppf(0.95, a, b) == pytest.approx(hi, rel=1e-6)
    assert mean == pytest.approx(DOCUMENTED_MEANS[term], abs=5e-4)


@pytest.mark.parametrize("term", list(TERMS))
def test_a_term_becomes_the_fitted_beta_at_medium_confidence(term):
    belief = SCALE.likelihood(term)
    mean, kappa = fit_band(*TERMS[term])
    assert belief == Belief(mean, kappa, term)
    lo, hi = belief.interval()
    assert (lo, hi) == pytest.approx(TERMS[term], rel=1e-6)


def test_symmetric_bands_give_symmetric_betas():
    m_likely, k_likely = fit_band(*TERMS["likely"])
    m_unlikely, k_unlikely = fit_band(*TERMS["unlikely"])
    # 'unlikely' (0.20-0.45) is the mirror image of 'likely' (0.55-0.80)
    assert m_likely == pytest.approx(1 - m_unlikely, abs=1e-9)
    assert k_likely == pytest.approx(k_unlikely, rel=1e-6)
    assert fit_band(*TERMS["roughly even chance"])[0] == pytest.approx(0.5, abs=1e-9)


@pytest.mark.parametrize("band", [(0.5, 0.5), (0.6, 0.4), (0.0, 0.3), (0.3, 1.0)])
def test_impossible_bands_are_refused(band):
    with pytest.raises(ScaleError, match="0 < low < high < 1"):
        fit_band(*band)


@pytest.mark.parametrize("alias, term", sorted(TERM_ALIASES.items()))
def test_aliases_mean_the_same_as_their_term(alias, term):
    assert SCALE.likelihood(alias).mean == SCALE.likelihood(term).mean
    assert SCALE.likelihood(alias).concentration == SCALE.likelihood(term).concentration
    assert SCALE.likelihood(alias).label == term


@pytest.mark.parametrize("written", ["LIKELY", "  Very   likely ", "Almost\tcertain", "Highly Probable"])
def test_terms_ignore_case_and_spacing(written):
    assert SCALE.likelihood(written).label in TERMS


def test_term_confidence_scales_the_fitted_concentration():
    _, kappa = fit_band(*TERMS["likely"])
    assert SCALE.likelihood("likely", "low").concentration == pytest.approx(kappa * 0.25)
    assert SCALE.likelihood("likely", "medium").concentration == pytest.approx(kappa)
    assert SCALE.likelihood("likely", "high").concentration == pytest.approx(kappa * 4)
    widths = [SCALE.likelihood("likely", c).interval() for c in ("low", "medium", "high")]
    spans = [hi - lo for lo, hi in widths]
    assert spans[0] > spans[1] > spans[2]
    # the mean, which the exact engine uses, does not move with confidence
    assert len({SCALE.likelihood("likely", c).mean for c in ("low", "medium", "high")}) == 1


# -- classic ratings --------------------------------------------------------------


@pytest.mark.parametrize("rating, mean", [("CC", 0.90), ("C", 0.70), ("N", 0.50), ("I", 0.20), ("II", 0.05)])
def test_classic_ratings(rating, mean):
    assert RATINGS[rating] == mean
    belief = SCALE.likelihood(rating)
    assert (belief.mean, belief.concentration, belief.label) == (mean, 20.0, rating)
    assert SCALE.likelihood(rating.lower()).mean == mean


def test_na_means_no_cell():
    assert SCALE.likelihood("NA") is None
    assert SCALE.likelihood("na") is None


@pytest.mark.parametrize("confidence, kappa", sorted(LIKELIHOOD_CONCENTRATION.items()))
def test_number_and_rating_concentration_follow_confidence(confidence, kappa):
    assert (kappa, confidence) in {(6.0, "low"), (20.0, "medium"), (80.0, "high")}
    assert SCALE.likelihood(0.3, confidence).concentration == kappa
    assert SCALE.likelihood("C", confidence).concentration == kappa


def test_a_case_can_override_the_ratings():
    scale = Scale(ratings=tuple({**RATINGS, "CC": 0.99}.items()))
    assert scale.likelihood("CC").mean == 0.99
    assert scale.likelihood("C").mean == 0.70


# -- numbers ----------------------------------------------------------------------


@pytest.mark.parametrize("value", [1.5, -0.1, 2, -1, float("nan"), float("inf"), 10**30])
def test_likelihood_numbers_outside_0_1_are_refused(value):
    with pytest.raises(ScaleError, match="outside \\[0, 1\\]") as info:
        SCALE.likelihood(value)
    assert "between 0 and 1" in info.value.hint


@pytest.mark.parametrize("value", [1.5, -0.2, 7.0])
def test_reliability_and_credibility_numbers_outside_0_1_are_refused(value):
    with pytest.raises(ScaleError, match="outside"):
        reliability(value)
    with pytest.raises(ScaleError, match="outside"):
        credibility(value)


@pytest.mark.parametrize("value", [True, False])
def test_yes_no_values_are_not_probabilities(value):
    with pytest.raises(ScaleError, match="yes/no"):
        SCALE.likelihood(value)
    with pytest.raises(ScaleError, match="yes/no"):
        reliability(value)


@pytest.mark.parametrize("value", [0, 1, 0.0, 1.0])
def test_0_and_1_are_fixed(value):
    belief = SCALE.likelihood(value, "low")
    assert belief.fixed and belief.concentration is None
    assert belief.mean == value
    assert belief.interval() == (value, value)
    assert reliability(float(value)).fixed


def test_integer_credibility_is_an_admiralty_code_but_a_float_is_a_probability():
    # `credibility: 1` is Admiralty 1 (confirmed), `credibility: 1.0` is certainty
    assert credibility(1).mean == 0.95 and not credibility(1).fixed
    assert credibility(1.0) == Belief(1.0, None, "1")


# -- Admiralty --------------------------------------------------------------------


@pytest.mark.parametrize(
    "code, mean, kappa", [("A", 0.95, 40), ("B", 0.80, 40), ("C", 0.65, 12), ("D", 0.40, 12), ("E", 0.15, 12)]
)
def test_admiralty_reliability_letters(code, mean, kappa):
    belief = reliability(code)
    assert (belief.mean, belief.concentration) == (mean, kappa)
    assert reliability(code.lower()) == belief
    assert belief.label.startswith(code)


@pytest.mark.parametrize(
    "code, mean, kappa", [(1, 0.95, 40), (2, 0.80, 40), (3, 0.60, 12), (4, 0.35, 12), (5, 0.10, 12)]
)
def test_admiralty_credibility_numbers(code, mean, kappa):
    assert (credibility(code).mean, credibility(code).concentration) == (mean, kappa)
    assert credibility(str(code)) == credibility(code)


@pytest.mark.parametrize("belief", [reliability("F"), reliability("f"), credibility(6), credibility("6")])
def test_cannot_be_judged_is_uniform(belief):
    assert belief.mean == 0.5
    assert belief.beta() == pytest.approx((1.0, 1.0))
    lo, hi = belief.interval()
    assert (lo, hi) == pytest.approx((0.05, 0.95))  # Beta(1, 1) is uniform


def test_admiralty_tables_cover_a_to_f_and_1_to_6():
    assert list(ADMIRALTY_RELIABILITY) == list("ABCDEF")
    assert list(ADMIRALTY_CREDIBILITY) == [1, 2, 3, 4, 5, 6]
    means = [ADMIRALTY_RELIABILITY[c][0] for c in "ABCDE"]
    assert means == sorted(means, reverse=True)


def test_stated_confidence_overrides_the_admiralty_default():
    assert reliability("C", "high").concentration == 40
    assert reliability("C", "low").concentration == 4
    assert reliability(0.7, "low") == Belief(0.7, 4.0, "0.7")
    # ...but never below what keeps the Beta unimodal: A (0.95) at low confidence
    # would be Beta(3.8, 0.2), a U shape; it becomes Beta(19, 1) instead.
    a, b = reliability("A", "low").beta()
    assert min(a, b) == pytest.approx(1.0) and reliability("A", "low").mean == 0.95


@pytest.mark.parametrize("level, mean", [("low", 0.3), ("medium", 0.6), ("high", 0.9)])
def test_levels(level, mean):
    assert reliability(level).mean == mean == credibility(level.upper()).mean
    assert reliability(level).concentration == 12


def test_unknown_reliability_lists_what_is_allowed():
    with pytest.raises(ScaleError, match="'G' is not understood") as info:
        reliability("G")
    assert "A, B, C, D, E, F" in info.value.hint
    with pytest.raises(ScaleError) as info:
        credibility("7")
    assert "1, 2, 3, 4, 5, 6" in info.value.hint


# -- errors and hints -------------------------------------------------------------


@pytest.mark.parametrize(
    "written, suggestion", [("CCC", "CC"), ("III", "II"), ("likley", "likely"), ("very unlikley", "very unlikely")]
)
def test_unknown_ratings_suggest_the_nearest(written, suggestion):
    with pytest.raises(ScaleError) as info:
        SCALE.likelihood(written)
    assert f"'{written}'" in str(info.value)
    assert "CC, C, N, I, II, NA" in str(info.value)
    assert info.value.hint == f"did you mean '{suggestion}'?"


def test_gibberish_gets_a_generic_hint():
    with pytest.raises(ScaleError) as info:
        SCALE.likelihood("qqqqqqqqqqqq")
    assert "classic rating" in info.value.hint


def test_suggest_keeps_the_spelling_of_the_option():
    assert scales.suggest("b", ["A", "B"]) == "did you mean 'B'?"


# -- from numbers back to words ----------------------------------------------------


@pytest.mark.parametrize(
    "p, term",
    [
        (0.0, "almost no chance"),
        (0.0499, "almost no chance"),
        (0.05, "very unlikely"),
        (0.1999, "very unlikely"),
        (0.20, "unlikely"),
        (0.45, "roughly even chance"),
        (0.5499, "roughly even chance"),
        (0.55, "likely"),
        (0.80, "very likely"),
        (0.95, "almost certain"),
        (0.99, "almost certain"),
        (1.0, "almost certain"),
    ],
)
def test_icd203_term_boundaries(p, term):
    assert icd203_term(p) == term


@given(st.floats(0, 1))
def test_every_probability_has_a_term_whose_band_holds_it(p):
    term = icd203_term(p)
    lo, hi = TERMS[term]
    terms = list(TERMS)
    first, last = terms[0], terms[-1]
    assert (lo <= p or term == first) and (p < hi or term == last)


@given(st.floats(0, 1), st.floats(0, 1))
def test_icd203_term_is_monotone(p, q):
    order = list(TERMS)
    if p <= q:
        assert order.index(icd203_term(p)) <= order.index(icd203_term(q))


def test_to_rating_is_nearest_in_log_odds_not_on_the_line():
    # 0.115 is nearer II (0.05) on the line, but nearer I (0.20) in log-odds
    assert abs(0.115 - 0.05) < abs(0.115 - 0.20)
    assert SCALE.to_rating(0.115) == "I"
    assert SCALE.to_rating(0.0) == "II"
    assert SCALE.to_rating(1.0) == "CC"


@pytest.mark.parametrize("rating", list(RATINGS))
def test_to_rating_inverts_the_ratings(rating):
    assert SCALE.to_rating(RATINGS[rating]) == rating


@given(st.floats(1e-6, 1 - 1e-6))
def test_to_rating_minimises_the_log_odds_distance(m):
    logit = lambda p: math.log(p / (1 - p))  # noqa: E731
    chosen = SCALE.to_rating(m)
    best = min(abs(logit(v) - logit(m)) for v in RATINGS.values())
    assert abs(logit(RATINGS[chosen]) - logit(m)) == pytest.approx(best, abs=1e-12)


# -- round trips ------------------------------------------------------------------


# Below ~1e-308 the unimodal floor 1/p overflows; nobody types such a likelihood.
probabilities = st.floats(0, 1).filter(lambda p: p == 0 or p > 1e-300)


@given(probabilities, st.sampled_from(["low", "medium", "high"]))
def test_every_likelihood_round_trips_with_its_mean(p, confidence):
    belief = SCALE.likelihood(p, confidence)
    assert belief.mean == p
    if p in (0.0, 1.0):
        assert belief.fixed and belief.concentration is None
    else:
        assert not belief.fixed
        a, b = belief.beta()
        assert a / (a + b) == pytest.approx(p, rel=1e-9)
        assert min(a, b) >= 1 - 1e-9  # unimodal: "about p", never a U shape


@given(probabilities)
def test_every_reliability_number_round_trips_with_its_mean(p):
    for belief in (reliability(p), credibility(p)):
        assert belief.mean == p
        assert belief.fixed == (p in (0.0, 1.0))


@given(st.floats(0.01, 0.99))
def test_a_numeric_likelihood_is_interval_bracketed(p):
    lo, hi = SCALE.likelihood(p).interval()
    assert 0 <= lo <= p <= hi <= 1


# -- other tools' notations of the classic ratings (read by the spreadsheet import) ---------------


@pytest.mark.parametrize(
    "written, classic",
    [
        ("++", "CC"),
        ("+", "C"),
        ("-", "I"),
        ("--", "II"),
        ("\u2212", "I"),  # the unicode minus
        ("\u2212\u2212", "II"),
        ("\u2013", "I"),  # an en dash typed for a minus
        ("- -", "II"),
        ("+ +", "CC"),
        ("\uff0b", "C"),  # full-width plus
        ("N/A", "NA"),
        ("n/a", "NA"),
        ("N.A.", "NA"),
        ("C C", "CC"),
        ("i i", "II"),
    ],
)
def test_other_notations_are_the_classic_ratings(written, classic):
    assert scales.other_rating(written) == classic
    assert SCALE.likelihood(classic) == SCALE.likelihood(scales.other_rating(written))


def test_other_notations_leave_every_accepted_rating_alone():
    for written in [*scales.RATINGS, "NA", "na", "cc", "likely", "0.3", "30%", "\u2014", "x", ""]:
        assert scales.other_rating(written) is None, written


def test_zero_is_neutral_only_on_a_plus_zero_minus_scale():
    assert scales.other_rating("0") is None
    assert scales.other_rating("0", zero=True) == "N"
    assert SCALE.likelihood(scales.SYMBOLS["0"]).mean == scales.RATINGS["N"] == 0.5  # the same neutral as N
    assert SCALE.likelihood(scales.SYMBOLS["++"]).mean == scales.RATINGS["CC"]  # ++ is very consistent


@given(st.text(max_size=6))
def test_other_rating_is_none_or_a_classic_rating(text):
    assert scales.other_rating(text, zero=True) in (None, *scales.RATINGS, scales.NA)
