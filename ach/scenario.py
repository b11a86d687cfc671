"""What if? Drops, re-ratings and reliability changes applied to a copy of a case.

The case file is never touched: :func:`apply_whatif` returns a new Case (and
a line describing each change), which :func:`ach.analysis.whatif` analyses
beside the old one, so an analyst can try "and if the US source were worth
0.3?" in milliseconds.
"""

from __future__ import annotations

from dataclasses import replace

from . import scales
from .case import Case
from .casefile.checks import case_findings, field_of
from .errors import CaseError, Diagnostic, ScaleError, suggest

__all__ = ["apply_whatif"]


def apply_whatif(
    case: Case, *, drop=(), set=None, reliability=None, credibility=None, prior=None
) -> tuple[Case, list[str]]:
    """A copy of ``case`` with the edits applied, and a line describing each.

    ``drop``: evidence ids (or source ids: all their items). ``set``:
    ``{"E3.KH": "unlikely"}`` or ``{("E3", "KH"): 0.2}``. ``reliability``:
    ``{source: value}``; ``credibility``: ``{item: value}``; ``prior``:
    ``{hypothesis: weight}``. Unknown ids raise :class:`CaseError`.
    """
    problems: list[Diagnostic] = []
    changes: list[str] = []
    items = {e.id: e for e in case.evidence}
    sources = {s.id: s for s in case.sources}
    hyps = case.hypothesis_ids

    def bad(field, message, hint=""):
        problems.append(Diagnostic("error", message, case.path, field=field, hint=hint))

    def check(kind, name, known, field):
        if name in known:
            return True
        bad(
            field,
            f"no {kind} '{name}' in the case",
            suggest(name, sorted(known)) or f"use one of {', '.join(sorted(known))}",
        )
        return False

    for key, value in (set or {}).items():
        if not isinstance(key, tuple) and "." not in str(key):
            bad(f"set {key}", f"'{key}' does not name a cell", "write ITEM.HYPOTHESIS, e.g. E3.KH=unlikely")
            continue
        eid, hid = key if isinstance(key, tuple) else str(key).rsplit(".", 1)
        if check("evidence item", eid, items, f"set {eid}.{hid}") and check(
            "hypothesis", hid, hyps, f"set {eid}.{hid}"
        ):
            e = items[eid]
            try:
                belief = case.scale.likelihood(value, e.confidence)
            except ScaleError as exc:
                bad(f"set {eid}.{hid}", str(exc), exc.hint)
                continue
            old = e.likelihood[hid]
            items[eid] = replace(e, likelihood={**e.likelihood, hid: belief})
            changes.append(f"{eid} under {hid}: {old.label if old else 'NA'} → {belief.label if belief else 'NA'}")

    judged = (
        ("reliability", reliability, sources, "source", scales.reliability),
        ("credibility", credibility, items, "evidence item", scales.credibility),
    )
    for attribute, values, known, kind, parser in judged:
        for key, value in (values or {}).items():
            if not check(kind, key, known, f"{attribute} {key}"):
                continue
            old = getattr(known[key], attribute)
            try:
                belief = _parse(old, value, parser)
            except ScaleError as exc:
                bad(f"{attribute} {key}", str(exc), exc.hint)
                continue
            known[key] = replace(known[key], **{attribute: belief})
            changes.append(f"{kind} {key} {attribute}: {old.label or old.mean} → {belief.label}")

    hypotheses = list(case.hypotheses)
    for hid, weight in (prior or {}).items():
        if check("hypothesis", hid, hyps, f"prior {hid}"):
            if not isinstance(weight, (int, float)) or weight < 0:
                bad(f"prior {hid}", f"prior weight {weight!r} must be a number ≥ 0")
                continue
            j = hyps.index(hid)
            if all(h.prior is None for h in hypotheses):
                hypotheses = [replace(h, prior=1.0) for h in hypotheses]
            hypotheses[j] = replace(hypotheses[j], prior=float(weight))
            changes.append(f"prior weight of {hid} → {weight:g}")

    dropped = []
    for name in drop:
        if name in items:
            dropped.append(name)
        elif name in sources:
            dropped += [e.id for e in case.evidence if e.source == name]
        else:
            check("evidence item or source", name, {**items, **sources}, f"drop {name}")
    for name in dropped:
        changes.append(f"dropped {name}")

    if problems:
        raise CaseError(problems)
    evidence = tuple(items[e.id] for e in case.evidence if e.id not in dropped)
    if not evidence:
        raise CaseError([Diagnostic("error", "every evidence item was dropped", case.path, field="drop", code="empty")])
    edited = case.replace(evidence=evidence, sources=tuple(sources.values()), hypotheses=tuple(hypotheses))
    refused = [f for f in case_findings(edited) if f.level == "error"]  # the loader's own checks, on the edited case
    if refused:
        raise CaseError(
            [
                Diagnostic(
                    "error",
                    f"after these what-if edits, {f.message}",
                    case.path,
                    None,
                    f"what-if: {field_of(edited, f.path)}",
                    f.hint,
                    f.path,
                    f.code,
                )
                for f in refused
            ]
        )
    return edited, changes


def _parse(old, value, parser):
    """A new reliability or credibility; a plain number keeps the old spread."""
    belief = parser(value)
    if isinstance(value, (int, float)) and not belief.fixed and old.concentration:
        belief = replace(belief, concentration=old.concentration)
    return belief
