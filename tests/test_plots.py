"""The figures: headless, each test closes its figures, and asserts on what was drawn."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.colors import to_hex

import ach
from ach import plots
from ach.formatting import db
from ach.plots import style

MINI = Path(__file__).resolve().parent / "data" / "mini.yaml"


@pytest.fixture(scope="module")
def sampled():
    return ach.analyze(MINI, seed=1, progress=False)


@pytest.fixture(scope="module")
def exact():
    return ach.analyze(MINI, sample=False)


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def synthetic_case(n_items: int, n_sources: int = 4, zero: bool = False, seed: int = 0):
    """A case of ``n_items`` items over three hypotheses, spread over sources."""
    rng = np.random.default_rng(seed)
    lines = [
        "title: Synthetic",
        "question: Which one?",
        "hypotheses:",
        "  - {id: A, title: Alpha}",
        "  - {id: B, title: Beta}",
        "  - {id: C, title: Something else entirely, catch_all: true}",
        "sources:",
    ]
    lines += [f"  - {{id: s{s}, title: Source number {s}, reliability: 0.{5 + s % 4}}}" for s in range(n_sources)]
    lines.append("evidence:")
    for i in range(n_items):
        a, b, c = rng.uniform(0.05, 0.95, 3).round(2)
        source = f", source: s{i % n_sources}"
        if zero and i == 0:  # its own, fully reliable source: a 0 rules C out
            c, source = 0, ""
        lines.append(
            f"  - {{id: X{i:03d}, text: Synthetic item number {i} with a fairly long description"
            f"{source}, likelihood: {{A: {a}, B: {b}, C: {c}}}}}"
        )
    return ach.loads("\n".join(lines) + "\n")


def texts(ax, gid):
    return [t for t in ax.texts if t.get_gid() == gid]


def tick_texts(ax, axis="y"):
    labels = ax.get_yticklabels() if axis == "y" else ax.get_xticklabels()
    return [t.get_text() for t in labels]


# -- posterior -------------------------------------------------------------------
def test_posterior_bars_follow_the_exact_posterior_most_probable_first(sampled):
    ax = plots.plot_posterior(sampled)
    bars = ax.containers[0]
    order = sampled.order
    assert len(bars) == len(sampled.hypotheses)
    np.testing.assert_allclose([b.get_width() for b in bars], sampled.posterior[order])
    titles = [sampled.case.hypothesis(sampled.hypotheses[j]).title for j in order]
    labels = tick_texts(ax)
    assert [label.replace("\n", " ") for label in labels] == [
        f"{t} ({sampled.hypotheses[j]})" for t, j in zip(titles, order)
    ]
    assert labels[0].startswith("The child")  # KID leads the mini case


def test_posterior_labels_each_bar_with_its_percent(sampled):
    ax = plots.plot_posterior(sampled)
    values = [t.get_text() for t in texts(ax, "value")]
    assert values == ["80 %", "15 %", "6 %"]


def test_posterior_legend_names_the_three_quantities_when_sampled(sampled):
    ax = plots.plot_posterior(sampled)
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend == [
        "exact posterior",
        "90 % interval (posterior of inputs)",
        "90 % range if inputs vary (robustness)",
    ]
    # the robustness range is drawn as its own dashed line, one segment per hypothesis
    dashed = [c for c in ax.collections if c.get_linestyle()[0][1] is not None]
    assert len(dashed) == 1 and len(dashed[0].get_segments()) == len(sampled.hypotheses)
    seg = np.array([s[:, 0] for s in dashed[0].get_segments()])
    np.testing.assert_allclose(seg, sampled.forward.hdi90[sampled.order])


def test_posterior_without_sampling_draws_bars_only(exact):
    ax = plots.plot_posterior(exact)
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["exact posterior"]
    assert not ax.collections  # no whiskers, no robustness lines
    assert len(ax.containers[0]) == 3


def test_plots_draw_on_a_given_axes(sampled):
    fig, ax = plt.subplots()
    assert plots.plot_posterior(sampled, ax=ax) is ax
    assert plots.plot_top_items(sampled, ax=plt.subplots()[1]).figure is not fig


# -- evidence matrix -------------------------------------------------------------
def test_evidence_matrix_is_items_by_hypotheses_grouped_by_source(sampled):
    ax = plots.plot_evidence_matrix(sampled)
    image = ax.images[0]
    assert image.get_array().shape == sampled.item_woe.shape
    # rows grouped by source (kid: E2; crumbs: E1, E3), columns most probable first
    assert [label.split()[0] for label in tick_texts(ax)] == ["E2", "E1", "E3"]
    assert [label.replace("\n", " ") for label in tick_texts(ax, "x")] == [
        "The child (KID)",
        "Someone else (OTHER)",
        "The dog (DOG)",
    ]
    expected = sampled.item_woe[np.ix_([1, 0, 2], sampled.order)]
    np.testing.assert_allclose(image.get_array(), expected)


def test_evidence_matrix_colour_limits_are_symmetric_around_zero(sampled):
    ax = plots.plot_evidence_matrix(sampled)
    lo, hi = ax.images[0].get_clim()
    assert lo == -hi and hi == pytest.approx(np.abs(sampled.item_woe).max())
    assert ax.colorbar.ax.get_xlabel().startswith("weight of evidence (dB)")


def test_evidence_matrix_annotates_every_cell_when_small(sampled):
    ax = plots.plot_evidence_matrix(sampled)
    cells = texts(ax, "woe")
    assert len(cells) == sampled.item_woe.size
    assert "−10.4" in [t.get_text() for t in cells]  # E3 against the dog
    assert not texts(plots.plot_evidence_matrix(sampled, annotate=False), "woe")


def test_evidence_matrix_names_the_sources_and_separates_them(sampled):
    ax = plots.plot_evidence_matrix(sampled)
    secondary = [c for c in ax.child_axes if c.get_yticklabels()]
    names = [t.get_text() for t in secondary[0].get_yticklabels()]
    assert names == ["The child's own account", "Physical traces"]
    separators = [line for line in ax.lines if np.allclose(line.get_ydata(), 0.5)]
    assert len(separators) == 1  # one line between the two groups


def test_evidence_matrix_grows_with_items_and_stops_annotating_when_large():
    small = ach.analyze(synthetic_case(12), sample=False)
    large = ach.analyze(synthetic_case(240), sample=False)
    ax_small = plots.plot_evidence_matrix(small)
    ax_large = plots.plot_evidence_matrix(large)
    assert ax_large.figure.get_figheight() > ax_small.figure.get_figheight()
    assert len(texts(ax_small, "woe")) == 36
    assert not texts(ax_large, "woe")  # 720 cells: colour only
    assert ax_large.images[0].get_array().shape == (240, 3)


def test_evidence_matrix_survives_an_infinite_weight():
    result = ach.analyze(synthetic_case(6, zero=True), sample=False)
    assert np.isinf(result.item_woe).any()
    ax = plots.plot_evidence_matrix(result)
    lo, hi = ax.images[0].get_clim()
    assert np.isfinite(hi) and lo == -hi
    assert "−∞" in [t.get_text() for t in texts(ax, "woe")]


# -- top items -----------------------------------------------------------------------
def test_top_items_shows_at_most_ten_largest_first_coloured_by_sign():
    result = ach.analyze(synthetic_case(25), sample=False)
    ax = plots.plot_top_items(result)
    bars = ax.containers[0]
    assert len(bars) == 10
    widths = np.array([b.get_width() for b in bars])
    assert np.all(np.diff(np.abs(widths)) <= 1e-12)  # largest magnitude at the top
    lead = int(result.order[0])
    top = np.sort(np.abs(result.item_woe[:, lead]))[::-1][:10]
    np.testing.assert_allclose(np.abs(widths), top)
    for bar, width in zip(bars, widths):
        assert to_hex(bar.get_facecolor()) == (style.BLUE if width >= 0 else style.VERMILLION).lower()
    labels = tick_texts(ax)
    assert all(label.startswith("X") and "Synthetic item" in label for label in labels)


def test_top_items_on_the_mini_case(sampled):
    ax = plots.plot_top_items(sampled)
    assert len(ax.containers[0]) == 3
    assert [label.split()[0] for label in tick_texts(ax)] == ["E3", "E1", "E2"]
    assert [t.get_text() for t in texts(ax, "value")] == ["+3.6 dB", "−1.2 dB", "+0.8 dB"]
    assert {t.get_text() for t in ax.get_legend().get_texts()} == {"supports KID", "against KID"}


# -- classic vs Bayes --------------------------------------------------------------------
def test_heuer_vs_bayes_two_panels_share_the_hypothesis_axis(sampled):
    left, right = plots.plot_heuer_vs_bayes(sampled)
    order = sampled.order
    np.testing.assert_allclose([b.get_width() for b in left.containers[0]], sampled.heuer.weighted_inconsistency[order])
    np.testing.assert_allclose([b.get_width() for b in right.containers[0]], sampled.posterior[order])
    assert left.get_shared_y_axes().joined(left, right)
    assert "lower is better" in left.get_title(loc="left")
    assert "higher is better" in right.get_title(loc="left")
    assert [label.split(" (")[0] for label in tick_texts(left)] == ["The child", "Someone else", "The dog"]
    marked = [t.get_text() for t in texts(left, "value") if "least" in t.get_text()]
    assert len(marked) == 2  # KID and OTHER tie for the least inconsistent


def test_heuer_vs_bayes_rejects_a_single_axes(sampled):
    with pytest.raises(ValueError, match="pair of Axes"):
        plots.plot_heuer_vs_bayes(sampled, ax=plt.subplots()[1])


# -- files ------------------------------------------------------------------------------
def test_save_figures_writes_pngs_and_closes_them(sampled, tmp_path):
    before = set(plt.get_fignums())
    paths = plots.save_figures(sampled, tmp_path / "figs")
    # the mini case has no candidates to collect: every other figure has something to show
    assert (
        tuple(paths)
        == plots.available_figures(sampled)
        == tuple(f.name for f in plots.FIGURES if f.name != "collection")
    )
    for name, path in paths.items():
        assert path == tmp_path / "figs" / f"{name}.png"
        assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert sorted(p.name for p in (tmp_path / "figs").iterdir()) == sorted(f"{n}.png" for n in paths)
    assert set(plt.get_fignums()) == before


def test_save_figures_writes_only_the_figures_asked_for(exact, tmp_path):
    paths = plots.save_figures(exact, tmp_path, names=("posterior", "tornado"))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["posterior.png", "tornado.png"]
    assert set(paths) == {"posterior", "tornado"}


def test_format_db_has_no_signed_zero():
    assert [db(v) for v in (2.46, -1.04, -0.01, 0.0, np.inf, -np.inf, np.nan)] == [
        "+2.5",
        "−1.0",
        "0.0",
        "0.0",
        "+∞",
        "−∞",
        "–",
    ]


def test_figures_drawn_in_forked_processes_are_the_same_bytes(exact):
    """The ach command draws a report's figures on every core: the same PNG, byte for byte."""
    names = plots.available_figures(exact)[:4]
    assert plots.figure_pngs(exact, names, dpi=60, workers=2) == plots.figure_pngs(exact, names, dpi=60, workers=1)
