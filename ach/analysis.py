"""``analyze(case) -> Result``: the one call that runs every engine on a case.

The exact engine always runs (milliseconds); PyMC runs when sampling is asked
for. The :class:`Result` holds numbers only; plots and reports read it and
never compute a posterior themselves.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from . import __version__, collection, exact, heuer, sensitivity
from .case import Case
from .scales import icd203_term


@dataclass
class Result:
    case: Case
    posterior: np.ndarray  # (n,) exact P(H_j | E)
    item_woe: np.ndarray  # (I, n) decibans, each item alone with its source's reliability
    source_woe: np.ndarray  # (S, n) decibans, each source's items together
    item_pairwise: np.ndarray  # (I, n, n) decibans, H_a against H_b
    heuer: heuer.HeuerScores
    bayes: object | None = None  # ach.model.Sampled
    forward: object | None = None  # ach.model.Summary
    sensitivity: object | None = None  # ach.sensitivity.Sensitivity
    collection: list = field(default_factory=list)  # ach.collection.Value, best first
    hardest_pairs: list = field(default_factory=list)  # ach.collection.Pair
    settings: dict = field(default_factory=dict)
    generated: str = field(default_factory=lambda: dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"))

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
        text = f"{icd203_term(p)} ({_pct(p)}"
        interval = self.interval(hid)
        if interval:
            text += f", 90 % interval {_pct(interval[0], sign=False)}–{_pct(interval[1])}"
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
        reasons = [f"{self.leading} stays the leading hypothesis in {_pct(stability)} of draws of the inputs"]
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

    # -- output ---------------------------------------------------------------
    def to_dict(self) -> dict:
        """Every number, under the stable keys of the JSON contract (README).

        Non-finite numbers (an infinite weight of evidence from a zero
        likelihood, say) become null: strict JSON has no Infinity.
        """
        return _json_safe(self._numbers())

    def _numbers(self) -> dict:
        inp, hyps = self.inputs, self.hypotheses

        def by_h(values) -> dict:
            return {h: _num(v) for h, v in zip(hyps, values)}

        out = {
            "ach_version": __version__,
            "case": {
                "path": self.case.path,
                "sha256": self.case.sha256,
                "title": self.case.title,
                "question": self.case.question,
            },
            "hypotheses": hyps,
            "leading": self.leading,
            "bottom_line": self.bottom_line(),
            "inputs": {
                "prior": by_h(inp.prior),
                "prior_concentration": inp.prior_concentration,
                "sources": {
                    sid: {
                        "reliability": _num(inp.r[s]),
                        "concentration": _num(inp.r_kappa[s]),
                        "items": inp.items_of(s),
                    }
                    for s, sid in enumerate(inp.sources)
                },
                "evidence": {
                    eid: {
                        "source": inp.sources[inp.source_index[i]],
                        "credibility": _num(inp.k[i]),
                        "likelihood": by_h(inp.m[i]),
                        "if_false": by_h(inp.b[i]),
                        "concentration": _num(np.nanmean(inp.kappa[i]) if np.isfinite(inp.kappa[i]).any() else np.nan),
                        "concentrations": by_h(inp.kappa[i]),
                    }
                    for i, eid in enumerate(inp.items)
                },
            },
            "exact": {
                "posterior": by_h(self.posterior),
                "terms": {h: icd203_term(p) for h, p in zip(hyps, self.posterior)},
            },
            "heuer": {
                "inconsistency": by_h(self.heuer.inconsistency),
                "weighted_inconsistency": by_h(self.heuer.weighted_inconsistency),
                "ranking": self.heuer.ranking(),
                "ratings": {eid: dict(zip(hyps, row)) for eid, row in zip(inp.items, self.heuer.ratings)},
            },
            "evidence": [
                {
                    "id": eid,
                    "source": inp.sources[inp.source_index[i]],
                    "woe_db": by_h(self.item_woe[i]),
                    "pairwise_db": {a: by_h(self.item_pairwise[i, x]) for x, a in enumerate(hyps)},
                }
                for i, eid in enumerate(inp.items)
            ],
            "sources": [{"id": sid, "woe_db": by_h(self.source_woe[s])} for s, sid in enumerate(inp.sources)],
            "warnings": [d.to_dict() for d in self.case.warnings],
            "sensitivity": self.sensitivity.to_dict() if self.sensitivity is not None else None,
            "collection": {
                "candidates": [v.to_dict(hyps) for v in self.collection],
                "hardest_pairs": [
                    {
                        "a": p.a,
                        "b": p.b,
                        "mass": p.mass,
                        "evidence_db": p.evidence_db,
                        "separating_items": [{"id": i, "db": d} for i, d in p.separating_items],
                        "info_gain_of_10db_item": p.gain_from_10db,
                    }
                    for p in self.hardest_pairs
                ],
            },
            "provenance": self.provenance(),
        }
        if self.bayes is not None:
            b = self.bayes
            out["bayes"] = {
                "mean": by_h(b.summary.mean),
                "mc_se": by_h(b.mc_se),
                "hdi90": {h: [_num(lo), _num(hi)] for h, (lo, hi) in zip(hyps, b.summary.hdi90)},
                "p_leading": by_h(b.summary.p_leading),
                "r_hat_max": _num(b.r_hat_max),
                "ess_bulk_min": _num(b.ess_bulk_min),
                "ess_tail_min": _num(b.ess_tail_min),
                "divergences": b.divergences,
                "healthy": b.healthy,
                "problems": b.problems(),
                "chains": b.chains,
                "draws": b.draws,
                "tune": b.tune,
                "strata": dict(zip(b.strata, map(_num, b.weights))),
            }
            conf, reasons = self.confidence
            out["confidence"] = {"level": conf, "reasons": reasons}
        if self.forward is not None:
            out["forward"] = {
                "hdi90": {h: [_num(lo), _num(hi)] for h, (lo, hi) in zip(hyps, self.forward.hdi90)},
                "p_leading": by_h(self.forward.p_leading),
                "draws": len(self.forward.samples),
            }
        return out

    def provenance(self) -> dict:
        info = {
            "ach_version": __version__,
            "case_path": self.case.path,
            "case_sha256": self.case.sha256,
            "generated": self.generated,
            **self.settings,
        }
        if self.bayes is not None:
            import arviz
            import pymc

            info.update(
                pymc_version=pymc.__version__,
                arviz_version=arviz.__version__,
                sampler="NUTS, stratified on the hypothesis",
            )
        return info

    def report(self):
        """The finished assessment (Markdown / HTML) built from this result."""
        from .report import Report

        return Report(self)

    def _repr_html_(self) -> str:
        return self.report().summary_html()

    def __repr__(self) -> str:
        rows = ", ".join(f"{h} {p:.3f}" for h, p in zip(self.hypotheses, self.posterior))
        return f"<Result {self.case.name}: {rows}>"


def analyze(
    case: Case | str | Path,
    *,
    sample: bool = True,
    draws: int = 1000,
    tune: int = 1000,
    chains: int = 4,
    seed: int = 20191227,
    progress: bool = True,
) -> Result:
    """Exact posterior, weights of evidence and classic scores; with ``sample``,
    also the stratified NUTS posterior and the forward input-uncertainty draws."""
    if not isinstance(case, Case):
        from .loader import load

        case = load(case)
    inp = case.inputs
    log_item = exact.item_log_likelihood(inp)
    log_source = exact.log_likelihoods(inp)
    result = Result(
        case=case,
        posterior=exact.posterior(inp),
        item_woe=exact.weight_of_evidence(log_item, inp.prior),
        source_woe=exact.weight_of_evidence(log_source, inp.prior),
        item_pairwise=exact.pairwise_db(log_item),
        heuer=heuer.score(case),
        settings={"seed": seed, "sampled": sample},
    )
    result.sensitivity = sensitivity.analyse(case)
    result.collection = collection.rank(case, result.posterior)
    result.hardest_pairs = collection.hardest_pairs(result)
    if sample:
        from . import model

        cache = model.configure_cache()
        if progress:
            from .progress import say

            say(
                f"PyMC: compiling the model (C code cached in {cache}; the first run takes a minute, later runs seconds)"
            )
        result.forward, _ = model.sample_forward(inp, draws=draws * chains, seed=seed + 1)
        result.bayes = model.sample_stratified(inp, draws=draws, tune=tune, chains=chains, seed=seed, progress=progress)
        result.settings.update(draws=draws, tune=tune, chains=chains, compile_cache=str(cache))
    return result


def _json_safe(obj):
    if isinstance(obj, dict):
        return {k: _json_safe(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_json_safe(v) for v in obj]
    if isinstance(obj, (float, np.floating)):
        return float(obj) if np.isfinite(obj) else None
    if isinstance(obj, np.integer):
        return int(obj)
    return obj


def _num(x) -> float | None:
    """A JSON-safe number: NaN and ±inf (a zero likelihood's weight) become null."""
    x = float(x)
    return round(x, 10) if np.isfinite(x) else None


def _pct(p: float, sign: bool = True) -> str:
    """Percent with as many digits as the number needs: 72 %, 0.4 %, <0.1 %, 0 %."""
    v = 100 * p
    if v in (0.0, 100.0) or 1 <= v <= 99:
        text = f"{v:.0f}"
    elif v < 0.1:
        text = "<0.1"
    elif v > 99.9:
        text = ">99.9"
    else:
        text = f"{v:.1f}"
    return f"{text} %" if sign else text
