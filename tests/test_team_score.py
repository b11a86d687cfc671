"""A resolved team case scored (issue 14, point 2): every judgment the team states, against the recorded outcome.

The scores are recomputed here by hand from the JSON's own distributions, and
each analyst's row is checked against ``ach score`` on that analyst's file
(an independent path: the single-case scorer).
"""

from __future__ import annotations

import json
import math
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from ach.cli import main
from ach.errors import CaseError
from ach.team import analyze_team
from ach.team.report import team_section
from ach.team.text import rows

ROOT = Path(__file__).resolve().parents[1]
ALL = sorted((ROOT / "cases" / "k1-team").glob("*.yaml"))
TEAM = [ALL[0], ALL[1], ALL[3]]  # Adams, Baker, Diaz: two holistic judgments and a file with none
SMALL = {"draws": 150, "tune": 150, "chains": 2, "seed": 5}


def _resolved(tmp_path, truths) -> list[Path]:
    """Copies of the team files, each recording its outcome (None: none recorded)."""
    out = []
    for path, truth in zip(TEAM, truths):
        text = path.read_text(encoding="utf-8")
        if truth is not None:
            text = re.sub(
                r"^date:", f"outcome: {{hypothesis: {truth}, note: a test}}\ndate:", text, count=1, flags=re.M
            )
        copy = tmp_path / path.name
        copy.write_text(text, encoding="utf-8")
        out.append(copy)
    return out


@pytest.fixture(scope="module")
def resolved(tmp_path_factory):
    files = _resolved(tmp_path_factory.mktemp("team"), ["ISIS", None, "ISIS"])  # Baker recorded none
    return files, analyze_team(files, **SMALL)


def _brier(p: dict, truth: str) -> float:
    return sum((q - (h == truth)) ** 2 for h, q in p.items())


def test_every_judgment_is_scored_by_hand(resolved):
    _, result = resolved
    d = result.to_dict()
    score = d["score"]
    assert score["truth"] == "ISIS"
    stated = {(r["name"], r["kind"]): r for r in score["rows"]}
    expected = {(n, "analyst"): d["each"][n]["posterior"] for n in d["analysts"]}
    expected |= {(n, "judgment"): d["coherence"]["coherentized"][n] for n in d["coherence"]["judges"]}
    expected |= {(f"{k} pool", "pool"): d["pools"][k] for k in ("linear", "logarithmic")}
    expected[("team model", "team")] = d["pooled"]["posterior"]
    expected[("team judgment", "team")] = d["coherence"]["team"]
    assert set(stated) == set(expected)
    assert len(d["coherence"]["judges"]) == 2  # Diaz gave none: no row for it
    for key, p in expected.items():
        row = stated[key]
        assert row["p_truth"] == pytest.approx(p["ISIS"], abs=1e-12)
        assert row["brier"] == pytest.approx(_brier(p, "ISIS"), abs=1e-12)
        assert row["log_loss_bits"] == pytest.approx(-math.log2(p["ISIS"]), abs=1e-12)
        assert row["rank_of_truth"] == 1 + sum(q > p["ISIS"] + 1e-9 for q in p.values())
    lo, hi = score["team_model_hdi90"]
    assert lo <= d["pooled"]["posterior"]["ISIS"] <= hi
    assert [lo, hi] == d["pooled"]["hdi90"]["ISIS"]


def test_each_analysts_row_is_what_ach_score_says_of_their_file(resolved):
    files, result = resolved
    single = json.loads(CliRunner().invoke(main, ["score", str(files[0]), "--json"]).output)["cases"][0]
    row = next(r for r in result.to_dict()["score"]["rows"] if r["kind"] == "analyst" and r["name"] == "Adams")
    assert single["analyst"] == "Adams"
    for key in ("p_truth", "brier", "log_loss_bits", "rank_of_truth"):
        assert row[key] == pytest.approx(single[key], abs=1e-12)
    judged = next(r for r in result.to_dict()["score"]["rows"] if r["kind"] == "judgment" and r["name"] == "Adams")
    assert judged["brier"] == pytest.approx(single["judgment"]["brier"], abs=1e-12)


def test_the_table_and_the_report_show_the_scores(resolved):
    _, result = resolved
    data = result.to_dict()
    text = "\n".join(rows(data))
    assert "scored against the outcome ISIS" in text
    team_model = next(r for r in data["score"]["rows"] if r["name"] == "team model")
    assert f"{team_model['brier']:.3f}" in text
    section = team_section(result)
    shown = section.data["score"]
    assert shown["truth"] == "ISIS" and len(shown["rows"]) == len(data["score"]["rows"])
    assert {r["kind"] for r in shown["rows"]} == {"own matrix", "holistic judgment", "pool", "team"}


def test_files_that_record_different_outcomes_are_refused_before_the_fit(tmp_path, monkeypatch):
    files = _resolved(tmp_path, ["ISIS", "KH", None])

    def no_fit(*args, **kwargs):
        raise AssertionError("the model was fitted for files that disagree on the outcome")

    monkeypatch.setattr("ach.team.result.fit", no_fit)
    with pytest.raises(CaseError) as err:
        analyze_team(files, **SMALL)
    problems = err.value.diagnostics
    assert [Path(p.file).name for p in problems] == [files[0].name, files[1].name]
    for p, path in zip(problems, files):
        assert path.read_text(encoding="utf-8").splitlines()[p.line - 1].startswith("outcome:")
        assert p.field == "outcome › hypothesis" and "record the same one" in p.hint
    result = CliRunner().invoke(main, ["team", "analyze", *map(str, files)])
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert f"{files[1]}:{problems[1].line}: error: outcome › hypothesis" in result.output


def test_no_outcome_recorded_means_no_score(tmp_path):
    files = _resolved(tmp_path, [None, None])
    result = analyze_team(files, **SMALL)
    assert result.score is None and result.to_dict()["score"] is None
    assert "scored against" not in "\n".join(rows(result.to_dict()))
    assert team_section(result).data["score"] is None
