"""The one-sided surrogate rule on peer layers (issue 14): ``never_wider`` keeps a layer's own surrogate
where the recommended one is wider, and a keeper's ``sharpness_floor`` is never crossed."""

import copy
import math
import warnings

import pytest
import torch

import lifstab
from lifstab.adapters import adapt, description_layer
from lifstab.adapters.keeping import PeerEdgeKeeper
from lifstab.stability import forward_probe, replay_log_growth

from test_peer_keeping import inputs, need, rleaky_pair, train


def stable(pair, x, **options):
    """``lifstab.adapters.stable_init_`` (``never_wider`` is on by default for peer layers, through ``lifstab.stable_init_`` too)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return lifstab.adapters.stable_init_(pair, inputs=x, seed=0, **options)


def sharpness(pair) -> float:
    return float(torch.as_tensor(adapt(pair).surrogate().sharpness).double().mean())


def measured_rho(pair, x, value: float) -> float:
    adapter = adapt(pair)
    layer = description_layer(adapter.describe(), adapter.surrogate())
    probe = forward_probe(layer, x[:, :16].double())
    return math.exp(float(replay_log_growth(layer, probe, torch.tensor([value]))[0]))


def with_slope(pair, slope):
    pair[1].spike_grad = need("snntorch").surrogate.fast_sigmoid(slope=slope)
    return pair


def test_the_floor_binds_only_below_it_and_narrows_rho_below_the_target():
    x = inputs()
    pair = rleaky_pair()
    stable(pair, x, keep_edge=None)
    free = PeerEdgeKeeper(adapt(copy.deepcopy(pair)), 0.95, every=1)
    (kept,) = free.step(x)
    assert kept.value is not None
    low = PeerEdgeKeeper(adapt(copy.deepcopy(pair)), 0.95, every=1, sharpness_floor=kept.value / 2)
    assert low.step(x)[0].value == kept.value, "a floor below the edge changes nothing"
    floored = copy.deepcopy(pair)
    high = PeerEdgeKeeper(adapt(floored), 0.95, every=1, sharpness_floor=2 * kept.value)
    (raised,) = high.step(x)
    assert raised.value == 2 * kept.value and high.history == [(0, [2 * kept.value])]
    assert sharpness(floored) == pytest.approx(2 * kept.value, rel=1e-6), "the peer runs with the floor (float32)"
    assert measured_rho(floored, x, raised.value) < 0.95, "narrower than the edge: rho below the target"


def test_a_floored_keeper_never_writes_below_its_floor_in_training():
    pair = with_slope(rleaky_pair(), 25)  # sharpness 12.5, narrower than this layer's edge (about 1.4)
    xs = [inputs(seed=s) for s in range(12)]  # the 12th pass ends the 11th: keeper steps 0, 5, 10
    rec = stable(pair, xs[0], never_wider=True)
    keeper = lifstab.edge_keeper_of(pair)
    assert keeper.sharpness_floor == 12.5 and "at most 0.95" in rec.changes[-1]
    train(pair, xs)
    values = [v for _, (v,) in keeper.history]
    assert len(values) == 3 and all(v >= 12.5 for v in values) and sharpness(pair) >= 12.5
    adapter = adapt(pair)
    layer = description_layer(adapter.describe(), adapter.surrogate())
    (free,) = lifstab.keep_edge_(layer, xs[10][:, :16].double(), 0.95)
    assert free.value < 12.5, "the floor binds: without it the keeper would widen past the own surrogate"


def test_never_wider_keeps_a_narrower_own_surrogate_and_takes_a_narrower_recommendation():
    x = inputs()
    narrow = with_slope(rleaky_pair(), 25)
    rec = stable(narrow, x, never_wider=True, keep_edge=None)
    assert sharpness(narrow) == 12.5 and any(c.startswith("never_wider") for c in rec.changes)
    assert measured_rho(narrow, x, 12.5) < 1, "the layer's own surrogate was already on the stable side"
    wide, reference = with_slope(rleaky_pair(), 1), with_slope(rleaky_pair(), 1)  # sharpness 0.5
    rec = stable(wide, x, never_wider=True, keep_edge=None)
    stable(reference, x, keep_edge=None)
    assert sharpness(wide) == sharpness(reference) > 0.5, "the edge is narrower than its own: the edge is written"
    assert not any(c.startswith("never_wider") for c in rec.changes)


def test_the_default_on_peer_layers_keeps_the_users_narrower_surrogate():
    """``lifstab.stable_init_`` on a peer pair without ``never_wider``: the recipe's ``peer_never_wider``
    (True) keeps the tutorial's own surrogate; ``never_wider=False`` writes the (wider) edge."""
    assert lifstab.recipe.RECIPE.peer_never_wider is True and lifstab.recipe.RECIPE.never_wider is False
    x = inputs()
    kept, edge = with_slope(rleaky_pair(), 25), with_slope(rleaky_pair(), 25)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        rec = lifstab.stable_init_(kept, inputs=x, seed=0)
    assert sharpness(kept) == 12.5 and any(c.startswith("never_wider") for c in rec.changes)
    assert lifstab.edge_keeper_of(kept).sharpness_floor == 12.5
    stable(edge, x, never_wider=False, keep_edge=None)
    assert sharpness(edge) < 12.5, "the edge is wider than the tutorial's surrogate"


def test_never_wider_is_validated():
    x = inputs()
    with pytest.raises(ValueError, match="never_wider"):
        stable(rleaky_pair(), x, never_wider=1)
    # another family than the layer's own: "wider" is not defined, the recommended surrogate is written
    (rec,) = [stable(rleaky_pair(), x, never_wider=True, family="sigmoid")]
    rec = rec[0] if isinstance(rec, list) else rec
    assert any(c.startswith("never_wider not applied") and "sigmoid" in c for c in rec.changes)
    with pytest.raises(ValueError, match="never_wider"):  # the main entry validates it too
        lifstab.stable_init_(lifstab.RecurrentLIF(3, 8, seed=0), never_wider="yes")
    with pytest.raises(ValueError, match="sharpness_floor"):
        PeerEdgeKeeper(adapt(rleaky_pair()), 0.95, sharpness_floor=0.0)
    with pytest.raises(ValueError, match="sharpness_floor"):
        PeerEdgeKeeper(adapt(rleaky_pair()), 0.95, sharpness_floor="wide")
