"""The ``ach`` command: parses arguments and calls the library, nothing more.

Each module holds one group of commands and imports nothing from here; this
package registers them (pyhf's layout). Exit codes: 0 success, 1 the input is
wrong (every problem listed on stderr, no traceback), 2 the command line is
wrong, 3 ach itself failed (a bug: set ACH_DEBUG=1 to see the traceback).
"""

from __future__ import annotations

import os

import click

from . import analyze, diff, edit, io, matrix, score, serve, team
from .common import AchGroup

__all__ = ["main"]


@click.group(cls=AchGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="ach", prog_name="ach")
@click.option(
    "--max-mb",
    type=click.FloatRange(min=0, min_open=True),
    callback=lambda ctx, param, value: _lift_size_limit(value),
    expose_value=False,
    help="Read files up to this many megabytes (default: 25 for a case file, 50 for a spreadsheet or .achz).",
)
def main():
    """Bayesian Analysis of Competing Hypotheses: from an evidence matrix to a probability report."""


def _lift_size_limit(megabytes: float | None) -> None:
    """`ach --max-mb N` is ACH_MAX_MB=N for the command that follows (and what it starts)."""
    if megabytes is not None:
        from ..files import MAX_MB_VARIABLE

        os.environ[MAX_MB_VARIABLE] = f"{megabytes:g}"


for module in (analyze, matrix, edit, diff, io, serve, score, team):
    for command in module.COMMANDS:
        main.add_command(command)

if __name__ == "__main__":  # pragma: no cover
    main()
