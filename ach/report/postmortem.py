"""The post-mortem of a resolved case: once the truth is known, what pointed to it and what misled.

:func:`postmortem` reads a :class:`~ach.result.Result` whose case states an
``outcome``: the scores of the headline posterior (:mod:`ach.track.scores`),
each item's weight of evidence for the true hypothesis against the others
(the Result's own ``item_woe``: positive pointed to the truth, negative
misled), the source whose items together misled most (``source_woe``), the
posterior of the truth at each evidence date ("when would we have known?"),
and the collection candidate that would have done most for the truth: the
expected probability of the truth after looking for it, each outcome weighed
by how likely it was under the truth.
"""

from __future__ import annotations

import numpy as np

from ..exact import item_probability
from ..formatting import db, pct, short
from ..track.scores import score_case
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
        "p_truth": pct(s.posterior.p_truth),
        "prior_p_truth": pct(s.prior.p_truth),
        "rank": s.posterior.rank,
        "brier": f"{s.posterior.brier:.3f}",
        "prior_brier": f"{s.prior.brier:.3f}",
        "uniform_brier": f"{s.uniform.brier:.3f}",
        "classic_brier": f"{s.classic.brier:.3f}",
        "log_loss": f"{s.posterior.log_loss_bits:.2f}",
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
        "by_date": [
            {"date": d.date, "items": d.items, "p": pct(d.scored.p_truth), "rank": d.scored.rank} for d in s.by_date
        ],
        "known_from": s.known_from,
        "judgment": None
        if s.judgment is None
        else {
            "p": pct(s.judgment.p_truth),
            "brier": f"{s.judgment.brier:.3f}",
            "when": s.judgment_when or "",
            "better": s.judgment.brier < s.posterior.brier,
        },
        "candidate": _best_candidate(case, result.posterior, t),
    }


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


def _best_candidate(case, posterior: np.ndarray, t: int) -> dict | None:
    """The candidate whose search, given the truth, would have raised its probability most on average."""
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
