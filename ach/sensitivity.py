"""How sensitive is the conclusion? (Heuer's step 6; MODEL.md §5.)

Every computation here edits the exact posterior in closed form instead of
re-running anything: the posterior is a sum of per-source terms, and a
source's term is built from per-item terms, so removing an item, swinging an
input or sweeping a reliability only touches one source's term. All of it is
vectorised over items, hypotheses and grid points.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import exact
from .scales import beta_params

Q = 0.05  # swings run from the 5 % to the 95 % point of each input


class _LogSum:
    """Sums of log terms that may be -inf (a zero likelihood), kept as (finite
    part, count of -inf) so that terms can be taken out again exactly."""

    def __init__(self, terms: np.ndarray, summed):
        finite = np.isfinite(terms)
        self.finite = summed(np.where(finite, terms, 0.0))
        self.zeros = summed((~finite).astype(float))

    @staticmethod
    def value(finite, zeros):
        return np.where(zeros > 0.5, -np.inf, finite)

    @property
    def total(self):
        return self.value(self.finite, self.zeros)

    def swap(self, s, old, new):
        """The sum of source ``s`` with term ``old`` replaced by ``new`` (broadcasting)."""
        finite = self.finite[s] - np.where(np.isfinite(old), old, 0.0) + np.where(np.isfinite(new), new, 0.0)
        zeros = self.zeros[s] - ~np.isfinite(old) + ~np.isfinite(new)
        return self.value(finite, zeros)


@dataclass
class Parts:
    """The exact computation taken apart: everything sensitivity needs."""

    inputs: object
    g: np.ndarray  # (I, n) log(k m + (1 - k) b): an item's term if its source is reliable
    z: np.ndarray  # (I, n) log b: its term if not
    G: _LogSum  # per-source sums of g
    Z: _LogSum  # per-source sums of z
    log_source: np.ndarray  # (S, n) log P(E_s | H_j)
    T: _LogSum  # log prior + sum of log_source: the unnormalised log posterior

    @classmethod
    def of(cls, inputs) -> Parts:
        source_sum = exact.SourceSum(inputs.source_index, len(inputs.sources))
        with np.errstate(divide="ignore"):
            g = np.log(inputs.k[:, None] * inputs.m + (1 - inputs.k[:, None]) * inputs.b)
            z = np.log(inputs.b)
            G, Z = _LogSum(g, source_sum), _LogSum(z, source_sum)
            log_source = combine(inputs.r[:, None], G.total, Z.total)
            T = _LogSum(np.vstack([np.log(inputs.prior), log_source]), lambda x: x.sum(axis=0))
        return cls(inputs, g, z, G, Z, log_source, T)

    @property
    def total(self) -> np.ndarray:
        return self.T.total

    def without_source(self, s) -> np.ndarray:
        """The unnormalised log posterior without source(s) ``s`` (…, n)."""
        old = self.log_source[s]
        finite = self.T.finite - np.where(np.isfinite(old), old, 0.0)
        return _LogSum.value(finite, self.T.zeros - ~np.isfinite(old))

    @property
    def posterior(self) -> np.ndarray:
        return exact.normalise(self.total)

    @property
    def leader(self) -> int:
        return int(np.argmax(self.total))

    def with_item_terms(self, items, g_new, z_new) -> np.ndarray:
        """Unnormalised log posteriors (…, n) with item ``items[…]``'s terms replaced."""
        s = self.inputs.source_index[items]
        r = self.inputs.r[s][..., None]
        with np.errstate(divide="ignore", invalid="ignore"):
            new_source = combine(r, self.G.swap(s, self.g[items], g_new), self.Z.swap(s, self.z[items], z_new))
        return self.without_source(s) + new_source


def combine(r, G, Z):
    """log P(E_s | H) from the source's log sums (MODEL.md §2)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.logaddexp(np.log(r) + G, np.log1p(-r) + Z)


# -- leave one out -------------------------------------------------------------


@dataclass
class LeaveOneOut:
    items: np.ndarray  # (I, n) posterior without each item
    sources: np.ndarray  # (S, n) posterior without each source
    item_linchpins: list[int]  # items whose removal changes the leading hypothesis
    source_linchpins: list[int]


def leave_one_out(inputs, parts: Parts | None = None) -> LeaveOneOut:
    parts = parts or Parts.of(inputs)
    ones = np.zeros_like(parts.g)  # log 1: an absent item's terms
    items = exact.normalise(parts.with_item_terms(np.arange(len(inputs.items)), ones, ones))
    sources = exact.normalise(parts.without_source(np.arange(len(inputs.sources))))
    lead = parts.leader
    return LeaveOneOut(
        items=items,
        sources=sources,
        item_linchpins=[int(i) for i in np.flatnonzero(np.argmax(items, axis=1) != lead)],
        source_linchpins=[int(s) for s in np.flatnonzero(np.argmax(sources, axis=1) != lead)],
    )


# -- tornado ---------------------------------------------------------------------


@dataclass
class Swing:
    kind: str  # "likelihood", "credibility", "reliability", "prior"
    item: str | None  # evidence id, source id or hypothesis id
    hypothesis: str | None  # for a likelihood cell
    low: float  # the input at its 5 % point
    high: float  # ... and its 95 % point
    p_low: float  # P(leader) with the input at its low value
    p_high: float

    @property
    def width(self) -> float:
        return abs(self.p_high - self.p_low)

    @property
    def label(self) -> str:
        if self.kind == "likelihood":
            return f"{self.item} likelihood under {self.hypothesis}"
        return f"{self.item} {self.kind}"


def _quantiles(mean, kappa):
    """5 % and 95 % points of each input's Beta; fixed inputs stay put."""
    from scipy.special import betaincinv

    free, a, b = beta_params(mean, kappa)
    lo = np.where(free, betaincinv(a, b, Q), mean)
    hi = np.where(free, betaincinv(a, b, 1 - Q), mean)
    return free, lo, hi


def tornado(inputs, parts: Parts | None = None) -> list[Swing]:
    """Swing each uncertain input across its 5-95 % interval, the others at their
    means; P(leading hypothesis) at both ends. Longest bar first."""
    parts = parts or Parts.of(inputs)
    lead = parts.leader
    hyps, items, sources = inputs.hypotheses, inputs.items, inputs.sources
    k, b = inputs.k[:, None], inputs.b
    swings: list[Swing] = []

    def p_lead(total):
        return exact.normalise(total)[..., lead]

    # likelihood cells: only column j of the item's terms changes
    free, lo, hi = _quantiles(inputs.m, inputs.kappa)
    I, n = inputs.m.shape
    cells = np.argwhere(free)
    if len(cells):
        ends = []
        for value in (lo, hi):
            with np.errstate(divide="ignore"):
                g_cell = np.log(k * value + (1 - k) * b)[cells[:, 0], cells[:, 1]]
            g_row = parts.g[cells[:, 0]].copy()
            g_row[np.arange(len(cells)), cells[:, 1]] = g_cell
            ends.append(p_lead(parts.with_item_terms(cells[:, 0], g_row, parts.z[cells[:, 0]])))
        for c, (i, j) in enumerate(cells):
            swings.append(Swing("likelihood", items[i], hyps[j], lo[i, j], hi[i, j], ends[0][c], ends[1][c]))

    # credibility: the item's whole row changes
    free, lo, hi = _quantiles(inputs.k, inputs.k_kappa)
    idx = np.flatnonzero(free)
    if len(idx):
        ends = []
        for value in (lo, hi):
            with np.errstate(divide="ignore"):
                g_row = np.log(value[idx, None] * inputs.m[idx] + (1 - value[idx, None]) * b[idx])
            ends.append(p_lead(parts.with_item_terms(idx, g_row, parts.z[idx])))
        swings += [
            Swing("credibility", items[i], None, lo[i], hi[i], ends[0][c], ends[1][c]) for c, i in enumerate(idx)
        ]

    # reliability: one source's term
    free, lo, hi = _quantiles(inputs.r, inputs.r_kappa)
    idx = np.flatnonzero(free)
    if len(idx):
        ends = [
            p_lead(parts.without_source(idx) + combine(v[idx, None], parts.G.total[idx], parts.Z.total[idx]))
            for v in (lo, hi)
        ]
        swings += [
            Swing("reliability", sources[s], None, lo[s], hi[s], ends[0][c], ends[1][c]) for c, s in enumerate(idx)
        ]

    # prior: Dirichlet marginals, the other hypotheses rescaled to keep the sum 1
    if inputs.prior_concentration is not None:
        c = inputs.prior_concentration
        free, lo, hi = _quantiles(inputs.prior, np.full(len(hyps), c))
        for j in np.flatnonzero(free):
            ends = []
            for value in (lo[j], hi[j]):
                prior = inputs.prior * (1 - value) / (1 - inputs.prior[j])
                prior[j] = value
                with np.errstate(divide="ignore"):
                    ends.append(float(p_lead(parts.total - np.log(inputs.prior) + np.log(prior))))
            swings.append(Swing("prior", hyps[j], None, lo[j], hi[j], *ends))
    return sorted(swings, key=lambda s: -s.width)


# -- thresholds --------------------------------------------------------------------


@dataclass
class Threshold:
    item: str
    rival: str  # the hypothesis that would take the lead
    factor: float  # how many times the item's L_leader / L_rival must shrink (inf: cannot)
    ratio: float  # that ratio now


def item_thresholds(inputs, parts: Parts | None = None) -> list[Threshold]:
    """For each item, the smallest factor by which its likelihood ratio (leader
    against some rival) would have to shrink for that rival to take the lead.

    The ratio is shrunk by raising the rival's likelihood (up to 1) and then,
    if that is not enough, lowering the leader's (down to 0). Through a source
    that may be unreliable or an item that may be false, an item's pull is
    bounded, so some items cannot overturn the judgment on their own (inf).

    Changing ``m_ij`` to ``m'`` multiplies ``P(E_s | H_j)`` by
    ``ρ = 1 − w + w·(k m' + (1 − k) b) / (k m + (1 − k) b)``, with ``w`` the
    share of that probability coming from the genuine branch; the leader and
    rival swap when the ρ's make up the posterior odds between them. Solved in
    closed form for every item and rival at once.
    """
    parts = parts or Parts.of(inputs)
    lead = parts.leader
    m, b, k = inputs.m, inputs.b, inputs.k[:, None]
    s = inputs.source_index
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        w = np.exp(np.log(inputs.r[s])[:, None] + parts.G.total[s] - parts.log_source[s])  # (I, n)
        base = k * m + (1 - k) * b
        odds = np.exp(parts.total[lead] - parts.total)  # (n,) leader over each rival

        def solve(j, target):  # the m_ij that multiplies P(E_s | H_j) by target
            return ((target - 1 + w[:, j]) / w[:, j] * base[:, j] - (1 - k[:, 0]) * b[:, j]) / k[:, 0]

        rho_max = 1 - w + w * (k + (1 - k) * b) / base  # rival's likelihood raised to 1
        factor = np.full(m.shape, np.inf)
        for h in range(m.shape[1]):
            if h == lead:
                continue
            enough = rho_max[:, h] >= odds[h]
            raise_only = solve(h, odds[h]) / m[:, h]
            m_lead = solve(lead, rho_max[:, h] / odds[h])
            both = np.where((m_lead > 0) & (m[:, lead] > 0), m[:, lead] / (m[:, h] * m_lead), np.inf)
            factor[:, h] = np.where(enough, raise_only, both)
        factor[(k[:, 0] == 0)[:, None] | (m == 0) | ~np.isfinite(factor)] = np.inf
        factor[:, lead] = np.inf
        ratio = m[:, lead][:, None] / m
    runner_up = int(np.argsort(-parts.total)[1])
    best = np.where(np.isfinite(factor).any(axis=1), np.argmin(factor, axis=1), runner_up)
    hyps = inputs.hypotheses
    return [
        Threshold(eid, hyps[best[i]], float(factor[i, best[i]]), float(ratio[i, best[i]]))
        for i, eid in enumerate(inputs.items)
    ]


def apply_factor(inputs, item: int, rival: int, factor: float):
    """Inputs with item's ratio L_leader / L_rival shrunk by ``factor`` the way
    :func:`item_thresholds` does it: raise the rival's likelihood up to 1, then
    lower the leader's. For checking a threshold by re-running the engine."""
    from dataclasses import replace

    lead = int(np.argmax(exact.posterior(inputs)))
    m = inputs.m.copy()
    raised = min(m[item, rival] * factor, 1.0)
    remaining = factor * m[item, rival] / raised
    m[item, rival] = raised
    m[item, lead] = m[item, lead] / remaining
    return replace(inputs, m=m)


@dataclass
class PriorThreshold:
    rival: str
    odds_now: float  # prior odds rival : leader as stated
    odds_needed: float  # prior odds rival : leader that would make the rival lead


def prior_threshold(inputs, parts: Parts | None = None) -> PriorThreshold:
    """ "You would need to believe beforehand that the rival is N times more
    likely than the leader": the rival needing the smallest such N."""
    parts = parts or Parts.of(inputs)
    lead = parts.leader
    post = parts.posterior
    best = None
    for h in range(len(inputs.hypotheses)):
        if h == lead or post[h] == 0:
            continue
        now = inputs.prior[h] / inputs.prior[lead]
        needed = now * post[lead] / post[h]
        if best is None or needed < best.odds_needed:
            best = PriorThreshold(inputs.hypotheses[h], float(now), float(needed))
    return best


# -- sweeps ------------------------------------------------------------------------


def reliability_sweep(inputs, source: int, grid=None, parts: Parts | None = None):
    """Posterior (G, n) as source ``source``'s reliability runs over ``grid``."""
    parts = parts or Parts.of(inputs)
    grid = np.linspace(0, 1, 51) if grid is None else np.asarray(grid, float)
    log_s = combine(grid[:, None], parts.G.total[source], parts.Z.total[source])
    return grid, exact.normalise(parts.without_source(source) + log_s)


def credibility_sweep(inputs, item: int, grid=None, parts: Parts | None = None):
    """Posterior (G, n) as item ``item``'s credibility runs over ``grid``: at 0 the
    report is certainly not genuine (planted, if its if_false says by whom)."""
    parts = parts or Parts.of(inputs)
    grid = np.linspace(0, 1, 51) if grid is None else np.asarray(grid, float)
    with np.errstate(divide="ignore"):
        g = np.log(grid[:, None] * inputs.m[item] + (1 - grid[:, None]) * inputs.b[item])
    items = np.full(len(grid), item)
    return grid, exact.normalise(parts.with_item_terms(items, g, np.broadcast_to(parts.z[item], g.shape)))


def timeline(inputs, dates: list[str | None], parts: Parts | None = None):
    """The posterior as it stood after each evidence date, oldest first.

    Items without a date count as known from the start. Returns the dates
    (``"start"`` first when there are undated items) and posteriors (T, n).
    """
    known = sorted({d for d in dates if d})
    steps = (["start"] if any(d is None for d in dates) else []) + known
    cutoff = np.array([d or "" for d in dates])
    parts = parts or Parts.of(inputs)
    source_sum = exact.SourceSum(inputs.source_index, len(inputs.sources))
    out = []
    for step in steps:
        absent = cutoff > ("" if step == "start" else step)
        g = np.where(absent[:, None], 0.0, parts.g)  # log 1: an absent item's terms
        z = np.where(absent[:, None], 0.0, parts.z)
        with np.errstate(divide="ignore", invalid="ignore"):
            log_source = combine(inputs.r[:, None], source_sum(g), source_sum(z))
            out.append(exact.normalise(np.log(inputs.prior) + log_source.sum(axis=0)))
    return steps, np.array(out).reshape(len(steps), len(inputs.hypotheses))


# -- everything, for a report ----------------------------------------------------


@dataclass
class Sensitivity:
    """All of the above for one case, as the report and the JSON show it."""

    hypotheses: list[str]
    items: list[str]
    sources: list[str]
    loo: LeaveOneOut
    tornado: list[Swing]
    thresholds: list[Threshold]
    prior: PriorThreshold | None
    sweeps: dict[str, tuple[np.ndarray, np.ndarray]]  # source id -> (grid, posterior)
    deception: dict[str, tuple[np.ndarray, np.ndarray]]  # item id -> (credibility grid, posterior)
    timeline: tuple[list[str], np.ndarray]

    def to_dict(self) -> dict:
        hyps = self.hypotheses

        def by_h(row):
            return {h: float(p) for h, p in zip(hyps, row)}

        def curves(grid, post):
            return {
                "grid": [float(g) for g in grid],
                "posterior": {h: [float(p) for p in post[:, j]] for j, h in enumerate(hyps)},
            }

        return {
            "leave_one_out": {
                "items": {e: by_h(p) for e, p in zip(self.items, self.loo.items)},
                "sources": {s: by_h(p) for s, p in zip(self.sources, self.loo.sources)},
                "linchpins": {
                    "items": [self.items[i] for i in self.loo.item_linchpins],
                    "sources": [self.sources[s] for s in self.loo.source_linchpins],
                },
            },
            "tornado": [
                {
                    "input": s.label,
                    "kind": s.kind,
                    "id": s.item,
                    "hypothesis": s.hypothesis,
                    "low": float(s.low),
                    "high": float(s.high),
                    "p_low": float(s.p_low),
                    "p_high": float(s.p_high),
                }
                for s in self.tornado
            ],
            "thresholds": {
                "items": [
                    {
                        "id": t.item,
                        "rival": t.rival,
                        "factor": None if not np.isfinite(t.factor) else float(t.factor),
                        "ratio": float(t.ratio),
                    }
                    for t in self.thresholds
                ],
                "prior": None
                if self.prior is None
                else {
                    "rival": self.prior.rival,
                    "odds_now": self.prior.odds_now,
                    "odds_needed": self.prior.odds_needed,
                },
            },
            "reliability_sweeps": {s: curves(*c) for s, c in self.sweeps.items()},
            "deception": {e: curves(*c) for e, c in self.deception.items()},
            "timeline": {
                "dates": list(self.timeline[0]),
                "posterior": {h: [float(p) for p in self.timeline[1][:, j]] for j, h in enumerate(hyps)},
            },
        }


def analyse(case, n_sweeps: int = 3) -> Sensitivity:
    """Every sensitivity computation for a case (milliseconds, exact engine only)."""
    inputs = case.inputs
    parts = Parts.of(inputs)
    loo = leave_one_out(inputs, parts)
    moved = np.abs(loo.sources - parts.posterior).max(axis=1)
    top_sources = [int(s) for s in np.argsort(-moved)[:n_sweeps] if moved[s] > 0]
    deceptive = [i for i, e in enumerate(case.evidence) if isinstance(e.if_false, dict)]
    return Sensitivity(
        hypotheses=inputs.hypotheses,
        items=inputs.items,
        sources=inputs.sources,
        loo=loo,
        tornado=tornado(inputs, parts),
        thresholds=item_thresholds(inputs, parts),
        prior=prior_threshold(inputs, parts),
        sweeps={inputs.sources[s]: reliability_sweep(inputs, s, parts=parts) for s in top_sources},
        deception={inputs.items[i]: credibility_sweep(inputs, i, parts=parts) for i in deceptive},
        timeline=timeline(inputs, [e.date for e in case.evidence], parts),
    )
