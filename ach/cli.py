"""The ``ach`` command: parses arguments and calls the library, nothing more.

Exit codes: 0 success, 1 the input is wrong (every problem listed on stderr,
no traceback), 2 the command line is wrong, 3 ach itself failed (a bug: set
ACH_DEBUG=1 to see the traceback).
"""

from __future__ import annotations

import functools
import json
import logging
import os
import sys
from pathlib import Path

import click

EXIT_INVALID = 1
EXIT_BUG = 3


def _friendly_errors(fn):
    """Turn a CaseError into its located messages and exit 1, never a traceback.

    Anything else that goes wrong is ach's fault, not the analyst's: say so in
    one line (the traceback is there with ACH_DEBUG=1).
    """

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        from .diagnostics import CaseError

        try:
            return fn(*args, **kwargs)
        except CaseError as exc:
            for d in exc.diagnostics:
                click.echo(str(d), err=True)
            n = sum(d.level == "error" for d in exc.diagnostics)
            click.echo(f"{_count(range(n), 'error')}: nothing was analysed", err=True)
            sys.exit(EXIT_INVALID)
        except (click.ClickException, click.exceptions.Exit, click.Abort, BrokenPipeError):
            raise  # click reports these itself (a closed pipe, as in `ach … | head`, quietly)
        except Exception as exc:
            if os.environ.get("ACH_DEBUG"):
                raise
            click.echo(f"ach: internal error: {type(exc).__name__}: {exc}", err=True)
            click.echo("    this is a bug in ach, not in the case file; please report it with the file "
                       "(run with ACH_DEBUG=1 to see the traceback)", err=True)
            sys.exit(EXIT_BUG)

    return wrapper


def _count(things, word: str, plural: str = "") -> str:
    n = len(things)
    return f"{n} {word if n == 1 else plural or word + 's'}"


def _load(path: str):
    from .loader import load

    return load(path)


def _sampling_options(fn):
    options = [
        click.option("--no-sample", is_flag=True, help="Exact posterior and classic scores only (fast: no PyMC)."),
        click.option("--seed", type=int, default=20191227, show_default=True, help="Random seed (results are reproducible)."),
        click.option("--draws", type=click.IntRange(50), default=1000, show_default=True, help="NUTS draws per chain."),
        click.option("--tune", type=click.IntRange(50), default=1000, show_default=True, help="NUTS tuning steps per chain."),
        click.option("--chains", type=click.IntRange(1, 16), default=2, show_default=True, help="NUTS chains."),
        click.option("--quiet", "-q", is_flag=True, help="No progress messages."),
    ]
    for option in reversed(options):
        fn = option(fn)
    return fn


def _analyze(case, no_sample, seed, draws, tune, chains, quiet):
    from .analysis import analyze

    if not quiet and not no_sample:
        logging.getLogger("pymc").setLevel(logging.WARNING)
    return analyze(case, sample=not no_sample, seed=seed, draws=draws, tune=tune, chains=chains, progress=not quiet)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="ach", prog_name="ach")
def main():
    """Bayesian Analysis of Competing Hypotheses: from an evidence matrix to a probability report."""


@main.command()
@click.argument("cases", nargs=-1, required=True)
@click.option("--strict", is_flag=True, help="Treat warnings as errors.")
@click.option("--json", "as_json", is_flag=True, help="Print every problem as JSON on stdout.")
@_friendly_errors
def validate(cases, strict, as_json):
    """Check case files; list every error and warning with file, line and field.

    Use - to read a case from standard input.
    """
    from .loader import check

    failed, report = False, []
    for path in cases:
        case, diagnostics = check(path)
        errors = [d for d in diagnostics if d.level == "error"]
        warnings = [d for d in diagnostics if d.level == "warning"]
        failed |= bool(errors) or (strict and bool(warnings))
        report.append({"path": path, "valid": case is not None, "diagnostics": [d.to_dict() for d in diagnostics]})
        if as_json:
            continue
        for d in diagnostics:
            click.echo(str(d), err=True)
        if case is None:
            click.echo(f"{path}: invalid ({_count(errors, 'error')}, {_count(warnings, 'warning')})", err=True)
        else:
            named = [s for s in case.sources if not s.implicit]
            counts = f"{_count(case.hypotheses, 'hypothesis', 'hypotheses')}, {_count(case.evidence, 'item')}, {_count(named, 'source')}"
            note = f" ({_count(warnings, 'warning')}{', failing under --strict' if strict else ''})" if warnings else ""
            click.echo(f"{path}: valid: {counts}{note}")
    if as_json:
        click.echo(json.dumps(report, indent=2, ensure_ascii=False))
    sys.exit(EXIT_INVALID if failed else 0)


@main.command()
@click.argument("case")
@click.option("--json", "as_json", is_flag=True, help="Print every number as JSON (the stable contract in the README).")
@_sampling_options
@_friendly_errors
def analyze(case, as_json, **options):
    """Posterior probabilities, weights of evidence, classic scores and (unless --no-sample) their uncertainty."""
    result = _analyze(_load(case), **options)
    if as_json:
        click.echo(json.dumps(result.to_dict(), indent=2, ensure_ascii=False))
        return
    _print_summary(result)


@main.command()
@click.argument("case")
@click.option("--out", "-o", type=click.Path(file_okay=False), help="Folder for the report (default: reports/<case name>).")
@_sampling_options
@_friendly_errors
def report(case, out, **options):
    """Write report.html, report.md and figures/ for a case."""
    result = _analyze(_load(case), **options)
    folder = Path(out) if out else Path("reports") / result.case.name
    if not options["quiet"]:
        from .progress import say

        say("drawing the figures and writing the report")
    paths = result.report().save(folder)
    click.echo(result.bottom_line())
    click.echo(f"report: {paths['html']}")
    click.echo(f"        {paths['markdown']}")


@main.command()
@_friendly_errors
def schema():
    """Print the JSON Schema of case files (for editors and other tools)."""
    from .loader import schema as load_schema

    click.echo(json.dumps(load_schema(), indent=2))


def _print_summary(result) -> None:
    case = result.case
    click.echo(case.title or case.question)
    click.echo(f"Q: {case.question}")
    click.echo(f"Bottom line: {result.bottom_line()}")
    if result.bayes is not None:
        level, _ = result.confidence
        click.echo(f"Analytic confidence: {level}")
    click.echo()
    width = max(len(h) for h in result.hypotheses)
    header = f"  {'':<{width}}  {'posterior':>9}  {'ICD 203 term':<20}"
    if result.bayes is not None:
        header += f"  {'90 % interval':>13}  {'leads':>5}"
    header += "  inconsistency"
    click.echo(header)
    from .scales import icd203_term

    for j in result.order:
        h = result.hypotheses[j]
        p = result.posterior[j]
        row = f"  {h:<{width}}  {100 * p:8.1f}%  {icd203_term(p):<20}"
        if result.bayes is not None:
            lo, hi = result.bayes.summary.hdi90[j]
            row += f"  {100 * lo:5.1f}–{100 * hi:5.1f}%  {100 * result.bayes.summary.p_leading[j]:4.0f}%"
        row += f"  {result.heuer.weighted_inconsistency[j]:6.2f}"
        click.echo(row + f"  {case.hypothesis(h).title}")
    if result.bayes is not None and not result.bayes.healthy:
        click.echo("\nWARNING: the sampler's diagnostics failed: " + "; ".join(result.bayes.problems()), err=True)
    for d in case.warnings:
        click.echo(str(d), err=True)


if __name__ == "__main__":  # pragma: no cover
    main()
