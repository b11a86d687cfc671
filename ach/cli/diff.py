"""``ach diff``: what changed between two versions of a case, and how each change moved the posterior."""

from __future__ import annotations

import click

from .common import AchCommand, emit_json, load_case
from .tables import print_comparison

__all__ = ["COMMANDS"]


@click.command("diff", cls=AchCommand)
@click.argument("old")
@click.argument("new")
@click.option("--json", "as_json", is_flag=True, help="Print the changes and posterior moves as JSON.")
def diff(old, new, as_json):
    """What changed from OLD to NEW and how each change moved the posterior.

    Each change is applied to OLD in turn, in the order listed (hypotheses,
    priors, sources, removed, changed, added items), and the exact posterior
    is recomputed: the moves add up to the total, and another order would
    split it differently. Use - for one file read from standard input
    (e.g. `git show HEAD:case.yaml | ach diff - case.yaml`).
    """
    from ..casediff import ORDER_NOTE, compare
    from ..serialize import comparison_to_dict

    c = compare(load_case(old), load_case(new))
    if as_json:
        emit_json({"old": old, "new": new, **comparison_to_dict(c)})
        return
    print_comparison(c, old, new, ORDER_NOTE)


COMMANDS = (diff,)
