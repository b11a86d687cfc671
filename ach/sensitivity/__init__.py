"""How sensitive is the conclusion? (Heuer's step 6; MODEL.md §5.)

Every computation here edits the exact posterior in closed form instead of
re-running anything: the posterior is a sum of per-source terms, and a
source's term is built from per-item terms, so removing an item, swinging an
input or sweeping a reliability only touches one source's term. All of it is
vectorised over items, hypotheses and grid points.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .decomposition import Decomposition, leader_segments, leaders
from .removal import LeaveOneOut, leave_one_out
from .sweeps import Curve, Timeline, credibility_sweep, reliability_sweep, timeline
from .thresholds import PriorThreshold, Threshold, item_thresholds, prior_threshold
from .tornado import Q, Swing, Swings, tornado

__all__ = [
    "Curve",
    "Decomposition",
    "LeaveOneOut",
    "PriorThreshold",
    "Q",
    "Sensitivity",
    "Swing",
    "Swings",
    "Threshold",
    "Timeline",
    "credibility_sweep",
    "item_thresholds",
    "leader_segments",
    "leaders",
    "leave_one_out",
    "prior_threshold",
    "reliability_sweep",
    "timeline",
    "tornado",
]


@dataclass
class Sensitivity:
    """All of the above for one case, as the report and the JSON show it."""

    hypotheses: list[str]
    items: list[str]
    sources: list[str]
    loo: LeaveOneOut
    tornado: Swings  # a sequence of Swing, longest first
    thresholds: list[Threshold]
    prior: PriorThreshold | None
    sweeps: dict[str, Curve]  # source id -> its reliability from 0 to 1
    deception: dict[str, Curve]  # item id -> its credibility from 0 to 1
    timeline: Timeline

    @classmethod
    def of(cls, case, n_sweeps: int = 3, timeline_case=None) -> Sensitivity:
        """Every sensitivity computation for a case (milliseconds, exact engine only).

        ``timeline_case``: the case whose items the timeline runs over, when it
        differs (the whole file, hindsight included, for a case seen as of a date)."""
        inputs = case.inputs
        parts = Decomposition.of(inputs)
        loo = leave_one_out(inputs, parts)
        moved = np.abs(loo.sources - parts.posterior).max(axis=1)
        top_sources = [int(s) for s in np.argsort(-moved)[:n_sweeps] if moved[s] > 0]
        deceptive = [i for i, e in enumerate(case.evidence) if isinstance(e.if_false, dict)]
        return cls(
            hypotheses=inputs.hypotheses,
            items=inputs.items,
            sources=inputs.sources,
            loo=loo,
            tornado=tornado(inputs, parts),
            thresholds=item_thresholds(inputs, parts),
            prior=prior_threshold(inputs, parts),
            sweeps={inputs.sources[s]: reliability_sweep(inputs, s, parts=parts) for s in top_sources},
            deception={inputs.items[i]: credibility_sweep(inputs, i, parts=parts) for i in deceptive},
            timeline=timeline(timeline_case.inputs, [e.date for e in timeline_case.evidence])
            if timeline_case is not None and timeline_case is not case
            else timeline(inputs, [e.date for e in case.evidence], parts),
        )
