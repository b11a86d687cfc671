"""Several analysts' case files of one matrix, aligned on the team's union of items (MODEL.md §8).

Every file is an ordinary case file (read by :mod:`.files`). Analysts are
ordered by name (the file order never matters); the hypotheses must be the
same in every file; the items are the union of the analysts' items, and an
item or a cell an analyst left out is *not rated* by that analyst (no
reading), not NA. Every mismatch is located (:mod:`.match`): nothing is
silently dropped.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..case import Case
from ..errors import CaseError, Diagnostic
from ..inputs import Inputs
from .files import TeamFile, read_team_file
from .match import analyst_name, mismatches, unrated_cells

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
    left_out: np.ndarray  # (A, I, n) bool: the analyst has the item but left the cell out: not rated, not NA
    rated: np.ndarray  # (A, I) bool: the analyst's file has the item
    b: np.ndarray  # (A, I, n) if_false; NaN where the item is not rated
    b_is_mean: np.ndarray  # (A, I) bool: the analyst left if_false to its default
    k: np.ndarray  # (A, I) credibility; NaN: not rated
    k_kappa: np.ndarray  # (A, I)
    r: np.ndarray  # (A, S) reliability; NaN: source not listed
    r_kappa: np.ndarray  # (A, S)
    prior: np.ndarray  # (A, n)
    prior_concentration: float | None
    judgments: list[dict[str, float] | None]  # each analyst's holistic judgment as written (need not sum to 1)
    warnings: list[Diagnostic]  # located: what team mode accepted, and files that may not match

    @property
    def each(self) -> list[Inputs]:
        return [c.inputs for c in self.cases]


def load_team(paths) -> Team:
    """Load every file (all problems of all files at once) and align them."""
    files, problems = [], []
    for path in paths:
        found, diagnostics = read_team_file(path)
        problems += [d for d in diagnostics if d.is_error]
        if found is not None:
            files.append(found)
    if problems:
        raise CaseError(problems)
    return align(files)


def align(cases: list) -> Team:
    """Align loaded cases (or :class:`~ach.team.files.TeamFile` s); raises :class:`CaseError` with every
    mismatch located."""
    if not cases:
        raise CaseError([Diagnostic("error", "no case files given", "<team>", code="team-empty")])
    files = [c if isinstance(c, TeamFile) else TeamFile.of(c) for c in cases]
    files.sort(key=lambda f: (analyst_name(f.case), f.case.path))
    errors, warnings = mismatches(files)
    if errors:
        raise CaseError(errors + warnings)  # a warning may explain an error (a renamed item)
    cases = [f.headline for f in files]
    hyps = cases[0].hypothesis_ids
    items, item_source, sources = [], {}, []
    for c in cases:
        for s in c.sources:
            if s.id not in sources:
                sources.append(s.id)
        for e in c.evidence:
            if e.id not in item_source:
                items.append(e.id)
                item_source[e.id] = e.source
    errors = unrated_cells(files, items, hyps)
    if errors:
        raise CaseError(errors + warnings)
    A, n_items, n, S = len(cases), len(items), len(hyps), len(sources)
    nan = np.full
    m, kappa, b = nan((A, n_items, n), np.nan), nan((A, n_items, n), np.nan), nan((A, n_items, n), np.nan)
    na, rated = np.zeros((A, n_items, n), bool), np.zeros((A, n_items), bool)
    left_out = np.zeros((A, n_items, n), bool)
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
        for eid, h in files[a].not_rated:  # left out: no reading, not NA
            if eid in inp.items:  # (not an item dated after the file's as_of)
                na[a, items.index(eid), hyps.index(h)] = False
                left_out[a, items.index(eid), hyps.index(h)] = True
        b[a, rows] = inp.b[:, cols]
        b_is_mean[a, rows] = inp.b_is_mean
        k[a, rows], k_kappa[a, rows] = inp.k, inp.k_kappa
        srcs = [sources.index(s) for s in inp.sources]
        r[a, srcs], r_kappa[a, srcs] = inp.r, inp.r_kappa
        prior[a] = inp.prior[cols]
    concentrations = {c.prior_concentration for c in cases}
    return Team(
        analysts=[analyst_name(c) for c in cases],
        cases=cases,
        hypotheses=list(hyps),
        items=items,
        sources=sources,
        source_index=np.array([sources.index(item_source[e]) for e in items], int),
        m=m,
        kappa=kappa,
        na=na,
        left_out=left_out,
        rated=rated,
        b=b,
        b_is_mean=b_is_mean,
        k=k,
        k_kappa=k_kappa,
        r=r,
        r_kappa=r_kappa,
        prior=prior,
        prior_concentration=concentrations.pop() if len(concentrations) == 1 else None,
        judgments=[f.judgment for f in files],
        warnings=[*(d for f in files for d in f.warnings), *warnings],
    )
