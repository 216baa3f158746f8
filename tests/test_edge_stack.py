"""lifstab.edge_stack: the edge of a stack of recurrent layers, predicted layer by layer, against the
stack's own BPTT (autograd through both layers) and during training (changed weights)."""

import math

import numpy as np
import pytest
import torch

from lifstab import measure as M
from lifstab import stability as S
from lifstab.edge_stack import stack_critical_sharpness, stack_inputs
from lifstab.lif import RecurrentLIF
from lifstab.protocol import build, config_from_dict

TINY = dict(sg="fast_sigmoid", dampening=1.0, q=None, n_in=30, n_rec=120, tau=15.0, thr=0.3, input_rate=0.15,
            w_in_std=1.5 / math.sqrt(30), w_rec_std=1.5 / math.sqrt(120), w_rec_mean=0.0, reset="multiplicative",
            T=120, batch=6)


def _second_layer(first: RecurrentLIF, rec_scale: float, seed: int = 1) -> RecurrentLIF:
    """A second layer (n_in = first.n_rec) with recurrent weights ``rec_scale / sqrt(n)``."""
    gen = torch.Generator().manual_seed(seed)
    n = first.n_rec
    layer = RecurrentLIF(n, n, tau=15.0, threshold=0.3, reset=first.reset, detach_reset=True,
                         surrogate=first.surrogate, bias=False, dtype=torch.float64)
    with torch.no_grad():
        layer.w_in.copy_(torch.randn(n, n, generator=gen, dtype=torch.float64) * 2.0 / math.sqrt(n * 0.3))
        w = torch.randn(n, n, generator=gen, dtype=torch.float64) * rec_scale / math.sqrt(n)
        layer.w_rec.copy_(w.fill_diagonal_(0.0))
    return layer


def _stack_log_growth(layers, x, beta: float, r: torch.Tensor) -> float:
    """The protocol's ln rho of the whole stack by autograd: g_t over both layers' voltages, the readout
    on the last layer's final voltage."""
    for layer in layers:
        layer.surrogate = layer.surrogate.replace(sharpness=float(beta))
    with torch.enable_grad():
        v1, z1, _ = M.run_steps(layers[0], x, track=True)
        v2, _, _ = M.run_steps(layers[1], torch.stack(z1), track=True)
        grads = torch.autograd.grad((v2[-1] * r).sum(), v1 + v2, allow_unused=True)
    T = len(v1)
    sq = [torch.zeros((), dtype=torch.float64) if g is None else g.pow(2).sum() for g in grads]
    g = torch.stack([(sq[t] + sq[T + t]).sqrt() for t in range(T)])
    return float(M.log_growth_factor(g))


@pytest.mark.slow
@pytest.mark.parametrize("rec_scale", [0.9, 2.2])
def test_stack_edge_is_the_largest_layer_edge_and_matches_the_stack_bptt(rec_scale):
    """Layer 2 weakly (0.9) or strongly (2.2) recurrent: the limiting layer changes, and the stack's
    measured ln rho (2 readouts) changes sign around the predicted beta_c (within a factor 1.35)."""
    first, x, _ = build(config_from_dict(TINY), 0)
    layers = [first, _second_layer(first, rec_scale)]
    pred = stack_critical_sharpness(layers, x)
    assert pred.feasible and len(pred.layers) == 2
    assert pred.critical_sharpness == max(p.critical_sharpness for p in pred.layers)
    gen = torch.Generator().manual_seed(7)
    readouts = [torch.randn(x.shape[1], first.n_rec, generator=gen, dtype=torch.float64) for _ in range(2)]
    below = np.mean([_stack_log_growth(layers, x, pred.critical_sharpness / 1.35, r) for r in readouts])
    above = np.mean([_stack_log_growth(layers, x, pred.critical_sharpness * 1.35, r) for r in readouts])
    assert below > 0 > above
    assert S.critical_sharpness(layers, x) == pred  # critical_sharpness dispatches a list to the stack


def test_stack_limiting_layer_moves_with_the_recurrent_scale():
    first, x, _ = build(config_from_dict(TINY), 0)
    weak = stack_critical_sharpness([first, _second_layer(first, 0.9)], x)
    strong = stack_critical_sharpness([first, _second_layer(first, 2.2)], x)
    assert strong.layers[1].critical_sharpness > weak.layers[1].critical_sharpness
    assert weak.layers[0] == strong.layers[0]  # the first layer is probed on the same inputs


def test_prediction_follows_the_current_weights():
    """During training the weights change: the prediction is made from the current ones (scaling the
    recurrent weights up moves the edge to larger sharpness) and equals that of a fresh layer holding them."""
    layer, x, _ = build(config_from_dict(TINY), 0)
    before = S.critical_sharpness(layer, x)
    with torch.no_grad():
        layer.w_rec.mul_(1.5)
    after = S.critical_sharpness(layer, x)
    assert after.critical_sharpness > before.critical_sharpness
    fresh, _, _ = build(config_from_dict(TINY), 0, weights=(layer.w_in.detach().numpy(), layer.w_rec.detach().numpy()))
    assert S.critical_sharpness(fresh, x) == after


def test_stack_validation():
    first, x, _ = build(config_from_dict(TINY), 0)
    with pytest.raises(ValueError, match="layers"):
        stack_critical_sharpness([], x)
    with pytest.raises(ValueError, match=r"layers\[1\] takes"):
        stack_inputs([first, RecurrentLIF(7, 5)], x)
    with pytest.raises(ValueError, match="probe"):
        S.critical_sharpness([first], x, probe=S.forward_probe(first, x))
