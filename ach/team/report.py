"""The team report: one HTML page with its figures, and the JSON beside it."""

from __future__ import annotations

import html
import json
from pathlib import Path

from .figures import FIGURES
from .text import rows, to_discuss

__all__ = ["write_report"]

TOP = 15


def _table(headers, body) -> str:
    head = "".join(f"<th>{html.escape(str(h))}</th>" for h in headers)
    lines = "".join("<tr>" + "".join(f"<td>{html.escape(str(c))}</td>" for c in row) + "</tr>" for row in body)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{lines}</tbody></table>"


def write_report(result, out) -> Path:
    import matplotlib.pyplot as plt

    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    data = result.to_dict()
    (out / "team.json").write_text(json.dumps(data, indent=2, ensure_ascii=False), encoding="utf-8")
    for name, draw in FIGURES.items():
        fig = draw(data)
        fig.savefig(out / f"{name}.png", dpi=130)
        plt.close(fig)
    hyps, p = data["hypotheses"], data["pooled"]
    posterior_rows = [[n, *(f"{100 * data['each'][n]['posterior'][h]:.1f}" for h in hyps)] for n in data["analysts"]]
    posterior_rows += [[pool, *(f"{100 * data['pools'][pool][h]:.1f}" for h in hyps)] for pool in data["pools"]]
    posterior_rows.append(
        [
            "team model (90 % interval)",
            *(
                f"{100 * p['posterior'][h]:.1f} ({100 * p['hdi90'][h][0]:.0f}–{100 * p['hdi90'][h][1]:.0f})"
                for h in hyps
            ),
        ]
    )
    health = (
        "<p>NUTS diagnostics healthy.</p>"
        if p["healthy"]
        else "<p class='alarm'><strong>NUTS diagnostics FAILED</strong>: the team intervals and biases are not to "
        "be trusted (run with more draws and tuning).</p>"
    )
    discuss = [
        [
            d["item"],
            d["hypothesis"],
            f"{100 * d['impact']:.1f}",
            f"{d['low']:.2f}–{d['high']:.2f}",
            d["raters"],
            d["band"],
        ]
        for d in to_discuss(data, TOP)
    ]
    bias_rows = [
        [n, f"{b['mean']:+.3f}", f"{b['hdi90'][0]:+.3f} to {b['hdi90'][1]:+.3f}"]
        for n, b in data["analyst_bias"].items()
    ]
    coh = data["coherence"]
    coherence = "<p>No analyst gave a holistic judgment.</p>"
    if coh["judges"]:
        coherence = _table(
            ["analyst", *hyps, "gap to own matrix (pp)"],
            [
                [n, *(f"{100 * coh['coherentized'][n][h]:.0f}" for h in hyps), f"{100 * coh['matrix_gap'][n]:.1f}"]
                for n in coh["judges"]
            ]
            + [["coherentized and averaged", *(f"{100 * coh['team'][h]:.0f}" for h in hyps), ""]],
        ) + (
            "<p>Each judgment is made coherent (normalised to sum to 1) and the coherent judgments are averaged: "
            "Mandel, Karvetski &amp; Dhami (2018), <em>Judgment and Decision Making</em> 13(6), 607–621.</p>"
        )
    page = f"""<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Team ACH</title>
<style>body{{font-family:sans-serif;max-width:60em;margin:2em auto;}}td,th{{padding:0.2em 0.6em;text-align:right}}
td:first-child,th:first-child{{text-align:left}}.alarm{{color:#b00;font-size:1.2em}}img{{max-width:100%}}
pre{{font-size:0.8em}}</style></head><body>
<h1>Team analysis: {len(data["analysts"])} analysts</h1>
<h2>Posteriors side by side (%)</h2>{_table(["", *hyps], posterior_rows)}{health}
<img src="posteriors.png" alt="each analyst's posterior, the pools and the team model">
<h2>Disagreements to discuss first</h2>
<p>Impact: how far the leading hypothesis's probability moves between the lowest and the highest analyst's
rating of the cell, everything else at the team's values (docs/MODEL.md §8).</p>
{_table(["item", "hypothesis", "impact (pp)", "ratings", "analysts", "SD band"], discuss)}
<img src="disagreement.png" alt="impact heat map beside the classic SD bands">
<h2>Analysts' tendencies</h2>{_table(["analyst", "bias (log-odds)", "90 % interval"], bias_rows)}
<img src="bias.png" alt="each analyst's bias with its interval">
<h2>Holistic judgments and coherence</h2>{coherence}
<h2>As text</h2><pre>{html.escape(chr(10).join(rows(data)))}</pre>
<p>Files: {", ".join(html.escape(f"{n}: {f}") for n, f in data["files"].items())}. Every number: team.json.</p>
</body></html>
"""
    path = out / "index.html"
    path.write_text(page, encoding="utf-8")
    return path
