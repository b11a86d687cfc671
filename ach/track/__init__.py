"""Keeping score: when the truth comes out, how good were the analysis's probabilities?

:mod:`~ach.track.scores` scores one resolved case (Brier, log loss in bits,
rank of the truth, against the prior, a uniform prior and classic ACH's pick,
and as the posterior stood at each evidence date); :mod:`~ach.track.calibration`
pools many cases into a reliability diagram, the Brier decomposition and a
verdict in words; :mod:`~ach.track.practice` draws practice cases from a
stated world, with the truth in a separate key that :mod:`~ach.track.key`
reads; :mod:`~ach.track.settle` says which collection candidate would have
settled a resolved case earliest, for its post-mortem
(:mod:`ach.report.postmortem`); :mod:`~ach.track.collect` scores a set of files.
"""

from __future__ import annotations

from .calibration import Calibration, calibrate
from .scores import CaseScore, Scored, brier, log_loss_bits, rank_of_truth, score_case

__all__ = [
    "Calibration",
    "CaseScore",
    "Scored",
    "brier",
    "calibrate",
    "log_loss_bits",
    "rank_of_truth",
    "score_case",
]
