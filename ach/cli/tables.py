"""The text tables the commands print: a Result (or a what-if, a diff) laid out for a terminal.

Numbers are formatted by :mod:`ach.formatting`; which rows and what they say
come from the Result. Nothing here computes.
"""

from __future__ import annotations

import click

from ..formatting import pct1
from ..scales import icd203_term
from .common import show_diagnostics

__all__ = [
    "print_collection",
    "print_comparison",
    "print_sensitivity",
    "print_summary",
    "print_whatif",
    "signed_points",
]


def signed_points(x: float, width: int = 0) -> str:
    """A change in percentage points, signed, one decimal: '+12.3', '−0.4'; 0 when below 0.05."""
    v = 100 * float(x)
    text = "0" if abs(v) < 0.05 else f"{v:+.1f}"
    return f"{text:>{width}}" if width else text


def print_summary(result) -> None:
    case = result.case
    click.echo(case.title or case.question)
    click.echo(f"Q: {case.question}")
    click.echo(f"Bottom line: {result.bottom_line()}")
    for note in result.qualifications():
        click.echo(f"  {note}")
    if result.bayes is not None:
        level, _ = result.confidence
        click.echo(f"Analytic confidence: {level}")
    click.echo()
    width = max(len(h) for h in [*result.hypotheses, "id"])
    header = f"  {'id':<{width}}  {'posterior':>9}  {'ICD 203 term':<20}"
    if result.bayes is not None:
        header += f"  {'90 % interval':>13}  {'leads':>5}"
    header += f"  {'prior':>6}  {WEIGHTED}  hypothesis"
    click.echo(header)
    for j in result.order:
        h = result.hypotheses[j]
        p = result.posterior[j]
        row = f"  {h:<{width}}  {100 * p:8.1f}%  {icd203_term(p):<20}"
        if result.bayes is not None:
            lo, hi = result.bayes.summary.hdi90[j]
            row += f"  {100 * lo:5.1f}–{100 * hi:5.1f}%  {100 * result.bayes.summary.p_leading[j]:4.0f}%"
        row += f"  {100 * result.inputs.prior[j]:5.1f}%  {result.heuer.weighted_inconsistency[j]:>{len(WEIGHTED)}.2f}"
        click.echo(row + f"  {case.hypothesis(h).title}")
    click.echo("\n  prior: the case's prior weights, normalised")
    click.echo(
        f"  {WEIGHTED}: classic ACH's score (1 per I, 2 per II), each item weighted by its credibility "
        "and relevance; lower is better"
    )
    if result.bayes is not None and not result.bayes.healthy:
        click.echo("\nWARNING: the sampler's diagnostics failed: " + "; ".join(result.bayes.problems()), err=True)
    show_diagnostics(case.warnings)


WEIGHTED = "weighted inconsistency"


def print_sensitivity(result, top: int) -> None:
    from ..report import narrative

    sens, inp = result.sensitivity, result.inputs
    lead = result.reference
    click.echo(f"Leading hypothesis: {lead} ({pct1(result.posterior[result.hypotheses.index(lead)])})\n")
    linchpins = [inp.items[i] for i in sens.loo.item_linchpins] + [inp.sources[s] for s in sens.loo.source_linchpins]
    click.echo("Linchpins (removing one alone changes the leader): " + (", ".join(linchpins) or "none"))

    click.echo(f"\nTornado: P({lead}) as each input swings across its 5-95 % range (widest first)")
    swings = sens.tornado[:top]
    width = max([len(s.label) for s in swings] + [len("input")])
    p_head = f"P({lead}) at 5 %"
    click.echo(f"  {'input':<{width}}  {'5 %':>6}  {'95 %':>6}  {p_head}  {'at 95 %':>7}")
    for s in swings:
        click.echo(
            f"  {s.label:<{width}}  {s.low:6.3f}  {s.high:6.3f}  {100 * s.p_low:>{len(p_head) - 2}.1f} %  {100 * s.p_high:5.1f} %"
        )

    if result.leading is None:
        click.echo("\nThresholds: none, a tie has no leader to overturn")
    else:
        click.echo("\nThresholds: the smallest change of one of an item's likelihoods that makes a rival lead")
    thresholds = sorted(sens.thresholds, key=lambda t: (t.value_to is None, t.factor or 0.0))[:top]
    cells = [f"{t.item}.{t.hypothesis}" if t.value_to is not None else t.item for t in thresholds]
    width = max([len(c) for c in cells] + [len("cell")])
    if thresholds:
        click.echo(f"  {'cell':<{width}}  {'edit':<5}  {'from':>6}    {'to':<6}  then leads")
    for t, cell in zip(thresholds, cells):
        if t.value_to is None:
            click.echo(f"  {cell:<{width}}  cannot overturn {lead} alone")
        else:
            verb = "raise" if t.direction == "raise" else "lower"
            click.echo(f"  {cell:<{width}}  {verb:<5}  {t.value_from:>6.3g} → {t.value_to:<6.3g}  {t.rival}")

    sentence = narrative.prior(sens.prior, lead)
    if sentence:
        click.echo(f"\nPrior: {sentence}")

    click.echo("\nTimeline: the posterior after each date")
    hyps = result.hypotheses
    widths = [max(len(h), 5) for h in hyps]
    click.echo(f"  {'date':<12}" + "".join(f"  {h:>{w}}" for h, w in zip(hyps, widths)))
    for d, row in zip(sens.timeline.dates, sens.timeline.posterior):
        click.echo(f"  {d:<12}" + "".join(f"  {100 * p:>{w - 2}.0f} %" for p, w in zip(row, widths)))


def print_whatif(w) -> None:
    for change in w.changes or ["(no changes)"]:
        click.echo(f"  {change}")
    click.echo()
    width = max(len(h) for h in w.before.hypotheses)
    click.echo(f"  {'':<{width}}  {'before':>7}  {'after':>7}  {'change':>8}")
    for j in w.before.order:
        h = w.before.hypotheses[j]
        b, a = w.before.posterior[j], w.after.posterior[j]
        click.echo(f"  {h:<{width}}  {100 * b:6.1f}%  {100 * a:6.1f}%  {100 * (a - b):+7.1f}pp")
    before = w.before.leading or "no single hypothesis (a tie)"
    if w.after.leading == w.before.leading:
        verdict = "stays" if w.before.leading else "stays tied"
    else:
        verdict = f"changes to {w.after.leading}" if w.after.leading else "becomes a tie: " + ", ".join(w.after.leaders)
    click.echo(f"\nThe leading hypothesis {verdict} ({before} before).")


def print_collection(result) -> None:
    lead = result.hypotheses.index(result.reference)
    if result.collection:
        click.echo(
            f"Candidate observations, most informative first (now: {result.reference} {100 * result.posterior[lead]:.0f} %):\n"
        )
        click.echo(
            f"  {'id':<6} {'P(seen)':>7}  {result.reference + ' if seen':>12}  {'if not':>7}  {'gain (bits)':>11}  {'P gain':>6}  text"
        )
        for v in result.collection:
            click.echo(
                f"  {v.id:<6} {100 * v.p_seen:6.0f}%  {100 * v.if_seen[lead]:11.0f}%  {100 * v.if_not[lead]:6.0f}%  "
                f"{v.info_gain:11.3f}  {100 * v.probability_gain:5.1f}%  {v.text}"
            )
    else:
        click.echo("The case lists no candidate observations (add them under `collection:`).")
    click.echo("\nHardest to tell apart:")
    for p in result.hardest_pairs:
        favour = p.a if p.evidence_db >= 0 else p.b
        items = ", ".join(f"{i} ({d:+.1f} dB)" for i, d in p.separating_items) or "none"
        click.echo(
            f"  {p.a} vs {p.b}: {100 * p.mass:.0f} % of the probability; the evidence favours {favour} by "
            f"{abs(p.evidence_db):.1f} dB; separated most by {items}. An item 10x more expected under "
            f"{p.a} than {p.b} would be worth {p.gain_from_10db:.2f} bits."
        )


def print_comparison(c, old: str, new: str, note: str) -> None:
    changes = c.changes
    click.echo(f"{old} → {new}: {len(changes) or 'no'} change{'s' if len(changes) != 1 else ''}")
    if c.removed or c.added:
        click.echo(
            f"hypotheses removed: {', '.join(c.removed) or 'none'}; added: {', '.join(c.added) or 'none'}. "
            "They cannot be compared hypothesis by hypothesis; the moves below are for the hypotheses both "
            "files share, renormalised to sum to 100 % over them."
        )
    hyps = c.compared
    width = min(max([len(ch.describe()) for ch in changes] + [len("total"), 20]), 72)
    if changes:
        click.echo()
        click.echo(f"  {'change':<{width}}  " + "  ".join(f"{h:>8}" for h in hyps))
        for ch in changes:
            text = ch.describe()
            text = text if len(text) <= width else text[: width - 1] + "…"
            click.echo(f"  {text:<{width}}  " + "  ".join(signed_points(ch.move[h], 8) for h in hyps))
        click.echo(f"  {'total':<{width}}  " + "  ".join(signed_points(c.total[h], 8) for h in hyps))
        click.echo("\n  moves in percentage points" + (f"; {note}" if len(changes) > 1 else ""))
    click.echo("\nposterior" + (" (shared hypotheses, renormalised)" if c.renormalised else "") + ":")
    old_p, new_p = c.compared_old, c.compared_new
    for h in sorted(hyps, key=lambda h: -new_p[h]):
        click.echo(f"  {h:<10} {100 * old_p[h]:6.1f} % → {100 * new_p[h]:6.1f} %  ({100 * (new_p[h] - old_p[h]):+.1f})")
    if c.renormalised:
        click.echo("posterior as computed in each file:")
        click.echo("  old: " + ", ".join(f"{h} {100 * p:.1f} %" for h, p in c.old_posterior.items()))
        click.echo("  new: " + ", ".join(f"{h} {100 * p:.1f} %" for h, p in c.new_posterior.items()))
