"""derivations/edge.py: the mean-field backward step's Gaussian second moments, and their generated kernels."""

import numpy as np
import pytest
import sympy as sp
import sympy.stats as stats
import torch

from lifstab_derivations import edge
from lifstab._generated import edge_numpy, edge_torch


@pytest.mark.parametrize("attached", [False, True])
def test_second_moments_match_sympy_stats(attached):
    """delta_t, h_t, Z built from three independent standard normals with symbolic mixing: the derived
    E[y^2] and E[y Z] (with the mixing's covariances substituted) equal sympy.stats' exact expectations,
    for the detached step and for the attached reset's (the surrogate in the diagonal and the field)."""
    x = [stats.Normal(f"x{k}", 0, 1) for k in range(3)]
    a = sp.symbols("a0:6", real=True)
    delta, h, Z = a[0] * x[0], a[1] * x[0] + a[2] * x[1], a[3] * x[0] + a[4] * x[1] + a[5] * x[2]
    cov = lambda p, q: stats.E(sp.expand(p * q))  # noqa: E731
    moments = {edge.signal_variance: cov(delta, delta), edge.field_variance: cov(h, h),
               edge.signal_field: cov(delta, h), edge.signal_other: cov(delta, Z), edge.field_other: cov(h, Z)}
    y = edge.backward_step(attached).subs({edge.signal: delta, edge.field: h})
    assert sp.simplify(edge.backward_step_variance(attached).subs(moments) - cov(y, y)) == 0
    assert sp.simplify(edge.backward_step_covariance(attached).subs(moments) - cov(y, Z)) == 0


def test_attached_step_is_the_jacobian_diagonal_and_reduces_to_the_detached_one():
    """The attached diagonal d + r SG is derivations/jacobians.py's diagonal of the attached reset (r =
    d v_t / d z_{t-1} of the update, d the detached diagonal), for every reset; with r = 0 the attached
    moments are the detached ones."""
    from lifstab_derivations import jacobians as jac
    from lifstab_derivations import lif

    for reset, update in lif.VOLTAGE_UPDATES.items():
        slope = sp.diff(update, lif.z).subs({lif.v: jac.v_i, lif.z: jac.z_i})
        own = {edge.leak: jac.JACOBIANS[(reset, True)].diagonal, edge.reset_slope: slope,
               edge.surrogate_gradient: jac.sg_i}
        attached = jac.JACOBIANS[(reset, False)].diagonal
        assert sp.simplify(edge.ATTACHED_DIAGONAL.subs(own) - attached.subs(jac.I_i, lif.I)) == 0, reset
    for attached, detached in ((edge.backward_step_variance(True), edge.backward_step_variance()),
                               (edge.backward_step_covariance(True), edge.backward_step_covariance())):
        assert sp.expand(attached.subs(edge.reset_slope, 0) - detached) == 0


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
    slope = -rng.random(50)
    full = edge_numpy.attached_backward_step_covariance(leak, slope, sg, scale, signal, field)
    np.testing.assert_allclose(edge_numpy.attached_backward_step_signal_weight(leak, slope, sg, scale) * signal
                               + edge_numpy.attached_backward_step_field_weight(leak, slope, sg, scale) * field, full,
                               rtol=1e-14)


def test_variance_kernel_against_samples():
    """E[(d delta + SG sqrt(S) h)^2] for a correlated Gaussian pair, against 400k samples."""
    rng = np.random.default_rng(1)
    cov = np.array([[1.3, -0.4], [-0.4, 0.8]])
    delta, h = rng.multivariate_normal([0, 0], cov, size=400_000).T
    leak, sg, scale = 0.7, 0.9, 2.0
    sampled = np.mean((leak * delta + sg * np.sqrt(scale) * h) ** 2)
    got = edge_numpy.backward_step_variance(leak, sg, scale, cov[0, 0], cov[0, 1], cov[1, 1])
    assert got == pytest.approx(sampled, rel=0.01)
    slope = -0.6  # the attached reset: (d + r SG) delta + SG sqrt(S) h
    sampled = np.mean(((leak + slope * sg) * delta + sg * np.sqrt(scale) * h) ** 2)
    got = edge_numpy.attached_backward_step_variance(leak, slope, sg, scale, cov[0, 0], cov[0, 1], cov[1, 1])
    assert got == pytest.approx(sampled, rel=0.01)


def test_alif_second_moments_match_sympy_stats():
    """ALIF: delta_t, eps_t, h_t, Z from four independent standard normals with symbolic mixing; the derived
    E[x y] of the two-component step (and E[x Z]) equal sympy.stats' exact expectations."""
    x = [stats.Normal(f"x{k}", 0, 1) for k in range(4)]
    a = sp.symbols("a0:10", real=True)
    delta, eps = a[0] * x[0], a[1] * x[0] + a[2] * x[1]
    h, Z = a[3] * x[0] + a[4] * x[1] + a[5] * x[2], a[6] * x[0] + a[7] * x[1] + a[8] * x[2] + a[9] * x[3]
    cov = lambda p, q: stats.E(sp.expand(p * q))  # noqa: E731
    moments = {edge.signal_variance: cov(delta, delta), edge.field_variance: cov(h, h),
               edge.signal_field: cov(delta, h), edge.adaptation_variance: cov(eps, eps),
               edge.signal_adaptation: cov(delta, eps), edge.adaptation_field: cov(eps, h),
               edge.signal_other: cov(delta, Z), edge.adaptation_other: cov(eps, Z), edge.field_other: cov(h, Z)}
    sub = {edge.signal: delta, edge.adaptation_adjoint: eps, edge.field: h}
    steps = {name: step.subs(sub) for name, step in edge.ALIF_STEPS.items()}
    for first, second in (("signal", "signal"), ("adaptation", "adaptation"), ("signal", "adaptation")):
        assert sp.simplify(edge.alif_step_moment(first, second).subs(moments) - cov(steps[first], steps[second])) == 0
    for name in edge.ALIF_STEPS:
        assert sp.simplify(edge.alif_step_covariance(name).subs(moments) - cov(steps[name], Z)) == 0


def test_alif_step_reduces_to_the_lif_step_without_adaptation():
    """Strength 0 and eps_t = 0: the ALIF signal step is the attached LIF step (detached at r = 0)."""
    lif = {edge.adaptation_strength: 0, edge.adaptation_adjoint: 0}
    assert sp.expand(edge.ALIF_BACKWARD_STEP.subs(lif) - edge.ATTACHED_BACKWARD_STEP) == 0
    assert sp.expand(edge.ALIF_BACKWARD_STEP.subs({**lif, edge.reset_slope: 0}) - edge.BACKWARD_STEP) == 0
    assert sp.expand(edge.ALIF_ADAPTATION_STEP.subs(lif)) == 0  # eps stays 0
    assert sp.expand(edge.ALIF_BACKWARD_STEP.subs(edge.adaptation_strength, 0) - edge.ATTACHED_BACKWARD_STEP) != 0


def test_alif_kernels_are_the_replayed_step():
    """The generated ALIF moment and weight kernels against lifstab.measure's replayed step (a separate,
    hand-typed implementation checked against autograd): with sample moments of correlated Gaussian
    (delta, eps, h, Z) plugged in, the kernels give the sample moments of the stepped values exactly."""
    from lifstab.measure import AdaptationFactors, _adaptive_step

    gen = torch.Generator().manual_seed(0)
    d, e, h, Z = torch.randn(4, 4, generator=gen, dtype=torch.float64) @ torch.randn(4, 5000, generator=gen,
                                                                                     dtype=torch.float64)
    for slope, threshold_slope in ((-0.4, -1.0), (0.0, 0.0), (-0.7, 0.0)):
        c = [torch.tensor(v, dtype=torch.float64) for v in (0.9, slope, threshold_slope, 0.7, 2.0, 0.95, 0.3)]
        factors = AdaptationFactors(c[2].reshape(1, 1), c[5], c[6])
        y = dict(zip(("signal", "adaptation"), _adaptive_step(d, e, c[3], c[4].sqrt() * h, c[0], c[1], factors, 0)))
        m = lambda p, q: (p * q).mean()  # noqa: E731
        moments = (m(d, d), m(d, h), m(h, h), m(e, e), m(d, e), m(e, h))
        for first, second in (("signal", "signal"), ("adaptation", "adaptation"), ("signal", "adaptation")):
            kernel = getattr(edge_torch, f"alif_step_{first}_{second}_moment")
            torch.testing.assert_close(kernel(*c, *moments), m(y[first], y[second]), rtol=1e-12, atol=1e-12)
        for name in y:
            weights = [getattr(edge_torch, f"alif_step_{name}_{v}_weight")(*c) for v in ("signal", "adaptation", "field")]
            torch.testing.assert_close(sum(w * m(v, Z) for w, v in zip(weights, (d, e, h))), m(y[name], Z),
                                       rtol=1e-12, atol=1e-12)
