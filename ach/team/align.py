"""Several analysts' case files of one matrix, aligned on the team's union of items (MODEL.md §8).

Every file is an ordinary case file. Analysts are ordered by name (the file
order never matters); the hypotheses must be the same in every file; the
items are the union of the analysts' items, and an item an analyst left out
is *not rated* by that analyst (no reading), not NA. Every mismatch is a
located error: nothing is silently dropped.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..case import Case
from ..errors import CaseError, Diagnostic
from ..inputs import Inputs

__all__ = ["Team", "align", "load_team"]


@dataclass(frozen=True, eq=False)
class Team:
    """The analysts' readings of every input, NaN where an analyst gave none.

    Shapes: ``A`` analysts, ``I`` items (the union), ``n`` hypotheses, ``S`` sources.
    """

    analysts: list[str]
    cases: list[Case]  # each analyst's case as of its date (the headline), in analyst order
    hypotheses: list[str]
    items: list[str]
    sources: list[str]
    source_index: np.ndarray  # (I,) the team's source of each item
    m: np.ndarray  # (A, I, n) likelihood means; NaN: not rated or NA
    kappa: np.ndarray  # (A, I, n) concentrations; NaN: fixed (or no reading)
    na: np.ndarray  # (A, I, n) bool: the analyst rated the cell NA
    rated: np.ndarray  # (A, I) bool: the analyst's file has the item
    b: np.ndarray  # (A, I, n) if_false; NaN where the item is not rated
    b_is_mean: np.ndarray  # (A, I) bool: the analyst left if_false to its default
    k: np.ndarray  # (A, I) credibility; NaN: not rated
    k_kappa: np.ndarray  # (A, I)
    r: np.ndarray  # (A, S) reliability; NaN: source not listed
    r_kappa: np.ndarray  # (A, S)
    prior: np.ndarray  # (A, n)
    prior_concentration: float | None

    @property
    def each(self) -> list[Inputs]:
        return [c.inputs for c in self.cases]


def load_team(paths) -> Team:
    """Load every file (all problems of all files at once) and align them."""
    from ..casefile import check

    cases, problems = [], []
    for path in paths:
        case, diagnostics = check(path)
        problems += [d for d in diagnostics if d.is_error]
        if case is not None:
            cases.append(case)
    if problems:
        raise CaseError(problems)
    return align(cases)


def _name(case: Case) -> str:
    return case.analyst.strip() or Path(case.path).stem


def align(cases: list[Case]) -> Team:
    """Align loaded cases; raises :class:`CaseError` with every mismatch located."""
    if not cases:
        raise CaseError([Diagnostic("error", "no case files given", "<team>", code="team-empty")])
    order = sorted(range(len(cases)), key=lambda a: (_name(cases[a]), cases[a].path))
    cases = [cases[a].headline() for a in order]
    names = [_name(c) for c in cases]
    errors = []
    for a, name in enumerate(names):
        if name in names[:a]:
            errors.append(
                Diagnostic(
                    "error",
                    f"analyst '{name}' is named by two files ({cases[names.index(name)].path} and this one)",
                    cases[a].path,
                    hint="give each file its own `analyst:`",
                    code="team-duplicate-analyst",
                )
            )
    hyps = cases[0].hypothesis_ids
    for c in cases[1:]:
        if set(c.hypothesis_ids) != set(hyps):
            missing = [h for h in hyps if h not in c.hypothesis_ids]
            extra = [h for h in c.hypothesis_ids if h not in hyps]
            errors.append(
                Diagnostic(
                    "error",
                    f"the hypotheses differ from {cases[0].path}'s: "
                    + "; ".join(
                        filter(
                            None,
                            [
                                missing and f"missing {', '.join(missing)}",
                                extra and f"unknown {', '.join(extra)}",
                            ],
                        )
                    ),
                    c.path,
                    field="hypotheses",
                    hint="every analyst rates the same hypotheses, with the same ids",
                    code="team-hypotheses",
                )
            )
    items, item_source, sources = [], {}, []
    for c in cases:
        for s in c.sources:
            if s.id not in sources:
                sources.append(s.id)
        for e in c.evidence:
            if e.id not in item_source:
                items.append(e.id)
                item_source[e.id] = (e.source, c.path)
            elif item_source[e.id][0] != e.source:
                errors.append(
                    Diagnostic(
                        "error",
                        f"item {e.id} has source '{e.source}' here and '{item_source[e.id][0]}' in "
                        f"{item_source[e.id][1]}",
                        c.path,
                        field=f"evidence {e.id} › source",
                        hint="an item is the same report for every analyst: give it the same source",
                        code="team-item-source",
                    )
                )
    if errors:
        raise CaseError(errors)
    A, n_items, n, S = len(cases), len(items), len(hyps), len(sources)
    nan = np.full
    m, kappa, b = nan((A, n_items, n), np.nan), nan((A, n_items, n), np.nan), nan((A, n_items, n), np.nan)
    na, rated = np.zeros((A, n_items, n), bool), np.zeros((A, n_items), bool)
    b_is_mean = np.zeros((A, n_items), bool)
    k, k_kappa = nan((A, n_items), np.nan), nan((A, n_items), np.nan)
    r, r_kappa = nan((A, S), np.nan), nan((A, S), np.nan)
    prior = np.empty((A, n))
    for a, c in enumerate(cases):
        inp = c.inputs
        cols = [inp.hypotheses.index(h) for h in hyps]
        rows = [items.index(e) for e in inp.items]
        rated[a, rows] = True
        m[a, rows] = np.where(inp.na, np.nan, inp.m)[:, cols]
        kappa[a, rows] = inp.kappa[:, cols]
        na[a, rows] = inp.na[:, cols]
        b[a, rows] = inp.b[:, cols]
        b_is_mean[a, rows] = inp.b_is_mean
        k[a, rows], k_kappa[a, rows] = inp.k, inp.k_kappa
        srcs = [sources.index(s) for s in inp.sources]
        r[a, srcs], r_kappa[a, srcs] = inp.r, inp.r_kappa
        prior[a] = inp.prior[cols]
    concentrations = {c.prior_concentration for c in cases}
    return Team(
        analysts=names,
        cases=cases,
        hypotheses=list(hyps),
        items=items,
        sources=sources,
        source_index=np.array([sources.index(item_source[e][0]) for e in items], int),
        m=m,
        kappa=kappa,
        na=na,
        rated=rated,
        b=b,
        b_is_mean=b_is_mean,
        k=k,
        k_kappa=k_kappa,
        r=r,
        r_kappa=r_kappa,
        prior=prior,
        prior_concentration=concentrations.pop() if len(concentrations) == 1 else None,
    )
