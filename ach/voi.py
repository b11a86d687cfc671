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

from .exact import item_probability, pairwise_db, top

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
    leader_if_seen: str | None  # the hypothesis that would lead if it is observed (None: a tie)
    leader_if_not: str | None  # ... if it is not


def value(posterior: np.ndarray, seen: np.ndarray) -> tuple:
    """(p_seen, if_seen, if_not, info gain, probability gain) for likelihoods
    ``seen`` (…, n) of an observation under each hypothesis.

    Both outcomes' probabilities are summed from their own terms (not one as
    1 minus the other), so a near-certain outcome leaves the other with an
    exact, never negative, weight; an impossible outcome's posterior is the
    current one (it carries no weight either way)."""
    seen = np.clip(np.asarray(seen, float), 0.0, 1.0)
    joint_seen, joint_not = posterior * seen, posterior * (1 - seen)
    p_seen, p_not = joint_seen.sum(axis=-1), joint_not.sum(axis=-1)
    with np.errstate(invalid="ignore", divide="ignore"):
        if_seen = np.where(p_seen[..., None] > 0, joint_seen / p_seen[..., None], posterior)
        if_not = np.where(p_not[..., None] > 0, joint_not / p_not[..., None], posterior)
    expected_h = p_seen * entropy_bits(if_seen) + p_not * entropy_bits(if_not)
    gain = np.maximum(entropy_bits(posterior) - expected_h, 0.0)  # >= 0 up to rounding
    best = p_seen * if_seen.max(axis=-1) + p_not * if_not.max(axis=-1)
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
            _leader(seen[i], hyps),
            _leader(not_seen[i], hyps),
        )
        for i, c in enumerate(case.collection)
    ]
    return sorted(out, key=lambda v: -v.info_gain)


def _leader(posterior: np.ndarray, hypotheses: list[str]) -> str | None:
    best = top(posterior)
    return hypotheses[int(best[0])] if len(best) == 1 else None


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
    item_log_likelihood: np.ndarray,
    hypotheses: list[str],
    items: list[str],
    top: int = 3,
) -> list[HypothesisPair]:
    """The pairs of hypotheses that hold most probability yet are closest in
    evidence: what a new item would most usefully separate.

    ``item_log_likelihood``: (I, n) ``log P(E_i | H_j)`` of each item alone."""
    n = len(hypotheses)
    live = [(a, b) for a in range(n) for b in range(a + 1, n) if posterior[a] > 0 and posterior[b] > 0]
    live.sort(key=lambda ab: -min(posterior[ab[0]], posterior[ab[1]]))  # stable: ties in the order of the pairs
    pairs = []
    for a, b in live[:top]:  # only the pairs reported are taken apart (1,225 pairs at 50 hypotheses)
        db = 10 * np.log10((posterior[a] / posterior[b]) / (prior[a] / prior[b]))
        pairwise = pairwise_db(item_log_likelihood[:, [a, b]])[:, 0, 1]  # this pair only: not n² per item
        strongest = np.argsort(-np.abs(pairwise))[:3]
        separating = [(items[i], float(pairwise[i])) for i in strongest if abs(pairwise[i]) > 0.05]
        probe = np.full(n, 0.5)
        probe[a], probe[b] = 0.8, 0.08
        gain = float(value(posterior, probe)[3])
        pairs.append(
            HypothesisPair(
                hypotheses[a], hypotheses[b], float(posterior[a] + posterior[b]), float(db), separating, gain
            )
        )
    return pairs
