"""The vocabularies analysts rate in, and the numbers they stand for.

Every rating becomes a :class:`Belief`: a mean (what the exact engine uses) and
a Beta concentration (what the PyMC model uses), or a fixed value. The tables
here are the project's documented defaults (docs/MODEL.md, "Default scales");
a case may override the classic ratings and the ICD 203 bands.
"""

from __future__ import annotations

import functools
import math
import re
from dataclasses import dataclass
from functools import cache

import numpy as np

from .errors import ScaleError, suggest

__all__ = [
    "ADMIRALTY_NAMES",
    "CREDIBILITY_LEVELS",
    "HEUER_WEIGHTS",
    "INPUT_CONCENTRATION",
    "LEVELS",
    "LIKELIHOOD_CONCENTRATION",
    "NA",
    "RELIABILITY_LEVELS",
    "SYMBOLS",
    "TERM_CONFIDENCE_FACTOR",
    "UNINFORMATIVE",
    "Belief",
    "Scale",
    "beta_params",
    "credibility",
    "fit_band",
    "heuer_level",
    "icd203_term",
    "level_or_number",
    "logit",
    "nearest_rating",
    "other_rating",
    "probability",
    "reliability",
    "unimodal",
]

# Classic ACH consistency ratings -> likelihood (MODEL.md §6). NA is special:
# "does not bear on this hypothesis", so the cell takes the item's if_false.
RATINGS: dict[str, float] = {"CC": 0.90, "C": 0.70, "N": 0.50, "I": 0.20, "II": 0.05}
NA = "NA"

# Words of estimative probability (ICD 203): canonical term -> 5-95 % band.
TERMS: dict[str, tuple[float, float]] = {
    "almost no chance": (0.01, 0.05),
    "very unlikely": (0.05, 0.20),
    "unlikely": (0.20, 0.45),
    "roughly even chance": (0.45, 0.55),
    "likely": (0.55, 0.80),
    "very likely": (0.80, 0.95),
    "almost certain": (0.95, 0.99),
}
TERM_ALIASES: dict[str, str] = {
    "remote": "almost no chance",
    "highly improbable": "very unlikely",
    "improbable": "unlikely",
    "roughly even odds": "roughly even chance",
    "even chance": "roughly even chance",
    "probable": "likely",
    "highly probable": "very likely",
    "nearly certain": "almost certain",
}

# Other tools' notations of the classic ratings (spreadsheet templates, Open Source ACH, PARC's
# spaced doubles), each the classic rating it stands for: ++ is very consistent (CC, 0.90), not
# "two consistent ratings"; 0 is neutral only inside a + 0 - scale (N, the same 0.50 as the classic N).
SYMBOLS: dict[str, str] = {"++": "CC", "+": "C", "0": "N", "-": "I", "--": "II"}
_SPELLINGS: dict[str, str] = {"C C": "CC", "I I": "II", "N/A": NA, "N.A.": NA, "N.A": NA, "N / A": NA}
# Minus signs typed for '-' (the unicode minus, the en dash, hyphens, the small and full-width
# hyphen-minus), and the full-width plus. Not the em dash, which often stands for "nothing here".
_MINUS = dict.fromkeys(map(ord, "\u2212\u2013\u2010\u2011\ufe63\uff0d"), "-") | {ord("\uff0b"): "+"}


def other_rating(text: str, zero: bool = False) -> str | None:
    """The classic rating another tool's notation stands for ('++' -> 'CC', 'N/A' -> 'NA'), else None.

    ``zero``: whether a '0' is neutral (only in a sheet rated ``+ 0 -``).
    """
    body = " ".join(str(text).translate(_MINUS).split()).upper()
    squeezed = body.replace(" ", "")
    if squeezed in SYMBOLS and (squeezed != "0" or zero):
        return SYMBOLS[squeezed]
    return _SPELLINGS.get(body)


LEVELS = ("low", "medium", "high")

# Analyst confidence in a likelihood -> Beta concentration kappa for numbers and
# classic ratings. For an ICD 203 term the fitted band is the "medium" spread,
# and low/high confidence scale its concentration by the factors below.
LIKELIHOOD_CONCENTRATION = {"low": 6.0, "medium": 20.0, "high": 80.0}
TERM_CONFIDENCE_FACTOR = {"low": 0.25, "medium": 1.0, "high": 4.0}

# Reliability of a source and credibility of an item: levels and their spread.
RELIABILITY_LEVELS = {"low": 0.3, "medium": 0.6, "high": 0.9}
CREDIBILITY_LEVELS = {"low": 0.3, "medium": 0.6, "high": 0.9}
INPUT_CONCENTRATION = {"low": 4.0, "medium": 12.0, "high": 40.0}
UNINFORMATIVE = 2.0  # Beta(1, 1) around 0.5: "cannot be judged"

# NATO Admiralty code (STANAG 2511): letter -> (mean reliability, confidence).
ADMIRALTY_RELIABILITY: dict[str, tuple[float, str | None]] = {
    "A": (0.95, "high"),  # completely reliable
    "B": (0.80, "high"),  # usually reliable
    "C": (0.65, "medium"),  # fairly reliable
    "D": (0.40, "medium"),  # not usually reliable
    "E": (0.15, "medium"),  # unreliable
    "F": (0.50, None),  # reliability cannot be judged -> uninformative
}
ADMIRALTY_CREDIBILITY: dict[int, tuple[float, str | None]] = {
    1: (0.95, "high"),  # confirmed by other sources
    2: (0.80, "high"),  # probably true
    3: (0.60, "medium"),  # possibly true
    4: (0.35, "medium"),  # doubtful
    5: (0.10, "medium"),  # improbable
    6: (0.50, None),  # truth cannot be judged -> uninformative
}
ADMIRALTY_NAMES = {
    "A": "completely reliable",
    "B": "usually reliable",
    "C": "fairly reliable",
    "D": "not usually reliable",
    "E": "unreliable",
    "F": "cannot be judged",
    1: "confirmed",
    2: "probably true",
    3: "possibly true",
    4: "doubtful",
    5: "improbable",
    6: "cannot be judged",
}

# Heuer/PARC weights for weighted inconsistency (credibility and relevance).
HEUER_WEIGHTS = {"low": 1 / math.sqrt(2), "medium": 1.0, "high": math.sqrt(2)}


def unimodal(mean, concentration):
    """Raise a Beta's concentration until both parameters are at least 1.

    Beta(11.9, 0.12) (mean 0.99, concentration 12) piles its mass at the edge
    and has a tail in log-odds space so heavy that NUTS diverges; flooring both
    parameters at 1 keeps the mean (so the exact posterior is unchanged) and
    gives a unimodal Beta, the shape an analyst means by "about 0.99".
    """
    edge = np.maximum(np.minimum(mean, 1.0 - mean), 1e-300)  # no overflow at denormals
    return np.maximum(concentration, 1.0 / edge)


def beta_params(mean, kappa):
    """(free, alpha, beta): which cells are uncertain and their Beta parameters.

    A cell is fixed when its concentration is NaN or its mean is exactly 0 or 1;
    fixed cells get a harmless Beta(1, 1) that is never used.
    """
    mean = np.asarray(mean, float)
    kappa = np.asarray(kappa, float)
    free = ~np.isnan(kappa) & (mean > 0) & (mean < 1)
    with np.errstate(divide="ignore", invalid="ignore"):
        kappa = np.where(free, unimodal(mean, np.nan_to_num(kappa)), 0.0)
    return free, np.where(free, mean * kappa, 1.0), np.where(free, (1 - mean) * kappa, 1.0)


@dataclass(frozen=True)
class Belief:
    """An uncertain probability: its mean and a Beta concentration.

    ``concentration is None`` means a fixed value (0 and 1 are always fixed).
    """

    mean: float
    concentration: float | None = None
    label: str = ""  # how the analyst wrote it, for reports

    def __post_init__(self):
        if self.concentration is not None and 0.0 < self.mean < 1.0:  # unimodal(), for one number
            edge = max(min(self.mean, 1.0 - self.mean), 1e-300)
            object.__setattr__(self, "concentration", max(float(self.concentration), 1.0 / edge))

    @property
    def fixed(self) -> bool:
        return self.concentration is None or self.mean in (0.0, 1.0)

    def beta(self) -> tuple[float, float]:
        """Beta(a, b) parameters; only meaningful when not fixed."""
        kappa = self.concentration or 0.0
        return self.mean * kappa, (1.0 - self.mean) * kappa

    def interval(self, q: float = 0.05) -> tuple[float, float]:
        """The central (1 - 2q) interval of the Beta, or the point if fixed."""
        if self.fixed:
            return self.mean, self.mean
        from scipy.special import betaincinv

        a, b = self.beta()
        return float(betaincinv(a, b, q)), float(betaincinv(a, b, 1 - q))


@dataclass(frozen=True)
class Scale:
    """The rating vocabulary of one case: defaults, possibly overridden."""

    ratings: tuple[tuple[str, float], ...] = tuple(RATINGS.items())
    terms: tuple[tuple[str, tuple[float, float]], ...] = tuple(TERMS.items())

    @property
    def rating_map(self) -> dict[str, float]:
        return dict(self.ratings)

    @property
    def term_map(self) -> dict[str, tuple[float, float]]:
        return dict(self.terms)

    def accepted(self) -> str:
        names = ", ".join([*self.rating_map, NA])
        return f"one of {names} (or a probability in [0, 1], or an ICD 203 term such as 'likely')"

    def likelihood(self, value: object, confidence: str = "medium") -> Belief | None:
        """Resolve one cell of the matrix. ``None`` means NA (takes if_false)."""
        if isinstance(value, bool):
            raise ScaleError(f"'{value}' is a yes/no value, not a likelihood", self.accepted())
        if isinstance(value, (int, float)):
            return _typed_likelihood(value, confidence)
        text = str(value).strip()
        key = " ".join(text.lower().split())
        upper = text.upper()
        if upper == NA:
            return None
        if upper in self.rating_map:
            return Belief(self.rating_map[upper], LIKELIHOOD_CONCENTRATION[confidence], upper)
        if (share := percent(text)) is not None:
            return _labelled(probability(share, LIKELIHOOD_CONCENTRATION[confidence], "likelihood"), text)
        term = TERM_ALIASES.get(key, key)
        if term in self.term_map:
            mean, kappa = fit_band(*self.term_map[term])
            return Belief(mean, kappa * TERM_CONFIDENCE_FACTOR[confidence], term)
        raise ScaleError(
            f"rating '{text}' is not {self.accepted()}",
            suggest(text, [*self.rating_map, NA, *self.term_map, *TERM_ALIASES])
            or "write a classic rating, a probability or an ICD 203 term",
        )

    def to_rating(self, m: float) -> str:
        """The classic rating nearest (in log-odds) to a likelihood, for Heuer scoring."""
        return str(nearest_rating(np.asarray(m, float), self.rating_map))


def nearest_rating(m: np.ndarray, ratings: dict[str, float]) -> np.ndarray:
    """The classic rating nearest in log-odds to each likelihood in ``m`` (same shape, strings)."""
    names = list(ratings)
    centres = logit(np.array([ratings[r] for r in names]))
    nearest = np.argmin(np.abs(logit(np.clip(m, 1e-6, 1 - 1e-6))[..., None] - centres), axis=-1)
    return np.array(names, dtype=object)[nearest]


_PERCENT = re.compile(r"(\d+(?:\.\d*)?|\.\d+)\s*%")


def percent(text: str) -> float | None:
    """'70%' or '70 %' as 0.7 (as the spreadsheets read it), else None."""
    match = _PERCENT.fullmatch(text.strip())
    return float(match.group(1)) / 100 if match else None


def logit(p):
    return np.log(p / (1 - p))


@functools.lru_cache(maxsize=65536)
def _typed_likelihood(value: float, confidence: str) -> Belief:
    """A typed likelihood; cached, as a large case repeats the same few hundred numbers."""
    return probability(value, LIKELIHOOD_CONCENTRATION[confidence], "likelihood")


def probability(value: float, concentration: float | None, what: str) -> Belief:
    """A number the analyst typed: must lie in [0, 1]; 0 and 1 stay fixed."""
    try:
        v = float(value)
    except OverflowError:
        raise ScaleError(f"{what} {value} is far outside [0, 1]", "write a probability between 0 and 1") from None
    if not (0.0 <= v <= 1.0) or math.isnan(v):
        raise ScaleError(f"{what} {value!r} is outside [0, 1]", "write a probability between 0 and 1")
    return Belief(v, None if v in (0.0, 1.0) else concentration, f"{v:g}")


def _labelled(belief: Belief, text: str) -> Belief:
    """The belief, labelled as the analyst wrote it ('70%')."""
    return Belief(belief.mean, belief.concentration, " ".join(text.split()))


def level_or_number(
    value: object,
    confidence: str | None,
    levels: dict[str, float],
    admiralty: dict,
    what: str,
) -> Belief:
    """Reliability or credibility: a number, low/medium/high, or an Admiralty code."""
    if isinstance(value, bool):
        raise ScaleError(f"{what} '{value}' is a yes/no value", _level_hint(admiralty))
    if isinstance(value, (int, float)) and not (isinstance(value, int) and value in admiralty):
        return probability(value, INPUT_CONCENTRATION[confidence or "medium"], what)
    text = str(value).strip()
    if (share := percent(text)) is not None:
        return _labelled(probability(share, INPUT_CONCENTRATION[confidence or "medium"], what), text)
    key = text.upper() if text.isalpha() and len(text) == 1 else text.lower()
    code = int(key) if key.isdigit() else key
    if code in admiralty:
        mean, default_conf = admiralty[code]
        conf = confidence or default_conf
        kappa = UNINFORMATIVE if conf is None else INPUT_CONCENTRATION[conf]
        return Belief(mean, kappa, f"{code} ({ADMIRALTY_NAMES[code]})")
    if key in levels:
        return Belief(levels[key], INPUT_CONCENTRATION[confidence or "medium"], key)
    raise ScaleError(
        f"{what} '{text}' is not understood",
        "; ".join(filter(None, [suggest(text, [*levels, *map(str, admiralty)]), _level_hint(admiralty)])),
    )


def _level_hint(admiralty: dict) -> str:
    codes = ", ".join(map(str, admiralty))
    return f"use a number in [0, 1], one of low, medium, high, or an Admiralty code ({codes})"


def reliability(value: object, confidence: str | None = None) -> Belief:
    return level_or_number(value, confidence, RELIABILITY_LEVELS, ADMIRALTY_RELIABILITY, "reliability")


def credibility(value: object, confidence: str | None = None) -> Belief:
    return level_or_number(value, confidence, CREDIBILITY_LEVELS, ADMIRALTY_CREDIBILITY, "credibility")


def heuer_level(value: float) -> str:
    """Bucket a credibility probability into the PARC low/medium/high weights."""
    return "high" if value >= 0.8 else "medium" if value >= 0.5 else "low"


# fit_band() of the default ICD 203 bands, kept so the command line need not
# import scipy.optimize (half a second) to read a case; tests/test_scales.py
# refits them.
DEFAULT_FITS: dict[tuple[float, float], tuple[float, float]] = {
    (0.01, 0.05): (0.02681300110907218, 167.26878272350683),
    (0.05, 0.2): (0.11565124099985381, 46.9147183110536),
    (0.2, 0.45): (0.3193137828496254, 36.61395459505854),
    (0.45, 0.55): (0.5, 269.69842458560333),
    (0.55, 0.8): (0.6806862171503744, 36.61395459505899),
    (0.8, 0.95): (0.8843487590002312, 46.914718311216944),
    (0.95, 0.99): (0.9731869988909279, 167.26878272350638),
}


def fit_band(lo: float, hi: float, q: float = 0.05) -> tuple[float, float]:
    """(mean, concentration) of the Beta whose central (1 - 2q) interval is [lo, hi]."""
    if q == 0.05 and (lo, hi) in DEFAULT_FITS:
        return DEFAULT_FITS[(lo, hi)]
    return _fit_band(lo, hi, q)


@cache
def _fit_band(lo: float, hi: float, q: float) -> tuple[float, float]:
    if not 0.0 < lo < hi < 1.0:
        raise ScaleError(f"band [{lo}, {hi}] must satisfy 0 < low < high < 1", "")
    from scipy.optimize import least_squares
    from scipy.special import betaincinv, expit

    def residual(x):
        mean, kappa = expit(x[0]), math.exp(x[1])
        a, b = mean * kappa, (1 - mean) * kappa
        return [logit(betaincinv(a, b, q)) - logit(lo), logit(betaincinv(a, b, 1 - q)) - logit(hi)]

    mid = (lo + hi) / 2
    x0 = [logit(mid), math.log(max(4.0, mid * (1 - mid) / ((hi - lo) / 3.3) ** 2))]
    fit = least_squares(residual, x0, xtol=1e-12, ftol=1e-12)
    return float(expit(fit.x[0])), float(math.exp(fit.x[1]))


def icd203_term(p: float) -> str:
    """The ICD 203 term whose band holds probability ``p`` (ends stretched to 0 and 1)."""
    for term, (_, hi) in TERMS.items():
        if p < hi:
            return term
    return "almost certain"
