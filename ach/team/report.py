"""The team's section of a report, and the team report: the same section on a page of its own.

:func:`team_section` formats a :class:`~ach.team.result.TeamResult` for the
report's ``team`` templates (``ach/report/templates/team.*.j2``): ``ach report
CASE --team FILES`` adds it to the case's report, ``ach team report`` writes
it alone, with ``team.json`` beside it.
"""

from __future__ import annotations

import json
from pathlib import Path

from ..errors import CaseError, Diagnostic
from ..files import write_atomic
from ..report import FIGURE_DIR, section_page
from ..report.section import Section, SectionFigure
from .figures import FIGURES
from .text import rows, to_discuss

__all__ = ["check_matches", "team_section", "write_report"]

TOP = 15
MANDEL = "Mandel, Karvetski & Dhami (2018), Judgment and Decision Making 13(6), 607–621"
CAPTIONS = {
    "posteriors": (
        "Each analyst's posterior, the pools and the team model",
        "Bars: each analyst's exact posterior from their own file, the linear pool (mean) and the logarithmic pool "
        "(normalised geometric mean) in grey, and the team model's pooled posterior in black with its 90 % interval.",
    ),
    "disagreement": (
        "Where the analysts' disagreement matters",
        "Left: for each cell, how far the leading hypothesis's probability moves between the lowest and the highest "
        "analyst's rating, everything else at the team's values. Right: the classic bands of the ratings' "
        "standard deviation (Open Source ACH) for the same cells.",
    ),
    "bias": (
        "Analysts' tendencies",
        "Each analyst's estimated bias on the logit scale (positive: rates consistency high), with its 90 % interval; "
        "an interval across zero shows no clear tendency.",
    ),
}

KINDS = {"analyst": "own matrix", "judgment": "holistic judgment", "pool": "pool", "team": "team"}


def _pct(x: float) -> str:
    return f"{100 * x:.1f} %"


def team_section(result, *, case_posterior: dict | None = None, dpi: int = 130) -> Section:
    """The team's pooled judgment as a report section, its figures drawn once.

    ``case_posterior``: the exact posterior of the case the section goes into, so
    that the section says whether the team and the case put the same hypothesis first."""
    data = result.to_dict()
    return Section(
        id="team",
        title="Team analysis",
        template="team",
        data=_format(result, data) | {"case": _case_leader(case_posterior, data)},
        figures=tuple(
            SectionFigure(f"team-{name}", *CAPTIONS[name], _png(draw(data), dpi))
            for name, draw in FIGURES.items()
            if name != "disagreement" or data["disagreement"]  # one analyst: no cell two analysts rated
        ),
    )


def check_matches(result, case) -> None:
    """Refuse a team whose hypotheses are not the case's: its section would answer another question."""
    ours, theirs = [h.id for h in case.hypotheses], result.team.hypotheses
    if set(ours) != set(theirs):
        raise CaseError(
            [
                Diagnostic(
                    "error",
                    f"the team's files have the hypotheses {', '.join(theirs)}; this case has {', '.join(ours)}",
                    case.path,
                    field="hypotheses",
                    hint="give --team the analysts' files of this same matrix (the same hypothesis ids)",
                    code="team-mismatch",
                )
            ]
        )


def write_report(result, out) -> Path:
    """``report.html`` (self-contained), ``report.md``, ``figures/*.png`` and ``team.json`` in ``out``."""
    out = Path(out)
    section = team_section(result)
    case = result.team.cases[0]
    page, markdown = section_page(section, title=f"{case.title or case.question}: team analysis")
    write_atomic(out / "team.json", json.dumps(result.to_dict(), indent=2, ensure_ascii=False).encode("utf-8"))
    for f in section.figures:
        write_atomic(out / FIGURE_DIR / f"{f.name}.png", f.png)
    write_atomic(out / "report.md", markdown.encode("utf-8"))
    return write_atomic(out / "report.html", page.encode("utf-8"))


def _png(fig, dpi: int) -> bytes:
    import io

    import matplotlib.pyplot as plt

    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi)
    plt.close(fig)
    return buffer.getvalue()


def _case_leader(posterior: dict | None, data: dict) -> dict | None:
    """The case's leader beside the team's (None: the section stands alone)."""
    if posterior is None:
        return None
    leader = max(posterior, key=posterior.get)
    team_leader = max(data["hypotheses"], key=lambda h: data["pooled"]["posterior"][h])
    return {"leader": leader, "pct": _pct(posterior[leader]), "same": leader == team_leader}


def _score(score: dict | None) -> dict | None:
    """The scores against the recorded outcome, as the reader sees them (None: no outcome recorded)."""
    if score is None:
        return None
    lo, hi = score["team_model_hdi90"]
    return {
        "truth": score["truth"],
        "interval": f"{100 * lo:.0f}–{100 * hi:.0f} %",
        "rows": [
            {
                "name": r["name"],
                "kind": KINDS[r["kind"]],
                "p_truth": _pct(r["p_truth"]),
                "brier": f"{r['brier']:.3f}",
                "log_loss": f"{r['log_loss_bits']:.2f}",
                "rank": r["rank_of_truth"],
            }
            for r in score["rows"]
        ],
    }


def _format(result, data: dict) -> dict:
    """Every number of the section as the reader sees it."""
    hyps, p, team = data["hypotheses"], data["pooled"], result.team
    texts = {}
    for case in team.cases:
        for e in case.evidence:
            texts.setdefault(e.id, e.text)
    leader = max(hyps, key=lambda h: p["posterior"][h])
    posteriors = [
        {"name": n, "kind": "analyst", "values": [_pct(data["each"][n]["posterior"][h]) for h in hyps]}
        for n in data["analysts"]
    ]
    posteriors += [
        {"name": f"{pool} pool", "kind": "pool", "values": [_pct(data["pools"][pool][h]) for h in hyps]}
        for pool in ("linear", "logarithmic")
    ]
    posteriors.append(
        {
            "name": "team model",
            "kind": "team",
            "values": [
                f"{_pct(p['posterior'][h])} ({100 * p['hdi90'][h][0]:.0f}–{100 * p['hdi90'][h][1]:.0f} %)" for h in hyps
            ],
        }
    )
    coh = data["coherence"]
    return {
        "analysts": len(data["analysts"]),
        "hypotheses": hyps,
        "leader": leader,
        "leader_pct": _pct(p["posterior"][leader]),
        "leader_interval": f"{100 * p['hdi90'][leader][0]:.0f}–{100 * p['hdi90'][leader][1]:.0f} %",
        "posteriors": posteriors,
        "healthy": p["healthy"],
        "diagnostics": f"R-hat max {p['r_hat_max']:.3f}, bulk ESS min {p['ess_bulk_min']:.0f}, "
        f"{p['divergences']} divergences",
        "discuss": [
            {
                "item": d["item"],
                "text": texts.get(d["item"], ""),
                "hypothesis": d["hypothesis"],
                "impact": f"{100 * d['impact']:.1f} pp",
                "ratings": f"{d['low']:.2f}–{d['high']:.2f}",
                "raters": d["raters"],
                "band": d["band"],
            }
            for d in to_discuss(data, TOP)
        ],
        "bias": [
            {"name": n, "mean": f"{b['mean']:+.3f}", "interval": f"{b['hdi90'][0]:+.3f} to {b['hdi90'][1]:+.3f}"}
            for n, b in data["analyst_bias"].items()
        ],
        "coherence": None
        if not coh["judges"]
        else {
            "rows": [
                {
                    "name": n,
                    "values": [f"{100 * coh['coherentized'][n][h]:.0f} %" for h in hyps],
                    "gap": f"{100 * coh['matrix_gap'][n]:.1f} pp",
                }
                for n in coh["judges"]
            ],
            "team": [f"{100 * coh['team'][h]:.0f} %" for h in hyps],
            "reference": MANDEL,
        },
        "score": _score(data["score"]),
        "files": [{"name": n, "path": f} for n, f in data["files"].items()],
        "text": "\n".join(rows(data)),
    }
