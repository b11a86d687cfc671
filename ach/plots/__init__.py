"""Figures of a :class:`~ach.result.Result`, drawn with matplotlib.

Every figure follows the ArviZ pattern ``plot_x(result, *, ax=None, **style)
-> Axes``: it only *reads* the result (no posterior is computed here, and the
rows shown are the Result's own selections), draws on ``ax`` or on a new
figure sized for the case, and returns what it drew on.

    plot_posterior(result)          exact posterior, 90 % intervals, robustness range
    plot_evidence_matrix(result)    weight of evidence of every item, grouped by source
    plot_top_items(result)          the items that moved the result most
    plot_heuer_vs_bayes(result)     classic inconsistency score beside the posterior
    plot_leave_one_out(result)      how the leader's probability moves without each item / source
    plot_tornado(result)            each uncertain input swung across its 5-95 % interval
    plot_reliability_sweeps(result) posterior against one source's reliability, 0 to 1
    plot_deception(result)          posterior against an item's credibility (planted .. genuine)
    plot_timeline(result)           the assessment as it stood after each evidence date
    plot_robustness(result)         the two views of the uncertain inputs side by side (sampled results only)
    plot_collection(result)         candidate observations ranked by expected information gain

    FIGURES                         one record per figure: title, caption, when it is drawn
    available_figures(result)       the figures that have something to show for this result
    save_figures(result, folder)    those figures as PNG files
"""

from .collection import plot_collection
from .evidence import plot_evidence_matrix, plot_heuer_vs_bayes, plot_posterior, plot_top_items
from .figures import FIGURES, Figure, available_figures, figure, figure_png, figure_pngs, save_figures
from .robustness import plot_robustness
from .sensitivity import (
    plot_deception,
    plot_leave_one_out,
    plot_reliability_sweeps,
    plot_tornado,
)
from .timeline import plot_timeline

__all__ = [
    "FIGURES",
    "Figure",
    "available_figures",
    "figure",
    "figure_png",
    "figure_pngs",
    "plot_collection",
    "plot_deception",
    "plot_evidence_matrix",
    "plot_heuer_vs_bayes",
    "plot_leave_one_out",
    "plot_posterior",
    "plot_reliability_sweeps",
    "plot_robustness",
    "plot_timeline",
    "plot_top_items",
    "plot_tornado",
    "save_figures",
]
