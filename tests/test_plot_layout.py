"""Figure layout: with long titles and many items, no two texts overprint and nothing is cut.

Every figure the report draws (:data:`ach.plots.FIGURES`, through the same
``plot`` functions) is drawn for the K-1 case as it stands and for K-1 with
descriptive titles of 60-90 characters and 40 items. After a full draw, the
window extent of every text actually drawn (tick labels, titles, axis labels,
legend texts, annotations) must lie inside the figure, overlap no other text,
and be set in at least ``MIN_FONT`` points.
"""

from __future__ import annotations

import datetime
import itertools
import re
from pathlib import Path
from unittest import mock

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.text import Text

import ach
from ach.plots import FIGURES, available_figures

K1 = Path(__file__).resolve().parents[1] / "cases" / "k1.yaml"
MIN_FONT = 7.0  # points: below this a printed figure is not readable
TOLERANCE = 0.5  # pixels: boxes that only touch do not overlap

HYPOTHESIS_TITLES = {
    "Kataib Hezbollah": "Kataib Hezbollah, directly or through a front group acting on its orders",
    "Another Iran-aligned militia or PMF faction": (
        "Another Iran-aligned militia or PMF faction acting without Kataib Hezbollah's knowledge"
    ),
    "The Islamic State": "The Islamic State (Daesh), through one of its cells active in southwest Kirkuk",
    "Baathist or other Sunni insurgents": "Baathist remnants or another Sunni insurgent group other than the Islamic State",
    "Another actor": "Another actor, such as a criminal or tribal group, a hired crew, or a third-party false flag",
}
SOURCE_TITLES = {
    "Iraqi federal police and army officers at K-1": (
        "Iraqi federal police intelligence and army officers stationed at K-1 air base near Kirkuk"
    ),
    "Ali Farhan, farmer and mayor of Neptis": "Ali Farhan, a farmer and the mayor of Neptis, one mile from the launch site",
    "Kataib Hezbollah spokesman Muhammad Muhi": "Muhammad Muhi, the official spokesman of Kataib Hezbollah in Baghdad",
}
EXTRA_SOURCE = """\
  - id: regional-press-agency
    title: A regional press agency quoting unnamed provincial officials and tribal elders in Kirkuk
    reliability: D
"""


def long_titles_case(n_items: int = 40, spread_dates: bool = False) -> ach.Case:
    """K-1 with descriptive titles of 60-90 characters, one more source and ``n_items`` items in all;
    with ``spread_dates``, each of K-1's items dated on a day of its own (a timeline of some 30 dates)."""
    text = K1.read_text(encoding="utf-8")
    if spread_dates:
        days = itertools.count()
        start = datetime.date(2019, 12, 28)
        text = re.sub(
            r"^    date: 2020-02-06$",
            lambda _: f"    date: {start + datetime.timedelta(days=next(days))}",
            text,
            flags=re.M,
        )
    for old, new in {**HYPOTHESIS_TITLES, **SOURCE_TITLES}.items():
        text, n = re.subn(rf"^(    title: ){re.escape(old)}$", rf"\g<1>{new}", text, flags=re.M)
        assert n == 1, old
    text = text.replace("\nevidence:\n", "\n" + EXTRA_SOURCE + "\nevidence:\n", 1)
    existing = len(re.findall(r"^  - id: E\d+$", text, flags=re.M))
    rng = np.random.default_rng(8)
    extra = []
    for i in range(existing + 1, n_items + 1):
        kh, iam, isis, sunni, other = rng.uniform(0.1, 0.9, 5).round(2)
        extra.append(
            f"  - id: E{i:02d}\n"
            f"    text: Provincial officials quoted by the agency say that tribal elders near Neptis saw item {i} "
            "being prepared in the days before the attack, though none would say by whom\n"
            f"    source: regional-press-agency\n"
            f"    date: 2020-01-{1 + i % 28:02d}\n"
            f"    likelihood: {{KH: {kh}, IAM: {iam}, ISIS: {isis}, SUNNI: {sunni}, OTHER: {other}}}\n"
        )
    text = text.replace("\ncollection:\n", "\n" + "".join(extra) + "\ncollection:\n", 1)
    case = ach.loads(text, path="k1-long-titles.yaml")
    assert len(case.evidence) == n_items
    assert all(len(h.title) >= 60 for h in case.hypotheses)
    return case


@pytest.fixture(scope="module")
def k1():
    return ach.analyze(K1, sample=True, sampler="exact", draws=400, seed=3, progress=False)


@pytest.fixture(scope="module")
def long_titles():
    return ach.analyze(long_titles_case(), sample=True, sampler="exact", draws=400, seed=3, progress=False)


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def draw(result, name: str):
    """The figure the report draws for ``name``: the registry's plot function, on a new figure."""
    (spec,) = [f for f in FIGURES if f.name == name]
    return np.ravel(spec.plot(result))[0].figure


def drawn_texts(fig) -> list[tuple[Text, object]]:
    """Every text a full draw of ``fig`` puts on the canvas, with its window extent.

    Recorded as the texts are drawn, so tick labels outside the view, texts of
    hidden axes and empty or invisible texts are left out, as on the page."""
    seen: list[Text] = []
    original = Text.draw

    def record(self, renderer):
        if self.get_visible() and self.get_text().strip():
            seen.append(self)
        return original(self, renderer)

    with mock.patch.object(Text, "draw", record):
        fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    return [(t, t.get_window_extent(renderer)) for t in dict.fromkeys(seen)]


def layout_problems(fig) -> list[str]:
    """What is wrong with the layout of ``fig``: overlapping texts, texts cut off, texts too small."""
    texts = drawn_texts(fig)
    page = fig.bbox
    problems = []
    for t, box in texts:
        if t.get_fontsize() < MIN_FONT:
            problems.append(f"{t.get_text()!r} is set in {t.get_fontsize():.1f} pt")
        if (
            box.x0 < page.x0 - TOLERANCE
            or box.y0 < page.y0 - TOLERANCE
            or box.x1 > page.x1 + TOLERANCE
            or box.y1 > page.y1 + TOLERANCE
        ):
            problems.append(f"{t.get_text()!r} falls outside the figure: {box.bounds} not in {page.bounds}")
    for (a, box_a), (b, box_b) in itertools.combinations(texts, 2):
        overlap_x = min(box_a.x1, box_b.x1) - max(box_a.x0, box_b.x0)
        overlap_y = min(box_a.y1, box_b.y1) - max(box_a.y0, box_b.y0)
        if overlap_x > TOLERANCE and overlap_y > TOLERANCE:
            problems.append(f"{a.get_text()!r} overlaps {b.get_text()!r}")
    return problems


def small_axes(fig, least=(1.5, 1.0)) -> list[str]:
    """The plots of ``fig`` squeezed below ``least`` (width, height) inches; colour bars are thin by design."""
    fig.canvas.draw()  # the layout is made at drawing time
    renderer = fig.canvas.get_renderer()
    small = []
    for ax in fig.axes:
        if not ax.get_visible() or ax.get_label() == "<colorbar>":
            continue
        box = ax.get_window_extent(renderer)
        if box.width / fig.dpi < least[0] or box.height / fig.dpi < least[1]:
            small.append(
                f"{ax.get_title(loc='left') or ax.get_label()!r}: {box.width / fig.dpi:.1f} × {box.height / fig.dpi:.1f} in"
            )
    return small


NAMES = [f.name for f in FIGURES]


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("case", ["k1", "long_titles"])
def test_figure_texts_neither_overlap_nor_fall_outside(case, name, request):
    result = request.getfixturevalue(case)
    assert name in available_figures(result)  # both cases draw every figure
    fig = draw(result, name)
    assert layout_problems(fig) == []
    assert small_axes(fig) == []


def test_the_check_sees_overlapping_cut_and_tiny_texts():
    fig, ax = plt.subplots(figsize=(4, 3))
    ax.set_title("a title")
    ax.text(0.5, 0.5, "here", transform=ax.transAxes)
    ax.text(0.5, 0.5, "and here again", transform=ax.transAxes)
    ax.text(1.2, 0.5, "off the page to the right", transform=fig.transFigure)
    ax.text(0.1, 0.1, "small print", fontsize=5)
    ax.text(0.1, 0.9, "", fontsize=20)  # empty and
    ax.text(0.1, 0.9, "hidden", visible=False)  # invisible texts are not drawn: never a problem
    problems = layout_problems(fig)
    assert len(problems) == 3, problems
    assert "'here' overlaps 'and here again'" in problems
    assert any("falls outside the figure" in p and "off the page" in p for p in problems)
    assert any(p.startswith("'small print' is set in 5.0 pt") for p in problems)


def test_long_titles_are_abbreviated_behind_their_id(k1, long_titles):
    """Short titles read 'Kataib Hezbollah (KH)'; long ones 'KH: Kataib Hezbollah, directly…', at most three lines."""
    for result, long in ((k1, False), (long_titles, True)):
        labels = [t.get_text() for t in draw(result, "posterior").axes[0].get_yticklabels()]
        ids = [result.hypotheses[j] for j in result.order]
        if long:
            assert all(label.startswith(f"{hid}: ") and label.count("\n") <= 2 for label, hid in zip(labels, ids))
        else:
            assert [label.replace("\n", " ") for label in labels] == [
                f"{result.case.hypothesis(hid).title} ({hid})" for hid in ids
            ]


def test_rows_grow_with_their_labels(k1, long_titles):
    """Three-line labels get taller rows, so the posterior and classic-ACH figures grow; K-1's keep their size."""
    for name, k1_height in (("posterior", 4.3), ("heuer_vs_bayes", 4.4)):
        assert draw(k1, name).get_figheight() == pytest.approx(k1_height)
        assert draw(long_titles, name).get_figheight() > k1_height + 0.3


def test_the_sweep_legend_takes_fewer_columns_rather_than_squeezing_the_panels(long_titles):
    fig = draw(long_titles, "reliability_sweeps")
    assert small_axes(fig, least=(2.5, 1.5)) == []  # K-1's panels are 3.0 × 1.8 in
    (legend,) = fig.legends
    renderer = fig.canvas.get_renderer()
    columns = {round(t.get_window_extent(renderer).x0) for t in legend.get_texts()}
    assert len(columns) == 2  # three columns of two-line labels would not fit
    assert fig.get_figheight() > 3.8 + 0.5  # K-1's one row of panels is 3.8 in high: grown for the legend


def test_a_crowded_timeline_turns_its_dates_on_end():
    result = ach.analyze(long_titles_case(spread_dates=True), sample=False, progress=False)
    assert len(result.sensitivity.timeline.dates) >= 25
    fig = draw(result, "timeline")
    assert layout_problems(fig) == []
    ticks = fig.axes[0].get_xticklabels()
    assert {t.get_rotation() for t in ticks} == {90.0}
    assert ticks[-1].get_text().startswith("2020-03-12")  # the last date is always labelled
