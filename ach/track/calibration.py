"""Calibration over many cases: do probabilities of about 70 % come true about 70 % of the time?

Every (case, hypothesis) pair is one forecast: the probability stated, and
whether that hypothesis proved true. :func:`calibrate` bins the forecasts
(ten bins of width 0.1), gives each bin its mean stated probability, its
observed frequency and a 95 % Wilson interval for that frequency, and
decomposes the mean Brier score (Murphy 1973) into

    Brier = reliability − resolution + uncertainty

in the units of the per-case multi-class Brier score (each term is the
per-forecast term times the forecasts per case). ``reliability`` is the
calibration error (0 is perfect). Forecasts in one bin are not all equal, so
a small fourth term, ``within_bin`` (Stephenson et al. 2008, computed from
its own formula), completes it: Brier = reliability − resolution +
uncertainty + within_bin, an identity the tests check.
Looking at ten bins at once, a calibrated analyst would see one of them
miss its 95 % interval about two times in five by chance alone. So a bin
counts as *off* only outside its ``family`` interval, at the Bonferroni
level over the bins with forecasts (99.5 % for ten): a calibrated set is
then called calibrated 95 % of the time. The verdict names the bin furthest
outside its family interval, in words.
"""

from __future__ import annotations

from dataclasses import dataclass
from statistics import NormalDist

import numpy as np

__all__ = ["BINS", "Bin", "Calibration", "calibrate", "wilson"]

BINS = 10
Z95 = 1.959963984540054


def wilson(hits, n, z: float = Z95) -> tuple[np.ndarray, np.ndarray]:
    """The Wilson score interval of a binomial proportion (lo, hi); n = 0 gives (0, 1)."""
    hits, n = np.asarray(hits, float), np.asarray(n, float)
    with np.errstate(invalid="ignore", divide="ignore"):
        p = np.where(n > 0, hits / n, 0.5)
        centre = (p + z * z / (2 * n)) / (1 + z * z / n)
        half = z * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    lo = np.clip(np.minimum(centre - half, p), 0, 1)  # it contains p, to the last bit too
    hi = np.clip(np.maximum(centre + half, p), 0, 1)
    return np.where(n > 0, lo, 0.0), np.where(n > 0, hi, 1.0)


@dataclass(frozen=True)
class Bin:
    lo: float
    hi: float
    n: int
    mean_p: float  # NaN when empty
    freq: float  # NaN when empty
    interval: tuple[float, float]  # 95 % Wilson interval of freq
    family: tuple[float, float] = (0.0, 1.0)  # the Wilson interval at the Bonferroni level over the bins

    @property
    def outside(self) -> bool:
        """The stated mean lies outside the family interval of what came true: off beyond chance."""
        return self.n > 0 and not (self.family[0] <= self.mean_p <= self.family[1])

    def as_json(self) -> dict:
        empty = self.n == 0
        return {
            "bin": [self.lo, self.hi],
            "n": self.n,
            "mean_p": None if empty else self.mean_p,
            "freq": None if empty else self.freq,
            "interval": list(self.interval),
            "family_interval": list(self.family),
        }


@dataclass(frozen=True)
class Calibration:
    cases: int
    forecasts: int
    bins: tuple[Bin, ...]
    brier: float  # mean multi-class Brier per case
    reliability: float  # Σ n_k (p̄_k − ō_k)² / N: the calibration error, 0 at best
    resolution: float  # Σ n_k (ō_k − ō)² / N: how far the bins' outcomes differ from the base rate
    uncertainty: float  # ō (1 − ō): the Brier score of always forecasting the base rate
    within_bin: float  # the within-bin variance and covariance terms: Brier = rel − res + unc + within_bin

    @property
    def verdict(self) -> str:
        return verdict(self)

    def as_json(self) -> list[dict]:
        return [b.as_json() for b in self.bins]

    def decomposition(self) -> dict:
        return {
            "brier": self.brier,
            "reliability": self.reliability,
            "resolution": self.resolution,
            "uncertainty": self.uncertainty,
            "within_bin": self.within_bin,
        }


def calibrate(p, truth, bins: int = BINS) -> Calibration:
    """Pool forecasts: ``p`` a list of distributions (one per case, any number of hypotheses each) or an
    (N, n) array; ``truth`` the index of the true hypothesis of each."""
    forecasts, outcomes, per_case = _flatten(p, truth)
    cases = len(per_case)
    edges = np.linspace(0, 1, bins + 1)
    which = np.clip(np.searchsorted(edges, forecasts, side="right") - 1, 0, bins - 1)
    n = np.bincount(which, minlength=bins)
    sum_p = np.bincount(which, forecasts, minlength=bins)
    hits = np.bincount(which, outcomes, minlength=bins)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean_p, freq = sum_p / n, hits / n
    lo, hi = wilson(hits, n)
    z_family = NormalDist().inv_cdf(1 - 0.05 / (2 * max(int(np.sum(n > 0)), 1)))
    flo, fhi = wilson(hits, n, z_family)
    total = len(forecasts)
    scale = total / cases if cases else 0.0  # forecasts per case: per-forecast terms -> per-case Brier units
    brier_score = float(np.sum((forecasts - outcomes) ** 2) / cases) if cases else float("nan")
    base = outcomes.mean() if total else 0.0
    filled = n > 0
    resolution = float(np.sum(n[filled] * (freq[filled] - base) ** 2) / total) * scale if total else 0.0
    uncertainty = float(base * (1 - base)) * scale
    reliability = float(np.sum(n[filled] * (mean_p[filled] - freq[filled]) ** 2) / total) * scale if total else 0.0
    within = _within_bin(forecasts, outcomes, which, mean_p, freq) * scale if total else 0.0
    return Calibration(
        cases=cases,
        forecasts=total,
        bins=tuple(
            Bin(
                round(float(edges[k]), 10),
                round(float(edges[k + 1]), 10),
                int(n[k]),
                float(mean_p[k]),
                float(freq[k]),
                (float(lo[k]), float(hi[k])),
                (float(flo[k]), float(fhi[k])),
            )
            for k in range(bins)
        ),
        brier=brier_score,
        reliability=reliability,
        resolution=resolution,
        uncertainty=uncertainty,
        within_bin=within,
    )


def _within_bin(forecasts, outcomes, which, mean_p, freq) -> float:
    """Σ_k Σ_{i∈k} [(p_i − p̄_k)² − 2 (p_i − p̄_k)(o_i − ō_k)] / N (Stephenson et al. 2008), per forecast.

    Computed from its own formula, not as what the other three terms leave of
    the Brier score, so that their sum equalling the score is a check."""
    dp = forecasts - mean_p[which]
    do = outcomes - freq[which]
    return float(np.sum(dp * dp - 2 * dp * do) / len(forecasts))


def _flatten(p, truth) -> tuple[np.ndarray, np.ndarray, list[int]]:
    if isinstance(p, np.ndarray) and p.ndim == 2:
        onehot = np.zeros_like(p, dtype=float)
        onehot[np.arange(len(p)), np.asarray(truth, int)] = 1.0
        return p.ravel().astype(float), onehot.ravel(), [p.shape[1]] * len(p)
    forecasts, outcomes, sizes = [], [], []
    for dist, t in zip(p, truth):
        dist = np.asarray(dist, float)
        hit = np.zeros(len(dist))
        hit[int(t)] = 1.0
        forecasts.append(dist)
        outcomes.append(hit)
        sizes.append(len(dist))
    if not forecasts:
        return np.zeros(0), np.zeros(0), []
    return np.concatenate(forecasts), np.concatenate(outcomes), sizes


MIN_BIN = 10  # forecasts a bin needs before the verdict speaks of it
MIN_BINS = 3  # bins of MIN_BIN forecasts the verdict needs at all


def verdict(cal: Calibration) -> str:
    """The calibration in plain words, naming the bin furthest outside its interval."""
    if cal.cases == 0:
        return "no resolved cases: nothing to calibrate"
    judged = [b for b in cal.bins if b.n >= MIN_BIN]
    if len(judged) < MIN_BINS:
        return (
            f"too few forecasts to judge calibration: {len(judged)} bin{'s' if len(judged) != 1 else ''} of "
            f"{MIN_BIN} or more forecasts ({cal.forecasts} from {cal.cases} cases), {MIN_BINS} needed; score more cases"
        )
    off = [b for b in judged if b.outside]
    if not off:
        return (
            f"calibrated: in each of the {len(judged)} bins with {MIN_BIN} or more forecasts, the probability "
            f"stated is within chance of what came true ({cal.forecasts} forecasts from {cal.cases} cases)"
        )

    def distance(b: Bin) -> float:
        lo, hi = b.family
        return (lo - b.mean_p) if b.mean_p < lo else (b.mean_p - hi)

    over = [b for b in off if (b.mean_p > 0.5) == (b.freq < b.mean_p)]  # too far from 0.5
    under = [b for b in off if b not in over]
    kind, side = ("overconfident", over) if len(over) >= len(under) else ("underconfident", under)
    worst = max(side, key=distance)
    others = len(off) - 1
    return (
        f"probabilities around {_pct(worst.mean_p)} came true {_pct(worst.freq)} of the time "
        f"({worst.n} forecasts; beyond chance, {_pct(worst.family[0])}–{_pct(worst.family[1])}): {kind}"
        + (
            f" ({others} more bin{'s' if others != 1 else ''} off, {len(side) - 1} of them {kind} too)"
            if others
            else ""
        )
    )


def _pct(x: float) -> str:
    return f"{100 * x:.0f} %"
