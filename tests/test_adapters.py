"""lifstab.adapters: peer layers read exactly, unsupported ones refused, stable_init_ through the peer's
own forward pass (issue 14)."""

import math
import subprocess
import sys
import warnings

import pytest
import torch

import lifstab
from lifstab.stability import predicted_log_growth
from lifstab import Surrogate, measure
from lifstab.adapters import adapt, gradient_norms, lifstab_layer, simulate
from lifstab.adapters.core import SurrogateSpike
from lifstab.testing import assert_gradient_stable

T, B, N_IN, N = 300, 8, 40, 32


def need(name):
    return pytest.importorskip(name, reason=f"{name} is not installed (pip install 'lifstab[interop]')")


def spikes_in(T=T, n_in=N_IN, rate=0.2, seed=0):
    gen = torch.Generator().manual_seed(seed)
    return (torch.rand(T, B, n_in, generator=gen, dtype=torch.float64) < rate).double()


def linear(n_in=N_IN, n=N, scale=1.0):
    layer = torch.nn.Linear(n_in, n).double()
    with torch.no_grad():
        layer.weight.mul_(scale)
    return layer


def float64_atan(u):  # snntorch's surrogates return float32 spikes; a float64 RLeaky needs float64 ones
    import snntorch

    return snntorch.surrogate.atan()(u).to(u.dtype)


# ---- builders: every supported layer, with a threshold -------------------------------------------------

def snn_leaky(threshold):
    snn = need("snntorch")
    return linear(), snn.Leaky(beta=0.9, threshold=threshold)


def snn_leaky_zero(threshold):
    snn = need("snntorch")
    return linear(), snn.Leaky(beta=0.8, threshold=threshold, reset_mechanism="zero")


def snn_rleaky(threshold):
    snn = need("snntorch")
    return linear(), snn.RLeaky(beta=0.9, linear_features=N, threshold=threshold, spike_grad=float64_atan).double()


def snn_rleaky_zero(threshold):
    snn = need("snntorch")
    return linear(), snn.RLeaky(beta=0.9, linear_features=N, threshold=threshold, spike_grad=float64_atan,
                                reset_mechanism="zero").double()


def snn_rleaky_one_to_one(threshold):
    snn = need("snntorch")
    v = torch.rand(N, dtype=torch.float64, generator=torch.Generator().manual_seed(3))
    return linear(), snn.RLeaky(beta=0.9, all_to_all=False, V=v, threshold=threshold, spike_grad=float64_atan)


def norse_params(threshold, **changes):
    nt = need("norse.torch")
    base = dict(tau_syn_inv=torch.as_tensor(1000.0), tau_mem_inv=torch.as_tensor(100.0),
                v_th=torch.as_tensor(threshold), method="tanh", alpha=torch.as_tensor(2.0))
    return nt.LIFParameters(**{**base, **changes})


def norse_recurrent(threshold):
    nt = need("norse.torch")
    return nt.LIFRecurrent(N_IN, N, p=norse_params(threshold)).double()


def norse_cell(threshold):
    nt = need("norse.torch")
    return nt.LIFRecurrentCell(N_IN, N, p=norse_params(threshold), autapses=True).double()


def norse_lif(threshold):
    nt = need("norse.torch")
    return linear(scale=10.0), nt.LIF(p=norse_params(threshold))  # norse's gain dt * tau_mem_inv is 0.1


def norse_lif_cell(threshold):
    nt = need("norse.torch")
    return linear(scale=10.0), nt.LIFCell(p=norse_params(threshold))


def sj_node(threshold, step_mode="m", **kwargs):
    need("spikingjelly")
    from spikingjelly.activation_based import neuron, surrogate

    return neuron.LIFNode(tau=10.0, v_threshold=threshold, step_mode=step_mode,
                          surrogate_function=surrogate.ATan(), **kwargs)


def sj_linear_node(threshold):
    return linear(scale=10.0), sj_node(threshold)  # gain 1/tau = 0.1


def sj_linear_node_decay_input_off(threshold):
    return linear(), sj_node(threshold, decay_input=False, detach_reset=True)


def sj_container(threshold):
    from spikingjelly.activation_based import layer

    node = sj_node(threshold, step_mode="s", detach_reset=True)
    return linear(scale=10.0), layer.LinearRecurrentContainer(node, N, N).double()


def sj_container_documented(threshold):
    from spikingjelly.activation_based import layer

    node = sj_node(threshold, step_mode="s", detach_reset=True)
    container = layer.LinearRecurrentContainer(torch.nn.Sequential(linear(scale=10.0), node), N_IN, N).double()
    return container


BUILDERS = [snn_leaky, snn_leaky_zero, snn_rleaky, snn_rleaky_zero, snn_rleaky_one_to_one, norse_recurrent,
            norse_cell, norse_lif, norse_lif_cell, sj_linear_node, sj_linear_node_decay_input_off, sj_container,
            sj_container_documented]


def peer_spikes(layer, x):
    with torch.no_grad():
        return adapt(layer).run(x)[0].double()


@pytest.mark.parametrize("build", BUILDERS, ids=lambda b: b.__name__)
def test_peer_spikes_equal_lifstab_simulation_before_and_after_stable_init(build):
    """The adapter reads the dynamics exactly: the peer's spikes (its own forward pass) equal lifstab's
    simulation of the description, float64, bit for bit; stable_init_ changes weights and surrogate only."""
    layer = build(0.5)
    x = spikes_in(T=60)
    before = peer_spikes(layer, x)
    assert 0 < before.mean() < 1, "a silent or saturated layer would make the comparison vacuous"
    assert torch.equal(before, simulate(adapt(layer).describe(), x)[0])
    w_in = adapt(layer).describe().w_in
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        rec = lifstab.stable_init_(layer, inputs=x, seed=0)
    after = peer_spikes(layer, x)
    assert torch.equal(after, simulate(adapt(layer).describe(), x)[0])
    assert torch.allclose(adapt(layer).describe().w_in, w_in, rtol=1e-12, atol=0), "weights='keep' keeps them"
    assert rec.changes and any("surrogate" in c or "spike_grad" in c or "p.method" in c for c in rec.changes)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        lifstab.stable_init_(layer, inputs=x, seed=0, weights="conditions")
    drawn = peer_spikes(layer, x)
    assert torch.equal(drawn, simulate(adapt(layer).describe(), x)[0])
    assert not torch.equal(before, drawn), "Conditions I-II's weights change what the layer computes"


def test_snntorch_gradients_through_its_own_forward_equal_lifstab_replay():
    """snntorch keeps the pre-reset voltage as its state, so L is the protocol's exactly: its own
    backward pass gives the g_t of lifstab's simulation of the description."""
    lin, neuron = snn_rleaky(0.5)
    neuron.spike_grad = SurrogateSpike(Surrogate("exponential", sharpness=2.0))
    x = spikes_in(T=60)
    layer = lifstab_layer((lin, neuron))
    torch.testing.assert_close(gradient_norms((lin, neuron), x), measure.gradient_norms(layer, x),
                               rtol=1e-9, atol=0)


def test_snntorch_surrogate_written_over_a_surrogate_spike():
    """A SurrogateSpike written before (a child module of the neuron) is replaced by snntorch's own
    surrogate where one maps exactly (torch refuses a plain function over a submodule unless it is removed),
    and back again."""
    snntorch = need("snntorch")
    from lifstab.adapters.snntorch import write_surrogate

    neuron = snntorch.Leaky(beta=0.9)
    write_surrogate(neuron, Surrogate("fast_sigmoid", dampening=0.5, sharpness=3.0))
    assert isinstance(neuron.spike_grad, SurrogateSpike) and "spike_grad" in neuron._modules
    said = write_surrogate(neuron, Surrogate("fast_sigmoid", sharpness=3.0))
    assert said.startswith("spike_grad = snntorch.surrogate") and "spike_grad" not in neuron._modules
    u = torch.linspace(-1, 1, 9, requires_grad=True)
    reference = torch.linspace(-1, 1, 9, requires_grad=True)
    neuron.spike_grad(u).sum().backward()
    SurrogateSpike(Surrogate("fast_sigmoid", sharpness=3.0))(reference).sum().backward()
    torch.testing.assert_close(u.grad, reference.grad)
    write_surrogate(neuron, Surrogate("fast_sigmoid", dampening=0.5, sharpness=3.0))
    assert isinstance(neuron.spike_grad, SurrogateSpike)


# ---- unsupported: ValueError naming library, layer and reason ---------------------------------------

def _unsupported_cases():
    cases = []

    def snn(**kw):
        snn_ = need("snntorch")
        return linear(), snn_.Leaky(beta=0.9, **kw)

    cases += [
        ("snntorch", "Leaky", "inhibition", lambda: snn(inhibition=True)),
        ("snntorch", "Leaky", "reset_delay=False", lambda: snn(reset_delay=False)),
        ("snntorch", "Leaky", "graded_spikes_factor", lambda: snn(graded_spikes_factor=2.0)),
        ("snntorch", "Leaky", "surrogate_disable", lambda: snn(surrogate_disable=True)),
        ("snntorch", "Leaky", r"decay beta must lie in \(0, 1\)", lambda: (linear(), need("snntorch").Leaky(beta=1.0))),
        ("snntorch", "Synaptic", "only", lambda: (linear(), need("snntorch").Synaptic(alpha=0.9, beta=0.8))),
        ("snntorch", "Leaky", "paired with the torch.nn.Linear", lambda: (torch.nn.Identity(), need("snntorch").Leaky(beta=0.9))),
        ("norse", "LIFRecurrent", "synaptic current", lambda: need("norse.torch").LIFRecurrent(N_IN, N)),
        ("norse", "LIFRecurrentCell", "v_leak", lambda: need("norse.torch").LIFRecurrentCell(
            N_IN, N, p=norse_params(0.5, v_leak=torch.as_tensor(0.1)))),
        ("norse", "LIF", "v_reset", lambda: (linear(), need("norse.torch").LIF(p=norse_params(0.5, v_reset=torch.as_tensor(-0.1))))),
        ("norse", "LIFRecurrent", "adjoint", lambda: need("norse.torch").LIFRecurrent(N_IN, N, p=norse_params(0.5, method="adjoint"))),
        ("norse", "LIFRecurrent", r"1 - dt \* tau_mem_inv", lambda: need("norse.torch").LIFRecurrent(
            N_IN, N, p=norse_params(0.5, tau_mem_inv=torch.as_tensor(1000.0)))),
        ("norse", "LIFAdEx", "only", lambda: need("norse.torch").LIFAdEx()),
        ("spikingjelly", "LIFNode", "soft reset", lambda: (linear(), sj_node(0.5, v_reset=None))),
        ("spikingjelly", "LIFNode", "must be 0", lambda: (linear(), sj_node(0.5, v_reset=0.2))),
        ("spikingjelly", "IFNode", "only", lambda: (linear(), __import__("spikingjelly.activation_based.neuron",
                                                                          fromlist=["IFNode"]).IFNode())),
        ("spikingjelly", r"Sequential\(Linear, LIFNode\)", "out_features = 32 > in_features = 8", lambda: __import__(
            "spikingjelly.activation_based.layer", fromlist=["x"]).LinearRecurrentContainer(
            torch.nn.Sequential(torch.nn.Linear(8, N), sj_node(0.5, step_mode="s")), 8, N)),
    ]
    return cases


@pytest.mark.parametrize("library, layer_name, reason, build", _unsupported_cases(),
                         ids=lambda v: v if isinstance(v, str) else "")
def test_unsupported_combinations_raise_naming_library_layer_and_reason(library, layer_name, reason, build):
    layer = build()
    with pytest.raises(ValueError, match=rf"{library}.*{layer_name}.*{reason}|{library}.*{reason}.*{layer_name}"):
        adapt(layer).describe()


def test_norse_surrogate_without_exact_equivalent_raises_before_anything_changes():
    layer = norse_recurrent(0.5)
    weights = layer.input_weights.detach().clone()
    with pytest.raises(ValueError, match="norse norse.torch.LIFRecurrent.*no callable protocol.*exponential"):
        lifstab.stable_init_(layer, inputs=spikes_in(T=60), seed=0, family="exponential")
    assert torch.equal(layer.input_weights.detach(), weights)


def test_stable_init_rejects_a_non_layer():
    with pytest.raises(ValueError, match="layer must be a lifstab.RecurrentLIF"):
        lifstab.stable_init_((torch.nn.Linear(3, 4), torch.nn.ReLU()), inputs=torch.zeros(20, 1, 3))


def test_peer_libraries_are_not_imported_by_lifstab():
    code = ("import sys, lifstab, lifstab.adapters, lifstab.measure, lifstab.testing; "
            "print(sorted(m for m in ('snntorch', 'norse', 'spikingjelly') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_leaky_stack_initialised_in_order_with_the_peer_forward_pass():
    snn = need("snntorch")
    stack = [(linear(), snn.Leaky(beta=0.9)), (linear(N, 16), snn.Leaky(beta=0.9))]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        recs = lifstab.stable_init_(stack, inputs=spikes_in(T=60), seed=0)
    assert [r.layer for r in recs] == ["(torch.nn.Linear, snntorch.Leaky)"] * 2
    assert recs[1].before.n_in == N and "Linear.weight" in recs[1].changes


# ---- rho through the peer's own forward pass after stable_init_ ----------------------------------------

RHO_CASES = [(snn_rleaky, "fast_sigmoid"), (snn_rleaky, "exponential"),
             (sj_container, "fast_sigmoid"), (sj_container, "sigmoid"),
             (norse_recurrent, "sigmoid")]


@pytest.mark.slow
@pytest.mark.parametrize("threshold", [0.1, 1.0])
@pytest.mark.parametrize("build, family", RHO_CASES, ids=lambda v: getattr(v, "__name__", v))
def test_rho_through_peer_forward_is_one_after_stable_init(build, family, threshold):
    """The peer's own rho is 1 after stable_init_(never_wider=False) (the edge itself, also where the layer's
    own surrogate is narrower) where its layer has an edge. With the layer's own weights (weights="keep") some
    have none (rho < 1 at every sharpness, the recommendation says so, and the peer's rho is what it says);
    Conditions I-II's weights give them one."""
    layer = build(threshold)
    x = spikes_in()
    readable = adapt(layer).surrogate() is not None  # a surrogate lifstab reads: kept where there is no edge
    rec = lifstab.stable_init_(layer, inputs=x, seed=0, family=family, never_wider=False)
    assert rec.recommendation.sharpness_method == "edge"
    edge = rec.recommendation.edge
    if not edge.feasible:
        assert edge.rho < 1 and "no edge" in rec.recommendation.route_summary()
        assert readable == any(c.startswith("no edge of stability") for c in rec.changes)
        rho = float(torch.exp(measure.log_growth_factor(measure.gradient_norms(layer, x))))
        own = lifstab_layer(layer)  # the description with the surrogate read back (the fallback's where written)
        beta = float(torch.as_tensor(own.surrogate.sharpness).double().mean())
        kept = math.exp(float(predicted_log_growth(own, x.double(), [beta], method="replay")[0]))
        assert rho == pytest.approx(kept, rel=0.02), "the peer's own rho is that of the surrogate it holds"
        if not readable:
            assert rho == pytest.approx(edge.rho, rel=0.02), "the fallback was written: the rho reported"
        rec = lifstab.stable_init_(layer, inputs=x, seed=0, family=family, weights="conditions", never_wider=False)
        assert rec.recommendation.edge.feasible
    rho = float(torch.exp(measure.log_growth_factor(measure.gradient_norms(layer, x))))
    assert 0.98 <= rho <= 1.02, f"{rec.layer} {family} threshold {threshold}: rho {rho:.4f}"
    assert_gradient_stable(layer, x, band=(0.05, 20.0))
