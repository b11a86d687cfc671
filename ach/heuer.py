"""Classic ACH scoring (Heuer; PARC ACH 2.x): counting inconsistencies.

Shown beside the Bayesian result for comparison and teaching. Only evidence
*against* a hypothesis counts (I = 1, II = 2), so an item consistent with
everything scores zero everywhere, just as it carries no weight in Bayes.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .scales import HEUER_WEIGHTS, NA, heuer_level, nearest_rating

__all__ = ["INCONSISTENCY", "HeuerScores", "RankingAgreement", "classic_ratings", "score"]

INCONSISTENCY = {"I": 1.0, "II": 2.0}


@dataclass(frozen=True)
class HeuerScores:
    hypotheses: list[str]
    ratings: list[list[str]]  # (I, n) the classic rating of each cell
    inconsistency: np.ndarray  # (n,)
    weighted_inconsistency: np.ndarray  # (n,)
    weights: np.ndarray  # (I,) credibility x relevance weight of each item
    diagnostic: np.ndarray  # (I,) bool: ratings differ across hypotheses

    def ranking(self) -> list[str]:
        """Least inconsistent first (Heuer: the hypothesis with least against it)."""
        return [self.hypotheses[j] for j in np.argsort(self.weighted_inconsistency, kind="stable")]

    def ranks(self) -> tuple[np.ndarray, np.ndarray]:
        """(rank, tied) of each hypothesis: 1 for the least inconsistent, equal scores sharing a rank."""
        w = self.weighted_inconsistency
        rank = 1 + np.array([int(np.sum(w < w[j] - 1e-9)) for j in range(len(w))], int)
        tied = np.array([int(np.sum(np.isclose(w, w[j]))) > 1 for j in range(len(w))], bool)
        return rank, tied

    def compare(self, bayes_order: list[int]) -> RankingAgreement:
        """How classic ACH's ranking compares with the Bayesian order (most probable first)."""
        w = self.weighted_inconsistency
        lead = bayes_order[0]
        best = [j for j in range(len(w)) if np.isclose(w[j], w.min())]
        best_ids = [self.hypotheses[j] for j in sorted(best, key=bayes_order.index)]
        if best == [lead]:
            strict = [int(j) for j in np.argsort(w, kind="stable")]
            same = strict == list(bayes_order) and len(set(np.round(w, 9))) == len(w)
            return RankingAgreement("agree" if same else "same-leader", best_ids)
        return RankingAgreement("classic-tied" if lead in best else "disagree", best_ids)


@dataclass(frozen=True)
class RankingAgreement:
    """Classic ACH against Bayes, in one word: ``agree`` (same order throughout),
    ``same-leader`` (same first, the rest differ), ``classic-tied`` (classic ACH
    cannot separate the Bayesian leader from others) or ``disagree``."""

    verdict: str
    classic_best: list[str]  # the least inconsistent hypotheses (several when tied), in Bayesian order


def classic_ratings(case) -> list[list[str]]:
    """Every cell as a classic rating: kept if written as one (or NA), else the
    rating nearest to its likelihood in log-odds (:func:`ach.scales.nearest_rating`)."""
    ratings = case.scale.rating_map
    nearest = nearest_rating(case.inputs.m, ratings).tolist()
    hyps = case.hypothesis_ids
    out = []
    for e, near in zip(case.evidence, nearest):
        cells = map(e.likelihood.__getitem__, hyps)
        out.append([NA if c is None else c.label if c.label in ratings else x for c, x in zip(cells, near)])
    return out


def score(case) -> HeuerScores:
    hyps = case.hypothesis_ids
    ratings = classic_ratings(case)
    point = INCONSISTENCY.get
    points = np.array([[point(r, 0.0) for r in row] for row in ratings], float).reshape(-1, len(hyps))
    weights = np.array(
        [HEUER_WEIGHTS[heuer_level(e.credibility.mean)] * HEUER_WEIGHTS[e.relevance] for e in case.evidence]
    )
    diagnostic = np.array([len({r for r in row if r != NA}) > 1 for row in ratings], bool)
    return HeuerScores(
        hypotheses=hyps,
        ratings=ratings,
        inconsistency=points.sum(axis=0),
        weighted_inconsistency=(points * weights[:, None]).sum(axis=0),
        weights=weights,
        diagnostic=diagnostic,
    )
