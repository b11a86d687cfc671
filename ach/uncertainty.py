"""How sure can we be of the exact posterior? The one place that chooses the engine that says.

Two engines draw the inputs given the evidence (MODEL.md §4): exact,
independent draws from the conjugate posterior (:mod:`ach.conjugate`, a
compiled loop, under a second for K-1) and NUTS on the PyMC model (:mod:`ach.model`,
the statement of the model and its check). ``"auto"`` takes the exact draws
whenever the model is conjugate; a model that is not (pooled analysts,
hyperpriors) says so in :func:`conjugate` and gets NUTS. The forward draws
(the analyst's stated uncertainty alone) are exact draws either way.
"""

from __future__ import annotations

from .draws import DrawSummary, StratifiedPosterior

__all__ = ["SAMPLERS", "choose", "conjugate", "sample"]

SAMPLERS = ("auto", "exact", "nuts")


def conjugate(inputs) -> bool:
    """Whether the inputs' posterior given the evidence can be drawn exactly (MODEL.md §4b).

    True for the single-analyst model: independent Beta (and Dirichlet)
    priors, each entering ``P(E_s | H_j)`` linearly."""
    return True


def choose(inputs, sampler: str = "auto") -> str:
    """The engine that will run: ``"exact"`` or ``"nuts"``."""
    if sampler not in SAMPLERS:
        raise ValueError(f"sampler must be one of {', '.join(SAMPLERS)}, not {sampler!r}")
    if sampler == "auto":
        return "exact" if conjugate(inputs) else "nuts"
    if sampler == "exact" and not conjugate(inputs):
        raise ValueError("this model is not conjugate: its intervals need --sampler nuts")
    return sampler


def sample(
    inputs,
    *,
    sampler: str = "auto",
    draws: int | None = None,
    tune: int = 1000,
    chains: int = 4,
    seed: int = 0,
    progress: bool = True,
) -> tuple[StratifiedPosterior, DrawSummary]:
    """The posterior draws and the forward draws of a case's inputs.

    ``draws``: for exact draws, how many in all (None: as many as the Monte
    Carlo error target needs); for NUTS, per chain (None: 1000). The forward
    draws are as many as the posterior's in all (None: as the target needs).
    """
    from .conjugate import sample_exact, sample_forward_exact

    engine = choose(inputs, sampler)
    in_all = None if draws is None else draws * (chains if engine == "nuts" else 1)
    forward = sample_forward_exact(inputs, draws=in_all, seed=seed + 1)
    if engine == "exact":
        return sample_exact(inputs, draws=draws, seed=seed), forward
    from . import model

    model.announce_compiling(model.configure_cache())
    bayes = model.sample_stratified(inputs, draws=draws or 1000, tune=tune, chains=chains, seed=seed, progress=progress)
    return bayes, forward
