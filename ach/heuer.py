"""Classic ACH scoring (Heuer; PARC ACH 2.x): counting inconsistencies.

Shown beside the Bayesian result for comparison and teaching. Only evidence
*against* a hypothesis counts (I = 1, II = 2), so an item consistent with
everything scores zero everywhere, just as it carries no weight in Bayes.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .scales import HEUER_WEIGHTS, NA, heuer_level

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


def classic_ratings(case) -> list[list[str]]:
    """Every cell as a classic rating: kept if written as one (or NA), else the
    rating nearest to its likelihood in log-odds (as Scale.to_rating does)."""
    names = list(case.scale.rating_map)
    centres = _logit(np.array([case.scale.rating_map[r] for r in names]))
    m = np.clip(case.inputs.m, 1e-6, 1 - 1e-6)
    nearest = np.argmin(np.abs(_logit(m)[..., None] - centres), axis=-1)
    hyps = case.hypothesis_ids
    out = []
    for i, e in enumerate(case.evidence):
        row = []
        for j, h in enumerate(hyps):
            cell = e.likelihood[h]
            row.append(
                NA if cell is None else cell.label if cell.label in case.scale.rating_map else names[nearest[i, j]]
            )
        out.append(row)
    return out


def _logit(p):
    return np.log(p / (1 - p))


def score(case) -> HeuerScores:
    hyps = case.hypothesis_ids
    ratings = classic_ratings(case)
    points = np.array([[INCONSISTENCY.get(r, 0.0) for r in row] for row in ratings]).reshape(-1, len(hyps))
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
