"""The terminal table of ``ach team analyze`` (from the JSON data, so both say the same)."""

from __future__ import annotations

import click

__all__ = ["print_team", "rows", "score_rows", "to_discuss"]

TOP = 10


def _pct(x) -> str:
    return f"{100 * x:5.1f}"


def to_discuss(data: dict, top: int) -> list[dict]:
    """The highest-impact cells on which analysts really differ (equal ratings have nothing to discuss)."""
    return [d for d in data["disagreement"] if d["high"] > d["low"]][:top]


def rows(data: dict) -> list[str]:
    hyps, names = data["hypotheses"], data["analysts"]
    width = max(8, *(len(n) for n in names), len("logarithmic"))
    col = max(11, *(len(h) + 2 for h in hyps))
    out = ["posterior (%)".ljust(width) + "".join(f"{h:>{col}}" for h in hyps)]
    for name in names:
        out.append(name.ljust(width) + "".join(f"{_pct(data['each'][name]['posterior'][h]):>{col}}" for h in hyps))
    for pool in ("linear", "logarithmic"):
        out.append(pool.ljust(width) + "".join(f"{_pct(data['pools'][pool][h]):>{col}}" for h in hyps))
    p = data["pooled"]
    out.append("team model".ljust(width) + "".join(f"{_pct(p['posterior'][h]):>{col}}" for h in hyps))
    out.append(
        "  90 % HDI".ljust(width)
        + "".join(f"{_pct(p['hdi90'][h][0]).strip() + '-' + _pct(p['hdi90'][h][1]).strip():>{col}}" for h in hyps)
    )
    state = "healthy" if p["healthy"] else "FAILED: do not trust the intervals"
    out.append(
        f"NUTS: R-hat max {p['r_hat_max']:.3f}, bulk ESS min {p['ess_bulk_min']:.0f}, "
        f"{p['divergences']} divergences ({state})"
    )
    out.append("")
    out.append(
        "disagreements to discuss first (impact: the leader's probability between the lowest and highest rating)"
    )
    for d in to_discuss(data, TOP):
        out.append(
            f"  {d['item']:>6} {d['hypothesis']:<8} impact {100 * d['impact']:5.1f} pp  "
            f"ratings {d['low']:.2f}-{d['high']:.2f} ({d['raters']} analysts, SD band {d['band']})"
        )
    out.append("")
    out.append("analyst bias (logit scale; + rates consistency high), 90 % HDI")
    for name, b in data["analyst_bias"].items():
        out.append(f"  {name.ljust(width)} {b['mean']:+.3f}  [{b['hdi90'][0]:+.3f}, {b['hdi90'][1]:+.3f}]")
    coh = data["coherence"]
    if coh["judges"]:
        out.append("")
        out.append("holistic judgments: mean |judgment - own matrix| per hypothesis")
        for name in coh["judges"]:
            out.append(f"  {name.ljust(width)} {100 * coh['matrix_gap'][name]:.1f} pp")
        out.append(
            "  coherentized and averaged: "
            + ", ".join(f"{h} {100 * coh['team'][h]:.0f} %" for h in hyps)
            + " (Mandel, Karvetski & Dhami 2018)"
        )
    out += score_rows(data)
    return out


def score_rows(data: dict) -> list[str]:
    """Each stated distribution scored against the recorded outcome (nothing when there is none)."""
    score = data.get("score")
    if score is None:
        return []
    lo, hi = score["team_model_hdi90"]
    width = max(len(r["name"]) for r in score["rows"])
    out = [
        "",
        f"scored against the outcome {score['truth']} (Brier: 0 best, 2 worst; log loss in bits)",
        "".ljust(width + 12) + f"{'P(truth)':>9}{'Brier':>8}{'log loss':>10}{'rank':>6}",
    ]
    for r in score["rows"]:
        out.append(
            f"  {r['name'].ljust(width)} {r['kind']:<9}{_pct(r['p_truth']):>9}{r['brier']:8.3f}"
            f"{r['log_loss_bits']:10.2f}{r['rank_of_truth']:6d}"
        )
    out.append(f"  the team model's 90 % interval of P({score['truth']}): {_pct(lo).strip()}-{_pct(hi).strip()} %")
    return out


def print_team(data: dict) -> None:
    for line in rows(data):
        click.echo(line)
