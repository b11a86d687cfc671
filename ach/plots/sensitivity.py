"""The sensitivity figures and what to collect next.

They read ``result.sensitivity`` and ``result.collection`` (and, for the
robustness view, the two summaries of the uncertain inputs): the rows shown, the new leaders and
the leader segments are the Result's; here they are only laid out.
"""

from __future__ import annotations

import numpy as np

from ..formatting import db, pct, short_title, wrap_lines
from .labels import hypothesis_labels, item_label, line_count, source_label
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
    "plot_timeline",
    "plot_tornado",
]

TOP_SENSITIVITY = 15  # rows of the leave-one-out and tornado charts


def _sensitivity(result):
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

    s = _sensitivity(result)
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


def _hindsight_steps(as_of, dates, offset: int) -> list[int]:
    """Positions of the timeline points dated after the case's ``as_of`` (the headline leaves them out)."""
    if as_of is None:
        return []
    return [i + offset for i, date in enumerate(dates) if date != "start" and date > str(as_of)]


def _mark_hindsight(ax, as_of, later: list[int], right: float, fontsize) -> None:
    """Hatch the hindsight points' span, up to ``right``, and say what it means."""
    ax.axvspan(later[0] - 0.5, right, facecolor="0.96", hatch="//", edgecolor="0.85", zorder=0, lw=0, gid="hindsight")
    ax.text(
        right - 0.05,
        0.98,
        HINDSIGHT_NOTE.format(as_of=as_of),
        transform=ax.get_xaxis_transform(),
        va="top",
        ha="right",
        fontsize=fontsize - 1,
        color="0.3",
        bbox={"facecolor": "white", "edgecolor": "none", "pad": 1.5},
    )


HINDSIGHT_NOTE = "hindsight:\nreported after {as_of},\nnot in the headline"


def _text_inches(text: str, fontsize: float) -> tuple[float, float]:
    """A generous guess at the width and height of ``text`` in inches, before anything is drawn."""
    lines = text.split("\n")
    return max(len(line) for line in lines) * 0.62 * fontsize / 72, len(lines) * 1.2 * fontsize / 72


def _timeline_limits(result, t, post, later, labelled, pitch, axes_height, fontsize) -> tuple[float, float]:
    """The right and top limits of the timeline: room right of the last point for its label, and
    above the labelled points for the hindsight note when they would run into it."""
    end_width = _text_inches(_leader_text(result, post[-1], ""), fontsize + 1)[0] + 8 / 72 + 0.05
    right = t[-1] + max(0.6, end_width / pitch)
    top = max(1.0, float(post.max()) + 0.05) if post.max() > 0.8 else min(1.0, float(post.max()) + 0.12)
    if not later:
        return right, top
    note_width, note_height = _text_inches(HINDSIGHT_NOTE.format(as_of=result.case.as_of), fontsize - 1)
    note_left = right - 0.05 - (note_width + 0.05) / pitch
    for x, prefix, ha in labelled:
        width, height = _text_inches(_leader_text(result, post[x], prefix), fontsize + 1)
        if ha == "left":  # right of the point
            start, end, above = x, x + end_width / pitch, height / 2
        else:  # above the point, centred or ending there
            start = x - (width / 2 if ha == "center" else width) / pitch
            end, above = start + width / pitch, 9 / 72 + height
        if end > note_left and start < right:
            room = min(0.9, (above + note_height + 0.1) / axes_height)
            top = max(top, min(1.0, float(post[x].max()) / (1 - room)))
    return right, top


def _leader_text(result, row: np.ndarray, prefix: str) -> str:
    lead = int(np.argmax(row))
    return f"{prefix}{result.hypotheses[lead]} {pct(row[lead])}"


def _label_leader(ax, result, t: int, row: np.ndarray, prefix: str, ha: str, fontsize) -> None:
    """The leader's name and probability: right of the point (``ha="left"``), else above it."""
    lead = int(np.argmax(row))
    ax.annotate(
        _leader_text(result, row, prefix),
        (t, row[lead]),
        xytext=(8, 0) if ha == "left" else (0, 9),
        textcoords="offset points",
        va="center" if ha == "left" else "bottom",
        ha=ha,
        fontsize=fontsize + 1,
        fontweight="bold",
        color=hypothesis_style(result, result.hypotheses[lead])["color"],
        gid="leader",
    )


def _date_ticks(labels, pitch, fontsize) -> tuple[list[str], int, float]:
    """The date labels, ``pitch`` inches apart: upright when they fit side by side, else turned on
    end, and then only every k-th when even that is too tight. Returns (labels, rotation, height in inches)."""
    across = _text_inches("\n".join(labels), fontsize)[0] + 0.1
    deep = max(_text_inches(label, fontsize)[1] for label in labels)
    if pitch >= across:
        return labels, 0, deep
    every = max(1, int(np.ceil((deep + 0.05) / pitch)))
    last = len(labels) - 1  # always labelled, so its neighbours within ``every`` are not
    shown = [label if i == last or (i % every == 0 and last - i >= every) else "" for i, label in enumerate(labels)]
    return shown, 90, across


def plot_timeline(result, *, ax=None, figsize=None, title=None, fontsize=9, show_prior=True):
    """The assessment as it would have stood after each evidence date, oldest first.

    One line per hypothesis (same colours as the other figures), a point per
    date; undated items count as known from the start; the first point is the
    prior (before any evidence) when ``show_prior``. Tick labels say how many
    items each date added. The leader at the end is labelled, and so is the
    headline's when items dated after the case's ``as_of`` (hatched) follow."""
    from matplotlib.transforms import ScaledTranslation

    steps = _sensitivity(result).timeline
    if not steps.dates:
        raise ValueError("nothing to draw: the case has no evidence")
    labels = [
        ("undated" if date == "start" else date) + f"\n+{len(added)} item" + ("s" if len(added) != 1 else "")
        for date, added in zip(steps.dates, steps.added)
    ]
    post = steps.posterior
    if show_prior:
        labels = ["prior", *labels]
        post = np.vstack([result.inputs.prior, post])
    t = np.arange(len(labels))
    hids = [result.hypotheses[j] for j in result.order]
    names = legend_labels(result, hids)
    width = min(12.0, max(8.0, 3.0 + 1.4 * len(t)))
    # inches, before the layout (the axes' default share of the figure): low guesses, so labels get room to spare
    pitch = (ax.figure.get_figwidth() * ax.get_position().width if ax is not None else 0.775 * width) / (len(t) + 0.9)
    ticks, rotation, tick_height = _date_ticks(labels, pitch, fontsize - 0.5)
    legend_height = np.ceil(len(names) / 2) * line_count(*names) * 1.2 * (fontsize - 0.5) / 72
    # taller when the date labels or the legend are: the plot keeps its height
    ax = new_axes(ax, figsize or (width, 5.2 + max(0.0, tick_height - 0.3) + max(0.0, legend_height - 0.45)))
    fig = ax.figure
    for j, hid, label in zip(result.order, hids, names):
        ax.plot(
            t,
            post[:, j],
            marker="o",
            markersize=5,
            lw=2.0 if j == result.order[0] else 1.5,
            label=label,
            gid="hypothesis",
            zorder=3,
            **hypothesis_style(result, hid),
        )
    later = _hindsight_steps(result.case.as_of, steps.dates, int(show_prior))
    labelled = [(int(t[-1]), "", "left")]
    if later and later[0] > 0:  # centred over its point, unless that runs into the label of the last one
        x = later[0] - 1
        half = _text_inches(_leader_text(result, post[x], "headline: "), fontsize + 1)[0] / 2
        labelled.append((x, "headline: ", "center" if (t[-1] - x) * pitch > half + 0.15 else "right"))
    for x, prefix, ha in labelled:
        _label_leader(ax, result, x, post[x], prefix, ha, fontsize)
    around = 0.35 + tick_height + 0.45 + legend_height + 0.3  # title, dates, axis label, legend, margins
    axes_height = max(1.5, fig.get_figheight() - around)
    right, top = _timeline_limits(result, t, post, later, labelled, pitch, axes_height, fontsize)
    if show_prior:
        ax.axvspan(-0.5, 0.5, color="0.95", zorder=0, lw=0)
    if later:
        _mark_hindsight(ax, result.case.as_of, later, right, fontsize)
    ax.set_xticks(t, ticks, fontsize=fontsize - 0.5, rotation=rotation)
    ax.set_xlim(-0.3, right)
    ax.set_ylim(0, top)
    percent_axis(ax.yaxis)
    ax.set_ylabel("probability of the hypothesis", fontsize=fontsize)
    ax.set_xlabel("evidence date: each point is the assessment with every item up to that date", fontsize=fontsize)
    ax.tick_params(axis="y", labelsize=fontsize - 1)
    ax.grid(axis="y", color="0.9", zorder=0)
    strip(ax)
    # below the date labels and the axis label, however tall they are
    below = ax.transAxes + ScaledTranslation(0, -(tick_height + 1.2 * fontsize / 72 + 0.25), fig.dpi_scale_trans)
    fit_legend(
        lambda n: ax.legend(
            loc="upper center",
            bbox_to_anchor=(0.5, 0),
            bbox_transform=below,
            ncol=n,
            frameon=False,
            fontsize=fontsize - 0.5,
        ),
        2,
        fig.get_figwidth() - 1.0,
    )
    ax.set_title(
        title or "How the assessment changed as the evidence came in",
        loc="left",
        fontsize=fontsize + 3,
        fontweight="bold",
    )
    return ax
