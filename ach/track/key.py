"""A practice key: the truth of cases that do not record it, kept in a file of its own.

``ach practice new`` writes the key (``key/answers.yaml``: case file name ->
``truth``), so that a student judges the cases first and scores them after.
:func:`read_key` reads it, every problem located at its line of the key;
:func:`key_truth` gives one case's truth from it (the case's own recorded
outcome wins, and a key that contradicts it is refused); :func:`with_key`
returns the case with that truth as its outcome, for its report's
post-mortem.
"""

from __future__ import annotations

from pathlib import Path

from ..case import Outcome
from ..errors import CaseError, Diagnostic

__all__ = ["Key", "key_truth", "read_key", "with_key"]

HINT = "give the key file `ach practice new` wrote (key/answers.yaml)"


class Key:
    """A read practice key: ``truths`` (case file name -> hypothesis id) and the line of each entry."""

    def __init__(self, path, truths: dict[str, str], lines: dict[tuple, int]):
        self.path, self.truths, self.lines = str(path), truths, lines


def read_key(path) -> tuple[Key, list[Diagnostic]]:
    """A practice key and the problems found in it, each located at its line of the key."""
    import yaml

    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
        data = yaml.safe_load(text)
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        why = getattr(exc, "strerror", None) or str(getattr(exc, "problem", "") or type(exc).__name__)
        line = getattr(getattr(exc, "problem_mark", None), "line", None)
        return Key(path, {}, {}), [
            Diagnostic(
                "error",
                f"cannot read the key: {why}",
                str(path),
                None if line is None else line + 1,
                hint=HINT,
                code="bad-key",
            )
        ]
    cases = data.get("cases") if isinstance(data, dict) else None
    if not isinstance(cases, dict):
        return Key(path, {}, {}), [
            Diagnostic("error", "not a practice key: it has no `cases` mapping", str(path), hint=HINT, code="bad-key")
        ]
    lines = _lines(text)
    out, problems = {}, []
    for name, entry in cases.items():
        truth = entry.get("truth") if isinstance(entry, dict) else None
        if not isinstance(truth, str):
            problems.append(
                Diagnostic(
                    "error",
                    "no truth given",
                    str(path),
                    lines.get((str(name),)),
                    f"cases › {name}",
                    "write `truth: ID` under it",
                    ("cases", name),
                    "bad-key",
                )
            )
            continue
        out[str(name)] = truth
    return Key(path, out, lines), problems


def _lines(text: str) -> dict[tuple, int]:
    """() -> the line of ``cases:``; (case name,) and (case name, "truth") -> the 1-based line of that key."""
    import yaml

    out: dict[tuple, int] = {}
    root = yaml.compose(text)
    if not isinstance(root, yaml.MappingNode):
        return out
    for key, value in root.value:
        if key.value == "cases" and isinstance(value, yaml.MappingNode):
            out[()] = key.start_mark.line + 1
            for name, entry in value.value:
                out[(name.value,)] = name.start_mark.line + 1
                if isinstance(entry, yaml.MappingNode):
                    for k, v in entry.value:
                        out[(name.value, k.value)] = v.start_mark.line + 1
    return out


def key_truth(case, key: Key, required: bool = False) -> tuple[str | None, Diagnostic | None]:
    """(the truth of ``case``, or a located problem): its recorded outcome, else the key's entry for its file.

    ``required``: the key must name the case (it was given for this one case)."""
    name = Path(case.path).name
    truth = key.truths.get(name)
    where = {"file": key.path, "line": key.lines.get((name, "truth")), "field": f"cases › {name} › truth"}
    if truth is None:
        if not required:
            return case.truth, None
        named = sorted(key.truths)
        listed = ", ".join(named[:6]) + (f" and {len(named) - 6} more" if len(named) > 6 else "")
        return None, Diagnostic(
            "error",
            f"the key names no case file '{name}'",
            key.path,
            key.lines.get(()),
            "cases",
            f"give the key written with {name}" + (f" (this one names {listed})" if named else ""),
            ("cases",),
            "not-in-key",
        )
    if truth not in case.hypothesis_ids:
        return None, Diagnostic(
            "error",
            f"the key's truth '{truth}' is not a hypothesis of {case.path}",
            hint=f"the hypotheses are {', '.join(case.hypothesis_ids)}",
            path=("cases", name, "truth"),
            code="unknown-hypothesis",
            **where,
        )
    if case.truth is not None and case.truth != truth:
        return None, Diagnostic(
            "error",
            f"the key's truth '{truth}' contradicts the outcome {case.path} records, '{case.truth}'",
            hint="correct the key or the case's `outcome:`; one of them is wrong",
            path=("cases", name, "truth"),
            code="key-contradicts-outcome",
            **where,
        )
    return truth, None


def with_key(case, path):
    """``case`` with the truth a practice key at ``path`` gives it as its outcome; CaseError, located, when the
    key cannot say (unreadable, no entry for this case's file, a hypothesis the case does not list, or a truth
    that contradicts the outcome the case records)."""
    key, problems = read_key(path)
    truth, problem = key_truth(case, key, required=True) if not problems else (None, None)
    if problems or problem:
        raise CaseError(problems or [problem])
    if case.truth is not None:
        return case  # the case records it already, and the key agrees
    return case.replace(outcome=Outcome(truth, source=f"the practice key ({key.path})"))
