"""The :class:`Result` of analysing a case: every number, every verdict, computed once.

A ``Result`` is built by :func:`ach.analysis.analyze` and never changed after.
It holds the engines' outputs and the tables and verdicts derived from them
(which items moved the result most, which removals change the leader, whether
the sampled mean agrees with the exact posterior), so that the JSON, the
report, the figures and the command line all state the same findings: they
only select and format what is here.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass, field

import numpy as np

from . import __version__
from .case import Case
from .formatting import pct
from .heuer import HeuerScores, RankingAgreement
from .model import Agreement, DrawSummary, StratifiedPosterior
from .scales import icd203_term
from .sensitivity import Sensitivity
from .serialize import result_to_dict
from .voi import CandidateValue, HypothesisPair

__all__ = ["LooRow", "Result", "Settings", "generated_stamp"]


@dataclass(frozen=True)
class Settings:
    """How the result was computed: enough to compute it again."""

    seed: int
    sampled: bool
    draws: int | None = None
    tune: int | None = None
    chains: int | None = None
    compile_cache: str | None = None

    def to_dict(self) -> dict:
        return {k: v for k, v in self.__dict__.items() if v is not None}


@dataclass(frozen=True)
class LooRow:
    """One row of the leave-one-out table: an item or a source taken out alone."""

    kind: str  # "item" or "source"
    index: int  # into the case's evidence or sources
    id: str
    p: float  # the leader's probability without it
    change: float  # p minus the exact posterior of the leader
    leader: str  # the hypothesis that leads without it
    leader_p: float
    linchpin: bool  # the leader changes without it


def generated_stamp() -> str | None:
    """When the result was made, if the environment asks for a stamp.

    ``SOURCE_DATE_EPOCH`` (the reproducible-builds convention) sets it; without
    it there is none, so the same case, seed and version give the same bytes.
    """
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if not epoch:
        return None
    return dt.datetime.fromtimestamp(int(epoch), dt.UTC).strftime("%Y-%m-%d %H:%M UTC")


@dataclass(frozen=True, eq=False)
class Result:
    case: Case
    posterior: np.ndarray  # (n,) exact P(H_j | E)
    item_woe: np.ndarray  # (I, n) decibans, each item alone with its source's reliability
    source_woe: np.ndarray  # (S, n) decibans, each source's items together
    item_pairwise: np.ndarray  # (I, n, n) decibans, H_a against H_b
    heuer: HeuerScores
    sensitivity: Sensitivity
    settings: Settings
    collection: list[CandidateValue] = field(default_factory=list)  # best first
    hardest_pairs: list[HypothesisPair] = field(default_factory=list)
    bayes: StratifiedPosterior | None = None  # the stratified posterior of the inputs (MODEL.md §4a)
    forward: DrawSummary | None = None  # the forward input-uncertainty draws (§4b): not a posterior
    generated: str | None = field(default_factory=generated_stamp)

    # -- reading the numbers -------------------------------------------------
    @property
    def hypotheses(self) -> list[str]:
        return self.case.hypothesis_ids

    @property
    def inputs(self):
        return self.case.inputs

    @property
    def order(self) -> np.ndarray:
        """Hypothesis indices, most probable first."""
        return np.argsort(-self.posterior, kind="stable")

    @property
    def leading(self) -> str:
        return self.hypotheses[int(self.order[0])]

    def interval(self, hid: str) -> tuple[float, float] | None:
        """The 90 % interval of the stratified posterior, when sampled."""
        if self.bayes is None:
            return None
        lo, hi = self.bayes.summary.hdi90[self.hypotheses.index(hid)]
        return float(lo), float(hi)

    def statement(self, hid: str) -> str:
        """'likely (72 %, 90 % interval 58–83 %)': ICD 203 term, number, interval."""
        p = float(self.posterior[self.hypotheses.index(hid)])
        text = f"{icd203_term(p)} ({pct(p)}"
        interval = self.interval(hid)
        if interval:
            text += f", 90 % interval {pct(interval[0], sign=False)}–{pct(interval[1])}"
        return text + ")"

    @property
    def confidence(self) -> tuple[str, list[str]]:
        """Analytic confidence (kept apart from probability, as ICD 203 asks) and why.

        From how often the leader stays the leader when the analyst's own
        judgments are varied within their stated uncertainty (forward draws),
        lowered one step when the sampler's diagnostics fail.
        """
        if self.forward is None:
            return "not assessed", ["run with sampling to assess how robust the judgment is"]
        lead = self.hypotheses.index(self.leading)
        stability = float(self.forward.p_leading[lead])
        levels = ["low", "moderate", "high"]
        level = 2 if stability >= 0.9 else 1 if stability >= 0.67 else 0
        reasons = [f"{self.leading} stays the leading hypothesis in {pct(stability)} of draws of the inputs"]
        if self.bayes is not None and not self.bayes.healthy:
            level = max(level - 1, 0)
            reasons.append("the sampler's diagnostics failed: " + "; ".join(self.bayes.problems()))
        runner_up = self.hypotheses[int(self.order[1])]
        gap = float(self.posterior[lead] - self.posterior[self.hypotheses.index(runner_up)])
        reasons.append(f"the runner-up, {runner_up}, is {100 * gap:.0f} percentage points behind")
        n_sources = sum(1 for s in self.case.sources if not s.implicit)
        reasons.append(f"the evidence comes from {n_sources} named sources, assumed independent given the hypothesis")
        return levels[level], reasons

    def bottom_line(self) -> str:
        lead = self.leading
        title = self.case.hypothesis(lead).title
        return f"{title} ({lead}) is the leading hypothesis: {self.statement(lead)}."

    # -- verdicts --------------------------------------------------------------
    @property
    def agreement(self) -> Agreement | None:
        """Whether the sampled mean agrees with the exact posterior (sampled results only)."""
        return None if self.bayes is None else self.bayes.agreement(self.posterior, self.hypotheses)

    @property
    def ranking_agreement(self) -> RankingAgreement:
        """How classic ACH's ranking compares with the Bayesian one."""
        return self.heuer.compare([int(j) for j in self.order])

    # -- tables -----------------------------------------------------------------
    def top_items(self, k: int | None = None) -> np.ndarray:
        """Items by the size of their weight of evidence (either sign) for the leader, largest first."""
        woe = self.item_woe[:, int(self.order[0])]
        size = np.nan_to_num(np.abs(woe), nan=-1.0, posinf=np.inf)
        ranked = np.argsort(-size, kind="stable")
        return ranked if k is None else ranked[: min(k, len(woe))]

    def source_groups(self) -> list[tuple[int, list[int]]]:
        """(source index, item indices) in the case's source order, empty sources left out."""
        index = self.inputs.source_index
        return [
            (s, [int(i) for i in np.flatnonzero(index == s)])
            for s in range(len(self.inputs.sources))
            if (index == s).any()
        ]

    def loo_table(self, k: int | None = None) -> list[LooRow]:
        """Items and sources by how far removing each alone moves the leader's probability, largest first.

        With ``k``, the ``k`` largest moves, linchpins always among them."""
        s = self.sensitivity
        lead = int(self.order[0])
        p0 = float(self.posterior[lead])
        rows = []
        for kind, post, ids, leaders, pins in (
            ("item", s.loo.items, s.items, s.loo.item_leaders, set(s.loo.item_linchpins)),
            ("source", s.loo.sources, s.sources, s.loo.source_leaders, set(s.loo.source_linchpins)),
        ):
            for i, row in enumerate(post):
                new = self.hypotheses.index(leaders[i])
                rows.append(
                    LooRow(
                        kind, i, ids[i], float(row[lead]), float(row[lead]) - p0, leaders[i], float(row[new]), i in pins
                    )
                )
        rows.sort(key=lambda r: (not r.linchpin, -abs(r.change)))  # linchpins always shown
        rows = rows[:k] if k else rows
        return sorted(rows, key=lambda r: -abs(r.change))

    # -- output ---------------------------------------------------------------
    def provenance(self) -> dict:
        info = {"ach_version": __version__, "case_path": self.case.path, "case_sha256": self.case.sha256}
        if self.generated is not None:
            info["generated"] = self.generated
        info.update(self.settings.to_dict())
        if self.bayes is not None:
            import arviz
            import pymc

            info.update(
                pymc_version=pymc.__version__,
                arviz_version=arviz.__version__,
                sampler="NUTS, stratified on the hypothesis",
            )
        return info

    def to_dict(self) -> dict:
        """Every number, under the stable keys of the JSON contract (README)."""
        return result_to_dict(self)

    def report(self):
        """The finished assessment (Markdown / HTML) built from this result."""
        from .report import Report  # the one look upward: a convenience accessor, as pandas' .plot is

        return Report(self)

    def _repr_html_(self) -> str:
        return self.report().summary_html()

    def __repr__(self) -> str:
        rows = ", ".join(f"{h} {p:.3f}" for h, p in zip(self.hypotheses, self.posterior))
        return f"<Result {self.case.name}: {rows}>"
