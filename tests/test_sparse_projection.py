"""The sparse input projection (lifstab/sparse_projection.py): same numbers as the dense product in float64,
forced on small spike inputs through the whole fast layer against the reference loop, and the run-time
choice: dense for current (non-binary, dense) inputs, frozen weights, other dtypes and a density the
sample underestimated."""

import pytest
import torch

from lifstab import RESETS, sparse_projection
from lifstab.sparse_projection import input_projection, use_sparse

from test_fast_lif import LAYERS, N_IN, B, T, assert_same, inputs, make_layer, run


@pytest.fixture
def sparse_calls(monkeypatch):
    """Counts the calls of the CSR autograd function; the native route (tests/test_native.py) is switched
    off, so that the automatic choice is between CSR and dense."""
    monkeypatch.setattr(sparse_projection, "NATIVE_MAX_DENSITY", {})
    calls = []
    original = sparse_projection._SparseProjection.apply

    def counting(*args):
        calls.append(args[0].shape)
        return original(*args)

    monkeypatch.setattr(sparse_projection._SparseProjection, "apply", counting)
    return calls


def spike_inputs(rate: float, shape=(T, B, N_IN), seed: int = 0, dtype=torch.float64) -> torch.Tensor:
    gen = torch.Generator().manual_seed(seed)
    return (torch.rand(*shape, generator=gen) < rate).to(dtype)


def projection_and_grads(x, w_in, bias, route):
    x, w_in = x.clone().requires_grad_(True), w_in.clone().requires_grad_(True)
    bias = None if bias is None else bias.clone().requires_grad_(True)
    out = input_projection(x, w_in, bias, route=route)
    weight = torch.randn(out.shape, generator=torch.Generator().manual_seed(3), dtype=out.dtype)
    leaves = [x, w_in] + ([] if bias is None else [bias])
    return out.detach(), torch.autograd.grad((out * weight).sum(), leaves)


@pytest.mark.parametrize("with_bias", [True, False])
@pytest.mark.parametrize("binary", [True, False])
def test_sparse_projection_equals_dense(sparse_calls, binary, with_bias):
    gen = torch.Generator().manual_seed(1)
    x = spike_inputs(0.2, shape=(7, 6, 33))
    if not binary:  # sparse but graded values: the CSR matrix keeps them
        x = x * torch.randn(x.shape, generator=gen, dtype=x.dtype)
    w_in = torch.randn(33, 9, generator=gen, dtype=torch.float64)
    bias = torch.randn(9, generator=gen, dtype=torch.float64) if with_bias else None
    dense_out, dense_grads = projection_and_grads(x, w_in, bias, route="dense")
    assert not sparse_calls
    sparse_out, sparse_grads = projection_and_grads(x, w_in, bias, route="csr")
    assert len(sparse_calls) == 1
    torch.testing.assert_close(sparse_out, dense_out, rtol=1e-12, atol=1e-12)
    for got, want in zip(sparse_grads, dense_grads):
        torch.testing.assert_close(got, want, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("kind", LAYERS)
@pytest.mark.parametrize("detach", [True, False])
@pytest.mark.parametrize("reset", RESETS)
def test_fast_layer_with_sparse_inputs_matches_reference(monkeypatch, sparse_calls, kind, reset, detach):
    monkeypatch.setitem(sparse_projection.SPARSE_MAX_DENSITY, torch.float64, 1.0)  # force the sparse branch
    x = spike_inputs(0.3) * 2.5  # strong enough to drive spikes
    _, weights = inputs()
    reference = run(make_layer(kind, "reference", reset, detach, "fast_sigmoid"), x, weights)
    assert not sparse_calls  # the reference loop keeps the dense product
    fast = run(make_layer(kind, "fast", reset, detach, "fast_sigmoid"), x, weights)
    assert len(sparse_calls) == 1
    assert 0 < reference[0].mean() < 1, "the test needs some spikes and some silence"
    assert reference[2]["w_in"].abs().sum() > 0
    assert_same(reference, fast)


def test_current_inputs_fall_back_to_dense(monkeypatch, sparse_calls):
    monkeypatch.setitem(sparse_projection.SPARSE_MAX_DENSITY, torch.float64, 0.5)
    x, weights = inputs()  # Gaussian currents: every entry nonzero
    layer = make_layer("recurrent", "fast", "subtractive", True, "fast_sigmoid")
    assert not use_sparse(x.reshape(-1, N_IN), layer.w_in)
    run(layer, x, weights)
    assert not sparse_calls
    run(layer, spike_inputs(0.2) * 2.5, weights)  # the same layer with sparse spikes does take it
    assert len(sparse_calls) == 1


def test_choice_needs_cpu_known_dtype_and_a_weight_gradient(monkeypatch, sparse_calls):
    monkeypatch.setitem(sparse_projection.SPARSE_MAX_DENSITY, torch.float64, 0.5)
    x = spike_inputs(0.1).reshape(-1, N_IN)
    w_in = torch.randn(N_IN, 4, dtype=torch.float64, requires_grad=True)
    assert use_sparse(x, w_in)
    assert not use_sparse(x, w_in.detach())  # frozen weights: nothing to share the nonzero pass with
    with torch.no_grad():
        assert not use_sparse(x, w_in)
    assert not use_sparse(x.half(), w_in.half())  # no measured limit for float16
    monkeypatch.setitem(sparse_projection.SPARSE_MAX_DENSITY, torch.float64, 0.05)
    assert not use_sparse(x, w_in)  # denser than the limit


def test_exact_count_overrules_an_underestimating_sample(monkeypatch, sparse_calls):
    monkeypatch.setitem(sparse_projection.SPARSE_MAX_DENSITY, torch.float64, 0.1)
    rows = 2 * sparse_projection.DENSITY_SAMPLE_ROWS
    x = torch.zeros(rows, N_IN, dtype=torch.float64)
    x[1::2] = 1.0  # the strided sample sees only the empty even rows; half the entries are ones
    w_in = torch.randn(N_IN, 4, dtype=torch.float64, requires_grad=True)
    assert use_sparse(x, w_in)
    out = input_projection(x, w_in, None)
    assert not sparse_calls
    torch.testing.assert_close(out, x @ w_in, rtol=0, atol=0)


@pytest.mark.parametrize("route", ["csr", "native"])
def test_forced_sparse_route_needs_a_cpu_tensor(route):
    x = spike_inputs(0.1).to("meta")
    with pytest.raises(ValueError, match=f"route='{route}' needs a CPU tensor"):
        input_projection(x, torch.empty(N_IN, 4, dtype=torch.float64, device="meta"), None, route=route)


def test_unknown_route_names_itself():
    x = spike_inputs(0.1)
    with pytest.raises(ValueError, match="route='sparse' is unknown"):
        input_projection(x, torch.empty(N_IN, 4, dtype=torch.float64), None, route="sparse")
