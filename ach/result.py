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
from functools import cached_property

import numpy as np

from . import __version__, exact
from .case import Case
from .draws import Agreement, DrawSummary, StratifiedPosterior
from .formatting import count, join, pct, pct1
from .heuer import HeuerScores, RankingAgreement
from .scales import icd203_term
from .sensitivity import Sensitivity
from .serialize import result_to_dict
from .voi import CandidateValue, HypothesisPair

__all__ = ["Judgment", "LooRow", "Result", "Settings", "generated_stamp"]


@dataclass(frozen=True)
class Settings:
    """How the result was computed: enough to compute it again."""

    seed: int
    sampled: bool
    sampler: str | None = None  # "exact" or "nuts"
    draws: int | None = None  # in all (exact) or per chain (nuts)
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
    leader: str | None  # the hypothesis that leads without it (None: a tie)
    leader_p: float  # its probability (of each of the tied)
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


@dataclass(frozen=True)
class Judgment:
    """What the bottom line rests on (the JSON's ``judgment``)."""

    leading: str | None  # None when several hypotheses are tied at the top
    tied: list[str]  # the tied hypotheses, most probable first (empty when one leads)
    evidence_favours: str | None  # who the evidence alone favours, the prior aside
    carried_by_prior: bool  # the leader leads only on its prior
    as_of: str | None  # the date the judgment is made on
    hindsight_items: list[str]  # items dated later, left out of the headline
    with_later_reporting: dict | None  # the exact posterior with them
    unsourced_items: list[str]  # items taken as fully reliable because the case states no default


@dataclass(frozen=True, eq=False)
class Result:
    case: Case
    posterior: np.ndarray  # (n,) exact P(H_j | E)
    item_woe: np.ndarray  # (I, n) decibans, each item alone with its source's reliability
    source_woe: np.ndarray  # (S, n) decibans, each source's items together
    item_log_likelihood: np.ndarray  # (I, n) log P(E_i | H_j), each item alone with its source's reliability
    log_evidence: np.ndarray  # (n,) log P(E | H_j): the evidence alone, the prior aside
    heuer: HeuerScores
    sensitivity: Sensitivity
    settings: Settings
    collection: list[CandidateValue] = field(default_factory=list)  # best first
    hardest_pairs: list[HypothesisPair] = field(default_factory=list)
    bayes: StratifiedPosterior | None = None  # the stratified posterior of the inputs (MODEL.md §4a)
    forward: DrawSummary | None = None  # the forward input-uncertainty draws (§4b): not a posterior
    hindsight: tuple[str, ...] = ()  # items dated after the case's as_of: left out of this result
    later: Result | None = None  # the exact result with them (when there are any)
    full_case: Case | None = None  # the case as given, hindsight included (``case`` is it as of its date)
    generated: str | None = field(default_factory=generated_stamp)

    # -- reading the numbers -------------------------------------------------
    @cached_property
    def item_pairwise(self) -> np.ndarray:
        """(I, n, n) decibans of each item alone, H_a against H_b: n² numbers per item, made when asked."""
        return exact.pairwise_db(self.item_log_likelihood)

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
    def leaders(self) -> list[str]:
        """The most probable hypotheses: one, or several tied (equal to within 1e-9)."""
        return [self.hypotheses[int(j)] for j in sorted(exact.top(self.posterior), key=list(self.order).index)]

    @property
    def leading(self) -> str | None:
        """The leading hypothesis, or None when several are tied at the top."""
        leaders = self.leaders
        return leaders[0] if len(leaders) == 1 else None

    @property
    def reference(self) -> str:
        """The hypothesis the tables are read against: the leader, or the first of a tie."""
        return self.hypotheses[int(self.order[0])]

    @property
    def reference_phrase(self) -> str:
        """'the leading hypothesis (KH)', or 'KH (tied for the lead with ISIS)'."""
        if self.leading is not None:
            return f"the leading hypothesis ({self.leading})"
        return f"{self.reference} (tied for the lead with {join(self.leaders[1:])})"

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
    def unsourced(self) -> list[str]:
        """Items that name no source and are taken as fully reliable because the case states no default."""
        implicit = {s.id for s in self.case.sources if s.implicit}
        if self.case.default_reliability is not None:
            return []
        return [e.id for e in self.case.evidence if e.source in implicit]

    @property
    def evidence_favours(self) -> str | None:
        """The hypothesis the evidence alone favours (the prior aside); None when several tie."""
        best = exact.top(self.log_evidence)
        return self.hypotheses[int(best[0])] if len(best) == 1 else None

    @property
    def judgment(self) -> Judgment:
        """What the bottom line rests on, machine-readable (the JSON's ``judgment``)."""
        favours = self.evidence_favours
        return Judgment(
            leading=self.leading,
            tied=self.leaders if self.leading is None else [],
            evidence_favours=favours,
            carried_by_prior=bool(self.leading is not None and favours is not None and favours != self.leading),
            as_of=self.case.as_of,
            hindsight_items=list(self.hindsight),
            with_later_reporting=None
            if self.later is None
            else dict(zip(self.hypotheses, map(float, self.later.posterior))),
            unsourced_items=self.unsourced,
        )

    @property
    def confidence(self) -> tuple[str, list[str]]:
        """Analytic confidence (kept apart from probability, as ICD 203 asks) and why.

        From how often the leader stays the leader when the analyst's own
        judgments are varied within their stated uncertainty (forward draws),
        lowered one step when the sampler's diagnostics fail, and never high
        when the sources' independence is only assumed (items that name none).
        """
        if self.forward is None:
            return "not assessed", ["run with sampling to assess how robust the judgment is"]
        if self.leading is None:
            return "low", [f"no single hypothesis leads: {join(self.leaders)} are tied"]
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
        named = [s for s in self.case.sources if not s.implicit]
        own = len(self.case.sources) - len(named)
        if own:
            level = min(level, 1)  # independence assumed, not stated: never high
            reasons.append(
                f"{count(own, 'item')} {'names' if own == 1 else 'name'} no source, so each counts as an independent "
                "source of its own: "
                "an assumption, not a finding (at most moderate confidence)"
            )
        reasons.append(
            f"the evidence comes from {count(named, 'named source')}, assumed independent given the hypothesis"
        )
        return levels[level], reasons

    def bottom_line(self) -> str:
        """The judgment in one sentence: who leads (or who is tied), with its ICD 203 statement."""
        as_of = f"As of {self.case.as_of}, " if self.case.as_of else ""
        if self.leading is None:
            tied = [f"{self.case.hypothesis(h).title} ({h})" for h in self.leaders]
            p = float(self.posterior[self.hypotheses.index(self.leaders[0])])
            text = f"there is no single leading hypothesis: {join(tied)} are tied at {pct1(p)} each ({icd203_term(p)})."
        else:
            lead = self.leading
            text = f"{self.case.hypothesis(lead).title} ({lead}) is the leading hypothesis: {self.statement(lead)}."
        return as_of + text if as_of else text[0].upper() + text[1:]

    def qualifications(self) -> list[str]:
        """What the bottom line must be read with: the prior's role, later reporting, unsourced items."""
        out = []
        j = self.judgment
        if j.carried_by_prior:
            a, b = self.hypotheses.index(j.evidence_favours), self.hypotheses.index(j.leading)
            margin = float(exact.DB * (self.log_evidence[a] - self.log_evidence[b]))
            out.append(
                f"The evidence alone favours {j.evidence_favours} (by {margin:.1f} dB over {j.leading}); "
                f"{j.leading} leads on its prior ({pct(self.inputs.prior[b])} against {pct(self.inputs.prior[a])})."
            )
        if self.later is not None:
            later = self.later
            rows = ", ".join(f"{self.hypotheses[k]} {pct(later.posterior[k])}" for k in later.order[:3])
            lead = later.leading or "no single hypothesis"
            out.append(
                f"With the later reporting ({count(self.hindsight, 'item')} dated after {self.case.as_of}: "
                f"{join(list(self.hindsight))}), {lead} would lead: {rows}."
            )
        if self.unsourced:
            out.append(
                f"{count(self.unsourced, 'item')} of {len(self.case.evidence)} "
                f"{'names no source and is' if len(self.unsourced) == 1 else 'name no source and are'} taken as fully "
                "reliable, because the case states no default_reliability."
            )
        return out

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
        """Items by the size of their weight of evidence (either sign) for the leader, largest first;
        items that weigh the same (to 1e-9 dB, whatever the last bits of the arithmetic) keep the file's order."""
        woe = self.item_woe[:, int(self.order[0])]
        size = np.round(np.nan_to_num(np.abs(woe), nan=-1.0, posinf=np.inf), 9)
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
                rows.append(
                    LooRow(
                        kind,
                        i,
                        ids[i],
                        float(row[lead]),
                        float(row[lead]) - p0,
                        leaders[i],
                        float(row.max()),
                        i in pins,
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
            from importlib.metadata import version

            if self.bayes.sampler == "nuts":
                info.update(
                    pymc_version=version("pymc"),
                    arviz_version=version("arviz"),
                    sampler="NUTS, stratified on the hypothesis",
                )
            else:
                info.update(
                    numpy_version=version("numpy"),
                    sampler="exact independent draws, stratified on the hypothesis",
                )
        return info

    def to_dict(self, pairwise: bool = False) -> dict:
        """Every number, under the stable keys of the JSON contract (README); ``pairwise`` adds
        each item's deciban table between every two hypotheses."""
        return result_to_dict(self, pairwise)

    def report(self):
        """The finished assessment (Markdown / HTML) built from this result."""
        from .report import Report  # the one look upward: a convenience accessor, as pandas' .plot is

        return Report(self)

    def _repr_html_(self) -> str:
        return self.report().summary_html()

    def __repr__(self) -> str:
        rows = ", ".join(f"{h} {p:.3f}" for h, p in zip(self.hypotheses, self.posterior))
        return f"<Result {self.case.name}: {rows}>"
