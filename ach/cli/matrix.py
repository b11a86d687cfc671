"""``ach matrix``: the evidence matrix itself, in the terminal, each cell coloured by its weight of evidence.

A cell shows the rating as the analyst wrote it; its colour is what the
rating does once the item's source and credibility are taken into account:
the item's weight of evidence for that hypothesis against the rest, in
decibans (the JSON's ``evidence[].woe_db``). Blue supports, red counts
against, as in the report's matrix figure. Rich draws the table, and only
when the command runs (``ach --help`` stays quick); on a pipe or a file, or
with ``--no-color``, the output is plain text.
"""

from __future__ import annotations

import math
import os
import sys

import click

from .common import AchCommand, load_case, show_diagnostics

__all__ = ["BANDS", "COMMANDS", "cell_text", "woe_band", "woe_style"]

# (lowest |dB|, name, style against, style for); the first band whose bound |dB| reaches is the cell's.
# Red against, blue for, as in the report's heat map; named ANSI colours, so that a 16-colour terminal
# shows them as a true-colour one does, on a dark background as on a light one.
BANDS = (
    (3.0, "strong", "bold white on red", "bold white on blue"),
    (1.0, "moderate", "bold bright_red", "bold bright_blue"),
    (0.1, "weak", "red", "blue"),
)
NEUTRAL = ""  # below the weakest band, and a weight that is not a number: the terminal's own colours
TEXT_WIDTH = 44  # an item's text is cut to this many characters (at a word); the report has it whole


def woe_band(db: float) -> tuple[int, str]:
    """(sign, band) of a weight of evidence in dB: (+1, 'strong') for +3 dB or more, (0, 'neutral') near 0."""
    db = float(db)
    if math.isnan(db):
        return 0, "neutral"
    for bound, name, _, _ in BANDS:
        if abs(db) >= bound:
            return (1 if db > 0 else -1), name
    return 0, "neutral"


def woe_style(db: float) -> str:
    """The Rich style of a cell whose weight of evidence is ``db``: blue for, red against, plain when neutral."""
    sign, name = woe_band(db)
    if sign == 0:
        return NEUTRAL
    against, for_ = next((a, f) for _, n, a, f in BANDS if n == name)
    return for_ if sign > 0 else against


def cell_text(belief) -> str:
    """A rating as the analyst wrote it: 'likely', '0.15', 'N'; NA for a cell rated not applicable."""
    if belief is None:
        return "NA"
    return belief.label or f"{belief.mean:g}"


def _legend() -> list:
    """Two lines: what the colour measures, then a swatch of every band from most against to most for."""
    from rich.text import Text

    swatches = Text("  ")
    for bound, name, against, _ in BANDS:
        swatches.append(f"{name} against ≤ −{bound:g}", style=against).append("  ")
    swatches.append("neutral").append("  ")
    for bound, name, _, for_ in reversed(BANDS):
        swatches.append(f"{name} for ≥ +{bound:g}", style=for_).append("  ")
    return ["Colour: the item's weight of evidence for the column's hypothesis against the rest, in dB", swatches]


def _matrix_table(result, *, later: set[str], coloured: bool, with_db: bool, hypotheses_as_rows: bool):
    """The matrix as a Rich table: items down, hypotheses across (or the other way round)."""
    from rich import box
    from rich.table import Table
    from rich.text import Text

    from ..formatting import db, short

    case, hyps, woe = result.case, result.hypotheses, result.item_woe

    def cell(i: int, e, j: int) -> Text:
        text = cell_text(e.likelihood.get(hyps[j])) + (f" {db(woe[i, j])}" if with_db else "")
        style = woe_style(woe[i, j]) if coloured else NEUTRAL
        return Text(text, style=style)

    table = Table(box=box.SIMPLE_HEAD, pad_edge=False, show_edge=False)
    if hypotheses_as_rows:
        table.add_column("hypothesis", min_width=max(len(h) for h in [*hyps, "hypothesis"]))
        for e in case.evidence:
            words = [w for h in hyps for w in cell_text(e.likelihood.get(h)).split()]
            table.add_column(
                e.id, header_style="italic" if e.id in later else "bold", min_width=max(len(w) for w in [*words, e.id])
            )
        for j, h in enumerate(hyps):
            table.add_row(h, *(cell(i, e, j) for i, e in enumerate(case.evidence)))
        return table
    table.add_column("id", min_width=max(len(e.id) for e in case.evidence))
    table.add_column("item", max_width=TEXT_WIDTH, min_width=8)  # the first to give way to a narrow terminal
    table.add_column("source", min_width=6, overflow="ellipsis")
    for h in hyps:  # a rating wraps between its words, never inside one
        words = [w for e in case.evidence for w in cell_text(e.likelihood.get(h)).split()]
        table.add_column(h, min_width=max([len(w) for w in words] + [len(h)]))
    for i, e in enumerate(case.evidence):
        table.add_row(
            e.id,
            Text(short(e.text, TEXT_WIDTH), no_wrap=True, overflow="ellipsis"),
            e.source,
            *(cell(i, e, j) for j in range(len(hyps))),
            style="italic" if e.id in later else None,
        )
    return table


@click.command(cls=AchCommand, outcome="no matrix was printed")
@click.argument("case")
@click.option("--db", "with_db", is_flag=True, help="Print each cell's weight of evidence in dB beside its rating.")
@click.option(
    "--hypotheses-as-rows",
    is_flag=True,
    help="One row per hypothesis, one column per item: each hypothesis read against all the evidence.",
)
@click.option("--no-color", "--no-colour", "no_color", is_flag=True, help="Plain text, no colour.")
def matrix(case, with_db, hypotheses_as_rows, no_color):
    """The evidence matrix: each item's ratings as written, coloured by their weight of evidence.

    Rows are the items (id, text, source), columns the hypotheses; a cell is
    blue where the item supports the hypothesis against the rest, red where it
    counts against it, plain where it hardly matters (its source's reliability
    and the item's credibility included). Items dated after the case's as_of
    are shown in italics: the headline leaves them out. Colour only on a
    terminal; use --db for the numbers.
    """
    from rich.console import Console

    from ..analysis import analyze
    from ..formatting import short

    loaded = load_case(case)
    result = analyze(loaded, sample=False)
    full = result.later or result  # every item of the file, the later reporting included
    no_color = no_color or os.environ.get("NO_COLOR", "") != ""  # no-color.org: Rich would still print bold
    console = Console(
        file=sys.stdout,
        color_system=None if no_color else "auto",  # None: no escape codes at all, bold and italics included
        highlight=False,
        emoji=False,
        markup=False,
    )
    coloured = console.color_system is not None
    table = _matrix_table(
        full, later=set(result.hindsight), coloured=coloured, with_db=with_db, hypotheses_as_rows=hypotheses_as_rows
    )
    if not console.is_terminal:  # a file or a pipe: as wide as the table, never wrapped at 80 columns
        console.width = max(console.measure(table, options=console.options.update(width=100_000)).maximum, 80)
    else:  # Rich would crop the columns that do not fit: wider lines, wrapped by the terminal, lose nothing
        console.width = max(console.width, sum(c.min_width for c in table.columns) + 3 * (len(table.columns) - 1))

    shown = full.case
    lines = [shown.title or shown.question, f"Q: {shown.question}", "", table, ""]
    width = max(len(h) for h in full.hypotheses)
    lines += [
        f"  {h:<{width}}  {shown.hypothesis(h).title} (prior {100 * full.inputs.prior[j]:.1f} %)"
        for j, h in enumerate(full.hypotheses)
    ]
    if hypotheses_as_rows:
        width = max(len(e.id) for e in shown.evidence)
        lines += ["", *(f"  {e.id:<{width}}  {e.source}: {short(e.text, 100)}" for e in shown.evidence)]
    if result.hindsight:
        lines += [
            "",
            f"Dated after {loaded.as_of}, later reporting{' (in italics)' if coloured else ''}: "
            f"{', '.join(result.hindsight)}; the headline (`ach analyze`) leaves them out.",
        ]
    lines.append("")
    if coloured:
        lines += _legend()
    else:
        lines.append(
            "Colour is off (--no-color, NO_COLOR, or not a terminal): --db prints each cell's weight of evidence "
            "for its hypothesis against the rest, in dB."
        )
    with console.capture() as captured:
        for line in lines:
            console.print(line, soft_wrap=line is not table)  # prose is left to the terminal to wrap
    out = sys.stdout
    out.write("".join(line.rstrip() + "\n" for line in captured.get().splitlines()))  # no padding at line ends
    out.flush()
    show_diagnostics(loaded.warnings)


COMMANDS = (matrix,)
