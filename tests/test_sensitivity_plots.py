"""The sensitivity and collection figures: what was drawn, read back from the Axes."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.colors import to_hex

import ach
from ach import plots
from ach.case import Candidate
from ach.formatting import pct
from ach.plots import style
from ach.scales import Belief

ROOT = Path(__file__).resolve().parents[1]
K1 = ROOT / "cases" / "k1.yaml"
MINI = ROOT / "tests" / "data" / "mini.yaml"


@pytest.fixture(scope="module")
def k1():
    return ach.analyze(K1, sample=False)


@pytest.fixture(scope="module")
def k1_plain(k1):
    """K-1 with no candidate observations."""
    return ach.analyze(dataclasses.replace(k1.full_case, collection=()), sample=False)


def with_candidates(result):
    hyps = result.hypotheses
    rows = {
        "C1": ("The US releases the intercepts", [0.6, 0.2, 0.05, 0.05, 0.1]),
        "C2": ("ISIS claims the attack in al-Naba", [0.02, 0.02, 0.4, 0.05, 0.05]),
        "C3": ("Police find a safe house", [0.3, 0.3, 0.35, 0.3, 0.3]),
    }
    candidates = tuple(
        Candidate(cid, text, {h: Belief(v) for h, v in zip(hyps, values)}) for cid, (text, values) in rows.items()
    )
    return ach.analyze(dataclasses.replace(result.full_case, collection=candidates), sample=False)


@pytest.fixture(scope="module")
def k1_candidates(k1):
    return with_candidates(k1)


@pytest.fixture(scope="module")
def sampled():
    return ach.analyze(MINI, seed=1, progress=False)


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def texts(ax, gid):
    return [t for t in ax.texts if t.get_gid() == gid]


def lines(ax, gid):
    return [line for line in ax.lines if line.get_gid() == gid]


def labels(ax):
    return [t.get_text() for t in ax.get_yticklabels()]


# -- leave one out ---------------------------------------------------------------------
def test_leave_one_out_bars_are_the_largest_changes_of_the_leader(k1):
    ax = plots.plot_leave_one_out(k1)
    s = k1.sensitivity
    lead = int(k1.order[0])
    changes = np.r_[s.loo.items[:, lead], s.loo.sources[:, lead]] - k1.posterior[lead]
    bars = ax.containers[0]
    assert len(bars) == min(15, len(changes))
    widths = np.array([b.get_width() for b in bars])
    rows = k1.loo_table(15)  # the largest moves, every linchpin among them
    np.testing.assert_allclose(widths, [100 * r.change for r in rows])
    pins = {r.id for r in rows if r.linchpin}
    assert len(pins) == len(s.loo.item_linchpins) + len(s.loo.source_linchpins)
    others = [abs(100 * r.change) for r in rows if not r.linchpin]
    left_out = sorted(np.abs(100 * changes))[: len(changes) - len(rows)]
    assert not left_out or min(others, default=np.inf) >= max(left_out) - 1e-9
    assert np.all(np.diff(np.abs(widths)) <= 1e-9)  # largest first
    assert "P(KH)" in ax.get_xaxis().get_label().get_text()


def test_leave_one_out_highlights_and_labels_every_linchpin(k1):
    ax = plots.plot_leave_one_out(k1)
    s = k1.sensitivity
    pins = [s.items[i] for i in s.loo.item_linchpins] + [f"source {s.sources[k]}" for k in s.loo.source_linchpins]
    assert pins  # K-1 rests on the US government's items
    ticks = labels(ax)
    red = [t for t, bar in zip(ticks, ax.containers[0]) if to_hex(bar.get_facecolor()) == style.VERMILLION.lower()]
    assert sorted(t.split(":")[0].split("  ")[0] for t in red) == sorted(pins)
    notes = [t.get_text() for t in texts(ax, "linchpin")]
    assert len(notes) == len(pins) and all(n.startswith("ISIS would lead") for n in notes)
    bold = [t.get_text() for t in ax.get_yticklabels() if t.get_fontweight() == "bold"]
    assert bold and all(b.startswith("source ") for b in bold)


def test_leave_one_out_without_linchpins_has_no_highlight(sampled):
    ax = plots.plot_leave_one_out(sampled)
    assert not texts(ax, "linchpin")
    assert len(ax.containers[0]) == len(sampled.inputs.items) + len(sampled.inputs.sources)
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["KID still leads without it"]


# -- tornado ------------------------------------------------------------------------------
def test_tornado_draws_the_longest_swings_around_the_exact_probability(k1):
    ax = plots.plot_tornado(k1)
    swings = k1.sensitivity.tornado[:15]
    p0 = k1.posterior[int(k1.order[0])]
    low, high = ax.containers
    assert len(low) == len(high) == min(15, len(k1.sensitivity.tornado))
    assert labels(ax) == [w.label for w in swings]
    np.testing.assert_allclose([b.get_x() for b in low], p0)
    np.testing.assert_allclose([b.get_x() + b.get_width() for b in low], [w.p_low for w in swings])
    np.testing.assert_allclose([b.get_x() + b.get_width() for b in high], [w.p_high for w in swings])
    assert to_hex(low[0].get_facecolor()) != to_hex(high[0].get_facecolor())
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend[:2] == ["input at its 5 % point", "input at its 95 % point"]
    assert any(np.allclose(line.get_xdata(), p0) for line in ax.lines)  # the exact P(leader)
    # the input's value is written at both ends of each bar
    assert len(texts(ax, "input")) == 2 * len(swings)
    assert texts(ax, "input")[0].get_text() == pct(swings[0].low)  # a prior, in percent


def test_tornado_shows_all_swings_when_fewer_than_fifteen(sampled):
    ax = plots.plot_tornado(sampled)
    assert len(ax.containers[0]) == min(15, len(sampled.sensitivity.tornado))


# -- sweeps --------------------------------------------------------------------------------
def test_reliability_sweeps_one_panel_per_source_one_line_per_hypothesis(k1):
    axes = plots.plot_reliability_sweeps(k1)
    sweeps = k1.sensitivity.sweeps
    assert len(axes) == len(sweeps)
    colors = {}
    for ax, (sid, curve) in zip(axes, sweeps.items()):
        grid, post = curve.grid, curve.posterior
        hyp_lines = lines(ax, "hypothesis")
        assert len(hyp_lines) == len(k1.hypotheses)
        for line in hyp_lines:
            j = k1.hypotheses.index(line.get_label())
            np.testing.assert_allclose(line.get_ydata(), post[:, j])
            np.testing.assert_allclose(line.get_xdata(), grid)
            colors.setdefault(line.get_label(), set()).add(to_hex(line.get_color()))
        (current,) = lines(ax, "current")
        np.testing.assert_allclose(current.get_xdata(), k1.inputs.r[k1.inputs.sources.index(sid)])
        assert ax.get_title(loc="left").startswith(sid)
    # the same colour for a hypothesis in every panel, the leader blue
    assert all(len(c) == 1 for c in colors.values())
    assert colors["KH"] == {style.BLUE.lower()}
    legend = axes[0].figure.legends[0]
    assert len([t for t in legend.get_texts() if "(" in t.get_text()]) == len(k1.hypotheses)


def test_reliability_sweep_shades_where_another_hypothesis_leads(k1):
    axes = plots.plot_reliability_sweeps(k1)
    us = list(k1.sensitivity.sweeps).index("us-gov")
    assert [t.get_text() for t in texts(axes[us], "segment")] == ["ISIS leads"]
    assert [p for p in axes[us].patches if p.get_gid() == "other-leader"]


def test_deception_panels_mark_the_current_credibility(k1):
    axes = plots.plot_deception(k1)
    deception = k1.sensitivity.deception
    assert len(axes) == len(deception) == 3
    for ax, eid in zip(axes, deception):
        assert len(lines(ax, "hypothesis")) == len(k1.hypotheses)
        (current,) = lines(ax, "current")
        np.testing.assert_allclose(current.get_xdata(), k1.inputs.k[k1.inputs.items.index(eid)])
        assert "credibility" in ax.get_xlabel()


def test_sweeps_reject_too_few_axes(k1):
    with pytest.raises(ValueError, match="panels"):
        plots.plot_reliability_sweeps(k1, ax=[plt.subplots()[1]])


# -- timeline --------------------------------------------------------------------------------
def test_timeline_one_line_per_hypothesis_prior_first_then_each_date(k1):
    ax = plots.plot_timeline(k1)
    dates, post = k1.sensitivity.timeline.dates, k1.sensitivity.timeline.posterior
    hyp_lines = lines(ax, "hypothesis")
    assert len(hyp_lines) == len(k1.hypotheses)
    for line, j in zip(hyp_lines, k1.order):
        np.testing.assert_allclose(line.get_ydata(), np.r_[k1.inputs.prior[j], post[:, j]])
        assert line.get_marker() == "o"
    ticks = [t.get_text() for t in ax.get_xticklabels()]
    assert ticks[0] == "prior" and [t.split("\n")[0] for t in ticks[1:]] == list(dates)
    assert ticks[1].endswith("+27 items")
    end, headline = texts(ax, "leader")
    assert end.get_text() == f"KH {pct(post[-1, k1.hypotheses.index('KH')])}"
    # the headline is the assessment as of the case's date, before the hatched hindsight
    assert headline.get_text() == f"headline: KH {pct(k1.posterior[k1.hypotheses.index('KH')])}"
    (span,) = [p for p in ax.patches if p.get_gid() == "hindsight"]
    first_later = 1 + next(i for i, d in enumerate(dates) if d > str(k1.case.as_of))
    assert span.get_x() == pytest.approx(first_later - 0.5)


def test_timeline_without_later_reporting_has_no_hindsight(sampled):
    ax = plots.plot_timeline(sampled)
    assert len(texts(ax, "leader")) == 1
    assert not [p for p in ax.patches if p.get_gid() == "hindsight"]


def test_timeline_labels_undated_items(sampled):
    ax = plots.plot_timeline(sampled)
    ticks = [t.get_text() for t in ax.get_xticklabels()]
    assert ticks == ["prior", "undated\n+2 items", "2024-03-01\n+1 item"]


# -- robustness -------------------------------------------------------------------------------
def test_robustness_shows_both_pymc_views_side_by_side(sampled):
    axes = plots.plot_robustness(sampled)
    assert axes.shape == (2, 2)
    order = sampled.order
    for col, summary in enumerate((sampled.bayes.summary, sampled.forward)):
        (interval,) = [c for c in axes[0, col].collections if c.get_gid() == "interval"]
        ends = np.array([seg[:, 0] for seg in interval.get_segments()])
        np.testing.assert_allclose(ends, summary.hdi90[order])
        np.testing.assert_allclose([b.get_width() for b in axes[1, col].containers[0]], summary.p_leading[order])
    assert axes[0, 0].get_title(loc="left").startswith("Stratified posterior")
    assert axes[0, 1].get_title(loc="left").startswith("Forward draws")
    meanings = [t.get_text() for t in axes[0, 0].texts + axes[0, 1].texts if "posterior" in t.get_text()]
    assert "uncertainty about the posterior given the evidence" in meanings
    assert "robustness to our own judgments: not a posterior" in meanings


def test_robustness_needs_a_sampled_result(k1):
    with pytest.raises(ValueError, match="sampled"):
        plots.plot_robustness(k1)


# -- collection ------------------------------------------------------------------------------
def test_collection_ranks_candidates_by_information_gain(k1_candidates):
    left, right = plots.plot_collection(k1_candidates)
    values = k1_candidates.collection
    bits = [b.get_width() for b in left.containers[0]]
    assert len(bits) == len(values) == 3
    np.testing.assert_allclose(bits, [v.info_gain for v in values])
    assert bits == sorted(bits, reverse=True)
    np.testing.assert_allclose([b.get_width() for b in right.containers[0]], [100 * v.probability_gain for v in values])
    ticks = labels(left)
    assert [t.split()[0] for t in ticks] == [v.id for v in values]
    assert all("observed with p =" in t for t in ticks)
    assert "information gain" in left.get_title(loc="left") and "probability gain" in right.get_title(loc="left")


def test_collection_is_not_drawn_without_candidates(k1_plain):
    assert k1_plain.collection == []
    with pytest.raises(ValueError, match="no candidate"):
        plots.plot_collection(k1_plain)


# -- which figures -----------------------------------------------------------------------------
def test_available_figures_skip_what_has_nothing_to_show(k1_plain, k1_candidates, sampled):
    assert "robustness" not in plots.available_figures(k1_plain)  # not sampled
    assert "collection" not in plots.available_figures(k1_plain)
    assert "collection" in plots.available_figures(k1_candidates)
    assert "robustness" in plots.available_figures(sampled)
    no_deception = dataclasses.replace(k1_plain, sensitivity=dataclasses.replace(k1_plain.sensitivity, deception={}))
    assert "deception" not in plots.available_figures(no_deception)
    one_date = dataclasses.replace(
        k1_plain.sensitivity, timeline=dataclasses.replace(k1_plain.sensitivity.timeline, dates=["start"])
    )
    assert "timeline" not in plots.available_figures(dataclasses.replace(k1_plain, sensitivity=one_date))


def test_save_figures_writes_the_available_figures(k1_candidates, tmp_path):
    paths = plots.save_figures(k1_candidates, tmp_path)
    assert tuple(paths) == plots.available_figures(k1_candidates)
    assert {"leave_one_out", "tornado", "reliability_sweeps", "deception", "timeline", "collection"} <= set(paths)
    for path in paths.values():
        assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert not plt.get_fignums()
