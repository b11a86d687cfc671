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

__all__ = [
    "Curve",
    "Decomposition",
    "LeaveOneOut",
    "PriorThreshold",
    "Sensitivity",
    "Swing",
    "Threshold",
    "Timeline",
    "credibility_sweep",
    "item_thresholds",
    "leader_segments",
    "leaders",
    "leave_one_out",
    "prior_threshold",
    "reliability_sweep",
    "timeline",
    "tornado",
]

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
class Decomposition:
    """The exact computation taken apart (MODEL.md §2): everything sensitivity needs.

    A source's log likelihood is :func:`ach.exact.combine_source` of the sums of
    its items' genuine terms and noise terms; the log posterior is the prior
    plus the sum over sources. Keeping each sum lets one item's or one source's
    part be swapped out exactly.
    """

    inputs: object
    genuine: np.ndarray  # (I, n) log(k m + (1 - k) b): an item's term if its source is reliable
    noise: np.ndarray  # (I, n) log b: its term if not
    genuine_sum: _LogSum  # per-source sums of genuine (S, n)
    noise_sum: _LogSum  # per-source sums of noise (S, n)
    log_source: np.ndarray  # (S, n) log P(E_s | H_j)
    log_posterior: _LogSum  # log prior + sum of log_source: the unnormalised log posterior (n,)

    @classmethod
    def of(cls, inputs) -> Decomposition:
        source_sum = exact.SourceSum(inputs.source_index, len(inputs.sources))
        with np.errstate(divide="ignore", invalid="ignore"):
            genuine = exact.item_term(inputs.k[:, None], inputs.m, inputs.b)
            noise = np.log(inputs.b)
            genuine_sum, noise_sum = _LogSum(genuine, source_sum), _LogSum(noise, source_sum)
            log_source = exact.combine_source(inputs.r[:, None], genuine_sum.total, noise_sum.total)
            total = _LogSum(np.vstack([np.log(inputs.prior), log_source]), lambda x: x.sum(axis=0))
        return cls(inputs, genuine, noise, genuine_sum, noise_sum, log_source, total)

    @property
    def total(self) -> np.ndarray:
        return self.log_posterior.total

    def without_source(self, s) -> np.ndarray:
        """The unnormalised log posterior without source(s) ``s`` (…, n)."""
        old = self.log_source[s]
        finite = self.log_posterior.finite - np.where(np.isfinite(old), old, 0.0)
        return _LogSum.value(finite, self.log_posterior.zeros - ~np.isfinite(old))

    @property
    def posterior(self) -> np.ndarray:
        return exact.normalise(self.total)

    @property
    def leader(self) -> int:
        return int(np.argmax(self.total))

    def with_source_terms(self, s, genuine_sum, noise_sum, r=None) -> np.ndarray:
        """Unnormalised log posteriors (…, n) with source(s) ``s`` recombined from new sums."""
        r = self.inputs.r[s][..., None] if r is None else r
        with np.errstate(divide="ignore", invalid="ignore"):
            return self.without_source(s) + exact.combine_source(r, genuine_sum, noise_sum)

    def with_item_terms(self, items, genuine, noise) -> np.ndarray:
        """Unnormalised log posteriors (…, n) with item ``items[…]``'s terms replaced."""
        s = self.inputs.source_index[items]
        return self.with_source_terms(
            s, self.genuine_sum.swap(s, self.genuine[items], genuine), self.noise_sum.swap(s, self.noise[items], noise)
        )


def leaders(posterior: np.ndarray, hypotheses: list[str]) -> list[str]:
    """The hypothesis that leads in each row of ``posterior`` (…, n), by id."""
    return [hypotheses[int(j)] for j in np.argmax(np.atleast_2d(posterior), axis=-1)]


def leader_segments(grid: np.ndarray, posterior: np.ndarray, hypotheses: list[str]) -> list[tuple[float, float, str]]:
    """(from, to, hypothesis id): the runs of ``grid`` over which one hypothesis leads."""
    lead = np.argmax(posterior, axis=1)
    out, start = [], 0
    for g in range(1, len(grid) + 1):
        if g == len(grid) or lead[g] != lead[start]:
            out.append((float(grid[start]), float(grid[g - 1]), hypotheses[int(lead[start])]))
            start = g
    return out


# -- leave one out -------------------------------------------------------------


@dataclass
class LeaveOneOut:
    items: np.ndarray  # (I, n) posterior without each item
    sources: np.ndarray  # (S, n) posterior without each source
    item_leaders: list[str]  # the hypothesis that leads without each item
    source_leaders: list[str]  # ... without each source
    item_linchpins: list[int]  # items whose removal changes the leading hypothesis
    source_linchpins: list[int]


def leave_one_out(inputs, parts: Decomposition | None = None) -> LeaveOneOut:
    parts = parts or Decomposition.of(inputs)
    ones = np.zeros_like(parts.genuine)  # log 1: an absent item's terms
    items = exact.normalise(parts.with_item_terms(np.arange(len(inputs.items)), ones, ones))
    sources = exact.normalise(parts.without_source(np.arange(len(inputs.sources))))
    lead = parts.leader
    return LeaveOneOut(
        items=items,
        sources=sources,
        item_leaders=leaders(items, inputs.hypotheses) if len(items) else [],
        source_leaders=leaders(sources, inputs.hypotheses) if len(sources) else [],
        item_linchpins=[int(i) for i in np.flatnonzero(np.argmax(items, axis=1) != lead)],
        source_linchpins=[int(s) for s in np.flatnonzero(np.argmax(sources, axis=1) != lead)],
    )


# -- tornado ---------------------------------------------------------------------


@dataclass
class Swing:
    kind: str  # "likelihood", "credibility", "reliability", "prior"
    id: str  # evidence id (likelihood, credibility), source id (reliability) or hypothesis id (prior)
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
            return f"{self.id} likelihood under {self.hypothesis}"
        return f"{self.id} {self.kind}"


def _quantiles(mean, kappa):
    """5 % and 95 % points of each input's Beta; fixed inputs stay put."""
    from scipy.special import betaincinv

    free, a, b = beta_params(mean, kappa)
    lo = np.where(free, betaincinv(a, b, Q), mean)
    hi = np.where(free, betaincinv(a, b, 1 - Q), mean)
    return free, lo, hi


def tornado(inputs, parts: Decomposition | None = None) -> list[Swing]:
    """Swing each uncertain input across its 5-95 % interval, the others at their
    means; P(leading hypothesis) at both ends. Longest bar first."""
    parts = parts or Decomposition.of(inputs)
    lead = parts.leader
    hyps, items, sources = inputs.hypotheses, inputs.items, inputs.sources
    k, b = inputs.k[:, None], inputs.b
    swings: list[Swing] = []

    def p_lead(total):
        return exact.normalise(total)[..., lead]

    # likelihood cells: only column j of the item's terms changes
    free, lo, hi = _quantiles(inputs.m, inputs.kappa)
    cells = np.argwhere(free)
    if len(cells):
        rows, cols = cells[:, 0], cells[:, 1]
        ends = []
        for value in (lo, hi):
            with np.errstate(divide="ignore"):
                genuine = exact.item_term(k, value, b)[rows, cols]
            row_terms = parts.genuine[rows].copy()
            row_terms[np.arange(len(cells)), cols] = genuine
            ends.append(p_lead(parts.with_item_terms(rows, row_terms, parts.noise[rows])))
        for c, (i, j) in enumerate(cells):
            swings.append(Swing("likelihood", items[i], hyps[j], lo[i, j], hi[i, j], ends[0][c], ends[1][c]))

    # credibility: the item's whole row changes
    free, lo, hi = _quantiles(inputs.k, inputs.k_kappa)
    idx = np.flatnonzero(free)
    if len(idx):
        ends = []
        for value in (lo, hi):
            with np.errstate(divide="ignore"):
                genuine = exact.item_term(value[idx, None], inputs.m[idx], b[idx])
            ends.append(p_lead(parts.with_item_terms(idx, genuine, parts.noise[idx])))
        swings += [
            Swing("credibility", items[i], None, lo[i], hi[i], ends[0][c], ends[1][c]) for c, i in enumerate(idx)
        ]

    # reliability: one source's term
    free, lo, hi = _quantiles(inputs.r, inputs.r_kappa)
    idx = np.flatnonzero(free)
    if len(idx):
        ends = [
            p_lead(parts.with_source_terms(idx, parts.genuine_sum.total[idx], parts.noise_sum.total[idx], v[idx, None]))
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


def item_thresholds(inputs, parts: Decomposition | None = None) -> list[Threshold]:
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
    parts = parts or Decomposition.of(inputs)
    lead = parts.leader
    m, b, k = inputs.m, inputs.b, inputs.k[:, None]
    s = inputs.source_index
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        w = np.exp(np.log(inputs.r[s])[:, None] + parts.genuine_sum.total[s] - parts.log_source[s])  # (I, n)
        base = exact.item_probability(k, m, b)
        odds = np.exp(parts.total[lead] - parts.total)  # (n,) leader over each rival

        def solve(j, target):  # the m_ij that multiplies P(E_s | H_j) by target
            return ((target - 1 + w[:, j]) / w[:, j] * base[:, j] - (1 - k[:, 0]) * b[:, j]) / k[:, 0]

        rho_max = 1 - w + w * exact.item_probability(k, 1.0, b) / base  # rival's likelihood raised to 1
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


@dataclass
class PriorThreshold:
    rival: str
    odds_now: float  # prior odds rival : leader as stated
    odds_needed: float  # prior odds rival : leader that would make the rival lead


def prior_threshold(inputs, parts: Decomposition | None = None) -> PriorThreshold | None:
    """ "You would need to believe beforehand that the rival is N times more
    likely than the leader": the rival needing the smallest such N."""
    parts = parts or Decomposition.of(inputs)
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


@dataclass
class Curve:
    """The posterior as one input runs over a grid, and who leads where."""

    grid: np.ndarray  # (G,)
    posterior: np.ndarray  # (G, n)
    segments: list[tuple[float, float, str]]  # (from, to, hypothesis id) runs of one leader


def _curve(inputs, grid, posterior) -> Curve:
    return Curve(grid, posterior, leader_segments(grid, posterior, inputs.hypotheses))


def reliability_sweep(inputs, source: int, grid=None, parts: Decomposition | None = None) -> Curve:
    """The posterior (G, n) as source ``source``'s reliability runs over ``grid``."""
    parts = parts or Decomposition.of(inputs)
    grid = np.linspace(0, 1, 51) if grid is None else np.asarray(grid, float)
    total = parts.with_source_terms(
        source, parts.genuine_sum.total[source], parts.noise_sum.total[source], grid[:, None]
    )
    return _curve(inputs, grid, exact.normalise(total))


def credibility_sweep(inputs, item: int, grid=None, parts: Decomposition | None = None) -> Curve:
    """The posterior (G, n) as item ``item``'s credibility runs over ``grid``: at 0 the
    report is certainly not genuine (planted, if its if_false says by whom)."""
    parts = parts or Decomposition.of(inputs)
    grid = np.linspace(0, 1, 51) if grid is None else np.asarray(grid, float)
    with np.errstate(divide="ignore"):
        genuine = exact.item_term(grid[:, None], inputs.m[item], inputs.b[item])
    items = np.full(len(grid), item)
    noise = np.broadcast_to(parts.noise[item], genuine.shape)
    return _curve(inputs, grid, exact.normalise(parts.with_item_terms(items, genuine, noise)))


@dataclass
class Timeline:
    """The posterior as it stood after each evidence date, oldest first."""

    dates: list[str]  # "start" first when there are undated items
    posterior: np.ndarray  # (T, n)
    added: list[list[str]]  # the items each date added
    leaders: list[str]  # who leads after each date
    prior_leader: str  # who leads before any evidence


def timeline(inputs, dates: list[str | None], parts: Decomposition | None = None) -> Timeline:
    """The posterior after each evidence date; items without a date count from the start."""
    known = sorted({d for d in dates if d})
    steps = (["start"] if any(d is None for d in dates) else []) + known
    cutoff = np.array([d or "" for d in dates])
    parts = parts or Decomposition.of(inputs)
    source_sum = exact.SourceSum(inputs.source_index, len(inputs.sources))
    out = []
    for step in steps:
        absent = cutoff > ("" if step == "start" else step)
        genuine = np.where(absent[:, None], 0.0, parts.genuine)  # log 1: an absent item's terms
        noise = np.where(absent[:, None], 0.0, parts.noise)
        with np.errstate(divide="ignore", invalid="ignore"):
            log_source = exact.combine_source(inputs.r[:, None], source_sum(genuine), source_sum(noise))
            out.append(exact.normalise(np.log(inputs.prior) + log_source.sum(axis=0)))
    added = [[eid for eid, d in zip(inputs.items, dates) if (d or "start") == step] for step in steps]
    posterior = np.array(out).reshape(len(steps), len(inputs.hypotheses))
    return Timeline(
        steps,
        posterior,
        added,
        leaders(posterior, inputs.hypotheses) if steps else [],
        leaders(inputs.prior, inputs.hypotheses)[0],
    )


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
    sweeps: dict[str, Curve]  # source id -> its reliability from 0 to 1
    deception: dict[str, Curve]  # item id -> its credibility from 0 to 1
    timeline: Timeline

    @classmethod
    def of(cls, case, n_sweeps: int = 3) -> Sensitivity:
        """Every sensitivity computation for a case (milliseconds, exact engine only)."""
        inputs = case.inputs
        parts = Decomposition.of(inputs)
        loo = leave_one_out(inputs, parts)
        moved = np.abs(loo.sources - parts.posterior).max(axis=1)
        top_sources = [int(s) for s in np.argsort(-moved)[:n_sweeps] if moved[s] > 0]
        deceptive = [i for i, e in enumerate(case.evidence) if isinstance(e.if_false, dict)]
        return cls(
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
