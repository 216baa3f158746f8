"""Properties of every SG family: the generated kernels, the spike function and validation."""

import math

import numpy as np
import pytest
import sympy as sp
import torch

from devices import DEVICES
from hypothesis import given
from hypothesis import strategies as st
from scipy import integrate

import lifstab
from lifstab_derivations import FAMILIES as SYMBOLIC
from lifstab_derivations import beta, gamma, q, u
from lifstab import FAMILIES, Surrogate, spike

NAMES = sorted(FAMILIES)
dampenings = st.floats(1e-3, 1e3)
sharpnesses = st.floats(1e-3, 1e3)
tails = st.floats(1.1, 100.0)


def make(name, d=1.0, s=1.0, tail=2.0):
    return Surrogate(name, dampening=d, sharpness=s, tail=tail if FAMILIES[name].has_tail else None)


def test_registry_matches_derivations():
    assert set(FAMILIES) == set(SYMBOLIC) == {
        "triangular", "exponential", "gaussian", "sigmoid", "fast_sigmoid", "rectangular", "q_pseudo_spike"}
    assert [n for n, f in FAMILIES.items() if f.has_tail] == ["q_pseudo_spike"]


@pytest.mark.parametrize("name", NAMES)
def test_generation_form_equals_textbook_definition(name):
    fam = SYMBOLIC[name]
    values = {gamma: sp.Rational(7, 5), beta: sp.Rational(3, 4), q: sp.Rational(5, 2)}
    for x in map(sp.Rational, ("-3.1", "-0.5", "-0.01", "0", "0.2", "0.66", "1.9", "7")):
        a = fam.definition.subs(values).subs(u, x).evalf(30)
        b = fam.expr.subs(values).subs(u, x).evalf(30)
        assert abs(a - b) <= 1e-25 * (1 + abs(a))


@pytest.mark.parametrize("name", NAMES)
@given(d=dampenings, s=sharpnesses, tail=tails, x=st.floats(-1e3, 1e3), y=st.floats(-1e3, 1e3))
def test_peak_even_monotone(name, d, s, tail, x, y):
    sg = make(name, d, s, tail)
    assert sg.numpy(0.0) == pytest.approx(d, rel=1e-14)
    assert sg.numpy(x) == pytest.approx(sg.numpy(-x), rel=1e-14, abs=0)
    near, far = sorted([abs(x), abs(y)])
    assert sg.numpy(far) <= sg.numpy(near) * (1 + 1e-14)


@pytest.mark.parametrize("name", NAMES)
@given(d=st.floats(1e-2, 1e2), s=st.floats(1e-2, 1e2), tail=tails)
def test_area_is_dampening_over_sharpness(name, d, s, tail):
    sg = make(name, d, s, tail)
    f = lambda x: float(sg.numpy(x))  # noqa: E731
    edge = 1.0 / s  # support edge of the compact families, a scale for the others
    inner, _ = integrate.quad(f, 0.0, edge, points=[0.5 * edge], epsabs=0, epsrel=1e-12, limit=200)
    outer, _ = integrate.quad(f, edge, np.inf, epsabs=0, epsrel=1e-12, limit=400)
    assert 2 * (inner + outer) == pytest.approx(d / s, rel=1e-6)


@given(x=st.floats(-5.0, 5.0), s=st.floats(0.1, 10.0), tail=st.floats(1e4, 1e7))
def test_q_pseudo_spike_tends_to_exponential(x, s, tail):
    qps = make("q_pseudo_spike", 1.0, s, tail).numpy(x)
    exp = make("exponential", 1.0, s).numpy(x)
    # (1 + a/q)^(-q) = e^{-a} (1 + O(a^2/q)) with a = 2 s |x| (q - 1 -> q shifts a by O(a/q))
    a = 2 * s * abs(x)
    assert abs(qps - exp) <= 4 * (a * a + a + 1) * math.exp(-a) / tail + 1e-300


@pytest.mark.parametrize("name", NAMES)
@given(d=dampenings, s=sharpnesses, tail=tails)
def test_spike_backward_equals_numpy_kernel(name, d, s, tail):
    sg = make(name, d, s, tail)
    uu = torch.linspace(-20, 20, 101, dtype=torch.float64).requires_grad_()
    z = spike(uu, sg)
    assert torch.equal(z, (uu > 0).double())
    (grad,) = torch.autograd.grad(z.sum(), uu)
    np.testing.assert_allclose(grad.numpy(), sg.numpy(uu.detach().numpy()), rtol=1e-12, atol=0)


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
def test_finite_for_extreme_sharpness_and_voltage(name, dtype):
    uu = torch.tensor([0.0, 1e-12, -1e-3, 0.7, -30.0, 1e3, -1e6, 1e6], dtype=dtype)
    for s in (1e-4, 1e-2, 1.0, 1e2, 1e4):
        for tail in (1.0001, 1.5, 1e3):
            sg = make(name, 1.0, s, tail)
            assert torch.isfinite(sg.torch(uu)).all()
            assert np.isfinite(sg.numpy(uu.double().numpy())).all()


@pytest.mark.parametrize("name", NAMES)
def test_per_neuron_parameters_broadcast(name):
    n = 5
    d = torch.linspace(0.5, 2.0, n, dtype=torch.float64)
    s = torch.linspace(0.3, 3.0, n, dtype=torch.float64)
    sg = make(name, d, s)
    uu = torch.randn(7, n, dtype=torch.float64, requires_grad=True)
    (grad,) = torch.autograd.grad(spike(uu, sg).sum(), uu)
    for i in range(n):
        one = make(name, float(d[i]), float(s[i]))
        np.testing.assert_allclose(grad[:, i].numpy(), one.numpy(uu[:, i].detach().numpy()), rtol=1e-12)
    assert spike(uu.float(), make(name, d.float(), s.float())).dtype == torch.float32


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("name", NAMES)
def test_spike_on_every_device_matches_cpu(name, device):
    sg = make(name, torch.tensor([0.5, 1.5], dtype=torch.float64), 2.0)
    uu = torch.randn(100, 2, dtype=torch.float64)
    cpu = sg.torch(uu)
    on_device = make(name, torch.tensor([0.5, 1.5], dtype=torch.float64, device=device), 2.0).torch(uu.to(device))
    torch.testing.assert_close(on_device.cpu(), cpu, rtol=1e-12, atol=0)
    u_device = uu.to(device).requires_grad_(True)
    sg_device = make(name, torch.tensor([0.5, 1.5], dtype=torch.float64, device=device), 2.0)
    (grad,) = torch.autograd.grad(spike(u_device, sg_device).sum(), u_device)
    torch.testing.assert_close(grad.cpu(), cpu, rtol=1e-12, atol=0)  # the spike's gradient is SG(u)


@pytest.mark.parametrize(
    "kwargs, argument",
    [
        (dict(family="relu"), "family"),
        (dict(family="exponential", dampening=0.0), "dampening"),
        (dict(family="exponential", dampening=-1.0), "dampening"),
        (dict(family="exponential", sharpness=0.0), "sharpness"),
        (dict(family="exponential", sharpness=float("nan")), "sharpness"),
        (dict(family="exponential", sharpness=torch.tensor([1.0, -2.0])), "sharpness"),
        (dict(family="q_pseudo_spike", tail=1.0), "tail"),
        (dict(family="q_pseudo_spike", tail=0.5), "tail"),
        (dict(family="q_pseudo_spike"), "tail"),
        (dict(family="gaussian", tail=3.0), "tail"),
    ],
)
def test_bad_surrogate_raises_naming_argument(kwargs, argument):
    with pytest.raises(ValueError, match=argument):
        Surrogate(**kwargs)


def test_spike_rejects_bad_arguments():
    with pytest.raises(ValueError, match="surrogate"):
        spike(torch.zeros(3), "exponential")
    with pytest.raises(ValueError, match="u must"):
        spike(torch.zeros(3, dtype=torch.int64), Surrogate("exponential"))


def test_public_names():
    sg = lifstab.Surrogate("q_pseudo_spike", dampening=0.5, sharpness=2.0, tail=3.0)
    assert sg.area == pytest.approx(0.25)
    assert "q_pseudo_spike" in repr(sg)
    assert sg.replace(sharpness=4.0).sharpness == 4.0
