"""The installed `ach sensitivity`, `ach whatif` and `ach collect` commands."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import ach

from .conftest import K1

ACH = Path(sys.executable).parent / "ach"


def run(*args, cwd=None):
    return subprocess.run([str(ACH), *map(str, args)], capture_output=True, text=True, cwd=cwd, timeout=600)


def test_whatif_json_matches_the_library_and_leaves_the_file_alone():
    before = K1.read_bytes()
    out = run(
        "whatif",
        K1,
        "--drop",
        "E02",
        "--set",
        "E03.KH=unlikely",
        "--reliability",
        "us-gov=0.3",
        "--credibility",
        "E05=4",
        "--prior",
        "ISIS=30",
        "--json",
    )
    assert out.returncode == 0, out.stderr
    got = json.loads(out.stdout)
    from ach.analysis import whatif

    w = whatif(
        ach.load(K1),
        drop=["E02"],
        set={"E03.KH": "unlikely"},
        reliability={"us-gov": 0.3},
        credibility={"E05": 4},
        prior={"ISIS": 30},
    )
    np.testing.assert_allclose([got["after"][h] for h in w.after.hypotheses], w.after.posterior)
    assert len(got["changes"]) == 5
    assert K1.read_bytes() == before


def test_whatif_table_says_whether_the_leader_changes():
    out = run("whatif", K1, "--drop", "us-gov")
    assert out.returncode == 0
    assert "The leading hypothesis changes to ISIS" in out.stdout


@pytest.mark.parametrize(
    "args, expected",
    [
        (["--set", "E03KH=likely"], "does not name a cell"),
        (["--set", "E03.KHH=likely"], "did you mean 'KH'"),
        (["--reliability", "us-govt=0.3"], "did you mean 'us-gov'"),
        (["--drop", "E77"], "E77"),
    ],
)
def test_whatif_bad_edits_exit_1_with_a_located_message(args, expected):
    out = run("whatif", K1, *args)
    assert out.returncode == 1
    assert expected in out.stderr and "Traceback" not in out.stderr


def test_whatif_malformed_option_is_a_usage_error():
    out = run("whatif", K1, "--set", "E03.KH")
    assert out.returncode == 2 and "KEY=VALUE" in out.stderr


def test_collect_ranks_the_k1_candidates():
    out = run("collect", K1, "--json")
    assert out.returncode == 0, out.stderr
    got = json.loads(out.stdout)
    gains = [c["info_gain_bits"] for c in got["candidates"]]
    assert len(gains) >= 4 and gains == sorted(gains, reverse=True)
    assert got["hardest_pairs"][0]["a"] == "KH" and got["hardest_pairs"][0]["b"] == "ISIS"
    text = run("collect", K1).stdout
    assert "Hardest to tell apart" in text and "C1" in text


def test_sensitivity_json_and_figures(tmp_path):
    out = run("sensitivity", K1, "--no-sample", "--json", "--out", tmp_path)
    assert out.returncode == 0, out.stderr
    got = json.loads(out.stdout)["sensitivity"]
    assert set(got) >= {"leave_one_out", "tornado", "thresholds", "reliability_sweeps", "timeline"}
    assert got["leave_one_out"]["linchpins"]["sources"] == ["us-gov"]
    assert list(tmp_path.glob("*.png"))
    text = run("sensitivity", K1, "--no-sample", "--out", tmp_path).stdout
    assert "Linchpins" in text and "Tornado" in text and "you would need to believe beforehand" in text
