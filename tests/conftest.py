"""Shared builders: synthetic inputs for the engines, and paths to real cases."""

from __future__ import annotations

import os
from pathlib import Path

import matplotlib
import numpy as np
import pytest
from hypothesis import settings

matplotlib.use("Agg")

from ach.inputs import Inputs

# Hypothesis's per-example deadline is a wall-clock assertion: on a busy 2-core machine it fails
# examples that are merely slow (0.14 ms run once at 292 ms). Speed is measured in benchmarks/.
settings.register_profile("ach", deadline=None)
settings.load_profile("ach")

ROOT = Path(__file__).resolve().parents[1]


def _ach_command() -> list[str]:
    """The installed `ach` beside this Python, else on PATH, else the module."""
    import shutil
    import sys

    beside = Path(sys.executable).parent / "ach"
    if beside.exists():
        return [str(beside)]
    found = shutil.which("ach")
    return [found] if found else [sys.executable, "-m", "ach.cli"]


ACH_COMMAND = _ach_command()
K1 = ROOT / "cases" / "k1.yaml"
MINI = ROOT / "tests" / "data" / "mini.yaml"
SEEDS = ROOT.parent / "shared" / "seeds"


@pytest.fixture
def seeds() -> Path:
    """The seed reports beside the clone; a test that needs them is skipped without them, with the
    reason, except where ACH_REQUIRE_SEEDS is set (CI, which always has them): there it fails."""
    if SEEDS.is_dir():
        return SEEDS
    message = f"the seed reports are not beside this clone ({SEEDS}): the quotes cannot be checked against them"
    if os.environ.get("ACH_REQUIRE_SEEDS"):
        pytest.fail(message)
    pytest.skip(message)


def make_inputs(
    m,
    source_index=None,
    r=None,
    k=None,
    prior=None,
    b=None,
    kappa=None,
    r_kappa=None,
    k_kappa=None,
    prior_concentration=None,
) -> Inputs:
    """An ``Inputs`` straight from arrays; defaults: each item its own fully
    reliable source, credibility 1, uniform prior, b = row mean, all fixed."""
    m = np.asarray(m, float)
    n_items, n = m.shape
    source_index = np.arange(n_items) if source_index is None else np.asarray(source_index, int)
    n_sources = int(source_index.max()) + 1 if n_items else 0
    r = np.ones(n_sources) if r is None else np.asarray(r, float)
    k = np.ones(n_items) if k is None else np.asarray(k, float)
    prior = np.full(n, 1 / n) if prior is None else np.asarray(prior, float) / np.sum(prior)
    b_is_mean = np.full(n_items, b is None)
    b = np.repeat(m.mean(axis=1, keepdims=True), n, axis=1) if b is None else np.broadcast_to(b, m.shape).astype(float)
    return Inputs(
        hypotheses=[f"H{j}" for j in range(n)],
        items=[f"E{i}" for i in range(n_items)],
        sources=[f"S{s}" for s in range(n_sources)],
        prior=prior,
        prior_concentration=prior_concentration,
        m=m,
        kappa=np.full(m.shape, np.nan) if kappa is None else np.broadcast_to(kappa, m.shape).astype(float),
        b=b,
        k=k,
        k_kappa=np.full(n_items, np.nan) if k_kappa is None else np.broadcast_to(k_kappa, k.shape).astype(float),
        r=r,
        r_kappa=np.full(n_sources, np.nan) if r_kappa is None else np.broadcast_to(r_kappa, r.shape).astype(float),
        source_index=source_index,
        b_is_mean=b_is_mean,
    )


def random_inputs(
    rng: np.random.Generator, n_items: int, n: int, n_sources: int | None = None, uncertain=True
) -> Inputs:
    """A random case with every kind of uncertainty, for sampler tests."""
    n_sources = n_sources or max(1, int(np.sqrt(n_items)))
    m = rng.uniform(0.05, 0.95, (n_items, n))
    src = np.concatenate([np.arange(n_sources), rng.integers(0, n_sources, n_items - n_sources)])
    return make_inputs(
        m,
        source_index=src,
        r=rng.uniform(0.4, 0.95, n_sources),
        k=rng.uniform(0.5, 1.0, n_items),
        prior=rng.dirichlet(np.full(n, 5.0)),
        kappa=20.0 if uncertain else None,
        r_kappa=12.0 if uncertain else None,
        k_kappa=12.0 if uncertain else None,
    )


@pytest.fixture(scope="session")
def k1_sampled():
    """One sampled K-1 analysis (the default engine, exact draws) shared by the tests that need it."""
    import ach

    return ach.analyze(K1, seed=7, progress=False)


@pytest.fixture(scope="session")
def k1_nuts():
    """K-1 sampled with NUTS at the CLI's defaults: the check of the exact draws, shared."""
    import ach

    return ach.analyze(K1, sampler="nuts", draws=1000, tune=1000, chains=4, seed=7, progress=False)
