"""Everything a report states, gathered once from a :class:`~ach.result.Result`.

:class:`Context` selects from the Result (which rows, in which order) and
formats each number for a reader; it decides nothing. The verdicts (who leads
without an item, whether the rankings agree, whether the sampler agrees with
the exact posterior) are the Result's, and the sentences are
:mod:`ach.report.narrative`'s. Every template renders this one context.
"""

from __future__ import annotations

import dataclasses
from functools import cached_property

import numpy as np

from .. import __version__, exact
from ..formatting import db, interval, join, pct, pct1, pp, pp1, short, short_title
from ..plots import FIGURES, available_figures
from ..plots.evidence import TOP_ITEMS
from ..scales import icd203_term
from . import diagnostics, narrative
from .postmortem import postmortem
from .section import entries

__all__ = ["TOP_ROWS", "Context"]

TOP_ROWS = 10  # rows of the leave-one-out and tornado tables

PROVENANCE_LABELS = {
    "ach_version": "ach version",
    "case_path": "case file",
    "case_sha256": "case file SHA-256",
    "generated": "generated",
    "seed": "random seed",
    "sampled": "sampled",
    "sampler": "sampler",
    "chains": "chains",
    "draws": "draws (in all; per chain with NUTS)",
    "tune": "tuning steps per chain",
    "pymc_version": "PyMC version",
    "arviz_version": "ArviZ version",
}
PROVENANCE_HIDDEN = {"compile_cache"}  # machine-specific, says nothing about the result

# Tints of the rating cells, the end colours of the heat map's RdBu.
SUPPORTS_RGB = (33, 102, 172)
AGAINST_RGB = (178, 24, 43)


class Context:
    """The facts of one report, formatted; ``top``: how many items "What drove the result" lists."""

    def __init__(self, result, top: int = TOP_ITEMS, sections=()):
        self.result = result
        self.top = top
        self.sections = sections
        self.order = [int(j) for j in result.order]
        self.lead = self.order[0]
        self.vmax = _finite_max(result.item_woe)

    @cached_property
    def figure_names(self) -> tuple[str, ...]:
        return available_figures(self.result)

    @cached_property
    def data(self) -> dict:
        r = self.result
        case = r.case
        hyps = r.hypotheses
        level, reasons = r.confidence
        figures = self._figure_entries()
        return {
            "case": {
                "title": case.title or case.question,
                "question": case.question,
                "description": case.description,
                "path": case.path,
                "name": case.name,
                "handling": case.handling,
                "analyst": case.analyst,
                "as_of": case.as_of or case.date,
            },
            "bottom_line": r.bottom_line(),
            "qualifications": r.qualifications(),
            "intro": {"thresholds": narrative.THRESHOLDS_INTRO, "cannot_alone": narrative.CANNOT_ALONE},
            "confidence": {"level": level, "reasons": reasons},
            "sampled": r.bayes is not None,
            "alert": None
            if r.bayes is None or r.bayes.healthy
            else {"problems": r.bayes.problems(), "text": narrative.ALERT},
            "leader": {
                "id": hyps[self.lead],
                "title": case.hypothesis(hyps[self.lead]).title,
                "tied": r.leading is None,
            },
            "hypotheses": self._hypotheses(),
            "described": any(h.description for h in case.hypotheses),
            "figures": [f for f in figures if f["main"]],
            "fig": {f["name"]: f for f in figures if not f["main"]},
            "linchpins": self._linchpins(),
            "sensitivity": self._sensitivity(),
            "change": self._change_our_mind(),
            "drivers": [self._item(i) for i in r.top_items(self.top)],
            "heuer_sentence": self._heuer_sentence(),
            "matrix": self._matrix(),
            "sources": self._sources(),
            "reports": [
                {
                    **dataclasses.asdict(rep),
                    "date": rep.date or "",
                    "link": rep.link,
                    "unlinked": "" if rep.link else rep.url,
                }
                for rep in self.result.case.reports
            ],
            "uncertainty": self._uncertainty(),
            "postmortem": postmortem(r),
            "sections": entries(self.sections, len(figures)),
            "caveats": narrative.caveats(
                catch_all=any(h.catch_all for h in case.hypotheses), forward=r.forward is not None
            ),
            "warnings": [_warning(d) for d in case.warnings],
            "acknowledged": [f"{_warning(d)} (acknowledged: {why})" for d, why in case.acknowledged],
            "provenance": self._provenance(),
            "generated": r.generated,
            "version": __version__,
        }

    # -- sections ------------------------------------------------------------------
    def _hypotheses(self) -> list[dict]:
        r = self.result
        hyps = r.hypotheses
        w = r.heuer.weighted_inconsistency
        heuer_rank, tied = r.heuer.ranks()
        rows = []
        for rank, j in enumerate(self.order, start=1):
            h = r.case.hypothesis(hyps[j])
            rows.append(
                {
                    "id": h.id,
                    "title": h.title,
                    "description": h.description,
                    "catch_all": h.catch_all,
                    "prior": pct(r.inputs.prior[j]),
                    "posterior": float(r.posterior[j]),
                    "pct": pct(r.posterior[j]),
                    "term": icd203_term(float(r.posterior[j])),
                    "statement": r.statement(h.id),
                    "interval": interval(r.bayes.summary.hdi90[j]) if r.bayes is not None else None,
                    "rank": rank,
                    "heuer_weighted": f"{w[j]:.1f}",
                    "heuer_count": f"{r.heuer.inconsistency[j]:g}",
                    "heuer_rank": f"{heuer_rank[j]}{'=' if tied[j] else ''}",
                }
            )
        return rows

    def _figure_entries(self) -> list[dict]:
        """Every figure shown, in order, each with its number, title and caption."""
        shown = [f for f in FIGURES if f.name in self.figure_names]
        return [
            {"name": f.name, "number": number, "title": f.title, "caption": f.caption(self.result), "main": f.main}
            for number, f in enumerate(shown, start=1)
        ]

    def _linchpins(self) -> dict:
        """Items and sources whose removal alone changes the leading hypothesis, in words."""
        r = self.result
        s = r.sensitivity
        hyps = r.hypotheses
        lead = self.lead
        sentences, rivals, groups = [], set(), {}

        def removing(what: str, row, new_id: str | None) -> None:
            rivals.add(new_id or "no single hypothesis")
            tied = [hyps[j] for j in exact.top(row)]
            sentences.append(narrative.removal(what, new_id, float(row.max()), hyps[lead], row[lead], tied))

        for i in s.loo.item_linchpins:
            removing(f"{s.items[i]} alone", s.loo.items[i], s.loo.item_leaders[i])
            groups.setdefault(r.case.evidence[i].source, []).append(s.items[i])
        parts = []
        for sid, ids in groups.items():
            src = r.case.source(sid)
            parts.append(join(ids) + ("" if src.implicit or not src.title else f" ({short_title(src.title)})"))
        counts = np.bincount(r.inputs.source_index, minlength=len(r.inputs.sources))
        for k in s.loo.source_linchpins:
            src = r.case.sources[k]
            name = (
                f"the source {short_title(src.title)} ({src.id})"
                if src.title and src.title != src.id
                else f"the source {src.id}"
            )
            its = "its one item" if counts[k] == 1 else f"all {counts[k]} of its items"
            removing(f"{name}, {its},", s.loo.sources[k], s.loo.source_leaders[k])
            parts.append(f"{name} as a whole")
        return {
            "summary": narrative.linchpin_summary(parts, rivals, r.leading, r.leaders),
            "sentences": sentences,
            "items": [s.items[i] for i in s.loo.item_linchpins],
            "sources": [s.sources[k] for k in s.loo.source_linchpins],
        }

    def _sensitivity(self) -> dict:
        r = self.result
        s = r.sensitivity
        hyps = r.hypotheses
        lead = self.lead
        lead_id = hyps[lead]
        counts = np.bincount(r.inputs.source_index, minlength=len(r.inputs.sources))

        loo = []
        for row in r.loo_table(TOP_ROWS):
            if row.kind == "item":
                what = r.case.evidence[row.index].text
            else:
                src = r.case.sources[row.index]
                what = f"the whole source: {src.title or src.id} ({counts[row.index]} items)"
            loo.append(
                {
                    "id": row.id,
                    "kind": row.kind,
                    "what": what,
                    "p": pct(row.p),
                    "change": db(100 * row.change, " pp"),
                    "sign": _sign(row.change * 100),
                    "leader": row.leader or "tie",
                    "linchpin": row.linchpin,
                }
            )

        tornado = []
        for w in s.tornado[:TOP_ROWS]:
            fmt = pct if w.kind == "prior" else (lambda v: f"{v:.2f}")
            tornado.append(
                {
                    "label": w.label,
                    "kind": w.kind,
                    "low": fmt(w.low),
                    "high": fmt(w.high),
                    "p_low": pct(w.p_low),
                    "p_high": pct(w.p_high),
                    "width": pp1(w.width),
                }
            )

        sweeps = []
        for sid, curve in s.sweeps.items():
            src = r.case.source(sid)
            now = float(r.inputs.r[r.inputs.sources.index(sid)])
            post = curve.posterior
            text = narrative.sweep(
                short_title(src.title or sid), sid, now, curve.segments, lead_id, post[0, lead], post[-1, lead]
            )
            sweeps.append({"id": sid, "title": src.title or sid, "now": f"{now:.2f}", "text": text})

        deception = []
        for eid, curve in s.deception.items():
            i = r.inputs.items.index(eid)
            now = float(r.inputs.k[i])
            if_false = ", ".join(f"{hyps[j]} {r.inputs.b[i, j]:.2f}" for j in self.order)
            post = curve.posterior
            sentence = narrative.deception(eid, now, if_false, curve.segments, lead_id, post[0, lead], post[-1, lead])
            deception.append(
                {
                    "id": eid,
                    "text": r.case.evidence[i].text,
                    "now": f"{now:.2f}",
                    "if_false": if_false,
                    "sentence": sentence,
                }
            )

        timeline = None
        steps = s.timeline
        if steps.dates:
            rows = [
                {
                    "date": "prior",
                    "added": "before any evidence",
                    "cells": [pct(r.inputs.prior[j]) for j in self.order],
                    "leader": steps.prior_leader or "tie",
                }
            ]
            for date, added, post, leader in zip(steps.dates, steps.added, steps.posterior, steps.leaders):
                rows.append(
                    {
                        "date": "undated items" if date == "start" else date,
                        "added": f"{len(added)} item{'s' if len(added) != 1 else ''}"
                        + (f": {', '.join(added)}" if len(added) <= 6 else ""),
                        "cells": [pct(post[j]) for j in self.order],
                        "leader": leader or "tie",
                    }
                )
            timeline = {"rows": rows, "columns": [hyps[j] for j in self.order]}

        robustness = None
        if r.bayes is not None and r.forward is not None:
            robustness = {
                "sentence": narrative.robustness(
                    lead_id,
                    r.bayes.summary.p_leading[lead],
                    r.bayes.summary.hdi90[lead],
                    r.forward.p_leading[lead],
                    r.forward.hdi90[lead],
                )
            }
        return {
            "leader": lead_id,
            "exact": pct(r.posterior[lead]),
            "loo": loo,
            "tornado": tornado,
            "n_tornado": len(s.tornado),
            "sweeps": sweeps,
            "deception": deception,
            "timeline": timeline,
            "robustness": robustness,
        }

    def _change_our_mind(self) -> dict:
        r = self.result
        s = r.sensitivity
        hyps = r.hypotheses
        lead = self.lead
        lead_id = hyps[lead]
        thresholds = []
        for t in sorted(s.thresholds, key=lambda t: (t.value_to is None, t.factor or 0.0)):
            finite = t.value_to is not None
            thresholds.append(
                {
                    "id": t.item,
                    "text": short(r.case.item(t.item).text, 70),
                    "rival": t.rival,
                    "edit": narrative.edit_words(t) if finite else "–",
                    "finite": finite,
                    "sentence": narrative.threshold(t),
                }
            )

        candidates = []
        for v in r.collection:
            candidates.append(
                {
                    "id": v.id,
                    "text": v.text,
                    "p_seen": pct(v.p_seen),
                    "if_seen": pct(v.if_seen[lead]),
                    "if_seen_note": _leads_note(v.leader_if_seen, v.if_seen, hyps, lead),
                    "if_not": pct(v.if_not[lead]),
                    "if_not_note": _leads_note(v.leader_if_not, v.if_not, hyps, lead),
                    "bits": f"{v.info_gain:.2f}" if v.info_gain >= 0.01 or v.info_gain == 0 else f"{v.info_gain:.1g}",
                    "gain": pp1(v.probability_gain),
                }
            )
        best = (
            f"Most worth collecting: {r.collection[0].id} ({r.collection[0].text.rstrip('.')}), expected to gain "
            f"{candidates[0]['bits']} bits."
            if candidates
            else None
        )
        pairs = [
            {"a": p.a, "b": p.b, "mass": pct(p.mass), "gain": f"{p.gain_from_10db:.2f}", **narrative.pair(p)}
            for p in r.hardest_pairs
        ]
        return {
            "thresholds": thresholds,
            "closest": [t["sentence"] for t in thresholds if t["finite"]][:3],
            "n_cannot": sum(1 for t in thresholds if not t["finite"]),
            "prior": narrative.prior(s.prior, lead_id),
            "candidates": candidates,
            "best": best,
            "pairs": pairs,
        }

    def _item(self, i: int) -> dict:
        r = self.result
        e = r.case.evidence[i]
        woe = r.item_woe[i]
        citation = e.citation
        cited = r.case.cited(citation)
        return {
            "id": e.id,
            "text": e.text,
            "source": e.source,
            "source_title": r.case.source(e.source).title or e.source,
            "date": str(e.date) if e.date else "",
            "type": e.type,
            "credibility": _label(e.credibility),
            "ratings": [
                {"label": _label(e.likelihood[r.hypotheses[j]]), "tint": _tint(woe[j], self.vmax)} for j in self.order
            ],
            "woe": db(woe[self.lead]),
            "sign": _sign(woe[self.lead]),
            # a listed report is named in words (publisher, date), else by what the citation says
            "citation_report": (cited.label if cited else citation.report) if citation is not None else "",
            "citation_title": cited.title if cited else "",
            "citation_quote": citation.quote if citation is not None else "",
            "citation_url": citation.link or (cited.link if cited and not citation.url else "") if citation else "",
            # an address that may not become a link (javascript:, file:, a path) is shown as text
            "citation_unlinked": citation.url if citation is not None and not citation.link else "",
            "notes": e.notes,
        }

    def _matrix(self) -> list[dict]:
        r = self.result
        groups = []
        for s, items in r.source_groups():
            src = r.case.sources[s]
            groups.append(
                {
                    "id": src.id,
                    "title": src.title or src.id,
                    "reliability": _reliability(src.reliability),
                    "reliability_value": f"{src.reliability.mean:.2f}",
                    "notes": src.notes,
                    "implicit": src.implicit,
                    "entries": [self._item(i) for i in items],
                }
            )
        return groups

    def _sources(self) -> list[dict]:
        r = self.result
        counts = np.bincount(r.inputs.source_index, minlength=len(r.inputs.sources))
        rows = []
        for s, src in enumerate(r.case.sources):
            woe = r.source_woe[s, self.lead]
            rows.append(
                {
                    "id": src.id,
                    "title": src.title or src.id,
                    "implicit": src.implicit,
                    "reliability": _reliability(src.reliability),
                    "reliability_value": f"{src.reliability.mean:.2f}",
                    "n_items": int(counts[s]),
                    "woe": db(woe),
                    "sign": _sign(woe),
                }
            )
        return rows

    def _heuer_sentence(self) -> str:
        r = self.result
        hyps = r.hypotheses
        return narrative.ranking(
            r.ranking_agreement,
            hyps[self.lead],
            r.posterior[self.lead],
            r.heuer.weighted_inconsistency[self.lead],
            narrative.heuer_order(r.heuer),
            " > ".join(hyps[j] for j in self.order),
        )

    def _uncertainty(self) -> dict:
        r = self.result
        hyps = r.hypotheses
        bayes, forward = r.bayes, r.forward
        rows = []
        for j in self.order:
            row = {"id": hyps[j], "title": r.case.hypothesis(hyps[j]).title, "exact": pct1(r.posterior[j])}
            if bayes is not None:
                row.update(
                    mean=pct1(bayes.summary.mean[j]),
                    mc_se=pp(bayes.mc_se[j]),
                    interval=interval(bayes.summary.hdi90[j]),
                    leads=pct(bayes.summary.p_leading[j]),
                )
            if forward is not None:
                row.update(range=interval(forward.hdi90[j]), forward_leads=pct(forward.p_leading[j]))
            rows.append(row)
        out = {"rows": rows, "bayes": None, "forward": None}
        if bayes is not None:
            agreement = r.agreement
            out["bayes"] = {
                "engine": bayes.engine,
                "agree": agreement.agree,
                "agreement": narrative.sampler_agreement(agreement),
                "healthy": bayes.healthy,
                "problems": bayes.problems(),
                "checks": diagnostics.checks(bayes),
                "settings": diagnostics.settings(bayes),
                "strata": ", ".join(f"{h} ({pct(w)})" for h, w in zip(bayes.strata, bayes.weights)),
            }
        if forward is not None:
            out["forward"] = {"draws": f"{len(forward.samples):,}"}
        return out

    def _provenance(self) -> list[tuple[str, str]]:
        r = self.result
        rows = [
            (PROVENANCE_LABELS.get(k, k.replace("_", " ")), _value(v))
            for k, v in r.provenance().items()
            if k not in PROVENANCE_HIDDEN
        ]
        if r.forward is not None:
            rows.append(("forward draws of the inputs", f"{len(r.forward.samples):,}"))
        return rows


# -- formatting for the templates (no statistics) ---------------------------------
def _label(belief) -> str:
    if belief is None:
        return "NA"
    return belief.label or f"{belief.mean:g}"


def _reliability(belief) -> str:
    """'D (not usually reliable), 0.40'; just '0.95' when it was written as that number."""
    number = f"{belief.mean:.2f}"
    if not belief.label or _is_number(belief.label):
        return number
    return f"{belief.label}, {number}"


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _sign(value: float) -> str:
    if np.isnan(value):
        return ""
    return "pos" if value >= 0.05 else "neg" if value <= -0.05 else ""


def _finite_max(values: np.ndarray) -> float:
    finite = np.abs(values[np.isfinite(values)])
    return float(finite.max()) if finite.size and finite.max() > 0 else 1.0


def _tint(value: float, vmax: float) -> str:
    """A background colour for a rating cell, from its item's weight of evidence."""
    if np.isnan(value) or abs(value) < 0.05:
        return ""
    rgb = SUPPORTS_RGB if value > 0 else AGAINST_RGB
    alpha = 0.08 + 0.42 * min(abs(value) / vmax, 1.0)
    return f"rgba({rgb[0]}, {rgb[1]}, {rgb[2]}, {alpha:.2f})"


def _value(v) -> str:
    if isinstance(v, bool):
        return "yes" if v else "no"
    return str(v)


def _leads_note(leader: str | None, posterior, hyps: list[str], lead: int) -> str:
    """'ISIS leads, 52 %' when the candidate would change who leads; 'a tie' when nobody would."""
    if leader is None:
        return "no single leader"
    j = hyps.index(leader)
    return f"{leader} leads, {pct(posterior[j])}" if j != lead else ""


def _warning(d) -> str:
    return str(d.message) if not d.field else f"{d.field}: {d.message}"
