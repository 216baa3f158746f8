"""derivations/edge.py: the mean-field backward step's Gaussian second moments, and their generated kernels."""

import numpy as np
import pytest
import sympy as sp
import sympy.stats as stats
import torch

from lifstab_derivations import edge
from lifstab._generated import edge_numpy, edge_torch


def test_second_moments_match_sympy_stats():
    """delta_t, h_t, Z built from three independent standard normals with symbolic mixing: the derived
    E[y^2] and E[y Z] (with the mixing's covariances substituted) equal sympy.stats' exact expectations."""
    x = [stats.Normal(f"x{k}", 0, 1) for k in range(3)]
    a = sp.symbols("a0:6", real=True)
    delta, h, Z = a[0] * x[0], a[1] * x[0] + a[2] * x[1], a[3] * x[0] + a[4] * x[1] + a[5] * x[2]
    cov = lambda p, q: stats.E(sp.expand(p * q))  # noqa: E731
    moments = {edge.signal_variance: cov(delta, delta), edge.field_variance: cov(h, h),
               edge.signal_field: cov(delta, h), edge.signal_other: cov(delta, Z), edge.field_other: cov(h, Z)}
    y = edge.BACKWARD_STEP.subs({edge.signal: delta, edge.field: h})
    assert sp.simplify(edge.backward_step_variance().subs(moments) - cov(y, y)) == 0
    assert sp.simplify(edge.backward_step_covariance().subs(moments) - cov(y, Z)) == 0


def test_second_moment_rejects_a_constant_term():
    with pytest.raises(ValueError, match="linear forms"):
        edge.gaussian_second_moment(edge.signal + 1, edge.field)


def test_generated_weights_are_the_covariance_coefficients():
    """The runtime applies the step as weight_signal * E[delta Z] + weight_field * E[h Z]: equal to the
    generated covariance kernel (both backends) on random values."""
    rng = np.random.default_rng(0)
    leak, sg, scale, signal, field = rng.random((5, 50)) * [[1.0], [2.0], [3.0], [1.0], [1.0]]
    full = edge_numpy.backward_step_covariance(leak, sg, scale, signal, field)
    np.testing.assert_allclose(edge_numpy.backward_step_signal_weight(leak, sg, scale) * signal
                               + edge_numpy.backward_step_field_weight(leak, sg, scale) * field, full, rtol=1e-14)
    t = [torch.as_tensor(v) for v in (leak, sg, scale, signal, field)]
    np.testing.assert_allclose(edge_torch.backward_step_covariance(*t).numpy(), full, rtol=1e-14)


def test_variance_kernel_against_samples():
    """E[(d delta + SG sqrt(S) h)^2] for a correlated Gaussian pair, against 400k samples."""
    rng = np.random.default_rng(1)
    cov = np.array([[1.3, -0.4], [-0.4, 0.8]])
    delta, h = rng.multivariate_normal([0, 0], cov, size=400_000).T
    leak, sg, scale = 0.7, 0.9, 2.0
    sampled = np.mean((leak * delta + sg * np.sqrt(scale) * h) ** 2)
    got = edge_numpy.backward_step_variance(leak, sg, scale, cov[0, 0], cov[0, 1], cov[1, 1])
    assert got == pytest.approx(sampled, rel=0.01)
