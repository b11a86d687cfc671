"""Scoring a set of case files: which are resolved, each one's scores, and the summary.

:func:`score_paths` reads files and folders (a folder: its ``*.yaml`` files,
not its subfolders, so a practice key under ``key/`` is never taken for a
case), takes the truth from each case's ``outcome`` or else from a practice
key, and scores the resolved cases. Every unreadable case and every wrong key
entry is a located problem; they are all raised together as one CaseError.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..casefile import check
from ..errors import CaseError, Diagnostic, errors_of
from .calibration import Calibration, calibrate
from .scores import CaseScore, score_case

__all__ = ["ScoreSet", "case_paths", "read_key", "score_paths"]


@dataclass(frozen=True)
class ScoreSet:
    scores: tuple[CaseScore, ...]
    unresolved: tuple[str, ...]  # paths of the cases with no known truth
    calibration: Calibration

    def summary(self) -> dict:
        n = len(self.scores)

        def mean(f):
            return float(np.mean([f(s) for s in self.scores])) if n else None

        judged = [s for s in self.scores if s.judgment is not None]
        out = {
            "n": n,
            "brier": mean(lambda s: s.posterior.brier),
            "log_loss_bits": mean(lambda s: s.posterior.log_loss_bits),
            "prior_brier": mean(lambda s: s.prior.brier),
            "uniform_brier": mean(lambda s: s.uniform.brier),
            "classic_brier": mean(lambda s: s.classic.brier),
            "prior_log_loss_bits": mean(lambda s: s.prior.log_loss_bits),
            "uniform_log_loss_bits": mean(lambda s: s.uniform.log_loss_bits),
            "classic_log_loss_bits": mean(lambda s: s.classic.log_loss_bits),
            "truth_ranked_first": sum(s.posterior.rank == 1 for s in self.scores),
            "prior_ranked_first": sum(s.prior.rank == 1 for s in self.scores),
            "classic_picked_truth": sum(s.truth in s.classic_pick for s in self.scores),
            "calibration": self.calibration.as_json(),
            "decomposition": self.calibration.decomposition() if n else None,
            "verdict": self.calibration.verdict,
        }
        if judged:
            out["judgment"] = {
                "n": len(judged),
                "brier": float(np.mean([s.judgment.brier for s in judged])),
                "log_loss_bits": float(np.mean([s.judgment.log_loss_bits for s in judged])),
                "posterior_brier": float(np.mean([s.posterior.brier for s in judged])),
            }
        return out

    def as_json(self) -> dict:
        return {
            "cases": [s.as_json() for s in self.scores],
            "unresolved": list(self.unresolved),
            "summary": self.summary(),
        }


def case_paths(paths) -> list[Path]:
    """The case files named: files as given, a folder's ``*.yaml``/``*.yml`` files in name order."""
    out = []
    for p in map(Path, paths):
        if p.is_dir():
            out += sorted(q for q in p.iterdir() if q.suffix in (".yaml", ".yml") and q.is_file())
        else:
            out.append(p)
    return out


def read_key(path) -> tuple[dict[str, str], list[Diagnostic]]:
    """A practice key (``ach practice new`` writes it): case file name -> true hypothesis id; each
    problem located at its line of the key."""
    import yaml

    path = Path(path)
    hint = "give the key file `ach practice new` wrote (key/answers.yaml)"
    try:
        text = path.read_text(encoding="utf-8")
        data = yaml.safe_load(text)
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        why = getattr(exc, "strerror", None) or str(getattr(exc, "problem", "") or type(exc).__name__)
        line = getattr(getattr(exc, "problem_mark", None), "line", None)
        return {}, [
            Diagnostic(
                "error",
                f"cannot read the key: {why}",
                str(path),
                None if line is None else line + 1,
                hint=hint,
                code="bad-key",
            )
        ]
    cases = data.get("cases") if isinstance(data, dict) else None
    if not isinstance(cases, dict):
        return {}, [
            Diagnostic("error", "not a practice key: it has no `cases` mapping", str(path), hint=hint, code="bad-key")
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
    return out, problems


def _lines(text: str) -> dict[tuple, int]:
    """(case name,) and (case name, "truth") -> the 1-based line of that key in a practice key."""
    import yaml

    out: dict[tuple, int] = {}
    root = yaml.compose(text)
    if not isinstance(root, yaml.MappingNode):
        return out
    for key, value in root.value:
        if key.value == "cases" and isinstance(value, yaml.MappingNode):
            for name, entry in value.value:
                out[(name.value,)] = name.start_mark.line + 1
                if isinstance(entry, yaml.MappingNode):
                    for k, v in entry.value:
                        out[(name.value, k.value)] = v.start_mark.line + 1
    return out


def score_paths(paths, key=None) -> ScoreSet:
    """Score every resolved case among ``paths``; raise CaseError with every problem found."""
    truths, problems = read_key(key) if key is not None else ({}, [])
    key_lines = _lines(Path(key).read_text(encoding="utf-8")) if truths else {}
    files = case_paths(paths)
    scores, unresolved = [], []
    for path in files:
        case, diagnostics = check(path)
        if case is None:
            problems += errors_of(diagnostics)
            continue
        truth = case.truth
        if truth is None and path.name in truths:
            truth = truths[path.name]
            if truth not in case.hypothesis_ids:
                problems.append(
                    Diagnostic(
                        "error",
                        f"the key's truth '{truth}' is not a hypothesis of {path}",
                        str(key),
                        key_lines.get((path.name, "truth")),
                        field=f"cases › {path.name} › truth",
                        hint=f"the hypotheses are {', '.join(case.hypothesis_ids)}",
                        path=("cases", path.name, "truth"),
                        code="unknown-hypothesis",
                    )
                )
                continue
        if truth is None:
            unresolved.append(str(path))
            continue
        scores.append(score_case(case, truth))
    if problems:
        raise CaseError(problems)
    cal = calibrate([s.posterior.p for s in scores], [s.hypotheses.index(s.truth) for s in scores])
    return ScoreSet(tuple(scores), tuple(unresolved), cal)
