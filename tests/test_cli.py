"""The installed ``ach`` command, run end to end as a user would, failures included."""

from __future__ import annotations

import hashlib
import json
import math
import os
import re
import subprocess
from importlib import metadata, resources
from pathlib import Path

import pytest

from .conftest import ACH_COMMAND

ROOT = Path(__file__).resolve().parents[1]
K1 = ROOT / "cases" / "k1.yaml"
MINI = ROOT / "tests" / "data" / "mini.yaml"
WARNINGS = ROOT / "tests" / "data" / "warnings.yaml"
BAD = ROOT / "tests" / "data" / "bad"


ACH = ACH_COMMAND


def ach(*args: str | Path, stdin: bytes | None = None, timeout: int = 600) -> subprocess.CompletedProcess:
    proc = subprocess.run([*ACH, *map(str, args)], input=stdin, capture_output=True, timeout=timeout, cwd=ROOT)
    proc.out = proc.stdout.decode("utf-8")
    proc.err = proc.stderr.decode("utf-8")
    assert "Traceback" not in proc.err, proc.err
    return proc


def located(stderr: str, path: Path | str) -> list[int]:
    """Line numbers of the 'path:line: level:' messages in stderr."""
    return [int(n) for n in re.findall(rf"^{re.escape(str(path))}:(\d+): (?:error|warning):", stderr, re.M)]


def test_the_installed_command_is_used():
    assert Path(ACH[0]).name == "ach" or ACH[1:] == ["-m", "ach.cli"]


# -- validate -------------------------------------------------------------------------


def test_validate_good_files():
    proc = ach("validate", K1, MINI)
    assert proc.returncode == 0, proc.err
    assert f"{K1}: valid: 5 hypotheses, 31 items, 8 sources (2 acknowledged)" in proc.out
    assert f"{MINI}: valid: 3 hypotheses, 3 items, 2 sources" in proc.out
    assert located(proc.err, K1) == []  # its two non-diagnostic items are acknowledged, so nothing is printed


@pytest.mark.parametrize(
    "name, lines",
    [
        ("bad_rating.yaml", [13]),
        ("missing_hypothesis.yaml", [12, 12, 13]),
        ("syntax.yaml", [10]),  # the line the unclosed bracket opens on
        ("duplicate_key.yaml", [10]),
        ("tabs.yaml", [6]),
        ("not_utf8.yaml", [1]),
        ("not_a_mapping.yaml", [1]),
        ("impossible.yaml", [12, 12, 12]),
    ],
)
def test_validate_bad_file(name, lines):
    path = BAD / name
    proc = ach("validate", path)
    assert proc.returncode == 1
    assert located(proc.err, path) == lines
    assert "hint:" in proc.err
    assert f"{path}: invalid (" in proc.err
    assert proc.out == ""


def test_validate_lists_every_problem_at_once():
    path = BAD / "many_errors.yaml"
    proc = ach("validate", path)
    assert proc.returncode == 1
    assert located(proc.err, path) == [6, 13, 18, 18, 19]
    for words in (
        "'DOG' is used twice",
        "'G' is not understood",
        "'CCC'",
        "did you mean 'CC'?",
        "1.5 is outside",
        "'mid'",
    ):
        assert words in proc.err
    assert f"{path}: invalid (5 errors, 0 warnings)" in proc.err


def test_validate_several_files_reports_each():
    proc = ach("validate", MINI, BAD / "bad_rating.yaml", BAD / "syntax.yaml")
    assert proc.returncode == 1
    assert f"{MINI}: valid" in proc.out
    assert located(proc.err, BAD / "bad_rating.yaml") == [13]
    assert located(proc.err, BAD / "syntax.yaml") == [10]


def test_validate_missing_file_and_folder():
    proc = ach("validate", ROOT / "nope.yaml", ROOT / "tests")
    assert proc.returncode == 1
    assert f"{ROOT / 'nope.yaml'}: error: no such file" in proc.err
    assert f"{ROOT / 'tests'}: error: is a folder" in proc.err


def test_warnings_pass_unless_strict():
    relaxed = ach("validate", WARNINGS)
    assert relaxed.returncode == 0
    assert "(4 warnings)" in relaxed.out
    assert located(relaxed.err, WARNINGS) == [5, 14, 19, 22]
    for words in (
        "catch_all",
        "reliability 0 silences the source",
        "keeps 'KID' possible",
        "non-diagnostic",
    ):
        assert words in relaxed.err
    strict = ach("validate", "--strict", WARNINGS)
    assert strict.returncode == 1
    assert "failing under --strict" in strict.out
    assert ach("validate", "--strict", MINI).returncode == 0


def test_validate_json():
    proc = ach("validate", "--json", MINI, BAD / "many_errors.yaml", WARNINGS)
    assert proc.returncode == 1
    report = json.loads(proc.out)
    assert [r["path"] for r in report] == [str(MINI), str(BAD / "many_errors.yaml"), str(WARNINGS)]
    assert [r["valid"] for r in report] == [True, False, True]
    assert report[0]["diagnostics"] == []
    errors = report[1]["diagnostics"]
    assert [d["line"] for d in errors] == [6, 13, 18, 18, 19]
    assert errors[2] == {
        "level": "error",
        "message": "rating 'CCC' is not one of CC, C, N, I, II, NA (or a probability in [0, 1], or an ICD 203 term such as 'likely')",
        "file": str(BAD / "many_errors.yaml"),
        "line": 18,
        "field": "evidence E1 › likelihood › DOG",
        "hint": "did you mean 'CC'?",
        "path": ["evidence", 0, "likelihood", "DOG"],  # the machine-readable location beside the text
        "code": "bad-rating",
    }
    assert {d["level"] for d in report[2]["diagnostics"]} == {"warning"}
    assert proc.err == ""


def test_validate_reads_stdin():
    good = ach("validate", "-", stdin=MINI.read_bytes())
    assert good.returncode == 0 and "-: valid" in good.out
    bad = ach("validate", "-", stdin=(BAD / "bad_rating.yaml").read_bytes())
    assert bad.returncode == 1 and located(bad.err, "-") == [13]


# -- analyze ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def k1_json():
    proc = ach("analyze", K1, "--no-sample", "--json")
    assert proc.returncode == 0, proc.err
    return json.loads(proc.out)


def test_analyze_json_contract(k1_json):
    out = k1_json
    hyps = ["KH", "IAM", "ISIS", "SUNNI", "OTHER"]
    assert out["ach_version"] == metadata.version("ach")
    assert out["case"]["path"] == str(K1)
    assert out["case"]["sha256"] == hashlib.sha256(K1.read_bytes()).hexdigest()
    assert out["case"]["title"].startswith("K-1 rocket attack")
    assert out["hypotheses"] == hyps

    inputs = out["inputs"]
    assert set(inputs["prior"]) == set(hyps) and sum(inputs["prior"].values()) == pytest.approx(1)
    assert inputs["sources"]["us-gov"]["reliability"] == 0.65
    assert inputs["sources"]["us-gov"]["items"][:2] == ["E01", "E02"]
    assert len(inputs["evidence"]) == 27  # as of the case's date: E28-E31 are later reporting
    assert out["judgment"]["hindsight_items"] == ["E28", "E29", "E30", "E31"]
    e01 = inputs["evidence"]["E01"]
    assert set(e01) >= {"source", "credibility", "likelihood", "if_false", "concentration"}
    assert e01["source"] == "us-gov" and e01["credibility"] == 0.6
    assert set(e01["likelihood"]) == set(hyps) and e01["if_false"]["IAM"] == 0.75
    assert e01["likelihood"]["OTHER"] == 0.15

    posterior = out["exact"]["posterior"]
    assert list(posterior) == hyps
    assert sum(posterior.values()) == pytest.approx(1, abs=1e-9)
    assert all(0 <= p <= 1 for p in posterior.values())
    assert set(out["heuer"]["inconsistency"]) == set(hyps)
    assert set(out["heuer"]["weighted_inconsistency"]) == set(hyps)
    assert [e["id"] for e in out["evidence"]][:3] == ["E01", "E02", "E03"]
    assert all(set(e["woe_db"]) == set(hyps) for e in out["evidence"])
    assert "bayes" not in out and "forward" not in out
    assert out["warnings"] == []  # K-1's two non-diagnostic items are acknowledged, with the analyst's reason
    assert [(w["field"], w["code"]) for w in out["acknowledged"]] == [
        ("evidence E13 › likelihood", "non-diagnostic"),
        ("evidence E18 › likelihood", "non-diagnostic"),
    ]
    assert all(w["why"] for w in out["acknowledged"])


def test_pairwise_tables_are_asked_for_and_are_differences_of_weights(k1_json):
    """The n² deciban table per item is opt-in (most of a large case's JSON); asked for, each
    entry is the item's weight for one hypothesis against another, antisymmetric."""
    assert all("pairwise_db" not in e for e in k1_json["evidence"])
    proc = ach("analyze", K1, "--no-sample", "--json", "--pairwise")
    assert proc.returncode == 0, proc.err
    out = json.loads(proc.out)
    e01 = next(e for e in out["evidence"] if e["id"] == "E01")
    table = e01["pairwise_db"]
    assert table["KH"]["KH"] == 0 and table["KH"]["ISIS"] == pytest.approx(-table["ISIS"]["KH"])
    like = out["inputs"]["evidence"]["E01"]["likelihood"]
    assert set(table) == set(like)
    # without any reliability or credibility discount the table would be 10·log10 of the ratio;
    # with them it is smaller in size, of the same sign
    raw = 10 * math.log10(like["KH"] / like["ISIS"])
    assert 0 < abs(table["KH"]["ISIS"]) < abs(raw) and math.copysign(1, table["KH"]["ISIS"]) == math.copysign(1, raw)


def test_json_numbers_keep_their_precision_so_the_inputs_reproduce_the_posterior(tmp_path):
    """A likelihood of 1e-11 is not 0 (ruled out): the JSON keeps every digit, and the
    posterior recomputed by hand from the JSON's own inputs is the JSON's posterior."""
    case = tmp_path / "tiny.yaml"
    case.write_text(
        "question: Which?\nhypotheses:\n  - {id: A, title: A}\n  - {id: B, title: B}\n  - {id: C, title: C}\n"
        "evidence:\n"
        "  - {id: E1, text: one, likelihood: {A: 1.0e-11, B: 3.0e-12, C: 0.5}, if_false: 0.2}\n"
        "  - {id: E2, text: two, likelihood: {A: 0.9, B: 0.1234567890123, C: 1.0e-9}, if_false: 0.3}\n",
        encoding="utf-8",
    )
    proc = ach("analyze", case, "--no-sample", "--json", "-q")
    assert proc.returncode == 0, proc.err
    out = json.loads(proc.out)
    ev = out["inputs"]["evidence"]
    assert ev["E1"]["likelihood"]["A"] == 1e-11 and ev["E2"]["likelihood"]["B"] == 0.1234567890123
    prior = out["inputs"]["prior"]
    unnormalised = {
        h: prior[h]
        * math.prod(
            e["credibility"] * e["likelihood"][h] + (1 - e["credibility"]) * e["if_false"][h] for e in ev.values()
        )
        for h in prior
    }
    total = sum(unnormalised.values())
    for h, p in out["exact"]["posterior"].items():
        assert p == pytest.approx(unnormalised[h] / total, rel=1e-12)
    assert 0 < out["exact"]["posterior"]["B"] < 1e-2  # small, and not printed as "ruled out"


def test_analyze_agrees_with_the_library(k1_json):
    import ach as library

    result = library.analyze(K1, sample=False)
    assert list(k1_json["exact"]["posterior"].values()) == pytest.approx(list(result.posterior), abs=1e-9)
    assert k1_json["leading"] == result.leading


def test_analyze_reads_stdin(k1_json):
    raw = K1.read_bytes()
    proc = ach("analyze", "-", "--no-sample", "--json", stdin=raw)
    assert proc.returncode == 0, proc.err
    out = json.loads(proc.out)
    assert out["case"]["sha256"] == hashlib.sha256(raw).hexdigest()
    assert out["exact"]["posterior"] == k1_json["exact"]["posterior"]


def test_analyze_json_is_standard_json_even_with_a_zero_likelihood():
    proc = ach("analyze", WARNINGS, "--no-sample", "--json")
    assert proc.returncode == 0

    def refuse(constant):
        raise ValueError(f"{constant} is not JSON")

    json.loads(proc.out, parse_constant=refuse)


def test_analyze_prints_a_summary():
    proc = ach("analyze", MINI, "--no-sample")
    assert proc.returncode == 0, proc.err
    assert "Bottom line: The child (KID) is the leading hypothesis" in proc.out
    assert all(h in proc.out for h in ("DOG", "KID", "OTHER"))


@pytest.mark.parametrize(
    "name", ["many_errors.yaml", "syntax.yaml", "impossible.yaml", "not_utf8.yaml", "uncertain_zero_prior.yaml"]
)
def test_analyze_bad_file_fails_cleanly(name):
    path = BAD / name
    proc = ach("analyze", path, "--no-sample", "--json")
    assert proc.returncode == 1
    assert proc.out == ""
    assert located(proc.err, path)
    assert "nothing was analysed" in proc.err


def test_analyze_missing_file_and_bad_stdin():
    missing = ach("analyze", "no/such/case.yaml", "--no-sample")
    assert missing.returncode == 1 and "no/such/case.yaml: error: no such file" in missing.err
    garbage = ach("analyze", "-", "--no-sample", stdin=b"\x00\xff\xfe garbage")
    assert garbage.returncode == 1 and "-:1: error:" in garbage.err
    empty = ach("analyze", "-", "--no-sample", stdin=b"")
    assert empty.returncode == 1 and "empty" in empty.err


def test_a_bug_in_ach_is_one_line_not_a_traceback(monkeypatch):
    from click.testing import CliRunner

    import ach.analysis
    from ach.cli import main

    def broken(*args, **kwargs):
        raise RuntimeError("engine exploded")

    monkeypatch.setattr(ach.analysis, "analyze", broken)
    result = CliRunner().invoke(main, ["analyze", str(MINI), "--no-sample"])
    assert result.exit_code == 3
    assert "internal error: RuntimeError: engine exploded" in result.output
    assert "ACH_DEBUG=1" in result.output and "Traceback" not in result.output
    monkeypatch.setenv("ACH_DEBUG", "1")
    result = CliRunner().invoke(main, ["analyze", str(MINI), "--no-sample"])
    assert isinstance(result.exception, RuntimeError)


# -- the rest of the command line ------------------------------------------------------


def test_schema_is_the_packaged_schema():
    proc = ach("schema")
    assert proc.returncode == 0
    packaged = json.loads(resources.files("ach").joinpath("schema/case.schema.json").read_text())
    assert json.loads(proc.out) == packaged
    assert packaged["required"] == ["question", "hypotheses", "evidence"]


def test_version():
    proc = ach("--version")
    assert proc.returncode == 0
    assert proc.out.strip() == f"ach, version {metadata.version('ach')}"


@pytest.mark.parametrize(
    "args",
    [("--bogus",), ("analyze", MINI, "--bogus"), ("frobnicate",), ("validate",), ("analyze", MINI, "--draws", "x")],
)
def test_command_line_mistakes_exit_2(args):
    proc = ach(*args)
    assert proc.returncode == 2
    assert "Usage:" in proc.err or "Error:" in proc.err


# -- one sampled run -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def sampled():
    """NUTS through the command line (the default engine is exercised below)."""
    proc = ach(
        "analyze",
        MINI,
        "--json",
        "--sampler",
        "nuts",
        "--draws",
        "200",
        "--tune",
        "200",
        "--chains",
        "2",
        "--seed",
        "11",
    )
    assert proc.returncode == 0, proc.err
    return proc


def test_sampled_run_prints_pure_json_with_the_uncertainty(sampled):
    out = json.loads(sampled.out)  # the whole of stdout: progress went to stderr
    assert "NUTS" in sampled.err
    hyps = out["hypotheses"]
    bayes = out["bayes"]
    assert set(bayes) >= {"mean", "hdi90", "p_leading", "r_hat_max", "ess_bulk_min", "divergences", "chains", "draws"}
    assert (bayes["chains"], bayes["draws"]) == (2, 200)
    assert sum(bayes["mean"].values()) == pytest.approx(1, abs=1e-6)
    assert sum(bayes["p_leading"].values()) == pytest.approx(1, abs=1e-6)
    assert bayes["r_hat_max"] >= 0.99 and bayes["ess_bulk_min"] > 0 and bayes["divergences"] >= 0
    forward = out["forward"]
    assert set(forward) >= {"hdi90", "p_leading"}
    for block in (bayes, forward):
        assert list(block["hdi90"]) == hyps
        for lo, hi in block["hdi90"].values():
            assert 0 <= lo <= hi <= 1
    for h in hyps:  # the stratified mean agrees with the exact posterior
        assert bayes["mean"][h] == pytest.approx(out["exact"]["posterior"][h], abs=0.03)
    assert out["provenance"]["seed"] == 11
    assert bayes["sampler"] == "nuts" and (bayes["chains"], bayes["draws"]) == (2, 200)


def test_default_engine_is_the_exact_draws_and_quiet_is_quiet():
    loud = ach("analyze", MINI, "--json", "--seed", "3")
    assert loud.returncode == 0, loud.err
    out = json.loads(loud.out)
    assert out["bayes"]["sampler"] == "exact" and out["bayes"]["healthy"]
    assert out["bayes"]["mc_error"]["max"] <= 0.005 and out["forward"]["mc_error"]["max"] <= 0.005
    quiet = ach("analyze", MINI, "--json", "--seed", "3", "--quiet")
    assert quiet.returncode == 0 and quiet.err == "" and json.loads(quiet.out) == out


def test_compiling_is_said_only_when_it_happens(tmp_path):
    """The exact sampler's loop compiles once into the cache folder, and says so then only."""
    env = {**os.environ, "ACH_CACHE_DIR": str(tmp_path)}
    runs = [
        subprocess.run([*ACH, "analyze", str(MINI), "--json"], capture_output=True, text=True, env=env, cwd=ROOT)
        for _ in range(2)
    ]
    assert [r.returncode for r in runs] == [0, 0], runs[0].stderr
    assert "compiling the exact sampler" in runs[0].stderr and str(tmp_path / "numba") in runs[0].stderr
    assert "compiling" not in runs[1].stderr  # loaded from the cache
    assert any((tmp_path / "numba").rglob("*.nbi")) and not (tmp_path / "pytensor").exists()  # PyMC never ran
    assert json.loads(runs[0].stdout)["bayes"] == json.loads(runs[1].stdout)["bayes"]


def test_quiet_silences_pymc_too():
    proc = ach("analyze", MINI, "--sampler", "nuts", "--draws", "100", "--tune", "100", "--chains", "2", "-q")
    assert proc.returncode == 0, proc.err
    # only what the analyst must see (a short run may fail its diagnostics); nothing of PyMC's own
    assert all(line.startswith("WARNING") for line in proc.err.splitlines() if line.strip()), proc.err
