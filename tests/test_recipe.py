"""lifstab.recipe and stable_init_'s recipe defaults: kept weights, the rate floor, the attached edge keeper."""

import copy
import pickle

import numpy as np

import pytest
import torch

import lifstab
from lifstab.recipe import RECIPE, lift_rate_, param_groups


def _spikes(T=24, B=8, n=20, rate=0.2, seed=0):
    g = torch.Generator().manual_seed(seed)
    return (torch.rand(T, B, n, generator=g) < rate).double()


def _layer(n_in=20, n_rec=32, threshold=1.0, seed=0, **kw):
    torch.manual_seed(seed)
    return lifstab.RecurrentLIF(n_in, n_rec, threshold=threshold, dtype=torch.float64, **kw)


def test_stable_init_keeps_the_weights_and_attaches_a_keeper_by_default():
    layer, x = _layer(), _spikes()
    w_in, w_rec = layer.w_in.detach().clone(), layer.w_rec.detach().clone()
    rec = lifstab.stable_init_(layer, inputs=x, seed=0)
    assert torch.equal(layer.w_in, w_in) and torch.equal(layer.w_rec, w_rec)
    assert "kept" in rec.reasons["weights"]
    keeper = lifstab.edge_keeper_of(layer)
    assert keeper is not None and keeper.target_rho == RECIPE.target_rho
    assert "EdgeKeeper" in rec.reasons["keep_edge"]


def test_weights_from_conditions_and_no_keeper_on_request():
    layer, x = _layer(), _spikes()
    w_rec = layer.w_rec.detach().clone()
    rec = lifstab.stable_init_(layer, inputs=x, seed=0, weights="conditions", keep_edge=None)
    assert not torch.equal(layer.w_rec, w_rec)
    assert lifstab.edge_keeper_of(layer) is None and "weights" not in rec.reasons
    with pytest.raises(ValueError, match="weights"):
        lifstab.stable_init_(layer, inputs=x, weights="glorot")
    with pytest.raises(ValueError, match="target_rho"):
        lifstab.stable_init_(layer, inputs=x, keep_edge=-1.0)
    with pytest.raises(ValueError, match="keep_edge"):
        lifstab.stable_init_(layer, inputs=x, keep_edge=float("nan"))
    for bad in (0.0, 1.5, "0.1"):  # checked even where no inputs would let it act
        with pytest.raises(ValueError, match="min_rate"):
            lifstab.stable_init_(layer, min_rate=bad)


def test_the_keeper_steps_in_training_forward_passes_only_and_holds_its_target():
    layer, x = _layer(), _spikes(T=32)
    lifstab.stable_init_(layer, inputs=x, seed=0)
    keeper = lifstab.edge_keeper_of(layer)
    with torch.no_grad():
        layer(x)
    layer.eval()
    layer(x)
    assert keeper.steps == 0  # no autograd, or eval mode: no step
    layer.train()
    opt = torch.optim.Adam(param_groups(layer, 1e-2))
    for _ in range(5):
        layer(x).sum().backward()
        opt.step()
        opt.zero_grad()
    before = copy.deepcopy(layer)  # the trained weights the sixth step's keeper sees
    layer(x)
    assert keeper.steps == 6 and [s for s, _ in keeper.history] == [0, 5]
    assert layer.surrogate.sharpness == pytest.approx(keeper.history[-1][1][0])
    # the value written is the one at which the replayed rho on those inputs is the target
    # (the keeper warm-starts from where its first re-set put the sharpness)
    kept = lifstab.keep_edge_(lifstab.detach_edge_keeper(before) and before, x[:, :8], RECIPE.target_rho,
                              near=[keeper.history[0][1][0]])
    assert kept[0].value == pytest.approx(keeper.history[-1][1][0], rel=1e-6)
    assert lifstab.detach_edge_keeper(layer) is keeper and lifstab.edge_keeper_of(layer) is None


def test_a_layer_with_a_keeper_copies_and_pickles_after_a_forward_pass():
    layer, x = _layer(), _spikes()
    lifstab.stable_init_(layer, inputs=x, seed=0)
    layer(x).sum().backward()  # last_state is on the autograd graph
    clone = copy.deepcopy(layer)
    assert lifstab.edge_keeper_of(clone).layers[0] is clone
    assert lifstab.edge_keeper_of(pickle.loads(pickle.dumps(layer))) is not None


@pytest.mark.filterwarnings("ignore:lifstab. Condition IV has no root")
def test_no_keeper_where_the_edge_cannot_be_measured():
    torch.manual_seed(0)
    layer = lifstab.LIF(20, 32, dtype=torch.float64)  # no recurrence: no through-time edge to keep
    rec = lifstab.stable_init_(layer, inputs=_spikes(), seed=0)
    assert lifstab.edge_keeper_of(layer) is None and "needs a recurrent layer" in rec.reasons["keep_edge"]
    assert rec.sharpness_method == "condition_iv" and "needs a recurrent layer" in rec.reasons["edge"]


@pytest.mark.parametrize("adaptive", [False, True])
def test_attached_and_adaptive_layers_get_the_measured_edge_and_a_keeper(adaptive):
    """An attached-reset LIF and an ALIF layer take the edge route: after stable_init_ their rho, measured
    by autograd through the layer itself (not the replay), is 1 on the example inputs."""
    from lifstab.measure import gradient_norms, growth_factor

    torch.manual_seed(0)
    options = dict(tau=20.0, threshold=0.5, reset="subtractive", detach_reset=False, dtype=torch.float64)
    layer = (lifstab.RecurrentALIF(20, 64, adaptation_tau=100.0, adaptation_strength=0.5, **options) if adaptive
             else lifstab.RecurrentLIF(20, 64, **options))
    x = _spikes()
    rec = lifstab.stable_init_(layer, inputs=x, seed=0)
    assert rec.sharpness_method == "edge" and lifstab.edge_keeper_of(layer) is not None
    with lifstab.edge_keeping.paused():
        rho = np.exp(np.mean([np.log(float(growth_factor(gradient_norms(layer, x, seed=r)))) for r in range(4)]))
    assert rho == pytest.approx(1.0, rel=0.05)


def test_lift_rate_raises_a_silent_layer_to_the_floor_and_leaves_a_firing_one():
    silent, x = _layer(threshold=5.0), _spikes(rate=0.05)
    with torch.no_grad():
        assert float(silent(x).mean()) < 1e-3
        offset = lift_rate_(silent, x, 0.02)
        assert offset > 0 and float(silent(x).mean()) == pytest.approx(0.02, abs=0.004)
        firing = _layer(threshold=0.05)
        bias = firing.bias.clone()
        assert lift_rate_(firing, x, 0.02) is None and torch.equal(firing.bias, bias)
    with pytest.raises(ValueError, match="min_rate"):
        lift_rate_(silent, x, 1.5)


def test_stable_init_lifts_a_silent_layer_and_says_so():
    layer, x = _layer(threshold=5.0), _spikes(rate=0.05)
    rec = lifstab.stable_init_(layer, inputs=x, seed=0, keep_edge=None)
    assert "min_rate=0.02" in rec.reasons["rate"]
    with torch.no_grad():
        assert float(layer(x).mean()) >= 0.015
    other = _layer(threshold=5.0)
    assert "rate" not in lifstab.stable_init_(other, inputs=x, seed=0, keep_edge=None, min_rate=None).reasons


def test_param_groups_scale_and_freeze_the_recurrent_weights():
    layer = _layer()
    model = torch.nn.Sequential(layer, torch.nn.Linear(32, 3))
    groups = param_groups(model, 1e-3, 0.1)
    assert [g["lr"] for g in groups] == [1e-3, pytest.approx(1e-4)]
    assert groups[1]["params"] == [layer.w_rec]
    assert sum(len(g["params"]) for g in groups) == len(list(model.parameters()))
    frozen = param_groups(model, 1e-3, 0.0)
    assert len(frozen) == 1 and not layer.w_rec.requires_grad
    for bad in ({"lr": 0.0}, {"recurrent_lr_scale": -1.0}):
        with pytest.raises(ValueError, match=next(iter(bad))):
            param_groups(model, **{"lr": 1e-3, **bad})


def test_the_keeper_passes_over_sequences_too_short_to_measure():
    layer = _layer()
    keeper = lifstab.EdgeKeeper([layer], target_rho=0.95)
    sharpness = layer.surrogate.sharpness
    assert keeper.step(_spikes(T=8)) is None and keeper.skipped == 1 and keeper.history == []
    assert layer.surrogate.sharpness == sharpness
    assert keeper.step(_spikes(T=8)) is None and keeper.steps == 2 and keeper.skipped == 1  # not a re-set step


def test_never_wider_keeps_a_surrogate_already_on_the_stable_side_and_floors_the_keeper():
    from lifstab.surrogates import Surrogate

    x = _spikes(T=32)
    edge = _layer()
    lifstab.stable_init_(edge, inputs=x, seed=0, never_wider=False)  # the edge itself
    beta_edge = float(edge.surrogate.sharpness)
    own = 4 * beta_edge  # narrower than the edge: rho < 1 already
    layer = _layer(surrogate=Surrogate("fast_sigmoid", sharpness=own))
    rec = lifstab.stable_init_(layer, inputs=x, seed=0, never_wider=True)
    assert float(layer.surrogate.sharpness) == pytest.approx(own)
    assert "never_wider" in rec.reasons and "kept" in rec.reasons["never_wider"]
    keeper = lifstab.edge_keeper_of(layer)
    assert keeper.sharpness_floor == pytest.approx(own) and "never below" in rec.reasons["keep_edge"]
    layer.train()
    layer(x)  # the keeper's first re-set: rho 0.95 lies at a wider sharpness, the floor holds
    assert keeper.history and keeper.history[-1][1][0] == pytest.approx(own)
    # a layer whose own surrogate is wider than the edge (lifstab's default, sharpness 1) is not affected
    a, b = _layer(), _layer()
    lifstab.stable_init_(a, inputs=x, seed=0, never_wider=True)
    lifstab.stable_init_(b, inputs=x, seed=0, never_wider=False)
    assert float(a.surrogate.sharpness) == float(b.surrogate.sharpness) > 1.0
    assert "never_wider" not in lifstab.stable_init_(_layer(), inputs=x, seed=0, never_wider=True).reasons
    # the default on lifstab's layers is off (lifstab.recipe): a narrow own surrogate is set to the edge
    narrow = _layer(surrogate=Surrogate("fast_sigmoid", sharpness=own))
    lifstab.stable_init_(narrow, inputs=x, seed=0)
    assert float(narrow.surrogate.sharpness) == pytest.approx(beta_edge)
    assert lifstab.edge_keeper_of(narrow).sharpness_floor is None


def test_edge_keeper_floor_is_validated():
    with pytest.raises(ValueError, match="sharpness_floor"):
        lifstab.EdgeKeeper([_layer()], 0.95, sharpness_floor=-1.0)
    with pytest.raises(ValueError, match="sharpness_floor"):
        lifstab.EdgeKeeper([_layer()], 0.95, knob="dampening", sharpness_floor=2.0)
