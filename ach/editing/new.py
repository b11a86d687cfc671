"""``ach new``: a commented scaffold of a case file, never written over another file."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from ..casefile import check_text
from ..casefile.dump import DEFAULT_RELIABILITY, REPO_SCHEMA, UNSOURCED_COMMENT, schema_line, schema_reference
from ..casefile.yaml import render
from ..errors import CaseError, EditError, errors_of
from ..files import create_new, refuse_existing
from .apply import Edit

__all__ = ["new_case", "scaffold"]

NEVER_OVERWRITES = "choose another name (ach new never overwrites a file)"


def scaffold(
    question: str,
    hypotheses: list[tuple[str, str]],
    *,
    title: str | None = None,
    catch_all: str | None = None,
    analyst: str | None = None,
    date: str | None = None,
    as_of: str | None = None,
    description: str | None = None,
    handling: str | None = None,
    schema: str = REPO_SCHEMA,
) -> str:
    """The text of a new, commented case file (dated today unless ``date`` says otherwise)."""
    if not hypotheses:
        hypotheses = [("H1", "TODO: the first hypothesis"), ("H2", "TODO: the second hypothesis")]
    date = date or dt.date.today().isoformat()
    as_of = as_of or date
    c = 39  # comment column

    def line(text: str, comment: str = "") -> str:
        return text if not comment else text + " " * max(c - len(text), 2) + "# " + comment

    def r(v) -> str:
        return render(v)

    out = [
        schema_line(schema),
        "#",
        f"# {title or question}",
        "#",
        "# Made by `ach new`. Replace every TODO, then check the file with `ach validate`.",
        "# The format: docs/FORMAT.md. The commands `ach add`, `ach rate`, `ach set` and",
        "# `ach rm` edit this file in place and keep its comments (docs/EDITING.md).",
        "",
    ]
    if title:
        out.append(f"title: {r(title)}")
    out.append(f"question: {r(question)}")
    if description:
        out.append(f"description: {r(description)}")
    if analyst:
        out.append(f"analyst: {r(analyst)}")
    if handling:
        out.append(line(f"handling: {r(handling)}", "printed at the top and bottom of every report"))
    out += [
        line(f"date: {date}", "the date the analysis speaks for (YYYY-MM-DD)"),
        line(f"as_of: {as_of}", "items dated later are hindsight: left out of the headline"),
        line(f"default_reliability: {DEFAULT_RELIABILITY}", UNSOURCED_COMMENT),
        "",
    ]
    out.append(line("hypotheses:", "mutually exclusive, together exhaustive"))
    for hid, htitle in hypotheses:
        out += [f"  - id: {r(hid)}", f"    title: {r(htitle)}"]
        if hid == catch_all:
            out.append(line("    catch_all: true", "stands for everything not listed"))
    if catch_all is None:
        out.append("  # mark one hypothesis `catch_all: true`: the one that stands for everything else")
    out += [
        "",
        line("sources:", "who reported; the items of one source stand or fall together"),
        "  - id: source-1",
        "    title: TODO who reported it",
        line("    reliability: F", "TODO: a number in [0,1], low/medium/high, or Admiralty A-F"),
        "",
        "evidence:",
        "  - id: E1",
        "    text: TODO what was observed or reported, one fact per item",
        line("    source: source-1", "omit it and the item is its own source (default_reliability)"),
        line("    likelihood:", "P(this item | hypothesis, item genuine), one per hypothesis"),
    ]
    for hid, _ in hypotheses:
        out.append(line(f"      {r(hid)}: NA", "TODO rate: an ICD 203 term (likely), a number, or CC C N I II NA"))
    out += [
        line("    credibility: medium", "P(item genuine | source reliable): number, low/medium/high, Admiralty 1-6"),
        line("    confidence: medium", "how sure you are of the likelihoods: low/medium/high"),
    ]
    return "\n".join(out) + "\n"


def new_case(path, question: str, hypotheses: list[tuple[str, str]], *, write: bool = True, **options) -> Edit:
    """``ach new``: write a commented scaffold; refuse to overwrite a file."""
    path = Path(path)
    _as_edit_error(refuse_existing, [path], hint=NEVER_OVERWRITES)
    text = scaffold(question, hypotheses, schema=schema_reference(path), **options)
    case, diagnostics = check_text(text.encode("utf-8"), str(path))
    errors = errors_of(diagnostics)
    if errors:
        raise EditError(errors)
    result = Edit(
        path,
        "",
        text,
        [f"new case with {len(hypotheses) or 2} hypotheses and one example item"],
        ["replace every TODO (grep TODO), then run ach validate"],
        [d for d in diagnostics if d.level == "warning"],
        None,
        case,
    )
    if write:
        _as_edit_error(create_new, path, text, hint=NEVER_OVERWRITES)
        result.written = True
    return result


def _as_edit_error(fn, *args, **kwargs):
    """A refusal to overwrite is a refused edit."""
    try:
        return fn(*args, **kwargs)
    except CaseError as exc:
        raise EditError(exc.diagnostics) from None
