"""``ach score`` and ``ach practice``: score resolved cases against the truth, and make practice cases that have one."""

from __future__ import annotations

from pathlib import Path

import click

from .common import AchCommand, AchGroup, emit_json, say

__all__ = ["COMMANDS"]


@click.command("score", cls=AchCommand, outcome="nothing was scored")
@click.argument("paths", nargs=-1, required=True)
@click.option(
    "--key",
    type=click.Path(dir_okay=False),
    help="A practice key (key/answers.yaml): the truth of cases with no outcome.",
)
@click.option("--figure", type=click.Path(dir_okay=False), help="Write the reliability diagram to this PNG file.")
@click.option("--json", "as_json", is_flag=True, help="Print the scores and the calibration as JSON.")
def score(paths, key, figure, as_json):
    """Score every resolved case in PATHS (case files or folders of them) against its outcome.

    For each case: the probability the posterior gave the truth, the
    multi-class Brier score (0 best, 2 worst), the log loss in bits, the rank
    of the truth, and the same for the prior alone, a uniform prior and
    classic ACH's least-inconsistent pick; the posterior at each evidence
    date; the analyst's own judgment when the case states one. Over all of
    them: the calibration (observed frequency per bin of stated probability,
    with 95 % intervals), the Brier decomposition and a verdict in words.
    Cases with `outcome: unresolved` or none are listed apart, never scored.
    """
    from ..track.collect import score_paths

    scored = score_paths(paths, key)
    if figure and scored.scores:
        _figure(scored.calibration, figure)
    if as_json:
        emit_json(scored.as_json())
        return
    _print(scored)
    if figure and scored.scores:
        say(f"wrote {figure}")


def _figure(cal, path) -> None:
    from ..plots.calibration import plot_calibration

    ax = plot_calibration(cal)
    ax.figure.savefig(path, dpi=150)


def _print(scored) -> None:
    from ..formatting import count, interval, pct, pct1
    from ..track.scores import MAX_BITS

    s = scored.summary()
    for path in scored.unresolved:
        click.echo(f"{path}: unresolved, not scored")
    if not scored.scores:
        n = len(scored.unresolved)
        click.echo(f"no resolved case among {n} case file{'s' if n != 1 else ''}: nothing to score")
        return
    width = max(len(Path(c.case).name) for c in scored.scores)
    click.echo(
        f"{'case':<{width}}  truth     p(truth)  Brier  log loss (bits)  rank  "
        "prior p(truth)  prior Brier  prior bits  classic pick"
    )
    for c in scored.scores:
        p, q = c.posterior, c.prior
        pick = ", ".join(c.classic_pick)
        click.echo(
            f"{Path(c.case).name:<{width}}  {c.truth:<8}  {pct(p.p_truth):>8}  {p.brier:5.3f}  {p.log_loss_bits:15.2f}"
            f"  {p.rank:4d}  {pct(q.p_truth):>14}  {q.brier:11.3f}  {q.log_loss_bits:10.2f}"
            f"  {pick}{'' if c.truth in c.classic_pick else ' (missed)'}"
        )
    n = s["n"]
    click.echo("")
    click.echo(
        f"{n} resolved case{'s' if n != 1 else ''}: mean Brier {s['brier']:.3f} (prior alone {s['prior_brier']:.3f}, "
        f"uniform {s['uniform_brier']:.3f}, classic pick {s['classic_brier']:.3f})"
    )
    click.echo(
        f"mean log loss {s['log_loss_bits']:.2f} bits (prior alone {s['prior_log_loss_bits']:.2f}, "
        f"uniform {s['uniform_log_loss_bits']:.2f}, classic pick {s['classic_log_loss_bits']:.2f}, "
        f"which costs {MAX_BITS:g} bits each time it misses the truth)"
    )
    click.echo(
        f"the truth ranked first in {s['truth_ranked_first']} (by the prior alone in {s['prior_ranked_first']}); "
        f"classic ACH picked it in {s['classic_picked_truth']}"
    )
    j = s.get("judgment")
    if j:
        click.echo(
            f"analysts' own judgments ({j['n']} cases): mean Brier {j['brier']:.3f} against the posterior's "
            f"{j['posterior_brier']:.3f} on the same cases; log loss {j['log_loss_bits']:.2f} bits"
        )
    d = s["decomposition"]
    click.echo(
        f"Brier {d['brier']:.3f} = reliability {d['reliability']:.3f} − resolution {d['resolution']:.3f} "
        f"+ uncertainty {d['uncertainty']:.3f}"
        + (f" (within bins {d['within_bin']:+.3f})".replace("-", "−") if abs(d["within_bin"]) >= 0.0005 else "")
    )
    click.echo("calibration (stated → came true, 95 % interval):")
    for b in scored.calibration.bins:
        if b.n:
            mark = "  off beyond chance" if b.outside else ""
            click.echo(
                f"  {pct(b.lo, sign=False) + '–' + pct(b.hi) + ':':<10}{count(b.n, 'forecast'):>15}, stated {pct1(b.mean_p):>6}, "
                f"came true {pct1(b.freq):>7} (95 % interval {interval(b.interval)}){mark}"
            )
    click.echo(f"verdict: {s['verdict']}")


@click.group("practice", cls=AchGroup)
def practice():
    """Practice cases that come with the truth (kept in a separate key file)."""


@practice.command("new", outcome="no practice cases were written")
@click.option(
    "--seed", type=int, default=0, show_default=True, help="The random seed: the same seed gives the same cases."
)
@click.option("--cases", "count", type=click.IntRange(1, 10_000), default=10, show_default=True, help="How many cases.")
@click.option("-o", "--out", required=True, type=click.Path(file_okay=False), help="The folder to write them to.")
@click.option("--force", is_flag=True, help="Replace the files if they exist.")
def practice_new(seed, count, out, force):
    """Draw practice cases from a stated world into OUT, the truth in OUT/key/answers.yaml.

    The world: 3-5 suspects with prior weights, 2-4 sources of varying
    reliability (an unreliable one deceives, for a decoy suspect), 4-8 clues
    found or not found; the culprit is drawn from the prior. Judge each case
    first (write a `judgment:`), then score: `ach score OUT --key OUT/key/answers.yaml`.
    """
    import yaml

    from ..casefile import write_case
    from ..files import refuse_existing, write_atomic
    from ..track.practice import KEY_PATH, draw_many, key_data

    folder = Path(out)
    cases = draw_many(seed, count)
    paths = [folder / f"{c.name}.yaml" for c in cases]
    key = folder / KEY_PATH
    refuse_existing([*paths, key], force)
    key.parent.mkdir(parents=True, exist_ok=True)
    header = f"Written by `ach practice new --seed {seed}`: a practice case; the truth is in {KEY_PATH}."
    for c, path in zip(cases, paths):
        write_case(c.data, path, header=header, overwrite=force)
    text = yaml.safe_dump(key_data(cases, seed), sort_keys=False, allow_unicode=True, width=100)
    write_atomic(
        key,
        f"# The key to {count} practice cases (seed {seed}): do not open before judging them.\n" + text,
    )
    click.echo(f"wrote {count} practice case{'s' if count != 1 else ''} to {folder}/ and the key to {key}")


COMMANDS = (score, practice)
