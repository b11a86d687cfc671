"""Analysts' holistic judgments beside their matrices: coherentize, then aggregate (MODEL.md §8).

Mandel, D. R., Karvetski, C. W. & Dhami, M. K. (2018). Boosting intelligence
analysts' judgment accuracy: What works, what fails? *Judgment and Decision
Making* 13(6), 607–621. Analysts' probabilities for mutually exclusive and
exhaustive hypotheses were made coherent (normalised to sum to 1) and then
averaged across analysts; that cut the mean absolute error by 61 %.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["Coherence", "coherence"]


@dataclass(frozen=True)
class Coherence:
    judges: list[str]  # analysts who gave a judgment, in analyst order
    judgment: dict[str, dict[str, float]]  # as written
    coherentized: dict[str, dict[str, float]]  # normalised to sum to 1
    matrix_gap: dict[str, float]  # mean absolute difference from the analyst's own matrix posterior
    team: dict[str, float] | None  # the mean of the coherentized judgments

    def to_dict(self) -> dict:
        return {
            "judges": self.judges,
            "judgment": self.judgment,
            "coherentized": self.coherentized,
            "matrix_gap": self.matrix_gap,
            "team": self.team,
            "method": "coherentize (normalise to sum 1), then average: Mandel, Karvetski & Dhami (2018)",
        }


def coherence(team, posteriors: np.ndarray) -> Coherence:
    hyps = team.hypotheses
    judges, written, coherent, gap = [], {}, {}, {}
    for a, judgment in enumerate(team.judgments):  # as written: coherentizing is the method's first step
        if not judgment:
            continue
        name = team.analysts[a]
        p = np.array([float(judgment.get(h, 0.0)) for h in hyps])
        judges.append(name)
        written[name] = dict(zip(hyps, map(float, p)))
        q = p / p.sum()
        coherent[name] = dict(zip(hyps, map(float, q)))
        gap[name] = float(np.abs(q - posteriors[a]).mean())
    team_judgment = None
    if judges:
        mean = np.mean([[coherent[n][h] for h in hyps] for n in judges], axis=0)
        team_judgment = dict(zip(hyps, map(float, mean)))
    return Coherence(judges, written, coherent, gap, team_judgment)
