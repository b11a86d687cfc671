"""The figure registry: one record per figure, with its title, its caption and when it is drawn.

The report numbers the figures in this order and prints each one's title and
caption; a new figure is one ``Figure`` here and its ``plot_x`` function.
Captions describe what the figure draws, so they live beside the drawing.
"""

from __future__ import annotations

import io
import multiprocessing
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..files import write_atomic
from ..formatting import pct
from .collection import plot_collection
from .evidence import plot_evidence_matrix, plot_heuer_vs_bayes, plot_posterior, plot_top_items
from .robustness import plot_robustness
from .sensitivity import (
    TOP_SENSITIVITY,
    plot_deception,
    plot_leave_one_out,
    plot_reliability_sweeps,
    plot_tornado,
)
from .style import pyplot
from .timeline import plot_timeline

__all__ = ["FIGURES", "Figure", "available_figures", "figure", "figure_png", "figure_pngs", "save_figures"]


@dataclass(frozen=True)
class Figure:
    name: str
    title: str
    plot: Callable  # plot_x(result) -> Axes (or an array of them)
    caption: Callable[[object], str]  # caption(result)
    available: Callable[[object], bool]  # whether the result has something to show
    main: bool = False  # shown in the report's Figures section (the others beside their section)


def _posterior_caption(r) -> str:
    text = "Bars: the exact probability of each hypothesis given all the evidence, most probable first. "
    if r.bayes is None:
        return text + "No uncertainty was computed for this report, so no intervals are drawn."
    return text + (
        "Black whiskers: the 90 % interval of that probability when the uncertain inputs are themselves "
        f"inferred from the evidence (stratified {r.bayes.engine}). Dashed vermillion (red-orange) line: the 90 % range the answer "
        "could take if the analysts' judgments were off within their stated uncertainty; a robustness "
        "range, not a posterior. Long whiskers or dashed lines that cross the neighbouring bar mean the "
        "ranking is fragile."
    )


EVIDENCE_MATRIX = (
    "Each cell is the weight of evidence of one item, taken alone, for one hypothesis against the "
    "others, in decibans (dB): +10 dB multiplies the odds by 10, +3 dB roughly doubles them, 0 dB "
    "leaves them unchanged. Blue supports the hypothesis, red counts against it, white is neutral. "
    "Rows are grouped by source (titles on the right); columns are hypotheses, most probable first. "
    "Each weight already includes the source's reliability and the item's credibility. Items of "
    "one source stand or fall together, so their weights do not simply add: see the source-level "
    "weights in the Sources table."
)
HEUER_VS_BAYES = (
    "Left: the classic ACH score (Heuer), the weighted count of evidence inconsistent with each "
    "hypothesis; lower is better. It ignores evidence in favour and how diagnostic an item is. "
    "Right: the exact Bayesian posterior; higher is better. Same hypothesis order in both panels "
    "(most probable first), so a mismatch shows at a glance."
)
DECEPTION = (
    "For each item whose 'if false' likelihoods differ between hypotheses (a report that one side could "
    "plant or fabricate), its credibility runs from 0 (certainly not genuine: planted, fabricated or "
    "mistaken) to 1 (certainly genuine); the panels show each hypothesis's probability. The dotted line is "
    "the credibility given in the case."
)
TIMELINE = (
    "The probability of each hypothesis as the assessment would have stood after each evidence date, "
    "counting only the items dated up to then (undated items count from the start). The first point is "
    "the prior, before any evidence. Items dated after the case's own date are hindsight."
)
ROBUSTNESS = (
    "Left: the stratified posterior, the uncertainty about the posterior given the evidence when the "
    "uncertain inputs are themselves inferred from it. Right: the forward draws, where the answer could "
    "land if our own judgments were off within their stated uncertainty; a robustness display, not a "
    "posterior. Top: 90 % intervals, the dot being the exact posterior. Bottom: rank stability, the share "
    "of draws in which each hypothesis is the most probable."
)
COLLECTION = (
    "The candidate observations listed in the case, most informative first. Left: the expected "
    "information gain, how far looking for it is expected to reduce the uncertainty about which "
    "hypothesis is true (bits; 1 bit settles an even choice between two). Right: the expected rise in "
    "the probability of the best answer, in percentage points. The label gives the probability that the "
    "observation is made, given the evidence so far."
)


def _top_items_caption(r) -> str:
    return (
        f"The items with the largest weight of evidence, either way, for {r.reference_phrase} "
        f"against the others. Blue bars raise its probability, vermillion (red-orange) bars lower it; the length is the "
        f"weight in decibans."
    )


def _leave_one_out_caption(r) -> str:
    return (
        f"How the probability of {r.reference_phrase} changes, in percentage points, when one "
        f"item (or one whole source, in bold) is taken out and everything else is kept as rated. The "
        f"{TOP_SENSITIVITY} largest changes are shown. Vermillion bars are linchpins: without them alone "
        f"another hypothesis would lead (named beside the bar)."
    )


def _tornado_caption(r) -> str:
    lead = r.reference
    return (
        f"Each uncertain input (a likelihood, a credibility, a reliability or a prior) is set to the 5 % point "
        f"(orange) and to the 95 % point (blue) of its stated uncertainty, the others held at their means; the "
        f"bars show where P({lead}) then lands, longest first. The number at each end is the input's value "
        f"there; the vertical line is the exact P({lead}) = {pct(r.posterior[r.order[0]])}. One input at a "
        f"time: inputs moving together can go further (see the forward draws)."
    )


def _sweeps_caption(r) -> str:
    return (
        "Each panel takes one of the most influential sources and runs its reliability from 0 (its reports "
        "are noise) to 1 (they are always genuine), every other input as rated, and shows each hypothesis's "
        "probability. The dotted line is the reliability given in the case; grey shading marks the range "
        f"where a hypothesis other than {r.reference} would lead. Same colours for the hypotheses in every figure."
    )


def _always(_r) -> bool:
    return True


def _text(text: str) -> Callable[[object], str]:
    return lambda _r: text


FIGURES: tuple[Figure, ...] = (
    Figure("posterior", "Probability of each hypothesis", plot_posterior, _posterior_caption, _always, True),
    Figure(
        "evidence_matrix",
        "Weight of evidence of every item",
        plot_evidence_matrix,
        _text(EVIDENCE_MATRIX),
        _always,
        True,
    ),
    Figure("top_items", "The items that moved the result most", plot_top_items, _top_items_caption, _always, True),
    Figure("heuer_vs_bayes", "Classic ACH beside Bayes", plot_heuer_vs_bayes, _text(HEUER_VS_BAYES), _always, True),
    Figure(
        "leave_one_out",
        "Leave one out",
        plot_leave_one_out,
        _leave_one_out_caption,
        lambda r: len(r.sensitivity.items) > 0,
    ),
    Figure(
        "tornado",
        "Tornado of the uncertain inputs",
        plot_tornado,
        _tornado_caption,
        lambda r: len(r.sensitivity.tornado) > 0,
    ),
    Figure(
        "reliability_sweeps",
        "Reliability sweeps",
        plot_reliability_sweeps,
        _sweeps_caption,
        lambda r: len(r.sensitivity.sweeps) > 0,
    ),
    Figure(
        "deception", "Deception scenarios", plot_deception, _text(DECEPTION), lambda r: len(r.sensitivity.deception) > 0
    ),
    Figure(
        "timeline",
        "The assessment over time",
        plot_timeline,
        _text(TIMELINE),
        lambda r: len(r.sensitivity.timeline.dates) >= 2,
    ),
    Figure(
        "robustness",
        "Robustness: two views",
        plot_robustness,
        _text(ROBUSTNESS),
        lambda r: r.bayes is not None and r.forward is not None,
    ),
    Figure("collection", "What to collect next", plot_collection, _text(COLLECTION), lambda r: len(r.collection) > 0),
)
_BY_NAME = {f.name: f for f in FIGURES}


def figure(name: str) -> Figure:
    return _BY_NAME[name]


def available_figures(result) -> tuple[str, ...]:
    """The figures that have something to show for ``result``, in the report's order.

    Left out: the deception figure when no item has a per-hypothesis
    ``if_false``; the timeline with fewer than two dates; the robustness figure
    when the result was not sampled; the collection figure when the case lists
    no candidates.
    """
    return tuple(f.name for f in FIGURES if f.available(result))


def figure_png(result, name: str, dpi: int = 150) -> bytes:
    """One figure as PNG bytes (no timestamp or software in its metadata); the figure is closed afterwards."""
    plt = pyplot()
    drawn = _BY_NAME[name].plot(result)
    fig = np.ravel(drawn)[0].figure
    try:
        buffer = io.BytesIO()
        fig.savefig(buffer, format="png", dpi=dpi, facecolor="white", metadata={"Software": None})
        return buffer.getvalue()
    finally:
        plt.close(fig)


def figure_pngs(result, names, dpi: int = 150, workers: int = 1) -> dict[str, bytes]:
    """Several figures as PNG bytes, ``{name: png}``.

    ``workers > 1`` draws them in that many processes forked from this one (a
    figure is independent of the others, and matplotlib draws one at a time
    in a process); the bytes are the same either way. Where a process cannot
    be forked, or the pool breaks, they are drawn here."""
    names = tuple(names)
    if workers > 1 and len(names) > 1 and "fork" in multiprocessing.get_all_start_methods():
        global _SHARED
        _SHARED = (result, dpi)  # the children see it by being forked: nothing is pickled but the names
        try:
            context = multiprocessing.get_context("fork")
            with ProcessPoolExecutor(max_workers=min(workers, len(names)), mp_context=context) as pool:
                return dict(zip(names, pool.map(_forked_png, names)))
        except (BrokenProcessPool, OSError):
            pass
        finally:
            _SHARED = None
    return {name: figure_png(result, name, dpi) for name in names}


_SHARED = None  # (result, dpi) while forked processes draw


def _forked_png(name: str) -> bytes:
    result, dpi = _SHARED
    return figure_png(result, name, dpi)


def save_figures(result, folder, *, dpi: int = 150, names=None) -> dict[str, Path]:
    """Write each figure as ``folder/<name>.png``; returns ``{name: path}``.

    ``names``: which figures; by default every one that has something to show
    (:func:`available_figures`)."""
    folder = Path(folder)
    names = available_figures(result) if names is None else names
    return {name: write_atomic(folder / f"{name}.png", figure_png(result, name, dpi)) for name in names}
