"""`ach new`, `ach add`, `ach rate`, `ach set`, `ach rm`, `ach diff`: editing case files (registered by ach.cli).

The editing commands change the case file in place, keep its comments and
layout, refuse an edit that would make the file invalid (exit 1, every
problem listed, the file untouched) and write atomically. See docs/EDITING.md.
"""

from __future__ import annotations

import functools
import json

import click

from .cli import _friendly_errors, _load, _scalar, fail_on, main

KIND = click.Choice(["hypothesis", "source", "evidence", "candidate"])


def _edit_errors(fn):
    """A refused edit: its located problems on stderr, 'CASE was not changed', exit 1.
    Anything else goes to the usual handler (no tracebacks)."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        from .diagnostics import CaseError

        try:
            return fn(*args, **kwargs)
        except CaseError as exc:
            fail_on(exc, f"{kwargs.get('case') or kwargs.get('path') or 'the file'} was not changed")

    return _friendly_errors(wrapper)


def _dry_run(fn):
    return click.option("--dry-run", "-n", is_flag=True, help="Show the change as a diff; write nothing.")(fn)


def _value(text):
    """A command-line value as YAML would read it (0.3 a number, D a letter); None stays None."""
    return None if text is None else _scalar(text.strip())


def _report(edit, dry_run: bool) -> None:
    """What the edit did, what it left to do, new warnings, and how the posterior moved."""
    if dry_run:
        click.echo(edit.unified_diff(), nl=False)
        click.echo(f"dry run: {edit.path} was not changed", err=True)
        return
    if not edit.written:
        click.echo(f"{edit.path}: no change (the file already says that)")
        return
    for change in edit.changes:
        click.echo(f"{edit.path}: {change}")
    for d in edit.warnings:
        click.echo(str(d), err=True)
    for line in edit.todo:
        click.echo(f"  to do: {line}")
    if edit.case is None:
        click.echo(f"  the file still has errors it had before: run `ach validate {edit.path}`", err=True)
        return
    click.echo("  " + _posterior_line(edit.old_case, edit.case))


def _posterior_line(old, new) -> str:
    from .casediff import _posterior

    after = _posterior(new)
    before = _posterior(old) if old is not None else None
    order = sorted(after, key=lambda h: -after[h])
    if before is None or set(before) != set(after):
        return "posterior now: " + ", ".join(f"{h} {100 * after[h]:.1f} %" for h in order)
    parts = []
    for h in order:
        a, b = after[h], before[h]
        parts.append(f"{h} {100 * a:.1f} %" + (f" ({100 * (a - b):+.1f})" if abs(a - b) >= 5e-4 else ""))
    return "posterior now (change in points): " + ", ".join(parts)


# -- ach new ---------------------------------------------------------------------------------


@main.command()
@click.argument("path", metavar="CASE")
@click.option(
    "--question",
    "-q",
    default="TODO: the one question the hypotheses answer",
    help="The question the hypotheses answer.",
)
@click.option(
    "--hypothesis",
    "-H",
    "hypotheses",
    multiple=True,
    metavar='"ID: TITLE"',
    help='A hypothesis, e.g. "KH: Kataib Hezbollah". Repeatable; at least two (none: two placeholders).',
)
@click.option("--catch-all", metavar="ID", help="Mark this hypothesis as the catch-all (everything not listed).")
@click.option("--title", help="Short title for reports.")
@click.option("--analyst", help="Who is doing the analysis.")
@_dry_run
@_edit_errors
def new(path, question, hypotheses, catch_all, title, analyst, dry_run):
    """Write a new, commented case file: question, hypotheses, one source and one example item.

    Never overwrites a file. Then fill in every TODO and use `ach add`,
    `ach rate`, `ach set` and `ach rm` to grow it.
    """
    from .editing import new_case

    pairs = []
    for text in hypotheses:
        hid, sep, htitle = text.partition(":")
        if not sep or not hid.strip() or not htitle.strip():
            raise click.BadParameter(f"'{text}' is not \"ID: TITLE\"", param_hint="--hypothesis")
        pairs.append((hid.strip(), htitle.strip()))
    if len(pairs) == 1:
        raise click.BadParameter(
            "give at least two hypotheses (or none, for two placeholders)", param_hint="--hypothesis"
        )
    if catch_all is not None and catch_all not in [h for h, _ in pairs]:
        raise click.BadParameter(f"'{catch_all}' is not one of the hypotheses given", param_hint="--catch-all")
    edit = new_case(path, question, pairs, title=title, catch_all=catch_all, analyst=analyst, write=not dry_run)
    if dry_run:
        click.echo(edit.after, nl=False)
        return
    click.echo(f"{path}: written: {edit.changes[0]}")
    for d in edit.warnings:
        click.echo(str(d), err=True)
    for line in edit.todo:
        click.echo(f"  to do: {line}")


# -- ach add ---------------------------------------------------------------------------------


@main.group()
def add():
    """Add a hypothesis, a source or an evidence item to a case file (in place, comments kept)."""


@add.command("hypothesis")
@click.argument("case")
@click.option("--id", "ident", required=True, help="Id of the new hypothesis.")
@click.option("--title", required=True, help="What the hypothesis says.")
@click.option("--prior", help="Prior weight (needed when the other hypotheses have one).")
@click.option("--catch-all", is_flag=True, help="This hypothesis stands for everything not listed.")
@click.option("--description", help="A longer description.")
@click.option(
    "--default-rating",
    metavar="RATING",
    help="Rating written in every item's new cell (default NA); needed when the case has candidate observations.",
)
@_dry_run
@_edit_errors
def add_hypothesis(case, ident, title, prior, catch_all, description, default_rating, dry_run):
    """Append a hypothesis. Every item gets a cell for it (NA, or --default-rating),
    marked `# TODO rate` so that none is forgotten."""
    from .editing import add_hypothesis as run

    edit = run(
        case,
        ident,
        title,
        prior=_value(prior),
        catch_all=catch_all,
        description=description,
        default_rating=_value(default_rating),
        write=not dry_run,
    )
    _report(edit, dry_run)


@add.command("source")
@click.argument("case")
@click.option("--id", "ident", required=True, help="Id of the new source.")
@click.option("--reliability", "-r", required=True, help="A number in [0,1], low/medium/high, or Admiralty A-F.")
@click.option("--title", help="Who the source is.")
@click.option("--confidence", help="How sure you are of the reliability: low/medium/high.")
@click.option("--notes", help="Why that reliability.")
@_dry_run
@_edit_errors
def add_source(case, ident, reliability, title, confidence, notes, dry_run):
    """Append a source."""
    from .editing import add_source as run

    edit = run(case, ident, _value(reliability), title=title, confidence=confidence, notes=notes, write=not dry_run)
    _report(edit, dry_run)


@add.command("evidence")
@click.argument("case")
@click.option("--text", "-t", required=True, help="What was observed or reported.")
@click.option("--id", "ident", help="Id of the new item (default: the next one, e.g. E32 after E31).")
@click.option("--source", "-s", help="Id of a listed source (omit: the item is its own source).")
@click.option(
    "--rate",
    "rates",
    multiple=True,
    metavar="HYP=RATING",
    help="A likelihood, e.g. KH=likely or ISIS=0.2. Repeatable; hypotheses left out are written NA with `# TODO rate`.",
)
@click.option("--date", help="YYYY-MM-DD.")
@click.option("--type", "type_", help="claim, physical, testimony, ...")
@click.option("--confidence", help="Confidence in the likelihoods: low/medium/high.")
@click.option("--credibility", help="A number, low/medium/high, or Admiralty 1-6.")
@click.option("--relevance", help="low/medium/high (classic score weight).")
@click.option("--report", help="Citation: the report it comes from.")
@click.option("--quote", help="Citation: the sentence quoted.")
@click.option("--url", help="Citation: a link.")
@click.option("--notes", help="Free text.")
@_dry_run
@_edit_errors
def add_evidence(
    case,
    text,
    ident,
    source,
    rates,
    date,
    type_,
    confidence,
    credibility,
    relevance,
    report,
    quote,
    url,
    notes,
    dry_run,
):
    """Append an evidence item with its likelihoods."""
    from .editing import add_evidence as run

    ratings = {}
    for item in rates:
        hid, sep, rating = item.partition("=")
        if not sep or not hid.strip() or not rating.strip():
            raise click.BadParameter(f"'{item}' is not HYP=RATING", param_hint="--rate")
        ratings[hid.strip()] = _value(rating)
    edit = run(
        case,
        text,
        ratings,
        id=ident,
        source=source,
        date=date,
        type=type_,
        confidence=confidence,
        credibility=_value(credibility),
        relevance=relevance,
        notes=notes,
        report=report,
        quote=quote,
        url=url,
        write=not dry_run,
    )
    _report(edit, dry_run)


# -- ach rate, set, rm -----------------------------------------------------------------------


@main.command()
@click.argument("case")
@click.argument("item")
@click.argument("hypothesis")
@click.argument("rating", nargs=-1, required=True)
@click.option("--why", help='Replace the comment on the cell\'s line (--why "" removes it).')
@click.option(
    "--kind",
    type=click.Choice(["evidence", "candidate"]),
    help="Say whether ITEM is an item or a candidate (when both have that id).",
)
@_dry_run
@_edit_errors
def rate(case, item, hypothesis, rating, why, kind, dry_run):
    """Set one cell: how expected ITEM is under HYPOTHESIS, e.g. `ach rate k1.yaml E07 KH likely`.

    RATING is an ICD 203 term (very likely: no quotes needed), a probability,
    or a classic rating CC C N I II NA. The comment on the line stays unless
    --why replaces it.
    """
    from .editing import rate as run

    edit = run(case, item, hypothesis, _value(" ".join(rating)), why=why, kind=kind, write=not dry_run)
    _report(edit, dry_run)


@main.command("set")
@click.argument("case")
@click.argument("ident", metavar="ID")
@click.option("--kind", type=KIND, help="What ID names, when several kinds share it.")
@click.option("--title", help="hypothesis, source")
@click.option("--description", help="hypothesis")
@click.option("--prior", help="hypothesis: prior weight")
@click.option("--catch-all/--no-catch-all", default=None, help="hypothesis")
@click.option("--reliability", help="source: number, low/medium/high, Admiralty A-F")
@click.option("--confidence", help="source (of its reliability) or item (of its likelihoods): low/medium/high")
@click.option("--text", help="item, candidate")
@click.option("--source", help="item: id of a listed source")
@click.option("--date", help="item: YYYY-MM-DD")
@click.option("--type", "type_", help="item")
@click.option("--credibility", help="item, candidate: number, low/medium/high, Admiralty 1-6")
@click.option("--credibility-confidence", help="item: low/medium/high")
@click.option("--relevance", help="item: low/medium/high")
@click.option("--notes", help="source, item, candidate")
@click.option(
    "--unset", multiple=True, metavar="FIELD", help="Remove an optional field, e.g. --unset notes. Repeatable."
)
@_dry_run
@_edit_errors
def set_(
    case,
    ident,
    kind,
    title,
    description,
    prior,
    catch_all,
    reliability,
    confidence,
    text,
    source,
    date,
    type_,
    credibility,
    credibility_confidence,
    relevance,
    notes,
    unset,
    dry_run,
):
    """Change fields of a hypothesis, source, item or candidate, e.g.
    `ach set k1.yaml E07 --credibility high` or `ach set k1.yaml us-gov --reliability B`.

    ID may name any of them; the kind is the one that has that id (and the
    fields given). When two kinds share the id, say which with --kind.
    """
    from .editing import set_fields

    if (
        all(
            v is None
            for v in (
                title,
                description,
                prior,
                catch_all,
                reliability,
                confidence,
                text,
                source,
                date,
                type_,
                credibility,
                credibility_confidence,
                relevance,
                notes,
            )
        )
        and not unset
    ):
        raise click.UsageError("nothing to change: give at least one option, e.g. --credibility high")
    fields = {
        "title": title,
        "description": description,
        "prior": _value(prior),
        "catch_all": catch_all,
        "reliability": _value(reliability),
        "confidence": confidence,
        "text": text,
        "source": source,
        "date": date,
        "type": type_,
        "credibility": _value(credibility),
        "credibility_confidence": credibility_confidence,
        "relevance": relevance,
        "notes": notes,
    }
    edit = set_fields(
        case, ident, kind=kind, unset=tuple(u.replace("-", "_") for u in unset), write=not dry_run, **fields
    )
    _report(edit, dry_run)


@main.command()
@click.argument("case")
@click.argument("ident", metavar="ID")
@click.option("--kind", type=KIND, help="What ID names, when several kinds share it.")
@_dry_run
@_edit_errors
def rm(case, ident, kind, dry_run):
    """Remove an item, a candidate, a source no item uses, or a hypothesis
    (with its cell in every item; at least two hypotheses must remain)."""
    from .editing import remove

    edit = remove(case, ident, kind=kind, write=not dry_run)
    _report(edit, dry_run)


# -- ach diff --------------------------------------------------------------------------------


@main.command("diff")
@click.argument("old")
@click.argument("new")
@click.option("--json", "as_json", is_flag=True, help="Print the changes and posterior moves as JSON.")
@_friendly_errors
def diff_(old, new, as_json):
    """What changed from OLD to NEW and how each change moved the posterior.

    Each change is applied to OLD in turn, in the order listed (hypotheses,
    priors, sources, removed, changed, added items), and the exact posterior
    is recomputed: the moves add up to the total, and another order would
    split it differently. Use - for one file read from standard input
    (e.g. `git show HEAD:case.yaml | ach diff - case.yaml`).
    """
    from .casediff import ORDER_NOTE, compare

    c = compare(_load(old), _load(new))
    if as_json:
        click.echo(json.dumps({"old": old, "new": new, **c.to_dict()}, indent=2, ensure_ascii=False))
        return
    changes = c.changes
    click.echo(f"{old} → {new}: {len(changes) or 'no'} change{'s' if len(changes) != 1 else ''}")
    if c.removed or c.added:
        click.echo(
            f"hypotheses removed: {', '.join(c.removed) or 'none'}; added: {', '.join(c.added) or 'none'}. "
            "They cannot be compared hypothesis by hypothesis; the moves below are for the hypotheses both "
            "files share, renormalised to sum to 100 % over them."
        )
    hyps = c.compared
    width = max([len(ch.describe()) for ch in changes] + [len("total"), 20])
    width = min(width, 72)
    if changes:
        click.echo()
        click.echo(f"  {'change':<{width}}  " + "  ".join(f"{h:>8}" for h in hyps))
        for ch in changes:
            text = ch.describe()
            text = text if len(text) <= width else text[: width - 1] + "…"
            click.echo(f"  {text:<{width}}  " + "  ".join(_pp(ch.move[h]) for h in hyps))
        click.echo(f"  {'total':<{width}}  " + "  ".join(_pp(c.total[h]) for h in hyps))
        click.echo("\n  moves in percentage points" + (f"; {ORDER_NOTE}" if len(changes) > 1 else ""))
    click.echo("\nposterior" + (" (shared hypotheses, renormalised)" if c.renormalised else "") + ":")
    old_p, new_p = c.compared_old, c.compared_new
    for h in sorted(hyps, key=lambda h: -new_p[h]):
        click.echo(f"  {h:<10} {100 * old_p[h]:6.1f} % → {100 * new_p[h]:6.1f} %  ({100 * (new_p[h] - old_p[h]):+.1f})")
    if c.renormalised:
        click.echo("posterior as computed in each file:")
        click.echo("  old: " + ", ".join(f"{h} {100 * p:.1f} %" for h, p in c.old_posterior.items()))
        click.echo("  new: " + ", ".join(f"{h} {100 * p:.1f} %" for h, p in c.new_posterior.items()))


def _pp(x: float) -> str:
    v = 100 * x
    return f"{'0':>8}" if abs(v) < 0.05 else f"{v:+8.1f}"
