"""The finished assessment: one :class:`Report` rendered many ways.

Like lifelines' summary objects, a ``Report`` gathers every number and
sentence once, from a :class:`~ach.analysis.Result` (it never samples and
never computes a posterior), and renders that one context through Jinja2
templates (``ach/templates``):

    report = result.report()          # or Report(result)
    report.to_markdown()              # figures referenced as figures/<name>.png
    report.to_html()                  # one self-contained file, figures inlined
    report.summary_html()             # compact block; also Jupyter's _repr_html_
    report.save("reports/k1")         # report.md, report.html, figures/*.png

HTML escaping is Jinja's autoescape; nothing here escapes HTML by hand.
"""

from __future__ import annotations

import base64
import html
from functools import cache, cached_property
from pathlib import Path

import numpy as np

from . import __version__, files, plots
from .analysis import _pct

FIGURE_DIR = "figures"

FIGURE_TITLES = {
    "posterior": "Probability of each hypothesis",
    "evidence_matrix": "Weight of evidence of every item",
    "top_items": "The items that moved the result most",
    "heuer_vs_bayes": "Classic ACH beside Bayes",
    "leave_one_out": "Leave one out",
    "tornado": "Tornado of the uncertain inputs",
    "reliability_sweeps": "Reliability sweeps",
    "deception": "Deception scenarios",
    "timeline": "The assessment over time",
    "robustness": "Robustness from PyMC: two views",
    "collection": "What to collect next",
}
TOP_ROWS = 10  # rows of the leave-one-out and tornado tables

PROVENANCE_LABELS = {
    "ach_version": "ach version",
    "case_path": "case file",
    "case_sha256": "case file SHA-256",
    "generated": "generated",
    "seed": "random seed",
    "sampled": "sampled (PyMC)",
    "sampler": "sampler",
    "chains": "chains",
    "draws": "draws per chain",
    "tune": "tuning steps per chain",
    "pymc_version": "PyMC version",
    "arviz_version": "ArviZ version",
}
PROVENANCE_HIDDEN = {"compile_cache"}  # machine-specific, says nothing about the result

# Tints of the rating cells, the end colours of the heat map's RdBu.
SUPPORTS_RGB = (33, 102, 172)
AGAINST_RGB = (178, 24, 43)


class Report:
    """An intelligence assessment built from a :class:`~ach.analysis.Result`.

    ``top``: how many items "What drove the result" lists; ``dpi``: figure
    resolution. Figures are drawn once, on first use, and reused by every
    rendering.
    """

    def __init__(self, result, *, top: int = plots.TOP_ITEMS, dpi: int = 150):
        self.result = result
        self.top = top
        self.dpi = dpi
        self._figures: dict[str, bytes] | None = None

    # -- renderings -------------------------------------------------------------
    def to_markdown(self, figure_dir: str = FIGURE_DIR) -> str:
        """Markdown; figures are referenced as ``<figure_dir>/<name>.png`` (see :meth:`save`)."""
        src = {name: f"{figure_dir}/{name}.png" for name in self.figure_names}
        return _template("report.md.j2").render({**self.context, "src": src})

    def to_html(self) -> str:
        """One self-contained HTML file: inline CSS, figures as base64 PNG data URIs."""
        src = {
            name: "data:image/png;base64," + base64.b64encode(png).decode("ascii")
            for name, png in self.figures().items()
        }
        return _template("report.html.j2").render({**self.context, "src": src})

    def summary_html(self) -> str:
        """Bottom line, analytic confidence and the posterior table, for notebooks."""
        return _template("summary.html.j2").render(**self.context)

    def summary_markdown(self) -> str:
        return _template("summary.md.j2").render(**self.context)

    def _repr_html_(self) -> str:
        return self.summary_html()

    def _repr_markdown_(self) -> str:
        return self.summary_markdown()

    def __repr__(self) -> str:
        return f"<Report {self.result.case.name}: {self.result.bottom_line()}>"

    @cached_property
    def figure_names(self) -> tuple[str, ...]:
        """The figures this report shows: those with something to show (:func:`ach.plots.available_figures`)."""
        return plots.available_figures(self.result)

    def figures(self) -> dict[str, bytes]:
        """Every figure as PNG bytes, drawn once."""
        if self._figures is None:
            self._figures = {name: plots.figure_png(self.result, name, self.dpi) for name in self.figure_names}
        return self._figures

    def save(self, folder) -> dict:
        """Write ``report.md``, ``report.html`` and ``figures/*.png`` into ``folder``.

        Each file is written to a temporary file beside it and moved into place,
        so a reader never sees half a report. Returns ``{"markdown": path,
        "html": path, "figures": {name: path}}``.
        """
        folder = Path(folder)
        figures = {
            name: files.write_atomic(folder / FIGURE_DIR / f"{name}.png", png) for name, png in self.figures().items()
        }
        markdown = files.write_atomic(folder / "report.md", self.to_markdown().encode("utf-8"))
        page = files.write_atomic(folder / "report.html", self.to_html().encode("utf-8"))
        return {"markdown": markdown, "html": page, "figures": figures}

    # -- the one context every template reads -------------------------------------
    @cached_property
    def context(self) -> dict:
        r = self.result
        case = r.case
        hyps = r.hypotheses
        order = [int(j) for j in r.order]
        lead = order[0]
        level, reasons = r.confidence
        bayes = r.bayes
        return {
            "case": {
                "title": case.title or case.question,
                "question": case.question,
                "description": case.description,
                "path": case.path,
                "name": case.name,
            },
            "bottom_line": r.bottom_line(),
            "confidence": {"level": level, "reasons": reasons},
            "sampled": bayes is not None,
            "alert": self._alert(),
            "leader": {"id": hyps[lead], "title": case.hypothesis(hyps[lead]).title},
            "hypotheses": self._hypotheses(order),
            "described": any(h.description for h in case.hypotheses),
            "figures": [f for f in self._figure_entries() if f["name"] in plots.MAIN_FIGURES],
            "fig": {f["name"]: f for f in self._figure_entries() if f["name"] not in plots.MAIN_FIGURES},
            "linchpins": self._linchpins(),
            "sensitivity": self._sensitivity(),
            "change": self._change_our_mind(),
            "drivers": self._drivers(lead),
            "heuer_sentence": self._heuer_sentence(order),
            "matrix": self._matrix(order, lead),
            "sources": self._sources(lead),
            "uncertainty": self._uncertainty(order),
            "caveats": self._caveats(),
            "warnings": [str(d.message) if not d.field else f"{d.field}: {d.message}" for d in case.warnings],
            "provenance": self._provenance(),
            "generated": r.generated,
            "version": __version__,
        }

    def _alert(self) -> dict | None:
        bayes = self.result.bayes
        if bayes is None or bayes.healthy:
            return None
        return {
            "problems": bayes.problems(),
            "text": (
                "The 90 % intervals and the rank stability in this report come from a PyMC run that did not "
                "converge, so they cannot be trusted. The exact posterior (the headline "
                "percentages) is computed in closed form and does not depend on the sampler. Rerun with "
                "more draws and tuning steps (e.g. --draws 2000 --tune 2000) before relying on the intervals."
            ),
        }

    def _hypotheses(self, order: list[int]) -> list[dict]:
        r = self.result
        hyps = r.hypotheses
        w = r.heuer.weighted_inconsistency
        heuer_rank = {j: 1 + int(np.sum(w < w[j] - 1e-9)) for j in range(len(hyps))}
        tied = {j: int(np.sum(np.isclose(w, w[j]))) > 1 for j in range(len(hyps))}
        rows = []
        for rank, j in enumerate(order, start=1):
            h = r.case.hypothesis(hyps[j])
            rows.append(
                {
                    "id": h.id,
                    "title": h.title,
                    "description": h.description,
                    "catch_all": h.catch_all,
                    "prior": _pct(r.inputs.prior[j]),
                    "posterior": float(r.posterior[j]),
                    "pct": _pct(r.posterior[j]),
                    "term": _term(r.posterior[j]),
                    "statement": r.statement(h.id),
                    "interval": _interval(r.bayes.summary.hdi90[j]) if r.bayes is not None else None,
                    "rank": rank,
                    "heuer_weighted": f"{w[j]:.1f}",
                    "heuer_count": f"{r.heuer.inconsistency[j]:g}",
                    "heuer_rank": f"{heuer_rank[j]}{'=' if tied[j] else ''}",
                }
            )
        return rows

    def _figure_entries(self) -> list[dict]:
        """Every figure shown, in order, each with its number, title and caption."""
        captions = {**self._main_captions(), **self._sensitivity_captions()}
        return [
            {"name": name, "number": number, "title": FIGURE_TITLES[name], "caption": captions[name]}
            for number, name in enumerate(self.figure_names, start=1)
        ]

    def _main_captions(self) -> dict[str, str]:
        r = self.result
        lead = r.leading
        sampled = r.bayes is not None
        posterior = "Bars: the exact probability of each hypothesis given all the evidence, most probable first. "
        if sampled:
            posterior += (
                "Black whiskers: the 90 % interval of that probability when the uncertain inputs are themselves "
                "inferred from the evidence (stratified NUTS). Dashed orange line: the 90 % range the answer "
                "could take if the analysts' judgments were off within their stated uncertainty; a robustness "
                "range, not a posterior. Long whiskers or dashed lines that cross the neighbouring bar mean the "
                "ranking is fragile."
            )
        else:
            posterior += "No uncertainty was computed for this report, so no intervals are drawn."
        return {
            "posterior": posterior,
            "evidence_matrix": (
                "Each cell is the weight of evidence of one item, taken alone, for one hypothesis against the "
                "others, in decibans (dB): +10 dB multiplies the odds by 10, +3 dB roughly doubles them, 0 dB "
                "leaves them unchanged. Blue supports the hypothesis, red counts against it, white is neutral. "
                "Rows are grouped by source (titles on the right); columns are hypotheses, most probable first. "
                "Each weight already includes the source's reliability and the item's credibility. Items of "
                "one source stand or fall together, so their weights do not simply add: see the source-level "
                "weights in the Sources table."
            ),
            "top_items": (
                f"The items with the largest weight of evidence, either way, for the leading hypothesis ({lead}) "
                f"against the others. Blue bars raise its probability, vermillion (red-orange) bars lower it; the length is the "
                f"weight in decibans."
            ),
            "heuer_vs_bayes": (
                "Left: the classic ACH score (Heuer), the weighted count of evidence inconsistent with each "
                "hypothesis; lower is better. It ignores evidence in favour and how diagnostic an item is. "
                "Right: the exact Bayesian posterior; higher is better. Same hypothesis order in both panels "
                "(most probable first), so a mismatch shows at a glance."
            ),
        }

    # -- sensitivity and what would change our mind ------------------------------------
    def _sensitivity_captions(self) -> dict[str, str]:
        r = self.result
        lead = r.leading
        s = r.sensitivity
        if s is None:
            return {}
        captions = {
            "leave_one_out": (
                f"How the probability of the leading hypothesis ({lead}) changes, in percentage points, when one "
                f"item (or one whole source, in bold) is taken out and everything else is kept as rated. The "
                f"{plots.TOP_SENSITIVITY} largest changes are shown. Vermillion bars are linchpins: without them alone "
                f"another hypothesis would lead (named beside the bar)."
            ),
            "tornado": (
                f"Each uncertain input (a likelihood, a credibility, a reliability or a prior) is set to the 5 % point "
                f"(orange) and to the 95 % point (blue) of its stated uncertainty, the others held at their means; the "
                f"bars show where P({lead}) then lands, longest first. The number at each end is the input's value "
                f"there; the vertical line is the exact P({lead}) = {_pct(r.posterior[r.order[0]])}. One input at a "
                f"time: inputs moving together can go further (see the forward draws)."
            ),
            "reliability_sweeps": (
                "Each panel takes one of the most influential sources and runs its reliability from 0 (its reports "
                "are noise) to 1 (they are always genuine), every other input as rated, and shows each hypothesis's "
                "probability. The dotted line is the reliability given in the case; grey shading marks the range "
                f"where a hypothesis other than {lead} would lead. Same colours for the hypotheses in every figure."
            ),
            "deception": (
                "For each item whose 'if false' likelihoods differ between hypotheses (a report that one side could "
                "plant or fabricate), its credibility runs from 0 (certainly not genuine: planted, fabricated or "
                "mistaken) to 1 (certainly genuine); the panels show each hypothesis's probability. The dotted line is "
                "the credibility given in the case."
            ),
            "timeline": (
                "The probability of each hypothesis as the assessment would have stood after each evidence date, "
                "counting only the items dated up to then (undated items count from the start). The first point is "
                "the prior, before any evidence. Items dated after the case's own date are hindsight."
            ),
            "robustness": (
                "Left: the stratified NUTS posterior, the uncertainty about the posterior given the evidence when the "
                "uncertain inputs are themselves inferred from it. Right: the forward draws, where the answer could "
                "land if our own judgments were off within their stated uncertainty; a robustness display, not a "
                "posterior. Top: 90 % intervals, the dot being the exact posterior. Bottom: rank stability, the share "
                "of draws in which each hypothesis is the most probable."
            ),
        }
        if r.collection:
            captions["collection"] = (
                "The candidate observations listed in the case, most informative first. Left: the expected "
                "information gain, how far looking for it is expected to reduce the uncertainty about which "
                "hypothesis is true (bits; 1 bit settles an even choice between two). Right: the expected rise in "
                "the probability of the best answer, in percentage points. The label gives the probability that the "
                "observation is made, given the evidence so far."
            )
        return captions

    def _linchpins(self) -> dict | None:
        """Items and sources whose removal alone changes the leading hypothesis, in words."""
        r = self.result
        s = r.sensitivity
        if s is None:
            return None
        hyps = r.hypotheses
        lead = int(r.order[0])
        sentences, rivals, groups = [], set(), {}

        def removing(what: str, row) -> None:
            new = int(np.argmax(row))
            rivals.add(hyps[new])
            sentences.append(
                f"Removing {what} would make {hyps[new]} the leading hypothesis "
                f"({_pair_pct(hyps[new], row[new], hyps[lead], row[lead])})."
            )

        for i in s.loo.item_linchpins:
            removing(f"{s.items[i]} alone", s.loo.items[i])
            groups.setdefault(r.case.evidence[i].source, []).append(s.items[i])
        parts = []
        for sid, ids in groups.items():
            src = r.case.source(sid)
            parts.append(_join(ids) + ("" if src.implicit or not src.title else f" ({plots.short_title(src.title)})"))
        for k in s.loo.source_linchpins:
            src = r.case.sources[k]
            n_items = int(np.sum(r.inputs.source_index == k))
            name = (
                f"the source {plots.short_title(src.title)} ({src.id})"
                if src.title and src.title != src.id
                else f"the source {src.id}"
            )
            its = "its one item" if n_items == 1 else f"all {n_items} of its items"
            removing(f"{name}, {its},", s.loo.sources[k])
            parts.append(f"{name} as a whole")
        if not parts:
            summary = (
                f"No single item or source is a linchpin: {hyps[lead]} stays the leading hypothesis whichever one "
                f"is removed."
            )
        else:
            who = next(iter(rivals)) if len(rivals) == 1 else "another hypothesis"
            summary = f"The judgment rests on: {'; '.join(parts)}. Without any one of these alone, {who} would lead."
        return {
            "summary": summary,
            "sentences": sentences,
            "items": [s.items[i] for i in s.loo.item_linchpins],
            "sources": [s.sources[k] for k in s.loo.source_linchpins],
        }

    def _sensitivity(self) -> dict | None:
        r = self.result
        s = r.sensitivity
        if s is None:
            return None
        hyps = r.hypotheses
        lead = int(r.order[0])
        lead_id = hyps[lead]
        p0 = float(r.posterior[lead])

        loo = []
        for row in plots.loo_rows(r, TOP_ROWS):
            if row["kind"] == "item":
                e = r.case.evidence[row["index"]]
                what = e.text
            else:
                src = r.case.sources[row["index"]]
                what = f"the whole source: {src.title or src.id} ({int(np.sum(r.inputs.source_index == row['index']))} items)"
            loo.append(
                {
                    "id": row["id"],
                    "kind": row["kind"],
                    "what": what,
                    "p": _pct(row["p"]),
                    "change": plots.format_db(100 * row["change"], " pp"),
                    "sign": _sign(row["change"] * 100),
                    "leader": row["leader"],
                    "linchpin": row["linchpin"],
                }
            )

        tornado = []
        for w in s.tornado[:TOP_ROWS]:
            fmt = _pct if w.kind == "prior" else (lambda v: f"{v:.2f}")
            tornado.append(
                {
                    "label": w.label,
                    "kind": w.kind,
                    "low": fmt(w.low),
                    "high": fmt(w.high),
                    "p_low": _pct(w.p_low),
                    "p_high": _pct(w.p_high),
                    "width": _pp_short(w.width),
                }
            )

        sweeps = []
        for sid, (grid, post) in s.sweeps.items():
            src = r.case.source(sid)
            now = float(r.inputs.r[r.inputs.sources.index(sid)])
            sweeps.append(
                {
                    "id": sid,
                    "title": src.title or sid,
                    "now": f"{now:.2f}",
                    "text": (
                        f"{plots.short_title(src.title or sid)} ({sid}), reliability {now:.2f} in the case: "
                        + _segments_text(plots.leader_segments(r, grid, post), "reliability")
                        + f"; P({lead_id}) runs from {_pct(post[0, lead])} at reliability 0 to {_pct(post[-1, lead])} at 1."
                    ),
                }
            )

        deception = []
        for eid, (grid, post) in s.deception.items():
            i = r.inputs.items.index(eid)
            e = r.case.evidence[i]
            now = float(r.inputs.k[i])
            if_false = ", ".join(f"{h} {r.inputs.b[i, j]:.2f}" for j, h in ((j, hyps[j]) for j in r.order))
            deception.append(
                {
                    "id": eid,
                    "text": e.text,
                    "now": f"{now:.2f}",
                    "if_false": if_false,
                    "sentence": (
                        f"{eid} (credibility {now:.2f} in the case; if not genuine it would still be reported with "
                        f"probability {if_false}): "
                        + _segments_text(plots.leader_segments(r, grid, post), "credibility")
                        + f"; P({lead_id}) is {_pct(post[0, lead])} if the item was planted and {_pct(post[-1, lead])} "
                        f"if it is genuine."
                    ),
                }
            )

        timeline = None
        if len(s.timeline[0]) >= 1:
            order = [int(j) for j in r.order]
            rows = [
                {
                    "date": "prior",
                    "added": "before any evidence",
                    "cells": [_pct(r.inputs.prior[j]) for j in order],
                    "leader": hyps[int(np.argmax(r.inputs.prior))],
                }
            ]
            for step in plots.timeline_steps(r):
                added = step["added"]
                rows.append(
                    {
                        "date": "undated items" if step["date"] == "start" else step["date"],
                        "added": f"{len(added)} item{'s' if len(added) != 1 else ''}"
                        + (f": {', '.join(added)}" if len(added) <= 6 else ""),
                        "cells": [_pct(step["posterior"][j]) for j in order],
                        "leader": hyps[int(np.argmax(step["posterior"]))],
                    }
                )
            timeline = {"rows": rows, "columns": [hyps[j] for j in order]}

        robustness = None
        if r.bayes is not None and r.forward is not None:
            robustness = {
                "sentence": (
                    f"{lead_id} leads in {_pct(r.bayes.summary.p_leading[lead])} of the stratified posterior draws "
                    f"(90 % interval {_interval(r.bayes.summary.hdi90[lead])}) and in "
                    f"{_pct(r.forward.p_leading[lead])} of the forward draws of our inputs (90 % range "
                    f"{_interval(r.forward.hdi90[lead])})."
                ),
            }
        return {
            "leader": lead_id,
            "exact": _pct(p0),
            "loo": loo,
            "tornado": tornado,
            "n_tornado": len(s.tornado),
            "sweeps": sweeps,
            "deception": deception,
            "timeline": timeline,
            "robustness": robustness,
        }

    def _change_our_mind(self) -> dict | None:
        r = self.result
        s = r.sensitivity
        hyps = r.hypotheses
        lead = int(r.order[0])
        lead_id = hyps[lead]
        out = {"thresholds": [], "closest": [], "n_cannot": 0, "prior": None}
        if s is not None:
            ranked = sorted(s.thresholds, key=lambda t: (not np.isfinite(t.factor), t.factor))
            for t in ranked:
                i = r.inputs.items.index(t.item)
                finite = bool(np.isfinite(t.factor))
                sentence = (
                    f"{t.item}'s likelihood ratio {lead_id}:{t.rival} ({_ratio(t.ratio)}) would have to fall "
                    f"{_fold(t.factor)}-fold for {t.rival} to lead."
                    if finite
                    else f"{t.item} cannot overturn the judgment on its own."
                )
                out["thresholds"].append(
                    {
                        "id": t.item,
                        "text": plots.short(r.case.evidence[i].text, 70),
                        "rival": t.rival,
                        "ratio": _ratio(t.ratio),
                        "factor": f"{_fold(t.factor)}-fold" if finite else "–",
                        "finite": finite,
                        "sentence": sentence,
                    }
                )
            out["closest"] = [t["sentence"] for t in out["thresholds"] if t["finite"]][:3]
            out["n_cannot"] = sum(1 for t in out["thresholds"] if not t["finite"])
            out["prior"] = _prior_sentence(s.prior, lead_id)

        candidates = []
        for v in r.collection:
            seen_lead = int(np.argmax(v.if_seen))
            not_lead = int(np.argmax(v.if_not))
            candidates.append(
                {
                    "id": v.id,
                    "text": v.text,
                    "p_seen": _pct(v.p_seen),
                    "if_seen": _pct(v.if_seen[lead]),
                    "if_seen_note": f"{hyps[seen_lead]} leads, {_pct(v.if_seen[seen_lead])}"
                    if seen_lead != lead
                    else "",
                    "if_not": _pct(v.if_not[lead]),
                    "if_not_note": f"{hyps[not_lead]} leads, {_pct(v.if_not[not_lead])}" if not_lead != lead else "",
                    "bits": f"{v.info_gain:.2f}" if v.info_gain >= 0.01 or v.info_gain == 0 else f"{v.info_gain:.1g}",
                    "gain": _pp_short(v.probability_gain),
                }
            )
        out["candidates"] = candidates
        out["best"] = (
            f"Most worth collecting: {r.collection[0].id} ({r.collection[0].text.rstrip('.')}), expected to gain "
            f"{candidates[0]['bits']} bits."
            if candidates
            else None
        )

        pairs = []
        for pair in r.hardest_pairs:
            db = pair.evidence_db
            if db >= 0.5:
                balance = f"favours {pair.a} by {db:.1f} dB"
            elif db <= -0.5:
                balance = f"favours {pair.b} by {-db:.1f} dB"
            else:
                balance = f"about even ({plots.format_db(db)} dB)"
            separating = (
                ", ".join(
                    f"{eid} ({plots.format_db(abs(d))} dB for {pair.a if d > 0 else pair.b})"
                    for eid, d in pair.separating_items
                )
                or "none: no item bears on the difference"
            )
            pairs.append(
                {
                    "a": pair.a,
                    "b": pair.b,
                    "mass": _pct(pair.mass),
                    "balance": balance,
                    "separating": separating,
                    "gain": f"{pair.gain_from_10db:.2f}",
                    "sentence": (
                        f"{pair.a} and {pair.b} together hold {_pct(pair.mass)}; the evidence alone (the prior aside) "
                        f"{balance}. To separate them, look for an observation that {pair.a} would very likely produce "
                        f"and {pair.b} would not, or the reverse: an item 10 times more expected under {pair.a} than "
                        f"under {pair.b} would be worth about {pair.gain_from_10db:.2f} bits."
                    ),
                }
            )
        out["pairs"] = pairs
        return out

    def _item(self, i: int, lead: int, vmax: float, order: list[int]) -> dict:
        r = self.result
        e = r.case.evidence[i]
        woe = r.item_woe[i]
        citation = e.citation
        url = citation.url if citation is not None and citation.url.startswith(("http://", "https://")) else ""
        return {
            "id": e.id,
            "text": e.text,
            "source": e.source,
            "source_title": r.case.source(e.source).title or e.source,
            "date": str(e.date) if e.date else "",
            "type": e.type,
            "credibility": _label(e.credibility),
            "ratings": [{"label": _label(e.likelihood[r.hypotheses[j]]), "tint": _tint(woe[j], vmax)} for j in order],
            "woe": plots.format_db(woe[lead]),
            "sign": _sign(woe[lead]),
            "citation_report": citation.report if citation is not None else "",
            "citation_quote": citation.quote if citation is not None else "",
            "citation_url": url,
            "notes": e.notes,
        }

    def _drivers(self, lead: int) -> list[dict]:
        vmax = _finite_max(self.result.item_woe)
        order = [int(j) for j in self.result.order]
        return [self._item(int(i), lead, vmax, order) for i in plots.top_item_indices(self.result, self.top)]

    def _matrix(self, order: list[int], lead: int) -> list[dict]:
        r = self.result
        vmax = _finite_max(r.item_woe)
        groups = []
        for s, items in plots.source_groups(r):
            src = r.case.sources[s]
            groups.append(
                {
                    "id": src.id,
                    "title": src.title or src.id,
                    "reliability": _reliability(src.reliability),
                    "reliability_value": f"{src.reliability.mean:.2f}",
                    "notes": src.notes,
                    "implicit": src.implicit,
                    "entries": [self._item(int(i), lead, vmax, order) for i in items],
                }
            )
        return groups

    def _sources(self, lead: int) -> list[dict]:
        r = self.result
        counts = np.bincount(r.inputs.source_index, minlength=len(r.inputs.sources))
        rows = []
        for s, src in enumerate(r.case.sources):
            woe = r.source_woe[s, lead]
            rows.append(
                {
                    "id": src.id,
                    "title": src.title or src.id,
                    "implicit": src.implicit,
                    "reliability": _reliability(src.reliability),
                    "reliability_value": f"{src.reliability.mean:.2f}",
                    "n_items": int(counts[s]),
                    "woe": plots.format_db(woe),
                    "sign": _sign(woe),
                }
            )
        return rows

    def _heuer_sentence(self, order: list[int]) -> str:
        r = self.result
        hyps = r.hypotheses
        w = r.heuer.weighted_inconsistency
        lead = order[0]
        best = [j for j in range(len(hyps)) if np.isclose(w[j], w.min())]
        best_ids = [hyps[j] for j in sorted(best, key=order.index)]
        heuer_text = _heuer_order_text(r.heuer)
        bayes_text = " > ".join(hyps[j] for j in order)
        why = (
            " Classic ACH counts only the evidence against each hypothesis and weighs each item the same "
            "however diagnostic it is and however reliable its source; Bayes weighs every item by how much "
            "more expected it is under one hypothesis than under the others, and lets a doubtful source's "
            "reports stand or fall together."
        )
        if best == [lead]:
            heuer_strict = [hyps[j] for j in np.argsort(w, kind="stable")]
            if heuer_strict == [hyps[j] for j in order] and len(set(np.round(w, 9))) == len(w):
                return f"The rankings agree: classic ACH and Bayes both order the hypotheses {bayes_text}."
            return (
                f"Both methods put {hyps[lead]} first, but they order the rest differently "
                f"(classic ACH ranks {heuer_text}; Bayes ranks {bayes_text})."
            )
        if lead in best:
            return (
                f"Classic ACH cannot separate {_join(best_ids)} (equal weighted inconsistency, {w[lead]:.1f}); "
                f"Bayes puts {hyps[lead]} first ({_pct(r.posterior[lead])}). Classic ACH ranks {heuer_text}; "
                f"Bayes ranks {bayes_text}."
            )
        return (
            f"The rankings disagree: classic ACH favours {_join(best_ids)} (least inconsistent evidence), "
            f"Bayes favours {hyps[lead]}. Classic ACH ranks {heuer_text}; Bayes ranks {bayes_text}." + why
        )

    def _uncertainty(self, order: list[int]) -> dict:
        r = self.result
        hyps = r.hypotheses
        bayes, forward = r.bayes, r.forward
        rows = []
        for j in order:
            row = {"id": hyps[j], "title": r.case.hypothesis(hyps[j]).title, "exact": _pct1(r.posterior[j])}
            if bayes is not None:
                row.update(
                    mean=_pct1(bayes.summary.mean[j]),
                    mc_se=_pp(bayes.mc_se[j]),
                    interval=_interval(bayes.summary.hdi90[j]),
                    leads=_pct(bayes.summary.p_leading[j]),
                )
            if forward is not None:
                row.update(range=_interval(forward.hdi90[j]), forward_leads=_pct(forward.p_leading[j]))
            rows.append(row)
        out = {"rows": rows, "bayes": None, "forward": None}
        if bayes is not None:
            diff = np.abs(bayes.summary.mean - r.posterior)
            with np.errstate(divide="ignore", invalid="ignore"):
                z = np.where(bayes.mc_se > 0, diff / bayes.mc_se, np.where(diff > 1e-9, np.inf, 0.0))
            worst = int(np.argmax(z))
            agree = bool(z[worst] <= 3)
            out["bayes"] = {
                "agree": agree,
                "agreement": (
                    f"The sampled mean agrees with the exact posterior within Monte Carlo error (largest "
                    f"difference {_pp(diff[worst])} for {hyps[worst]}, {z[worst]:.1f} MC standard errors)."
                    if agree
                    else f"The sampled mean of {hyps[worst]} differs from the exact posterior by {_pp(diff[worst])}, "
                    f"{z[worst]:.1f} Monte Carlo standard errors: more than chance allows. Rerun with more draws."
                ),
                "healthy": bayes.healthy,
                "problems": bayes.problems(),
                "checks": [
                    _check("R-hat, largest", f"{bayes.r_hat_max:.3f}", "below 1.01", bayes.r_hat_max < 1.01),
                    _check("bulk ESS, smallest", f"{bayes.ess_bulk_min:.0f}", "above 400", bayes.ess_bulk_min > 400),
                    _check("tail ESS, smallest", f"{bayes.ess_tail_min:.0f}", "for reference", None),
                    _check("divergent transitions", f"{bayes.divergences}", "0", bayes.divergences == 0),
                ],
                "settings": f"{bayes.chains} chains × {bayes.draws} draws after {bayes.tune} tuning steps, seed {bayes.seed}",
                "strata": ", ".join(f"{h} ({_pct(w)})" for h, w in zip(bayes.strata, bayes.weights)),
            }
        if forward is not None:
            out["forward"] = {"draws": len(forward.samples)}
        return out

    def _caveats(self) -> list[str]:
        r = self.result
        out = [
            "Sources are assumed conditionally independent given the hypothesis. Items from one source stand or "
            "fall together (if the source is unreliable, all its reports are noise at once), but two sources that "
            "copy each other, or one voice relayed by several outlets, count twice unless the case merges them "
            "into one source.",
            "The probabilities are only as good as the ratings behind them: every likelihood, reliability and "
            "credibility is an analyst's judgment, and the hypotheses are assumed mutually exclusive and, "
            "together, exhaustive.",
        ]
        if not any(h.catch_all for h in r.case.hypotheses):
            out.append("No hypothesis is marked as the catch-all, so 'none of the above' has no probability at all.")
        if r.forward is not None:
            out.append(
                "The robustness range (forward draws of the inputs) is not a posterior: its mean is not the "
                "probability of a hypothesis. It shows where the answer could land if the judgments were off "
                "within their stated uncertainty."
            )
        else:
            out.append(
                "No uncertainty was computed: the probabilities are exact for the inputs as rated, "
                "but this report cannot say how far they would move if the ratings were off."
            )
        if r.sensitivity is not None:
            out.append(
                "The sensitivity analysis moves one item, source or input at a time with the others as rated; "
                "several judgments that are off together can move the answer further than any single bar shows."
            )
        out.append(
            "Following ICD 203, likelihood and analytic confidence are kept apart: the probability says how "
            "likely a hypothesis is given the evidence as rated; the confidence says how far that judgment can "
            "be relied on. A 'likely' judgment may be held with low confidence."
        )
        return out

    def _provenance(self) -> list[tuple[str, str]]:
        r = self.result
        info = r.provenance()
        rows = [
            (PROVENANCE_LABELS.get(k, k.replace("_", " ")), _value(v))
            for k, v in info.items()
            if k not in PROVENANCE_HIDDEN
        ]
        if r.forward is not None:
            rows.append(("forward draws of the inputs", str(len(r.forward.samples))))
        return rows


# -- small formatting helpers (no statistics) ---------------------------------------
@cache
def _environment(autoescape: bool):
    from jinja2 import Environment, PackageLoader, StrictUndefined

    env = Environment(
        loader=PackageLoader("ach", "templates"),
        autoescape=autoescape,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        undefined=StrictUndefined,
    )
    env.filters["md"] = _md_cell
    env.filters["nb"] = _keep_units  # '47 %' never breaks across lines
    return env


def _template(name: str):
    return _environment(name.endswith(".html.j2")).get_template(name)


def _md_cell(text) -> str:
    """Text safe inside a Markdown table cell: no raw HTML, no pipes, one line."""
    return html.escape(" ".join(str(text).split()), quote=False).replace("|", "\\|")


def _keep_units(text) -> str:
    return str(text).replace(" %", "\u00a0%").replace(" pp", "\u00a0pp")


def _term(p: float) -> str:
    from .scales import icd203_term

    return icd203_term(float(p))


def _interval(pair) -> str:
    """'58–83 %'; a lower end that rounds to nothing is written 0, not 0.00."""
    lo, hi = (float(x) for x in pair)
    low = "0" if 100 * lo < 0.005 else _pct(lo, sign=False)
    return f"{low}–{_pct(hi)}"


def _pct1(p: float) -> str:
    """One decimal, for tables that compare close numbers: '2.6 %'."""
    v = 100 * float(p)
    return f"{v:.1f} %" if v >= 0.05 or v == 0 else f"{v:.2g} %"


def _pair_pct(a: str, pa: float, b: str, pb: float) -> str:
    """'ISIS 46 %, KH 32 %'; one decimal when the two would read the same."""
    fmt = _pct1 if _pct(pa) == _pct(pb) else _pct
    return f"{a} {fmt(pa)}, {b} {fmt(pb)}"


def _pp_short(x: float) -> str:
    """Percentage points with one decimal: '12.3 pp'."""
    return f"{100 * float(x):.1f} pp"


def _ratio(x: float) -> str:
    """A likelihood ratio: '5.9', '0.47', '12', '∞'."""
    x = float(x)
    if np.isnan(x):
        return "–"
    if np.isinf(x):
        return "∞"
    if x >= 10:
        return f"{x:.0f}"
    return f"{x:.1f}" if x >= 1 else f"{x:.2g}"


def _fold(x: float) -> str:
    return f"{x:.0f}" if x >= 10 else f"{x:.1f}"


def _times(x: float) -> str:
    return f"{x:.0f}" if x >= 10 else f"{x:.2g}" if x < 1 else f"{x:.1f}"


def _prior_sentence(threshold, leader: str) -> str | None:
    """'You would need to believe beforehand that ISIS is 2.3 times as likely as KH ...'."""
    if threshold is None:
        return None
    rival, now, needed = threshold.rival, threshold.odds_now, threshold.odds_needed
    if not np.isfinite(needed):
        return f"No prior belief could make {rival} lead: the evidence rules it out."
    if needed >= 1:
        belief = f"{rival} is at least {_times(needed)} times as likely as {leader}"
    else:
        belief = f"{leader} is at most {_times(1 / needed)} times as likely as {rival}"
    if now >= 1:
        stated = f"the case's prior makes {rival} {_times(now)} times as likely as {leader}"
    else:
        stated = f"the case's prior makes {leader} {_times(1 / now)} times as likely as {rival}"
    shift = needed / now if now > 0 else np.inf
    return (
        f"For {rival} to lead on this evidence, you would need to believe beforehand that {belief} "
        f"({stated}): a {_fold(shift)}-fold shift of the prior odds toward {rival}."
    )


def _segments_text(segments, what: str) -> str:
    """'ISIS leads below a reliability of about 0.53, KH above it'."""
    if len(segments) == 1:
        return f"{segments[0][2]} leads at every {what} from 0 to 1"
    cuts = [(a[1] + b[0]) / 2 for a, b in zip(segments[:-1], segments[1:])]
    parts = [f"{segments[0][2]} leads below a {what} of about {cuts[0]:.2f}"]
    for (lo, hi), seg in zip(zip(cuts[:-1], cuts[1:]), segments[1:-1]):
        parts.append(f"{seg[2]} between {lo:.2f} and {hi:.2f}")
    parts.append(f"{segments[-1][2]} above {cuts[-1]:.2f}")
    return ", ".join(parts)


def _pp(x: float) -> str:
    """Percentage points with two significant digits: '0.46 pp'."""
    return f"{100 * float(x):.2g} pp"


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


def _check(name: str, value: str, target: str, ok: bool | None) -> dict:
    return {"name": name, "value": value, "target": target, "status": "" if ok is None else "ok" if ok else "FAILED"}


def _value(v) -> str:
    if isinstance(v, bool):
        return "yes" if v else "no"
    return str(v)


def _join(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _heuer_order_text(heuer) -> str:
    """'ISIS = SUNNI > OTHER > KH > IAM': least inconsistent first, ties joined by '='."""
    w = heuer.weighted_inconsistency
    parts, last = [], None
    for j in np.argsort(w, kind="stable"):
        if last is not None and np.isclose(w[j], last):
            parts[-1] += f" = {heuer.hypotheses[j]}"
        else:
            parts.append(heuer.hypotheses[j])
        last = w[j]
    return " > ".join(parts)
