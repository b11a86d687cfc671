"""What to collect next (Heuer's step 8): the value of a candidate observation.

A candidate is an observation not yet made ("the US releases its intercepts"),
rated like an evidence item. If made, it would be seen with probability
``P(seen | H_j) = k·m_j + (1 − k)·b`` under each hypothesis; its value is the
expected reduction in the entropy of the posterior (bits) and the expected
gain in the probability of the leading answer. Both are never negative.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .exact import item_probability

__all__ = ["CandidateValue", "HypothesisPair", "entropy_bits", "hardest_pairs", "rank", "value"]


def entropy_bits(p: np.ndarray) -> np.ndarray:
    """Shannon entropy (bits) over the last axis; 0·log 0 = 0."""
    p = np.asarray(p, float)
    with np.errstate(divide="ignore", invalid="ignore"):
        return -np.sum(np.where(p > 0, p * np.log2(p), 0.0), axis=-1)


@dataclass
class CandidateValue:
    """The worth of looking for one candidate observation."""

    id: str
    text: str
    p_seen: float
    if_seen: np.ndarray  # (n,) posterior if it is observed
    if_not: np.ndarray  # (n,) posterior if it is looked for and not observed
    info_gain: float  # bits, expected
    probability_gain: float  # expected rise in the probability of the best answer
    leader_if_seen: str  # the hypothesis that would lead if it is observed
    leader_if_not: str  # ... if it is not


def value(posterior: np.ndarray, seen: np.ndarray) -> tuple:
    """(p_seen, if_seen, if_not, info gain, probability gain) for likelihoods
    ``seen`` (…, n) of an observation under each hypothesis."""
    seen = np.clip(np.asarray(seen, float), 0.0, 1.0)
    p_seen = np.sum(posterior * seen, axis=-1)
    with np.errstate(invalid="ignore", divide="ignore"):
        if_seen = np.nan_to_num(posterior * seen / p_seen[..., None], nan=0.0)
        if_not = np.nan_to_num(posterior * (1 - seen) / (1 - p_seen)[..., None], nan=0.0)
    expected_h = p_seen * entropy_bits(if_seen) + (1 - p_seen) * entropy_bits(if_not)
    gain = np.maximum(entropy_bits(posterior) - expected_h, 0.0)  # >= 0 up to rounding
    best = p_seen * if_seen.max(axis=-1) + (1 - p_seen) * if_not.max(axis=-1)
    return p_seen, if_seen, if_not, gain, np.maximum(best - posterior.max(), 0.0)


def rank(case, posterior: np.ndarray) -> list[CandidateValue]:
    """Every candidate of the case, most informative first.

    A candidate is rated like an item with its own source fully reliable and
    ``if_false`` the mean of its likelihoods, so ``P(seen | H_j)`` is
    :func:`ach.exact.item_probability`."""
    if not case.collection:
        return []
    hyps = case.hypothesis_ids
    m = np.array([[c.likelihood[h].mean for h in hyps] for c in case.collection])
    k = np.array([c.credibility.mean for c in case.collection])[:, None]
    p, seen, not_seen, gain, pgain = value(posterior, item_probability(k, m, m.mean(axis=1, keepdims=True)))
    out = [
        CandidateValue(
            c.id,
            c.text,
            float(p[i]),
            seen[i],
            not_seen[i],
            float(gain[i]),
            float(pgain[i]),
            hyps[int(np.argmax(seen[i]))],
            hyps[int(np.argmax(not_seen[i]))],
        )
        for i, c in enumerate(case.collection)
    ]
    return sorted(out, key=lambda v: -v.info_gain)


@dataclass
class HypothesisPair:
    """Two live hypotheses the evidence so far does not tell apart."""

    a: str
    b: str
    mass: float  # P(a) + P(b)
    evidence_db: float  # what all the evidence says, a against b (decibans)
    separating_items: list[tuple[str, float]] = field(default_factory=list)  # (item, dB a vs b)
    gain_from_10db: float = 0.0  # info gain (bits) of an item 10x more expected under a than b


def hardest_pairs(
    posterior: np.ndarray,
    prior: np.ndarray,
    item_pairwise: np.ndarray,
    hypotheses: list[str],
    items: list[str],
    top: int = 3,
) -> list[HypothesisPair]:
    """The pairs of hypotheses that hold most probability yet are closest in
    evidence: what a new item would most usefully separate.

    ``item_pairwise``: (I, n, n) decibans of each item, H_a against H_b."""
    pairs = []
    for a in range(len(hypotheses)):
        for b in range(a + 1, len(hypotheses)):
            if posterior[a] <= 0 or posterior[b] <= 0:
                continue
            db = 10 * np.log10((posterior[a] / posterior[b]) / (prior[a] / prior[b]))
            pairwise = item_pairwise[:, a, b]
            strongest = np.argsort(-np.abs(pairwise))[:3]
            separating = [(items[i], float(pairwise[i])) for i in strongest if abs(pairwise[i]) > 0.05]
            probe = np.full(len(hypotheses), 0.5)
            probe[a], probe[b] = 0.8, 0.08
            gain = float(value(posterior, probe)[3])
            pairs.append(
                HypothesisPair(
                    hypotheses[a], hypotheses[b], float(posterior[a] + posterior[b]), float(db), separating, gain
                )
            )
    pairs.sort(key=lambda p: -min(posterior[hypotheses.index(p.a)], posterior[hypotheses.index(p.b)]))
    return pairs[:top]
