"""Compiled products with a sparse left factor (spike matrices), optional: lifstab runs without them.

Spike matrices are mostly zeros (SHD-like inputs about 5% ones, recurrent spikes a few percent), and a
dense product spends its arithmetic on the zeros. Two kernels visit only the nonzero entries of ``x``,
reading ``x`` in its dense layout (no index structure to build, so no sort and no nonzero pass in torch):

- ``rows_times_matrix``: ``base + x @ w`` (the input projection with its bias; the recurrent current
  ``I_t + z_{t-1} @ w_rec`` of one step: ``step_product``), each nonzero ``x[r, k]`` adding
  ``x[r, k] w[k]`` to row ``r`` of the result;
- ``transposed_times``: ``x^T @ g`` (the weight gradients ``x^T dL/dI`` and ``z^T dL/dI``), each nonzero
  ``x[r, k]`` adding ``x[r, k] g[r]`` to row ``k`` of the result.

They are plain C (no torch headers, so compiling takes well under a second, against about a minute for a
``torch.utils.cpp_extension`` module), compiled with the system's C compiler at first use into a cache
directory (``$LIFSTAB_CACHE_DIR``, else ``$XDG_CACHE_HOME/lifstab`` or ``~/.cache/lifstab``) under a name
that hashes the source, the compiler, its flags and the CPU, and called through ``ctypes`` (which releases
the GIL, so row blocks run on ``torch.get_num_threads()`` Python threads). When no compiler is found or
compiling fails, ``kernels()`` returns None after one warning and every caller keeps its torch product;
``LIFSTAB_NATIVE=0`` switches them off. The values of ``x`` need not be binary. Products equal torch's up
to the order of summation (tests/test_native.py, float64); a zero of ``x`` contributes nothing even where
``w`` holds an inf or NaN (a dense product would give NaN there).
"""

from __future__ import annotations

import ctypes
import functools
import hashlib
import os
import platform
import shutil
import subprocess
import tempfile
import warnings
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Optional

import torch

#: C types of the supported dtypes, and the suffix of their kernels
DTYPES: dict[torch.dtype, str] = {torch.float32: "float", torch.float64: "double"}

SOURCE = r"""
#include <stdint.h>
#include <stdlib.h>

/* The nonzeros of one row, without branches (a random 5% pattern would mispredict every branch). */
#define DEFINE(T)                                                                                         \
static int64_t nonzeros_##T(const T* xr, int64_t inner, int64_t* index, T* value) {                        \
  int64_t m = 0;                                                                                          \
  for (int64_t k = 0; k < inner; ++k) { index[m] = k; value[m] = xr[k]; m += xr[k] != 0; }                \
  return m;                                                                                               \
}                                                                                                         \
                                                                                                          \
/* out[r] = base[r * base_stride] (zero when base is NULL) + sum_k x[r, k] w[k], r in [0, rows);           \
   returns the number of nonzeros of x, or -1 with out untouched when there are more than max_nnz          \
   (max_nnz < 0: no limit). */                                                                            \
int64_t rows_times_matrix_##T(const T* x, int64_t rows, int64_t inner, const T* w, int64_t cols,           \
                              const T* base, int64_t base_stride, T* out, int64_t max_nnz) {              \
  if (max_nnz >= 0) {                                                                                     \
    int64_t count = 0;                                                                                    \
    for (int64_t i = 0; i < rows * inner; ++i) count += x[i] != 0;                                        \
    if (count > max_nnz) return -1;                                                                       \
  }                                                                                                       \
  int64_t* index = malloc(inner * sizeof(int64_t));                                                       \
  T* value = malloc(inner * sizeof(T));                                                                   \
  if (!index || !value) { free(index); free(value); return -2; }                                          \
  int64_t nnz = 0;                                                                                        \
  for (int64_t r = 0; r < rows; ++r) {                                                                    \
    int64_t m = nonzeros_##T(x + r * inner, inner, index, value);                                         \
    nnz += m;                                                                                             \
    const T* b = base ? base + r * base_stride : 0;                                                       \
    T* restrict o = out + r * cols;                                                                       \
    for (int64_t j = 0; j < cols; ++j) o[j] = b ? b[j] : 0;                                               \
    for (int64_t i = 0; i < m; ++i) {                                                                     \
      const T* restrict wk = w + index[i] * cols;                                                         \
      const T v = value[i];                                                                               \
      for (int64_t j = 0; j < cols; ++j) o[j] += v * wk[j];                                               \
    }                                                                                                     \
  }                                                                                                       \
  free(index); free(value);                                                                               \
  return nnz;                                                                                             \
}                                                                                                         \
                                                                                                          \
/* out[k] += sum_r x[r, k] g[r], r in [0, rows): x^T @ g accumulated into out (inner x cols). */          \
int64_t transposed_times_##T(const T* x, int64_t rows, int64_t inner, const T* g, int64_t cols, T* out) {  \
  int64_t* index = malloc(inner * sizeof(int64_t));                                                       \
  T* value = malloc(inner * sizeof(T));                                                                   \
  if (!index || !value) { free(index); free(value); return -2; }                                          \
  int64_t nnz = 0;                                                                                        \
  for (int64_t r = 0; r < rows; ++r) {                                                                    \
    int64_t m = nonzeros_##T(x + r * inner, inner, index, value);                                         \
    nnz += m;                                                                                             \
    const T* restrict gr = g + r * cols;                                                                           \
    for (int64_t i = 0; i < m; ++i) {                                                                     \
      T* restrict o = out + index[i] * cols;                                                                       \
      const T v = value[i];                                                                               \
      for (int64_t j = 0; j < cols; ++j) o[j] += v * gr[j];                                               \
    }                                                                                                     \
  }                                                                                                       \
  free(index); free(value);                                                                               \
  return nnz;                                                                                             \
}

DEFINE(float)
DEFINE(double)
"""

#: optimisation flags; ``-march=native`` is dropped when the compiler rejects it
FLAGS = ("-O3", "-march=native", "-std=c99", "-shared", "-fPIC")
#: below this many entries of x a product runs on one thread (a thread hand-off costs tens of microseconds)
PARALLEL_MIN_ENTRIES = 1 << 18


def _cpu_signature() -> str:
    """What ``-march=native`` compiles for: the machine and, on Linux, the CPU's feature flags."""
    try:
        with open("/proc/cpuinfo") as f:
            flags = next((line for line in f if line.startswith(("flags", "Features"))), "")
    except OSError:
        flags = ""
    return platform.machine() + flags


def cache_dir() -> Path:
    explicit = os.environ.get("LIFSTAB_CACHE_DIR")
    if explicit:
        return Path(explicit)
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "lifstab"


def _compile(compiler: str, target: Path) -> None:
    """Compile SOURCE into ``target`` atomically (concurrent processes may compile the same file)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=target.parent) as tmp:
        source = Path(tmp) / "kernels.c"
        source.write_text(SOURCE)
        built = Path(tmp) / target.name
        for flags in (FLAGS, tuple(f for f in FLAGS if f != "-march=native")):
            done = subprocess.run([compiler, *flags, str(source), "-o", str(built)], capture_output=True,
                                  text=True, timeout=120)
            if done.returncode == 0:
                os.replace(built, target)
                return
        raise OSError(f"{compiler} failed: {done.stderr.strip()[-500:]}")


def _declare(lib: ctypes.CDLL) -> ctypes.CDLL:
    p, i = ctypes.c_void_p, ctypes.c_int64
    for ctype in DTYPES.values():
        rows_times = getattr(lib, f"rows_times_matrix_{ctype}")
        rows_times.argtypes, rows_times.restype = [p, i, i, p, i, p, i, p, i], i
        transposed = getattr(lib, f"transposed_times_{ctype}")
        transposed.argtypes, transposed.restype = [p, i, i, p, i, p], i
    return lib


@functools.lru_cache(maxsize=None)
def kernels() -> Optional[ctypes.CDLL]:
    """The compiled kernels, compiled at first use; None (after one warning) when that is not possible,
    or when ``LIFSTAB_NATIVE=0``."""
    if os.environ.get("LIFSTAB_NATIVE", "1") == "0":
        return None
    compiler = os.environ.get("CC") or shutil.which("cc") or shutil.which("gcc")
    try:
        if compiler is None:
            raise OSError("no C compiler found (set CC)")
        key = hashlib.sha256("\0".join((SOURCE, compiler, *FLAGS, _cpu_signature())).encode()).hexdigest()[:16]
        target = cache_dir() / f"lifstab_kernels_{key}.so"
        if not target.exists():
            _compile(compiler, target)
        return _declare(ctypes.CDLL(str(target)))
    except (OSError, subprocess.SubprocessError, AttributeError) as err:
        warnings.warn(f"lifstab: the compiled sparse kernels are unavailable ({err}); torch's dense products "
                      "are used instead", RuntimeWarning, stacklevel=2)
        return None


def available(*tensors: torch.Tensor) -> bool:
    """Whether the kernels can take these tensors: compiled, on CPU, one supported dtype, strided."""
    dtype = tensors[0].dtype
    if dtype not in DTYPES or any(t.device.type != "cpu" or t.dtype != dtype or t.layout != torch.strided
                                  for t in tensors):
        return False
    return kernels() is not None


@functools.lru_cache(maxsize=1)
def _pool(workers: int) -> ThreadPoolExecutor:
    return ThreadPoolExecutor(max_workers=workers, thread_name_prefix="lifstab-native")


def _row_blocks(rows: int, inner: int) -> list[tuple[int, int]]:
    """Row ranges for ``torch.get_num_threads()`` threads (one block when the product is small)."""
    blocks = max(1, min(torch.get_num_threads(), rows))
    if blocks == 1 or rows * inner < PARALLEL_MIN_ENTRIES:
        return [(0, rows)]
    edges = [rows * b // blocks for b in range(blocks + 1)]
    return list(zip(edges[:-1], edges[1:]))


def _run_blocks(calls) -> list[int]:
    """Run the kernel calls (argument-free functions), in parallel when there are several."""
    if len(calls) == 1:
        return [calls[0]()]
    return list(_pool(len(calls)).map(lambda call: call(), calls))


def _check(result: int) -> int:
    if result == -2:
        raise MemoryError("lifstab native kernel: out of memory for a row's index buffer")
    return result


def rows_times_matrix(x: torch.Tensor, w: torch.Tensor, base: Optional[torch.Tensor] = None,
                      max_density: Optional[float] = None) -> Optional[torch.Tensor]:
    """``base + x @ w`` for a 2-d ``x`` (rows, inner) and ``w`` (inner, cols); ``base`` is (rows, cols) or
    (cols,) (broadcast over rows) or None. With ``max_density``, None when ``x`` has a larger nonzero
    fraction (counted by the kernel, on one thread), so that the caller takes its dense product."""
    lib = kernels()
    x, w = x.contiguous(), w.contiguous()
    rows, inner = x.shape
    cols = w.shape[1]
    out = torch.empty(rows, cols, dtype=x.dtype)
    if base is not None:
        base = base.contiguous()
    base_stride = 0 if base is None or base.ndim == 1 else cols
    kernel = getattr(lib, f"rows_times_matrix_{DTYPES[x.dtype]}")
    size = x.element_size()

    def call(start: int, stop: int, max_nnz: int):
        base_ptr = None if base is None else base.data_ptr() + start * base_stride * size
        return lambda: _check(kernel(x.data_ptr() + start * inner * size, stop - start, inner, w.data_ptr(), cols,
                                     base_ptr, base_stride, out.data_ptr() + start * cols * size, max_nnz))

    if max_density is not None:
        if _check(call(0, rows, int(max_density * x.numel()))()) < 0:
            return None
        return out
    _run_blocks([call(start, stop, -1) for start, stop in _row_blocks(rows, inner)])
    return out


def step_product(w: torch.Tensor, max_density: float):
    """For many small products with the same ``w`` (one per time step): a function ``(x, base, out) ->
    bool`` that writes ``base + x @ w`` into ``out`` and returns True when ``x`` has at most a
    ``max_density`` fraction of nonzeros, and returns False (``out`` untouched) otherwise. ``x``, ``base``
    and ``out`` must be contiguous (rows, cols) tensors of ``w``'s dtype; the pointers are bound once."""
    w = w.contiguous()
    kernel = getattr(kernels(), f"rows_times_matrix_{DTYPES[w.dtype]}")
    w_ptr, inner, cols = w.data_ptr(), w.shape[0], w.shape[1]

    def product(x: torch.Tensor, base: torch.Tensor, out: torch.Tensor, _keep=w) -> bool:
        rows = x.shape[0]
        return _check(kernel(x.data_ptr(), rows, inner, w_ptr, cols, base.data_ptr(), cols, out.data_ptr(),
                             int(max_density * rows * inner))) >= 0

    return product


def transposed_times(x: torch.Tensor, g: torch.Tensor) -> torch.Tensor:
    """``x^T @ g`` for ``x`` (rows, inner) and ``g`` (rows, cols): each row block of threads sums into its
    own result, and the results are added."""
    lib = kernels()
    x, g = x.contiguous(), g.contiguous()
    rows, inner = x.shape
    cols = g.shape[1]
    kernel = getattr(lib, f"transposed_times_{DTYPES[x.dtype]}")
    size = x.element_size()
    blocks = _row_blocks(rows, inner)
    outs = [torch.zeros(inner, cols, dtype=x.dtype) for _ in blocks]

    def call(start: int, stop: int, out: torch.Tensor):
        return lambda: _check(kernel(x.data_ptr() + start * inner * size, stop - start, inner,
                                     g.data_ptr() + start * cols * size, cols, out.data_ptr()))

    _run_blocks([call(start, stop, out) for (start, stop), out in zip(blocks, outs)])
    total = outs[0]
    for out in outs[1:]:
        total += out
    return total
