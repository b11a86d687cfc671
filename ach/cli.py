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
            fail_on(exc, "nothing was analysed")
        except (click.ClickException, click.exceptions.Exit, click.Abort, BrokenPipeError):
            raise  # click reports these itself (a closed pipe, as in `ach … | head`, quietly)
        except Exception as exc:
            if os.environ.get("ACH_DEBUG"):
                raise
            click.echo(f"ach: internal error: {type(exc).__name__}: {exc}", err=True)
            click.echo(
                "    this is a bug in ach, not in the case file; please report it with the file "
                "(run with ACH_DEBUG=1 to see the traceback)",
                err=True,
            )
            sys.exit(EXIT_BUG)

    return wrapper


def fail_on(exc, outcome: str):
    """Print a CaseError's located problems and what did not happen; exit 1."""
    for d in exc.diagnostics:
        click.echo(str(d), err=True)
    n = sum(d.level == "error" for d in exc.diagnostics)
    click.echo(f"{_count(range(n), 'error')}: {outcome}", err=True)
    sys.exit(EXIT_INVALID)


def _count(things, word: str, plural: str = "") -> str:
    n = len(things)
    return f"{n} {word if n == 1 else plural or word + 's'}"


def _load(path: str):
    from .loader import load

    return load(path)


def _sampling_options(fn):
    options = [
        click.option("--no-sample", is_flag=True, help="Exact posterior and classic scores only (fast: no PyMC)."),
        click.option(
            "--seed", type=int, default=20191227, show_default=True, help="Random seed (results are reproducible)."
        ),
        click.option("--draws", type=click.IntRange(50), default=1000, show_default=True, help="NUTS draws per chain."),
        click.option(
            "--tune", type=click.IntRange(50), default=1000, show_default=True, help="NUTS tuning steps per chain."
        ),
        click.option(
            "--chains",
            type=click.IntRange(1, 16),
            default=4,
            show_default=True,
            help="NUTS chains (R-hat needs several).",
        ),
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
@click.option(
    "--out", "-o", type=click.Path(file_okay=False), help="Folder for the report (default: reports/<case name>)."
)
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


@main.command()
@click.argument("case")
@click.option("--json", "as_json", is_flag=True, help="Print the sensitivity numbers as JSON.")
@click.option(
    "--out",
    "-o",
    type=click.Path(file_okay=False),
    help="Folder for the figures (default: reports/<case name>/figures).",
)
@click.option("--top", type=click.IntRange(1), default=10, show_default=True, help="Rows per table.")
@_sampling_options
@_friendly_errors
def sensitivity(case, as_json, out, top, **options):
    """Linchpins, tornado, thresholds, reliability sweeps and timeline (exact engine);
    with sampling, also the two PyMC robustness views."""
    result = _analyze(_load(case), **options)
    if as_json:
        d = result.to_dict()
        click.echo(
            json.dumps(
                {"sensitivity": d["sensitivity"], "bayes": d.get("bayes"), "forward": d.get("forward")},
                indent=2,
                ensure_ascii=False,
            )
        )
    else:
        _print_sensitivity(result, top)
    from .plots import save_figures

    folder = Path(out) if out else Path("reports") / result.case.name / "figures"
    paths = save_figures(result, folder)
    if not as_json:
        click.echo(f"\nfigures: {folder}/ ({', '.join(sorted(paths))})")


@main.command()
@click.argument("case")
@click.option("--drop", multiple=True, metavar="ID", help="Leave out an item (or every item of a source). Repeatable.")
@click.option(
    "--set", "set_", multiple=True, metavar="ITEM.HYP=RATING", help="Re-rate one cell, e.g. E3.KH=unlikely. Repeatable."
)
@click.option(
    "--reliability", multiple=True, metavar="SOURCE=VALUE", help="New reliability, e.g. us-gov=0.3 or us-gov=D."
)
@click.option("--credibility", multiple=True, metavar="ITEM=VALUE", help="New credibility, e.g. E5=4.")
@click.option("--prior", multiple=True, metavar="HYP=WEIGHT", help="New prior weight, e.g. ISIS=30.")
@click.option("--json", "as_json", is_flag=True, help="Print before and after as JSON.")
@_friendly_errors
def whatif(case, drop, set_, reliability, credibility, prior, as_json):
    """Old against new posterior after edits given on the command line. The case file is never changed."""
    from .scenario import whatif as run

    def pairs(values, option):
        out = {}
        for text in values:
            key, sep, value = text.partition("=")
            if not sep or not key or not value:
                raise click.BadParameter(f"'{text}' is not KEY=VALUE", param_hint=option)
            out[key.strip()] = _scalar(value.strip())
        return out

    w = run(
        _load(case),
        drop=list(drop),
        set=pairs(set_, "--set"),
        reliability=pairs(reliability, "--reliability"),
        credibility=pairs(credibility, "--credibility"),
        prior=pairs(prior, "--prior"),
    )
    if as_json:
        click.echo(json.dumps(w.to_dict(), indent=2, ensure_ascii=False))
        return
    for change in w.changes or ["(no changes)"]:
        click.echo(f"  {change}")
    click.echo()
    width = max(len(h) for h in w.before.hypotheses)
    click.echo(f"  {'':<{width}}  {'before':>7}  {'after':>7}  {'change':>8}")
    for j in w.before.order:
        h = w.before.hypotheses[j]
        b, a = w.before.posterior[j], w.after.posterior[j]
        click.echo(f"  {h:<{width}}  {100 * b:6.1f}%  {100 * a:6.1f}%  {100 * (a - b):+7.1f}pp")
    verdict = "stays" if w.after.leading == w.before.leading else f"changes to {w.after.leading}"
    click.echo(f"\nThe leading hypothesis {verdict} ({w.before.leading} before).")


@main.command()
@click.argument("case")
@click.option("--json", "as_json", is_flag=True, help="Print the ranking as JSON.")
@_friendly_errors
def collect(case, as_json):
    """Rank the case's candidate observations by expected information gain;
    name the hypotheses hardest to tell apart."""
    from .analysis import analyze as run

    result = run(_load(case), sample=False)
    if as_json:
        click.echo(json.dumps(result.to_dict()["collection"], indent=2, ensure_ascii=False))
        return
    lead = result.hypotheses.index(result.leading)
    if result.collection:
        click.echo(
            f"Candidate observations, most informative first (now: {result.leading} {100 * result.posterior[lead]:.0f} %):\n"
        )
        click.echo(
            f"  {'id':<6} {'P(seen)':>7}  {result.leading + ' if seen':>12}  {'if not':>7}  {'gain (bits)':>11}  {'P gain':>6}  text"
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


def _scalar(text: str):
    """A command-line value as YAML would read it: 0.3 -> float, 2 -> int, D -> str."""
    for kind in (int, float):
        try:
            return kind(text)
        except ValueError:
            pass
    return text


def _print_sensitivity(result, top: int) -> None:
    sens, inp = result.sensitivity, result.inputs
    lead = result.leading
    click.echo(f"Leading hypothesis: {lead} ({100 * result.posterior[result.hypotheses.index(lead)]:.1f} %)\n")
    linchpins = [inp.items[i] for i in sens.loo.item_linchpins] + [inp.sources[s] for s in sens.loo.source_linchpins]
    click.echo("Linchpins (removing one alone changes the leader): " + (", ".join(linchpins) or "none"))
    click.echo(f"\nTornado: P({lead}) as each input swings across its 5-95 % range (widest first)")
    for s in sens.tornado[:top]:
        click.echo(
            f"  {s.label:<40} {s.low:6.3f} -> {s.high:6.3f}   P({lead}) {100 * s.p_low:5.1f}% -> {100 * s.p_high:5.1f}%"
        )
    click.echo("\nThresholds: how far an item's likelihood ratio must fall for a rival to lead")
    for t in sorted(sens.thresholds, key=lambda t: t.factor)[:top]:
        how = f"{t.factor:.2f}-fold" if t.factor < float("inf") else "cannot overturn alone"
        click.echo(f"  {t.item:<8} {lead}:{t.rival} ratio {t.ratio:6.2f}   {how}")
    if sens.prior is not None:
        p = sens.prior
        click.echo(
            f"\nPrior: you would need to believe beforehand that {p.rival} is {p.odds_needed:.2f} times as likely "
            f"as {lead} (now {p.odds_now:.2f}) for {p.rival} to lead."
        )
    dates, post = sens.timeline
    click.echo("\nTimeline (posterior after each date):")
    for d, row in zip(dates, post):
        click.echo(f"  {d:<12} " + "  ".join(f"{h} {100 * p:4.0f}%" for h, p in zip(result.hypotheses, row)))


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


# Commands that live in their own modules register themselves on `main`.
from . import cli_edit, cli_formats  # noqa: E402,F401

if __name__ == "__main__":  # pragma: no cover
    main()
