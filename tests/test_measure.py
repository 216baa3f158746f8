"""lifstab.measure: the gradient-norm curve, rho, Jacobian statistics, firing rate."""

import math

import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st

from lifstab import RecurrentLIF, Surrogate
from lifstab import measure as M

from devices import DEVICES


def tiny_layer(reset="subtractive", detach=True, family="fast_sigmoid", n_in=10, n=16, seed=3, gain=1.5):
    sg = Surrogate(family, dampening=0.9, sharpness=1.0, tail=1.7 if family == "q_pseudo_spike" else None)
    layer = RecurrentLIF(n_in, n, tau=10.0, threshold=0.4, reset=reset, detach_reset=detach, surrogate=sg,
                         bias=False, dtype=torch.float64, seed=seed)
    with torch.no_grad():
        gen = torch.Generator().manual_seed(seed)
        layer.w_in.copy_(torch.randn(n_in, n, generator=gen, dtype=torch.float64) / math.sqrt(n_in))
        layer.w_rec.copy_(torch.randn(n, n, generator=gen, dtype=torch.float64) * gain / math.sqrt(n) * layer.rec_mask)
    return layer


def tiny_inputs(T=40, B=3, n_in=10, rate=0.2, seed=0):
    gen = torch.Generator().manual_seed(seed)
    return (torch.rand(T, B, n_in, generator=gen, dtype=torch.float64) < rate).double()


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("reset", ["subtractive", "multiplicative_2", "multiplicative_1", "none"])
@pytest.mark.parametrize("detach", [True, False])
def test_replayed_backward_equals_autograd(reset, detach, device):
    layer, x = tiny_layer(reset, detach).to(device), tiny_inputs().to(device)
    r = M.readout((3, 16), seed=5, device=device)
    betas = [0.3, 1.0, 4.0]
    batched = M.gradient_norms_over_sharpness(layer, M.record(layer, x), betas, r)
    for k, beta in enumerate(betas):
        layer.surrogate = layer.surrogate.replace(sharpness=beta)
        reference = M.gradient_norms(layer, x, r)
        torch.testing.assert_close(batched[k], reference, rtol=1e-10, atol=1e-300)


def test_on_step_sees_every_backward_signal_the_norms_are_taken_of():
    layer, x = tiny_layer("subtractive", False), tiny_inputs()
    r = M.readout((3, 16), seed=5)
    seen = {}
    norms = M.gradient_norms_over_sharpness(layer, M.record(layer, x), [0.5, 2.0], r,
                                            on_step=lambda t, grad: seen.setdefault(t, grad.clone()))
    assert sorted(seen) == list(range(x.shape[0] - 1))  # every step but the last, whose signal is r
    for t, grad in seen.items():
        torch.testing.assert_close(grad.flatten(1).norm(dim=1), norms[:, t], rtol=1e-12, atol=0)
    assert torch.equal(norms, M.gradient_norms_over_sharpness(layer, M.record(layer, x), [0.5, 2.0], r))


def test_gradient_norms_last_step_is_readout_norm_and_frozen_weights_work():
    layer, x = tiny_layer(), tiny_inputs()
    for p in layer.parameters():
        p.requires_grad_(False)
    r = M.readout((3, 16), seed=1)
    g = M.gradient_norms(layer, x, r)
    assert g.shape == (40,)
    assert float(g[-1]) == pytest.approx(float(r.norm()))
    assert torch.all(g > 0)


@given(st.floats(-0.2, 0.2), st.integers(16, 400), st.floats(0.1, 10.0))
def test_growth_factor_of_a_geometric_curve(log_rate, T, scale):
    t = torch.arange(1, T + 1, dtype=torch.float64)
    g = scale * torch.exp(-0.5 * log_rate * t)  # g_t^2 shrinks by exp(log_rate) per step forward in t
    assert float(M.growth_factor(g)) == pytest.approx(math.exp(log_rate), rel=1e-9)
    assert float(M.log_growth_factor(g)) == pytest.approx(log_rate, abs=1e-9)


def test_growth_window_is_the_protocols():
    assert M.growth_window(300) == (100, 290)
    with pytest.raises(ValueError, match="T"):
        M.growth_window(10)


def test_constant_surrogate_gives_the_spectral_radius():
    """SG = dampening everywhere (rectangular, tiny sharpness): the backward product is a power of
    alpha I + dampening W, so rho tends to its squared spectral radius."""
    n = 48
    layer = tiny_layer(family="rectangular", n=n, gain=1.0)
    T = 400
    x = tiny_inputs(T=T, B=2)
    traj = M.record(layer, x)
    g = M.gradient_norms_over_sharpness(layer, traj, [1e-6], M.readout((2, n), seed=0))[0]
    matrix = layer.decay[0] * torch.eye(n, dtype=torch.float64) + 0.9 * layer.recurrent_weight()
    radius = torch.linalg.eigvals(matrix).abs().max().item()
    assert float(M.growth_factor(g)) == pytest.approx(radius ** 2, rel=0.03)


def test_jacobian_stats_match_the_subtractive_table():
    layer, x = tiny_layer(), tiny_inputs()
    traj = M.record(layer, x)
    stats = M.jacobian_stats(layer, traj, steps=[20, 30], batch_index=1)
    alpha = float(layer.decay[0])
    W = layer.recurrent_weight().detach()
    second, sums, diag = [], [], []
    for s in (20, 30):
        sg = layer.surrogate.torch(traj.voltages[s - 2, 1] - layer.threshold.detach())
        J = alpha * torch.eye(16, dtype=torch.float64) + (W * sg[:, None]).T  # M_ij = alpha d_ij + W_ji SG_j
        second.append((J ** 2).sum(1).mean())
        sums.append(J.abs().sum(1).max())
        diag.append(J.diagonal().mean())
    assert stats.row_second_moment == pytest.approx(float(torch.stack(second).mean()), rel=1e-12)
    assert stats.max_row_sum == pytest.approx(float(torch.stack(sums).max()), rel=1e-12)
    assert stats.mean_diagonal == pytest.approx(float(torch.stack(diag).mean()), rel=1e-12)


def test_firing_rate_and_record_shapes():
    layer, x = tiny_layer(), tiny_inputs()
    traj = M.record(layer, x)
    assert traj.voltages.shape == traj.spikes.shape == traj.currents.shape == (40, 3, 16)
    spikes, voltages = layer(x, return_voltages=True)
    torch.testing.assert_close(traj.voltages, voltages.detach())
    assert M.firing_rate(traj.spikes) == pytest.approx(float(spikes.detach().mean()))
    assert M.firing_rate(torch.tensor([0.0, 1.0, 1.0, 0.0])) == 0.5


def test_bad_arguments_raise_value_error():
    layer, x = tiny_layer(), tiny_inputs()
    traj = M.record(layer, x)
    with pytest.raises(ValueError, match="sharpness"):
        M.gradient_norms_over_sharpness(layer, traj, [1.0, -2.0], M.readout((3, 16)))
    with pytest.raises(ValueError, match="readout_weights"):
        M.gradient_norms_over_sharpness(layer, traj, [1.0], M.readout((2, 16)))
    with pytest.raises(ValueError, match="readout_weights"):
        M.gradient_norms(layer, x, M.readout((3, 5)))
    with pytest.raises(ValueError, match="graph"):
        M.gradient_norms_from_voltages([traj.voltages[-1]], M.readout((3, 16)))
    with pytest.raises(ValueError, match="layer"):
        M.record(torch.nn.Linear(2, 2), x)
    with pytest.raises(ValueError, match="batch_index"):
        M.jacobian_stats(layer, traj, batch_index=9)
    with pytest.raises(ValueError, match="spikes"):
        M.firing_rate(np.zeros(3))
