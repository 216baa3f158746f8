"""The sparse products: compressed rows of a spike matrix (``sparse_rows``), ``base + x @ w`` and
``x^T @ g`` from them, one step's product for the Python loop (``step_product``) and ``x^T @ g`` straight
from the dense ``x`` (``transposed_times``)."""

from __future__ import annotations

import functools
from typing import NamedTuple, Optional

import torch

from .. import native_checks as check
from . import build
from .buffers import empty
from .source import DTYPES
from .threads import _row_blocks, _run_blocks


def _check(result: int) -> int:
    if result == -2:
        raise MemoryError("lifstab native kernel: out of memory for a row's index buffer")
    return result


class SparseRows(NamedTuple):
    """The nonzeros of a block of rows of a (rows, inner) matrix in compressed-row form (int64 row starts,
    int32 columns, values), the block's first row and the matrix's number of columns ``inner``."""

    first_row: int
    row_start: torch.Tensor
    index: torch.Tensor
    value: torch.Tensor
    columns: int


def _check_sparse_rows(name: str, blocks, dtype: torch.dtype) -> tuple[int, int]:
    """(rows, columns) of the matrix whose compressed rows ``blocks`` (from ``sparse_rows``) are, after
    checking that the kernels stay inside every array: consecutive blocks, row starts increasing from 0
    up to the number of entries, column indices inside the matrix."""
    if not isinstance(blocks, (list, tuple)) or not blocks or not all(isinstance(b, SparseRows) for b in blocks):
        raise ValueError(f"{name} must be the non-empty list of SparseRows that sparse_rows returns, "
                         f"got {type(blocks).__name__}")
    rows, columns = 0, blocks[0].columns
    for i, block in enumerate(blocks):
        where = f"{name}[{i}]"
        if block.first_row != rows or block.columns != columns or not isinstance(columns, int) or columns < 0:
            raise ValueError(f"{where}: first_row {block.first_row!r} and columns {block.columns!r} do not "
                             f"continue the blocks before it (row {rows}, {columns} columns)")
        starts = check.tensor(f"{where}.row_start", block.row_start, (None,), torch.int64)
        nnz = len(check.tensor(f"{where}.index", block.index, (None,), torch.int32))
        check.tensor(f"{where}.value", block.value, (nnz,), dtype)
        if len(starts) == 0 or starts[0] != 0 or starts[-1] != nnz or bool((starts.diff() < 0).any()):
            raise ValueError(f"{where}.row_start must increase from 0 to the number of entries {nnz}")
        if nnz and not (0 <= int(block.index.min()) and int(block.index.max()) < columns):
            raise ValueError(f"{where}.index must hold column indices in [0, {columns})")
        rows += len(starts) - 1
    return rows, columns


def _kernel(name: str, dtype: torch.dtype):
    lib = build.kernels()
    if lib is None:
        raise RuntimeError("lifstab.native: the compiled kernels are unavailable (native.kernels() is None); "
                           "check native.available(...) before calling them")
    return getattr(lib, f"{name}_{DTYPES[dtype]}")


def _sparse_block(x: torch.Tensor, start: int, stop: int, capacity: int) -> SparseRows:
    kernel, inner = _kernel("sparse_rows", x.dtype), x.shape[1]
    while True:
        row_start = torch.empty(stop - start + 1, dtype=torch.int64)
        index = torch.empty(capacity, dtype=torch.int32)
        value = torch.empty(capacity, dtype=x.dtype)
        nnz = _check(kernel(x.data_ptr() + start * inner * x.element_size(), stop - start, inner,
                            row_start.data_ptr(), index.data_ptr(), value.data_ptr(), capacity))
        if nnz >= 0:
            return SparseRows(start, row_start, index[:nnz], value[:nnz], inner)
        capacity = (stop - start) * inner  # the estimate was too low: room for every entry


def sparse_rows(x: torch.Tensor, density: float) -> list[SparseRows]:
    """The nonzeros of a 2-d ``x``, one ``SparseRows`` per row block (one block per thread); ``density`` is
    an estimate of the nonzero fraction that sizes the arrays (exceeded: the block is scanned again)."""
    x = check.tensor("x", x, (None, None), contiguous=False).contiguous()
    density = check.density_estimate("density", density)
    rows, inner = x.shape
    blocks = _row_blocks(rows, inner)
    calls = [functools.partial(_sparse_block, x, start, stop,
                               min((stop - start) * inner, int(1.25 * density * (stop - start) * inner) + 4096))
             for start, stop in blocks]
    return _run_blocks(calls)


def sparse_rows_times_matrix(x: list[SparseRows], w: torch.Tensor, base: Optional[torch.Tensor] = None) -> torch.Tensor:
    """``base + x @ w`` for ``x`` given by ``sparse_rows``; ``base`` is (cols,) (broadcast) or None."""
    w = check.tensor("w", w, (None, None), contiguous=False).contiguous()
    rows, inner = _check_sparse_rows("x", x, w.dtype)
    check.same_size("w.shape[0]", w.shape[0], inner, "the number of columns of x")
    base = check.optional_tensor("base", base, (w.shape[1],), w.dtype, contiguous=False)
    base = None if base is None else base.contiguous()
    kernel, cols, size = _kernel("sparse_rows_times_matrix", w.dtype), w.shape[1], w.element_size()
    out = empty((rows, cols), w.dtype)

    def call(block: SparseRows):
        return lambda: kernel(block.row_start.data_ptr(), block.index.data_ptr(), block.value.data_ptr(),
                              len(block.row_start) - 1, w.data_ptr(), cols, None if base is None else base.data_ptr(),
                              0, out.data_ptr() + block.first_row * cols * size)

    _run_blocks([call(block) for block in x])
    return out


def sparse_rows_transposed_times(x: list[SparseRows], g: torch.Tensor, inner: int) -> torch.Tensor:
    """``x^T @ g`` (inner, cols) for ``x`` given by ``sparse_rows``: each block sums into its own result."""
    g = check.tensor("g", g, (None, None), contiguous=False).contiguous()
    rows, columns = _check_sparse_rows("x", x, g.dtype)
    check.same_size("g.shape[0]", g.shape[0], rows, "the number of rows of x")
    check.same_size("inner", inner, columns, "the number of columns of x")
    kernel, cols, size = _kernel("sparse_rows_transposed_times", g.dtype), g.shape[1], g.element_size()
    outs = [torch.zeros(inner, cols, dtype=g.dtype) for _ in x]

    def call(block: SparseRows, out: torch.Tensor):
        return lambda: kernel(block.row_start.data_ptr(), block.index.data_ptr(), block.value.data_ptr(),
                              len(block.row_start) - 1, g.data_ptr() + block.first_row * cols * size, cols,
                              out.data_ptr())

    _run_blocks([call(block, out) for block, out in zip(x, outs)])
    return _sum(outs)


def _sum(outs: list[torch.Tensor]) -> torch.Tensor:
    total = outs[0]
    for out in outs[1:]:
        total += out
    return total


def step_product(w: torch.Tensor, max_density: float):
    """For many small products with the same ``w`` (one per time step): a function ``(x, base, out) ->
    bool`` that writes ``base + x @ w`` into ``out`` and returns True when ``x`` has at most a
    ``max_density`` fraction of nonzeros, and returns False (``out`` untouched) otherwise. ``x``, ``base``
    and ``out`` must be contiguous (rows, cols) tensors of ``w``'s dtype; the pointers are bound once."""
    w = check.tensor("w", w, (None, None), contiguous=False).contiguous()
    max_density = check.fraction("max_density", max_density)
    kernel = _kernel("rows_times_matrix", w.dtype)
    w_ptr, inner, cols = w.data_ptr(), w.shape[0], w.shape[1]

    def product(x: torch.Tensor, base: torch.Tensor, out: torch.Tensor, _keep=w) -> bool:
        rows = check.tensor("x", x, (None, inner), w.dtype).shape[0]
        check.tensor("base", base, (rows, cols), w.dtype)
        check.tensor("out", out, (rows, cols), w.dtype)
        return _check(kernel(x.data_ptr(), rows, inner, w_ptr, cols, base.data_ptr(), cols, out.data_ptr(),
                             int(max_density * rows * inner))) >= 0

    return product


def transposed_times(x: torch.Tensor, g: torch.Tensor) -> torch.Tensor:
    """``x^T @ g`` for ``x`` (rows, inner) and ``g`` (rows, cols), straight from the dense ``x`` (no
    compressed rows kept): each row block of threads sums into its own result."""
    x = check.tensor("x", x, (None, None), contiguous=False).contiguous()
    g = check.tensor("g", g, (x.shape[0], None), x.dtype, contiguous=False).contiguous()
    (rows, inner), cols = x.shape, g.shape[1]
    kernel, size = _kernel("transposed_times", x.dtype), x.element_size()
    blocks = _row_blocks(rows, inner)
    outs = [torch.zeros(inner, cols, dtype=x.dtype) for _ in blocks]

    def call(start: int, stop: int, out: torch.Tensor):
        return lambda: _check(kernel(x.data_ptr() + start * inner * size, stop - start, inner,
                                     g.data_ptr() + start * cols * size, cols, out.data_ptr()))

    _run_blocks([call(start, stop, out) for (start, stop), out in zip(blocks, outs)])
    return _sum(outs)
