"""The JSON contract (README): a Result, a what-if and a comparison as plain data.

One place turns every number ach computes into JSON: non-finite numbers (an
infinite weight of evidence from a zero likelihood) become ``null``, because
strict JSON has no Infinity, and every finite number keeps its full precision,
so the JSON's inputs reproduce its own posterior. Objects are read, never
changed; this module knows their attributes, not their classes.
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np

from .scales import icd203_term

__all__ = [
    "comparison_to_dict",
    "json_safe",
    "number",
    "numbers",
    "result_to_dict",
    "sensitivity_to_dict",
    "whatif_to_dict",
]


def number(x) -> float | None:
    """A JSON-safe number: NaN, ±inf and None become null."""
    if x is None:
        return None
    x = float(x)
    return x if math.isfinite(x) else None


def numbers(values) -> list[float | None]:
    """:func:`number` of every value of an array, at NumPy's speed."""
    values = np.asarray(values, float)
    out = values.tolist()
    if not np.isfinite(values).all():
        out = [x if math.isfinite(x) else None for x in out]
    return out


def json_safe(obj):
    """Plain JSON data from numpy values, tuples and dataclasses, non-finite numbers as null.

    The exact type is tested first: a large case's JSON has millions of plain
    numbers and strings, and they should cost one look each."""
    kind = type(obj)
    if kind is float:
        return obj if math.isfinite(obj) else None
    if kind is str or kind is int or kind is bool or obj is None:
        return obj
    if kind is dict:
        return {k if type(k) is str else str(k): json_safe(v) for k, v in obj.items()}
    if kind is list or kind is tuple:
        return [json_safe(v) for v in obj]
    if isinstance(obj, np.ndarray):
        return json_safe(obj.tolist())
    if isinstance(obj, (bool, np.bool_)):
        return bool(obj)
    if isinstance(obj, (float, np.floating)):
        return number(obj)
    if isinstance(obj, (int, np.integer)):
        return int(obj)
    if isinstance(obj, (dict, list, tuple)):
        return json_safe(dict(obj) if isinstance(obj, dict) else list(obj))
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return json_safe(dataclasses.asdict(obj))
    return obj


def _by(keys, values) -> dict:
    return dict(zip(keys, numbers(values)))


# -- a Result ------------------------------------------------------------------------
def result_to_dict(result, pairwise: bool = False) -> dict:
    """Every number of a :class:`~ach.result.Result`, under the stable keys of the contract.

    ``pairwise``: each item's table of decibans between every two hypotheses
    (``evidence[].pairwise_db``): n² numbers per item, most of the JSON of a
    large case (1.1 GB at 10,000 × 50), so asked for (``--pairwise``)."""
    inp, hyps, case = result.inputs, result.hypotheses, result.case

    def by_h(values) -> dict:
        return _by(hyps, values)

    ranks, tied = result.heuer.ranks()
    ranking = result.ranking_agreement
    out = {
        "ach_version": result.provenance()["ach_version"],
        "case": {"path": case.path, "sha256": case.sha256, "title": case.title, "question": case.question},
        "hypotheses": hyps,
        "leading": result.leading,
        "bottom_line": result.bottom_line(),
        "judgment": {**dataclasses.asdict(result.judgment), "notes": result.qualifications()},
        "inputs": {
            "prior": by_h(inp.prior),
            "prior_concentration": inp.prior_concentration,
            "sources": {
                sid: {
                    "reliability": number(inp.r[s]),
                    "concentration": number(inp.r_kappa[s]),
                    "items": inp.items_of(s),
                }
                for s, sid in enumerate(inp.sources)
            },
            "evidence": {
                eid: {
                    "source": inp.sources[inp.source_index[i]],
                    "credibility": number(inp.k[i]),
                    "likelihood": by_h(inp.m[i]),
                    "if_false": by_h(inp.b[i]),
                    "concentration": number(np.nanmean(inp.kappa[i]) if np.isfinite(inp.kappa[i]).any() else np.nan),
                    "concentrations": by_h(inp.kappa[i]),
                }
                for i, eid in enumerate(inp.items)
            },
        },
        "exact": {
            "posterior": by_h(result.posterior),
            "terms": {h: icd203_term(p) for h, p in zip(hyps, result.posterior)},
        },
        "heuer": {
            "inconsistency": by_h(result.heuer.inconsistency),
            "weighted_inconsistency": by_h(result.heuer.weighted_inconsistency),
            "ranking": result.heuer.ranking(),
            "ranks": {h: int(r) for h, r in zip(hyps, ranks)},
            "tied": [h for h, t in zip(hyps, tied) if t],
            "agreement": {"verdict": ranking.verdict, "classic_best": ranking.classic_best},
            "ratings": {eid: dict(zip(hyps, row)) for eid, row in zip(inp.items, result.heuer.ratings)},
        },
        "evidence": [
            {
                "id": eid,
                "source": inp.sources[inp.source_index[i]],
                "woe_db": by_h(result.item_woe[i]),
                **(
                    {"pairwise_db": {a: by_h(result.item_pairwise[i, x]) for x, a in enumerate(hyps)}}
                    if pairwise
                    else {}
                ),
            }
            for i, eid in enumerate(inp.items)
        ],
        "top_items": [inp.items[i] for i in result.top_items()],
        "sources": [{"id": sid, "woe_db": by_h(result.source_woe[s])} for s, sid in enumerate(inp.sources)],
        "warnings": [d.to_dict() for d in case.warnings],
        "acknowledged": [{**d.to_dict(), "why": why} for d, why in case.acknowledged],
        "sensitivity": sensitivity_to_dict(result.sensitivity, result.loo_table()),
        "collection": {
            "candidates": [_candidate(v, hyps) for v in result.collection],
            "hardest_pairs": [
                {
                    "a": p.a,
                    "b": p.b,
                    "mass": p.mass,
                    "evidence_db": p.evidence_db,
                    "separating_items": [{"id": i, "db": d} for i, d in p.separating_items],
                    "info_gain_of_10db_item": p.gain_from_10db,
                }
                for p in result.hardest_pairs
            ],
        },
        "provenance": result.provenance(),
    }
    if result.bayes is not None:
        b = result.bayes
        agreement = result.agreement
        out["bayes"] = {
            "sampler": b.sampler,
            "mean": by_h(b.summary.mean),
            "mc_se": by_h(b.mc_se),
            "hdi90": {h: [number(lo), number(hi)] for h, (lo, hi) in zip(hyps, b.summary.hdi90)},
            "p_leading": by_h(b.summary.p_leading),
            "mc_error": _mc_error(b.summary, hyps),
            "r_hat_max": number(b.r_hat_max),
            "ess_bulk_min": number(b.ess_bulk_min),
            "ess_tail_min": number(b.ess_tail_min),
            "divergences": b.divergences,
            "healthy": b.healthy,
            "problems": b.problems(),
            "chains": b.chains,
            "draws": b.draws,
            "tune": b.tune,
            "strata": dict(zip(b.strata, map(number, b.weights))),
            "agreement": {
                "agree": agreement.agree,
                "worst": agreement.worst,
                "difference": agreement.difference,
                "z": agreement.z,
            },
        }
        level, reasons = result.confidence
        out["confidence"] = {"level": level, "reasons": reasons}
    if result.forward is not None:
        out["forward"] = {
            "hdi90": {h: [number(lo), number(hi)] for h, (lo, hi) in zip(hyps, result.forward.hdi90)},
            "p_leading": by_h(result.forward.p_leading),
            "mc_error": _mc_error(result.forward, hyps),
            "draws": len(result.forward.samples),
        }
    # the sensitivity is safe already, and the largest part of a large case's JSON: not walked twice
    return {key: value if key == "sensitivity" else json_safe(value) for key, value in out.items()}


def _mc_error(summary, hypotheses) -> dict:
    """The Monte Carlo standard error of every interval end and share a summary reports."""
    return {
        "hdi90": {h: [number(lo), number(hi)] for h, (lo, hi) in zip(hypotheses, summary.hdi90_se)},
        "p_leading": _by(hypotheses, summary.p_leading_se),
        "max": number(summary.mc_error),
    }


def _candidate(v, hypotheses) -> dict:
    return {
        "id": v.id,
        "p_observed": v.p_seen,
        "posterior_if_observed": _by(hypotheses, v.if_seen),
        "posterior_if_not": _by(hypotheses, v.if_not),
        "info_gain_bits": v.info_gain,
        "probability_gain": v.probability_gain,
        "leader_if_observed": v.leader_if_seen,
        "leader_if_not": v.leader_if_not,
    }


def _records(table, keys: dict) -> list[dict]:
    """Rows of a table held as columns (``table.column(name)``), under the JSON's ``keys`` (key -> column)."""
    columns = [table.column(name) for name in keys.values()]
    return [dict(zip(keys, row)) for row in zip(*columns)]


# -- sensitivity ---------------------------------------------------------------------
def sensitivity_to_dict(s, loo_table=()) -> dict:
    """The sensitivity analysis (README contract); ``loo_table``: the ranked leave-one-out rows."""
    hyps = s.hypotheses

    def curves(c) -> dict:
        return {
            "grid": [float(g) for g in c.grid],
            "posterior": {h: [float(p) for p in c.posterior[:, j]] for j, h in enumerate(hyps)},
            "segments": [{"from": a, "to": b, "leader": who} for a, b, who in c.segments],
        }

    return json_safe(
        {
            "leave_one_out": {
                "items": {e: _by(hyps, p) for e, p in zip(s.items, s.loo.items)},
                "sources": {x: _by(hyps, p) for x, p in zip(s.sources, s.loo.sources)},
                "linchpins": {
                    "items": [s.items[i] for i in s.loo.item_linchpins],
                    "sources": [s.sources[k] for k in s.loo.source_linchpins],
                },
                "leaders": {
                    "items": dict(zip(s.items, s.loo.item_leaders)),
                    "sources": dict(zip(s.sources, s.loo.source_leaders)),
                },
                "ranked": [
                    {
                        "kind": r.kind,
                        "id": r.id,
                        "p_leader": r.p,
                        "change": r.change,
                        "leader": r.leader,
                        "linchpin": r.linchpin,
                    }
                    for r in loo_table
                ],
            },
            "tornado": _records(
                s.tornado,
                {"input": "label", **{f: f for f in ("kind", "id", "hypothesis", "low", "high", "p_low", "p_high")}},
            ),
            "thresholds": {
                "items": [
                    {
                        "id": t.item,
                        "rival": t.rival,
                        "factor": None if t.factor is None else number(t.factor),
                        "ratio": number(t.ratio),
                        "hypothesis": t.hypothesis,
                        "direction": t.direction,
                        "from": t.value_from,
                        "to": t.value_to,
                    }
                    for t in s.thresholds
                ],
                "prior": None
                if s.prior is None
                else {"rival": s.prior.rival, "odds_now": s.prior.odds_now, "odds_needed": s.prior.odds_needed},
            },
            "reliability_sweeps": {sid: curves(c) for sid, c in s.sweeps.items()},
            "deception": {eid: curves(c) for eid, c in s.deception.items()},
            "timeline": {
                "dates": list(s.timeline.dates),
                "posterior": {h: [float(p) for p in s.timeline.posterior[:, j]] for j, h in enumerate(hyps)},
                "added": s.timeline.added,
            },
        }
    )


# -- what if, and two versions of a case ---------------------------------------------
def whatif_to_dict(w) -> dict:
    hyps = w.before.hypotheses
    return json_safe(
        {
            "changes": w.changes,
            "before": dict(zip(hyps, w.before.posterior)),
            "after": dict(zip(hyps, w.after.posterior)),
            "leading_before": w.before.leading,
            "leading_after": w.after.leading,
        }
    )


def comparison_to_dict(c) -> dict:
    """:class:`~ach.casediff.Comparison`: every change, its move, and the total."""
    return json_safe(
        {
            "changes": [
                {
                    "kind": ch.kind,
                    "id": ch.id,
                    "field": ch.field,
                    "old": ch.old,
                    "new": ch.new,
                    "description": ch.describe(),
                    "after": ch.after,
                    "move": ch.move,
                }
                for ch in c.changes
            ],
            "posterior": {"old": c.old_posterior, "new": c.new_posterior},
            "compared": {
                "hypotheses": c.compared,
                "renormalised": c.renormalised,
                "old": c.compared_old,
                "new": c.compared_new,
                "total": c.total,
            },
            "hypotheses_added": c.added,
            "hypotheses_removed": c.removed,
            "attribution": c.note,
        }
    )
