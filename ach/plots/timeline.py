"""The timeline: the assessment as it stood after each evidence date, hindsight marked."""

from __future__ import annotations

import numpy as np

from ..formatting import pct
from .labels import line_count
from .sensitivity import legend_labels, sensitivity_of
from .style import (
    fit_legend,
    hypothesis_style,
    new_axes,
    percent_axis,
    strip,
)

__all__ = ["plot_timeline"]


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

    steps = sensitivity_of(result).timeline
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
