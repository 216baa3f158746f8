"""LIF layers: the one-step Jacobian against docs/theory.md section 3, shapes, validation."""

import numpy as np
import pytest
import torch

from devices import DEVICES
from torch.autograd.functional import jacobian

from lifstab import LIF, RESETS, LIFParams, LIFState, RecurrentALIF, RecurrentLIF, Surrogate, lif_step, spike

N, N_IN = 6, 4


def analytic_jacobian(reset, detach, v, z, current, W, alpha, theta, sg):
    """Entry (i, j) of dv_t/dv_{t-1}: the table of docs/theory.md section 3, typed independently."""
    n = len(v)
    eye = np.eye(n)
    rec = W * sg[:, None]  # W_ji SG_j placed at [j, i]; transpose below gives [i, j]
    rec = rec.T
    if reset == "none":
        return alpha * eye + rec
    if reset == "subtractive":
        out = alpha * eye + rec
        return out if detach else out - theta * eye * sg[None, :]
    if reset == "multiplicative_1":
        out = (1 - z)[:, None] * (alpha * eye + rec)
        return out if detach else out - eye * ((alpha * v + current) * sg)[:, None]
    if reset == "multiplicative_2":
        out = alpha * eye * (1 - z)[:, None] + rec
        return out if detach else out - eye * (alpha * v * sg)[:, None]
    raise AssertionError(reset)


@pytest.mark.parametrize("reset", RESETS)
@pytest.mark.parametrize("detach", [True, False])
@pytest.mark.parametrize("family", ["exponential", "triangular", "q_pseudo_spike"])
def test_one_step_jacobian_matches_theory(reset, detach, family):
    gen = torch.Generator().manual_seed(7)
    theta, alpha = 0.8, 0.9
    sg = Surrogate(family, dampening=0.7, sharpness=1.3, tail=2.5 if family == "q_pseudo_spike" else None)
    W = torch.randn(N, N, generator=gen, dtype=torch.float64) * 0.5
    W.fill_diagonal_(0)
    U = torch.randn(N_IN, N, generator=gen, dtype=torch.float64)
    x = torch.rand(N_IN, generator=gen, dtype=torch.float64)
    v0 = torch.tensor([1.2, 0.1, 0.95, -0.4, 0.79, 2.0], dtype=torch.float64)  # some above threshold
    params = LIFParams(alpha, theta, sg, reset, detach)

    def step(v_prev):
        z_prev = spike(v_prev - theta, sg)
        current = x @ U + z_prev @ W
        return lif_step(current, LIFState(v_prev, z_prev), params)[1].v

    measured = jacobian(step, v0).numpy()
    z = (v0 > theta).double().numpy()
    current = (x @ U + torch.from_numpy(z) @ W).numpy()
    expected = analytic_jacobian(reset, detach, v0.numpy(), z, current, W.numpy(), alpha, theta,
                                 sg.numpy(v0.numpy() - theta))
    np.testing.assert_allclose(measured, expected, rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("reset", RESETS)
def test_recurrent_layer_shapes_and_zero_diagonal(reset):
    layer = RecurrentLIF(N_IN, N, tau=torch.linspace(5, 30, N), threshold=0.3, reset=reset, seed=3,
                         dtype=torch.float64)
    x = (torch.rand(40, 3, N_IN, dtype=torch.float64) < 0.4).double()
    spikes, voltages = layer(x, return_voltages=True)
    assert spikes.shape == voltages.shape == (40, 3, N)
    assert set(spikes.unique().tolist()) <= {0.0, 1.0}
    assert torch.equal(spikes, (voltages > layer.threshold).double())
    assert torch.equal(layer(x), spikes)
    layer.w_rec.data.add_(1.0)  # even a non-zero stored diagonal must not act
    assert torch.all(layer.recurrent_weight().diagonal() == 0)
    (spikes.sum() + voltages.sum()).backward()
    assert torch.all(layer.w_rec.grad.diagonal() == 0)


def test_unseeded_initialisation_follows_torch_manual_seed():
    """seed=None draws from torch's global generator, as torch.nn.Linear does: a user's torch.manual_seed
    makes the weights reproducible (they were drawn from an OS-seeded generator before)."""
    torch.manual_seed(5)
    a = RecurrentLIF(5, 7)
    torch.manual_seed(5)
    b = RecurrentLIF(5, 7)
    assert torch.equal(a.w_in, b.w_in) and torch.equal(a.w_rec, b.w_rec)
    assert not torch.equal(a.w_in, RecurrentLIF(5, 7).w_in)  # the global generator moved on


def test_seeded_initialisation_is_reproducible():
    a, b = RecurrentLIF(5, 7, seed=11), RecurrentLIF(5, 7, seed=11)
    assert torch.equal(a.w_in, b.w_in) and torch.equal(a.w_rec, b.w_rec)
    assert not torch.equal(a.w_in, RecurrentLIF(5, 7, seed=12).w_in)


def test_trainable_tau_and_threshold_get_gradients():
    layer = RecurrentLIF(3, 5, train_tau=True, train_threshold=True, threshold=0.2, seed=0)
    x = torch.rand(20, 2, 3)
    _, v = layer(x, return_voltages=True)
    v.sum().backward()
    assert layer.tau.grad is not None and layer.threshold.grad is not None
    assert not RecurrentLIF(3, 5).tau.requires_grad


def test_feed_forward_layer_is_recurrent_layer_without_recurrence():
    ff = LIF(N_IN, N, seed=1, dtype=torch.float64, threshold=0.2)
    rec = RecurrentLIF(N_IN, N, seed=1, dtype=torch.float64, threshold=0.2)
    rec.w_rec.data.zero_()
    x = torch.rand(15, 2, N_IN, dtype=torch.float64)
    assert ff.w_rec is None
    assert torch.equal(ff(x), rec(x))


def test_alif_threshold_adapts():
    layer = RecurrentALIF(N_IN, N, threshold=0.1, adaptation_strength=0.0, seed=0, dtype=torch.float64)
    plain = RecurrentLIF(N_IN, N, threshold=0.1, seed=0, dtype=torch.float64)
    x = torch.rand(30, 2, N_IN, dtype=torch.float64)
    assert torch.equal(layer(x), plain(x))  # no adaptation: an LIF layer
    layer.adaptation_strength.fill_(5.0)
    assert layer(x).mean() < plain(x).mean()


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("implementation", ["fast", "reference"])
def test_layer_gives_the_cpu_values_on_every_device(device, implementation):
    layer = RecurrentLIF(N_IN, N, seed=0, dtype=torch.float64, threshold=0.3, implementation=implementation)
    x = torch.rand(10, 2, N_IN, dtype=torch.float64)
    spikes, voltages = layer(x, return_voltages=True)
    (grad,) = torch.autograd.grad(voltages.sum(), layer.w_rec)
    layer.to(device)
    spikes_d, voltages_d = layer(x.to(device), return_voltages=True)
    (grad_d,) = torch.autograd.grad(voltages_d.sum(), layer.w_rec)
    assert torch.equal(spikes_d.cpu(), spikes)
    torch.testing.assert_close(voltages_d.cpu(), voltages, rtol=1e-12, atol=1e-12)
    torch.testing.assert_close(grad_d.cpu(), grad, rtol=1e-10, atol=1e-12)


@pytest.mark.skipif(torch.cuda.is_available(), reason="CUDA is available: the device tests ran on it")
def test_without_cuda_the_device_tests_ran_on_cpu_only():
    """Says so in the test report (the device-parametrised tests take every available device)."""
    assert DEVICES == ["cpu"]


@pytest.mark.parametrize(
    "kwargs, argument",
    [
        (dict(tau=-1.0), "tau"),
        (dict(tau=0.0), "tau"),
        (dict(threshold=0.0), "threshold"),
        (dict(threshold=torch.tensor([1.0, -1.0, 1.0])), "threshold"),
        (dict(reset="soft"), "reset"),
        (dict(surrogate="relu"), "family"),
        (dict(n_rec=0), "n_rec"),
    ],
)
def test_bad_layer_arguments(kwargs, argument):
    args = dict(n_in=2, n_rec=3)
    args.update(kwargs)
    with pytest.raises(ValueError, match=argument):
        RecurrentLIF(**args)


def test_bad_forward_inputs():
    layer = RecurrentLIF(2, 3)
    with pytest.raises(ValueError, match="shape"):
        layer(torch.zeros(5, 2))
    with pytest.raises(ValueError, match="n_in"):
        layer(torch.zeros(5, 1, 4))
    with pytest.raises(ValueError, match="dtype"):
        layer(torch.zeros(5, 1, 2, dtype=torch.float64))
    with pytest.raises(ValueError, match="dtype"):
        layer(torch.zeros(5, 1, 2, dtype=torch.int64))
    layer.w_rec.data[0, 1] = float("nan")
    with pytest.raises(ValueError, match="w_rec"):
        layer(torch.zeros(5, 1, 2))


def test_float64_layer_keeps_its_constants_exact():
    layer = RecurrentLIF(2, 3, tau=20.0, threshold=0.4, dtype=torch.float64)
    assert layer.threshold[0].item() == 0.4 and layer.tau[0].item() == 20.0
