"""The sensitivity figures and what to collect next.

They read ``result.sensitivity`` and ``result.collection`` (and, for the
robustness view, the two summaries of the uncertain inputs): the rows shown, the new leaders and
the leader segments are the Result's; here they are only laid out.
"""

from __future__ import annotations

import numpy as np

from ..formatting import db, pct, short_title, wrap_lines
from .labels import hypothesis_labels, item_label, source_label
from .style import (
    BLUE,
    ORANGE,
    SKY,
    VERMILLION,
    fit_legend,
    hypothesis_style,
    new_axes,
    percent_axis,
    pyplot,
    strip,
)

__all__ = [
    "TOP_SENSITIVITY",
    "plot_deception",
    "plot_leave_one_out",
    "plot_reliability_sweeps",
    "plot_tornado",
    "sensitivity_of",
]

TOP_SENSITIVITY = 15  # rows of the leave-one-out and tornado charts


def sensitivity_of(result):
    """The result's sensitivity analysis, or a clear error when it was not run."""
    if result.sensitivity is None:
        raise ValueError("this result has no sensitivity analysis (result.sensitivity is None)")
    return result.sensitivity


def _format_input(kind: str, value: float) -> str:
    return pct(value) if kind == "prior" else f"{value:.2f}"


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

    lead = int(result.order[0])
    hid = result.hypotheses[lead]
    rows = result.loo_table(k)
    n = len(rows)
    ax = new_axes(ax, figsize or (9.5, max(2.8, 1.5 + 0.38 * n)))
    y = np.arange(n)
    change = np.array([100 * r.change for r in rows])
    colors = [linchpin_color if r.linchpin else color for r in rows]
    ax.barh(y, change, height=0.62, color=colors, zorder=2)
    span = max(float(np.abs(change).max(initial=0.0)), 1.0)
    pad = 0.015 * span
    for yi, r, c in zip(y, rows, change):
        text = db(c, " pp")
        ha = "left" if c >= 0 else "right"
        ax.text(c + (pad if c >= 0 else -pad), yi, text, va="center", ha=ha, fontsize=fontsize - 0.5, gid="value")
        if r.linchpin:
            # on the other side of zero, where there is room
            side = -1 if c >= 0 else 1
            ax.text(
                side * pad,
                yi,
                f"{r.leader} would lead ({pct(r.leader_p)})",
                va="center",
                ha="right" if side < 0 else "left",
                fontsize=fontsize - 0.5,
                color=linchpin_color,
                fontweight="bold",
                gid="linchpin",
            )
    labels = []
    for r in rows:
        if r.kind == "item":
            labels.append(item_label(result, r.index, label_width))
        else:
            labels.append(source_label(result, r.index, label_width))
    ax.set_yticks(y, labels, fontsize=fontsize)
    for tick, r in zip(ax.get_yticklabels(), rows):
        if r.kind == "source":
            tick.set_fontweight("bold")
    ax.set_ylim(n - 0.5, -0.5)
    ax.axvline(0, color="0.2", lw=0.9, zorder=3)
    low, high = min(0.0, float(change.min(initial=0.0))), max(0.0, float(change.max(initial=0.0)))
    room = 0.45 * span if any(r.linchpin for r in rows) else 0.16 * span
    ax.set_xlim(
        low - (room if low < 0 or high > 0 else 0.05 * span), high + (room if high > 0 or low < 0 else 0.05 * span)
    )
    ax.set_xlabel(f"change in P({hid}) when the item or source is removed (percentage points)", fontsize=fontsize)
    ax.tick_params(axis="x", labelsize=fontsize - 1)
    ax.tick_params(axis="y", length=0)
    ax.grid(axis="x", color="0.9", zorder=0)
    strip(ax, ("top", "right", "left"))
    handles = [Patch(color=color, label=f"{hid} still leads without it")]
    if any(r.linchpin for r in rows):
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

    s = sensitivity_of(result)
    lead = int(result.order[0])
    hid = result.hypotheses[lead]
    p0 = float(result.posterior[lead])
    swings = list(s.tornado[:k])
    n = len(swings)
    ax = new_axes(ax, figsize or (9.5, max(2.8, 1.6 + 0.36 * n)))
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
    # just above the plot, under the title (which is padded to make room for it)
    ax.annotate(
        f"exact P({hid}) = {pct(p0)}",
        (p0, 1),
        xycoords=ax.get_xaxis_transform(),
        xytext=(0, 2),
        textcoords="offset points",
        ha="center",
        va="bottom",
        fontsize=fontsize - 0.5,
        gid="exact",
    )
    ax.set_yticks(y, [w.label for w in swings], fontsize=fontsize)
    ax.set_ylim(n - 0.5, -0.7)
    ax.set_xlim(max(0.0, lo_all - 0.12 * span), min(1.0, hi_all + 0.12 * span))
    percent_axis(ax.xaxis)
    ax.set_xlabel(
        f"P({hid}) with one input at the end of its 5–95 % interval, the others at their means", fontsize=fontsize
    )
    ax.tick_params(axis="x", labelsize=fontsize - 1)
    ax.tick_params(axis="y", length=0)
    ax.grid(axis="x", color="0.9", zorder=0)
    strip(ax, ("top", "right", "left"))
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
        pad=2 + 1.2 * fontsize + 4,
    )
    return ax


def legend_labels(result, hids) -> list[str]:
    """The hypotheses as a legend names them: 'Kataib Hezbollah (KH)' on one line; a long title
    abbreviated behind its id on two, 'KH: Kataib Hezbollah, directly or through a front…'."""
    return hypothesis_labels(result, hids, 50, max_lines=2) if hids else []


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
    plt = pyplot()
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
    lead = result.reference
    shaded = False
    for a, name in zip(flat, names):
        curve = curves[name]
        grid, post = curve.grid, curve.posterior
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
        for x0, x1, who in curve.segments:
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
        percent_axis(a.yaxis)
        a.tick_params(labelsize=fontsize - 1)
        a.grid(color="0.92", zorder=0)
        strip(a)
    for a in flat[k:]:
        a.set_visible(False)
    for a in flat[:k]:
        a.set_xlabel(xlabel, fontsize=fontsize - 0.5)
    for row in axes:
        row[0].set_ylabel("probability of the hypothesis", fontsize=fontsize - 0.5)
    hids = [result.hypotheses[j] for j in result.order]
    handles = [
        Line2D([], [], lw=2, label=label, **hypothesis_style(result, hid))
        for hid, label in zip(hids, legend_labels(result, hids))
    ]
    handles.append(Line2D([], [], color="0.2", lw=1.1, ls=":", label="value in the case"))
    if shaded:
        handles.append(Patch(color="0.92", label=f"a hypothesis other than {lead} leads"))
    legend = fit_legend(
        lambda n: fig.legend(
            handles=handles, loc="outside lower center", ncol=n, frameon=False, fontsize=fontsize - 0.5
        ),
        min(3, len(handles)),
        fig.get_figwidth() - 0.2,
    )
    if ax is None:  # a legend taller than three short lines makes the figure taller, not the panels flatter
        tall = legend.get_window_extent(fig.canvas.get_renderer()).height / fig.dpi
        fig.set_figheight(fig.get_figheight() + max(0.0, tall - 0.75))
    fig.suptitle(suptitle, x=0.01, ha="left", fontsize=fontsize + 3, fontweight="bold")
    return flat[:k]


def plot_reliability_sweeps(result, *, ax=None, fontsize=10, ncols=None):
    """One small panel per swept source (the most influential ones): every
    hypothesis's posterior as that source's reliability runs from 0 (pure
    noise) to 1 (always genuine), the others held as rated. The dotted line is
    the source's reliability in the case; grey shading, where another
    hypothesis would lead. Returns the panels (numpy array of Axes)."""
    s = sensitivity_of(result)
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
    s = sensitivity_of(result)
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
