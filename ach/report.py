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
from functools import cached_property, lru_cache
from pathlib import Path

import numpy as np

from . import __version__, plots
from .analysis import _pct

FIGURE_DIR = "figures"

FIGURE_TITLES = {
    "posterior": "Probability of each hypothesis",
    "evidence_matrix": "Weight of evidence of every item",
    "top_items": "The items that moved the result most",
    "heuer_vs_bayes": "Classic ACH beside Bayes",
}

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
        figures = [dict(f, src=f"{figure_dir}/{f['name']}.png") for f in self.context["figures"]]
        return _template("report.md.j2").render({**self.context, "figures": figures})

    def to_html(self) -> str:
        """One self-contained HTML file: inline CSS, figures as base64 PNG data URIs."""
        pngs = self.figures()
        figures = [
            dict(f, src="data:image/png;base64," + base64.b64encode(pngs[f["name"]]).decode("ascii"))
            for f in self.context["figures"]
        ]
        return _template("report.html.j2").render({**self.context, "figures": figures})

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

    def figures(self) -> dict[str, bytes]:
        """Every figure as PNG bytes, drawn once."""
        if self._figures is None:
            self._figures = {name: plots.figure_png(self.result, name, self.dpi) for name in plots.FIGURES}
        return self._figures

    def save(self, folder) -> dict:
        """Write ``report.md``, ``report.html`` and ``figures/*.png`` into ``folder``.

        Each file is written to a temporary file beside it and moved into place,
        so a reader never sees half a report. Returns ``{"markdown": path,
        "html": path, "figures": {name: path}}``.
        """
        folder = Path(folder)
        figures = {
            name: plots.write_atomic(folder / FIGURE_DIR / f"{name}.png", png) for name, png in self.figures().items()
        }
        markdown = plots.write_atomic(folder / "report.md", self.to_markdown().encode("utf-8"))
        page = plots.write_atomic(folder / "report.html", self.to_html().encode("utf-8"))
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
        bayes, forward = r.bayes, r.forward
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
            "figures": self._figure_entries(),
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
        r = self.result
        lead = r.leading
        sampled = r.bayes is not None
        posterior = (
            "Bars: the exact probability of each hypothesis given all the evidence, most probable first. "
        )
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
        return [
            {"name": "posterior", "title": FIGURE_TITLES["posterior"], "caption": posterior},
            {
                "name": "evidence_matrix",
                "title": FIGURE_TITLES["evidence_matrix"],
                "caption": (
                    "Each cell is the weight of evidence of one item, taken alone, for one hypothesis against the "
                    "others, in decibans (dB): +10 dB multiplies the odds by 10, +3 dB roughly doubles them, 0 dB "
                    "leaves them unchanged. Blue supports the hypothesis, red counts against it, white is neutral. "
                    "Rows are grouped by source (titles on the right); columns are hypotheses, most probable first. "
                    "Each weight already includes the source's reliability and the item's credibility. Items of "
                    "one source stand or fall together, so their weights do not simply add: see the source-level "
                    "weights in the Sources table."
                ),
            },
            {
                "name": "top_items",
                "title": FIGURE_TITLES["top_items"],
                "caption": (
                    f"The items with the largest weight of evidence, either way, for the leading hypothesis ({lead}) "
                    f"against the others. Blue bars raise its probability, orange bars lower it; the length is the "
                    f"weight in decibans."
                ),
            },
            {
                "name": "heuer_vs_bayes",
                "title": FIGURE_TITLES["heuer_vs_bayes"],
                "caption": (
                    "Left: the classic ACH score (Heuer), the weighted count of evidence inconsistent with each "
                    "hypothesis; lower is better. It ignores evidence in favour and how diagnostic an item is. "
                    "Right: the exact Bayesian posterior; higher is better. Same hypothesis order in both panels "
                    "(most probable first), so a mismatch shows at a glance."
                ),
            },
        ]

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
            "ratings": [
                {"label": _label(e.likelihood[r.hypotheses[j]]), "tint": _tint(woe[j], vmax)} for j in order
            ],
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
            out.append("No uncertainty was computed: the probabilities are exact for the inputs as rated, "
                       "but this report cannot say how far they would move if the ratings were off.")
        out.append(
            "Following ICD 203, likelihood and analytic confidence are kept apart: the probability says how "
            "likely a hypothesis is given the evidence as rated; the confidence says how far that judgment can "
            "be relied on. A 'likely' judgment may be held with low confidence."
        )
        return out

    def _provenance(self) -> list[tuple[str, str]]:
        r = self.result
        info = r.provenance()
        rows = [(PROVENANCE_LABELS.get(k, k.replace("_", " ")), _value(v)) for k, v in info.items() if k not in PROVENANCE_HIDDEN]
        if r.forward is not None:
            rows.append(("forward draws of the inputs", str(len(r.forward.samples))))
        return rows


# -- small formatting helpers (no statistics) ---------------------------------------
@lru_cache(maxsize=None)
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
