"""The post-mortem of a resolved case: once the truth is known, what pointed to it and what misled.

:func:`postmortem` reads a :class:`~ach.result.Result` whose case states an
``outcome``: the scores of the headline posterior and of its baselines
(:mod:`ach.track.scores`: probability of the truth, Brier, log loss, rank),
each item's weight of evidence for the true hypothesis against the others
(the Result's own ``item_woe``: positive pointed to the truth, negative
misled), the source whose items together misled most (``source_woe``), the
posterior of the truth at each evidence date ("when would we have known?"),
the collection candidate that would have settled the case earliest
(:mod:`ach.track.settle`), and the one that, looked for once all the
evidence was in, would have raised the probability of the truth most on
average, each outcome weighed by how likely it was under the truth.
"""

from __future__ import annotations

import numpy as np

from ..exact import item_probability
from ..formatting import db, pct, short
from ..track.scores import MAX_BITS, Scored, score_case
from ..track.settle import settle
from ..voi import value

__all__ = ["SHOWN", "postmortem"]

SHOWN = 5  # items listed as pointing to the truth, and as misleading


def postmortem(result) -> dict | None:
    """The post-mortem's facts, formatted; None when the case is not resolved."""
    case = result.case
    if case.truth is None:
        return None if case.outcome is None else {"unresolved": True}
    hyps = result.hypotheses
    t = hyps.index(case.truth)
    s = score_case(case)
    woe = result.item_woe[:, t]
    items = [(float(woe[i]), e) for i, e in enumerate(case.evidence)]
    pointed = sorted((x for x in items if x[0] >= 0.05), key=lambda x: -x[0])
    misled = sorted((x for x in items if x[0] <= -0.05), key=lambda x: x[0])
    sources = [(float(result.source_woe[k, t]), src) for k, src in enumerate(case.sources)]
    worst = min(sources, key=lambda x: x[0], default=None)
    o = case.outcome
    truth_title = case.hypothesis(case.truth).title
    lead = hyps[int(result.order[0])]
    return {
        "unresolved": False,
        "truth": case.truth,
        "truth_title": truth_title,
        "outcome": {"date": o.date or "", "source": o.source, "note": o.note},
        "scores": _rows(s),
        "classic_pick": ", ".join(s.classic_pick),
        "classic_right": case.truth in s.classic_pick,
        "sentence": _sentence(s, case.truth, lead, result.leading),
        "pointed": [_item(w, e) for w, e in pointed[:SHOWN]],
        "misled": [_item(w, e) for w, e in misled[:SHOWN]],
        "more_pointed": max(len(pointed) - SHOWN, 0),
        "more_misled": max(len(misled) - SHOWN, 0),
        "worst_source": None
        if worst is None or worst[0] > -0.05
        else {"id": worst[1].id, "title": worst[1].title, "woe": db(worst[0], " dB")},
        "by_date": [{"date": d.date, "n": d.items, **_scored(d.scored)} for d in s.by_date],
        "known_from": s.known_from,
        "settled": _settled(case, case.truth),
        "candidate": _best_candidate(case, result.posterior, t),
    }


def _scored(s: Scored) -> dict:
    """One distribution's four scores, as the report shows them."""
    tied = sum(abs(p - s.p_truth) <= 1e-9 for p in s.p) > 1
    return {
        "p": pct(s.p_truth),
        "brier": f"{s.brier:.3f}",
        "bits": f"{MAX_BITS:g} (capped)" if s.log_loss_bits >= MAX_BITS else f"{s.log_loss_bits:.2f}",
        "rank": f"{s.rank}{' (tied)' if tied else ''}",
    }


def _rows(s) -> list[dict]:
    """The posterior, the analyst's judgment when stated, and the three baselines: one row each."""
    when = f" ({s.judgment_when} seeing the matrix)" if s.judgment_when else ""
    pick = ", ".join(s.classic_pick) + ("" if s.truth in s.classic_pick else ": missed")
    rows = [("This analysis (exact posterior)", s.posterior)]
    rows += [(f"The analyst's own judgment{when}", s.judgment)] if s.judgment is not None else []
    rows += [("The prior alone", s.prior), ("A uniform prior", s.uniform), (f"Classic ACH's pick ({pick})", s.classic)]
    return [{"label": label, **_scored(x)} for label, x in rows]


def _sentence(s, truth: str, lead: str, leading) -> str:
    p = s.posterior
    if p.rank == 1 and leading == truth:
        head = f"The analysis led with the truth, {truth}, at {pct(p.p_truth)}"
    elif p.rank == 1:
        head = f"The truth, {truth}, was tied for the lead at {pct(p.p_truth)}"
    else:
        head = f"The analysis led with {lead}; the truth, {truth}, came {_ordinal(p.rank)} at {pct(p.p_truth)}"
    helped = "the evidence helped" if p.brier < s.prior.brier else "the evidence made it worse than the prior alone"
    return (
        f"{head} (prior {pct(s.prior.p_truth)}): Brier score {p.brier:.3f} against {s.prior.brier:.3f} "
        f"for the prior alone, so {helped}."
    )


def _ordinal(n: int) -> str:
    return {1: "first", 2: "second", 3: "third", 4: "fourth", 5: "fifth"}.get(n, f"{n}th")


def _item(w: float, e) -> dict:
    return {"id": e.id, "text": short(e.text, 90), "source": e.source, "woe": db(w, " dB")}


def _settled(case, truth: str) -> str | None:
    """Which collection candidate would have settled the case earliest, in words (None: no candidates)."""
    if not case.collection:
        return None
    found = settle(case, truth)
    best, n = found.best, len(found.candidates)
    if best is not None and found.earlier:
        named = f"{best.id} ({short(best.text, 90)})"
        who = f"Of the {n} collection candidates, {named}" if n > 1 else f"The one collection candidate, {named},"
        outcome = "observed" if best.seen else "looked for and not observed"
        how = f"{outcome}, as the truth makes likely ({pct(best.p_outcome)})"
        if found.dated:
            alone = (
                f"the evidence alone put {truth} in the lead for good only from {found.alone_date}"
                if found.alone_settles
                else f"the evidence alone never put {truth} in the lead for good"
            )
            return (
                f"{who} would have settled it earliest: looked for by {best.date} and {how}, it would have put "
                f"{truth} in the lead from then on, at {pct(best.p_truth)} on that date "
                f"({pct(best.p_truth_without)} without it); {alone}."
            )
        return (
            f"{who} would have settled it: looked for and {how}, it would have put {truth} in the lead, at "
            f"{pct(best.p_truth)} ({pct(best.p_truth_without)} without it); the evidence alone left it behind."
        )
    if found.alone_settles:
        when = f" for good from {found.alone_date} on" if found.dated else ""
        return f"No collection candidate would have settled it earlier than the evidence did: {truth} led{when} without any."
    by = "by any evidence date " if found.dated else ""
    who = f"None of the {n} collection candidates" if n > 1 else "The one collection candidate"
    would = "would have" if n > 1 else "would not have"
    return (
        f"{who}, looked for {by}and turning out as the truth makes most likely, {would} put {truth} in the lead"
        f"{' for good' if found.dated else ''}."
    )


def _best_candidate(case, posterior: np.ndarray, t: int) -> dict | None:
    """The candidate whose search, once all the evidence was in, would have raised the truth's probability most
    on average (each outcome weighed by its probability under the truth)."""
    if not case.collection:
        return None
    hyps = case.hypothesis_ids
    m = np.array([[c.likelihood[h].mean for h in hyps] for c in case.collection])
    k = np.array([c.credibility.mean for c in case.collection])[:, None]
    seen = item_probability(k, m, m.mean(axis=1, keepdims=True))
    _, if_seen, if_not, _, _ = value(posterior, seen)
    under_truth = seen[:, t]
    expected = under_truth * if_seen[:, t] + (1 - under_truth) * if_not[:, t]
    best = int(np.argmax(expected))
    c = case.collection[best]
    return {
        "id": c.id,
        "text": short(c.text, 90),
        "expected": pct(float(expected[best])),
        "now": pct(float(posterior[t])),
        "p_seen": pct(float(under_truth[best])),
        "if_seen": pct(float(if_seen[best, t])),
        "if_not": pct(float(if_not[best, t])),
    }
