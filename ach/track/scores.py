"""Scoring one resolved case: the probability it gave the truth, and how good that was.

Every score is a proper scoring rule of the stated distribution ``p`` over the
case's hypotheses once the true one, ``t``, is known (docs/MODEL.md, "Keeping
score"):

* the multi-class Brier score ``Σ_j (p_j − [j = t])²``, from 0 (all on the
  truth) to 2 (all on one wrong hypothesis); a uniform guess over ``n``
  hypotheses scores ``1 − 1/n``;
* the log loss ``−log₂ p_t`` in bits: 0 for certainty in the truth, 1 bit for
  an even chance, :data:`MAX_BITS` for a probability of 0 (capped, so that a
  single ruled-out truth is visible without making every average infinite);
* the rank of the truth: 1 if no hypothesis was more probable.

All three are computed for baselines too, so a score can be read against
what the evidence added: the prior alone, a uniform prior, and classic ACH's
pick. Classic ACH states no probabilities, only the least inconsistent
hypotheses; as a distribution its pick is uniform over them (several when
tied) and 0 elsewhere, so a pick that misses the truth gives it 0: a log
loss of :data:`MAX_BITS` and a rank of 1 + the number picked. The posterior
as it stood after each evidence date is scored the same way ("when would we
have known?"), and the analyst's holistic ``judgment`` when the case states
one.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .. import exact, heuer

__all__ = ["MAX_BITS", "CaseScore", "DatedScore", "Scored", "brier", "log_loss_bits", "rank_of_truth", "score_case"]

MAX_BITS = 40.0  # the log loss of a probability of 0 (2^-40 is about 1e-12)


def brier(p, truth) -> np.ndarray | float:
    """Multi-class Brier score of ``p`` (…, n) against the index ``truth`` (…)."""
    p = np.asarray(p, float)
    onehot = np.zeros_like(p)
    np.put_along_axis(onehot, np.asarray(truth)[..., None], 1.0, axis=-1)
    out = np.sum((p - onehot) ** 2, axis=-1)
    return float(out) if out.ndim == 0 else out


def log_loss_bits(p_truth) -> np.ndarray | float:
    """``−log₂ p`` of the probability given the truth, capped at :data:`MAX_BITS`."""
    p = np.asarray(p_truth, float)
    with np.errstate(divide="ignore"):
        out = np.minimum(-np.log2(p), MAX_BITS)
    out = out + 0.0  # -0.0 -> 0.0
    return float(out) if out.ndim == 0 else out


def rank_of_truth(p, truth: int, atol: float = 1e-9) -> int:
    """1 + the number of hypotheses given more than the truth (ties share the better rank)."""
    p = np.asarray(p, float)
    return 1 + int(np.sum(p > p[truth] + atol))


@dataclass(frozen=True)
class Scored:
    """One distribution over the hypotheses, scored against the truth."""

    p: tuple[float, ...]
    p_truth: float
    brier: float
    log_loss_bits: float
    rank: int

    @classmethod
    def of(cls, p, truth: int) -> Scored:
        p = np.asarray(p, float)
        return cls(
            tuple(map(float, p)), float(p[truth]), brier(p, truth), log_loss_bits(p[truth]), rank_of_truth(p, truth)
        )


@dataclass(frozen=True)
class DatedScore:
    """The posterior as it stood once every item dated up to ``date`` was in (undated items count from the start)."""

    date: str
    items: int  # how many items were in
    scored: Scored


@dataclass(frozen=True)
class CaseScore:
    case: str  # its path
    title: str
    analyst: str  # the case's analyst (one file per analyst in a team)
    hypotheses: tuple[str, ...]
    truth: str
    posterior: Scored
    prior: Scored
    uniform: Scored
    classic_pick: tuple[str, ...]  # the least inconsistent hypotheses (several when tied)
    classic: Scored  # classic ACH's pick as a distribution: uniform over the picked
    by_date: tuple[DatedScore, ...] = ()
    judgment: Scored | None = None
    judgment_when: str | None = None

    @property
    def known_from(self) -> str | None:
        """The first evidence date from which the truth led and kept leading (None: never, or no dates)."""
        first = None
        for d in self.by_date:
            if d.scored.rank == 1:
                first = first or d.date
            else:
                first = None
        return first

    def as_json(self) -> dict:
        out = {
            "case": self.case,
            "analyst": self.analyst,
            "truth": self.truth,
            "p_truth": self.posterior.p_truth,
            "brier": self.posterior.brier,
            "log_loss_bits": self.posterior.log_loss_bits,
            "rank_of_truth": self.posterior.rank,
            **_flat("prior", self.prior),  # prior_p_truth, prior_brier, …
            **_flat("uniform", self.uniform),
            "classic_pick": list(self.classic_pick),
            **_flat("classic", self.classic),
            "by_date": [{"date": d.date, "items": d.items, **_flat("", d.scored)} for d in self.by_date],
            "known_from": self.known_from,
        }
        if self.judgment is not None:
            out["judgment"] = {**_flat("", self.judgment), "when": self.judgment_when}
        return out


def _flat(prefix: str, s: Scored) -> dict:
    """``s``'s four scores as JSON keys (``prior_brier``, …; unprefixed with ``prefix`` empty)."""
    keys = {"p_truth": s.p_truth, "brier": s.brier, "log_loss_bits": s.log_loss_bits, "rank_of_truth": s.rank}
    return {f"{prefix}_{k}" if prefix else k: v for k, v in keys.items()}


def score_case(case, truth: str | None = None) -> CaseScore:
    """Score a resolved case (``truth``: the true hypothesis's id, if not the case's own outcome).

    The posterior scored is the headline's (the case as of its ``as_of`` date):
    hindsight items are left out, as the judgment was made without them.
    """
    truth = truth or case.truth
    if truth is None:
        raise ValueError(f"{case.path}: the case is not resolved (no outcome)")
    hyps = case.hypothesis_ids
    t = hyps.index(truth)
    headline = case.headline()
    inputs = headline.inputs
    n = len(hyps)
    classic = heuer.score(headline)
    w = classic.weighted_inconsistency
    picked = np.isclose(w, w.min())
    judgment = None
    if case.judgment is not None:
        p = np.array([case.judgment.get(h, 0.0) for h in hyps])
        judgment = Scored.of(p / p.sum() if p.sum() > 0 else np.full(n, 1 / n), t)
    return CaseScore(
        case=case.path,
        title=case.title or case.name,
        analyst=case.analyst,
        hypotheses=tuple(hyps),
        truth=truth,
        posterior=Scored.of(exact.posterior(inputs), t),
        prior=Scored.of(inputs.prior, t),
        uniform=Scored.of(np.full(n, 1 / n), t),
        classic_pick=tuple(h for h, on in zip(hyps, picked) if on),
        classic=Scored.of(picked / picked.sum(), t),
        by_date=tuple(by_date(headline, t)),
        judgment=judgment,
        judgment_when=case.judgment_when,
    )


def by_date(case, t: int) -> list[DatedScore]:
    """The posterior after each distinct evidence date, scored (empty when no item is dated)."""
    dates = sorted({e.date for e in case.evidence if e.date})
    if not dates:
        return []
    out = []  # a source's items stand or fall together, so each date's posterior is computed afresh
    for date in dates:
        keep = tuple(e for e in case.evidence if not e.date or e.date <= date)
        sub = case.replace(evidence=keep, as_of=None)
        out.append(DatedScore(date, len(keep), Scored.of(exact.posterior(sub.inputs), t)))
    return out
