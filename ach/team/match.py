"""Whether several analysts' files are files of one matrix: every mismatch located (MODEL.md §8).

Errors (the team is not analysed): two files of one analyst, hypotheses that
differ, an item whose source differs, a cell no analyst rates. Warnings (the
team is analysed, and the command prints them at their lines): an item only
one of several files has (a renamed id makes one; the closest id the other
files have and this one lacks is suggested) and an item whose text differs.
Each file is held against the hypotheses most files have, so the odd file
out is the one blamed.
"""

from __future__ import annotations

from pathlib import Path

from ..case import Case
from ..errors import Diagnostic, suggest
from ..formatting import quoted
from .files import TeamFile

__all__ = ["analyst_name", "mismatches", "unrated_cells"]


def analyst_name(case: Case) -> str:
    return case.analyst.strip() or Path(case.path).stem


def _where(f: TeamFile, path: tuple) -> str:
    line = f.line(path)
    return f"{f.case.path}:{line}" if line else f.case.path


def _index(f: TeamFile, eid: str) -> int:
    """The item's place in the file (hindsight included), for its line."""
    return next(i for i, e in enumerate(f.case.evidence) if e.id == eid)


def mismatches(files: list[TeamFile]) -> tuple[list[Diagnostic], list[Diagnostic]]:
    """(errors, warnings) of files already in analyst order."""
    errors = _duplicates(files) + _hypotheses(files)
    if errors:
        return errors, []
    return _items(files)


def _duplicates(files: list[TeamFile]) -> list[Diagnostic]:
    names = [analyst_name(f.case) for f in files]
    return [
        Diagnostic(
            "error",
            f"analyst '{name}' is named by two files ({files[names.index(name)].case.path} and this one)",
            files[a].case.path,
            files[a].line(("analyst",)),
            "analyst",
            "give each file its own `analyst:`",
            ("analyst",),
            "team-duplicate-analyst",
        )
        for a, name in enumerate(names)
        if name in names[:a]
    ]


def _hypotheses(files: list[TeamFile]) -> list[Diagnostic]:
    sets = [frozenset(f.case.hypothesis_ids) for f in files]
    common = max(sets, key=lambda s: (sets.count(s), -sets.index(s)))  # most files' (the first's on a tie)
    reference = files[sets.index(common)]
    hyps = reference.case.hypothesis_ids
    errors = []
    for f in files:
        ids = f.case.hypothesis_ids
        if set(ids) == common:
            continue
        missing = [h for h in hyps if h not in ids]
        extra = [h for h in ids if h not in common]
        path = ("hypotheses", ids.index(extra[0])) if extra else ("hypotheses",)
        guesses = [f"{h}: {guess}" for h in extra if (guess := suggest(h, missing))]
        said = [missing and f"missing {', '.join(missing)}", extra and f"unknown {', '.join(extra)}"]
        errors.append(
            Diagnostic(
                "error",
                f"the hypotheses differ from {_where(reference, ('hypotheses',))}'s: {'; '.join(filter(None, said))}",
                f.case.path,
                f.line(path),
                f"hypotheses {extra[0]}" if extra else "hypotheses",
                "; ".join([*guesses, "every analyst rates the same hypotheses, with the same ids"]),
                path,
                "team-hypotheses",
            )
        )
    return errors


def _items(files: list[TeamFile]) -> tuple[list[Diagnostic], list[Diagnostic]]:
    first: dict[str, tuple] = {}  # item id -> (item, file) where it is first met
    errors, warnings = [], []
    for f in files:
        for e in f.headline.evidence:
            if e.id not in first:
                first[e.id] = (e, f)
                continue
            e0, f0 = first[e.id]
            at, at0 = ("evidence", _index(f, e.id)), ("evidence", _index(f0, e.id))
            if e0.source != e.source:
                errors.append(
                    Diagnostic(
                        "error",
                        f"item {e.id} has source '{e.source}' here and '{e0.source}' in {_where(f0, (*at0, 'source'))}",
                        f.case.path,
                        f.line((*at, "source")) or e.line,
                        f"evidence {e.id} › source",
                        "an item is the same report for every analyst: give it the same source",
                        (*at, "source"),
                        "team-item-source",
                    )
                )
            if e0.text.split() != e.text.split():
                warnings.append(
                    Diagnostic(
                        "warning",
                        f"item {e.id}'s text differs from {_where(f0, (*at0, 'text'))}'s ({quoted(e.text)} here, "
                        f"{quoted(e0.text)} there): is it the same report?",
                        f.case.path,
                        f.line((*at, "text")) or e.line,
                        f"evidence {e.id} › text",
                        "an item is the same report for every analyst: give it the same text, or, if it is "
                        "another report, another id",
                        (*at, "text"),
                        "team-item-text",
                    )
                )
    if len(files) >= 2:
        warnings += _alone(files, list(first))
    return errors, warnings


def _alone(files: list[TeamFile], items: list[str]) -> list[Diagnostic]:
    """An item only one of several files has: a report only that analyst has, or another file's item renamed."""
    held = [{e.id for e in f.headline.evidence} for f in files]
    out = []
    for eid in items:
        holders = [a for a, ids in enumerate(held) if eid in ids]
        if len(holders) > 1:
            continue
        (a,) = holders
        f, name = files[a], analyst_name(files[a].case)
        lacking = sorted(set().union(*held[:a], *held[a + 1 :]) - held[a])  # ids the others have and this lacks
        guess = suggest(eid, lacking)
        close = guess.removeprefix("did you mean ").removesuffix("?")
        out.append(
            Diagnostic(
                "warning",
                f"item {eid} is in this file only (of {len(files)} analysts' files): it counts as rated by "
                f"{name} alone" + (f"; the other files have {close} and this one does not" if guess else ""),
                f.case.path,
                f.case.item(eid).line,
                f"evidence {eid}",
                (
                    f"{guess} If it is the same report, give it that id; "
                    if guess
                    else "If it is another file's item, give it that file's id; "
                )
                + f"if it is a report only {name} has, leave it (the others have not rated it)",
                ("evidence", _index(f, eid)),
                "team-item-alone",
            )
        )
    return out


def unrated_cells(files: list[TeamFile], items: list[str], hyps: list[str]) -> list[Diagnostic]:
    """A cell every analyst who has the item left out: no one rates it, which a team cannot pool."""
    errors = []
    for eid in items:
        holders = [f for f in files if any(e.id == eid for e in f.headline.evidence)]
        nobody = [h for h in hyps if all((eid, h) in f.not_rated for f in holders)]
        if not nobody:
            continue
        f = holders[0]
        lines = ", ".join(f"{g.case.path}:{g.not_rated[(eid, nobody[0])]}" for g in holders[1:])
        errors.append(
            Diagnostic(
                "error",
                f"no analyst rates item {eid} under {', '.join(nobody)}"
                + (f" (left out here and in {lines})" if lines else " (left out here, the only file with the item)"),
                f.case.path,
                f.not_rated[(eid, nobody[0])],
                f"evidence {eid} › likelihood",
                f"rate {', '.join(nobody)} in at least one analyst's file (write NA if the item does not bear on it)",
                ("evidence", _index(f, eid), "likelihood"),
                "team-cell-unrated",
            )
        )
    return errors
