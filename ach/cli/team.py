"""``ach team analyze|report``: several analysts' files of one matrix, pooled (docs/MODEL.md §8)."""

from __future__ import annotations

import click

from .common import AchGroup, emit_json, say, show_progress

__all__ = ["COMMANDS"]


@click.group("team", cls=AchGroup)
def team():
    """Several analysts' matrices of one question: side by side, pooled, and where they disagree."""


def _options(fn):
    for option in reversed(
        [
            click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False)),
            click.option("--seed", type=int, default=20191227, show_default=True, help="Random seed."),
            click.option(
                "--draws", type=click.IntRange(50), default=1000, show_default=True, help="NUTS draws per chain."
            ),
            click.option("--tune", type=click.IntRange(50), default=1000, show_default=True, help="NUTS tuning steps."),
            click.option("--chains", type=click.IntRange(1, 16), default=4, show_default=True, help="NUTS chains."),
            click.option(
                "--target-accept",
                type=click.FloatRange(0.6, 0.999),
                default=None,
                help="NUTS target acceptance (default 0.9): higher takes smaller steps, against divergences.",
            ),
            click.option("--quiet", "-q", is_flag=True, help="No progress messages."),
        ]
    ):
        fn = option(fn)
    return fn


def _run(files, seed, draws, tune, chains, target_accept, quiet):
    from ..team import analyze_team

    show_progress(quiet)
    extra = {} if target_accept is None else {"target_accept": target_accept}
    return analyze_team(list(files), draws=draws, tune=tune, chains=chains, seed=seed, **extra)


@team.command("analyze")
@_options
@click.option("--json", "as_json", is_flag=True, help="Print every number as JSON (docs/MODEL.md §8).")
def analyze(files, seed, draws, tune, chains, target_accept, quiet, as_json):
    """Each analyst's posterior, the pools, the team model's posterior, the disagreements and biases;
    scored against the outcome when the files record one."""
    result = _run(files, seed, draws, tune, chains, target_accept, quiet)
    data = result.to_dict()
    if as_json:
        emit_json(data)
        return
    from ..team.text import print_team

    print_team(data)


@team.command("report")
@_options
@click.option("-o", "--output", "out", required=True, type=click.Path(file_okay=False), help="Folder to write.")
def report(files, seed, draws, tune, chains, target_accept, quiet, out):
    """The team report: report.html (self-contained), report.md, figures/ and team.json, in OUT."""
    from ..team.report import write_report

    result = _run(files, seed, draws, tune, chains, target_accept, quiet)
    path = write_report(result, out)
    say(f"team report written to {path}")


COMMANDS = (team,)
