"""The fuzzing campaign of tests/fuzz/campaign.py, with a fixed budget, as part of the suite.

Each reader (YAML, XLSX, CSV, .achz, other tools' JSON) gets ACH_FUZZ_INPUTS mutated inputs
(default 300; the seed is fixed, so a run is repeatable), each under a time
limit, in a child process whose address space is limited. A finding (an
exception other than CaseError, an error that says not where, an input over
the time or memory limit) fails the test and is saved for replay.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
INPUTS = int(os.environ.get("ACH_FUZZ_INPUTS", "300"))


@pytest.mark.parametrize("fmt", ["yaml", "xlsx", "csv", "achz", "json"])
def test_no_input_crashes_or_hangs_a_reader(fmt, tmp_path):
    proc = subprocess.run(
        [
            sys.executable,
            str(HERE / "fuzz" / "campaign.py"),
            "--format",
            fmt,
            "--inputs",
            str(INPUTS),
            "--seed",
            "20191227",
            "--time-limit",
            "10",
            "--memory",
            "3072",
            "--findings",
            str(tmp_path),
        ],
        capture_output=True,
        text=True,
        timeout=1200,
    )
    assert proc.returncode in (0, 1), proc.stderr[-3000:]
    summary = json.loads(proc.stdout.strip().splitlines()[-1])
    print(summary)
    assert summary["inputs"] == INPUTS
    assert summary["findings"] == 0, f"{summary['kinds']} (inputs saved in {tmp_path})"
    assert summary["accepted"] > 0 and summary["refused"] > 0  # the mutations reach both endings
