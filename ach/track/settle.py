"""Which collection candidate would have settled a resolved case earliest?

Once the truth ``t`` is known, each candidate observation of the case's
``collection`` is imagined as looked for by one of the evidence dates, with
the outcome the truth makes most likely: observed when ``P(seen | t) > ½``,
looked for and not observed when it is below; at exactly ½ (the truth says
nothing about it), the outcome that leaves the truth the more probable at the
end. A candidate is rated as :mod:`ach.voi` rates it (its own source fully
reliable, ``if_false`` the mean of its likelihoods), so it multiplies the
posterior at each date by its likelihood of that outcome under each
hypothesis.

It *settles* the case from the first date ``d`` such that, with it in, the
truth leads alone (more probable than every other hypothesis) at ``d`` and at
every later date: a lead that is lost again settles nothing. The candidate
named is the one that settles it earliest; between candidates settling on the
same date, the one giving the truth the larger probability on that date. The
same rule applied to the evidence alone says when it settled the case without
any candidate. The dates are those of the headline's dated items (undated
items count from the start); a case with no dated item has one moment, the
headline.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .. import exact
from .scores import by_date

__all__ = ["ATOL", "Settlement", "Settling", "leads", "led_from", "settle", "timeline"]

ATOL = 1e-9  # a lead smaller than this is a tie, and a tie settles nothing


@dataclass(frozen=True)
class Settling:
    """One candidate, imagined as looked for, with the outcome the truth makes most likely."""

    id: str
    text: str
    seen: bool  # the outcome imagined: observed (True) or looked for and not observed
    p_outcome: float  # that outcome's probability under the truth
    date: str | None  # the first date from which, with it, the truth led alone for good (None: never, or undated)
    settles: bool  # whether it settles the case at all (with no dated item: the truth leads at the headline)
    p_truth: float  # P(truth) with it, on its date (at the headline if it never settles)
    p_truth_without: float  # P(truth) on the same date without it


def timeline(case, t: int) -> list[tuple[str | None, np.ndarray]]:
    """(date, posterior) after each evidence date of the headline; [(None, headline posterior)] with no dates."""
    headline = case.headline()
    dated = by_date(headline, t)
    if dated:
        return [(d.date, np.asarray(d.scored.p)) for d in dated]
    return [(None, exact.posterior(headline.inputs))]


def leads(p: np.ndarray, t: int) -> bool:
    """The truth is more probable than every other hypothesis (a tie is not a lead)."""
    others = np.delete(p, t)
    return bool(others.size == 0 or p[t] > others.max() + ATOL)


def led_from(dists, t: int) -> int | None:
    """The index of the first distribution from which the truth leads alone in every later one (None: never)."""
    first = None
    for i, p in enumerate(dists):
        if leads(p, t):
            first = i if first is None else first
        else:
            first = None
    return first


@dataclass(frozen=True)
class Settlement:
    """Every candidate's settling, and when the evidence alone settled the case."""

    truth: str
    candidates: tuple[Settling, ...]  # in the case's order
    dated: bool  # the timeline has evidence dates (else one moment: the headline)
    alone_settles: bool  # the evidence alone settled it (with no dates: the truth leads at the headline)
    alone_date: str | None  # from which date (None: never, or undated)

    @property
    def best(self) -> Settling | None:
        """The candidate that settles the case earliest (ties: the larger probability of the truth, then file
        order); None when none does."""
        settled = [s for s in self.candidates if s.settles]
        return min(settled, key=lambda s: (s.date or "", -s.p_truth)) if settled else None

    @property
    def earlier(self) -> bool:
        """The best candidate settles the case before the evidence alone did (or the evidence never did)."""
        best = self.best
        if best is None:
            return False
        return not self.alone_settles or (self.dated and best.date < self.alone_date)


def settle(case, truth: str) -> Settlement:
    """Each collection candidate of ``case`` imagined as looked for with the outcome ``truth`` makes most likely."""
    hyps = case.hypothesis_ids
    t = hyps.index(truth)
    moments = timeline(case, t)
    dates = [d for d, _ in moments]
    ps = np.array([p for _, p in moments])  # (dates, n)
    alone = led_from(ps, t)
    out = []
    for c in case.collection:
        m = np.array([c.likelihood[h].mean for h in hyps])
        seen = exact.item_probability(c.credibility.mean, m, m.mean())  # (n,) P(seen | H_j)
        if_seen, if_not = _update(ps, seen), _update(ps, 1 - seen)
        is_seen = seen[t] > 0.5 or (seen[t] == 0.5 and if_seen[-1, t] >= if_not[-1, t])
        with_it = if_seen if is_seen else if_not
        k = led_from(with_it, t)
        at = k if k is not None else len(ps) - 1
        out.append(
            Settling(
                c.id,
                c.text,
                bool(is_seen),
                float(seen[t] if is_seen else 1 - seen[t]),
                None if k is None else dates[k],
                k is not None,
                float(with_it[at, t]),
                float(ps[at, t]),
            )
        )
    return Settlement(
        truth, tuple(out), dates[0] is not None, alone is not None, None if alone is None else dates[alone]
    )


def _update(ps: np.ndarray, likelihood: np.ndarray) -> np.ndarray:
    """Each row of ``ps`` times ``likelihood``, renormalised (a row the outcome rules out entirely is kept)."""
    joint = ps * likelihood
    total = joint.sum(axis=1, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(total > 0, joint / np.where(total > 0, total, 1), ps)
