"""The fast whole-sequence path (lifstab/lif_sequence.py) against the reference step loop, in float64:
same spikes and voltages, same gradients w.r.t. the input, every parameter and the initial state."""

import pytest
import torch

from lifstab import FAMILIES, LIF, RESETS, RecurrentALIF, RecurrentLIF, Surrogate
from lifstab.lif import ALIFState, LIFState
from lifstab.lif_sequence import lif_sequence, partials

from devices import DEVICES

T, B, N_IN, N = 15, 3, 4, 5
LAYERS = {"recurrent": RecurrentLIF, "feedforward": LIF, "alif": RecurrentALIF}


def make_surrogate(family: str, device="cpu") -> Surrogate:
    tail = 1.7 if FAMILIES[family].has_tail else None
    return Surrogate(family, dampening=0.8, sharpness=torch.linspace(0.6, 2.0, N, dtype=torch.float64, device=device),
                     tail=tail)


def make_layer(kind: str, implementation: str, reset: str, detach: bool, family: str, trainable: bool = True,
               device="cpu"):
    kwargs = dict(tau=torch.linspace(3.0, 12.0, N), threshold=torch.linspace(0.2, 0.5, N), reset=reset,
                  detach_reset=detach, surrogate=make_surrogate(family, device), train_tau=trainable,
                  train_threshold=trainable, dtype=torch.float64, seed=5, implementation=implementation)
    if kind == "alif":
        kwargs.update(adaptation_tau=torch.linspace(4.0, 30.0, N), adaptation_strength=0.7)
    layer = LAYERS[kind](N_IN, N, **kwargs)
    with torch.no_grad():
        layer.bias.copy_(torch.linspace(-0.1, 0.2, N))
        if layer.w_rec is not None:
            layer.w_rec.mul_(2.0)  # strong recurrence, so the recurrent gradient path matters
    return layer.to(device)


def inputs(seed: int = 0):
    gen = torch.Generator().manual_seed(seed)
    x = torch.randn(T, B, N_IN, generator=gen, dtype=torch.float64) * 0.8 + 0.3
    weights = [torch.randn(T, B, N, generator=gen, dtype=torch.float64) for _ in range(3)]
    return x, weights


def run(layer, x, weights, state=None, use_voltages=True):
    """Forward, a loss touching spikes, voltages and the last state, backward; return values and grads."""
    x = x.clone().requires_grad_(True)
    spikes, voltages = layer(x, state=state, return_voltages=True)
    loss = (spikes * weights[0]).sum()
    if use_voltages:
        loss = loss + (voltages * weights[1]).sum() + (layer.last_state.v * weights[2][0]).sum()
        if isinstance(layer.last_state, ALIFState):
            loss = loss + (layer.last_state.a * weights[2][1]).sum()
    named = {"x": x, **{name: p for name, p in layer.named_parameters() if p.requires_grad}}
    if state is not None:
        named.update({f"state.{k}": v for k, v in state._asdict().items() if v.requires_grad})
    grads = torch.autograd.grad(loss, list(named.values()), allow_unused=True)
    grads = {k: (torch.zeros_like(v) if g is None else g) for (k, v), g in zip(named.items(), grads)}
    return spikes.detach(), voltages.detach(), grads


def assert_same(reference, fast):
    (s_ref, v_ref, g_ref), (s_fast, v_fast, g_fast) = reference, fast
    assert torch.equal(s_ref, s_fast)
    torch.testing.assert_close(v_fast, v_ref, rtol=1e-12, atol=1e-12)
    assert g_ref.keys() == g_fast.keys()
    for name in g_ref:
        torch.testing.assert_close(g_fast[name], g_ref[name], rtol=1e-9, atol=1e-10, msg=name)


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("kind", LAYERS)
@pytest.mark.parametrize("family", FAMILIES)
@pytest.mark.parametrize("detach", [True, False])
@pytest.mark.parametrize("reset", RESETS)
def test_fast_matches_reference(kind, reset, detach, family, device):
    x, weights = inputs()
    x, weights = x.to(device), [w.to(device) for w in weights]
    reference = run(make_layer(kind, "reference", reset, detach, family, device=device), x, weights)
    fast = run(make_layer(kind, "fast", reset, detach, family, device=device), x, weights)
    spikes = reference[0]
    assert 0 < spikes.mean() < 1, "the test needs some spikes and some silence"
    assert any(g.abs().sum() > 0 for g in reference[2].values())
    assert_same(reference, fast)


@pytest.mark.parametrize("kind", LAYERS)
@pytest.mark.parametrize("detach", [True, False])
@pytest.mark.parametrize("reset", RESETS)
def test_fast_matches_reference_from_a_given_state_and_spike_loss_only(kind, reset, detach):
    """Initial state with gradient, frozen tau/threshold, loss on spikes only (no voltage gradient
    reaches the fast path's backward)."""
    x, weights = inputs(1)
    gen = torch.Generator().manual_seed(2)
    fields = {"v": torch.rand(B, N, generator=gen, dtype=torch.float64),
              "z": (torch.rand(B, N, generator=gen) < 0.5).double()}
    if kind == "alif":
        fields["a"] = torch.rand(B, N, generator=gen, dtype=torch.float64)
    results = []
    for implementation in ("reference", "fast"):
        state_type = ALIFState if kind == "alif" else LIFState
        state = state_type(**{k: v.clone().requires_grad_(True) for k, v in fields.items()})
        layer = make_layer(kind, implementation, reset, detach, "exponential", trainable=False)
        results.append(run(layer, x, weights, state=state, use_voltages=False))
    assert "state.v" in results[0][2]
    assert_same(*results)


def test_fast_is_the_default_and_reference_is_selectable():
    assert RecurrentLIF(3, 4).implementation == "fast"
    assert LIF(3, 4, implementation="reference").implementation == "reference"
    with pytest.raises(ValueError, match="implementation"):
        RecurrentLIF(3, 4, implementation="compiled")


def test_fast_path_without_grad_matches_and_keeps_last_state():
    x, _ = inputs()
    fast, reference = (make_layer("recurrent", i, "subtractive", True, "sigmoid") for i in ("fast", "reference"))
    with torch.no_grad():
        s_fast, s_ref = fast(x), reference(x)
    assert torch.equal(s_fast, s_ref)
    torch.testing.assert_close(fast.last_state.v, reference.last_state.v, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("reset", RESETS)
def test_generated_partials_match_autograd(reset):
    """The lif_grad kernels are the derivatives of the lif kernels (as autograd sees them)."""
    from lifstab._generated import lif_torch

    gen = torch.Generator().manual_seed(3)
    args = [torch.rand(7, generator=gen, dtype=torch.float64, requires_grad=True) for _ in range(5)]
    value = lif_torch.KERNELS[reset](*args).sum()
    grads = torch.autograd.grad(value, args, allow_unused=True)
    for (name, partial), grad in zip(partials(reset, *args).items(), grads):
        expected = torch.zeros(7, dtype=torch.float64) if grad is None else grad
        torch.testing.assert_close(torch.as_tensor(partial, dtype=torch.float64).expand(7), expected, msg=name)


def test_subclass_with_its_own_step_runs_the_reference_loop():
    """A subclass that changes only ``_step`` must not be short-circuited by the fast path."""

    class DoubledCurrent(RecurrentLIF):
        def _step(self, current, state, params):
            return super()._step(2 * current, state, params)

    x, _ = inputs()
    kwargs = dict(threshold=0.3, dtype=torch.float64, seed=5)
    doubled = DoubledCurrent(N_IN, N, **kwargs)
    assert not doubled.uses_fast_path() and RecurrentLIF(N_IN, N, **kwargs).uses_fast_path()
    plain = RecurrentLIF(N_IN, N, **kwargs)
    with torch.no_grad():
        plain.w_in.mul_(2)
        plain.w_rec.mul_(2)
    torch.testing.assert_close(doubled(x), plain(x))


def test_bad_arguments_name_themselves():
    layer = RecurrentLIF(N_IN, N)
    with pytest.raises(ValueError, match="T >= 1"):
        layer(torch.zeros(0, B, N_IN))
    currents, zeros = torch.zeros(T, B, N), torch.zeros(B, N)
    args = (currents, None, torch.full((N,), 0.9), torch.ones(N), zeros, zeros, Surrogate("gaussian"))
    with pytest.raises(ValueError, match="reset="):
        lif_sequence(*args, reset="hard")
    with pytest.raises(ValueError, match="a0 and adaptation"):
        lif_sequence(*args, a0=zeros)


@pytest.mark.parametrize("kind", LAYERS)
def test_fast_matches_reference_in_float32_at_a_moderate_size(kind):
    """The dtype the benchmarks and training use: same spikes, gradients within float32 rounding
    (the weight gradients are summed over steps in a different order)."""
    gen = torch.Generator().manual_seed(4)
    x = (torch.rand(60, 8, 40, generator=gen) < 0.1).float()
    grads = {}
    for implementation in ("reference", "fast"):
        layer = LAYERS[kind](40, 64, threshold=0.2, surrogate="fast_sigmoid", seed=1, implementation=implementation)
        spikes, voltages = layer(x, return_voltages=True)
        (spikes.sum() + 0.01 * voltages.sum()).backward()
        grads[implementation] = (spikes.detach(), voltages.detach(),
                                 {n: p.grad for n, p in layer.named_parameters() if p.grad is not None})
    (s_ref, v_ref, g_ref), (s_fast, v_fast, g_fast) = grads["reference"], grads["fast"]
    assert 0 < s_ref.mean() < 1
    assert torch.equal(s_fast, s_ref)
    torch.testing.assert_close(v_fast, v_ref)
    assert g_ref.keys() == g_fast.keys() and "w_in" in g_ref
    for name in g_ref:  # sums over all steps in another order: compare against the gradient's norm
        assert (g_fast[name] - g_ref[name]).norm() <= 1e-5 * g_ref[name].norm(), name
