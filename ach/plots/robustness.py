"""The two views of the uncertain inputs side by side: the stratified posterior and the forward draws."""

from __future__ import annotations

import numpy as np

from ..formatting import pct
from .labels import hypothesis_labels
from .style import BLACK, VERMILLION, percent_axis, pyplot, strip

__all__ = ["plot_robustness"]


def plot_robustness(result, *, ax=None, figsize=None, fontsize=10.5, posterior_color=BLACK, forward_color=VERMILLION):
    """The two views side by side, most probable hypothesis first.

    Left column: the stratified posterior (uncertainty about the posterior
    given the evidence). Right column: the forward draws of the inputs
    (robustness to our own judgments; not a posterior). Top row: 90 %
    intervals with the exact posterior as a dot; bottom row: rank stability,
    the share of draws in which each hypothesis leads. ``ax``: ``None`` or a
    2×2 array of Axes. Only for sampled results."""
    if result.bayes is None or result.forward is None:
        raise ValueError("plot_robustness needs a sampled result: analyze(case, sample=True)")
    order = result.order
    n = len(order)
    if ax is None:
        plt = pyplot()
        _, axes = plt.subplots(
            2,
            2,
            figsize=figsize or (10.0, 2.6 + 0.95 * n),
            sharey=True,
            layout="constrained",
            gridspec_kw={"height_ratios": [1.15, 1.0]},
        )
    else:
        axes = np.asarray(ax)
        if axes.shape != (2, 2):
            raise ValueError(f"plot_robustness draws a 2×2 grid: pass ax=None or a 2×2 array of Axes, not {axes.shape}")
    y = np.arange(n)
    exact_p = result.posterior[order]
    views = (
        (
            f"Stratified posterior ({result.bayes.engine})",
            "uncertainty about the posterior given the evidence",
            result.bayes.summary.hdi90[order],
            result.bayes.summary.p_leading[order],
            posterior_color,
        ),
        (
            "Forward draws of the inputs",
            "robustness to our own judgments: not a posterior",
            result.forward.hdi90[order],
            result.forward.p_leading[order],
            forward_color,
        ),
    )
    labels = hypothesis_labels(result, [result.hypotheses[j] for j in order], 28, max_lines=2)
    for c, (name, meaning, hdi, leads, color) in enumerate(views):
        top, bottom = axes[0, c], axes[1, c]
        top.hlines(y, hdi[:, 0], hdi[:, 1], color=color, lw=2.6, zorder=3, gid="interval")
        top.plot(np.r_[hdi[:, 0], hdi[:, 1]], np.r_[y, y], ls="none", marker="|", markersize=9, color=color, zorder=3)
        top.plot(
            exact_p,
            y,
            ls="none",
            marker="o",
            markersize=6,
            color="white",
            markeredgecolor=color,
            markeredgewidth=1.6,
            zorder=4,
            gid="exact",
        )
        for yi, (lo, hi) in zip(y, hdi):
            top.text(
                hi + 0.015,
                yi,
                f"{pct(lo)[:-2] if lo >= 0.00005 else '0'}–{pct(hi)}",
                va="center",
                fontsize=fontsize - 1,
                gid="value",
            )
        # the bold name, and under it what the view means, both above the panel
        top.set_title(name, loc="left", fontsize=fontsize + 1.5, fontweight="bold", pad=3 + 1.3 * fontsize + 4)
        top.annotate(
            meaning,
            (0, 1),
            xycoords="axes fraction",
            xytext=(0, 3),
            textcoords="offset points",
            fontsize=fontsize - 1,
            style="italic",
            color=color if color != BLACK else "0.2",
            va="bottom",
            ha="left",
        )
        top.set_xlabel("90 % interval of the probability (dot: exact posterior)", fontsize=fontsize - 0.5)
        bottom.barh(y, leads, height=0.6, color=color if color != BLACK else "0.35", zorder=2, gid="leads")
        for yi, v in zip(y, leads):
            bottom.text(v + 0.015, yi, pct(v), va="center", fontsize=fontsize - 1, gid="leads-value")
        bottom.set_xlabel("rank stability: share of draws in which it leads", fontsize=fontsize - 0.5)
        for a in (top, bottom):
            a.set_xlim(0, 1.14)
            a.set_xticks(np.linspace(0, 1, 6))
            percent_axis(a.xaxis)
            a.tick_params(labelsize=fontsize - 1)
            a.grid(axis="x", color="0.9", zorder=0)
            strip(a)
    for r in range(2):
        axes[r, 0].set_yticks(y, labels, fontsize=fontsize)
        axes[r, 0].set_ylim(n - 0.5, -0.6)
        axes[r, 1].tick_params(axis="y", length=0)
    return axes
