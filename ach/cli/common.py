"""What every command shares: one way to fail, to load a case, to print JSON, to read options.

Exit codes: 0 success, 1 the input is wrong (every problem listed on stderr,
no traceback), 2 the command line is wrong, 3 ach itself failed (a bug: set
ACH_DEBUG=1 to see the traceback).
"""

from __future__ import annotations

import logging
import os
import sys

import click

from ..errors import AchError, CaseError, errors_of
from ..formatting import count

__all__ = [
    "EXIT_BUG",
    "EXIT_INVALID",
    "LISTS_ALL",
    "AchCommand",
    "AchGroup",
    "KeyValue",
    "Pairs",
    "emit_json",
    "fail_on",
    "load_case",
    "sampling_options",
    "say",
    "show_diagnostics",
    "show_progress",
    "yaml_value",
]

EXIT_INVALID = 1
EXIT_BUG = 3
log = logging.getLogger("ach")


SHOWN = 50  # problems printed at most; a runaway file must not bury the first ones (--json has them all)


LISTS_ALL = "ach validate --json"  # the command that lists every problem of a case file


def show_diagnostics(diagnostics, lists_all: str | None = LISTS_ALL) -> None:
    """Print located problems on stderr: errors before warnings, at most SHOWN, in file order, and a count
    of the rest, with the command that lists them all (``lists_all``; None: there is none)."""
    diagnostics = list(diagnostics)
    ranked = sorted(range(len(diagnostics)), key=lambda i: not diagnostics[i].is_error)
    for i in sorted(ranked[:SHOWN]):
        click.echo(str(diagnostics[i]), err=True)
    hidden = [diagnostics[i] for i in ranked[SHOWN:]]
    if hidden:
        errors = len(errors_of(hidden))
        kinds = [count(n, word) for n, word in ((errors, "error"), (len(hidden) - errors, "warning")) if n]
        where = f": `{lists_all}` lists all" if lists_all else ""
        click.echo(f"...and {len(hidden)} more not shown ({', '.join(kinds)}){where}", err=True)


def fail_on(exc: CaseError, outcome: str, lists_all: str | None = LISTS_ALL) -> None:
    """Print a CaseError's located problems and what did not happen; exit 1."""
    show_diagnostics(exc.diagnostics, lists_all)
    click.echo(f"{count(errors_of(exc.diagnostics), 'error')}: {outcome}", err=True)
    sys.exit(EXIT_INVALID)


class AchCommand(click.Command):
    """A command whose failures are the analyst's (exit 1, located) or ach's (exit 3), never a traceback.

    ``outcome`` says what did not happen when the input is refused: a text, or
    a function of the command's parameters ("k1.yaml was not changed");
    ``lists_all`` likewise names the command that lists every problem when
    more are found than are shown (``ach validate --json`` unless said).
    """

    def __init__(self, *args, outcome="nothing was analysed", lists_all=LISTS_ALL, **kwargs):
        super().__init__(*args, **kwargs)
        self.outcome, self.lists_all = outcome, lists_all

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except CaseError as exc:
            fail_on(
                exc,
                self.outcome(ctx.params) if callable(self.outcome) else self.outcome,
                self.lists_all(ctx.params) if callable(self.lists_all) else self.lists_all,
            )
        except AchError as exc:  # a refusal that is not about a case file's content (an unknown format, ...)
            raise click.UsageError(str(exc)) from None
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


class AchGroup(click.Group):
    """A group whose commands (and sub-groups) are :class:`AchCommand`\\ s."""

    command_class = AchCommand
    group_class = type


def load_case(path: str):
    from ..casefile import load

    return load(path)


def emit_json(data) -> None:
    """JSON on stdout, indented, encoded by orjson in one pass of compiled code: a 10,000 × 50
    result is 250 MB of JSON, which Python's own indenting encoder took a minute to write. NaN and
    infinities (none should be left by the contract's json_safe) become null, as there."""
    import orjson

    options = orjson.OPT_INDENT_2 | orjson.OPT_NON_STR_KEYS | orjson.OPT_SERIALIZE_NUMPY | orjson.OPT_APPEND_NEWLINE
    encoded = orjson.dumps(data, option=options)
    sys.stdout.flush()
    raw = getattr(sys.stdout, "buffer", None)
    if raw is None:  # a text-only stream (some test harnesses)
        sys.stdout.write(encoded.decode("utf-8"))
    else:
        raw.write(encoded)
        raw.flush()


def say(message: str) -> None:
    """Progress for the analyst, on stderr (stdout is for results)."""
    click.echo(f"ach: {message}", err=True)


class _Say(logging.Handler):
    def emit(self, record):
        say(record.getMessage())


def show_progress(quiet: bool) -> None:
    """Let the library's progress messages (logger "ach") through to stderr, unless ``quiet``."""
    if not any(isinstance(h, _Say) for h in log.handlers):
        log.addHandler(_Say())
    log.setLevel(logging.WARNING if quiet else logging.INFO)
    log.propagate = False


def yaml_value(text: str | None):
    """A command-line value as the case file would read it: 0.3 a number, D text, true yes/no; None stays None."""
    if text is None:
        return None
    from ..casefile.yaml import scalar

    return scalar(text.strip())


class KeyValue(click.ParamType):
    """``KEY=VALUE``, the value read as the case file would read it."""

    name = "KEY=VALUE"

    def convert(self, value, param, ctx):
        if isinstance(value, tuple):
            return value
        key, sep, text = str(value).partition("=")
        if not sep or not key.strip() or not text.strip():
            self.fail(f"'{value}' is not KEY=VALUE", param, ctx)
        return key.strip(), yaml_value(text)


class Pairs(click.ParamType):
    """``KH=35,ISIS=20``: pairs separated by commas, each value read as the case file would read it."""

    name = "KEY=VALUE,..."

    def convert(self, value, param, ctx):
        if isinstance(value, tuple):
            return value
        pairs = []
        for part in str(value).split(","):
            key, sep, text = part.partition("=")
            if not sep or not key.strip() or not text.strip() or "=" in text:
                self.fail(f"'{part.strip()}' in '{value}' is not KEY=VALUE (pairs are separated by commas)", param, ctx)
            pairs.append((key.strip(), yaml_value(text)))
        return tuple(pairs)


def sampling_options(fn):
    options = [
        click.option("--no-sample", is_flag=True, help="Exact posterior and classic scores only: no intervals."),
        click.option(
            "--sampler",
            type=click.Choice(["auto", "exact", "nuts"]),
            default="auto",
            show_default=True,
            help="What draws the intervals: exact independent draws (auto, when the model allows) or PyMC's NUTS.",
        ),
        click.option(
            "--seed", type=int, default=20191227, show_default=True, help="Random seed (results are reproducible)."
        ),
        click.option(
            "--draws",
            type=click.IntRange(50),
            default=None,
            help="Exact draws in all (default: as many as a Monte Carlo error under 0.5 pp needs), "
            "or NUTS draws per chain (default 1000); the forward draws are as many in all.",
        ),
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
