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


def entropy_bits(p: np.ndarray) -> np.ndarray:
    """Shannon entropy (bits) over the last axis; 0·log 0 = 0."""
    p = np.asarray(p, float)
    with np.errstate(divide="ignore", invalid="ignore"):
        return -np.sum(np.where(p > 0, p * np.log2(p), 0.0), axis=-1)


@dataclass
class Value:
    """The worth of looking for one candidate observation."""

    id: str
    text: str
    p_seen: float
    if_seen: np.ndarray  # (n,) posterior if it is observed
    if_not: np.ndarray  # (n,) posterior if it is looked for and not observed
    info_gain: float  # bits, expected
    probability_gain: float  # expected rise in the probability of the best answer

    def to_dict(self, hypotheses) -> dict:
        return {
            "id": self.id,
            "p_observed": self.p_seen,
            "posterior_if_observed": dict(zip(hypotheses, map(float, self.if_seen))),
            "posterior_if_not": dict(zip(hypotheses, map(float, self.if_not))),
            "info_gain_bits": self.info_gain,
            "probability_gain": self.probability_gain,
        }


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


def rank(case, posterior: np.ndarray) -> list[Value]:
    """Every candidate of the case, most informative first."""
    if not case.collection:
        return []
    hyps = case.hypothesis_ids
    rows = []
    for c in case.collection:
        m = np.array([c.likelihood[h].mean for h in hyps])
        k = c.credibility.mean
        rows.append(k * m + (1 - k) * m.mean())
    p, seen, not_seen, gain, pgain = value(posterior, np.array(rows))
    out = [
        Value(c.id, c.text, float(p[i]), seen[i], not_seen[i], float(gain[i]), float(pgain[i]))
        for i, c in enumerate(case.collection)
    ]
    return sorted(out, key=lambda v: -v.info_gain)


@dataclass
class Pair:
    """Two live hypotheses the evidence so far does not tell apart."""

    a: str
    b: str
    mass: float  # P(a) + P(b)
    evidence_db: float  # what all the evidence says, a against b (decibans)
    separating_items: list[tuple[str, float]] = field(default_factory=list)  # (item, dB a vs b)
    gain_from_10db: float = 0.0  # info gain (bits) of an item 10x more expected under a than b


def hardest_pairs(result, top: int = 3) -> list[Pair]:
    """The pairs of hypotheses that hold most probability yet are closest in
    evidence: what a new item would most usefully separate."""
    post, prior, hyps = result.posterior, result.inputs.prior, result.hypotheses
    pairs = []
    for a in range(len(hyps)):
        for b in range(a + 1, len(hyps)):
            if post[a] <= 0 or post[b] <= 0:
                continue
            db = 10 * np.log10((post[a] / post[b]) / (prior[a] / prior[b]))
            pairwise = result.item_pairwise[:, a, b]
            strongest = np.argsort(-np.abs(pairwise))[:3]
            items = [(result.inputs.items[i], float(pairwise[i])) for i in strongest if abs(pairwise[i]) > 0.05]
            probe = np.full(len(hyps), 0.5)
            probe[a], probe[b] = 0.8, 0.08
            gain = float(value(post, probe)[3])
            pairs.append(Pair(hyps[a], hyps[b], float(post[a] + post[b]), float(db), items, gain))
    pairs.sort(key=lambda p: -min(post[hyps.index(p.a)], post[hyps.index(p.b)]))
    return pairs[:top]
