"""Keeping the edge during training: the sharpness written gives the target rho when measured by autograd,
the forward pass is untouched, bad input is refused by name."""

import math

import numpy as np

import pytest
import torch

import lifstab
from lifstab import measure
from lifstab.edge_keeping import EdgeKeeper, keep_edge_


def _layer(seed=0, **kw):
    return lifstab.RecurrentLIF(20, 64, tau=20.0, threshold=0.5, dtype=torch.float64, seed=seed, **kw)


def _inputs(seed=0, T=100, B=8):
    gen = torch.Generator().manual_seed(seed)
    return (torch.rand(T, B, 20, generator=gen, dtype=torch.float64) < 0.2).double()


def _autograd_rho(layer, x, readouts=4):
    logs = [math.log(float(measure.growth_factor(measure.gradient_norms(layer, x, seed=r)))) for r in range(readouts)]
    return math.exp(sum(logs) / readouts)


@pytest.mark.parametrize("family, knob", [("fast_sigmoid", "sharpness"), ("exponential", "sharpness"),
                                          ("fast_sigmoid", "dampening")])
@pytest.mark.parametrize("target", [0.95, 1.0])
def test_kept_edge_is_the_target_when_measured_by_autograd(family, knob, target):
    layer, x = _layer(surrogate=family), _inputs()
    with torch.no_grad():
        layer.w_rec.mul_(3.0)  # start well above the edge
    before = _autograd_rho(layer, x)
    (kept,) = keep_edge_(layer, x, target_rho=target, knob=knob)
    assert kept.value is not None and kept.reason == ""
    assert getattr(layer.surrogate, knob) == pytest.approx(kept.value)
    assert before > 1.05
    assert _autograd_rho(layer, x) == pytest.approx(target, rel=0.05)


def test_keep_edge_leaves_the_forward_pass_alone():
    layers = [_layer(0), lifstab.RecurrentLIF(64, 64, tau=20.0, threshold=0.5, dtype=torch.float64, seed=1)]
    x = _inputs()

    def forward():
        with torch.no_grad():
            return layers[1](layers[0](x))

    spikes = forward()
    kept = keep_edge_(layers, x, target_rho=1.0)
    assert len(kept) == 2
    assert torch.equal(forward(), spikes)


def test_edge_keeper_re_sets_every_k_steps():
    layer, x = _layer(), _inputs(T=40, B=4)
    keeper = EdgeKeeper([layer], target_rho=1.0, every=3)
    for _ in range(7):
        keeper.step(x)
    assert [step for step, _ in keeper.history] == [0, 3, 6]


@pytest.mark.parametrize("bad, match", [
    (dict(target_rho=0.0), "target_rho"), (dict(target_rho=float("nan")), "target_rho"),
    (dict(x=torch.zeros(10, 2, 20, dtype=torch.float64)), "x"), (dict(x=torch.zeros(20, 2, 7, dtype=torch.float64)), "x"),
])
def test_keep_edge_bad_input_names_the_argument(bad, match):
    args = dict(x=_inputs(T=20, B=2), target_rho=1.0) | bad
    with pytest.raises(ValueError, match=match):
        keep_edge_(_layer(), **args)


@pytest.mark.parametrize("kind", ["attached", "alif", "alif_attached"])
def test_kept_edge_of_attached_and_adaptive_layers_is_the_target_when_measured_by_autograd(kind):
    options = dict(tau=20.0, threshold=0.5, dtype=torch.float64, seed=0, reset="subtractive",
                   detach_reset=kind == "alif")
    if kind == "attached":
        layer = lifstab.RecurrentLIF(20, 64, **options)
    else:
        options["detach_reset"] = kind == "alif"
        layer = lifstab.RecurrentALIF(20, 64, adaptation_tau=100.0, adaptation_strength=0.5, **options)
    x = _inputs()
    with torch.no_grad():
        layer.w_rec.mul_(3.0)
    assert lifstab.edge_keeping.keepable(layer)
    (kept,) = keep_edge_(layer, x, target_rho=1.0)
    assert kept.value is not None and kept.reason == ""
    assert _autograd_rho(layer, x) == pytest.approx(1.0, rel=0.05)


def test_keep_edge_refuses_layers_it_cannot_measure():
    x = _inputs(T=20, B=2)
    for layer in (lifstab.LIF(20, 8, dtype=torch.float64), torch.nn.Linear(20, 8)):
        with pytest.raises(ValueError, match="layers"):
            keep_edge_(layer, x)
    with pytest.raises(ValueError, match="every"):
        EdgeKeeper([_layer()], every=0)
    with pytest.raises(ValueError, match="knob"):
        keep_edge_(_layer(), x, knob="height")


def test_warm_root_finds_a_curved_crossing_and_gives_up_where_there_is_none():
    from lifstab.edge_keeping import _warm_root

    # ln rho - ln target, falling and curved in ln beta (a floor, as the leak gives): zero at beta = 7
    curve = lambda b: 0.4 * (np.exp(-(np.log(b) - np.log(7.0))) - 1.0)  # noqa: E731
    calls = []
    counted = lambda b: calls.append(len(b)) or curve(np.asarray(b))  # noqa: E731
    root = _warm_root(counted, 6.0, 1e-3, 1e3)
    assert root == pytest.approx(7.0, rel=1e-3)
    assert sum(calls) <= 8
    assert _warm_root(lambda b: np.full(len(b), 0.3), 6.0, 1e-3, 1e3) is None  # unstable everywhere
    assert _warm_root(lambda b: 0.3 * np.log(np.asarray(b)), 6.0, 1e-3, 1e3) is None  # rho rising in beta


def test_warm_started_keep_edge_agrees_with_the_whole_range_search():
    layer, x = _layer(), _inputs()
    (cold,) = keep_edge_(layer, x, target_rho=0.95)
    for start in (0.7 * cold.value, 1.4 * cold.value):
        (warm,) = keep_edge_(layer, x, target_rho=0.95, near=[start])
        assert warm.value == pytest.approx(cold.value, rel=2e-3)
    with pytest.raises(ValueError, match="near"):
        keep_edge_(layer, x, target_rho=0.95, near=[1.0, 2.0])


def test_edge_keeper_warm_starts_from_the_second_re_set(monkeypatch):
    import lifstab.edge_keeping as keeping

    seen = []
    original = keeping.keep_edge_
    monkeypatch.setattr(keeping, "keep_edge_", lambda *a, **kw: seen.append(kw.get("near")) or original(*a, **kw))
    layer, x = _layer(), _inputs()
    keeper = EdgeKeeper([layer], target_rho=0.95, every=1)
    keeper.step(x)
    keeper.step(x)
    assert seen[0] is None and seen[1] == [pytest.approx(keeper.history[0][1][0])]
