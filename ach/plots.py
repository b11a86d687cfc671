"""Figures of a :class:`~ach.analysis.Result`, drawn with matplotlib.

Every figure follows the ArviZ pattern ``plot_x(result, *, ax=None, **style)
-> Axes``: it only *reads* the result (no posterior is computed here, only
layout), draws on ``ax`` or on a new figure sized for the case, and returns
what it drew on. matplotlib is imported inside the functions so that
``import ach`` stays light; without a display the Agg backend is used.

    plot_posterior(result)         exact posterior, 90 % intervals, robustness range
    plot_evidence_matrix(result)   weight of evidence of every item, grouped by source
    plot_top_items(result)         the items that moved the result most
    plot_heuer_vs_bayes(result)    classic inconsistency score beside the posterior

Sensitivity and what to collect next (they read ``result.sensitivity`` and
``result.collection``):

    plot_leave_one_out(result)     how the leader's probability moves without each item / source
    plot_tornado(result)           each uncertain input swung across its 5-95 % interval
    plot_reliability_sweeps(result) posterior against one source's reliability, 0 to 1
    plot_deception(result)         posterior against an item's credibility (planted .. genuine)
    plot_timeline(result)          the assessment as it stood after each evidence date
    plot_robustness(result)        the two PyMC views side by side (sampled results only)
    plot_collection(result)        candidate observations ranked by expected information gain

    available_figures(result)      the figures that have something to show for this result
    save_figures(result, folder)   those figures as PNG files

Colours are the Okabe-Ito palette and the RdBu diverging map, both readable
with the common colour-vision deficiencies.
"""

from __future__ import annotations

import os
import sys
import textwrap
from pathlib import Path

import numpy as np

from . import files

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

MAIN_FIGURES = ("posterior", "evidence_matrix", "top_items", "heuer_vs_bayes")
SENSITIVITY_FIGURES = ("leave_one_out", "tornado", "reliability_sweeps", "deception", "timeline", "robustness")
FIGURES = MAIN_FIGURES + SENSITIVITY_FIGURES + ("collection",)  # in the order the report shows them
ANNOTATE_MAX_CELLS = 600  # heat-map cells are labelled with their value up to this size
TOP_ITEMS = 10
TOP_SENSITIVITY = 15  # rows of the leave-one-out and tornado charts


# -- helpers shared by the figures (and the report) ----------------------------
def _pyplot():
    """pyplot, on the Agg backend when there is no display to draw on."""
    import matplotlib

    headless = sys.platform.startswith("linux") and not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))
    if headless and "MPLBACKEND" not in os.environ and "matplotlib.pyplot" not in sys.modules:
        matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def _new_axes(ax, figsize, **kwargs):
    if ax is not None:
        return ax
    plt = _pyplot()
    _, ax = plt.subplots(figsize=figsize, layout="constrained", **kwargs)
    return ax


def short(text: str, width: int = 48) -> str:
    """One line of at most ``width`` characters, cut at a word."""
    return textwrap.shorten(" ".join(str(text).split()), width=width, placeholder="…")


def wrap(text: str, width: int = 28) -> str:
    return "\n".join(textwrap.wrap(str(text), width=width)) or str(text)


def wrap_lines(text: str, width: int, max_lines: int) -> str:
    """Wrapped to at most ``max_lines`` lines, the last one cut with an ellipsis."""
    lines = textwrap.wrap(" ".join(str(text).split()), width=width)
    if len(lines) > max_lines:
        lines = lines[: max_lines - 1] + [short(" ".join(lines[max_lines - 1 :]), width)]
    return "\n".join(lines) or str(text)


def hypothesis_label(result, hid: str, width: int = 28) -> str:
    """'Kataib Hezbollah (KH)', wrapped; just the id when the title is the id."""
    title = result.case.hypothesis(hid).title
    return wrap(f"{title} ({hid})" if title and title != hid else hid, width)


def item_label(result, i: int, width: int = 48) -> str:
    e = result.case.evidence[i]
    return f"{e.id}  {short(e.text, width)}" if e.text else e.id


def leading_index(result) -> int:
    return int(result.order[0])


def top_item_indices(result, k: int = TOP_ITEMS) -> np.ndarray:
    """Items with the largest weight of evidence (either sign) for the leader, largest first."""
    woe = result.item_woe[:, leading_index(result)]
    size = np.nan_to_num(np.abs(woe), nan=-1.0, posinf=np.inf)
    return np.argsort(-size, kind="stable")[: min(k, len(woe))]


def source_groups(result) -> list[tuple[int, list[int]]]:
    """(source index, item indices) in the case's source order, empty sources left out."""
    index = result.inputs.source_index
    return [(s, list(np.flatnonzero(index == s))) for s in range(len(result.inputs.sources)) if (index == s).any()]


def format_db(value: float, unit: str = "") -> str:
    """'+2.5', '−1.0', '0.0' (no signed zero), '+∞'; NaN as a dash."""
    value = float(value)
    if np.isnan(value):
        return "–"
    if np.isinf(value):
        return ("+∞" if value > 0 else "−∞") + unit
    if abs(value) < 0.05:
        return "0.0" + unit
    return f"{value:+.1f}".replace("-", "−") + unit


def _pct(p: float) -> str:
    from .analysis import _pct as pct

    return pct(float(p))


def _finite_limit(values: np.ndarray, default: float = 1.0) -> float:
    finite = np.abs(values[np.isfinite(values)])
    top = float(finite.max()) if finite.size else 0.0
    return top if top > 0 else default


# -- the figures ----------------------------------------------------------------
def plot_posterior(result, *, ax=None, figsize=None, title=None, color=SKY, lead_color=BLUE, fontsize=10):
    """The exact posterior of every hypothesis, most probable first.

    Bars: the exact ``P(H | E)``. Black whiskers (when sampled): the 90 %
    interval of the stratified NUTS posterior. A thin dashed line below each
    bar (when sampled): the forward robustness range, where the answer could
    land if the inputs varied within their stated uncertainty (not a posterior).
    """
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch
    from matplotlib.ticker import PercentFormatter

    order = result.order
    n = len(order)
    ax = _new_axes(ax, figsize or (8.0, max(2.6, 1.3 + 0.6 * n)))
    y = np.arange(n)
    p = result.posterior[order]
    colors = [lead_color if t == 0 else color for t in range(n)]
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
            _pct(pi),
            va="bottom",
            ha="left",
            fontsize=fontsize,
            fontweight="bold" if yi == 0 else None,
            gid="value",
        )

    ax.set_yticks(y, [hypothesis_label(result, result.hypotheses[j]) for j in order], fontsize=fontsize)
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
        title or "Which hypothesis does the evidence favour?", loc="left", fontsize=fontsize + 2, fontweight="bold"
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

    groups = source_groups(result)
    rows = [i for _, items in groups for i in items]
    cols = list(result.order)
    data = result.item_woe[np.ix_(rows, cols)] if rows else np.zeros((0, len(cols)))
    n_rows, n_cols = data.shape
    # rows stay readable up to ~80 items; beyond, they shrink, and past 300 only every k-th is labelled
    row_height, label_size = (0.3, fontsize) if n_rows <= 80 else (0.17, min(fontsize, 6.5))
    every = max(1, int(np.ceil(n_rows / 300)))
    width = max(6.0, 3.4 + 1.05 * n_cols + 2.2)
    ax = _new_axes(ax, figsize or (width, max(3.5, 2.4 + row_height * min(n_rows, 300))))
    fig = ax.figure

    vmax = _finite_limit(data)
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
                    format_db(v),
                    ha="center",
                    va="center",
                    fontsize=fontsize - 1,
                    color="white" if strong else "black",
                    gid="woe",
                )

    ax.set_yticks(
        np.arange(n_rows)[::every], [item_label(result, i, label_width) for i in rows[::every]], fontsize=label_size
    )
    ax.set_xticks(
        np.arange(n_cols), [hypothesis_label(result, result.hypotheses[j], 13) for j in cols], fontsize=fontsize
    )
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

    lead = leading_index(result)
    hid = result.hypotheses[lead]
    idx = top_item_indices(result, k)
    values = result.item_woe[idx, lead]
    n = len(idx)
    ax = _new_axes(ax, figsize or (9.0, max(2.6, 1.4 + 0.42 * n)))
    cap = 1.15 * _finite_limit(values)
    drawn = np.nan_to_num(np.clip(values, -cap, cap), nan=0.0)
    colors = [BLUE if v >= 0 else VERMILLION for v in drawn]
    y = np.arange(n)
    ax.barh(y, drawn, height=0.65, color=colors, zorder=2)
    pad = 0.02 * cap
    for yi, v, d in zip(y, values, drawn):
        ax.text(
            d + (pad if d >= 0 else -pad),
            yi,
            format_db(v, " dB"),
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
        f"weight of evidence for {hid} against the rest (dB; +10 dB multiplies the odds by 10)", fontsize=fontsize
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
    if ax is None:
        plt = _pyplot()
        _, ax = plt.subplots(
            1, 2, sharey=True, figsize=figsize or (10.0, max(2.6, 1.4 + 0.6 * n)), layout="constrained"
        )
    axes = np.asarray(ax).ravel()
    if axes.size != 2:
        raise ValueError(f"plot_heuer_vs_bayes draws two panels: pass ax=None or a pair of Axes, not {axes.size}")
    left, right = axes
    y = np.arange(n)
    weighted = result.heuer.weighted_inconsistency[order]
    counts = result.heuer.inconsistency[order]
    best = weighted.min() if n else 0.0

    left.barh(y, weighted, height=0.6, color=heuer_color, zorder=2)
    top = max(float(weighted.max(initial=0.0)), 1.0)
    for yi, w, c in zip(y, weighted, counts):
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
        right.text(pi + 0.015, yi, _pct(pi), va="center", fontsize=fontsize - 1, gid="value")
    right.set_xlim(0, max(1.0, float(p.max()) + 0.15))
    right.set_xticks(np.linspace(0, 1, 6))
    right.xaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    right.set_title("Bayes: exact posterior\n(higher is better)", loc="left", fontsize=fontsize + 1, fontweight="bold")
    right.set_xlabel("probability given all the evidence", fontsize=fontsize - 1)

    left.set_yticks(y, [hypothesis_label(result, result.hypotheses[j]) for j in order], fontsize=fontsize)
    left.set_ylim(n - 0.5, -0.5)
    right.tick_params(axis="y", length=0)
    for a in axes:
        a.grid(axis="x", color="0.9", zorder=0)
        a.tick_params(axis="x", labelsize=fontsize - 1)
        for side in ("top", "right"):
            a.spines[side].set_visible(False)
    return axes


# -- sensitivity: helpers ---------------------------------------------------------------
def hypothesis_style(result, hid: str) -> dict:
    """Colour and line style of a hypothesis, by its rank: the same in every figure."""
    rank = int(np.flatnonzero(result.order == result.hypotheses.index(hid))[0])
    n_colors = len(HYPOTHESIS_COLORS)
    return {
        "color": HYPOTHESIS_COLORS[rank % n_colors],
        "linestyle": HYPOTHESIS_LINESTYLES[(rank // n_colors) % len(HYPOTHESIS_LINESTYLES)],
    }


def _sensitivity(result):
    if result.sensitivity is None:
        raise ValueError("this result has no sensitivity analysis (result.sensitivity is None)")
    return result.sensitivity


def short_title(title: str, width: int = 40) -> str:
    """A source or hypothesis title without its parenthetical: 'US government (anonymous …)' -> 'US government'."""
    head = str(title).split(" (")[0].strip()
    return short(head or title, width)


def loo_rows(result, k: int | None = TOP_SENSITIVITY) -> list[dict]:
    """Items and sources by how far removing each alone moves the leader's probability, largest first.

    Each row: kind ('item' / 'source'), index, id, p (the leader's probability
    without it), change (p minus the exact posterior), leader (the hypothesis
    that leads without it), linchpin (that is not the current leader).
    """
    s = _sensitivity(result)
    lead = leading_index(result)
    p0 = float(result.posterior[lead])
    rows = []
    for kind, post, ids, pins in (
        ("item", s.loo.items, s.items, set(s.loo.item_linchpins)),
        ("source", s.loo.sources, s.sources, set(s.loo.source_linchpins)),
    ):
        for i, row in enumerate(post):
            new_lead = int(np.argmax(row))
            rows.append(
                {
                    "kind": kind,
                    "index": i,
                    "id": ids[i],
                    "p": float(row[lead]),
                    "change": float(row[lead]) - p0,
                    "leader": result.hypotheses[new_lead],
                    "leader_p": float(row[new_lead]),
                    "linchpin": i in pins,
                }
            )
    rows.sort(key=lambda r: (not r["linchpin"], -abs(r["change"])))  # linchpins always shown
    rows = rows[:k] if k else rows
    return sorted(rows, key=lambda r: -abs(r["change"]))


def leader_segments(result, grid: np.ndarray, posterior: np.ndarray) -> list[tuple[float, float, str]]:
    """(from, to, hypothesis id) runs of the grid over which one hypothesis leads."""
    leaders = np.argmax(posterior, axis=1)
    out = []
    start = 0
    for g in range(1, len(grid) + 1):
        if g == len(grid) or leaders[g] != leaders[start]:
            out.append((float(grid[start]), float(grid[g - 1]), result.hypotheses[int(leaders[start])]))
            start = g
    return out


def _strip(ax, sides=("top", "right")):
    for side in sides:
        ax.spines[side].set_visible(False)


def _percent_axis(axis, decimals=0):
    from matplotlib.ticker import PercentFormatter

    axis.set_major_formatter(PercentFormatter(1.0, decimals=decimals))


def _format_input(kind: str, value: float) -> str:
    return _pct(value) if kind == "prior" else f"{value:.2f}"


# -- sensitivity: the figures -------------------------------------------------------------
def plot_leave_one_out(
    result,
    *,
    ax=None,
    k=TOP_SENSITIVITY,
    figsize=None,
    title=None,
    fontsize=10,
    label_width=40,
    color=SKY,
    linchpin_color=VERMILLION,
):
    """How the leading hypothesis's probability moves when each item, or each source, is removed alone.

    One bar per removed item or source (the ``k`` largest moves, linchpins
    always among them), in percentage points, largest first. Source rows are
    bold and marked "source". Linchpins (removing them alone changes the
    leading hypothesis) are vermillion and say which hypothesis would lead.
    """
    from matplotlib.patches import Patch

    lead = leading_index(result)
    hid = result.hypotheses[lead]
    rows = loo_rows(result, k)
    n = len(rows)
    ax = _new_axes(ax, figsize or (9.5, max(2.8, 1.5 + 0.38 * n)))
    y = np.arange(n)
    change = np.array([100 * r["change"] for r in rows])
    colors = [linchpin_color if r["linchpin"] else color for r in rows]
    ax.barh(y, change, height=0.62, color=colors, zorder=2)
    span = max(float(np.abs(change).max(initial=0.0)), 1.0)
    pad = 0.015 * span
    for yi, r, c in zip(y, rows, change):
        text = format_db(c, " pp")
        ha = "left" if c >= 0 else "right"
        ax.text(c + (pad if c >= 0 else -pad), yi, text, va="center", ha=ha, fontsize=fontsize - 0.5, gid="value")
        if r["linchpin"]:
            # on the other side of zero, where there is room
            side = -1 if c >= 0 else 1
            ax.text(
                side * pad,
                yi,
                f"{r['leader']} would lead ({_pct(r['leader_p'])})",
                va="center",
                ha="right" if side < 0 else "left",
                fontsize=fontsize - 0.5,
                color=linchpin_color,
                fontweight="bold",
                gid="linchpin",
            )
    labels = []
    for r in rows:
        if r["kind"] == "item":
            labels.append(item_label(result, r["index"], label_width))
        else:
            src = result.case.sources[r["index"]]
            name = short_title(src.title, label_width - len(src.id) - 10) if src.title else ""
            labels.append(f"source {src.id}: {name}" if name and name != src.id else f"source {src.id}")
    ax.set_yticks(y, labels, fontsize=fontsize)
    for tick, r in zip(ax.get_yticklabels(), rows):
        if r["kind"] == "source":
            tick.set_fontweight("bold")
    ax.set_ylim(n - 0.5, -0.5)
    ax.axvline(0, color="0.2", lw=0.9, zorder=3)
    low, high = min(0.0, float(change.min(initial=0.0))), max(0.0, float(change.max(initial=0.0)))
    room = 0.45 * span if any(r["linchpin"] for r in rows) else 0.16 * span
    ax.set_xlim(
        low - (room if low < 0 or high > 0 else 0.05 * span), high + (room if high > 0 or low < 0 else 0.05 * span)
    )
    ax.set_xlabel(f"change in P({hid}) when the item or source is removed (percentage points)", fontsize=fontsize)
    ax.tick_params(axis="x", labelsize=fontsize - 1)
    ax.tick_params(axis="y", length=0)
    ax.grid(axis="x", color="0.9", zorder=0)
    _strip(ax, ("top", "right", "left"))
    handles = [Patch(color=color, label=f"{hid} still leads without it")]
    if any(r["linchpin"] for r in rows):
        handles.insert(0, Patch(color=linchpin_color, label="linchpin: without it another hypothesis leads"))
    ax.legend(
        handles=handles,
        loc="upper center",
        bbox_to_anchor=(0.5, -0.35 / max(n, 3) - 0.06),
        ncol=2,
        frameon=False,
        fontsize=fontsize - 1,
    )
    ax.set_title(
        title or f"Leave one out: P({hid}) without each item or source",
        loc="left",
        fontsize=fontsize + 3,
        fontweight="bold",
    )
    return ax


def plot_tornado(
    result, *, ax=None, k=TOP_SENSITIVITY, figsize=None, title=None, fontsize=10, low_color=ORANGE, high_color=BLUE
):
    """Tornado: each uncertain input swung across its 5-95 % interval, the others at their means.

    One row per input (the ``k`` longest swings, longest at the top), labelled
    ``swing.label``; orange runs from the exact P(leader) to its value with the
    input at its 5 % point, blue to its value at the 95 % point. The input's
    value is written at each end; the vertical line is the exact P(leader).
    """
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    s = _sensitivity(result)
    lead = leading_index(result)
    hid = result.hypotheses[lead]
    p0 = float(result.posterior[lead])
    swings = list(s.tornado[:k])
    n = len(swings)
    ax = _new_axes(ax, figsize or (9.5, max(2.8, 1.6 + 0.36 * n)))
    y = np.arange(n)
    p_low = np.array([w.p_low for w in swings])
    p_high = np.array([w.p_high for w in swings])
    ax.barh(y, p_low - p0, left=p0, height=0.62, color=low_color, zorder=2, label="input at its 5 % point")
    ax.barh(y, p_high - p0, left=p0, height=0.62, color=high_color, zorder=2, label="input at its 95 % point")
    lo_all = min(p0, float(np.min(np.r_[p_low, p_high], initial=p0)))
    hi_all = max(p0, float(np.max(np.r_[p_low, p_high], initial=p0)))
    span = max(hi_all - lo_all, 0.02)
    pad = 0.012 * span
    for yi, w in zip(y, swings):
        for p_end, value in ((w.p_low, w.low), (w.p_high, w.high)):
            right = p_end >= p0
            ax.text(
                p_end + (pad if right else -pad),
                yi,
                _format_input(w.kind, value),
                va="center",
                ha="left" if right else "right",
                fontsize=fontsize - 1.5,
                color="0.25",
                gid="input",
            )
    ax.axvline(p0, color="0.15", lw=1.1, zorder=3)
    ax.text(p0, -0.75, f"exact P({hid}) = {_pct(p0)}", ha="center", va="bottom", fontsize=fontsize - 0.5, gid="exact")
    ax.set_yticks(y, [w.label for w in swings], fontsize=fontsize)
    ax.set_ylim(n - 0.5, -1.0)
    ax.set_xlim(max(0.0, lo_all - 0.12 * span), min(1.0, hi_all + 0.12 * span))
    _percent_axis(ax.xaxis)
    ax.set_xlabel(
        f"P({hid}) with one input at the end of its 5–95 % interval, the others at their means", fontsize=fontsize
    )
    ax.tick_params(axis="x", labelsize=fontsize - 1)
    ax.tick_params(axis="y", length=0)
    ax.grid(axis="x", color="0.9", zorder=0)
    _strip(ax, ("top", "right", "left"))
    handles = [
        Patch(color=low_color, label="input at its 5 % point"),
        Patch(color=high_color, label="input at its 95 % point"),
        Line2D([], [], color="0.15", lw=1.1, label=f"exact P({hid})"),
    ]
    ax.legend(
        handles=handles,
        loc="upper center",
        bbox_to_anchor=(0.5, -0.35 / max(n, 3) - 0.06),
        ncol=3,
        frameon=False,
        fontsize=fontsize - 1,
    )
    ax.set_title(
        title or f"Tornado: which uncertain inputs move P({hid}) most",
        loc="left",
        fontsize=fontsize + 3,
        fontweight="bold",
    )
    return ax


def _sweep_panels(
    result,
    curves,
    current,
    titles,
    xlabel,
    marker_label,
    suptitle,
    *,
    ax=None,
    fontsize=9,
    ncols=None,
    panel_size=(3.3, 2.8),
):
    """Small multiples: each hypothesis's posterior along one input's 0..1 grid."""
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    names = list(curves)
    k = len(names)
    if k == 0:
        raise ValueError("nothing to draw: no sweeps in this result")
    plt = _pyplot()
    ncols = ncols or min(3, k)
    nrows = int(np.ceil(k / ncols))
    if ax is None:
        width, height = panel_size
        fig, axes = plt.subplots(
            nrows,
            ncols,
            figsize=(width * ncols + 0.4, height * nrows + 1.0),
            sharey=True,
            layout="constrained",
            squeeze=False,
        )
        fig.get_layout_engine().set(wspace=0.05)
    else:
        axes = np.asarray(ax)
        fig = axes.ravel()[0].figure
        if axes.size < k:
            raise ValueError(f"this figure draws {k} panels: pass ax=None or at least {k} Axes, not {axes.size}")
    flat = axes.ravel()
    lead = result.hypotheses[leading_index(result)]
    shaded = False
    for a, name in zip(flat, names):
        grid, post = curves[name]
        for j in result.order:
            hid = result.hypotheses[j]
            a.plot(
                grid,
                post[:, j],
                lw=2.0 if hid == lead else 1.5,
                label=hid,
                gid="hypothesis",
                zorder=3,
                **hypothesis_style(result, hid),
            )
        for x0, x1, who in leader_segments(result, grid, post):
            if who != lead:
                step = (grid[1] - grid[0]) / 2 if len(grid) > 1 else 0.0
                a.axvspan(
                    max(grid[0], x0 - step), min(grid[-1], x1 + step), color="0.92", zorder=0, lw=0, gid="other-leader"
                )
                a.text(
                    (x0 + x1) / 2,
                    0.985,
                    f"{who} leads",
                    ha="center",
                    va="top",
                    fontsize=fontsize - 1.5,
                    color=hypothesis_style(result, who)["color"],
                    fontweight="bold",
                    gid="segment",
                    transform=a.get_xaxis_transform(),
                )
                shaded = True
        now = float(current[name])
        a.axvline(now, color="0.2", lw=1.1, ls=":", zorder=4, gid="current")
        a.text(
            now,
            1.01,
            f"{marker_label} {now:.2f}",
            ha="center",
            va="bottom",
            fontsize=fontsize - 1,
            transform=a.get_xaxis_transform(),
            gid="current-label",
        )
        a.set_title(titles[name], loc="left", fontsize=fontsize, fontweight="bold", pad=16)
        a.set_xlim(0, 1)
        a.set_xticks(np.linspace(0, 1, 6), ["0", "0.2", "0.4", "0.6", "0.8", "1"])
        a.set_ylim(0, 1)
        _percent_axis(a.yaxis)
        a.tick_params(labelsize=fontsize - 1)
        a.grid(color="0.92", zorder=0)
        _strip(a)
    for a in flat[k:]:
        a.set_visible(False)
    for a in flat[:k]:
        a.set_xlabel(xlabel, fontsize=fontsize - 0.5)
    for row in axes:
        row[0].set_ylabel("probability of the hypothesis", fontsize=fontsize - 0.5)
    handles = [
        Line2D(
            [],
            [],
            lw=2,
            label=hypothesis_label(result, result.hypotheses[j], 30).replace("\n", " "),
            **hypothesis_style(result, result.hypotheses[j]),
        )
        for j in result.order
    ]
    handles.append(Line2D([], [], color="0.2", lw=1.1, ls=":", label="value in the case"))
    if shaded:
        handles.append(Patch(color="0.92", label=f"a hypothesis other than {lead} leads"))
    fig.legend(
        handles=handles, loc="outside lower center", ncol=min(3, len(handles)), frameon=False, fontsize=fontsize - 0.5
    )
    fig.suptitle(suptitle, x=0.01, ha="left", fontsize=fontsize + 3, fontweight="bold")
    return flat[:k]


def plot_reliability_sweeps(result, *, ax=None, fontsize=10, ncols=None):
    """One small panel per swept source (the most influential ones): every
    hypothesis's posterior as that source's reliability runs from 0 (pure
    noise) to 1 (always genuine), the others held as rated. The dotted line is
    the source's reliability in the case; grey shading, where another
    hypothesis would lead. Returns the panels (numpy array of Axes)."""
    s = _sensitivity(result)
    inp = result.inputs
    titles, current = {}, {}
    for sid in s.sweeps:
        src = result.case.source(sid)
        name = short_title(src.title, 60) if src.title else ""
        titles[sid] = wrap_lines(f"{sid}: {name}" if name and name != sid else sid, 34, 2)
        current[sid] = inp.r[inp.sources.index(sid)]
    return _sweep_panels(
        result,
        s.sweeps,
        current,
        titles,
        "reliability (0 = noise, 1 = always genuine)",
        "now",
        "If a source were more or less reliable",
        ax=ax,
        fontsize=fontsize,
        ncols=ncols,
    )


def plot_deception(result, *, ax=None, fontsize=10, ncols=None):
    """The deception scenarios: for each item whose ``if_false`` says how likely
    a false report would be under each hypothesis (e.g. planted by one side),
    every hypothesis's posterior as the item's credibility runs from 0 (certainly
    not genuine: planted or mistaken) to 1 (genuine). The dotted line is the
    credibility in the case. Returns the panels (numpy array of Axes)."""
    s = _sensitivity(result)
    inp = result.inputs
    titles, current = {}, {}
    for eid in s.deception:
        i = inp.items.index(eid)
        titles[eid] = wrap_lines(f"{eid}: {result.case.evidence[i].text}", 34, 2)
        current[eid] = inp.k[i]
    return _sweep_panels(
        result,
        s.deception,
        current,
        titles,
        "credibility (0 = planted or false, 1 = genuine)",
        "now",
        "Deception: if an item were planted",
        ax=ax,
        fontsize=fontsize,
        ncols=ncols,
    )


def timeline_steps(result) -> list[dict]:
    """The timeline's steps with what each added: [{'date', 'added', 'posterior'}], oldest first."""
    s = _sensitivity(result)
    dates, post = s.timeline
    ev = result.case.evidence
    steps = []
    for d, p in zip(dates, post):
        added = [e.id for e in ev if (not e.date if d == "start" else str(e.date) == str(d))]
        steps.append({"date": str(d), "added": added, "posterior": p})
    return steps


def plot_timeline(result, *, ax=None, figsize=None, title=None, fontsize=9, show_prior=True):
    """The assessment as it would have stood after each evidence date, oldest first.

    One line per hypothesis (same colours as the other figures), a point per
    date; undated items count as known from the start; the first point is the
    prior (before any evidence) when ``show_prior``. Tick labels say how many
    items each date added. The leader at the end is labelled."""
    steps = timeline_steps(result)
    if not steps:
        raise ValueError("nothing to draw: the case has no evidence")
    labels = [
        ("undated" if st["date"] == "start" else st["date"])
        + f"\n+{len(st['added'])} item"
        + ("s" if len(st["added"]) != 1 else "")
        for st in steps
    ]
    post = np.array([st["posterior"] for st in steps])
    if show_prior:
        labels = ["prior"] + labels
        post = np.vstack([result.inputs.prior, post])
    t = np.arange(len(labels))
    ax = _new_axes(ax, figsize or (min(12.0, max(8.0, 3.0 + 1.4 * len(t))), 5.2))
    for j in result.order:
        hid = result.hypotheses[j]
        style = hypothesis_style(result, hid)
        ax.plot(
            t,
            post[:, j],
            marker="o",
            markersize=5,
            lw=2.0 if j == result.order[0] else 1.5,
            label=hypothesis_label(result, hid, 30).replace("\n", " "),
            gid="hypothesis",
            zorder=3,
            **style,
        )
    end = post[-1]
    last_lead = int(np.argmax(end))
    ax.annotate(
        f"{result.hypotheses[last_lead]} {_pct(end[last_lead])}",
        (t[-1], end[last_lead]),
        xytext=(8, 0),
        textcoords="offset points",
        va="center",
        ha="left",
        fontsize=fontsize + 1,
        fontweight="bold",
        color=hypothesis_style(result, result.hypotheses[last_lead])["color"],
        gid="leader",
    )
    if show_prior:
        ax.axvspan(-0.5, 0.5, color="0.95", zorder=0, lw=0)
    ax.set_xticks(t, labels, fontsize=fontsize - 0.5)
    ax.set_xlim(-0.3, t[-1] + 0.6)
    ax.set_ylim(0, max(1.0, float(post.max()) + 0.05) if post.max() > 0.8 else min(1.0, float(post.max()) + 0.12))
    _percent_axis(ax.yaxis)
    ax.set_ylabel("probability of the hypothesis", fontsize=fontsize)
    ax.set_xlabel("evidence date: each point is the assessment with every item up to that date", fontsize=fontsize)
    ax.tick_params(axis="y", labelsize=fontsize - 1)
    ax.grid(axis="y", color="0.9", zorder=0)
    _strip(ax)
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.2), ncol=2, frameon=False, fontsize=fontsize - 0.5)
    ax.set_title(
        title or "How the assessment changed as the evidence came in",
        loc="left",
        fontsize=fontsize + 3,
        fontweight="bold",
    )
    return ax


def plot_robustness(result, *, ax=None, figsize=None, fontsize=10.5, posterior_color=BLACK, forward_color=VERMILLION):
    """The two PyMC views side by side, most probable hypothesis first.

    Left column: the stratified NUTS posterior (uncertainty about the posterior
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
        plt = _pyplot()
        _, axes = plt.subplots(
            2,
            2,
            figsize=figsize or (9.5, 2.6 + 0.95 * n),
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
            "Stratified posterior (NUTS)",
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
    labels = [hypothesis_label(result, result.hypotheses[j], 26) for j in order]
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
                f"{_pct(lo)[:-2] if lo >= 0.00005 else '0'}–{_pct(hi)}",
                va="center",
                fontsize=fontsize - 1,
                gid="value",
            )
        top.set_title(f"{name}\n", loc="left", fontsize=fontsize + 1.5, fontweight="bold")
        top.text(
            0,
            1.02,
            meaning,
            transform=top.transAxes,
            fontsize=fontsize,
            style="italic",
            color=color if color != BLACK else "0.2",
            va="bottom",
            ha="left",
        )
        top.set_xlabel("90 % interval of the probability (dot: exact posterior)", fontsize=fontsize - 0.5)
        bottom.barh(y, leads, height=0.6, color=color if color != BLACK else "0.35", zorder=2, gid="leads")
        for yi, v in zip(y, leads):
            bottom.text(v + 0.015, yi, _pct(v), va="center", fontsize=fontsize - 1, gid="leads-value")
        bottom.set_xlabel("rank stability: share of draws in which it leads", fontsize=fontsize - 0.5)
        for a in (top, bottom):
            a.set_xlim(0, 1.14)
            a.set_xticks(np.linspace(0, 1, 6))
            _percent_axis(a.xaxis)
            a.tick_params(labelsize=fontsize - 1)
            a.grid(axis="x", color="0.9", zorder=0)
            _strip(a)
    for r in range(2):
        axes[r, 0].set_yticks(y, labels, fontsize=fontsize)
        axes[r, 0].set_ylim(n - 0.5, -0.6)
        axes[r, 1].tick_params(axis="y", length=0)
    return axes


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
        plt = _pyplot()
        _, ax = plt.subplots(
            1,
            2,
            sharey=True,
            figsize=figsize or (10.0, max(2.6, 1.5 + 0.55 * n)),
            layout="constrained",
            gridspec_kw={"width_ratios": [1.0, 0.8]},
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
        wrap_lines(f"{v.id}  {v.text}", label_width, 2) + f"\n(observed with p = {_pct(v.p_seen)})" for v in values
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
        _strip(a)
    return axes


PLOTTERS = {
    "posterior": plot_posterior,
    "evidence_matrix": plot_evidence_matrix,
    "top_items": plot_top_items,
    "heuer_vs_bayes": plot_heuer_vs_bayes,
    "leave_one_out": plot_leave_one_out,
    "tornado": plot_tornado,
    "reliability_sweeps": plot_reliability_sweeps,
    "deception": plot_deception,
    "timeline": plot_timeline,
    "robustness": plot_robustness,
    "collection": plot_collection,
}


def available_figures(result) -> tuple[str, ...]:
    """The figures that have something to show for ``result``, in the report's order.

    Left out: the sensitivity figures without ``result.sensitivity``; the
    deception figure when no item has a per-hypothesis ``if_false``; the
    timeline with fewer than two dates; the robustness figure when the result
    was not sampled; the collection figure when the case lists no candidates.
    """
    s = result.sensitivity
    has = {
        "leave_one_out": s is not None and len(s.items) > 0,
        "tornado": s is not None and len(s.tornado) > 0,
        "reliability_sweeps": s is not None and len(s.sweeps) > 0,
        "deception": s is not None and len(s.deception) > 0,
        "timeline": s is not None and len(s.timeline[0]) >= 2,
        "robustness": result.bayes is not None and result.forward is not None,
        "collection": len(result.collection) > 0,
    }
    return tuple(name for name in FIGURES if has.get(name, True))


# -- files -----------------------------------------------------------------------
def figure_png(result, name: str, dpi: int = 150) -> bytes:
    """One figure as PNG bytes; the figure is closed afterwards."""
    import io

    plt = _pyplot()
    drawn = PLOTTERS[name](result)
    fig = np.ravel(drawn)[0].figure
    try:
        buffer = io.BytesIO()
        fig.savefig(buffer, format="png", dpi=dpi, bbox_inches="tight", facecolor="white")
        return buffer.getvalue()
    finally:
        plt.close(fig)


def save_figures(result, folder, *, dpi: int = 150, names=None) -> dict[str, Path]:
    """Write each figure as ``folder/<name>.png``; returns ``{name: path}``.

    ``names``: which figures; by default every one that has something to show
    (:func:`available_figures`)."""
    folder = Path(folder)
    names = available_figures(result) if names is None else names
    return {name: files.write_atomic(folder / f"{name}.png", figure_png(result, name, dpi)) for name in names}
