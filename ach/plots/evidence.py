"""The main figures: the posterior, the evidence matrix, the top items, classic ACH beside Bayes.

Each follows the ArviZ pattern ``plot_x(result, *, ax=None, **style) -> Axes``:
it only reads the result (the selections, such as which items moved the
result most, are the Result's), draws on ``ax`` or on a new figure sized for
the case, and returns what it drew on.
"""

from __future__ import annotations

import numpy as np

from ..formatting import db, pct, wrap_lines
from .labels import hypothesis_labels, item_label, line_count
from .style import BLUE, DIVERGING, ORANGE, SKY, VERMILLION, finite_limit, new_axes, pyplot, row_pitch

__all__ = [
    "ANNOTATE_MAX_CELLS",
    "TOP_ITEMS",
    "plot_evidence_matrix",
    "plot_heuer_vs_bayes",
    "plot_posterior",
    "plot_top_items",
]

ANNOTATE_MAX_CELLS = 600  # heat-map cells are labelled with their value up to this size
TOP_ITEMS = 10


def plot_posterior(result, *, ax=None, figsize=None, title=None, color=SKY, lead_color=BLUE, fontsize=10):
    """The exact posterior of every hypothesis, most probable first.

    Bars: the exact ``P(H | E)``. Black whiskers (when sampled): the 90 %
    interval of the stratified posterior. A thin dashed line below each
    bar (when sampled): the forward robustness range, where the answer could
    land if the inputs varied within their stated uncertainty (not a posterior).
    """
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch
    from matplotlib.ticker import PercentFormatter

    order = result.order
    n = len(order)
    labels = hypothesis_labels(result, [result.hypotheses[j] for j in order], max_lines=3)
    ax = new_axes(ax, figsize or (8.0, max(2.6, 1.3 + row_pitch(line_count(*labels), fontsize, 0.6) * n)))
    y = np.arange(n)
    p = result.posterior[order]
    top = {result.hypotheses.index(h) for h in result.leaders}  # the leader, or every one of a tie
    colors = [lead_color if order[t] in top else color for t in range(n)]
    ax.barh(y, p, height=0.6, color=colors, edgecolor="none", label="exact posterior", zorder=2)
    handles = [Patch(color=lead_color, label="exact posterior")]
    right = p.copy()

    if result.bayes is not None:
        lo, hi = result.bayes.summary.hdi90[order].T
        ax.errorbar(
            p,
            y,
            xerr=np.vstack([np.clip(p - lo, 0, None), np.clip(hi - p, 0, None)]),
            fmt="none",
            ecolor="black",
            elinewidth=1.4,
            capsize=4,
            zorder=3,
        )
        handles.append(
            Line2D([], [], color="black", lw=1.4, marker="|", markersize=8, label="90 % interval (posterior of inputs)")
        )
        right = np.maximum(right, hi)
    if result.forward is not None:
        flo, fhi = result.forward.hdi90[order].T
        yf = y + 0.4
        ax.hlines(yf, flo, fhi, colors=VERMILLION, linestyles=(0, (3, 2)), lw=1.2, zorder=3)
        ax.plot(np.r_[flo, fhi], np.r_[yf, yf], ls="none", marker="|", markersize=6, color=VERMILLION, zorder=3)
        handles.append(
            Line2D([], [], color=VERMILLION, lw=1.2, ls=(0, (3, 2)), label="90 % range if inputs vary (robustness)")
        )
        right = np.maximum(right, fhi)

    for yi, pi in zip(y, p):  # just right of the bar's end, above the whisker
        ax.text(
            pi + 0.008,
            yi - 0.09,
            pct(pi),
            va="bottom",
            ha="left",
            fontsize=fontsize,
            fontweight="bold" if order[yi] in top else None,
            gid="value",
        )

    ax.set_yticks(y, labels, fontsize=fontsize)
    ax.set_ylim(n - 0.35, -0.55)
    ax.set_xlim(0, max(1.0, float(right.max()) + 0.02, float(p.max()) + 0.1))
    ax.set_xticks(np.linspace(0, 1, 6))
    ax.xaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    ax.tick_params(axis="x", labelsize=fontsize - 1)
    ax.set_xlabel("probability of the hypothesis given all the evidence", fontsize=fontsize)
    ax.grid(axis="x", color="0.88", zorder=0)
    ax.set_axisbelow(True)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    ax.set_title(
        title
        or (
            "Which hypothesis does the evidence favour?"
            if len(top) == 1
            else f"No single leader: {', '.join(result.leaders)} are tied"
        ),
        loc="left",
        fontsize=fontsize + 2,
        fontweight="bold",
    )
    ax.legend(
        handles=handles,
        loc="upper center",
        bbox_to_anchor=(0.5, -0.14 - 0.1 / max(n, 2)),
        ncol=min(len(handles), 2),
        frameon=False,
        fontsize=fontsize - 1,
    )
    return ax


def plot_evidence_matrix(
    result, *, ax=None, figsize=None, title=None, cmap=DIVERGING, annotate=None, fontsize=9, label_width=48
):
    """Heat map of each item's weight of evidence (dB) for each hypothesis against the rest.

    Rows are items grouped by source (source titles on the right, lines
    between groups), columns are hypotheses, most probable first. The colour
    scale is centred at 0 with symmetric limits: blue supports, red counts
    against. Cells carry their value when the matrix is small enough
    (``annotate=None``: up to ``ANNOTATE_MAX_CELLS`` cells).
    """
    import matplotlib as mpl

    groups = result.source_groups()
    rows = [i for _, items in groups for i in items]
    cols = list(result.order)
    data = result.item_woe[np.ix_(rows, cols)] if rows else np.zeros((0, len(cols)))
    n_rows, n_cols = data.shape
    # rows stay readable up to ~80 items; beyond, they shrink, and past 300 only every k-th is labelled
    row_height, label_size = (0.3, fontsize) if n_rows <= 80 else (0.17, min(fontsize, 6.5))
    every = max(1, int(np.ceil(n_rows / 300)))
    width = max(6.0, 3.4 + 1.05 * n_cols + 2.2)
    ax = new_axes(ax, figsize or (width, max(3.5, 2.4 + row_height * min(n_rows, 300))))
    fig = ax.figure

    vmax = finite_limit(data)
    shown = np.ma.masked_invalid(np.clip(data, -vmax, vmax))
    cm = (mpl.colormaps[cmap] if isinstance(cmap, str) else cmap).with_extremes(bad="0.85")
    image = ax.imshow(shown, cmap=cm, vmin=-vmax, vmax=vmax, aspect="auto", interpolation="nearest")

    if annotate is None:
        annotate = data.size <= ANNOTATE_MAX_CELLS
    if annotate:
        for r in range(n_rows):
            for c in range(n_cols):
                v = data[r, c]
                strong = (np.isfinite(v) and abs(v) > 0.6 * vmax) or np.isinf(v)
                ax.text(
                    c,
                    r,
                    db(v),
                    ha="center",
                    va="center",
                    fontsize=fontsize - 1,
                    color="white" if strong else "black",
                    gid="woe",
                )

    ax.set_yticks(
        np.arange(n_rows)[::every], [item_label(result, i, label_width) for i in rows[::every]], fontsize=label_size
    )
    columns = hypothesis_labels(result, [result.hypotheses[j] for j in cols], 13, max_lines=5)
    ax.set_xticks(np.arange(n_cols), columns, fontsize=fontsize)
    ax.xaxis.tick_top()
    ax.tick_params(axis="both", length=0)
    for spine in ax.spines.values():
        spine.set_visible(False)
    ax.set_xticks(np.arange(n_cols + 1) - 0.5, minor=True)
    ax.grid(which="minor", axis="x", color="white", lw=1.5)
    ax.tick_params(which="minor", length=0)

    # source groups: a line between them, the source's title on the right
    centres, names = [], []
    start = 0
    for s, items in groups:
        if start:
            ax.axhline(start - 0.5, color="0.25", lw=1.2)
        centres.append(start + (len(items) - 1) / 2)
        src = result.case.sources[s]
        names.append(wrap_lines(src.title or src.id, 28, max_lines=min(len(items), 3)))
        start += len(items)
    right = ax.secondary_yaxis("right")
    right.set_yticks(centres, names, fontsize=fontsize, fontweight="bold")
    right.tick_params(length=0, pad=6)
    right.spines["right"].set_visible(False)

    bar = fig.colorbar(image, ax=ax, location="bottom", shrink=0.7, aspect=35, pad=0.04)
    bar.set_label("weight of evidence (dB)   ← against · supports →", fontsize=fontsize)
    bar.ax.tick_params(labelsize=fontsize - 1)
    bar.outline.set_visible(False)
    ax.set_title(
        title or "Weight of evidence of each item, by source",
        loc="left",
        fontsize=fontsize + 3,
        fontweight="bold",
        pad=12,
    )
    ax.colorbar = bar  # for callers and tests
    return ax


def plot_top_items(result, *, ax=None, k=TOP_ITEMS, figsize=None, title=None, fontsize=9, label_width=60):
    """The ``k`` items that moved the result most: weight of evidence for the leader.

    Horizontal bars, largest magnitude at the top; blue raises the leading
    hypothesis, vermillion lowers it. An infinite weight (a likelihood of 0)
    is drawn to the edge and labelled ∞.
    """
    from matplotlib.patches import Patch

    lead = int(result.order[0])
    hid = result.hypotheses[lead]
    idx = result.top_items(k)
    values = result.item_woe[idx, lead]
    n = len(idx)
    ax = new_axes(ax, figsize or (9.0, max(2.6, 1.4 + 0.42 * n)))
    cap = 1.15 * finite_limit(values)
    drawn = np.nan_to_num(np.clip(values, -cap, cap), nan=0.0)
    colors = [BLUE if v >= 0 else VERMILLION for v in drawn]
    y = np.arange(n)
    ax.barh(y, drawn, height=0.65, color=colors, zorder=2)
    pad = 0.02 * cap
    for yi, v, d in zip(y, values, drawn):
        ax.text(
            d + (pad if d >= 0 else -pad),
            yi,
            db(v, " dB"),
            va="center",
            ha="left" if d >= 0 else "right",
            fontsize=fontsize - 0.5,
            gid="value",
        )
    ax.axvline(0, color="0.2", lw=0.9, zorder=3)
    ax.set_yticks(y, [item_label(result, i, label_width) for i in idx], fontsize=fontsize)
    ax.set_ylim(n - 0.5, -0.5)
    low, high = min(0.0, drawn.min(initial=0.0)), max(0.0, drawn.max(initial=0.0))
    span = max(high - low, 1e-9)
    ax.set_xlim(low - (0.18 * span if low < 0 else 0.02 * span), high + (0.18 * span if high > 0 else 0.02 * span))
    ax.set_xlabel(
        f"weight of evidence for {hid} against the rest (dB)\n+10 dB multiplies the odds by 10", fontsize=fontsize
    )
    ax.tick_params(axis="x", labelsize=fontsize - 1)
    ax.tick_params(axis="y", length=0)
    ax.grid(axis="x", color="0.9", zorder=0)
    for side in ("top", "right", "left"):
        ax.spines[side].set_visible(False)
    ax.legend(
        handles=[Patch(color=BLUE, label=f"supports {hid}"), Patch(color=VERMILLION, label=f"against {hid}")],
        loc="best",
        frameon=True,
        framealpha=0.9,
        edgecolor="none",
        fontsize=fontsize - 1,
    )
    ax.set_title(title or "The items that moved the result most", loc="left", fontsize=fontsize + 3, fontweight="bold")
    return ax


def plot_heuer_vs_bayes(result, *, ax=None, figsize=None, fontsize=10, heuer_color=ORANGE, bayes_color=BLUE):
    """Classic ACH (Heuer) beside Bayes, on one hypothesis axis (most probable first).

    ``ax``: ``None`` or a pair of Axes. Returns the pair (numpy array), left
    the weighted inconsistency (lower is better), right the exact posterior.
    """
    from matplotlib.ticker import PercentFormatter

    order = result.order
    n = len(order)
    labels = hypothesis_labels(result, [result.hypotheses[j] for j in order], max_lines=3)
    if ax is None:
        plt = pyplot()
        height = max(2.6, 1.4 + row_pitch(line_count(*labels), fontsize, 0.6) * n)
        _, ax = plt.subplots(1, 2, sharey=True, figsize=figsize or (10.0, height), layout="constrained")
    axes = np.asarray(ax).ravel()
    if axes.size != 2:
        raise ValueError(f"plot_heuer_vs_bayes draws two panels: pass ax=None or a pair of Axes, not {axes.size}")
    left, right = axes
    y = np.arange(n)
    weighted = result.heuer.weighted_inconsistency[order]
    best = weighted.min() if n else 0.0

    left.barh(y, weighted, height=0.6, color=heuer_color, zorder=2)
    top = max(float(weighted.max(initial=0.0)), 1.0)
    for yi, w in zip(y, weighted):
        mark = "  ← least" if np.isclose(w, best) else ""
        left.text(w + 0.02 * top, yi, f"{w:.1f}{mark}", va="center", fontsize=fontsize - 1, gid="value")
    left.set_xlim(0, top * 1.35)
    left.set_title(
        "Classic ACH: weighted inconsistency\n(lower is better)", loc="left", fontsize=fontsize + 1, fontweight="bold"
    )
    left.set_xlabel("evidence against the hypothesis (weighted count)", fontsize=fontsize - 1)

    p = result.posterior[order]
    right.barh(y, p, height=0.6, color=bayes_color, zorder=2)
    for yi, pi in zip(y, p):
        right.text(pi + 0.015, yi, pct(pi), va="center", fontsize=fontsize - 1, gid="value")
    right.set_xlim(0, max(1.0, float(p.max()) + 0.15))
    right.set_xticks(np.linspace(0, 1, 6))
    right.xaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    right.set_title("Bayes: exact posterior\n(higher is better)", loc="left", fontsize=fontsize + 1, fontweight="bold")
    right.set_xlabel("probability given all the evidence", fontsize=fontsize - 1)

    left.set_yticks(y, labels, fontsize=fontsize)
    left.set_ylim(n - 0.5, -0.5)
    right.tick_params(axis="y", length=0)
    for a in axes:
        a.grid(axis="x", color="0.9", zorder=0)
        a.tick_params(axis="x", labelsize=fontsize - 1)
        for side in ("top", "right"):
            a.spines[side].set_visible(False)
    return axes
