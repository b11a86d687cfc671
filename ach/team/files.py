"""An analyst's file for the team: an ordinary case file, read with what team mode accepts (MODEL.md §8).

Two things that refuse a single case are the analyst's right in a team:

- a cell left out of an item (the loader's ``missing-rating``) is *not rated*
  by that analyst, as a left-out item is: no reading, not NA;
- a holistic ``judgment`` that does not sum to 1 (``judgment-sum``) is the
  analyst's statement: taken as written, with a located warning, and
  coherentized (Mandel et al.'s method, :mod:`.coherence`).

A file refused for anything else (or for a cell left out of a candidate
observation) is refused as ever, with the loader's located errors. The case
file loader itself is unchanged: a file it refuses only for these is read
again with those cells set to NA and the judgment normalised, and the team
remembers which cells were not rated and the judgment as written.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
from dataclasses import dataclass
from pathlib import Path

from ..case import Case
from ..casefile import check
from ..casefile.build import Builder
from ..casefile.outcome import probability_of
from ..casefile.yaml import fast_parse, line_of, opening_comment, parse_yaml, plain_data
from ..errors import Diagnostic
from ..scales import NA

__all__ = ["TeamFile", "read_team_file"]


@dataclass(frozen=True, eq=False)
class TeamFile:
    """One analyst's case and what team mode knows beyond it."""

    case: Case
    not_rated: dict[tuple[str, str], int | None]  # (item id, hypothesis id) left out -> line of the item's likelihood
    judgment: dict[str, float] | None  # the holistic judgment as written (need not sum to 1)
    warnings: tuple[Diagnostic, ...] = ()  # what team mode accepted that a single case refuses

    @classmethod
    def of(cls, case: Case) -> TeamFile:
        return cls(case, {}, case.judgment)

    @functools.cached_property
    def headline(self) -> Case:
        """The case as of its date: items dated after its ``as_of`` are hindsight, not rated."""
        return self.case.headline()

    def line(self, path: tuple) -> int | None:
        """The line of the value at ``path`` in the file (its deepest existing part; None if unreadable)."""
        return self._lines(path) if self._lines is not None else None

    @functools.cached_property
    def _lines(self):
        parsed = _parsed(self.case.path)  # read when a problem is to be located, not before
        return parsed[2] if parsed is not None else None


def _parsed(path: str):
    """(raw bytes, plain values, ``line(path)``) of a case file, or None if it cannot be read as YAML."""
    try:
        raw = Path(path).read_bytes()
        text = raw.decode("utf-8-sig")
    except (OSError, UnicodeDecodeError):
        return None
    fast = fast_parse(text)
    if fast is not None:
        return raw, plain_data(fast[0]), fast[1]
    doc, problem = parse_yaml(text, path)
    if problem is not None or not isinstance(doc, dict):
        return None
    return raw, plain_data(doc), functools.partial(line_of, doc)


def _tolerated(d: Diagnostic) -> bool:
    if d.code == "missing-rating":
        return d.path[:1] == ("evidence",)  # a candidate observation must still rate every hypothesis
    return d.code == "judgment-sum"


def read_team_file(path) -> tuple[TeamFile | None, list[Diagnostic]]:
    """(the analyst's file, or None if refused; every diagnostic, team mode's in place of those it accepts)."""
    case, diagnostics = check(path)
    if case is not None:
        return TeamFile.of(case), diagnostics
    errors = [d for d in diagnostics if d.is_error]
    parsed = _parsed(str(path)) if errors and all(map(_tolerated, errors)) else None
    if parsed is None:
        return None, diagnostics
    raw, data, line = parsed
    hyps = [h["id"] for h in data["hypotheses"]]
    not_rated, accepted = {}, []
    for d in errors:
        if d.code == "missing-rating":
            spec = data["evidence"][d.path[1]]
            for h in hyps:
                if h not in spec["likelihood"]:
                    spec["likelihood"][h] = NA  # for the loader; the team reads no rating here
                    not_rated[(spec["id"], h)] = d.line
    judgment = None
    if any(d.code == "judgment-sum" for d in errors):
        written = {h: probability_of(v) for h, v in data["judgment"].items()}
        total = sum(written.values())
        if total <= 0:
            return None, diagnostics  # nothing to coherentize
        data["judgment"] = {h: p / total for h, p in written.items()}
        judgment = {h: written.get(h, 0.0) for h in hyps}
        d = next(d for d in errors if d.code == "judgment-sum")
        accepted.append(
            dataclasses.replace(
                d,
                level="warning",
                message=f"the judgment's probabilities sum to {total:.4g}, not 1: team mode takes them as written "
                f"and coherentizes them (each divided by {total:.4g}, Mandel, Karvetski & Dhami 2018)",
                hint="if that is not what you meant, make them add up to 1 (100%)",
                code="team-judgment-sum",
            )
        )
    text = raw.decode("utf-8-sig")
    builder = Builder(line, data, str(path), hashlib.sha256(raw).hexdigest(), opening_comment(text), text)
    case, rebuilt = builder.build()
    if case is None:  # not expected: what was refused has been set right
        return None, diagnostics
    if judgment is None:
        judgment = case.judgment
    return TeamFile(case, not_rated, judgment, tuple(accepted)), [*rebuilt, *accepted]
