"""Behaviour pinned: every case's JSON and Markdown report equal the golden files.

The golden files (``tests/golden``, made by ``tests/golden/make.py``) hold
``ach analyze --json --no-sample`` and the Markdown report of each case in
``cases/``. Keys added to the JSON since they were made are allowed (the
contract allows new keys); every key they hold must still be there, with
every number equal to 1e-9 and every text equal.
"""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
GOLDEN = HERE / "golden"
CASES = sorted(p.stem for p in GOLDEN.glob("*.json"))

sys.path.insert(0, str(GOLDEN))
from make import outputs  # noqa: E402


def differences(golden, now, where="") -> list[str]:
    """Every place where ``now`` fails to hold what ``golden`` holds."""
    if isinstance(golden, dict):
        if not isinstance(now, dict):
            return [f"{where}: a mapping became {type(now).__name__}"]
        out = []
        for key, value in golden.items():
            if key not in now:
                out.append(f"{where}.{key}: missing")
            else:
                out += differences(value, now[key], f"{where}.{key}")
        return out
    if isinstance(golden, list):
        if not isinstance(now, list) or len(now) != len(golden):
            return [f"{where}: a list of {len(golden)} became {now!r:.80}"]
        return [d for i, (a, b) in enumerate(zip(golden, now)) for d in differences(a, b, f"{where}[{i}]")]
    if isinstance(golden, float) and isinstance(now, (int, float)) and not isinstance(now, bool):
        return [] if math.isclose(golden, now, rel_tol=0, abs_tol=1e-9) else [f"{where}: {golden!r} became {now!r}"]
    return [] if golden == now and type(golden) is type(now) else [f"{where}: {golden!r:.80} became {now!r:.80}"]


def test_every_case_has_golden_files():
    cases = sorted(p.stem for p in (HERE.parent / "cases").glob("*.yaml"))
    assert cases == CASES, "run tests/golden/make.py for new cases"


@pytest.mark.parametrize("name", CASES)
def test_json_and_report_are_unchanged(name, monkeypatch):
    monkeypatch.chdir(HERE.parent)
    data, markdown = outputs(Path("cases") / f"{name}.yaml")
    golden = json.loads((GOLDEN / f"{name}.json").read_text())
    problems = differences(golden, json.loads(json.dumps(data)))
    assert not problems, "\n".join(problems[:20])
    assert markdown == (GOLDEN / f"{name}.report.md").read_text()


def test_differences_sees_a_change():
    assert differences({"a": [1.0, {"b": "x"}]}, {"a": [1.0 + 2e-9, {"b": "x"}], "new": 1}) == [
        ".a[0]: 1.0 became 1.000000002"
    ]
    assert differences({"a": 1}, {}) == [".a: missing"]
