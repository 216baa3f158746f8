"""The input projection ``x @ w_in + bias`` of the fast path, through sparse kernels when ``x`` is sparse.

Three routes (``ROUTES``): ``"native"``, the compiled kernels of lifstab/native/, which visit only the
nonzeros of ``x`` (one compiled scan finds them for the forward ``bias + x @ w_in`` and keeps them for
the weight gradient ``x^T @ dL/dI``); ``"csr"``, torch's sparse CSR products (below); ``"dense"``, one
``addmm``. ``choose_route`` takes the native route on CPU when the kernels compiled and the input density
(a strided sample of rows) is at most ``NATIVE_MAX_DENSITY[dtype]``, with or without a weight gradient
(the scan is cheap enough for the forward alone); otherwise the CSR route under the conditions below,
otherwise the dense one.

Spike inputs are mostly zeros (SHD-like data: about 5% ones). The dense product spends its arithmetic on
the zeros, in the forward pass and again in the weight gradient ``x^T @ dL/dI``. In the CSR route ``x`` (as a
``(T*B, n_in)`` matrix) is turned into a CSR matrix once (its nonzero positions and values, so it need not
be binary), the forward pass is one sparse-dense ``addmm``, and the weight gradient is one sparse-dense
product with the CSR matrix of ``x^T``, built from the same positions by a stable sort on the column.
The gradient w.r.t. ``x`` (only when ``x`` requires it) and the bias stay dense. The numbers are the dense
product's up to the order of summation (tests/test_sparse_projection.py, float64).

Whether the CSR route pays is decided at run time: on CPU, for the dtypes in ``SPARSE_MAX_DENSITY``, when the input
density (estimated from a strided sample of rows, then counted exactly) is at most that dtype's limit;
otherwise, on other devices and for dense (current) inputs, the dense ``addmm`` runs. Finding the nonzero
positions costs a pass over all of ``x`` whatever its density, so without a weight gradient to share it
with (``w_in`` frozen or no grad mode) the sparse path is not taken (measured: the forward alone was
no faster than the dense ``addmm`` at 5%).
"""

from __future__ import annotations

import math
import warnings
from typing import NamedTuple, Optional

import numpy as np
import torch
from torch.autograd.function import once_differentiable

from . import native

#: (dtype) -> largest input density (nonzero fraction) at which the sparse projection (forward + weight
#: gradient) is used on CPU. Measured break-even at (T*B, n_in, n_rec) = (16000, 700, 256), torch 2.13,
#: shared 2-core machine: float32 about 5% on one thread and 3% on two, float64 about 7% and 6.5%
#: (docs/benchmarks.md); the limits sit a little below.
SPARSE_MAX_DENSITY: dict[torch.dtype, float] = {torch.float32: 0.04, torch.float64: 0.06}
#: (dtype) -> largest input density at which the native route (lifstab/native/) is used on CPU.
#: Measured at (T*B, n_in, n_rec) = (16000, 700, 256), one thread, forward + weight gradient
#: (``python benchmarks/sparse_projection.py --threads 1``): float32 29 against 87 ms at 5%, 50 against 84
#: at 10%, 93 against 91 at 20%; float64 94 against 182 at 5%, 110 against 177 at 10%, 198 against 170 at
#: 20%. The limits sit below the break-even (about 19% and 17%).
NATIVE_MAX_DENSITY: dict[torch.dtype, float] = {torch.float32: 0.15, torch.float64: 0.15}
#: the routes of ``input_projection``
ROUTES = ("native", "csr", "dense")
#: rows sampled (evenly strided) for the density estimate before the exact count
DENSITY_SAMPLE_ROWS = 256


def estimated_density(x: torch.Tensor) -> float:
    step = max(1, x.shape[0] // DENSITY_SAMPLE_ROWS)
    sample = x[::step]
    return torch.count_nonzero(sample).item() / sample.numel() if sample.numel() else 0.0


def use_sparse(x: torch.Tensor, w_in: torch.Tensor) -> bool:
    """Whether ``input_projection`` takes the sparse path for this ``(rows, n_in)`` input (before the exact
    count, which can still send it to the dense one)."""
    limit = SPARSE_MAX_DENSITY.get(x.dtype)
    if limit is None or x.device.type != "cpu" or x.layout != torch.strided:
        return False
    if not (torch.is_grad_enabled() and w_in.requires_grad):
        return False
    return estimated_density(x) <= limit


class Positions(NamedTuple):
    """Nonzero entries of a ``(rows, n_in)`` matrix in row-major order, as NumPy arrays."""

    rows: np.ndarray  # int32 when the matrix has fewer than 2**31 entries
    cols: np.ndarray
    values: np.ndarray


def nonzero_positions(flat: torch.Tensor) -> Positions:
    """The nonzero entries of a CPU matrix. Index work runs in NumPy: ``flatnonzero`` on the boolean mask
    is faster than ``torch.nonzero``, and NumPy's single-threaded indexing and (radix) sorting do not stall
    when a second torch thread waits for a busy core (measured: torch's ``argsort`` took 10 ms on one
    thread, 108 ms on two on the shared machine; NumPy's 4 ms on either)."""
    index = np.flatnonzero((flat != 0).numpy())
    values = np.ascontiguousarray(flat.detach().numpy()).reshape(-1)[index]
    if flat.numel() < 2**31:
        index = index.astype(np.int32)
    rows, cols = np.divmod(index, index.dtype.type(flat.shape[1]))
    return Positions(rows, cols, values)


def _csr(rows: np.ndarray, cols: np.ndarray, values: np.ndarray, shape: tuple[int, int]) -> torch.Tensor:
    """CSR matrix from positions sorted by row (row-major order)."""
    crow = np.zeros(shape[0] + 1, dtype=rows.dtype)
    np.cumsum(np.bincount(rows, minlength=shape[0]), out=crow[1:])
    with warnings.catch_warnings():  # "CSR support is in beta": the CSR products used here are tested
        warnings.filterwarnings("ignore", message="Sparse CSR tensor support is in beta")
        # valid by construction (sorted, in range), so torch's invariant check would only cost time
        return torch.sparse_csr_tensor(torch.from_numpy(crow), torch.from_numpy(cols), torch.from_numpy(values),
                                       shape, check_invariants=False)


def _transposed(positions: Positions, n_in: int) -> Positions:
    """The positions of ``x^T`` in its row-major order: a stable sort on the column (a radix sort when
    the column index fits 16 bits), so that the rows of ``x`` stay sorted within each column."""
    cols = positions.cols.astype(np.int16) if n_in < 2**15 else positions.cols
    order = np.argsort(cols, kind="stable")
    return Positions(positions.cols[order], positions.rows[order], positions.values[order])


class _SparseProjection(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x, positions, w_in, bias):
        x_csr = _csr(*positions, tuple(x.shape))
        out = x_csr @ w_in if bias is None else torch.addmm(bias, x_csr, w_in)
        ctx.save_for_backward(w_in)
        ctx.positions, ctx.x_shape = positions, tuple(x.shape)
        return out

    @staticmethod
    @once_differentiable
    def backward(ctx, grad):
        (w_in,) = ctx.saved_tensors
        need = ctx.needs_input_grad
        grad_x = grad_w = grad_bias = None
        if need[0]:
            grad_x = grad @ w_in.T
        if need[2]:
            x_t = _csr(*_transposed(ctx.positions, ctx.x_shape[1]), (ctx.x_shape[1], ctx.x_shape[0]))
            grad_w = x_t @ grad
        if need[3]:
            grad_bias = grad.sum(0)
        return grad_x, None, grad_w, grad_bias


class _NativeProjection(torch.autograd.Function):
    """The forward pass finds the nonzeros of ``x`` (compressed rows) and keeps them for the weight
    gradient, so ``x`` is scanned once."""

    @staticmethod
    def forward(ctx, x, w_in, bias):
        rows = native.sparse_rows(x, estimated_density(x))
        if ctx.needs_input_grad[1]:
            ctx.rows = rows
        ctx.save_for_backward(w_in)
        return native.sparse_rows_times_matrix(rows, w_in, bias)

    @staticmethod
    @once_differentiable
    def backward(ctx, grad):
        (w_in,) = ctx.saved_tensors
        need = ctx.needs_input_grad
        grad_x = grad @ w_in.T if need[0] else None
        grad_w = native.sparse_rows_transposed_times(ctx.rows, grad, w_in.shape[0]) if need[1] else None
        grad_bias = grad.sum(0) if need[2] else None
        return grad_x, grad_w, grad_bias


def use_native(x: torch.Tensor, w_in: torch.Tensor, bias: Optional[torch.Tensor] = None) -> bool:
    """Whether ``input_projection`` takes the native route for this ``(rows, n_in)`` input."""
    limit = NATIVE_MAX_DENSITY.get(x.dtype)
    if limit is None or not native.available(x, w_in, *([] if bias is None else [bias])):
        return False
    return estimated_density(x) <= limit


def choose_route(flat: torch.Tensor, w_in: torch.Tensor, bias: Optional[torch.Tensor] = None) -> str:
    """The route for this ``(rows, n_in)`` input (the CSR route can still fall back to dense on its exact
    count)."""
    if use_native(flat, w_in, bias):
        return "native"
    return "csr" if use_sparse(flat, w_in) else "dense"


def _check_projection(x, w_in, bias) -> None:
    """ValueError naming the argument unless ``x`` (..., n_in), ``w_in`` (n_in, n_out) and ``bias``
    (n_out,) or None are strided tensors of one dtype on one device."""
    for name, value in (("x", x), ("w_in", w_in), ("bias", bias)):
        if not (isinstance(value, torch.Tensor) or (name == "bias" and value is None)):
            raise ValueError(f"{name} must be a torch.Tensor, got {type(value).__name__}")
        if value is not None and value.layout != torch.strided:
            raise ValueError(f"{name} must be a strided (dense) tensor, got layout {value.layout}")
    if x.ndim < 1 or w_in.ndim != 2 or x.shape[-1] != w_in.shape[0]:
        raise ValueError(f"x (..., n_in) and w_in (n_in, n_out) must agree on n_in; got x of shape "
                         f"{tuple(x.shape)} and w_in of shape {tuple(w_in.shape)}")
    if bias is not None and tuple(bias.shape) != (w_in.shape[1],):
        raise ValueError(f"bias must have shape ({w_in.shape[1]},) (w_in's n_out) or be None, got shape "
                         f"{tuple(bias.shape)}")
    for name, value in (("w_in", w_in), ("bias", bias)):
        if value is not None and (value.dtype != x.dtype or value.device != x.device):
            raise ValueError(f"{name} must have x's dtype {x.dtype} and device {x.device}, got {value.dtype} "
                             f"on {value.device}")


def input_projection(x: torch.Tensor, w_in: torch.Tensor, bias: Optional[torch.Tensor],
                     route: Optional[str] = None) -> torch.Tensor:
    """``x @ w_in + bias`` for ``x`` of shape (..., n_in) through ``route`` (one of ``ROUTES``), or the
    route ``choose_route`` picks when None. The native and CSR routes are CPU-only. ``w_in`` is
    (n_in, n_out) and ``bias`` (n_out,) or None, both of ``x``'s dtype and device (every route checks
    this: the native one hands raw pointers to C)."""
    if route is not None and route not in ROUTES:
        raise ValueError(f"route={route!r} is unknown; choose one of {list(ROUTES)} or None")
    _check_projection(x, w_in, bias)
    if route in ("native", "csr") and x.device.type != "cpu":
        raise ValueError(f"route={route!r} needs a CPU tensor x, got device {x.device}")
    if route == "native" and not native.available(x, w_in, *([] if bias is None else [bias])):
        raise ValueError(f"route='native' needs the compiled kernels (lifstab.native.kernels()) and a "
                         f"dtype in {list(native.DTYPES)}, got {x.dtype}")
    flat = x.reshape(math.prod(x.shape[:-1]), x.shape[-1])  # not -1: ambiguous when x is empty
    if route is None:
        route = choose_route(flat, w_in, bias)
        if route == "csr":
            positions = nonzero_positions(flat)
            # the sample may have missed dense rows: the exact count decides (the nonzero pass is then lost)
            if len(positions.rows) > SPARSE_MAX_DENSITY[x.dtype] * flat.numel():
                route = "dense"
    elif route == "csr":
        positions = nonzero_positions(flat)
    if route == "native":
        out = _NativeProjection.apply(flat, w_in, bias)
    elif route == "csr":
        out = _SparseProjection.apply(flat, positions, w_in, bias)
    else:
        out = flat @ w_in if bias is None else torch.addmm(bias, flat, w_in)
    return out.view(*x.shape[:-1], w_in.shape[1])
