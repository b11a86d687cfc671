"""The team model's closed forms (docs/MODEL.md §8), checked against numerical integration.

NUTS samples only τ, σ₀, ω and log σ_a: the team values μ (flat prior) and the
biases β (zero-sum, scale τ) are integrated out in closed form. Here the
model's log-likelihood and its conditional mean and covariance of β are
compared with quadrature over μ and over β, on a small team of three analysts
with cells, a credibility and a lone reading. No sampling.
"""

from __future__ import annotations

import numpy as np
import pytensor
import pytest

from ach.team.model import Readings, build, zero_sum_basis

# three analysts; quantities 0-2 are cells (the bias applies), 3 is a credibility, 4 has one reading
ROWS = [  # (analyst, quantity, y, s)
    (0, 0, 0.4, 0.5),
    (1, 0, 0.9, 0.7),
    (2, 0, 0.1, 0.4),
    (0, 1, -1.2, 0.6),
    (1, 1, -0.7, 0.5),
    (0, 2, 2.0, 0.9),
    (2, 2, 1.1, 0.3),
    (1, 3, 1.5, 0.8),
    (2, 3, 0.6, 0.6),
    (0, 4, -0.3, 0.5),
]
SIGMA = np.array([0.8, 1.3, 0.6])
TAU = 0.7


def _readings() -> Readings:
    a, q, y, s = (np.array(x) for x in zip(*ROWS))
    return Readings(
        kind=["cell", "cell", "cell", "k", "cell"],
        index=[(0, 0), (0, 1), (1, 0), (0,), (1, 1)],
        y=y.astype(float),
        s=s.astype(float),
        analyst=a.astype(int),
        quantity=q.astype(int),
        is_cell=np.isin(q, [0, 1, 2, 4]),
        constant={},
        n_analysts=3,
    )


def _loglik_given_bias(bias: np.ndarray) -> np.ndarray:
    """log ∫ Π_a Normal(y_aq − β_a·cell; μ_q, (σ_a s_aq)²) dμ_q, summed over q, for biases (Z, A).

    By the trapezoidal rule on a fine grid of μ (spectrally accurate for these smooth, decaying integrands)."""
    rd, mu = _readings(), np.linspace(-30, 30, 6001)
    total = np.zeros(len(bias))
    for q in range(4):  # quantity 4 has one reading: it does not enter the likelihood
        rows = rd.quantity == q
        x = rd.y[rows] - bias[:, rd.analyst[rows]] * rd.is_cell[rows]  # (Z, n_q)
        sd = SIGMA[rd.analyst[rows]] * rd.s[rows]
        density = np.exp(-0.5 * ((x[:, :, None] - mu) / sd[:, None]) ** 2) / (sd[:, None] * np.sqrt(2 * np.pi))
        total += np.log(np.trapezoid(density.prod(axis=1), mu, axis=-1))
    return total


def _model_values():
    model = build(_readings())
    point = {
        "sigma0_log__": np.log(0.9),
        "omega_log__": np.log(0.4),
        "log_sigma": np.log(SIGMA),
        "tau_log__": np.log(TAU),
    }
    outputs = model.replace_rvs_by_values([model["readings"], model["bias_mean"], model["bias_cov"]])
    fn = pytensor.function(model.value_vars, outputs, on_unused_input="ignore")
    return fn(*(point[v.name] for v in model.value_vars))


def test_the_zero_sum_basis_is_orthonormal_and_sums_to_zero():
    for A in (2, 3, 7):
        P = zero_sum_basis(A)
        assert P.shape == (A, A - 1)
        assert P.T @ P == pytest.approx(np.eye(A - 1), abs=1e-12)
        assert P.sum(axis=0) == pytest.approx(np.zeros(A - 1), abs=1e-12)


def test_the_marginal_likelihood_and_the_biases_given_the_noise_match_quadrature():
    """∫ L(β = P z) Normal(z; 0, τ² I) dz over the two zero-sum directions (a 40 × 40 Gauss-Hermite grid of
    z, the trapezoidal rule over each μ inside), and E[β], Cov[z] under it."""
    loglik, bias_mean, bias_cov = _model_values()
    P = zero_sum_basis(3)
    nodes, weights = np.polynomial.hermite_e.hermegauss(40)  # ∫ f(x) exp(−x²/2) dx
    z = TAU * np.stack(np.meshgrid(nodes, nodes, indexing="ij"), axis=-1).reshape(-1, 2)
    prior = (np.outer(weights, weights) / (2 * np.pi)).ravel()
    base = _loglik_given_bias(np.zeros((1, 3)))[0]
    like = np.exp(_loglik_given_bias(z @ P.T) - base)
    mass = np.sum(prior * like)
    assert loglik == pytest.approx(base + np.log(mass), abs=1e-6)
    first = (prior * like) @ z / mass
    assert bias_mean == pytest.approx(P @ first, abs=1e-6)
    second = (prior * like * z[:, 0] * z[:, 1]).sum() / mass
    assert bias_cov[0, 1] == pytest.approx(second - first[0] * first[1], abs=1e-6)
    assert np.diag(bias_cov) == pytest.approx((prior * like) @ z**2 / mass - first**2, abs=1e-6)
    assert np.sum(bias_mean) == pytest.approx(0, abs=1e-12)
