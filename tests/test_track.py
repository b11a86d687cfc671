"""Keeping score (issue 14): Brier and log loss by hand, the Brier decomposition, calibration of
generated practice sets, an overconfident analyst caught, ach score and ach practice end to end."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import ach
from ach import exact
from ach.formatting import pct
from ach.track import brier, calibrate, log_loss_bits, rank_of_truth, score_case
from ach.track.calibration import wilson
from ach.track.collect import score_paths
from ach.track.practice import KEY_PATH, draw_many
from tests.conftest import ACH_COMMAND

ROOT = Path(__file__).resolve().parents[1]
MINI = ROOT / "tests" / "data" / "mini.yaml"


def ach_(*args, cwd=None):
    import subprocess

    return subprocess.run([*ACH_COMMAND, *map(str, args)], capture_output=True, text=True, cwd=cwd)


def resolved(tmp_path, extra: str, name: str = "case.yaml") -> Path:
    path = tmp_path / name
    path.write_text(MINI.read_text() + extra + "\n")
    return path


# -- the scores, by hand -----------------------------------------------------------------


def test_brier_and_log_loss_by_hand():
    p = [0.7, 0.2, 0.1]
    assert brier(p, 0) == pytest.approx(0.3**2 + 0.2**2 + 0.1**2)  # 0.14
    assert brier(p, 2) == pytest.approx(0.7**2 + 0.2**2 + 0.9**2)  # 1.34
    assert log_loss_bits(0.5) == pytest.approx(1.0) and log_loss_bits(0.25) == pytest.approx(2.0)
    assert log_loss_bits(1.0) == 0.0 and log_loss_bits(0.0) == 40.0  # capped, not infinite
    assert brier([1, 0], 0) == 0 and brier([0, 1], 0) == 2  # the range: 0 to 2
    assert brier([0.25] * 4, 1) == pytest.approx(1 - 1 / 4)  # uniform: 1 - 1/n
    assert rank_of_truth(p, 0) == 1 and rank_of_truth(p, 2) == 3 and rank_of_truth([0.4, 0.4, 0.2], 1) == 1


@settings(max_examples=200, deadline=None)
@given(
    st.integers(2, 8).flatmap(
        lambda n: st.tuples(st.lists(st.floats(0, 1), min_size=n, max_size=n), st.integers(0, n - 1))
    )
)
def test_scores_keep_their_ranges_and_order(case):
    weights, t = case
    w = np.array(weights)
    p = w / w.sum() if w.sum() > 0 else np.full(len(w), 1 / len(w))
    b, bits, rank = brier(p, t), log_loss_bits(p[t]), rank_of_truth(p, t)
    assert 0 <= b <= 2 + 1e-12 and 0 <= bits <= 40 and 1 <= rank <= len(p)
    assert b >= (1 - p[t]) ** 2 - 1e-12  # the truth's own term
    assert (rank == 1) == bool(p[t] >= p.max() - 1e-9)
    onto = np.eye(len(p))[t]  # moving probability onto the truth never worsens either score
    q = 0.5 * p + 0.5 * onto
    assert brier(q, t) <= b + 1e-12 and log_loss_bits(q[t]) <= bits + 1e-12


def test_a_resolved_case_is_scored_with_its_baselines(tmp_path):
    case = ach.load(resolved(tmp_path, "outcome: {hypothesis: KID, source: confession}"))
    s = score_case(case)
    post = exact.posterior(case.inputs)
    t = case.hypothesis_ids.index("KID")
    assert s.posterior.p_truth == pytest.approx(post[t])
    assert s.posterior.brier == pytest.approx(sum((post - np.eye(3)[t]) ** 2))
    assert s.posterior.log_loss_bits == pytest.approx(-math.log2(post[t]))
    assert s.prior.p_truth == pytest.approx(0.5)  # priors 1, 2, 1
    assert s.prior.brier == pytest.approx(0.25**2 + 0.5**2 + 0.25**2)
    assert s.uniform.brier == pytest.approx(2 / 3)
    assert s.classic_pick and s.classic.p_truth == pytest.approx(
        1 / len(s.classic_pick) if "KID" in s.classic_pick else 0
    )
    # one dated item (E3, 2024-03-01): the posterior on that date has every item in
    assert [(d.date, d.items) for d in s.by_date] == [("2024-03-01", 3)]
    assert s.by_date[-1].scored.p_truth == pytest.approx(s.posterior.p_truth)


def test_every_baseline_has_all_four_scores_by_hand(tmp_path):
    # mini's prior is 1:2:1 over DOG, KID, OTHER; classic ACH ties KID and OTHER as least inconsistent
    dog = score_case(ach.load(resolved(tmp_path, "outcome: {hypothesis: DOG}"))).as_json()
    assert dog["classic_pick"] == ["KID", "OTHER"]
    expected = {
        "prior": (0.25, 0.75**2 + 0.5**2 + 0.25**2, 2.0, 2),  # DOG behind KID
        "uniform": (1 / 3, 2 / 3, math.log2(3), 1),  # all tied: the truth shares the first rank
        "classic": (0.0, 1 + 0.5**2 + 0.5**2, 40.0, 3),  # uniform over the pick, 0 on DOG: capped, behind both
    }
    for name, (p, b, bits, rank) in expected.items():
        got = [dog[f"{name}_{k}"] for k in ("p_truth", "brier", "log_loss_bits", "rank_of_truth")]
        assert got == pytest.approx([p, b, bits, rank]), name
    kid = score_case(ach.load(resolved(tmp_path, "outcome: {hypothesis: KID}", "kid.yaml"))).as_json()
    assert [kid[f"classic_{k}"] for k in ("p_truth", "brier", "log_loss_bits", "rank_of_truth")] == pytest.approx(
        [0.5, 0.5**2 + 0.5**2, 1.0, 1]
    )
    assert [kid[f"prior_{k}"] for k in ("p_truth", "brier", "log_loss_bits", "rank_of_truth")] == pytest.approx(
        [0.5, 0.375, 1.0, 1]
    )
    summary = score_paths([tmp_path]).summary()  # the two cases: DOG and KID
    assert summary["prior_log_loss_bits"] == pytest.approx((2 + 1) / 2)
    assert summary["classic_log_loss_bits"] == pytest.approx((40 + 1) / 2)
    assert summary["uniform_log_loss_bits"] == pytest.approx(math.log2(3))
    assert summary["prior_ranked_first"] == 1 and summary["classic_picked_truth"] == 1


def test_each_evidence_date_has_all_four_scores(tmp_path):
    text = MINI.read_text().replace(
        "    source: crumbs\n    likelihood: {DOG: likely",
        "    source: crumbs\n    date: 2024-02-01\n    likelihood: {DOG: likely",
        1,
    )
    assert "date: 2024-02-01" in text
    path = tmp_path / "dated.yaml"
    path.write_text(text + "outcome: {hypothesis: DOG}\n")
    # an independent path to the first date's posterior: the file without E3 (dated 2024-03-01)
    early = tmp_path / "early.yaml"
    early.write_text(text.split("  - id: E3")[0])
    first = exact.posterior(ach.load(early).inputs)
    last = exact.posterior(ach.load(path).inputs)
    assert first[0] == pytest.approx(0.4466, abs=1e-4) and first[1] == pytest.approx(0.4488, abs=1e-4)  # KID just ahead
    rows = score_case(ach.load(path)).as_json()["by_date"]
    assert [(r["date"], r["items"], r["rank_of_truth"]) for r in rows] == [("2024-02-01", 2, 2), ("2024-03-01", 3, 3)]
    for row, p in zip(rows, (first, last)):
        assert row["p_truth"] == pytest.approx(p[0])
        assert row["log_loss_bits"] == pytest.approx(-math.log2(p[0]))
        assert row["brier"] == pytest.approx((1 - p[0]) ** 2 + p[1] ** 2 + p[2] ** 2)


def test_the_judgment_is_scored_beside_the_posterior(tmp_path):
    case = ach.load(resolved(tmp_path, "outcome: {hypothesis: KID}\njudgment: {DOG: 10%, KID: 80%, OTHER: 10%}"))
    s = score_case(case)
    assert s.judgment.p_truth == pytest.approx(0.8) and s.judgment.brier == pytest.approx(0.06)
    assert s.judgment.log_loss_bits == pytest.approx(-math.log2(0.8))


def test_the_headline_is_scored_without_hindsight(tmp_path):
    case = ach.load(resolved(tmp_path, "as_of: 2024-02-01\noutcome: {hypothesis: KID}"))
    s = score_case(case)
    assert s.posterior.p_truth == pytest.approx(exact.posterior(case.headline().inputs)[1])
    assert s.by_date == ()  # E3 (2024-03-01) is hindsight; no item of the headline is dated


# -- calibration ---------------------------------------------------------------------------


@settings(max_examples=60, deadline=None)
@given(
    st.integers(2, 6).flatmap(
        lambda n: st.lists(
            st.tuples(st.lists(st.floats(0.001, 1), min_size=n, max_size=n), st.integers(0, n - 1)),
            min_size=1,
            max_size=40,
        )
    )
)
def test_the_decomposition_sums_to_the_brier_score(cases):
    p = [np.array(w) / np.sum(w) for w, _ in cases]
    truth = [t for _, t in cases]
    cal = calibrate(p, truth)
    mean_brier = np.mean([brier(q, t) for q, t in zip(p, truth)])
    assert cal.brier == pytest.approx(mean_brier, abs=1e-12)
    total = cal.reliability - cal.resolution + cal.uncertainty + cal.within_bin
    assert total == pytest.approx(cal.brier, abs=1e-12)
    assert cal.reliability >= 0 and cal.resolution >= 0 and cal.uncertainty >= 0
    assert sum(b.n for b in cal.bins) == cal.forecasts == sum(len(q) for q in p)
    for b in cal.bins:
        assert b.interval[0] <= (b.freq if b.n else 0.5) <= b.interval[1]
        assert b.family[0] <= b.interval[0] + 1e-12 and b.interval[1] <= b.family[1] + 1e-12


def test_the_decomposition_is_exact_in_three_terms_when_each_bin_holds_one_value():
    p = np.array([[0.75, 0.25]] * 4 + [[0.05, 0.95]] * 4)
    truth = [0, 0, 0, 1, 1, 1, 1, 1]
    cal = calibrate(p, truth)
    assert cal.within_bin == pytest.approx(0, abs=1e-12)
    assert cal.reliability - cal.resolution + cal.uncertainty == pytest.approx(cal.brier)
    # by hand, per forecast then times 2 forecasts per case: bins 0.05, 0.25, 0.75, 0.95, freq 0, 0.25, 0.75, 1
    rel = 2 * (4 * 0.05**2 + 4 * 0 + 4 * 0 + 4 * 0.05**2) / 16
    assert cal.reliability == pytest.approx(rel)
    assert cal.uncertainty == pytest.approx(2 * 0.25)


def test_the_within_bin_term_by_hand():
    # forecasts 0.62 (true), 0.38, 0.68, 0.32 (true): bin 0.6-0.7 holds 0.62 and 0.68 (mean 0.65, freq 1/2),
    # bin 0.3-0.4 holds 0.38 and 0.32 (mean 0.35, freq 1/2); 4 forecasts, 2 cases, base rate 1/2
    cal = calibrate(np.array([[0.62, 0.38], [0.68, 0.32]]), [0, 1])
    assert cal.brier == pytest.approx(((0.38**2 + 0.38**2) + (0.68**2 + 0.68**2)) / 2)  # 0.6068
    assert cal.reliability == pytest.approx(2 * (2 * 0.15**2 + 2 * 0.15**2) / 4)  # 0.045
    assert cal.resolution == pytest.approx(0, abs=1e-15) and cal.uncertainty == pytest.approx(2 * 0.25)
    # each forecast: (±0.03)² − 2·(±0.03)·(∓0.5) = 0.0009 + 0.03, four of them, / 4 forecasts, × 2 per case
    assert cal.within_bin == pytest.approx(2 * 4 * (0.0009 + 0.03) / 4)  # 0.0618
    assert cal.reliability - cal.resolution + cal.uncertainty + cal.within_bin == pytest.approx(cal.brier)


def test_wilson_intervals_by_hand():
    lo, hi = wilson(7, 10)
    assert (float(lo), float(hi)) == pytest.approx((0.3968, 0.8922), abs=1e-4)
    lo, hi = wilson(0, 0)
    assert (float(lo), float(hi)) == (0.0, 1.0)


@pytest.fixture(scope="module")
def practice_set():
    cases = draw_many(14, 2000)
    p = [c.posterior() for c in cases]
    truth = [c.inputs.hypotheses.index(c.truth) for c in cases]
    return cases, p, truth


def test_the_generators_posteriors_are_calibrated_over_2000_cases(practice_set):
    _, p, truth = practice_set
    cal = calibrate(p, truth)
    assert cal.forecasts > 6000
    for b in cal.bins:  # every bin: the stated mean within the (Bonferroni) interval of what came true
        assert b.n > 50 and b.family[0] <= b.mean_p <= b.family[1], b
        assert b.family[0] <= b.interval[0] <= b.interval[1] <= b.family[1]
    assert cal.verdict.startswith("calibrated")
    assert cal.reliability < 0.01 and cal.resolution > 0.1


def test_an_overconfident_analyst_shows_up_as_overconfident(practice_set):
    _, p, truth = practice_set
    sharp = [q**3 / np.sum(q**3) for q in p]  # the same ordering, pushed towards 0 and 1
    cal = calibrate(sharp, truth)
    assert "overconfident" in cal.verdict and "came true" in cal.verdict
    high = [b for b in cal.bins if b.lo >= 0.7 and b.n]
    assert all(b.freq < b.mean_p for b in high) and any(b.outside for b in high)
    timid = [np.sqrt(q) / np.sum(np.sqrt(q)) for q in p]
    assert "underconfident" in calibrate(timid, truth).verdict
    assert calibrate(sharp, truth).brier > calibrate(p, truth).brier  # a proper score punishes it


def test_the_evidence_helps_on_practice_cases(practice_set):
    cases, p, truth = practice_set
    posterior = np.mean([brier(q, t) for q, t in zip(p, truth)])
    prior = np.mean([brier(c.inputs.prior, t) for c, t in zip(cases, truth)])
    assert posterior < prior


def test_practice_cases_written_to_disk_load_to_the_same_posterior(tmp_path):
    proc = ach_("practice", "new", "--seed", 5, "--cases", 30, "-o", tmp_path / "p")
    assert proc.returncode == 0, proc.stderr
    drawn = draw_many(5, 30)
    for c in drawn:
        case = ach.load(tmp_path / "p" / f"{c.name}.yaml")
        assert case.warnings == () and case.outcome is None
        assert exact.posterior(case.inputs) == pytest.approx(c.posterior(), abs=1e-12)
    assert (tmp_path / "p" / KEY_PATH).exists()


@settings(max_examples=25, deadline=None)
@given(st.integers(0, 2**32 - 1))
def test_any_seed_gives_valid_cases_and_the_truth_among_them(seed):
    from ach.casefile import check_text, dump_case

    for c in draw_many(seed, 3):
        case, diagnostics = check_text(dump_case(c.data).encode(), "p.yaml")
        assert case is not None, "\n".join(map(str, diagnostics))
        assert c.truth in case.hypothesis_ids and set(c.reliable) == {s.id for s in case.sources}
        p = c.posterior()
        assert np.all(np.isfinite(p)) and p.sum() == pytest.approx(1)


# -- ach score and ach practice ----------------------------------------------------------------


def test_ach_score_json_follows_the_contract(tmp_path):
    resolved(tmp_path, "outcome: {hypothesis: KID}", "a.yaml")
    resolved(tmp_path, "outcome: unresolved", "b.yaml")
    resolved(tmp_path, "", "c.yaml")
    proc = ach_("score", tmp_path, "--json")
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    [c] = out["cases"]
    assert set(c) >= {
        "case",
        "truth",
        "p_truth",
        "brier",
        "log_loss_bits",
        "rank_of_truth",
        "prior_p_truth",
        "classic_pick",
    }
    assert c["truth"] == "KID" and c["case"].endswith("a.yaml")
    assert [Path(p).name for p in out["unresolved"]] == ["b.yaml", "c.yaml"]
    s = out["summary"]
    assert s["n"] == 1 and s["brier"] == pytest.approx(c["brier"]) and s["prior_brier"] == pytest.approx(0.375)
    assert all(set(b) >= {"bin", "n", "mean_p", "freq"} for b in s["calibration"]) and len(s["calibration"]) == 10


def test_a_folder_with_none_resolved_says_so_and_exits_0(tmp_path):
    resolved(tmp_path, "outcome: unresolved", "b.yaml")
    proc = ach_("score", tmp_path)
    assert proc.returncode == 0 and "no resolved case among 1 case file: nothing to score" in proc.stdout


def test_practice_then_score_with_the_key(tmp_path):
    assert ach_("practice", "new", "--seed", 2, "--cases", 40, "-o", "p", cwd=tmp_path).returncode == 0
    assert ach_("score", "p", cwd=tmp_path).stdout.count("unresolved, not scored") == 40
    proc = ach_("score", "p", "--key", f"p/{KEY_PATH}", "--figure", "cal.png", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "40 resolved cases: mean Brier" in proc.stdout and "verdict: " in proc.stdout
    assert (tmp_path / "cal.png").stat().st_size > 10_000
    again = ach_("practice", "new", "--seed", 2, "-o", "p", cwd=tmp_path)  # refuses to overwrite
    assert again.returncode == 1 and "exists already" in again.stderr and "Traceback" not in again.stderr


@pytest.mark.parametrize(
    "setup, args, words",
    [
        (lambda d: None, ["missing.yaml"], "missing.yaml: error: no such file"),
        (lambda d: (d / "bad.yaml").write_text("question: x\nhypotheses: []\n"), ["bad.yaml"], "bad.yaml:2: error:"),
        (
            lambda d: (d / "key.yaml").write_text("cases:\n  a.yaml: {truth: CAT}\n"),
            ["a.yaml", "--key", "key.yaml"],
            "key.yaml:2: error: cases › a.yaml › truth: the key's truth 'CAT' is not a hypothesis",
        ),
        (lambda d: (d / "key.yaml").write_text("- 1\n"), ["a.yaml", "--key", "key.yaml"], "not a practice key"),
        (
            lambda d: (d / "key.yaml").write_text("seed: 1\ncases:\n  b.yaml: {}\n"),
            ["a.yaml", "--key", "key.yaml"],
            "key.yaml:3: error: cases › b.yaml: no truth given",
        ),
        (lambda d: (d / "key.yaml").write_text("cases: [\n"), ["a.yaml", "--key", "key.yaml"], "cannot read the key"),
        (
            lambda d: (d / "o.yaml").write_text(MINI.read_text() + "outcome: {hypothesis: CAT}\n"),
            ["o.yaml"],
            "outcome › hypothesis: the outcome names the hypothesis 'CAT'",
        ),
    ],
)
def test_score_refusals_are_located_exit_1_and_never_a_traceback(tmp_path, setup, args, words):
    resolved(tmp_path, "", "a.yaml")
    setup(tmp_path)
    proc = ach_("score", *args, cwd=tmp_path)
    assert proc.returncode == 1 and words in proc.stderr, proc.stderr
    assert "Traceback" not in proc.stderr and "nothing was scored" in proc.stderr


def test_score_paths_as_a_library(tmp_path):
    resolved(tmp_path, "outcome: {hypothesis: DOG}", "a.yaml")
    scored = score_paths([tmp_path])
    assert [s.truth for s in scored.scores] == ["DOG"] and scored.unresolved == ()


# -- the reliability diagram ---------------------------------------------------------------------


@pytest.mark.parametrize("sharpen", [1, 3])
def test_the_reliability_diagram_has_no_overlapping_or_cut_text(practice_set, sharpen):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from ach.plots.calibration import plot_calibration
    from tests.test_plot_layout import layout_problems

    _, p, truth = practice_set
    q = [x**sharpen / np.sum(x**sharpen) for x in p[:400]]
    ax = plot_calibration(calibrate(q, truth[:400]))
    try:
        assert layout_problems(ax.figure) == []
    finally:
        plt.close("all")


# -- the post-mortem in the report -------------------------------------------------------------


def test_a_resolved_cases_report_gains_a_post_mortem(tmp_path):
    from ach.report import Report

    extra = (
        "outcome: {hypothesis: KID, date: 2024-04-01, source: a confession}\njudgment: {DOG: 0.3, KID: 0.6, OTHER: 0.1}"
    )
    result = ach.analyze(ach.load(resolved(tmp_path, extra)))
    report = Report(result)
    md, html = report.to_markdown(), report.to_html()
    assert "## Post-mortem: what really happened" in md and 'id="postmortem"' in html
    assert "**The truth: The child (KID)**, known 2024-04-01, from a confession." in md
    assert "| The analyst's own judgment | 60 % | 0.260 | 0.74 | 1 |" in md  # 0.3² + 0.4² + 0.1², −log₂ 0.6
    assert (
        "| The prior alone | 50 % | 0.375 | 1.00 | 1 |" in md
        and "| A uniform prior | 33 % | 0.667 | 1.58 | 1 (tied) |" in md
    )
    t = result.hypotheses.index("KID")
    pointed = [e.id for i, e in enumerate(result.case.evidence) if result.item_woe[i, t] >= 0.05]
    assert all(f"| {i} " in md.split("Misled")[0] for i in pointed)  # the items that pointed to it come first
    assert "When would we have known?" not in md  # one evidence date only
    plain = Report(ach.analyze(ach.load(MINI)))
    assert "Post-mortem" not in plain.to_markdown() and "postmortem" not in plain.to_html()
    unresolved = Report(ach.analyze(ach.load(resolved(tmp_path, "outcome: unresolved", "u.yaml"))))
    assert "The outcome is recorded as unresolved" in unresolved.to_markdown()


def test_a_practice_cases_post_mortem_says_when_we_would_have_known(tmp_path):
    from ach.report import Report

    assert ach_("practice", "new", "--seed", 9, "--cases", 1, "-o", tmp_path).returncode == 0
    path = tmp_path / "case-01.yaml"
    truth = draw_many(9, 1)[0].truth
    path.write_text(path.read_text() + f"outcome: {{hypothesis: {truth}}}\n")
    md = Report(ach.analyze(ach.load(path))).to_markdown()
    assert "### When would we have known?" in md and f"| Date | Items in | P({truth}) |" in md
    first = score_case(ach.load(path)).by_date[0]
    assert f"| 2025-03-03 | {first.items} | {pct(first.scored.p_truth)} | {first.scored.brier:.3f} |" in md


def test_each_analysts_file_of_a_team_is_scored_with_its_judgment(tmp_path):
    for name, judged in (("ana", "{DOG: 0.1, KID: 0.8, OTHER: 0.1}"), ("ben", "{DOG: 0.6, KID: 0.3, OTHER: 0.1}")):
        resolved(
            tmp_path,
            f"analyst: {name}\noutcome: {{hypothesis: KID}}\njudgment: {judged}\njudgment_when: before",
            f"{name}.yaml",
        )
    out = json.loads(ach_("score", tmp_path, "--json").stdout)
    assert [(c["analyst"], round(c["judgment"]["p_truth"], 2), c["judgment"]["when"]) for c in out["cases"]] == [
        ("ana", 0.8, "before"),
        ("ben", 0.3, "before"),
    ]
    j = out["summary"]["judgment"]
    assert j["n"] == 2 and j["brier"] == pytest.approx((0.06 + (0.36 + 0.49 + 0.01)) / 2)


# -- the collection candidate that would have settled it earliest ------------------------------------------------

# One reliable source, items at full credibility: the posterior is the prior times the likelihoods, by hand.
# P(A, B, OTHER) on 2024-01-01: (.2, .8, .5)/1.5 = (13 %, 53 %, 33 %); on 01-10 (× .9, .3, .3): (.18, .24, .15)/.57;
# on 01-20 (× .9, .3, .3 again): (.162, .072, .045)/.279 = (58 %, 26 %, 16 %): the evidence alone settles it on 01-20.
DOOR = """
question: Who left the door open?
hypotheses:
  - {id: A, title: Ann, prior: 1}
  - {id: B, title: Bob, prior: 1}
  - {id: OTHER, title: Someone else, prior: 1, catch_all: true}
sources:
  - {id: log, title: The door log, reliability: 1}
evidence:
  - {id: E1, text: Bob's badge, source: log, date: 2024-01-01, likelihood: {A: 0.2, B: 0.8, OTHER: 0.5}}
  - {id: E2, text: Ann's cup, source: log, date: 2024-01-10, likelihood: {A: 0.9, B: 0.3, OTHER: 0.3}}
  - {id: E3, text: Ann's scarf, source: log, date: 2024-01-20, likelihood: {A: 0.9, B: 0.3, OTHER: 0.3}}
outcome: {hypothesis: A}
"""
CANDIDATES = {  # credibility 1: P(seen | H) is the likelihood itself
    # seen (0.8 under A): on 01-01 (.16, .16, .10) is a tie, not a lead; on 01-10 (.144, .048, .03): 65 %
    "C2": "{A: 0.8, B: 0.2, OTHER: 0.2}",
    # not seen (0.9 under A), × (.9, .4, .1): on 01-01 B leads (.18, .32, .05); on 01-10 (.162, .096, .015): 59 %
    "C3": "{A: 0.1, B: 0.6, OTHER: 0.9}",
    # seen (0.9 under A), × (.9, .1, .1): on 01-01 (.18, .08, .05): A leads at 58 %, and keeps leading
    "C1": "{A: 0.9, B: 0.1, OTHER: 0.1}",
}


def door(tmp_path, ids, text=DOOR, name="door.yaml", more=None):
    rated = {**CANDIDATES, **(more or {})}
    rows = "".join(f"  - {{id: {c}, text: Look for {c}, likelihood: {rated[c]}}}\n" for c in ids)
    path = tmp_path / name
    path.write_text(text + ("collection:\n" + rows if ids else ""))
    return ach.load(path)


def test_the_candidate_that_settles_it_earliest_by_hand(tmp_path):
    from ach.track.settle import settle

    found = settle(door(tmp_path, ["C2", "C3", "C1"]), "A")
    assert (found.dated, found.alone_settles, found.alone_date) == (True, True, "2024-01-20")
    by_id = {c.id: c for c in found.candidates}
    assert [(c.id, c.seen, c.date) for c in found.candidates] == [
        ("C2", True, "2024-01-10"),
        ("C3", False, "2024-01-10"),
        ("C1", True, "2024-01-01"),
    ]
    assert by_id["C3"].p_outcome == pytest.approx(0.9) and by_id["C2"].p_outcome == pytest.approx(0.8)
    assert by_id["C2"].p_truth == pytest.approx(0.144 / 0.222) and by_id["C3"].p_truth == pytest.approx(0.162 / 0.273)
    best = found.best
    assert best.id == "C1" and found.earlier  # the earliest date wins, though listed last
    assert best.p_truth == pytest.approx(0.18 / 0.31) and best.p_truth_without == pytest.approx(0.2 / 1.5)
    # the same date: the larger probability of the truth wins, not the order in the file
    assert settle(door(tmp_path, ["C3", "C2"]), "A").best.id == "C2"


def test_when_no_candidate_would_settle_it_the_post_mortem_says_so(tmp_path):
    from ach.report import Report
    from ach.track.settle import settle

    weak = {"WEAK": "{A: 0.6, B: 0.5, OTHER: 0.5}"}  # × 1.2 for A: short of B's lead of .24/.18 on 01-10
    case = door(tmp_path, ["WEAK"], DOOR.split("  - {id: E3")[0] + "outcome: {hypothesis: A}\n", more=weak)
    found = settle(case, "A")
    assert found.best is None and not found.alone_settles and not found.earlier
    md = Report(ach.analyze(case, sample=False)).to_markdown()
    assert "would not have put A in the lead for good" in md


def test_the_post_mortem_names_the_candidate_that_settles_it_earliest(tmp_path):
    from ach.report import Report

    md = Report(ach.analyze(door(tmp_path, ["C2", "C3", "C1"]), sample=False)).to_markdown()
    assert (
        "Of the 3 collection candidates, C1 (Look for C1) would have settled it earliest: looked for by 2024-01-01 "
        "and observed, as the truth makes likely (90 %), it would have put A in the lead from then on, at 58 % on "
        "that date (13 % without it); the evidence alone put A in the lead for good only from 2024-01-20." in md
    )
    undated = DOOR.replace(", date: 2024-01-01", "").replace(", date: 2024-01-10", "").replace(", date: 2024-01-20", "")
    md = Report(ach.analyze(door(tmp_path, ["C2"], undated, "undated.yaml"), sample=False)).to_markdown()
    assert "No collection candidate would have settled it earlier than the evidence did: A led without any." in md


# -- ach report --key: a practice case's post-mortem ----------------------------------------------------------------


def test_ach_report_with_the_key_gains_the_post_mortem(tmp_path):
    import yaml

    assert ach_("practice", "new", "--seed", 4, "--cases", 8, "-o", "p", cwd=tmp_path).returncode == 0
    truth = yaml.safe_load((tmp_path / "p" / KEY_PATH).read_text())["cases"]["case-07.yaml"]["truth"]
    title = ach.load(tmp_path / "p" / "case-07.yaml").hypothesis(truth).title
    plain = ach_("report", "p/case-07.yaml", "--no-sample", "-q", "-o", "plain", cwd=tmp_path)
    assert plain.returncode == 0 and "Post-mortem" not in (tmp_path / "plain" / "report.md").read_text()
    proc = ach_("report", "p/case-07.yaml", "--key", f"p/{KEY_PATH}", "--no-sample", "-q", "-o", "r", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    md = (tmp_path / "r" / "report.md").read_text()
    assert "## Post-mortem: what really happened" in md
    assert f"**The truth: {title} ({truth})**, from the practice key (p/{KEY_PATH})." in md
    assert 'id="postmortem"' in (tmp_path / "r" / "report.html").read_text()


@pytest.mark.parametrize(
    "key, words",
    [
        (
            "cases:\n  case-01.yaml: {truth: H1}\n",
            "key.yaml:1: error: cases: the key names no case file 'case-07.yaml'",
        ),
        (
            "cases:\n  case-07.yaml: {truth: H9}\n",
            "key.yaml:2: error: cases › case-07.yaml › truth: the key's truth 'H9' is not a hypothesis of",
        ),
        ("cases:\n  case-07.yaml: {}\n", "key.yaml:2: error: cases › case-07.yaml: no truth given"),
        ("- 1\n", "key.yaml: error: not a practice key"),
    ],
)
def test_ach_report_refuses_a_key_that_cannot_say(tmp_path, key, words):
    assert ach_("practice", "new", "--seed", 4, "--cases", 8, "-o", "p", cwd=tmp_path).returncode == 0
    (tmp_path / "key.yaml").write_text(key)
    proc = ach_("report", "p/case-07.yaml", "--key", "key.yaml", "--no-sample", "-q", "-o", "r", cwd=tmp_path)
    assert proc.returncode == 1 and words in proc.stderr, proc.stderr
    assert "Traceback" not in proc.stderr and not (tmp_path / "r").exists()


def test_a_key_that_contradicts_the_recorded_outcome_is_refused(tmp_path):
    from ach.errors import CaseError
    from ach.track.key import with_key

    case = ach.load(resolved(tmp_path, "outcome: {hypothesis: DOG}"))
    (tmp_path / "key.yaml").write_text("cases:\n  case.yaml: {truth: KID}\n")
    with pytest.raises(CaseError, match=r"the key's truth 'KID' contradicts the outcome .* records, 'DOG'"):
        with_key(case, tmp_path / "key.yaml")
    proc = ach_("score", "case.yaml", "--key", "key.yaml", cwd=tmp_path)  # ach score refuses it too
    assert proc.returncode == 1 and "key.yaml:2: error: cases › case.yaml › truth" in proc.stderr
    (tmp_path / "key.yaml").write_text("cases:\n  case.yaml: {truth: DOG}\n")  # agreeing: the case's own outcome
    assert with_key(case, tmp_path / "key.yaml") is case
