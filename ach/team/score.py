"""A resolved team case, scored: whose judgment came closest to what happened (docs/MODEL.md §7–8).

When the analysts' files record the outcome, every distribution the team
analysis states is scored against it with the same proper scores as ``ach
score`` (:mod:`ach.track.scores`): each analyst's posterior from their own
matrix, each analyst's holistic judgment (made coherent, as ``ach score``
does), the two classic pools, the team model's pooled posterior and the
coherentized average of the judgments. The outcome is a fact, not a rating:
files that state different outcomes are an error, and a file that states
none simply has not recorded it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..errors import CaseError, Diagnostic
from ..track.scores import Scored

__all__ = ["TeamScore", "score_team", "team_truth"]


@dataclass(frozen=True)
class TeamScore:
    truth: str
    rows: tuple[tuple[str, str, Scored], ...]  # (name, kind, scored); kind: analyst, judgment, pool, team
    team_hdi90: tuple[float, float]  # the team model's 90 % interval of the truth's probability

    def to_dict(self) -> dict:
        return {
            "truth": self.truth,
            "team_model_hdi90": list(self.team_hdi90),
            "rows": [
                {
                    "name": name,
                    "kind": kind,
                    "p_truth": s.p_truth,
                    "brier": s.brier,
                    "log_loss_bits": s.log_loss_bits,
                    "rank_of_truth": s.rank,
                }
                for name, kind, s in self.rows
            ],
        }


def team_truth(team) -> str | None:
    """The outcome the analysts' files record (None: no file records one); files that differ are an error."""
    stated = {c.path: c.truth for c in team.cases if c.truth is not None}
    truths = sorted(set(stated.values()))
    if len(truths) > 1:
        raise CaseError(
            [
                Diagnostic(
                    "error",
                    f"this file records the outcome {truth}; the team's files record {' and '.join(truths)}",
                    path,
                    _line(path),
                    "outcome › hypothesis",
                    path=("outcome", "hypothesis"),
                    hint="an outcome is what happened: record the same one in every analyst's file, or in none",
                    code="team-outcome",
                )
                for path, truth in stated.items()
            ]
        )
    return truths[0] if truths else None


def score_team(result) -> TeamScore | None:
    """Score every distribution of a :class:`~ach.team.result.TeamResult` (None: the outcome is not known)."""
    team = result.team
    truth = team_truth(team)
    if truth is None:
        return None
    t = team.hypotheses.index(truth)
    rows = [(name, "analyst", Scored.of(p, t)) for name, p in zip(team.analysts, result.each)]
    coherent = result.coherence.coherentized
    rows += [(name, "judgment", Scored.of(_values(coherent[name], team), t)) for name in result.coherence.judges]
    rows += [
        ("linear pool", "pool", Scored.of(result.linear, t)),
        ("logarithmic pool", "pool", Scored.of(result.logarithmic, t)),
    ]
    rows.append(("team model", "team", Scored.of(result.pooled.posterior, t)))
    if result.coherence.team is not None:
        rows.append(("team judgment", "team", Scored.of(_values(result.coherence.team, team), t)))
    lo, hi = result.pooled.hdi90[t]
    return TeamScore(truth, tuple(rows), (float(lo), float(hi)))


def _line(path: str) -> int | None:
    """The line of the file's top-level ``outcome:`` key."""
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return None
    return next((n for n, line in enumerate(lines, 1) if re.match(r"outcome\s*:", line)), None)


def _values(by_id: dict, team) -> np.ndarray:
    return np.array([by_id[h] for h in team.hypotheses])
