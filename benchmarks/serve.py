"""How soon the workbench shows the new posterior after an edit (issue 12: within 150 ms on K-1).

    .venv/bin/python benchmarks/serve.py            # about a minute; needs chromium (see tests/browser.py)
    .venv/bin/python benchmarks/serve.py --edits 40 --against 25924b9

Table 1 is measured **in the browser**: a cell of K-1 re-rated by keyboard,
from the Enter key to the posterior panel showing the new numbers (the
preview, computed in memory) and to the saved file's analysis replacing it.
Table 2 times the library path behind one saved edit (``editing.rate`` then
``analyze(..., sample=False).to_dict()``) for the previous version (a git
worktree of ``--against``) and this one, in the same run. Measurement, not a
test: nothing asserts on time.
"""

from __future__ import annotations

import argparse
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.browser import browser_page, missing, serving  # noqa: E402

PREVIOUS = "25924b9"  # the last version before ach serve
CELL = '[data-item="E07"][data-hypothesis="IAM"]'  # re-rated back and forth: likely, 0.45 (as in K-1)
WATCH = """() => {
  window.marks = []; window.t0 = null;
  document.addEventListener('keydown', (e) => {
    if (e.key === 'Enter' && document.querySelector('.cell input')) { window.t0 = performance.now(); window.marks = []; }
  }, true);
  new MutationObserver(() => {
    if (window.t0 === null) return;
    window.marks.push([performance.now() - window.t0, document.querySelector('[data-posterior="IAM"]').textContent,
      document.getElementById('bottom-line').classList.contains('saving')]);  // true: the edit not answered yet
  }).observe(document.getElementById('posterior'), { childList: true, subtree: true });
}"""
LIBRARY = """
import json, shutil, statistics, sys, time
sys.path.insert(0, sys.argv[1])
import ach
from ach import editing
shutil.copy(sys.argv[2], sys.argv[3])
times = []
for i in range(int(sys.argv[4]) + 1):
    t = time.perf_counter()
    done = editing.rate(sys.argv[3], "E07", "IAM", "likely" if i % 2 == 0 else 0.45)
    ach.analyze(done.case, sample=False).to_dict()
    times.append(time.perf_counter() - t)
print(json.dumps(times[1:]))  # the first pays for imports
"""


def quantiles(values: list[float]) -> tuple[float, float, float]:
    ordered = sorted(values)
    return statistics.median(ordered), ordered[int(0.9 * (len(ordered) - 1))], ordered[-1]


def in_the_browser(edits: int) -> list[str]:
    folder = Path(tempfile.mkdtemp(prefix="ach-serve-bench-"))
    shutil.copy(ROOT / "cases" / "k1.yaml", folder / "k1.yaml")
    preview, saved = [], []
    with serving(folder, "k1.yaml") as url, browser_page() as page:
        page.goto(url)
        page.wait_for_selector('[data-posterior="KH"]')
        page.evaluate(WATCH)
        for i in range(edits):
            value, was = ("likely", "0.45") if i % 2 == 0 else ("0.45", "likely")
            # The matrix shows the last edit's value (the view is refreshed after the analysis: an edit typed
            # into the old cell would be lost when it is redrawn, or not sent as it equals what the cell says).
            page.wait_for_function(f"() => document.querySelector('{CELL}').dataset.value === '{was}'")
            page.wait_for_timeout(300)  # and the page is at rest
            before = page.locator('[data-posterior="IAM"]').inner_text()
            page.locator(CELL).click()
            page.keyboard.press("Control+A")
            page.keyboard.type(value)
            page.keyboard.press("Enter")
            # Only a mark showing a new IAM counts: the panel also redraws with the old numbers (intervals).
            page.wait_for_function(
                "(before) => window.marks.some(m => m[1] !== before && !m[2])", arg=before, timeout=20_000
            )
            marks = page.evaluate("window.marks")
            preview.append(next(m[0] for m in marks if m[1] != before))
            saved.append(next(m[0] for m in marks if m[1] != before and not m[2]))
    shutil.rmtree(folder, ignore_errors=True)
    rows = ["| shown | median ms | 90th percentile ms | worst ms |", "|---|---:|---:|---:|"]
    for name, values in (("preview (in memory)", preview), ("saved file's analysis", saved)):
        rows.append(f"| {name} | " + " | ".join(f"{v:.0f}" for v in quantiles(values)) + " |")
    return rows


def library(edits: int, against: str) -> list[str]:
    tree = Path(tempfile.mkdtemp(prefix="ach-previous-"))
    subprocess.run(
        ["git", "-C", str(ROOT), "worktree", "add", "--detach", "-f", str(tree), against],
        check=True,
        capture_output=True,
    )
    got = {}
    try:
        for name, where in (("previous", tree), ("this", ROOT)):
            scratch = Path(tempfile.mkdtemp()) / "k1.yaml"
            out = subprocess.run(
                [sys.executable, "-c", LIBRARY, str(where), str(ROOT / "cases" / "k1.yaml"), str(scratch), str(edits)],
                check=True,
                capture_output=True,
                text=True,
            )
            got[name] = quantiles([float(x) for x in __import__("json").loads(out.stdout)])
    finally:
        subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", str(tree)], capture_output=True)
    rows = [
        "| one saved edit of K-1 + its analysis | previous ms | this ms | this / previous |",
        "|---|---:|---:|---:|",
    ]
    for i, name in enumerate(("median", "90th percentile", "worst")):
        prev, this = got["previous"][i], got["this"][i]
        rows.append(f"| {name} | {1000 * prev:.0f} | {1000 * this:.0f} | {this / prev:.2f} |")
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--edits", type=int, default=20)
    parser.add_argument("--against", default=PREVIOUS, help=f"the previous version, a git ref ({PREVIOUS})")
    args = parser.parse_args()
    print(f"machine: {platform.machine()}, {platform.python_version()}, {__import__('os').cpu_count()} cores\n")
    why = missing()
    if why:
        print(f"table 1 not measured: {why}\n")
    else:
        print(f"## 1. K-1 re-rated by keyboard, Enter to new posterior on the page ({args.edits} edits)\n")
        print("\n".join(in_the_browser(args.edits)) + "\n")
    print(f"## 2. The library behind a saved edit, previous version ({args.against}) against this one\n")
    print("\n".join(library(args.edits, args.against)))


if __name__ == "__main__":
    main()
