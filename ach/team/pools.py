"""The two classic opinion pools, for reference beside the model (MODEL.md §8)."""

from __future__ import annotations

import numpy as np

__all__ = ["linear", "logarithmic"]


def linear(posteriors: np.ndarray) -> np.ndarray:
    """The mean of the analysts' posteriors (A, n) -> (n,)."""
    return np.asarray(posteriors, float).mean(axis=0)


def logarithmic(posteriors: np.ndarray) -> np.ndarray:
    """The normalised geometric mean; a hypothesis any analyst gives 0 gets 0."""
    with np.errstate(divide="ignore"):
        logs = np.log(np.asarray(posteriors, float)).mean(axis=0)
    if np.all(np.isneginf(logs)):
        return np.full(logs.shape, np.nan)
    w = np.exp(logs - logs.max())
    return w / w.sum()
