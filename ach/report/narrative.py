"""The sentences of a report: pure functions from facts to English.

Every sentence the report (and the summary) states is written here once, for
both renderings; the templates only place them. Nothing here computes a
verdict: each function is handed the finding (who leads without an item,
whether the rankings agree) and says it in words.
"""

from __future__ import annotations

import numpy as np

from ..formatting import db, fold, interval, join, pair_pct, pct, pp, times

__all__ = [
    "ALERT",
    "CANNOT_ALONE",
    "THRESHOLDS_INTRO",
    "caveats",
    "deception",
    "edit_words",
    "heuer_order",
    "linchpin_summary",
    "pair",
    "prior",
    "ranking",
    "removal",
    "robustness",
    "sampler_agreement",
    "segments",
    "sweep",
    "threshold",
]

ALERT = (
    "The 90 % intervals and the rank stability in this report come from draws that failed their "
    "checks, so they cannot be trusted. The exact posterior (the headline "
    "percentages) is computed in closed form and does not depend on the sampler. Rerun with "
    "more draws (with NUTS, also more tuning steps: --draws 2000 --tune 2000) before relying on the intervals."
)

WHY_RANKINGS_DIFFER = (
    " Classic ACH counts only the evidence against each hypothesis and weighs each item the same "
    "however diagnostic it is and however reliable its source; Bayes weighs every item by how much "
    "more expected it is under one hypothesis than under the others, and lets a doubtful source's "
    "reports stand or fall together."
)


# -- linchpins and thresholds --------------------------------------------------------
THRESHOLDS_INTRO = (
    "For each item, the smallest change of one of its likelihoods that would make another hypothesis lead, "
    "the rest of the evidence as rated: the cell to edit and the value it would have to reach (a rating is "
    "changed in the file, or tried with `ach whatif --set ITEM.HYPOTHESIS=VALUE`; an item whose if_false is "
    "left to its default takes the new mean of its likelihoods). Smallest first: these are the items whose "
    "rating most deserves a second look."
)
CANNOT_ALONE = (
    "items cannot overturn the judgment on their own, however one of their likelihoods were rated: through a "
    "source that may be unreliable or an item that may be false, an item's pull is bounded."
)


def removal(what: str, new: str | None, p_new: float, lead: str, p_lead: float, tied: list[str] = ()) -> str:
    """'Removing E02 alone would make ISIS the leading hypothesis (ISIS 46 %, KH 32 %).'"""
    if new is None:
        return f"Removing {what} would leave no single leader: {join(list(tied))} tied at {pct(p_new)}."
    return f"Removing {what} would make {new} the leading hypothesis ({pair_pct(new, p_new, lead, p_lead)})."


def linchpin_summary(parts: list[str], rivals: set[str], lead: str | None, tied: list[str] = ()) -> str:
    if lead is None:
        return (
            f"No single hypothesis leads ({join(list(tied))} are tied), so no item or source carries a lead: "
            "the sensitivity analysis below is read against the first of them."
        )
    if not parts:
        return f"No single item or source is a linchpin: {lead} stays the leading hypothesis whichever one is removed."
    who = next(iter(rivals)) if len(rivals) == 1 else "another hypothesis"
    return f"The judgment rests on: {'; '.join(parts)}. Without any one of these alone, {who} would lead."


def edit_words(t) -> str:
    """'lower its likelihood under KH from 0.68 to 0.32 (2.1-fold)'."""
    verb = "raise" if t.direction == "raise" else "lower"
    fold_text = f" ({fold(t.factor)}-fold)" if t.factor is not None and np.isfinite(t.factor) else ""
    return f"{verb} its likelihood under {t.hypothesis} from {t.value_from:.2g} to {t.value_to:.2g}{fold_text}"


def threshold(t) -> str:
    """One item's threshold (:class:`ach.sensitivity.Threshold`) in words."""
    if t.value_to is None:
        return f"{t.item} cannot overturn the judgment on its own."
    verb = "Raising" if t.direction == "raise" else "Lowering"
    fold_text = f" ({fold(t.factor)}-fold)" if t.factor is not None and np.isfinite(t.factor) else ""
    return (
        f"{verb} {t.item}'s likelihood under {t.hypothesis} from {t.value_from:.2g} to {t.value_to:.2g}{fold_text} "
        f"would make {t.rival} lead."
    )


def prior(threshold, leader: str) -> str | None:
    """'For ISIS to lead on this evidence, you would need to believe beforehand that ISIS is 2.3 times ...'."""
    if threshold is None:
        return None
    rival, now, needed = threshold.rival, threshold.odds_now, threshold.odds_needed
    if not np.isfinite(needed):
        return f"No prior belief could make {rival} lead: the evidence rules it out."
    if needed >= 1:
        belief = f"{rival} is at least {times(needed)} times as likely as {leader}"
    else:
        belief = f"{leader} is at most {times(1 / needed)} times as likely as {rival}"
    if now >= 1:
        stated = f"the case's prior makes {rival} {times(now)} times as likely as {leader}"
    else:
        stated = f"the case's prior makes {leader} {times(1 / now)} times as likely as {rival}"
    shift = needed / now if now > 0 else np.inf
    return (
        f"For {rival} to lead on this evidence, you would need to believe beforehand that {belief} "
        f"({stated}): a {fold(shift)}-fold shift of the prior odds toward {rival}."
    )


# -- sweeps ------------------------------------------------------------------------------
def segments(runs, what: str) -> str:
    """'ISIS leads below a reliability of about 0.53, KH above it'."""
    if len(runs) == 1:
        return f"{runs[0][2]} leads at every {what} from 0 to 1"
    cuts = [(a[1] + b[0]) / 2 for a, b in zip(runs[:-1], runs[1:])]
    parts = [f"{runs[0][2]} leads below a {what} of about {cuts[0]:.2f}"]
    for (lo, hi), seg in zip(zip(cuts[:-1], cuts[1:]), runs[1:-1]):
        parts.append(f"{seg[2]} between {lo:.2f} and {hi:.2f}")
    parts.append(f"{runs[-1][2]} above {cuts[-1]:.2f}")
    return ", ".join(parts)


def sweep(name: str, sid: str, now: float, runs, lead: str, p_at_0: float, p_at_1: float) -> str:
    return (
        f"{name} ({sid}), reliability {now:.2f} in the case: "
        + segments(runs, "reliability")
        + f"; P({lead}) runs from {pct(p_at_0)} at reliability 0 to {pct(p_at_1)} at 1."
    )


def deception(eid: str, now: float, if_false: str, runs, lead: str, p_planted: float, p_genuine: float) -> str:
    return (
        f"{eid} (credibility {now:.2f} in the case; if not genuine it would still be reported with "
        f"probability {if_false}): "
        + segments(runs, "credibility")
        + f"; P({lead}) is {pct(p_planted)} if the item was planted and {pct(p_genuine)} if it is genuine."
    )


def robustness(lead: str, p_sampled: float, hdi, p_forward: float, forward_hdi) -> str:
    return (
        f"{lead} leads in {pct(p_sampled)} of the stratified posterior draws "
        f"(90 % interval {interval(hdi)}) and in "
        f"{pct(p_forward)} of the forward draws of our inputs (90 % range "
        f"{interval(forward_hdi)})."
    )


# -- classic against Bayes, sampled against exact -------------------------------------------
def ranking(agreement, lead: str, p_lead: float, w_lead: float, heuer_text: str, bayes_text: str) -> str:
    """The ranking verdict (:class:`ach.heuer.RankingAgreement`) in words."""
    if agreement.verdict == "agree":
        return f"The rankings agree: classic ACH and Bayes both order the hypotheses {bayes_text}."
    if agreement.verdict == "same-leader":
        return (
            f"Both methods put {lead} first, but they order the rest differently "
            f"(classic ACH ranks {heuer_text}; Bayes ranks {bayes_text})."
        )
    if agreement.verdict == "classic-tied":
        return (
            f"Classic ACH cannot separate {join(agreement.classic_best)} (equal weighted inconsistency, {w_lead:.1f}); "
            f"Bayes puts {lead} first ({pct(p_lead)}). Classic ACH ranks {heuer_text}; Bayes ranks {bayes_text}."
        )
    return (
        f"The rankings disagree: classic ACH favours {join(agreement.classic_best)} (least inconsistent evidence), "
        f"Bayes favours {lead}. Classic ACH ranks {heuer_text}; Bayes ranks {bayes_text}." + WHY_RANKINGS_DIFFER
    )


def sampler_agreement(agreement) -> str:
    """The sampled-against-exact verdict (:class:`ach.model.Agreement`) in words."""
    if agreement.agree:
        return (
            f"The sampled mean agrees with the exact posterior within Monte Carlo error (largest "
            f"difference {pp(agreement.difference)} for {agreement.worst}, {agreement.z:.1f} MC standard errors)."
        )
    return (
        f"The sampled mean of {agreement.worst} differs from the exact posterior by {pp(agreement.difference)}, "
        f"{agreement.z:.1f} Monte Carlo standard errors: more than chance allows. Rerun with more draws."
    )


# -- what to collect --------------------------------------------------------------------------
def pair(p) -> dict:
    """A hard-to-separate pair (:class:`ach.voi.HypothesisPair`): its balance, separating items and sentence."""
    evidence = p.evidence_db
    if evidence >= 0.5:
        balance = f"favours {p.a} by {evidence:.1f} dB"
    elif evidence <= -0.5:
        balance = f"favours {p.b} by {-evidence:.1f} dB"
    else:
        balance = f"about even ({db(evidence)} dB)"
    separating = (
        ", ".join(f"{eid} ({db(abs(d))} dB for {p.a if d > 0 else p.b})" for eid, d in p.separating_items)
        or "none: no item bears on the difference"
    )
    sentence = (
        f"{p.a} and {p.b} together hold {pct(p.mass)}; the evidence alone (the prior aside) "
        f"{balance}. To separate them, look for an observation that {p.a} would very likely produce "
        f"and {p.b} would not, or the reverse: an item 10 times more expected under {p.a} than "
        f"under {p.b} would be worth about {p.gain_from_10db:.2f} bits."
    )
    return {"balance": balance, "separating": separating, "sentence": sentence}


# -- caveats ----------------------------------------------------------------------------------
def caveats(*, catch_all: bool, forward: bool) -> list[str]:
    """What every reader of the assessment must keep in mind."""
    out = [
        "Sources are assumed conditionally independent given the hypothesis. Items from one source stand or "
        "fall together (if the source is unreliable, all its reports are noise at once), but two sources that "
        "copy each other, or one voice relayed by several outlets, count twice unless the case merges them "
        "into one source.",
        "The probabilities are only as good as the ratings behind them: every likelihood, reliability and "
        "credibility is an analyst's judgment, and the hypotheses are assumed mutually exclusive and, "
        "together, exhaustive.",
    ]
    if not catch_all:
        out.append("No hypothesis is marked as the catch-all, so 'none of the above' has no probability at all.")
    if forward:
        out.append(
            "The robustness range (forward draws of the inputs) is not a posterior: its mean is not the "
            "probability of a hypothesis. It shows where the answer could land if the judgments were off "
            "within their stated uncertainty."
        )
    else:
        out.append(
            "No uncertainty was computed: the probabilities are exact for the inputs as rated, "
            "but this report cannot say how far they would move if the ratings were off."
        )
    out.append(
        "The sensitivity analysis moves one item, source or input at a time with the others as rated; "
        "several judgments that are off together can move the answer further than any single bar shows."
    )
    out.append(
        "Following ICD 203, likelihood and analytic confidence are kept apart: the probability says how "
        "likely a hypothesis is given the evidence as rated; the confidence says how far that judgment can "
        "be relied on. A 'likely' judgment may be held with low confidence."
    )
    return out


def heuer_order(heuer) -> str:
    """'ISIS = SUNNI > OTHER > KH > IAM': least inconsistent first, ties joined by '='."""
    w = heuer.weighted_inconsistency
    parts, last = [], None
    for j in np.argsort(w, kind="stable"):
        if last is not None and np.isclose(w[j], last):
            parts[-1] += f" = {heuer.hypotheses[j]}"
        else:
            parts.append(heuer.hypotheses[j])
        last = w[j]
    return " > ".join(parts)
