"""Benchmark of the team model (docs/MODEL.md §8): time and ESS per second of the pooled model.

    .venv/bin/python benchmarks/team.py            # four K-1 analysts, and 10 analysts × 300 items × 10 hypotheses
    .venv/bin/python benchmarks/team.py --quick    # 2 chains × 300 draws (+300)

Prints a Markdown table on stdout (progress on stderr). Measurement, not a
test: nothing asserts. The settings are ``ach team analyze``'s defaults (4
chains × 1000 draws after 1000 tuning steps, its seed), whatever the core
count: what a user waits for. The compile cache is ach's usual one; a short
warm-up run of each case compiles first, so the table gives warm runs. ESS/s
is the smallest bulk ESS (team posterior, biases, noise scales) over the
sampling time of the pooled model; the load average is read before and after.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from ach.team import analyze_team  # noqa: E402


def synthetic_team(folder: Path, analysts=10, items=300, hyps=10, seed=1) -> list[Path]:
    """``analysts`` files of one random ``items`` × ``hyps`` matrix, each analyst biased and noisy around it."""
    rng = np.random.default_rng(seed)
    truth = rng.normal(0, 1.2, (items, hyps))
    sources = [f"s{s}" for s in range(items // 10)]
    paths = []
    for a in range(analysts):
        bias, noise = rng.normal(0, 0.3), 0.3 * np.exp(0.3 * rng.standard_normal())
        cells = 1 / (1 + np.exp(-(truth + bias + noise * rng.standard_normal(truth.shape))))
        cells = np.clip(cells, 0.02, 0.98).round(3)
        lines = [f"title: synthetic team case\nquestion: which hypothesis?\nanalyst: analyst-{a:02d}\nhypotheses:"]
        lines += [f"  - id: H{j}\n    title: hypothesis {j}" for j in range(hyps)]
        lines.append("sources:")
        lines += [f"  - id: {s}\n    title: source {s}\n    reliability: 0.8" for s in sources]
        lines.append("evidence:")
        for i in range(items):
            cell = ", ".join(f"H{j}: {cells[i, j]}" for j in range(hyps))
            lines.append(
                f"  - id: E{i}\n    text: item {i}\n    source: {sources[i // 10]}\n    likelihood: {{{cell}}}"
            )
        path = folder / f"analyst-{a:02d}.yaml"
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        paths.append(path)
    return paths


def measure(name, paths, draws, tune, chains):
    analyze_team(paths, draws=50, tune=50, chains=1, seed=1)  # warm the compile cache (the same model)
    load = os.getloadavg()[0]
    start = time.perf_counter()
    r = analyze_team(paths, draws=draws, tune=tune, chains=chains)  # the command's seed
    total = time.perf_counter() - start
    p = r.pooled
    return (
        f"| {name} | {len(r.team.analysts)} × {len(r.team.items)} × {len(r.team.hypotheses)} | "
        f"{chains} × {draws} (+{tune}) | {total:.1f} | {p.seconds:.1f} | {p.ess_bulk_min:.0f} | "
        f"{p.ess_bulk_min / p.seconds:.0f} | {p.r_hat_max:.3f} | {p.divergences} | "
        f"{'yes' if p.healthy else 'NO'} | {load:.2f} → {os.getloadavg()[0]:.2f} |"
    )


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, stream=sys.stderr, format="%(message)s")
    draws, tune, chains = (300, 300, 2) if args.quick else (1000, 1000, 4)
    print(f"Team model, {os.cpu_count()} cores, load average {os.getloadavg()[0]:.2f}\n")
    print(
        "| case | analysts × items × hypotheses | chains × draws (+tune) | total s | NUTS s | bulk ESS min | ESS/s "
        "| R-hat max | divergences | healthy | load average (before → after) |"
    )
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    k1 = sorted((ROOT / "cases" / "k1-team").glob("*.yaml"))
    print(measure("four K-1 analysts", k1, draws, tune, chains), flush=True)
    with tempfile.TemporaryDirectory() as tmp:
        print(measure("synthetic", synthetic_team(Path(tmp)), draws, tune, chains), flush=True)


if __name__ == "__main__":
    main()
