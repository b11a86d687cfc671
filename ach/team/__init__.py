"""Team ACH: several analysts' matrices of one question, pooled (docs/MODEL.md §8).

One concept per module: :mod:`.align` (the files, aligned on the team's
items), :mod:`.pools` (linear and logarithmic pools), :mod:`.model` (the
hierarchical PyMC model on the logit scale), :mod:`.pooled` (the team's
inputs and posterior), :mod:`.disagreement`, :mod:`.coherence`,
:mod:`.serialize`, :mod:`.result` (the one call) and :mod:`.report`.
"""

from __future__ import annotations

from .align import Team, align, load_team
from .result import TeamResult, analyze_team

__all__ = ["Team", "TeamResult", "align", "analyze_team", "load_team"]
