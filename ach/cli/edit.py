"""``ach new``, ``ach add``, ``ach rate``, ``ach set``, ``ach rm``: editing case files.

The editing commands change the case file in place, keep its comments and
layout, refuse an edit that would make the file invalid (exit 1, every
problem listed, the file untouched) and write atomically. See docs/EDITING.md.
"""

from __future__ import annotations

import click

from .. import editing
from ..exact import posterior_by_id
from .common import AchCommand, AchGroup, Pairs, show_diagnostics, yaml_value

__all__ = ["COMMANDS"]

KIND = click.Choice(["hypothesis", "source", "evidence", "candidate"])


def _not_changed(params) -> str:
    return f"{params.get('case') or params.get('path') or 'the file'} was not changed"


def _dry_run(fn):
    return click.option("--dry-run", "-n", is_flag=True, help="Show the change as a diff; write nothing.")(fn)


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
    show_diagnostics(edit.warnings)
    for line in edit.todo:
        click.echo(f"  to do: {line}")
    if edit.case is None:
        click.echo(f"  the file still has errors it had before: run `ach validate {edit.path}`", err=True)
        return
    click.echo("  " + _posterior_line(edit.old_case, edit.case))


def _posterior_line(old, new) -> str:
    after = posterior_by_id(new)
    before = posterior_by_id(old) if old is not None else None
    order = sorted(after, key=lambda h: -after[h])
    if before is None or set(before) != set(after):
        return "posterior now: " + ", ".join(f"{h} {100 * after[h]:.1f} %" for h in order)
    parts = []
    for h in order:
        a, b = after[h], before[h]
        parts.append(f"{h} {100 * a:.1f} %" + (f" ({100 * (a - b):+.1f})" if abs(a - b) >= 5e-4 else ""))
    return "posterior now (change in points): " + ", ".join(parts)


# -- ach new ---------------------------------------------------------------------------------


@click.command(cls=AchCommand, outcome=_not_changed)
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
@click.option("--description", help="What happened and what the case is built from.")
@click.option("--date", help="The date the analysis speaks for, YYYY-MM-DD (default: today).")
@click.option("--as-of", help="Items dated later are hindsight, YYYY-MM-DD (default: --date).")
@click.option("--handling", help='The handling line of every report, e.g. "UNCLASSIFIED // FOR TRAINING".')
@_dry_run
def new(path, question, hypotheses, catch_all, title, analyst, description, date, as_of, handling, dry_run):
    """Write a new, commented case file: question, hypotheses, one source and one example item.

    Never overwrites a file. Then fill in every TODO and use `ach add`,
    `ach rate`, `ach set` and `ach rm` to grow it.
    """
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
    edit = editing.new_case(
        path,
        question,
        pairs,
        title=title,
        catch_all=catch_all,
        analyst=analyst,
        description=description,
        date=date,
        as_of=as_of,
        handling=handling,
        write=not dry_run,
    )
    if dry_run:
        click.echo(edit.after, nl=False)
        return
    click.echo(f"{path}: written: {edit.changes[0]}")
    show_diagnostics(edit.warnings)
    for line in edit.todo:
        click.echo(f"  to do: {line}")


# -- ach add ---------------------------------------------------------------------------------


@click.group(cls=AchGroup)
def add():
    """Add a hypothesis, a source, an evidence item or a candidate observation to a case file (in place, comments kept)."""


@add.command("hypothesis", outcome=_not_changed)
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
def add_hypothesis(case, ident, title, prior, catch_all, description, default_rating, dry_run):
    """Append a hypothesis. Every item gets a cell for it (NA, or --default-rating),
    marked `# TODO rate` so that none is forgotten."""
    edit = editing.add_hypothesis(
        case,
        ident,
        title,
        prior=yaml_value(prior),
        catch_all=catch_all,
        description=description,
        default_rating=yaml_value(default_rating),
        write=not dry_run,
    )
    _report(edit, dry_run)


@add.command("source", outcome=_not_changed)
@click.argument("case")
@click.option("--id", "ident", required=True, help="Id of the new source.")
@click.option("--reliability", "-r", required=True, help="A number in [0,1], low/medium/high, or Admiralty A-F.")
@click.option("--title", help="Who the source is.")
@click.option("--confidence", help="How sure you are of the reliability: low/medium/high.")
@click.option("--notes", help="Why that reliability.")
@_dry_run
def add_source(case, ident, reliability, title, confidence, notes, dry_run):
    """Append a source."""
    edit = editing.add_source(
        case, ident, yaml_value(reliability), title=title, confidence=confidence, notes=notes, write=not dry_run
    )
    _report(edit, dry_run)


@add.command("evidence", outcome=_not_changed)
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
    edit = editing.add_evidence(
        case,
        text,
        _ratings(rates),
        id=ident,
        source=source,
        date=date,
        type=type_,
        confidence=confidence,
        credibility=yaml_value(credibility),
        relevance=relevance,
        notes=notes,
        report=report,
        quote=quote,
        url=url,
        write=not dry_run,
    )
    _report(edit, dry_run)


@add.command("candidate", outcome=_not_changed)
@click.argument("case")
@click.option("--text", "-t", required=True, help="The observation we could make (not made yet).")
@click.option("--id", "ident", help="Id of the new candidate (default: the next one, e.g. C4 after C3).")
@click.option(
    "--rate",
    "rates",
    multiple=True,
    metavar="HYP=RATING",
    help="How expected it would be under a hypothesis, e.g. KH=likely. One for every hypothesis (NA is not allowed).",
)
@click.option("--credibility", help="How far we could trust it if we got it: a number, low/medium/high, Admiralty 1-6.")
@click.option("--notes", help="Free text: how it could be collected, what it costs.")
@_dry_run
def add_candidate(case, text, ident, rates, credibility, notes, dry_run):
    """Append a candidate observation, which `ach collect` ranks by what it would tell."""
    edit = editing.add_candidate(
        case, text, _ratings(rates), id=ident, credibility=yaml_value(credibility), notes=notes, write=not dry_run
    )
    _report(edit, dry_run)


def _ratings(rates) -> dict:
    ratings = {}
    for item in rates:
        hid, sep, rating = item.partition("=")
        if not sep or not hid.strip() or not rating.strip():
            raise click.BadParameter(f"'{item}' is not HYP=RATING", param_hint="--rate")
        ratings[hid.strip()] = yaml_value(rating)
    return ratings


# -- ach rate, set, rm -----------------------------------------------------------------------


@click.command(cls=AchCommand, outcome=_not_changed)
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
def rate(case, item, hypothesis, rating, why, kind, dry_run):
    """Set one cell: how expected ITEM is under HYPOTHESIS, e.g. `ach rate k1.yaml E07 KH likely`.

    RATING is an ICD 203 term (very likely: no quotes needed), a probability,
    or a classic rating CC C N I II NA. The comment on the line stays unless
    --why replaces it.
    """
    edit = editing.rate(case, item, hypothesis, yaml_value(" ".join(rating)), why=why, kind=kind, write=not dry_run)
    _report(edit, dry_run)


# Options of `ach set` that change the case itself, and those that change the entry ID names.
CASE_OPTIONS = ("question", "analyst", "as_of", "handling", "default_reliability", "prior_concentration", "priors")
ENTRY_OPTIONS = (
    "prior",
    "catch_all",
    "reliability",
    "confidence",
    "text",
    "source",
    "type_",
    "credibility",
    "credibility_confidence",
    "relevance",
    "notes",
    "if_false",
)


@click.command("set", cls=AchCommand, outcome=_not_changed)
@click.argument("case")
@click.argument("ident", metavar="[ID]", required=False)
@click.option("--kind", type=KIND, help="What ID names, when several kinds share it.")
@click.option("--title", help="the case (no ID), hypothesis, source")
@click.option("--description", help="the case (no ID), hypothesis")
@click.option("--date", help="the case (no ID: the date the analysis speaks for), item: YYYY-MM-DD")
@click.option("--question", help="the case (no ID): the question the hypotheses answer")
@click.option("--analyst", help="the case (no ID): who made the judgment")
@click.option("--as-of", help="the case (no ID): YYYY-MM-DD; items dated later are hindsight")
@click.option("--handling", help="the case (no ID): the handling line printed on every report")
@click.option("--default-reliability", help="the case (no ID): reliability of an item with no source")
@click.option("--prior-concentration", help="the case (no ID): how firmly the priors are held (omit = fixed)")
@click.option(
    "--priors",
    type=Pairs(),
    metavar="HYP=W,...",
    help="the case (no ID): prior weights, e.g. KH=35,ISIS=20; in a case without priors the rest share what is left",
)
@click.option("--prior", help="hypothesis: prior weight (in a case without priors, the others share what is left)")
@click.option("--catch-all/--no-catch-all", default=None, help="hypothesis")
@click.option("--reliability", help="source: number, low/medium/high, Admiralty A-F")
@click.option("--confidence", help="source (of its reliability) or item (of its likelihoods): low/medium/high")
@click.option("--text", help="item, candidate")
@click.option("--source", help="item: id of a listed source")
@click.option("--type", "type_", help="item")
@click.option("--credibility", help="item, candidate: number, low/medium/high, Admiralty 1-6")
@click.option("--credibility-confidence", help="item: low/medium/high")
@click.option("--relevance", help="item: low/medium/high")
@click.option(
    "--if-false",
    metavar="P | HYP=P,...",
    help="item: P(report exists | not genuine): one number, or one per hypothesis (KH=0.2,ISIS=0.6,...)",
)
@click.option("--notes", help="source, item, candidate")
@click.option(
    "--unset", multiple=True, metavar="FIELD", help="Remove an optional field, e.g. --unset notes. Repeatable."
)
@_dry_run
def set_(case, ident, kind, unset, dry_run, priors, **options):
    """Change fields of the case, or of a hypothesis, source, item or candidate, e.g.
    `ach set k1.yaml E07 --credibility high`, `ach set k1.yaml us-gov --reliability B`,
    `ach set k1.yaml --analyst "J. Smith" --as-of 2020-02-06` or `ach set k1.yaml --priors KH=35,ISIS=20`.

    Without ID the options change the case itself. ID may name any entry; the
    kind is the one that has that id (and the fields given). When two kinds
    share the id, say which with --kind.
    """
    given = {k for k, v in options.items() if v is not None} | ({"priors"} if priors else set())
    if not given and not unset:
        raise click.UsageError("nothing to change: give at least one option, e.g. --credibility high")
    wrong = sorted(given & set(ENTRY_OPTIONS if ident is None else CASE_OPTIONS))
    if wrong:
        flags = ", ".join("--" + w.rstrip("_").replace("_", "-") for w in wrong)
        raise click.UsageError(
            f"{flags} {'change' if len(wrong) > 1 else 'changes'} "
            + (
                "an entry: give its ID, e.g. ach set CASE E07 ..."
                if ident is None
                else "the case itself: leave out the ID"
            )
        )
    if kind is not None and ident is None:
        raise click.UsageError("--kind says what ID names: give the ID")
    read_as_yaml = ("prior", "reliability", "credibility", "default_reliability", "prior_concentration", "if_false")
    fields = {
        name.rstrip("_"): _number_or_mapping(value, name) if name in read_as_yaml else value
        for name, value in options.items()
    }
    unset = tuple(u.replace("-", "_") for u in unset)

    def edit(doc):
        if priors:
            doc.set_priors(dict(priors))
        if any(v is not None for v in fields.values()) or unset:
            doc.set_fields(ident, kind=kind, unset=unset, **fields)

    _report(editing.apply(case, edit, write=not dry_run), dry_run)


def _number_or_mapping(value, name: str):
    """A value as the case file would read it; ``--if-false KH=0.2,ISIS=0.6`` as a mapping."""
    if value is None or name != "if_false" or "=" not in value:
        return yaml_value(value)
    return dict(Pairs().convert(value, None, None))


@click.command(cls=AchCommand, outcome=_not_changed)
@click.argument("case")
@click.argument("ident", metavar="ID")
@click.option("--kind", type=KIND, help="What ID names, when several kinds share it.")
@_dry_run
def rm(case, ident, kind, dry_run):
    """Remove an item, a candidate, a source no item uses, or a hypothesis
    (with its cell in every item; at least two hypotheses must remain)."""
    edit = editing.remove(case, ident, kind=kind, write=not dry_run)
    _report(edit, dry_run)


COMMANDS = (new, add, rate, set_, rm)
