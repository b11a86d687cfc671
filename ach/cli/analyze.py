"""``ach validate``, ``analyze``, ``report``, ``sensitivity``, ``whatif``, ``collect``, ``schema``."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from ..formatting import count
from .common import (
    EXIT_INVALID,
    AchCommand,
    KeyValue,
    emit_json,
    load_case,
    sampling_options,
    say,
    show_diagnostics,
    show_progress,
)
from .tables import print_collection, print_sensitivity, print_summary, print_whatif

__all__ = ["COMMANDS"]


def _analyze(case, no_sample, sampler, seed, draws, tune, chains, quiet):
    from ..analysis import analyze

    show_progress(quiet)
    return analyze(
        case,
        sample=not no_sample,
        sampler=sampler,
        seed=seed,
        draws=draws,
        tune=tune,
        chains=chains,
        progress=not quiet,
    )


@click.command(cls=AchCommand)
@click.argument("cases", nargs=-1, required=True)
@click.option("--strict", is_flag=True, help="Treat warnings as errors.")
@click.option("--json", "as_json", is_flag=True, help="Print every problem as JSON on stdout.")
def validate(cases, strict, as_json):
    """Check case files; list every error and warning with file, line and field.

    Use - to read a case from standard input.
    """
    from ..casefile import check

    failed, report_rows = False, []
    for path in cases:
        case, diagnostics = check(path)
        errors = [d for d in diagnostics if d.is_error]
        warnings = [d for d in diagnostics if not d.is_error]
        failed |= bool(errors) or (strict and bool(warnings))
        acknowledged = case.acknowledged if case is not None else ()
        report_rows.append(
            {
                "path": path,
                "valid": case is not None,
                "diagnostics": [d.to_dict() for d in diagnostics],
                "acknowledged": [{**d.to_dict(), "why": why} for d, why in acknowledged],
            }
        )
        if as_json:
            continue
        show_diagnostics(diagnostics)
        if case is None:
            click.echo(f"{path}: invalid ({count(errors, 'error')}, {count(warnings, 'warning')})", err=True)
        else:
            named = [s for s in case.sources if not s.implicit]
            counts = f"{count(case.hypotheses, 'hypothesis', 'hypotheses')}, {count(case.evidence, 'item')}, {count(named, 'source')}"
            notes = [f"{count(warnings, 'warning')}{', failing under --strict' if strict else ''}"] if warnings else []
            notes += [f"{len(acknowledged)} acknowledged"] if acknowledged else []
            note = f" ({'; '.join(notes)})" if notes else ""
            click.echo(f"{path}: valid: {counts}{note}")
    if as_json:
        emit_json(report_rows)
    sys.exit(EXIT_INVALID if failed else 0)


@click.command(cls=AchCommand)
@click.argument("case")
@click.option("--json", "as_json", is_flag=True, help="Print every number as JSON (the stable contract in the README).")
@click.option(
    "--pairwise", is_flag=True, help="With --json: each item's decibans between every two hypotheses (n² per item)."
)
@sampling_options
def analyze(case, as_json, pairwise, **options):
    """Posterior probabilities, weights of evidence, classic scores and (unless --no-sample) their uncertainty."""
    result = _analyze(load_case(case), **options)
    if as_json:
        emit_json(result.to_dict(pairwise=pairwise))
        return
    print_summary(result)


@click.command(cls=AchCommand)
@click.argument("case")
@click.option(
    "--out", "-o", type=click.Path(file_okay=False), help="Folder for the report (default: reports/<case name>)."
)
@click.option("--pdf", is_flag=True, help="Also report.pdf (A4), printed by headless Chromium: pip install 'ach[pdf]'.")
@click.option(
    "--brief",
    is_flag=True,
    help="Also brief.html and brief.md (bottom line, key judgments, linchpins); brief.pdf with --pdf.",
)
@click.option(
    "--team",
    "team_paths",
    multiple=True,
    type=click.Path(exists=True),
    help="Analysts' files of the same matrix (a file, or a folder of them; repeat for more): adds a team "
    "section with their pooled judgment (docs/MODEL.md §8).",
)
@click.option(
    "--key",
    type=click.Path(dir_okay=False),
    help="A practice key (key/answers.yaml): the truth of a practice case, so the report gains its post-mortem.",
)
@sampling_options
def report(case, out, pdf, brief, team_paths, key, **options):
    """Write report.html, report.md and figures/ for a case; --brief adds a short brief beside them,
    --pdf prints the report (and the brief) to PDF, --team adds the team's section, --key a practice
    case's post-mortem."""
    loaded = load_case(case)
    if key:
        from ..track.key import with_key

        loaded = with_key(loaded, key)
    result = _analyze(loaded, **options)
    sections = [_team_section(result, team_paths, options)] if team_paths else []
    folder = Path(out) if out else Path("reports") / result.case.name
    if not options["quiet"]:
        say("drawing the figures and writing the report")
    from ..report import Report

    document = Report(result, sections=sections, workers=os.cpu_count() or 1)  # figures drawn on every core
    paths = document.save(folder, brief=brief)
    click.echo(result.bottom_line())
    written = [paths[key] for key in ("html", "markdown", "brief_html", "brief_markdown") if key in paths]
    if pdf:
        from ..report.pdf import PdfError

        if not options["quiet"]:
            say("printing the PDF")
        try:
            printed = document.save_pdf(folder, brief=brief)
        except PdfError as exc:
            _list_written(written)
            click.echo(f"ach: {exc}", err=True)
            click.echo("    the HTML and Markdown files above were written; no PDF was", err=True)
            sys.exit(EXIT_INVALID)
        written += printed.values()
    _list_written(written)


def _team_section(result, team_paths, options):
    from ..team import analyze_team
    from ..team.report import check_matches, team_section

    files = [f for p in map(Path, team_paths) for f in (sorted(p.glob("*.y*ml")) if p.is_dir() else [p])]
    team = analyze_team(
        [str(f) for f in files],
        draws=options["draws"] or 1000,
        tune=options["tune"],
        chains=options["chains"],
        seed=options["seed"],
    )
    check_matches(team, result.case)
    return team_section(team, case_posterior=dict(zip(result.hypotheses, map(float, result.posterior))))


def _list_written(paths) -> None:
    for n, path in enumerate(paths):
        click.echo(f"{'report:' if n == 0 else '':8}{path}")


@click.command(cls=AchCommand)
def schema():
    """Print the JSON Schema of case files (for editors and other tools)."""
    from ..casefile import schema as case_schema

    emit_json(case_schema())


@click.command(cls=AchCommand)
@click.argument("case")
@click.option("--json", "as_json", is_flag=True, help="Print the sensitivity numbers as JSON.")
@click.option(
    "--out",
    "-o",
    type=click.Path(file_okay=False),
    help="Folder for the figures (default: reports/<case name>/figures).",
)
@click.option("--top", type=click.IntRange(1), default=10, show_default=True, help="Rows per table.")
@sampling_options
def sensitivity(case, as_json, out, top, **options):
    """Linchpins, tornado, thresholds, reliability sweeps and timeline (exact engine);
    with sampling, also the two PyMC robustness views."""
    result = _analyze(load_case(case), **options)
    if as_json:
        d = result.to_dict()
        emit_json({"sensitivity": d["sensitivity"], "bayes": d.get("bayes"), "forward": d.get("forward")})
    else:
        print_sensitivity(result, top)
    from ..plots import save_figures

    folder = Path(out) if out else Path("reports") / result.case.name / "sensitivity"
    paths = save_figures(result, folder)
    if not as_json:
        click.echo(f"\nfigures: {folder}/ ({', '.join(sorted(paths))})")


@click.command(cls=AchCommand)
@click.argument("case")
@click.option("--drop", multiple=True, metavar="ID", help="Leave out an item (or every item of a source). Repeatable.")
@click.option(
    "--set",
    "set_",
    multiple=True,
    type=KeyValue(),
    metavar="ITEM.HYP=RATING",
    help="Re-rate one cell, e.g. E3.KH=unlikely. Repeatable.",
)
@click.option(
    "--reliability",
    multiple=True,
    type=KeyValue(),
    metavar="SOURCE=VALUE",
    help="New reliability, e.g. us-gov=0.3 or us-gov=D.",
)
@click.option("--credibility", multiple=True, type=KeyValue(), metavar="ITEM=VALUE", help="New credibility, e.g. E5=4.")
@click.option("--prior", multiple=True, type=KeyValue(), metavar="HYP=WEIGHT", help="New prior weight, e.g. ISIS=30.")
@click.option("--json", "as_json", is_flag=True, help="Print before and after as JSON.")
def whatif(case, drop, set_, reliability, credibility, prior, as_json):
    """Old against new posterior after edits given on the command line. The case file is never changed."""
    from ..analysis import whatif as run_whatif

    w = run_whatif(
        load_case(case),
        drop=list(drop),
        set=dict(set_),
        reliability=dict(reliability),
        credibility=dict(credibility),
        prior=dict(prior),
    )
    if as_json:
        emit_json(w.to_dict())
        return
    print_whatif(w)


@click.command(cls=AchCommand)
@click.argument("case")
@click.option("--json", "as_json", is_flag=True, help="Print the ranking as JSON.")
def collect(case, as_json):
    """Rank the case's candidate observations by expected information gain;
    name the hypotheses hardest to tell apart."""
    from ..analysis import analyze as run_analysis

    result = run_analysis(load_case(case), sample=False)
    if as_json:
        emit_json(result.to_dict()["collection"])
        return
    print_collection(result)


COMMANDS = (validate, analyze, report, schema, sensitivity, whatif, collect)
