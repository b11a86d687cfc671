"""The reliability diagram of many scored cases: stated probability against what came true.

``plot_calibration(cal)`` reads a :class:`~ach.track.calibration.Calibration`:
each bin's observed frequency at its mean stated probability, with its 95 %
Wilson interval as an error bar (orange when the bin is off beyond chance,
outside its Bonferroni family interval), over the diagonal of perfect
calibration; points below the diagonal on the right
(and above it on the left) are overconfidence. A small panel underneath
counts the forecasts per bin.
"""

from __future__ import annotations

import numpy as np

from .style import BLUE, GREY, VERMILLION, percent_axis, pyplot, strip

__all__ = ["plot_calibration"]


def plot_calibration(cal, *, title: str = "", ax=None):
    """The reliability diagram of ``cal``; on ``ax`` if given (then without the counts panel). Returns the Axes."""
    if ax is None:
        plt = pyplot()
        _, (ax, counts) = plt.subplots(
            2, 1, figsize=(5.6, 6.2), layout="constrained", height_ratios=(4, 1), sharex=True
        )
    else:
        counts = None
    filled = [b for b in cal.bins if b.n > 0]
    x = np.array([b.mean_p for b in filled])
    y = np.array([b.freq for b in filled])
    lo = np.array([b.interval[0] for b in filled])
    hi = np.array([b.interval[1] for b in filled])
    ax.plot([0, 1], [0, 1], color=GREY, linestyle=(0, (4, 3)), linewidth=1, label="perfect calibration")
    outside = np.array([b.outside for b in filled], bool)
    labels = ((~outside, BLUE, "within chance"), (outside, VERMILLION, "off beyond chance"))
    for mask, color, label in labels:
        if mask.any():
            ax.errorbar(
                x[mask],
                y[mask],
                yerr=np.clip([y[mask] - lo[mask], hi[mask] - y[mask]], 0, None),
                fmt="o",
                color=color,
                ecolor=color,
                elinewidth=1.2,
                capsize=3,
                markersize=5,
                label=label,
            )
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.set_aspect("equal", adjustable="box") if counts is None else None
    percent_axis(ax.yaxis)
    percent_axis(ax.xaxis)
    ax.set_ylabel("came true (observed frequency)")
    ax.set_title(title or f"Calibration: {cal.forecasts} forecasts from {cal.cases} cases", fontsize=10)
    ax.legend(loc="upper left", fontsize=8, frameon=False)
    ax.text(
        0.98,
        0.02,
        f"Brier {cal.brier:.3f} = reliability {cal.reliability:.3f}\n"
        f"− resolution {cal.resolution:.3f} + uncertainty {cal.uncertainty:.3f}"
        + (f"\n+ within bins {cal.within_bin:+.3f}" if abs(cal.within_bin) >= 0.0005 else ""),
        transform=ax.transAxes,
        ha="right",
        va="bottom",
        fontsize=8,
        color=GREY,
    )
    strip(ax)
    if counts is not None:
        centres = [(b.lo + b.hi) / 2 for b in cal.bins]
        counts.bar(centres, [b.n for b in cal.bins], width=0.08, color=GREY)
        counts.set_ylabel("forecasts", fontsize=9)
        counts.set_xlabel("stated probability")
        percent_axis(counts.xaxis)
        counts.tick_params(labelsize=8)
        strip(counts)
    else:
        ax.set_xlabel("stated probability (bin mean)")
    return ax
