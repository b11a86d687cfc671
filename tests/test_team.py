"""Team ACH (docs/MODEL.md §8): the files aligned, the pools, the team model and its contract.

Sampling is kept small (few draws, two chains); one model at a time.
"""

from __future__ import annotations

import itertools
import json
import shutil
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from ach import exact
from ach.casefile import load
from ach.cli import main
from ach.errors import CaseError
from ach.team import align, analyze_team
from ach.team.model import TARGET_ACCEPT, readings_of
from ach.team.pooled import Pooled, remedies
from ach.team.pools import linear, logarithmic

ROOT = Path(__file__).resolve().parents[1]
K1 = ROOT / "cases" / "k1.yaml"
TEAM = sorted((ROOT / "cases" / "k1-team").glob("*.yaml"))
SMALL = {"draws": 150, "tune": 150, "chains": 2, "seed": 3}
CONTRACT = {"analysts", "hypotheses", "each", "pools", "pooled", "disagreement", "analyst_bias"}


@pytest.fixture(scope="module")
def teaching_default():
    """The teaching set at the command's default settings (4 chains × 1000 after 1000, its seed): about 20 s."""
    return analyze_team(TEAM)


def _copy(tmp_path, name, analyst, text=None):
    text = K1.read_text(encoding="utf-8") if text is None else text
    text = text.replace("analyst: ach example case (teaching file)", f"analyst: {analyst}")
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_the_teaching_set_has_four_analysts_who_differ_with_comments():
    assert len(TEAM) >= 4
    names = [load(p).analyst for p in TEAM]
    assert len(set(names)) == len(names)
    for p in TEAM:
        assert p.read_text(encoding="utf-8").count("# TEAM:") >= 2, p


def test_the_teaching_set_is_healthy_at_the_default_settings(teaching_default):
    p = teaching_default.pooled
    assert (p.divergences, p.failures) == (0, [])
    assert p.r_hat_max < 1.01 and p.ess_bulk_min > 400 and p.healthy
    assert p.draws.shape == (4 * 1000, len(teaching_default.team.hypotheses))  # the defaults were used


def test_the_warning_says_what_helps_each_failure(caplog):
    def hints(**diagnostics):
        ok = {"r_hat_max": 1.001, "ess_bulk_min": 2000.0, "divergences": 0}
        pool = Pooled(*[None] * 6, **{**ok, **diagnostics}, seconds=1.0)
        return pool.failures, " ".join(remedies(pool, 0.9))

    assert hints() == ([], "")
    failed, text = hints(divergences=3)
    assert failed == ["divergences"] and "--target-accept" in text and "--draws" not in text
    failed, text = hints(ess_bulk_min=120.0)
    assert failed == ["ess"] and "more --draws" in text and "--target-accept" not in text
    failed, text = hints(r_hat_max=1.05)
    assert failed == ["r_hat"] and "--tune" in text and "--target-accept" not in text
    assert "two or more --chains" in hints(r_hat_max=float("nan"))[1]
    assert hints(divergences=1, ess_bulk_min=10.0, r_hat_max=1.2)[0] == ["divergences", "ess", "r_hat"]


def test_the_target_acceptance_option_says_its_default():
    out = CliRunner().invoke(main, ["team", "analyze", "--help"])
    assert f"(default {TARGET_ACCEPT:g})" in " ".join(out.output.split())
    refused = CliRunner().invoke(main, ["team", "analyze", str(K1), "--target-accept", "1.5"])
    assert refused.exit_code == 2 and "--target-accept" in refused.output


def test_one_analyst_is_the_single_analysis_exactly():
    r = analyze_team([K1], **SMALL)
    single = exact.posterior_by_id(load(K1))
    d = r.to_dict()
    for h, p in single.items():
        assert d["pooled"]["posterior"][h] == pytest.approx(p, abs=1e-12)
        assert d["each"][d["analysts"][0]]["posterior"][h] == p
        lo, hi = d["pooled"]["hdi90"][h]
        assert lo <= p <= hi
    assert d["analyst_bias"][d["analysts"][0]]["mean"] == 0.0


def test_identical_files_stay_within_a_point_and_order_does_not_matter(tmp_path):
    a, b = _copy(tmp_path, "a.yaml", "Ann"), _copy(tmp_path, "b.yaml", "Bob")
    single = exact.posterior_by_id(load(K1))
    first = analyze_team([a, b], **SMALL).to_dict()
    second = analyze_team([b, a], **SMALL).to_dict()
    for h, p in single.items():
        assert abs(first["pooled"]["posterior"][h] - p) < 0.01
    first["pooled"].pop("seconds"), second["pooled"].pop("seconds")
    first.pop("files"), second.pop("files")
    assert json.dumps(first, sort_keys=True) == json.dumps(second, sort_keys=True)
    assert first["analysts"] == ["Ann", "Bob"]
    assert all(d["impact"] == 0 for d in first["disagreement"])


def test_the_order_of_four_different_files_does_not_matter():
    """Analysts are sorted by name before anything is built, so every permutation gives the same arrays,
    readings, posteriors and pools exactly; the model is then the same and its seeded sampler draws the same."""
    ref = align([load(p) for p in TEAM])
    ref_readings = readings_of(ref)
    fields = ("m", "kappa", "na", "left_out", "rated", "b", "b_is_mean", "k", "k_kappa", "r", "r_kappa", "prior")
    for order in itertools.permutations(TEAM):
        team = align([load(p) for p in order])
        assert (team.analysts, team.items, team.sources) == (ref.analysts, ref.items, ref.sources)
        for name in fields:
            np.testing.assert_array_equal(getattr(team, name), getattr(ref, name), err_msg=name)
        rd = readings_of(team)
        assert (rd.kind, rd.index) == (ref_readings.kind, ref_readings.index)
        for name in ("y", "s", "analyst", "quantity"):
            np.testing.assert_array_equal(getattr(rd, name), getattr(ref_readings, name))
    order = [TEAM[2], TEAM[0], TEAM[3], TEAM[1]]
    first, second = analyze_team(TEAM[::-1], **SMALL).to_dict(), analyze_team(order, **SMALL).to_dict()
    first["pooled"].pop("seconds"), second["pooled"].pop("seconds")
    assert json.dumps(first, sort_keys=True) == json.dumps(second, sort_keys=True)
    assert first["analysts"] == sorted(first["analysts"])
    assert len({json.dumps(e, sort_keys=True) for e in first["each"].values()}) == 4  # four different files


def test_the_pools():
    p = np.array([[0.5, 0.5, 0.0], [0.2, 0.6, 0.2]])
    assert linear(p) == pytest.approx([0.35, 0.55, 0.1])
    log = logarithmic(p)
    assert log[2] == 0 and log.sum() == pytest.approx(1)
    assert log[0] / log[1] == pytest.approx(np.sqrt(0.5 * 0.2) / np.sqrt(0.5 * 0.6))


def test_an_item_left_out_is_not_rated_not_na():
    team = align([load(p) for p in TEAM])
    chen = team.analysts.index("Chen")
    e09 = team.items.index("E09")
    assert not team.rated[chen, e09] and np.isnan(team.m[chen, e09]).all() and not team.na[chen, e09].any()
    assert team.rated[:, e09].sum() == len(TEAM) - 1


def test_files_that_do_not_match_are_located_errors(tmp_path):
    text = K1.read_text(encoding="utf-8")
    a = _copy(tmp_path, "a.yaml", "Ann")
    # a hypothesis id renamed in one file
    b = _copy(tmp_path, "b.yaml", "Bob", text.replace("  - id: OTHER\n", "  - id: ELSE\n").replace("OTHER:", "ELSE:"))
    with pytest.raises(CaseError) as err:
        align([load(a), load(b)])
    (problem,) = err.value.diagnostics
    assert problem.file == str(b) and "missing OTHER" in problem.message and "unknown ELSE" in problem.message
    # an item given another source
    start = text.index("  - id: E01\n")
    c_text = text[:start] + text[start:].replace("    source: us-gov\n", "    source: nyt\n", 1)
    c = _copy(tmp_path, "c.yaml", "Cy", c_text)
    with pytest.raises(CaseError) as err:
        align([load(a), load(c)])
    assert "E01" in err.value.diagnostics[0].field and err.value.diagnostics[0].code == "team-item-source"
    # two files of one analyst
    with pytest.raises(CaseError) as err:
        align([load(a), load(_copy(tmp_path, "d.yaml", "Ann"))])
    assert err.value.diagnostics[0].code == "team-duplicate-analyst"


def test_cli_json_contract_and_each_equals_ach_analyze(tmp_path):
    runner = CliRunner()
    out = runner.invoke(
        main, ["team", "analyze", *map(str, TEAM), "--json", "--draws", "100", "--tune", "100", "--chains", "2", "-q"]
    )
    assert out.exit_code == 0, out.output
    d = json.loads(out.stdout)
    assert CONTRACT <= set(d)
    assert set(d["pooled"]) >= {"posterior", "hdi90", "r_hat_max", "ess_bulk_min", "divergences"}
    assert set(d["pools"]) == {"linear", "logarithmic"}
    for name, path in zip(d["analysts"], sorted(TEAM, key=lambda p: load(p).analyst)):
        single = json.loads(runner.invoke(main, ["analyze", str(path), "--json", "--no-sample"]).stdout)
        assert d["each"][name]["posterior"] == single["exact"]["posterior"]
    impacts = [x["impact"] for x in d["disagreement"]]
    assert impacts == sorted(impacts, reverse=True) and impacts[0] > 0
    assert {"item", "hypothesis", "spread", "impact"} <= set(d["disagreement"][0])
    for b in d["analyst_bias"].values():
        assert b["hdi90"][0] <= b["mean"] <= b["hdi90"][1]
    assert d["coherence"]["judges"] == ["Adams", "Baker", "Chen"]


def test_cli_refuses_mismatched_files_with_located_errors(tmp_path):
    bad = tmp_path / "bad.yaml"
    shutil.copy(TEAM[0], bad)
    bad.write_text(
        bad.read_text(encoding="utf-8").replace("  - id: SUNNI\n", "  - id: BAATH\n").replace("SUNNI:", "BAATH:")
    )
    out = CliRunner().invoke(main, ["team", "analyze", str(TEAM[1]), str(bad), "--json"])
    assert out.exit_code == 1
    assert "bad.yaml" in out.stderr and "SUNNI" in out.stderr and "BAATH" in out.stderr
