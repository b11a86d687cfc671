"""Scoring a set of case files: which are resolved, each one's scores, and the summary.

:func:`score_paths` reads files and folders (a folder: its ``*.yaml`` files,
not its subfolders, so a practice key under ``key/`` is never taken for a
case), takes the truth from each case's ``outcome`` or else from a practice
key (:mod:`~ach.track.key`), and scores the resolved cases. Every unreadable
case and every wrong key entry is a located problem; they are all raised
together as one CaseError.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..casefile import check
from ..errors import CaseError, errors_of
from .calibration import Calibration, calibrate
from .key import key_truth, read_key
from .scores import CaseScore, score_case

__all__ = ["ScoreSet", "case_paths", "score_paths"]


@dataclass(frozen=True)
class ScoreSet:
    scores: tuple[CaseScore, ...]
    unresolved: tuple[str, ...]  # paths of the cases with no known truth
    calibration: Calibration

    def summary(self) -> dict:
        n = len(self.scores)

        def mean(f):
            return float(np.mean([f(s) for s in self.scores])) if n else None

        judged = [s for s in self.scores if s.judgment is not None]
        out = {
            "n": n,
            "brier": mean(lambda s: s.posterior.brier),
            "log_loss_bits": mean(lambda s: s.posterior.log_loss_bits),
            "prior_brier": mean(lambda s: s.prior.brier),
            "uniform_brier": mean(lambda s: s.uniform.brier),
            "classic_brier": mean(lambda s: s.classic.brier),
            "prior_log_loss_bits": mean(lambda s: s.prior.log_loss_bits),
            "uniform_log_loss_bits": mean(lambda s: s.uniform.log_loss_bits),
            "classic_log_loss_bits": mean(lambda s: s.classic.log_loss_bits),
            "truth_ranked_first": sum(s.posterior.rank == 1 for s in self.scores),
            "prior_ranked_first": sum(s.prior.rank == 1 for s in self.scores),
            "classic_picked_truth": sum(s.truth in s.classic_pick for s in self.scores),
            "calibration": self.calibration.as_json(),
            "decomposition": self.calibration.decomposition() if n else None,
            "verdict": self.calibration.verdict,
        }
        if judged:
            out["judgment"] = {
                "n": len(judged),
                "brier": float(np.mean([s.judgment.brier for s in judged])),
                "log_loss_bits": float(np.mean([s.judgment.log_loss_bits for s in judged])),
                "posterior_brier": float(np.mean([s.posterior.brier for s in judged])),
            }
        return out

    def as_json(self) -> dict:
        return {
            "cases": [s.as_json() for s in self.scores],
            "unresolved": list(self.unresolved),
            "summary": self.summary(),
        }


def case_paths(paths) -> list[Path]:
    """The case files named: files as given, a folder's ``*.yaml``/``*.yml`` files in name order."""
    out = []
    for p in map(Path, paths):
        if p.is_dir():
            out += sorted(q for q in p.iterdir() if q.suffix in (".yaml", ".yml") and q.is_file())
        else:
            out.append(p)
    return out


def score_paths(paths, key=None) -> ScoreSet:
    """Score every resolved case among ``paths``; raise CaseError with every problem found."""
    read, problems = read_key(key) if key is not None else (None, [])
    files = case_paths(paths)
    scores, unresolved = [], []
    for path in files:
        case, diagnostics = check(path)
        if case is None:
            problems += errors_of(diagnostics)
            continue
        truth, problem = key_truth(case, read) if read is not None else (case.truth, None)
        if problem is not None:
            problems.append(problem)
            continue
        if truth is None:
            unresolved.append(str(path))
            continue
        scores.append(score_case(case, truth))
    if problems:
        raise CaseError(problems)
    cal = calibrate([s.posterior.p for s in scores], [s.hypotheses.index(s.truth) for s in scores])
    return ScoreSet(tuple(scores), tuple(unresolved), cal)
