"""What to collect next: candidate observations ranked by their value of information."""

from __future__ import annotations

import numpy as np

from ..formatting import pct, wrap_lines
from .sensitivity import TOP_SENSITIVITY
from .style import BLUE, ORANGE, pyplot, strip

__all__ = ["plot_collection"]


def plot_collection(
    result, *, ax=None, k=TOP_SENSITIVITY, figsize=None, fontsize=10, label_width=40, bits_color=BLUE, gain_color=ORANGE
):
    """What to collect next: candidate observations ranked by expected information gain.

    Left: expected information gain (bits; the expected fall in the entropy of
    the posterior). Right: expected probability gain (percentage points; how
    much the probability of the best answer is expected to rise). Same
    candidate order in both panels; labels say how likely each is to be
    observed. Returns the pair of Axes. Not drawn when the case lists no candidates."""
    values = list(result.collection[:k])
    if not values:
        raise ValueError("nothing to draw: the case lists no candidate observations (collection:)")
    n = len(values)
    if ax is None:
        plt = pyplot()
        _, ax = plt.subplots(
            1,
            2,
            sharey=True,
            figsize=figsize or (10.5, max(2.6, 1.5 + 0.55 * n)),
            layout="constrained",
            gridspec_kw={"width_ratios": [1.0, 0.9]},
        )
    axes = np.asarray(ax).ravel()
    if axes.size != 2:
        raise ValueError(f"plot_collection draws two panels: pass ax=None or a pair of Axes, not {axes.size}")
    left, right = axes
    y = np.arange(n)
    bits = np.array([v.info_gain for v in values])
    gain = np.array([100 * v.probability_gain for v in values])
    left.barh(y, bits, height=0.6, color=bits_color, zorder=2)
    right.barh(y, gain, height=0.6, color=gain_color, zorder=2)
    top_bits, top_gain = max(float(bits.max()), 1e-3), max(float(gain.max()), 0.1)
    for yi, b, g in zip(y, bits, gain):
        left.text(
            b + 0.02 * top_bits,
            yi,
            f"{b:.2f} bits" if b >= 0.01 or b == 0 else f"{b:.1g} bits",
            va="center",
            fontsize=fontsize - 1,
            gid="value",
        )
        right.text(g + 0.02 * top_gain, yi, f"{g:.1f} pp", va="center", fontsize=fontsize - 1, gid="value")
    left.set_xlim(0, top_bits * 1.3)
    right.set_xlim(0, top_gain * 1.35)
    labels = [
        wrap_lines(f"{v.id}  {v.text}", label_width, 2) + f"\n(observed with p = {pct(v.p_seen)})" for v in values
    ]
    left.set_yticks(y, labels, fontsize=fontsize)
    left.set_ylim(n - 0.5, -0.5)
    right.tick_params(axis="y", length=0)
    left.set_title(
        "Expected information gain\n(bits; higher is more worth collecting)",
        loc="left",
        fontsize=fontsize + 1,
        fontweight="bold",
    )
    right.set_title(
        "Expected probability gain\n(rise in the best answer's probability)",
        loc="left",
        fontsize=fontsize + 1,
        fontweight="bold",
    )
    left.set_xlabel("expected fall in the entropy of the posterior (bits)", fontsize=fontsize - 0.5)
    right.set_xlabel("percentage points", fontsize=fontsize - 0.5)
    for a in axes:
        a.grid(axis="x", color="0.9", zorder=0)
        a.tick_params(axis="x", labelsize=fontsize - 1)
        strip(a)
    return axes
