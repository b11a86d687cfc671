"""The look shared by every figure: colours, per-hypothesis style, axes helpers.

Colours are the Okabe-Ito palette and the RdBu diverging map, both readable
with the common colour-vision deficiencies. matplotlib is imported only when
a figure is drawn; without a display the Agg backend is used.
"""

from __future__ import annotations

import os
import sys

import numpy as np

__all__ = [
    "BLACK",
    "BLUE",
    "DIVERGING",
    "GREEN",
    "GREY",
    "HYPOTHESIS_COLORS",
    "HYPOTHESIS_LINESTYLES",
    "ORANGE",
    "PURPLE",
    "SKY",
    "VERMILLION",
    "YELLOW",
    "finite_limit",
    "fit_legend",
    "hypothesis_style",
    "new_axes",
    "percent_axis",
    "pyplot",
    "row_pitch",
    "strip",
]

# Okabe & Ito (2008), "Color universal design": safe for colour-blind readers.
BLUE = "#0072B2"
SKY = "#56B4E9"
VERMILLION = "#D55E00"
ORANGE = "#E69F00"
GREEN = "#009E73"
GREY = "#6b6b6b"
DIVERGING = "RdBu"  # red = against, blue = supports; white = neutral

PURPLE = "#CC79A7"
BLACK = "#000000"
YELLOW = "#F0E442"
# one colour per hypothesis, by rank (the leader is always blue), the same in every figure
HYPOTHESIS_COLORS = (BLUE, VERMILLION, GREEN, ORANGE, PURPLE, SKY, BLACK, YELLOW)
HYPOTHESIS_LINESTYLES = ("-", (0, (5, 2)), (0, (1, 1.5)), (0, (5, 2, 1, 2)))


def pyplot():
    """pyplot, on the Agg backend when there is no display to draw on."""
    import matplotlib

    headless = sys.platform.startswith("linux") and not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))
    if headless and "MPLBACKEND" not in os.environ and "matplotlib.pyplot" not in sys.modules:
        matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def new_axes(ax, figsize, **kwargs):
    if ax is not None:
        return ax
    plt = pyplot()
    _, ax = plt.subplots(figsize=figsize, layout="constrained", **kwargs)
    return ax


def row_pitch(lines: int, fontsize: float, least: float) -> float:
    """Inches per row of a bar chart whose labels run to ``lines`` lines: at least ``least``,
    more when the label needs it (a line is 1.2 font sizes high, plus a gap between rows)."""
    return max(least, lines * 1.2 * fontsize / 72 + 0.2)


def fit_legend(make, ncol: int, width: float):
    """The legend ``make(ncol)`` with the most columns, ``ncol`` at most, that is at most ``width``
    inches wide: long labels take fewer columns, rather than squeezing the axes or leaving the figure."""
    for n in range(ncol, 1, -1):
        legend = make(n)
        fig = legend.figure
        renderer = fig.canvas.get_renderer() if hasattr(fig.canvas, "get_renderer") else fig._get_renderer()
        if legend.get_window_extent(renderer).width / fig.dpi <= width:
            return legend
        legend.remove()
    return make(1)


def finite_limit(values: np.ndarray, default: float = 1.0) -> float:
    finite = np.abs(values[np.isfinite(values)])
    top = float(finite.max()) if finite.size else 0.0
    return top if top > 0 else default


def hypothesis_style(result, hid: str) -> dict:
    """Colour and line style of a hypothesis, by its rank: the same in every figure."""
    rank = int(np.flatnonzero(result.order == result.hypotheses.index(hid))[0])
    n_colors = len(HYPOTHESIS_COLORS)
    return {
        "color": HYPOTHESIS_COLORS[rank % n_colors],
        "linestyle": HYPOTHESIS_LINESTYLES[(rank // n_colors) % len(HYPOTHESIS_LINESTYLES)],
    }


def strip(ax, sides=("top", "right")):
    for side in sides:
        ax.spines[side].set_visible(False)


def percent_axis(axis, decimals=0):
    from matplotlib.ticker import PercentFormatter

    axis.set_major_formatter(PercentFormatter(1.0, decimals=decimals))
