"""Benchmarks of ach: how fast the engines are and how well the sampler does.

    .venv/bin/python benchmarks/run.py            # about 5-8 minutes on 2 cores
    .venv/bin/python benchmarks/run.py --quick    # about 3 minutes

Prints Markdown tables on stdout (progress on stderr), so
``benchmarks/run.py > my-results.md`` keeps a record. This is measurement, not
a test: nothing asserts on wall-clock time. See benchmarks/README.md for what
each table means.
"""

from __future__ import annotations

import argparse
import atexit
import datetime as dt
import json
import logging
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import timeit
import warnings
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
K1 = ROOT / "cases" / "k1.yaml"
ACH = Path(sys.executable).parent / "ach"

EXACT_SIZES = [(10, 3), (30, 5), (100, 10), (300, 10), (1000, 20), (3000, 30)]
SYNTH_SAMPLED = (300, 10)
SYNTH_SAMPLED_SEED = 1  # a matrix on which several hypotheses stay live (see README)
FORWARD_DRAWS = 2000  # draws x chains of the default sampler settings
FORWARD_MAX_BYTES = 0.5e9  # skip the over-draws column when one (draws, I, n) array is bigger
FORWARD_MAX_BYTES_QUICK = 0.1e9


def say(msg: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


# -- synthetic cases ------------------------------------------------------------


def synthetic(n_items: int, n_hyp: int, seed: int = 0):
    """An ``Inputs`` built directly (no parsing): items spread over sqrt(I) sources,
    likelihoods uniform in (0.02, 0.98), random credibilities and reliabilities,
    every input uncertain (finite concentrations), uniform fixed prior and the
    default if_false (each item's mean likelihood)."""
    from ach.inputs import Inputs

    rng = np.random.default_rng(seed)
    n_src = max(1, round(np.sqrt(n_items)))
    m = rng.uniform(0.02, 0.98, (n_items, n_hyp))
    # every source gets at least one item, the rest are spread at random
    source_index = np.concatenate([np.arange(n_src), rng.integers(0, n_src, n_items - n_src)])
    rng.shuffle(source_index)
    return Inputs(
        hypotheses=[f"H{j}" for j in range(n_hyp)],
        items=[f"E{i}" for i in range(n_items)],
        sources=[f"S{s}" for s in range(n_src)],
        prior=np.full(n_hyp, 1.0 / n_hyp),
        prior_concentration=None,
        m=m,
        kappa=rng.uniform(5, 50, (n_items, n_hyp)),
        b=np.repeat(m.mean(axis=1, keepdims=True), n_hyp, axis=1),
        k=rng.uniform(0.3, 1.0, n_items),
        k_kappa=rng.uniform(5, 40, n_items),
        r=rng.uniform(0.3, 0.95, n_src),
        r_kappa=rng.uniform(4, 40, n_src),
        source_index=source_index.astype(int),
    )


# -- helpers -----------------------------------------------------------------------


def machine_table() -> str:
    # versions from the installed metadata: importing PyTensor here would write
    # to the compile cache before the "cold cache" run
    from importlib.metadata import version

    from ach import __version__

    load = os.getloadavg() if hasattr(os, "getloadavg") else (float("nan"),) * 3
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    rows = [
        ("date", dt.date.today().isoformat()),
        ("cores", f"{os.cpu_count()} ({cpu})"),
        ("load average at start (1/5/15 min)", " / ".join(f"{x:.2f}" for x in load)),
        ("OS", platform.platform()),
        ("Python", platform.python_version()),
        ("numpy", np.__version__),
        ("pymc", version("pymc")),
        ("pytensor", version("pytensor")),
        ("arviz", version("arviz")),
        ("ach", __version__),
    ]
    return table(["", ""], rows)


def table(header: list[str], rows: list[tuple]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join(" --- " for _ in header) + "|"]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def median_seconds(fn, repeats: int, min_time: float) -> float:
    """Median seconds per call: timeit repeats of a loop long enough to time."""
    timer = timeit.Timer(fn)
    number, took = timer.autorange()
    if took < min_time:
        number = max(1, int(number * min_time / max(took, 1e-9)))
    return statistics.median(timer.repeat(repeat=repeats, number=number)) / number


def clean_env(cache: str | None) -> dict:
    """The environment for a child ach, its PyTensor cache pointed at ``cache``."""
    env = dict(os.environ)
    flags = [f for f in env.get("PYTENSOR_FLAGS", "").split(",") if f and not f.startswith("base_compiledir")]
    if flags:
        env["PYTENSOR_FLAGS"] = ",".join(flags)
    else:
        env.pop("PYTENSOR_FLAGS", None)
    if cache is not None:
        env["ACH_CACHE_DIR"] = cache
    return env


def fmt(x: float, digits: int = 2) -> str:
    return "—" if x is None or not np.isfinite(x) else f"{x:.{digits}f}"


# -- 1. exact engine -------------------------------------------------------------------


def full_exact(inp):
    """The exact part of ``ach.analyze`` (everything but the classic Heuer scores,
    which need a parsed Case)."""
    from ach import exact

    log_item = exact.item_log_likelihood(inp)
    log_source = exact.log_likelihoods(inp)
    post = exact.posterior(inp)
    item_woe = exact.weight_of_evidence(log_item, inp.prior)
    source_woe = exact.weight_of_evidence(log_source, inp.prior)
    pairwise = exact.pairwise_db(log_item)
    return post, item_woe, source_woe, pairwise


def bench_exact(quick: bool) -> str:
    from ach import exact

    repeats, min_time = (3, 0.05) if quick else (7, 0.2)
    rows = []
    for n_items, n_hyp in EXACT_SIZES:
        inp = synthetic(n_items, n_hyp)
        t_post = median_seconds(lambda: exact.posterior(inp), repeats, min_time)
        t_full = median_seconds(lambda: full_exact(inp), repeats, min_time)
        nbytes = FORWARD_DRAWS * n_items * n_hyp * 8
        limit = FORWARD_MAX_BYTES_QUICK if quick else FORWARD_MAX_BYTES
        if nbytes <= limit:
            rng = np.random.default_rng(0)
            L = np.clip(
                rng.beta(inp.m * inp.kappa, (1 - inp.m) * inp.kappa, (FORWARD_DRAWS, n_items, n_hyp)), 1e-12, 1 - 1e-12
            )
            t_draws = median_seconds(lambda: exact.posterior(inp, L=L), max(3, repeats // 2), min_time)
            draws_col = fmt(1e3 * t_draws, 1)
        else:
            draws_col = f"skipped ({nbytes / 1e9:.2f} GB per array)"
        say(
            f"exact {n_items}x{n_hyp}: posterior {1e3 * t_post:.3f} ms, full {1e3 * t_full:.3f} ms, over draws {draws_col}"
        )
        rows.append(
            (
                f"{n_items} × {n_hyp}",
                len(inp.sources),
                fmt(1e3 * t_post, 3),
                fmt(1e3 * t_full, 3),
                fmt(1e6 * t_full / n_items, 2),
                draws_col,
            )
        )
    header = [
        "items × hypotheses",
        "sources",
        "`exact.posterior` (ms)",
        "full exact analysis (ms)",
        "full, µs per item",
        f"`exact.posterior` over {FORWARD_DRAWS} draws of L (ms)",
    ]
    return table(header, rows)


# -- 2. the command line -----------------------------------------------------------------


def bench_sensitivity(quick: bool) -> str:
    """Every sensitivity computation (exact engine, issue: well under a second at 300 x 10)."""
    from ach import sensitivity as sens

    rows = []
    for n_items, n_hyp in [(30, 5), (300, 10), (1000, 20)] + ([] if quick else [(3000, 30)]):
        inp = synthetic(n_items, n_hyp)
        dates = [f"2020-{1 + i % 12:02d}-{1 + i % 28:02d}" for i in range(n_items)]
        parts = sens.Decomposition.of(inp)
        sens.tornado(inp, parts)  # first call imports scipy.special: not part of the cost
        steps = {
            "leave-one-out": lambda: sens.leave_one_out(inp, parts),
            "tornado": lambda: sens.tornado(inp, parts),
            "thresholds": lambda: sens.item_thresholds(inp, parts),
            "prior threshold": lambda: sens.prior_threshold(inp, parts),
            "3 reliability sweeps": lambda: [sens.reliability_sweep(inp, s, parts=parts) for s in range(3)],
            "timeline": lambda: sens.timeline(inp, dates),
        }
        times = {name: median_seconds(fn, 3 if quick else 5, 0.05) for name, fn in steps.items()}
        total = median_seconds(lambda: sens.Decomposition.of(inp), 3, 0.05) + sum(times.values())
        rows.append((f"{n_items}×{n_hyp}", *(fmt(1000 * t, 1) for t in times.values()), fmt(1000 * total, 1)))
    return table(["items × hyp", *steps, "all (ms)"], rows)


def run_cli(args: list[str], cache: str | None) -> tuple[float, dict | None, str]:
    cmd = [str(ACH), "analyze", str(K1), "--json", *args]
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, env=clean_env(cache), cwd=ROOT)
    took = time.perf_counter() - t0
    if proc.returncode != 0:
        say(f"{' '.join(cmd)} exited {proc.returncode}:\n{proc.stderr[-2000:]}")
        return took, None, f"exit {proc.returncode}"
    try:
        return took, json.loads(proc.stdout), "ok"
    except json.JSONDecodeError as exc:
        return took, None, f"bad JSON ({exc})"


def bench_cli(quick: bool, cache: str) -> str:
    sampler = ["--draws", "300", "--tune", "300"] if quick else []
    given = "`--draws 300 --tune 300`" if quick else "default settings"
    rows = []

    n_fast = 3
    times = []
    for _ in range(n_fast):
        took, out, status = run_cli(["--no-sample"], cache)
        times.append(took)
    say(f"cli --no-sample: {', '.join(f'{t:.2f}' for t in times)} s")
    rows.append(("`--no-sample`", f"median of {n_fast}", "—", fmt(statistics.median(times), 2), status, "—", "—", "—"))

    for label, note in (
        ("sampling, cold cache", "fresh ACH_CACHE_DIR"),
        ("sampling, warm cache", "same ACH_CACHE_DIR again"),
    ):
        say(f"cli {label} ({given}) ...")
        took, out, status = run_cli(sampler, cache)
        say(f"cli {label}: {took:.1f} s {status}")
        b = (out or {}).get("bayes", {})
        if not b:
            settings = "—"
        elif b["chains"] is None:  # exact draws: no chains, no tuning
            settings = f"{b['sampler']}, {b['draws']:,} draws"
        else:
            settings = f"{b['sampler']}, {b['chains']} chains × {b['draws']} draws, tune {b['tune']}"
        rows.append(
            (
                f"{label}, {given}",
                f"1 run, {note}",
                settings,
                fmt(took, 1),
                status,
                fmt(b.get("r_hat_max", np.nan), 3),
                fmt(b.get("ess_bulk_min", np.nan), 0),
                b.get("divergences", "—"),
            )
        )
    header = [
        "`ach analyze cases/k1.yaml --json`",
        "runs",
        "sampler (from the JSON)",
        "wall time (s)",
        "exit",
        "R-hat max",
        "min bulk ESS",
        "divergences",
    ]
    return table(header, rows)


# -- 5. end to end without sampling, from a case file --------------------------------------


PIPELINE_SIZES = [(30, 5), (100, 10), (300, 10), (1000, 20), (3000, 30)]
PIPELINE_SIZES_QUICK = PIPELINE_SIZES[:3]


def synthetic_yaml(n_items: int, n_hyp: int, seed: int = 0) -> str:
    """A case file with the same random structure as :func:`synthetic` (block YAML,
    numeric likelihoods, reliabilities and credibilities)."""
    rng = np.random.default_rng(seed)
    n_src = max(1, round(np.sqrt(n_items)))
    source_index = np.concatenate([np.arange(n_src), rng.integers(0, n_src, n_items - n_src)])
    rng.shuffle(source_index)
    lines = [f"title: Synthetic {n_items} x {n_hyp}", "question: Which hypothesis?", "hypotheses:"]
    for j in range(n_hyp):
        lines += [f"  - id: H{j}", f"    title: Hypothesis {j}"]
        if j == n_hyp - 1:
            lines.append("    catch_all: true")
    lines.append("sources:")
    for s in range(n_src):
        lines += [f"  - id: S{s}", f"    title: Source {s}", f"    reliability: {rng.uniform(0.3, 0.95):.3f}"]
    lines.append("evidence:")
    for i in range(n_items):
        cells = ", ".join(f"H{j}: {v:.3f}" for j, v in enumerate(rng.uniform(0.02, 0.98, n_hyp)))
        lines += [
            f"  - id: E{i}",
            f"    text: Item {i}",
            f"    source: S{source_index[i]}",
            f"    likelihood: {{{cells}}}",
            f"    credibility: {rng.uniform(0.3, 1.0):.3f}",
        ]
    return "\n".join(lines) + "\n"


def bench_pipeline(quick: bool) -> str:
    from ach.analysis import analyze
    from ach.casefile import load

    rows = []
    with tempfile.TemporaryDirectory(prefix="ach-bench-cases-") as folder:
        warm = Path(folder) / "warm-up.yaml"  # first-call imports are not timed
        warm.write_text(synthetic_yaml(10, 3), encoding="utf-8")
        analyze(load(warm), sample=False, progress=False).to_dict()
        for n_items, n_hyp in PIPELINE_SIZES_QUICK if quick else PIPELINE_SIZES:
            path = Path(folder) / f"synthetic-{n_items}x{n_hyp}.yaml"
            path.write_text(synthetic_yaml(n_items, n_hyp), encoding="utf-8")
            t0 = time.perf_counter()
            case = load(path)
            t1 = time.perf_counter()
            result = analyze(case, sample=False, progress=False)
            t2 = time.perf_counter()
            data = result.to_dict()
            t3 = time.perf_counter()
            text = json.dumps(data, indent=2, ensure_ascii=False)
            t4 = time.perf_counter()
            say(
                f"pipeline {n_items}x{n_hyp}: load {t1 - t0:.2f} s, analyze {t2 - t1:.2f} s, to_dict {t3 - t2:.2f} s, dumps {t4 - t3:.2f} s"
            )
            rows.append(
                (
                    f"{n_items} × {n_hyp}",
                    f"{path.stat().st_size / 1e3:.0f}",
                    fmt(t1 - t0, 2),
                    fmt(t2 - t1, 2),
                    fmt(t3 - t2, 2),
                    fmt(t4 - t3, 2),
                    fmt(t4 - t0, 2),
                    f"{len(text.encode()) / 1e6:.1f}",
                )
            )
    header = [
        "items × hypotheses",
        "case file (kB)",
        "`load` (s)",
        "`analyze(sample=False)` (s)",
        "`Result.to_dict` (s)",
        "`json.dumps` (s)",
        "total (s)",
        "JSON (MB)",
    ]
    return table(header, rows)


# -- 3 and 4. the sampler -------------------------------------------------------------------


def bench_sampler(quick: bool):
    from ach import exact, model
    from ach.casefile import load

    say(f"compile cache: {model.configure_cache()}")

    draws = tune = 300 if quick else 1000
    chains, seed = 2, 20191227
    cases = [
        ("K-1 (cases/k1.yaml)", load(K1).inputs),
        (
            f"synthetic {SYNTH_SAMPLED[0]} × {SYNTH_SAMPLED[1]} (seed {SYNTH_SAMPLED_SEED})",
            synthetic(*SYNTH_SAMPLED, seed=SYNTH_SAMPLED_SEED),
        ),
    ]
    eff_rows, agree_rows = [], []
    for name, inp in cases:
        exact_post = exact.posterior(inp)
        say(f"sampler on {name}: forward draws ...")
        t0 = time.perf_counter()
        forward, _ = model.sample_forward(inp, draws=draws * chains, seed=seed + 1)
        t_forward = time.perf_counter() - t0
        say(f"sampler on {name}: stratified NUTS, draws {draws}, tune {tune}, {chains} chains ...")
        t0 = time.perf_counter()
        s = model.sample_stratified(inp, draws=draws, tune=tune, chains=chains, seed=seed, progress=False)
        t_total = time.perf_counter() - t0
        t_sampling = float(s.idata.posterior.attrs.get("sampling_time", np.nan)) if s.idata is not None else 0.0
        say(
            f"{name}: total {t_total:.1f} s, sampling {t_sampling:.1f} s, ESS {s.ess_bulk_min:.0f}, "
            f"R-hat {s.r_hat_max:.3f}, divergences {s.divergences}"
        )
        n, S = inp.shape, len(inp.sources)
        eff_rows.append(
            (
                name,
                f"{n[0]} × {n[1]}, {S} sources",
                f"{len(s.strata)} of {n[1]}",
                f"{draws} / {tune}",
                fmt(t_forward, 1),
                fmt(t_total, 1),
                fmt(t_sampling, 1),
                fmt(t_total - t_sampling, 1),
                fmt(s.ess_bulk_min, 0),
                fmt(s.ess_bulk_min / t_sampling, 1) if t_sampling else "—",
                fmt(s.ess_bulk_min / (t_total + t_forward), 1),
                fmt(s.r_hat_max, 3),
                f"{s.divergences} of {draws * chains}",
                "yes" if s.healthy else "**no**",
            )
        )
        diff = np.abs(s.summary.mean - exact_post)
        with np.errstate(divide="ignore", invalid="ignore"):
            z = diff / s.mc_se
        lead = int(np.argmax(exact_post))
        worst = int(np.argmax(diff))
        agree_rows.append(
            (
                name,
                f"{inp.hypotheses[lead]} {exact_post[lead]:.3f}",
                f"{diff.max():.4f} ({inp.hypotheses[worst]})",
                f"{s.mc_se[worst]:.4f}",
                fmt(z[worst], 2),
                fmt(np.nanmax(z), 2),
                f"{forward.p_leading.max():.3f} ({inp.hypotheses[int(np.argmax(forward.p_leading))]})",
                f"{s.summary.p_leading[lead]:.3f}",
            )
        )
    eff = table(
        [
            "case",
            "size",
            "strata sampled",
            "draws / tune per chain",
            "forward draws (s)",
            "stratified total (s)",
            "of which NUTS sampling (s)",
            "of which build + compile + post-processing (s)",
            "min bulk ESS",
            "ESS/s (sampling)",
            "ESS/s (forward + total)",
            "R-hat max",
            "divergences",
            "healthy",
        ],
        eff_rows,
    )
    agree = table(
        [
            "case",
            "exact leader",
            "max \\|sampled mean − exact\\| (at)",
            "MC s.e. there",
            "that difference / MC s.e.",
            "max over hypotheses of \\|diff\\| / MC s.e.",
            "forward rank stability, max (of)",
            "stratified P(leader leads)",
        ],
        agree_rows,
    )
    return eff, agree, chains


# -- 6. the previous version against this one, in the same run -------------------------------

PREVIOUS = "da5de28"  # the last commit before exact draws (issue 11): the baseline of results.md
AT_SCALE = (2000, 50)  # both versions; 10,000 × 50 runs this version only (the previous needs 10 GB)
BIG = (10_000, 50)


def version_command(tree: Path) -> list[str]:
    """The ``ach`` command line of the checkout at ``tree`` (its own code, this .venv's libraries)."""
    return [
        sys.executable,
        "-c",
        "import sys; sys.path.insert(0, sys.argv.pop(1)); from ach.cli import main; main()",
        str(tree),
    ]


def timed(cmd: list[str], cache: str, cwd: Path) -> tuple[float, float, int, str]:
    """(seconds, peak memory in MB, exit code, stdout) of one command, its memory read from wait4."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(
        cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=clean_env(cache), cwd=cwd, text=True
    )
    out = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    return time.perf_counter() - t0, usage.ru_maxrss / 1024, proc.returncode, out


def bench_versions(quick: bool, against: str, big: bool) -> str:
    """The goals of issue 11, each measured for the previous version and this one in the same run."""
    tree = Path(tempfile.mkdtemp(prefix="ach-previous-"))
    subprocess.run(
        ["git", "-C", str(ROOT), "worktree", "add", "--detach", "-f", str(tree), against],
        check=True,
        capture_output=True,
    )
    atexit.register(
        subprocess.run, ["git", "-C", str(ROOT), "worktree", "remove", "--force", str(tree)], capture_output=True
    )
    versions = {"previous": version_command(tree), "this": version_command(ROOT)}
    cases = Path(tempfile.mkdtemp(prefix="ach-bench-big-"))
    atexit.register(shutil.rmtree, cases, True)
    rows = []

    nuts = {"previous": [], "this": ["--sampler", "nuts"]}  # NUTS was the previous version's default

    def measure(what: str, args: list[str], which=("previous", "this"), cache=None, note="", extra=None):
        """One row: ``args`` run by each version (plus its ``extra`` arguments), on ``cache`` or a fresh one."""
        got = {}
        for name in which:
            where = cache or tempfile.mkdtemp(prefix="ach-bench-cache-")
            if cache is None:
                atexit.register(shutil.rmtree, where, True)
            say(f"{what}, {name} version ...")
            own = [k1[name] if a is K1_ARG else a for a in args]  # each version reads its own K-1 file
            seconds, mb, code, _ = timed([*versions[name], *own, *(extra or {}).get(name, [])], where, ROOT)
            say(f"{what}, {name}: {seconds:.1f} s, {mb:.0f} MB, exit {code}")
            got[name] = f"{fmt(seconds, 1)} s, {mb:.0f} MB" + ("" if code == 0 else f" (FAILED, exit {code})"), seconds
            got[name] += (code == 0,)
        prev, this = got.get("previous"), got["this"]
        ratio = f"{this[1] / prev[1]:.3f}" if prev and prev[2] and this[2] else "—"  # no ratio to a failed run
        rows.append((what, note, prev[0] if prev else "—", this[0], ratio))

    k1 = {"previous": str(tree / K1.relative_to(ROOT)), "this": str(K1)}
    K1_ARG = object()
    warm = tempfile.mkdtemp(prefix="ach-bench-cache-")
    atexit.register(shutil.rmtree, warm, True)
    for name in versions:  # fill the shared compile cache: the timed "warm" runs compile nothing
        timed([*versions[name], "analyze", k1[name], "--json", "-q", *nuts[name]], warm, ROOT)
    measure("K-1 `analyze --no-sample --json`", ["analyze", K1_ARG, "--no-sample", "--json", "-q"], cache=warm)
    measure(
        "K-1 `analyze --json` with intervals, warm",
        ["analyze", K1_ARG, "--json", "-q"],
        cache=warm,
        note="default engine",
    )
    out = tempfile.mkdtemp(prefix="ach-bench-report-")
    atexit.register(shutil.rmtree, out, True)
    measure("K-1 `report`, warm cache", ["report", K1_ARG, "-o", out, "-q"], cache=warm)
    measure("K-1 `report`, cold cache", ["report", K1_ARG, "-o", out, "-q"], note="a fresh cache each")
    measure("K-1 NUTS, warm", ["analyze", K1_ARG, "--json", "-q"], cache=warm, note="the previous default", extra=nuts)
    sizes = [AT_SCALE] if quick else [AT_SCALE, BIG]
    for n_items, n_hyp in sizes:
        path = cases / f"synthetic-{n_items}x{n_hyp}.yaml"
        path.write_text(synthetic_yaml(n_items, n_hyp), encoding="utf-8")
        which = ("previous", "this") if (n_items, n_hyp) == AT_SCALE or big else ("this",)
        label = f"{n_items:,} × {n_hyp}"
        measure(f"{label} `analyze --no-sample`", ["analyze", str(path), "--no-sample", "-q"], which, cache=warm)
        measure(
            f"{label} `analyze --no-sample --json`",
            ["analyze", str(path), "--no-sample", "--json", "-q"],
            which,
            cache=warm,
        )
    intro = (
        "Each version reads its own `cases/k1.yaml` (a file a later version wrote may use fields an earlier one "
        "cannot read); a failed run gets no ratio.\n\n"
    )
    return intro + table(["what", "note", "previous version", "this version", "this / previous"], rows)


def bench_exact_draws(quick: bool) -> str:
    """Exact draws in this process: the time to an ESS, and to the default Monte Carlo target,
    on one core and on every core (the loop is compiled, and its cache warmed, before timing)."""
    from ach import conjugate
    from ach.casefile import load

    rows = []
    cases = [
        ("K-1", load(K1).headline().inputs),
        (f"synthetic {SYNTH_SAMPLED[0]} × {SYNTH_SAMPLED[1]}", synthetic(*SYNTH_SAMPLED, seed=SYNTH_SAMPLED_SEED)),
    ]
    conjugate.sample_exact(cases[0][1], draws=2000, seed=0)  # first-call imports and compiling are not timed
    every = conjugate.available_cores()
    for name, inp in cases:
        for draws in (50_000, None):
            for cores in sorted({1, every}):
                t0 = time.perf_counter()
                s = conjugate.sample_exact(inp, draws=draws, seed=1, cores=cores)
                took = time.perf_counter() - t0
                n = len(s.summary.samples)
                rows.append(
                    (
                        name,
                        f"{draws:,}" if draws else f"default ({n:,}: MC error under {conjugate.MC_TARGET})",
                        cores,
                        fmt(took, 3),
                        fmt(s.ess_bulk_min, 0),
                        f"{s.summary.mc_error:.4f}",
                        fmt(n / took, 0),
                    )
                )
                say(f"exact draws {name} {n} on {cores} core(s): {took:.3f} s, MC error {s.summary.mc_error:.4f}")
    header = ["case", "draws", "cores", "time (s)", "smallest stratum (draws)", "largest MC error", "draws/s"]
    return table(header, rows)


def bench_honesty(quick: bool) -> str:
    """Are NUTS's Monte Carlo standard errors honest? The mean squared z of the stratified mean
    against the exact posterior, over seeds: 1 when honest, above 1 when the errors are too small."""
    from ach import exact, model
    from ach.casefile import load

    inp = load(K1).inputs
    truth = exact.posterior(inp)
    seeds = range(3 if quick else 20)
    z_new, z_old = [], []
    for seed in seeds:
        say(f"honesty: NUTS seed {seed} ...")
        s = model.sample_stratified(inp, draws=1000, tune=1000, chains=2, seed=seed, progress=False)
        eff = s.summary.effective
        per = s.summary.samples.reshape(len(s.strata), -1, len(truth))
        var = per.var(axis=1, ddof=1)
        w = np.asarray(s.weights)[:, None]
        old_se = np.sqrt((w**2 * var / np.maximum(eff.bulk, 1)).sum(axis=0))
        live = s.mc_se > 0
        z_new += list(((s.summary.mean - truth) / s.mc_se)[live])
        z_old += list(((s.summary.mean - truth) / old_se)[live])
    z_new, z_old = np.array(z_new), np.array(z_old)
    n = len(z_new)
    band = 2 * np.sqrt(2 / n)  # ± two standard errors of a mean of n chi-square(1) values
    return table(
        ["estimator of the MC standard error", "values (seeds × hypotheses)", "mean z²", "honest band (1 ± 2 s.e.)"],
        [
            ("bulk ESS (previous)", n, f"{np.mean(z_old**2):.2f}", f"{1 - band:.2f}–{1 + band:.2f}"),
            ("ESS of the mean (this version)", n, f"{np.mean(z_new**2):.2f}", f"{1 - band:.2f}–{1 + band:.2f}"),
        ],
    )


def bench_exact_honesty(quick: bool) -> str:
    """Are the exact draws' reported Monte Carlo errors the spread they have? K-1 and the synthetic
    300 × 10 case drawn with many seeds at a fixed number of draws: each reported number's spread over
    the seeds against the error each run reported (1 when honest; the interval ends' estimate
    errs on the safe side, below 1)."""
    from ach import conjugate, exact
    from ach.casefile import load

    seeds = range(12 if quick else 40)
    rows = []
    for name, inp, n in [
        ("K-1", load(K1).headline().inputs, 20_000),
        (
            f"synthetic {SYNTH_SAMPLED[0]} × {SYNTH_SAMPLED[1]}",
            synthetic(*SYNTH_SAMPLED, seed=SYNTH_SAMPLED_SEED),
            5_000,
        ),
    ]:
        say(f"exact honesty: {name}, {len(seeds)} seeds × {n:,} draws ...")
        runs = [conjugate.sample_exact(inp, draws=n, seed=1000 + s).summary for s in seeds]
        z = np.array([(r.mean - exact.posterior(inp)) / r.mc_se for r in runs])
        live = np.isfinite(z) & (np.abs(z) < 1e6)
        for what, values, reported in [
            ("mean (mean z² against the exact posterior)", None, None),
            ("rank-stability shares", [r.p_leading for r in runs], [r.p_leading_se for r in runs]),
            ("90 % interval ends", [r.hdi90 for r in runs], [r.hdi90_se for r in runs]),
        ]:
            if values is None:
                rows.append((name, n, len(seeds), what, f"{np.mean(z[live] ** 2):.2f}", "—"))
                continue
            spread, said = np.std(values, axis=0, ddof=1), np.mean(reported, axis=0)
            keep = spread > 1e-3  # a share or an end pinned at 0 has no spread to compare
            ratio = spread[keep] / said[keep]
            rows.append((name, n, len(seeds), what, f"{np.median(ratio):.2f}", f"{ratio.min():.2f}–{ratio.max():.2f}"))
    return table(["case", "draws", "seeds", "reported error of", "spread / reported (median)", "range"], rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="sampler at draws 300, tune 300; fewer timing repeats")
    parser.add_argument(
        "--keep-cache", action="store_true", help="keep the temporary compile cache (its path is printed)"
    )
    parser.add_argument("--against", default=PREVIOUS, help=f"the previous version for table 6 (a git ref; {PREVIOUS})")
    parser.add_argument(
        "--big-previous", action="store_true", help="table 6: run the previous version at 10,000 × 50 too"
    )
    parser.add_argument("--only-versions", action="store_true", help="only tables 6-9 (the issue-11 goals)")
    args = parser.parse_args()

    warnings.filterwarnings("ignore", message=".*BLAS.*")
    warnings.filterwarnings("ignore", category=FutureWarning)
    for name in ("pymc", "pytensor"):
        logging.getLogger(name).setLevel(logging.ERROR)

    # This process and the ach subprocesses all use one fresh compile cache, so
    # "cold" is really cold and the user's own cache is neither used nor touched.
    # PyTensor is first imported (by ach.model) only after the CLI runs.
    cache = tempfile.mkdtemp(prefix="ach-bench-cache-")
    env = clean_env(cache)
    os.environ["ACH_CACHE_DIR"] = cache
    os.environ.pop("PYTENSOR_FLAGS", None)
    if "PYTENSOR_FLAGS" in env:
        os.environ["PYTENSOR_FLAGS"] = env["PYTENSOR_FLAGS"]
    # removed at exit, after PyTensor's own exit handlers (registered later, run first)
    if not args.keep_cache:
        atexit.register(shutil.rmtree, cache, True)
    started = time.perf_counter()
    try:
        print(f"# ach benchmarks{' (--quick)' if args.quick else ''}\n")
        print("## Machine\n")
        print(machine_table())
        sections = [
            (
                "6",
                f"The previous version (`{args.against}`) against this one, in this run",
                lambda: bench_versions(args.quick, args.against, args.big_previous),
            ),
            ("7", "Exact draws (`ach.conjugate.sample_exact`, in this process)", lambda: bench_exact_draws(args.quick)),
            (
                "8",
                "NUTS Monte Carlo errors against the exact posterior (K-1, 2 chains × 1000)",
                lambda: bench_honesty(args.quick),
            ),
            (
                "9",
                "Exact draws: reported Monte Carlo errors against their spread over seeds",
                lambda: bench_exact_honesty(args.quick),
            ),
        ]
        for number, heading, run in sections:
            say(f"{number}. {heading}")
            print(f"\n## {number}. {heading}\n")
            print(run())
        if args.only_versions:
            print(f"\nTotal benchmark time: {time.perf_counter() - started:.0f} s.")
            return
        say("1. exact engine")
        print("\n## 1. Exact engine (synthetic matrices; median per call)\n")
        print(bench_exact(args.quick))
        say("1b. sensitivity")
        print("\n## 1b. Sensitivity (exact engine; ms per call, median)\n")
        print(bench_sensitivity(args.quick))
        say("2. command line")
        print("\n## 2. `ach analyze cases/k1.yaml --json` as a subprocess\n")
        print(bench_cli(args.quick, cache))
        say("3-4. sampler (this process shares the compile cache the CLI runs warmed)")
        eff, agree, chains = bench_sampler(args.quick)
        print(f"\n## 3. Sampler efficiency (`ach.model.sample_stratified`, {chains} chains)\n")
        print(eff)
        print("\n## 4. Exact vs sampled agreement\n")
        print(agree)
        say("5. end to end without sampling")
        print("\n## 5. End to end without sampling, from a generated case file (one run each)\n")
        print(bench_pipeline(args.quick))
        print(f"\nTotal benchmark time: {time.perf_counter() - started:.0f} s.")
    finally:
        if args.keep_cache:
            say(f"compile cache kept in {cache}")


if __name__ == "__main__":
    main()
