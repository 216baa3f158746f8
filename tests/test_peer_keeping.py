"""stable_init_'s recipe on peer layers (issue 14): the weights kept, the bias lift written into the peer,
and the edge kept during training by a forward pre-hook (lifstab.adapters.keeping)."""

import copy
import warnings

import pytest
import torch

import lifstab
from lifstab import measure
from lifstab.adapters import adapt, description_layer, simulate
from lifstab.adapters.keeping import PeerEdgeKeeper

T, B, N_IN, N = 40, 8, 20, 16


def need(name):
    return pytest.importorskip(name, reason=f"{name} is not installed (pip install 'lifstab[interop]')")


def inputs(seed=0, rate=0.1, T=T):
    gen = torch.Generator().manual_seed(seed)
    return (torch.rand(T, B, N_IN, generator=gen) < rate).float()


def rleaky_pair(scale=1.0, all_to_all=True, seed=0):
    snn = need("snntorch")
    torch.manual_seed(seed)
    fc = torch.nn.Linear(N_IN, N)
    with torch.no_grad():
        fc.weight.mul_(scale)
        fc.bias.mul_(scale)
    kwargs = dict(linear_features=N) if all_to_all else dict(all_to_all=False, V=torch.full((N,), 0.3))
    lif = snn.RLeaky(beta=0.9, spike_grad=snn.surrogate.fast_sigmoid(slope=25), **kwargs)
    if all_to_all:
        with torch.no_grad():
            lif.recurrent.weight.mul_(scale)
            lif.recurrent.bias.mul_(scale)
    return fc, lif


def run(pair, x):
    """The tutorials' loop: the Linear called step by step."""
    fc, lif = pair
    spk, mem = lif.init_rleaky()
    spikes = []
    for t in range(x.shape[0]):
        spk, mem = lif(fc(x[t]), spk, mem)
        spikes.append(spk)
    return torch.stack(spikes)


def stable(pair, x, **options):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return lifstab.stable_init_(pair, inputs=x, seed=0, **options)


def train(pair, xs, lr=1e-2):
    params = [p for m in pair for p in m.parameters()]
    opt = torch.optim.Adam(params, lr=lr)
    for x in xs:
        loss = run(pair, x).mean()
        opt.zero_grad()
        loss.backward()
        opt.step()


def test_bias_lift_reaches_the_peer_and_weights_are_kept():
    pair = rleaky_pair(scale=0.05)  # a silent layer
    x = inputs()
    with torch.no_grad():
        assert float(run(pair, x).mean()) < 0.02
    weight = pair[0].weight.detach().clone()
    bias = (pair[0].bias + pair[1].recurrent.bias).detach().clone()  # the current's bias, both Linears
    rec = stable(pair, x, min_rate=0.02)  # asked for: a peer layer's default is no lift (next test)
    assert torch.equal(pair[0].weight, weight), "weights='keep' keeps the Linear's weights"
    offset = pair[0].bias.detach() - bias
    assert float(offset.min()) > 0 and torch.allclose(offset, offset[0].expand_as(offset))
    assert torch.all(pair[1].recurrent.bias == 0), "folded into the Linear's bias"
    # the lift is the least offset reaching min_rate in float64; written into a float32 Linear it may round
    # to a spike or two below it
    with torch.no_grad():
        assert float(run(pair, x).mean()) == pytest.approx(0.02, abs=0.001), "the peer fires at min_rate"
    assert any(c.startswith("rate: ") for c in rec.changes)
    assert rec.recommendation.reasons["rate"]


def test_a_peer_layer_is_not_lifted_by_default_and_a_lifstab_layer_is():
    x = inputs()
    pair = rleaky_pair(scale=0.05)  # a silent layer
    bias = (pair[0].bias + pair[1].recurrent.bias).detach().clone()
    rec = stable(pair, x)
    assert torch.equal(pair[0].bias.detach(), bias) and "rate" not in rec.recommendation.reasons
    with torch.no_grad():
        assert float(run(pair, x).mean()) < 0.02, "still silent: RECIPE.peer_min_rate is None"
    layer = lifstab.RecurrentLIF(x.shape[-1], 16, threshold=20.0, seed=0)
    with torch.no_grad():
        assert float(layer(x).mean()) < 0.02
    before = layer.bias.detach().clone()
    stable(layer, x)
    assert float((layer.bias.detach() - before).min()) > 0, "lifstab's own layer: RECIPE.min_rate"
    with pytest.raises(ValueError, match="min_rate"):
        stable(rleaky_pair(), x, min_rate="always")


def test_options_pass_through_to_peer_layers():
    x = inputs()
    pair = rleaky_pair(scale=0.05)
    bias = pair[0].bias + pair[1].recurrent.bias
    rec = stable(pair, x, min_rate=None, keep_edge=None)
    assert torch.equal(pair[0].bias, bias) and "rate" not in rec.recommendation.reasons
    assert lifstab.edge_keeper_of(pair) is None and "keep_edge=None" in rec.changes[-1]
    rec = stable(pair, x, keep_edge=0.9)
    assert lifstab.edge_keeper_of(pair).target_rho == 0.9 and "0.9" in rec.recommendation.reasons["keep_edge"]
    with pytest.raises(ValueError, match="target_rho"):
        stable(pair, x, keep_edge=-1.0)


def test_one_to_one_recurrence_gets_the_lift_measured_with_its_diagonal_and_a_keeper():
    pair = rleaky_pair(scale=0.05, all_to_all=False)
    x = inputs()
    with torch.no_grad():
        assert float(run(pair, x).mean()) < 0.02
    rec = stable(pair, x, min_rate=0.02)
    assert float(simulate(adapt(pair).describe(), x.double())[0].mean()) == pytest.approx(0.02, abs=0.001), \
        "lifted with its diagonal"
    assert rec.recommendation.sharpness_method == "edge" and rec.recommendation.reasons["rate"]
    assert isinstance(lifstab.edge_keeper_of(pair), PeerEdgeKeeper)


def test_the_keeper_steps_only_in_training_mode_with_autograd():
    pair = rleaky_pair()
    x = inputs()
    stable(pair, x)
    keeper = lifstab.edge_keeper_of(pair)
    with torch.no_grad():
        run(pair, x), run(pair, x)
    for module in pair:
        module.eval()
    run(pair, x), run(pair, x)
    assert keeper.steps == 0
    measure.gradient_norms(pair, x)  # lifstab's measurement: not a training step
    for module in pair:
        module.train()
    run(pair, x), run(pair, x)  # the second forward pass ends the first (the batch shape stays)
    assert keeper.steps == 0, "no optimiser step between them: the steps collected are one long pass"
    train(pair, [x, x])
    run(pair, x)
    assert keeper.steps == 2 and [step for step, _ in keeper.history] == [0]


def test_after_optimiser_steps_the_peer_sharpness_is_keep_edge_on_the_rebuilt_description():
    pair = rleaky_pair()
    xs = [inputs(seed=s) for s in range(7)]
    stable(pair, xs[0], never_wider=False)  # the keeper unfloored (the peer default floors it at the own surrogate)
    keeper = lifstab.edge_keeper_of(pair)
    train(pair, xs[:6])
    run(pair, xs[6])  # its first step ends the 6th pass, which the keeper measures (its step 5)
    assert [step for step, _ in keeper.history] == [0, 5]
    adapter = adapt(pair)
    layer = description_layer(adapter.describe(), adapter.surrogate())
    # the keeper warm-starts from where its last re-set left the sharpness
    (kept,) = lifstab.keep_edge_(layer, xs[5][:, :16].double(), 0.95, near=[keeper.history[0][1][0]])
    # (equal up to rounding: the keeper's start is the sharpness read back from the peer's surrogate)
    assert kept.value is not None and kept.value == pytest.approx(keeper.history[-1][1][0], rel=1e-9)
    assert float(adapter.surrogate().sharpness) == pytest.approx(kept.value, rel=1e-9)
    assert keeper.history[0][1][0] != kept.value, "the weights moved, so the edge did"
    rho = torch.exp(lifstab.stability.replay_log_growth(layer, lifstab.stability.forward_probe(layer, xs[5][:, :16].double()),
                                                        torch.as_tensor([kept.value])))
    assert float(rho) == pytest.approx(0.95, rel=1e-3)


def test_a_whole_sequence_steps_the_keeper_at_once():
    pair = rleaky_pair()
    x = inputs()
    stable(pair, x)
    keeper = lifstab.edge_keeper_of(pair)
    fc, lif = pair
    currents = fc(x)  # (T, B, n_in): one forward pass
    assert keeper.steps == 1 and len(keeper.history) == 1
    assert currents.shape == (T, B, N)


def test_the_hook_leaves_the_forward_pass_bit_equal():
    x = inputs()
    kept = rleaky_pair()
    stable(kept, x, never_wider=False)  # unfloored, so that the re-set below moves the sharpness
    plain = copy.deepcopy(kept)
    assert lifstab.detach_edge_keeper(plain) is not None and lifstab.edge_keeper_of(plain) is None
    keeper = lifstab.edge_keeper_of(kept)
    for step in range(3):  # same weights: no optimiser step, so the passes are one (they still change nothing)
        assert torch.equal(run(kept, x), run(plain, x))
    fc, lif = kept
    fc(x)  # a whole sequence re-sets the sharpness now
    assert keeper.history and float(adapt(kept).surrogate().sharpness) != float(adapt(plain).surrogate().sharpness)
    assert torch.equal(run(kept, x), run(plain, x))


def test_detaching_removes_the_keeper():
    pair = rleaky_pair()
    x = inputs()
    stable(pair, x)
    keeper = lifstab.edge_keeper_of(pair)
    assert lifstab.edge_keeper_of(pair[0]) is keeper, "found on the pair's Linear too"
    assert lifstab.detach_edge_keeper(pair) is keeper and lifstab.edge_keeper_of(pair) is None
    train(pair, [x, x])
    assert keeper.steps == 0
    again = lifstab.attach_edge_keeper(pair, 0.95)
    assert lifstab.edge_keeper_of(pair) is again and len(pair[0]._forward_pre_hooks) == 1
    with pytest.raises(ValueError, match="sharpness"):
        lifstab.attach_edge_keeper(pair, 0.95, knob="dampening")


def test_layers_whose_edge_cannot_be_kept_get_no_keeper_and_say_why():
    snn = need("snntorch")
    x = inputs()
    leaky = (torch.nn.Linear(N_IN, N), snn.Leaky(beta=0.9))
    rec = stable(leaky, x)
    assert lifstab.edge_keeper_of(leaky) is None and "no recurrence" in rec.changes[-1]
    with pytest.raises(ValueError, match="no recurrence"):
        lifstab.attach_edge_keeper(leaky, 0.95)


def norse_recurrent(method):
    nt = need("norse.torch")
    p = nt.LIFParameters(tau_syn_inv=torch.as_tensor(1000.0), tau_mem_inv=torch.as_tensor(100.0),
                         v_th=torch.as_tensor(0.5), method=method, alpha=torch.as_tensor(2.0))
    return nt.LIFRecurrent(N_IN, N, p=p).double()


def test_norse_keeps_the_edge_where_its_surrogate_takes_any_sharpness(monkeypatch):
    x = inputs().double()
    fixed = norse_recurrent("super")  # 1 / (1 + |u|)^2 whatever alpha: sharpness fixed at 0.5
    with pytest.raises(ValueError, match="cannot be re-set exactly"):
        lifstab.attach_edge_keeper(fixed, 0.95)
    layer = norse_recurrent("tanh")
    rec = stable(layer, x, min_rate=0.02)
    assert isinstance(lifstab.edge_keeper_of(layer), PeerEdgeKeeper) and "edge keeper attached" in rec.changes[-1]
    assert any("min_rate=0.02 not applied" in c for c in rec.changes), "norse's recurrent layer has no bias"
    from lifstab.adapters import norse

    monkeypatch.setattr(norse._Norse, "sharpness_settable", lambda self, surrogate: "a reason")
    rec = stable(layer, x)
    assert lifstab.edge_keeper_of(layer) is None
    assert rec.changes[-1] == "no edge keeper attached: its surrogate cannot be re-set exactly: a reason"


def test_peer_edge_keeper_rejects_bad_arguments():
    pair = rleaky_pair()
    with pytest.raises(ValueError, match="adapter"):
        PeerEdgeKeeper(pair, 0.95)
    with pytest.raises(ValueError, match="every"):
        PeerEdgeKeeper(adapt(pair), 0.95, every=0)
    with pytest.raises(ValueError, match="probe_batch"):
        PeerEdgeKeeper(adapt(pair), 0.95, probe_batch=0)
