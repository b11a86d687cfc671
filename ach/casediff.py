"""What changed between two versions of a case, and how each change moved the posterior.

:func:`diff` lists the changes (hypotheses, priors, sources, items, cells) and
attributes the movement of the posterior **sequentially**: starting from the
old case, the changes are applied one at a time, in the order they are
listed, and the exact posterior (the engine behind ``analyze(case,
sample=False)``) is recomputed after each. The move of a change is the
posterior after it minus the posterior before it, so the moves add up exactly
to the total move from the old file to the new one. The order matters: the
same change can move the posterior more or less depending on what was
applied before it (a re-rated item counts for less once its source is
distrusted). The order is fixed and stated:

1. hypotheses removed, 2. hypotheses added, 3. prior weights,
4. sources added and reliabilities changed, 5. items removed (old file order),
6. items changed (new file order; within an item: source, credibility,
   if_false, cells in hypothesis order, then confidence and relevance, which
   leave the exact posterior unchanged), 7. items added (new file order),
8. sources removed, 9. anything else (e.g. a changed rating scale) as one last
   step, so that the steps always end exactly at the new file.

When the two files have different hypotheses, posteriors cannot be compared
hypothesis by hypothesis for the ones only one file has; the moves are then
given for the hypotheses both files share, renormalised to sum to 1 over
them (``Comparison.renormalised`` says so).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, replace

import numpy as np

from .case import Case, Evidence, Hypothesis, Source
from .exact import posterior_by_id
from .formatting import clip

__all__ = ["ORDER_NOTE", "Change", "Comparison", "compare", "diff"]

ORDER_NOTE = (
    "sequential attribution: changes applied one at a time to the old case in the order listed "
    "(hypotheses, priors, sources, removed items, changed items, added items); "
    "another order would split the total differently"
)


@dataclass
class Change:
    """One difference between the files, and the posterior move it accounts for."""

    kind: str  # e.g. "item re-rated", "reliability", "item added"
    id: str  # the hypothesis, source, item or candidate concerned
    field: str = ""  # e.g. "likelihood.KH", "credibility"
    old: object = None  # as written in the old file (None: absent)
    new: object = None  # as written in the new file (None: absent)
    after: dict = dataclasses.field(
        default_factory=dict
    )  # exact posterior once this change is applied (hypothesis -> p)
    move: dict = dataclasses.field(default_factory=dict)  # change of the compared posterior caused by this step

    def describe(self) -> str:
        if self.kind == "item re-rated":
            return f"{self.id} under {self.field.split('.', 1)[1]}: {_txt(self.old)} → {_txt(self.new)}"
        if self.kind in (
            "item added",
            "item removed",
            "hypothesis added",
            "hypothesis removed",
            "source added",
            "source removed",
            "candidate added",
            "candidate removed",
        ):
            what = self.kind.split()[0]
            verb = self.kind.split()[1]
            detail = self.new if verb == "added" else self.old
            return f"{what} {self.id} {verb}" + (f": {clip(detail, 70)}" if detail else "")
        if self.kind == "priors":
            parts = [
                f"{h} {_txt(self.old.get(h))} → {_txt(self.new.get(h))}"
                for h in dict.fromkeys([*self.old, *self.new])
                if self.old.get(h) != self.new.get(h)
            ]
            return "prior weights: " + ", ".join(parts)
        if self.kind == "other":
            return "other differences (e.g. the rating scale)"
        if self.kind == "edited":
            return f"{self.id} {self.field} edited (no effect on the exact posterior)"
        label = self.field or self.kind
        return f"{self.id} {label}: {_txt(self.old)} → {_txt(self.new)}"


@dataclass
class Comparison:
    """Every change between two cases, with the total move they add up to."""

    changes: list[Change]
    old_posterior: dict  # hypothesis -> p, old case
    new_posterior: dict  # hypothesis -> p, new case
    compared: list[str]  # hypotheses the moves are given for
    renormalised: bool  # True when the files' hypotheses differ: moves are over the common ones, renormalised
    added: list[str]  # hypotheses only the new file has
    removed: list[str]  # hypotheses only the old file has

    @property
    def total(self) -> dict:
        old, new = self.compared_old, self.compared_new
        return {h: new[h] - old[h] for h in self.compared}

    @property
    def compared_old(self) -> dict:
        return _restrict(self.old_posterior, self.compared, self.renormalised)

    @property
    def compared_new(self) -> dict:
        return _restrict(self.new_posterior, self.compared, self.renormalised)

    @property
    def note(self) -> str:
        """How the moves were attributed (they depend on the order of the changes)."""
        return ORDER_NOTE


def diff(old: Case, new: Case) -> list[Change]:
    """The changes from ``old`` to ``new``, each with its sequential posterior move (see the module doc)."""
    return compare(old, new).changes


def compare(old: Case, new: Case) -> Comparison:
    """:func:`diff` with the old and new posteriors and the total move."""
    state = _State(old, new)
    changes: list[Change] = []

    def step(change: Change, mutate=None) -> None:
        if mutate is not None:
            mutate()
        change.after = state.posterior()
        changes.append(change)

    old_h = {h.id: h for h in old.hypotheses}
    new_h = {h.id: h for h in new.hypotheses}
    for h in old.hypotheses:
        if h.id not in new_h:
            step(Change("hypothesis removed", h.id, old=h.title), lambda h=h: state.drop_hypothesis(h.id))
    for h in new.hypotheses:
        if h.id not in old_h:
            step(Change("hypothesis added", h.id, new=h.title), lambda h=h: state.add_hypothesis(h))
    old_w, new_w = _weights(old), _weights(new)
    common = [h for h in new_h if h in old_h]
    if any(old_w[h] != new_w[h] for h in common) and not _proportional(
        [old_w[h] for h in common], [new_w[h] for h in common]
    ):
        step(
            Change("priors", "", "prior", {h: old_w[h] for h in common}, {h: new_w[h] for h in common}),
            state.set_priors,
        )
    elif state.shares() != _shares(new):
        state.set_priors()  # equal up to scale: nothing to report, but end exactly at the new weights

    old_s = {s.id: s for s in old.sources}
    new_s = {s.id: s for s in new.sources}
    for s in new.sources:
        if s.id not in old_s:
            if not s.implicit:
                step(Change("source added", s.id, new=s.title), lambda s=s: state.put_source(s))
            else:
                state.put_source(s)
        elif _belief(old_s[s.id].reliability) != _belief(s.reliability):
            step(
                Change(
                    "reliability",
                    s.id,
                    "reliability",
                    _label(old_s[s.id].reliability, old_s[s.id]),
                    _label(s.reliability, s),
                ),
                lambda s=s: state.put_source(s),
            )
        else:
            state.put_source(s, quiet=True)

    old_e = {e.id: e for e in old.evidence}
    new_e = {e.id: e for e in new.evidence}
    for e in old.evidence:
        if e.id not in new_e:
            step(Change("item removed", e.id, old=e.text), lambda e=e: state.drop_item(e.id))
    for e in new.evidence:
        if e.id in old_e:
            for change, mutate in _item_changes(state, old_e[e.id], e, common):
                step(change, mutate)
    for e in new.evidence:
        if e.id not in old_e:
            step(Change("item added", e.id, new=e.text), lambda e=e: state.put_item(e))
    for s in old.sources:
        if s.id not in new_s:
            if not s.implicit:
                step(Change("source removed", s.id, old=s.title), lambda s=s: state.drop_source(s.id))
            else:
                state.drop_source(s.id)

    for change in _candidate_changes(old, new) + _case_changes(old, new):
        step(change)  # listed for completeness: they cannot move the exact posterior
    target = posterior_by_id(new)
    final = state.posterior()
    if set(final) != set(target) or any(abs(final[h] - target[h]) > 1e-12 for h in target):
        state.case_override = new
        step(Change("other", "", "other"))
    elif changes:
        changes[-1].after = dict(target)  # the last step ends exactly at the new file (not 1e-16 beside it)

    compared = [h for h in new_h if h in old_h]
    renormalised = set(old_h) != set(new_h)
    old_post = posterior_by_id(old)
    previous = _restrict(old_post, compared, renormalised)
    for c in changes:
        now = _restrict(c.after, compared, renormalised)
        c.move = {h: now[h] - previous[h] for h in compared}
        previous = now
    return Comparison(
        changes,
        old_post,
        target,
        compared,
        renormalised,
        [h for h in new_h if h not in old_h],
        [h for h in old_h if h not in new_h],
    )


# -- the case as it is rebuilt step by step ----------------------------------------------


class _State:
    """The old case, changed one step at a time towards the new one."""

    def __init__(self, old: Case, new: Case):
        self.base = old
        self.new = new
        self.hypotheses = list(old.hypotheses)
        self.weights = dict(_shares(old))  # normalised prior weights
        self.sources = {s.id: s for s in old.sources}
        self.items = {e.id: e for e in old.evidence}
        self.case_override: Case | None = None

    def shares(self) -> dict:
        total = sum(self.weights.values())
        return {h: w / total for h, w in self.weights.items()}

    def case(self) -> Case:
        if self.case_override is not None:
            return self.case_override
        hyps = tuple(replace(h, prior=self.weights[h.id]) for h in self.hypotheses)
        return replace(
            self.base,
            hypotheses=hyps,
            sources=tuple(self.sources.values()),
            evidence=tuple(self.items.values()),
            path="<diff step>",
        )

    def posterior(self) -> dict:
        return posterior_by_id(self.case())

    # hypotheses
    def drop_hypothesis(self, hid: str) -> None:
        self.hypotheses = [h for h in self.hypotheses if h.id != hid]
        self.weights.pop(hid)
        self.items = {
            i: replace(
                e, likelihood={h: c for h, c in e.likelihood.items() if h != hid}, if_false=_drop_key(e.if_false, hid)
            )
            for i, e in self.items.items()
        }

    def add_hypothesis(self, h: Hypothesis) -> None:
        share = _shares(self.new)[h.id]
        rest = sum(self.weights.values())
        self.weights = {k: w / rest * (1 - share) for k, w in self.weights.items()} if rest else {}
        self.weights[h.id] = share
        self.hypotheses.append(h)
        new_items = {e.id: e for e in self.new.evidence}
        items = {}
        for i, e in self.items.items():
            cell = new_items[i].likelihood.get(h.id) if i in new_items else None
            if_false = e.if_false
            if (
                isinstance(if_false, dict)
                and i in new_items
                and isinstance(new_items[i].if_false, dict)
                and h.id in new_items[i].if_false
            ):
                if_false = {**if_false, h.id: new_items[i].if_false[h.id]}
            items[i] = replace(e, likelihood={**e.likelihood, h.id: cell}, if_false=if_false)
        self.items = items

    def set_priors(self) -> None:
        self.weights = dict(_shares(self.new))

    # sources and items
    def put_source(self, s: Source, quiet: bool = False) -> None:
        self.sources[s.id] = s

    def drop_source(self, sid: str) -> None:
        if not any(e.source == sid for e in self.items.values()):
            self.sources.pop(sid, None)

    def drop_item(self, eid: str) -> None:
        self.items.pop(eid)

    def put_item(self, e: Evidence) -> None:
        self.items[e.id] = e
        if e.source not in self.sources:
            self.sources[e.source] = next(s for s in self.new.sources if s.id == e.source)

    def update_item(self, eid: str, **changes) -> None:
        self.items[eid] = replace(self.items[eid], **changes)


def _item_changes(state: _State, a: Evidence, b: Evidence, hyps: list[str]):
    """(Change, mutate) for every difference within an item present in both files
    (``hyps``: the hypotheses both files have; the others' cells came with their hypothesis)."""
    eid = b.id
    out = []
    if a.source != b.source:

        def move_source():
            if b.source not in state.sources:
                state.sources[b.source] = next(s for s in state.new.sources if s.id == b.source)
            state.update_item(eid, source=b.source)

        out.append((Change("source", eid, "source", a.source, b.source), move_source))
    if _belief(a.credibility) != _belief(b.credibility):
        out.append(
            (
                Change("credibility", eid, "credibility", _label(a.credibility), _label(b.credibility)),
                lambda: state.update_item(eid, credibility=b.credibility),
            )
        )
    if _view(a.if_false, hyps) != _view(b.if_false, hyps):
        out.append(
            (
                Change("if_false", eid, "if_false", a.if_false, b.if_false),
                lambda: state.update_item(eid, if_false=b.if_false),
            )
        )
    for h in hyps:
        old_cell, new_cell = a.likelihood.get(h), b.likelihood.get(h)
        if _cell(old_cell) != _cell(new_cell):
            out.append(
                (
                    Change("item re-rated", eid, f"likelihood.{h}", _label(old_cell), _label(new_cell)),
                    lambda h=h: state.update_item(eid, likelihood={**state.items[eid].likelihood, h: b.likelihood[h]}),
                )
            )
    if a.confidence != b.confidence:
        out.append(
            (
                Change("confidence", eid, "confidence", a.confidence, b.confidence),
                lambda: state.update_item(eid, confidence=b.confidence),
            )
        )
    if a.relevance != b.relevance:
        out.append(
            (
                Change("relevance", eid, "relevance", a.relevance, b.relevance),
                lambda: state.update_item(eid, relevance=b.relevance),
            )
        )
    edited = [f for f in ("text", "date", "type", "notes", "citation") if getattr(a, f) != getattr(b, f)]
    if edited:
        out.append(
            (
                Change(
                    "edited",
                    eid,
                    ", ".join(edited),
                    {f: getattr(a, f) for f in edited},
                    {f: getattr(b, f) for f in edited},
                ),
                None,
            )
        )

    def settle():  # what no listed step carries (Beta concentrations only) ends as in the new file
        state.items[eid] = b

    if out:
        last_change, last_mutate = out[-1]

        def last(m=last_mutate):
            if m is not None:
                m()
            settle()

        out[-1] = (last_change, last)
    else:
        settle()
    return out


def _candidate_changes(old: Case, new: Case) -> list[Change]:
    a = {c.id: c for c in old.collection}
    b = {c.id: c for c in new.collection}
    common = [h for h in new.hypothesis_ids if h in old.hypothesis_ids]
    out = [Change("candidate removed", i, old=c.text) for i, c in a.items() if i not in b]
    for i, c in b.items():
        if i not in a:
            out.append(Change("candidate added", i, new=c.text))
            continue
        what = [
            f
            for f, differs in (
                ("likelihood", any(_cell(a[i].likelihood.get(h)) != _cell(c.likelihood.get(h)) for h in common)),
                ("credibility", _belief(a[i].credibility) != _belief(c.credibility)),
                ("text", a[i].text != c.text),
                ("notes", a[i].notes != c.notes),
            )
            if differs
        ]
        if what:
            out.append(Change("edited", i, ", ".join(what), None, None))
    return out


def _case_changes(old: Case, new: Case) -> list[Change]:
    out = []
    for f in ("title", "question", "description", "prior_concentration"):
        if getattr(old, f) != getattr(new, f):
            out.append(Change("case", "case", f, getattr(old, f), getattr(new, f)))
    old_h = {h.id: h for h in old.hypotheses}
    for h in new.hypotheses:
        if h.id in old_h and (old_h[h.id].title, old_h[h.id].catch_all) != (h.title, h.catch_all):
            out.append(
                Change(
                    "edited", h.id, "title" if old_h[h.id].title != h.title else "catch_all", old_h[h.id].title, h.title
                )
            )
    return out


# -- helpers -------------------------------------------------------------------------------


def _weights(case: Case) -> dict:
    return {h.id: (1.0 if h.prior is None else float(h.prior)) for h in case.hypotheses}


def _shares(case: Case) -> dict:
    w = _weights(case)
    total = sum(w.values())
    return {h: v / total for h, v in w.items()}


def _proportional(a: list[float], b: list[float]) -> bool:
    sa, sb = sum(a), sum(b)
    return bool(sa and sb) and np.allclose(np.array(a) / sa, np.array(b) / sb, rtol=0, atol=1e-15)


def _restrict(post: dict, hyps: list[str], renormalise: bool) -> dict:
    if not renormalise:
        return {h: post[h] for h in hyps}
    total = sum(post.get(h, 0.0) for h in hyps)
    return {h: (post.get(h, 0.0) / total if total else float("nan")) for h in hyps}


def _view(if_false, hyps):
    return {h: if_false[h] for h in hyps if h in if_false} if isinstance(if_false, dict) else if_false


def _drop_key(value, key):
    return {k: v for k, v in value.items() if k != key} if isinstance(value, dict) else value


def _belief(b) -> tuple:
    return (b.mean, b.concentration) if b is not None else (None,)


def _cell(b) -> tuple:
    """A cell as the exact engine and the reader see it: NA, or the label and mean."""
    return ("NA",) if b is None else (b.label, b.mean)


def _label(b, source: Source | None = None) -> str:
    if b is None:
        return "NA"
    if source is not None and source.implicit:
        return "1 (not listed: the item is its own source)"
    return b.label or f"{b.mean:g}"


def _txt(value) -> str:
    if value is None:
        return "(none)"
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)
