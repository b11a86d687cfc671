"""What a built case must satisfy, and what an analyst must be told about it.

These checks look at a :class:`~ach.case.Case` with its numbers resolved, so
they run both when a file is loaded and when ``ach whatif`` changes a case in
memory: a prior that is zero everywhere and evidence no hypothesis can explain
are errors; a zero that rules a hypothesis out, and a source whose
reliability of 0 silences its items, are warnings that say exactly why.
Each finding is a :class:`Finding` with a path into the case (the same path
the case file has), for the caller to place.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .. import exact
from ..formatting import join

__all__ = ["Finding", "case_findings", "field_of"]

FIX_IMPOSSIBLE = "replace a 0 by a small probability such as 'almost no chance', or add the hypothesis that explains it"


@dataclass(frozen=True)
class Finding:
    level: str  # "error" or "warning"
    path: tuple
    message: str
    hint: str
    code: str


def field_of(case, path: tuple) -> str:
    """A path into a case in words: ("evidence", 3, "likelihood", "KH") -> 'evidence E4 › likelihood › KH'."""
    lists = {
        "evidence": case.evidence,
        "sources": case.sources,
        "hypotheses": case.hypotheses,
        "collection": case.collection,
    }
    parts = []
    for key in path:
        if isinstance(key, int) and parts and parts[-1] in lists and key < len(lists[parts[-1]]):
            parts[-1] = f"{parts[-1]} {lists[parts[-1]][key].id}"
        else:
            parts.append(str(key))
    return " › ".join(parts)


def case_findings(case) -> list[Finding]:
    """Every error and warning about the numbers of ``case`` (a loaded or edited Case)."""
    if (
        case.hypotheses
        and all(h.prior is not None for h in case.hypotheses)
        and sum(h.prior for h in case.hypotheses) <= 0
    ):
        return [
            Finding(
                "error",
                ("hypotheses",),
                "the prior weights are all zero",
                "give at least one hypothesis a positive prior",
                "prior-zero",
            )
        ]
    inputs = case.inputs
    out = _zeros(case, inputs) + _silenced(case, inputs)
    if np.isnan(exact.posterior(inputs)).any():
        out += _impossible(case, inputs)
    return out


def _zeros(case, inputs) -> list[Finding]:
    """A likelihood of 0: it rules the hypothesis out only if the item must be genuine."""
    out = []
    alone = exact.item_log_likelihood(inputs)
    for i, e in enumerate(case.evidence):
        for j, h in enumerate(inputs.hypotheses):
            cell = e.likelihood.get(h)
            if cell is None or cell.mean != 0.0:
                continue
            path = ("evidence", i, "likelihood", h)
            if np.isneginf(alone[i, j]):
                out.append(
                    Finding(
                        "warning",
                        path,
                        f"likelihood 0 rules out '{h}' on this item alone",
                        "use 'almost no chance' or a small number unless it is truly impossible",
                        "zero-likelihood",
                    )
                )
            else:
                keeps = _what_keeps_it_possible(case, inputs, i)
                out.append(
                    Finding(
                        "warning",
                        path,
                        f"likelihood 0 under '{h}': it would rule '{h}' out if the item were surely genuine, "
                        f"but {keeps} keeps '{h}' possible",
                        "a 0 is meant for the impossible; write 'almost no chance' for the very unlikely",
                        "zero-likelihood",
                    )
                )
    return out


def _what_keeps_it_possible(case, inputs, i: int) -> str:
    s = int(inputs.source_index[i])
    parts = []
    if inputs.r[s] < 1:
        parts.append(f"its source's reliability ({inputs.r[s]:.2g})")
    if inputs.k[i] < 1:
        parts.append(f"its credibility ({inputs.k[i]:.2g})")
    return join(parts) if parts else "its if_false"


def _silenced(case, inputs) -> list[Finding]:
    """A source of reliability 0: its items are noise, informative only through a per-hypothesis if_false."""
    out = []
    for s, source in enumerate(case.sources):
        if inputs.r[s] != 0 or source.implicit:
            continue
        items = [e for e in case.evidence if e.source == source.id]
        if not items:
            continue
        flat = [e.id for e in items if not isinstance(e.if_false, dict)]
        told = "cannot change the result" if len(flat) == len(items) else "count only through their if_false"
        out.append(
            Finding(
                "warning",
                ("sources", s, "reliability"),
                f"reliability 0 silences the source: its items ({join([e.id for e in items])}) are taken as noise and {told}",
                "give the reliability it deserves (F, 'cannot be judged', is 0.5), or remove the source and its items",
                "silenced-source",
            )
        )
    return out


def _impossible(case, inputs) -> list[Finding]:
    """Evidence that no hypothesis can explain: name the items responsible, and why."""
    alone = exact.item_log_likelihood(inputs)
    out = []
    for i, row in enumerate(alone):
        if not np.all(np.isneginf(row)):
            continue
        s = int(inputs.source_index[i])
        noise_possible = bool(np.any(inputs.b[i] > 0))
        if inputs.r[s] == 0 and not noise_possible:
            why = (
                f"its source ({case.sources[s].id}) has reliability 0, so the item can only be noise, "
                "and its if_false is 0 under every hypothesis"
            )
            fix = "give the source a reliability above 0, or an if_false above 0"
        elif inputs.k[i] == 0 and not noise_possible:
            why = "its credibility is 0, so the item can only be false, and its if_false is 0 under every hypothesis"
            fix = "give the item a credibility above 0, or an if_false above 0"
        else:
            why = "its likelihood is 0 for all of them"
            fix = FIX_IMPOSSIBLE
        out.append(
            Finding(
                "error", ("evidence", i, "likelihood"), f"impossible under every hypothesis: {why}", fix, "impossible"
            )
        )
    if not out:
        zeros = [e.id for e in case.evidence if any(c is not None and c.mean == 0 for c in e.likelihood.values())]
        out.append(
            Finding(
                "error",
                ("evidence",),
                "together, the items are impossible under every hypothesis"
                + (f" (each hypothesis is ruled out by a zero in {', '.join(zeros)})" if zeros else ""),
                FIX_IMPOSSIBLE,
                "impossible",
            )
        )
    return out
