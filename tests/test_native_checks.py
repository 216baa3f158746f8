"""Every public function that hands pointers to the compiled kernels (lifstab/native/,
lifstab/sparse_projection.py) checks its arguments first: Hypothesis corrupts one argument of a valid
call at a time (a wrong size on one axis, an extra or missing axis, another dtype, another device, not a
tensor, not contiguous where the kernel writes, a density outside [0, 1], hand-made compressed rows that
point outside their matrix) and the call must raise ValueError naming that argument, before any C runs.
These checks need no compiler; valid calls, where the kernels exist, give torch's numbers."""

import math

import pytest
import torch
from hypothesis import given, settings, strategies as st

from lifstab import native
from lifstab.native import SparseRows
from lifstab.sparse_projection import ROUTES, input_projection

F64 = torch.float64
needs_kernels = pytest.mark.skipif(native.kernels() is None, reason="no C compiler: the native kernels are optional")
SHAPES = st.tuples(st.integers(1, 4), st.integers(1, 3), st.integers(1, 6))


def _sparse_rows(x: torch.Tensor) -> list[SparseRows]:
    """Compressed rows built by torch (no compiler needed), as ``native.sparse_rows`` returns them."""
    nonzero = x != 0
    starts = torch.cat([torch.zeros(1, dtype=torch.int64), nonzero.sum(1).cumsum(0)])
    return [SparseRows(0, starts, nonzero.nonzero()[:, 1].to(torch.int32), x[nonzero], x.shape[1])]


def _valid(function: str, steps: int, batch: int, n: int) -> dict:
    """Arguments of a valid call of ``function`` (sizes steps, batch, n)."""
    gen = torch.Generator().manual_seed(0)
    sequence, state = (steps, batch, n), (batch, n)
    spikes = (torch.rand(batch * 2, n, generator=gen) < 0.3).double()
    if function == "lif_forward":
        return dict(reset="subtractive", currents=torch.rand(sequence, generator=gen, dtype=F64),
                    w_rec=torch.randn(n, n, generator=gen, dtype=F64), decay=torch.full((n,), 0.9, dtype=F64),
                    threshold=torch.full((n,), 0.5, dtype=F64), v0=torch.zeros(state, dtype=F64),
                    z0=torch.zeros(state, dtype=F64), voltages=torch.empty(sequence, dtype=F64),
                    spikes=torch.empty(sequence, dtype=F64), totals=torch.empty(sequence, dtype=F64),
                    max_density=1.0)
    if function == "backward_step":
        return dict(reset="subtractive", voltages=torch.rand(sequence, dtype=F64),
                    spikes=torch.zeros(sequence, dtype=F64), totals=torch.rand(sequence, dtype=F64),
                    v0=torch.zeros(state, dtype=F64), z0=torch.zeros(state, dtype=F64),
                    decay=torch.full((n,), 0.9, dtype=F64), threshold=torch.full((n,), 0.5, dtype=F64),
                    detach_reset=True, grad_decay=torch.zeros(n, dtype=F64), grad_threshold=torch.zeros(n, dtype=F64))
    if function == "step":  # the function backward_step returns
        return dict(t=steps - 1, grad_z=torch.rand(state, dtype=F64), sg=torch.rand(state, dtype=F64),
                    grad_voltage=torch.rand(state, dtype=F64), grad_v_next=torch.rand(state, dtype=F64),
                    grad_v=torch.empty(state, dtype=F64), grad_current=torch.empty(state, dtype=F64))
    if function == "step_product":
        return dict(w=torch.randn(n, steps, generator=gen, dtype=F64), max_density=1.0)
    if function == "product":  # the function step_product returns
        return dict(x=spikes, base=torch.rand(batch * 2, steps, dtype=F64), out=torch.empty(batch * 2, steps, dtype=F64))
    if function == "sparse_rows":
        return dict(x=spikes, density=0.3)
    if function == "sparse_rows_times_matrix":
        return dict(x=_sparse_rows(spikes), w=torch.randn(n, steps, dtype=F64), base=torch.rand(steps, dtype=F64))
    if function == "sparse_rows_transposed_times":
        return dict(x=_sparse_rows(spikes), g=torch.randn(batch * 2, steps, dtype=F64), inner=n)
    if function == "transposed_times":
        return dict(x=spikes, g=torch.randn(batch * 2, steps, dtype=F64))
    raise AssertionError(function)


#: arguments the kernels read or write in place (must be contiguous: never copied)
IN_PLACE = {"voltages", "spikes", "totals", "grad_decay", "grad_threshold", "grad_v", "grad_current", "out",
            "grad_z", "sg", "grad_voltage", "grad_v_next", "currents", ("product", "x"), ("product", "base")}
#: arguments whose sizes fix the others' (a wrong size there is reported under another argument's name)
DEFINING = {("lif_forward", "currents"), ("backward_step", "voltages"), ("product", "x"),
            ("sparse_rows_times_matrix", "w"), ("transposed_times", "x"), ("sparse_rows_transposed_times", "g")}
#: 2-d arguments of any size (only another number of axes is wrong), and those of any number of columns
ANY_SIZE = {("step_product", "w"), ("sparse_rows", "x")}
ANY_COLUMNS = {("transposed_times", "g"), ("transposed_times", "x"), ("sparse_rows_transposed_times", "g")}
FUNCTIONS = ("lif_forward", "backward_step", "step", "step_product", "product", "sparse_rows",
             "sparse_rows_times_matrix", "sparse_rows_transposed_times", "transposed_times")


def _call(function: str, arguments: dict, sizes):
    if function == "step":
        bound = native.backward_step(**_valid("backward_step", *sizes))
        return bound(**arguments)
    if function == "product":
        return native.step_product(**_valid("step_product", *sizes))(**arguments)
    return getattr(native, function)(**arguments)


def _corruptions(name: str, value, function: str):
    """Wrong versions of one argument, and a part of the message that the error must contain."""
    if isinstance(value, torch.Tensor):
        key, shape = (function, name), list(value.shape)
        where = None if key in DEFINING else name
        if key not in ANY_SIZE | ANY_COLUMNS:
            yield torch.zeros(shape[:-1] + [shape[-1] + 1], dtype=value.dtype), where
        if len(shape) > 1 and key not in ANY_SIZE:
            yield torch.zeros([shape[0] + 1] + shape[1:], dtype=value.dtype), where
        yield torch.zeros(shape + [1], dtype=value.dtype), name
        yield torch.zeros(()), name
        yield value.to(torch.int64), name
        if key not in DEFINING | ANY_SIZE and name not in ("x", "g"):
            yield value.to(torch.float32), name
        yield torch.empty(shape, dtype=value.dtype, device="meta"), name
        yield value.tolist(), name
        if (name in IN_PLACE or key in IN_PLACE) and value.numel() > 1:
            yield torch.zeros(shape[:-1] + [2 * shape[-1]], dtype=value.dtype)[..., ::2], name
    elif name in ("max_density", "density"):
        for bad in (math.nan, math.inf, -0.5, "0.3", True) + ((1.5,) if name == "max_density" else ()):
            yield bad, name
    elif name == "reset":
        yield "no_such_reset", "reset"
    elif name in ("t", "inner"):
        yield -1, name
        yield 10**6, name
    elif name == "x" and isinstance(value, list):  # hand-made compressed rows pointing outside
        block = value[0]
        bad_index = block.index.clone()
        if len(bad_index):
            bad_index[-1] = block.columns
            yield [block._replace(index=bad_index)], "x[0].index"
        starts = block.row_start
        yield [block._replace(row_start=torch.cat([starts[:1] + 1, starts[1:]]))], "x[0].row_start"
        yield [block._replace(row_start=torch.cat([starts[:-1], starts[-1:] + 1]))], "x[0].row_start"
        yield [block._replace(first_row=1)], "x[0]"
        yield [block._replace(columns=block.columns + 1)], None
        yield [block._replace(value=block.value.float())], "x[0].value"
        yield [], "x"


CORRUPTIONS = st.sampled_from(FUNCTIONS).flatmap(
    lambda function: st.tuples(st.just(function), SHAPES, st.integers(0, 10**6), st.integers(0, 10**6)))


@settings(max_examples=300)
@given(CORRUPTIONS)
def test_a_wrong_argument_is_refused_by_name_before_any_c_runs(drawn):
    function, sizes, which, variant = drawn
    if function in ("step", "product") and native.kernels() is None:
        return  # binding these needs the compiled kernels; their own checks come after
    valid = _valid(function, *sizes)
    name = sorted(valid)[which % len(valid)]
    options = list(_corruptions(name, valid[name], function))
    if not options:  # detach_reset: any truth value is valid
        return
    bad, expected = options[variant % len(options)]
    with pytest.raises(ValueError) as info:
        _call(function, {**valid, name: bad}, sizes)
    message = str(info.value)
    assert expected is None or expected in message, message


@needs_kernels
@settings(max_examples=40)
@given(SHAPES)
def test_valid_calls_give_torch_numbers(sizes):
    steps, batch, n = sizes
    args = _valid("sparse_rows_times_matrix", *sizes)
    dense = (torch.rand(batch * 2, n, generator=torch.Generator().manual_seed(steps)) < 0.4).double()
    rows = native.sparse_rows(dense, 0.4)
    torch.testing.assert_close(native.sparse_rows_times_matrix(rows, args["w"], args["base"]),
                               args["base"] + dense @ args["w"], rtol=1e-12, atol=1e-12)
    g = _valid("transposed_times", *sizes)["g"]
    torch.testing.assert_close(native.sparse_rows_transposed_times(rows, g, n), dense.T @ g, rtol=1e-12, atol=1e-12)
    torch.testing.assert_close(native.transposed_times(dense, g), dense.T @ g, rtol=1e-12, atol=1e-12)
    out = torch.empty(batch * 2, steps, dtype=F64)
    assert native.step_product(args["w"], 1.0)(dense, args["base"].expand(batch * 2, steps).contiguous(), out)
    torch.testing.assert_close(out, args["base"] + dense @ args["w"], rtol=1e-12, atol=1e-12)


@st.composite
def projection_arguments(draw):
    """x (..., n_in), w_in and bias of drawn (often mismatched) shapes, dtypes and kinds."""
    lead = draw(st.lists(st.integers(0, 4), min_size=0, max_size=3))
    n_in, n_in_w, n_out = draw(st.integers(0, 6)), draw(st.integers(0, 6)), draw(st.integers(0, 5))
    dtype = draw(st.sampled_from([torch.float32, F64]))
    gen = torch.Generator().manual_seed(draw(st.integers(0, 100)))
    x = (torch.rand(*lead, n_in, generator=gen) < 0.2).to(dtype)
    w_in = torch.randn(n_in_w, n_out, generator=gen).to(draw(st.sampled_from([dtype, torch.float16])))
    bias = draw(st.sampled_from(["none", "vector", "scalar", "long", "row"]))
    bias = {"none": None, "vector": torch.randn(n_out, generator=gen), "scalar": torch.tensor(3.0),
            "long": torch.randn(n_out + 1, generator=gen), "row": torch.randn(1, n_out, generator=gen)}[bias]
    return x, w_in, None if bias is None else bias.to(dtype), draw(st.sampled_from((None,) + ROUTES))


@settings(max_examples=300)
@given(projection_arguments())
def test_input_projection_refuses_mismatched_arguments_and_never_returns_garbage(arguments):
    """Issue 16: x (4, 5000) against w_in (20, 8) returned values read past the buffers (1e-153, 2.9e+161)
    on the native route, and a 0-d bias was read past its one element."""
    x, w_in, bias, route = arguments
    valid = (x.shape[-1] == w_in.shape[0] and w_in.dtype == x.dtype
             and (bias is None or tuple(bias.shape) == (w_in.shape[1],)))
    if route == "native" and native.kernels() is None:
        valid = False
    try:
        out = input_projection(x, w_in, bias, route=route)
    except ValueError as err:
        assert not valid or "route='native'" in str(err), str(err)
        assert any(name in str(err) for name in ("x", "w_in", "bias", "route")), str(err)
        return
    assert valid, f"accepted x {tuple(x.shape)}, w_in {tuple(w_in.shape)} {w_in.dtype}, bias {bias}"
    expected = x.double() @ w_in.double() + (0 if bias is None else bias.double())
    torch.testing.assert_close(out.double(), expected, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("route", (None,) + ROUTES)
def test_the_issue_example_is_refused_on_every_route(route):
    x = (torch.rand(4, 5000) < 0.05).float()
    with pytest.raises(ValueError, match="n_in"):
        input_projection(x, torch.randn(20, 8), None, route=route)
    with pytest.raises(ValueError, match="bias must have shape"):
        input_projection(x, torch.randn(5000, 8), torch.tensor(1.0), route=route)
