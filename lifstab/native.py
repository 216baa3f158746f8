"""Compiled kernels for the fast LIF path that exploit the spikes' sparsity; optional: lifstab runs without.

Spike matrices are mostly zeros (SHD-like inputs about 5% ones, recurrent spikes a few percent), and a
dense product spends its arithmetic on the zeros. The kernels read spike matrices in their dense layout
and visit only the nonzero entries:

- ``sparse_rows`` finds each row's nonzeros once (compressed rows; AVX2 compares where the CPU has them),
  ``sparse_rows_times_matrix`` gives ``base + x @ w`` from them (the input projection, bias included) and
  ``sparse_rows_transposed_times`` gives ``x^T @ g`` (its weight gradient);
- ``lif_forward`` runs the whole LIF forward loop: per step the recurrent current ``I_t + z_{t-1} @ w_rec``
  from the spikes of ``z_{t-1}`` and the reset's voltage update, printed as C by ``lifstab derive``
  (lifstab/_generated/lif_c.py), stopping at the first step whose previous spikes are too dense;
- ``backward_step`` does the elementwise part of one LIF backward step, with the partial derivatives of
  the update printed as C (lifstab/_generated/lif_grad_c.py);
- ``transposed_times`` gives ``z^T @ g`` (the recurrent weight gradient), and ``step_product`` one step's
  ``I_t + z_{t-1} @ w_rec`` for the Python loop (ALIF).

The source is plain C (no torch headers; compiling took 0.7 s here), compiled with the system's C
compiler (``$CC``, which may carry arguments, e.g. ``ccache gcc``; else ``cc`` or ``gcc``) at first use
into a private cache directory (``$LIFSTAB_CACHE_DIR``, else ``$XDG_CACHE_HOME/lifstab`` or
``~/.cache/lifstab``; created 0700, and a directory or library another user could have written, i.e. not
owned by this user or writable by group or others, is refused: a planted library would run as this user)
under a name that hashes the source, the compiler and its version string, its flags and the CPU, and called
through ``ctypes`` (which releases the GIL, so row blocks run on ``torch.get_num_threads()`` Python
threads). When no compiler is found or compiling fails, ``kernels()`` returns None after one warning and
every caller keeps its torch path; ``LIFSTAB_NATIVE=0`` switches the kernels off. The values of ``x``
need not be binary. Results equal torch's up to the order of summation (tests/test_native.py, float64);
a zero of ``x`` contributes nothing even where ``w`` holds an inf or NaN (a dense product would give NaN).
"""

from __future__ import annotations

import ctypes
import functools
import hashlib
import os
import platform
import shlex
import shutil
import stat
import subprocess
import sys
import tempfile
import threading
import warnings
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import NamedTuple, Optional

import torch

from . import native_checks as check
from ._generated import lif_c, lif_grad_c

#: C types of the supported dtypes, and the suffix of their kernels
DTYPES: dict[torch.dtype, str] = {torch.float32: "float", torch.float64: "double"}

#: shared part of the C source: the vector nonzero test of a block of entries, where the CPU has AVX2
HEADER = r"""
#include <stdint.h>
#include <stdlib.h>
#ifdef __AVX2__
#include <immintrin.h>
#define LANES_float 8
#define LANES_double 4
/* bit i set when p[i] != 0 (NaN counts as nonzero, as in C's !=) */
static inline unsigned nonzero_mask_float(const float* p) {
  return (unsigned)_mm256_movemask_ps(_mm256_cmp_ps(_mm256_loadu_ps(p), _mm256_setzero_ps(), _CMP_NEQ_UQ));
}
static inline unsigned nonzero_mask_double(const double* p) {
  return (unsigned)_mm256_movemask_pd(_mm256_cmp_pd(_mm256_loadu_pd(p), _mm256_setzero_pd(), _CMP_NEQ_UQ));
}
#endif
/* columns per register block of a row times a matrix */
#define COLUMN_BLOCK 64
/* entries a row scan may write past its count (whole vector stores): every index/value buffer has them */
#define SLACK 16
#ifdef __AVX512F__
#define COMPRESS_LANES_float 16
/* the nonzeros of xr[k, k + 16) appended to index and value by vector compression, without branches;
   all 16 lanes are stored (the buffers have SLACK); returns how many are nonzero */
static inline int compress_float(const float* xr, int64_t k, int32_t* index, float* value) {
  const __m512 v = _mm512_loadu_ps(xr + k);
  const __mmask16 mask = _mm512_cmp_ps_mask(v, _mm512_setzero_ps(), _CMP_NEQ_UQ);
  const __m512i lanes = _mm512_add_epi32(_mm512_set1_epi32((int)k),
                                         _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15));
  _mm512_storeu_si512(index, _mm512_maskz_compress_epi32(mask, lanes));
  _mm512_storeu_ps(value, _mm512_maskz_compress_ps(mask, v));
  return __builtin_popcount(mask);
}
#endif
"""

#: the kernels, written once for ``REAL`` (replaced by float and double)
TEMPLATE = r"""
/* The nonzeros of one row: their column and value, in column order; returns how many (and may write up
   to SLACK entries past them). AVX-512: blocks of 16 by vector compression; AVX2: whole blocks of zeros
   skipped by one vector test; the scalar tail writes without branching (a random sparse pattern would
   mispredict a branch per nonzero). */
static int64_t row_nonzeros_REAL(const REAL* xr, int64_t inner, int32_t* index, REAL* value) {
  int64_t m = 0, k = 0;
#if defined(COMPRESS_LANES_REAL)
  for (; k + COMPRESS_LANES_REAL <= inner; k += COMPRESS_LANES_REAL) m += compress_REAL(xr, k, index + m, value + m);
#elif defined(__AVX2__)
  for (; k + LANES_REAL <= inner; k += LANES_REAL) {
    unsigned mask = nonzero_mask_REAL(xr + k);
    while (mask) {
      int bit = __builtin_ctz(mask);
      index[m] = (int32_t)(k + bit); value[m] = xr[k + bit]; ++m;
      mask &= mask - 1;
    }
  }
#endif
  for (; k < inner; ++k) { index[m] = (int32_t)k; value[m] = xr[k]; m += xr[k] != 0; }
  return m;
}

/* The nonzeros of x (rows x inner) in compressed-row form: row r's are entries row_start[r] to
   row_start[r + 1] of index and value. Returns their number, or -1 when there are more than capacity
   (the arrays are then incomplete). */
int64_t sparse_rows_REAL(const REAL* x, int64_t rows, int64_t inner, int64_t* row_start, int32_t* index,
                         REAL* value, int64_t capacity) {
  int32_t* row_index = malloc((inner + SLACK) * sizeof(int32_t));
  REAL* row_value = malloc((inner + SLACK) * sizeof(REAL));
  if (!row_index || !row_value) { free(row_index); free(row_value); return -2; }
  int64_t nnz = 0;
  row_start[0] = 0;
  for (int64_t r = 0; r < rows; ++r) {
    int64_t m;
    if (capacity - nnz >= inner + SLACK) {  /* room for a full row: write in place */
      m = row_nonzeros_REAL(x + r * inner, inner, index + nnz, value + nnz);
    } else {
      m = row_nonzeros_REAL(x + r * inner, inner, row_index, row_value);
      if (nnz + m > capacity) { nnz = -1; break; }
      for (int64_t i = 0; i < m; ++i) { index[nnz + i] = row_index[i]; value[nnz + i] = row_value[i]; }
    }
    nnz += m;
    row_start[r + 1] = nnz;
  }
  free(row_index); free(row_value);
  return nnz;
}

/* out[r] = base[r * base_stride] (zero when base is NULL) + sum over row r's nonzeros x[r, k] w[k]. */
static void row_times_matrix_REAL(const int32_t* index, const REAL* value, int64_t m, const REAL* w, int64_t cols,
                                  const REAL* base, REAL* restrict out) {
  int64_t j0 = 0;
  /* blocks of columns summed in registers over the row's nonzeros, stored once */
  for (; j0 + COLUMN_BLOCK <= cols; j0 += COLUMN_BLOCK) {
    REAL acc[COLUMN_BLOCK];
    for (int j = 0; j < COLUMN_BLOCK; ++j) acc[j] = base ? base[j0 + j] : 0;
    for (int64_t i = 0; i < m; ++i) {
      const REAL* restrict wk = w + (int64_t)index[i] * cols + j0;
      const REAL v = value[i];
      /* spikes are ones: a plain sum, measured 6x faster than the multiply-add loop (AVX-512, GCC 12) */
      if (v == 1) { for (int j = 0; j < COLUMN_BLOCK; ++j) acc[j] += wk[j]; }
      else { for (int j = 0; j < COLUMN_BLOCK; ++j) acc[j] += v * wk[j]; }
    }
    for (int j = 0; j < COLUMN_BLOCK; ++j) out[j0 + j] = acc[j];
  }
  for (int64_t j = j0; j < cols; ++j) out[j] = base ? base[j] : 0;
  for (int64_t i = 0; i < m; ++i) {
    const REAL* restrict wk = w + (int64_t)index[i] * cols;
    const REAL v = value[i];
    if (v == 1) { for (int64_t j = j0; j < cols; ++j) out[j] += wk[j]; }
    else { for (int64_t j = j0; j < cols; ++j) out[j] += v * wk[j]; }
  }
}

/* base + x @ w from the compressed rows of x (sparse_rows_REAL), rows [0, rows). */
void sparse_rows_times_matrix_REAL(const int64_t* row_start, const int32_t* index, const REAL* value, int64_t rows,
                                   const REAL* w, int64_t cols, const REAL* base, int64_t base_stride, REAL* out) {
  for (int64_t r = 0; r < rows; ++r)
    row_times_matrix_REAL(index + row_start[r], value + row_start[r], row_start[r + 1] - row_start[r], w, cols,
                          base ? base + r * base_stride : 0, out + r * cols);
}

/* out += x^T @ g from the compressed rows of x: each nonzero x[r, k] adds x[r, k] g[r] to out[k]. */
void sparse_rows_transposed_times_REAL(const int64_t* row_start, const int32_t* index, const REAL* value,
                                       int64_t rows, const REAL* g, int64_t cols, REAL* out) {
  for (int64_t r = 0; r < rows; ++r) {
    const REAL* restrict gr = g + r * cols;
    for (int64_t i = row_start[r]; i < row_start[r + 1]; ++i) {
      REAL* restrict o = out + (int64_t)index[i] * cols;
      const REAL v = value[i];
      if (v == 1) { for (int64_t j = 0; j < cols; ++j) o[j] += gr[j]; }
      else { for (int64_t j = 0; j < cols; ++j) o[j] += v * gr[j]; }
    }
  }
}

/* base + x @ w straight from the dense x, for small products (one time step): returns the number of
   nonzeros of x, or -1 with out untouched when there are more than max_nnz (max_nnz < 0: no limit). */
int64_t rows_times_matrix_REAL(const REAL* x, int64_t rows, int64_t inner, const REAL* w, int64_t cols,
                               const REAL* base, int64_t base_stride, REAL* out, int64_t max_nnz) {
  const int64_t capacity = max_nnz < 0 ? rows * inner : max_nnz;
  int32_t* index = malloc((capacity + 1) * sizeof(int32_t));
  REAL* value = malloc((capacity + 1) * sizeof(REAL));
  int64_t* row_start = malloc((rows + 1) * sizeof(int64_t));
  int64_t nnz = (index && value && row_start) ? sparse_rows_REAL(x, rows, inner, row_start, index, value, capacity)
                                              : -2;
  if (nnz >= 0) sparse_rows_times_matrix_REAL(row_start, index, value, rows, w, cols, base, base_stride, out);
  free(index); free(value); free(row_start);
  return nnz;
}

/* out += x^T @ g straight from the dense x (rows x inner), for the recurrent weight gradient. */
int64_t transposed_times_REAL(const REAL* x, int64_t rows, int64_t inner, const REAL* g, int64_t cols, REAL* out) {
  int32_t* index = malloc((inner + SLACK) * sizeof(int32_t));
  REAL* value = malloc((inner + SLACK) * sizeof(REAL));
  if (!index || !value) { free(index); free(value); return -2; }
  int64_t nnz = 0, row_start[2] = {0, 0};
  for (int64_t r = 0; r < rows; ++r) {
    row_start[1] = row_nonzeros_REAL(x + r * inner, inner, index, value);
    nnz += row_start[1];
    sparse_rows_transposed_times_REAL(row_start, index, value, 1, g + r * cols, cols, out);
  }
  free(index); free(value);
  return nnz;
}
"""

#: the fused forward loop of a LIF layer, written once for ``REAL`` and ``RESET``; ``UPDATE`` is the
#: reset's voltage update printed as C by ``lifstab derive`` (lifstab/_generated/lif_c.py)
FORWARD_TEMPLATE = r"""
static inline REAL update_RESET_REAL(PARAMETERS) { return UPDATE; }

/* One row of neurons: v_t and z_t = (v_t > threshold) from v_{t-1}, I_t and z_{t-1} (vectorised). */
static void update_row_RESET_REAL(const REAL* restrict v_prev, const REAL* restrict current,
                                  const REAL* restrict z_prev, const REAL* restrict decay,
                                  const REAL* restrict threshold, REAL* restrict v_out, REAL* restrict z_out,
                                  int64_t n) {
  for (int64_t j = 0; j < n; ++j) {
    const REAL v = update_RESET_REAL(v_prev[j], current[j], z_prev[j], decay[j], threshold[j]);
    v_out[j] = v;
    z_out[j] = v > threshold[j] ? (REAL)1 : (REAL)0;
  }
}

/* Steps [0, steps) of the LIF forward pass, reset RESET (lifstab/lif_sequence.py): the current
   I_t = currents[t] + z_{t-1} @ w_rec (w_rec NULL: feed-forward), v_t = update(v_{t-1}, I_t, z_{t-1},
   decay, threshold) per neuron, z_t = (v_t > threshold); writes voltages[t], spikes[t] and, when totals
   is not NULL, totals[t] = I_t. Stops before a step whose z_{t-1} has more than max_nnz nonzeros (the
   caller's dense product is cheaper there) and returns the number of steps done (-2: out of memory). */
int64_t lif_forward_RESET_REAL(const REAL* currents, int64_t steps, int64_t batch, int64_t n, const REAL* w_rec,
                               const REAL* decay, const REAL* threshold, const REAL* v0, const REAL* z0,
                               REAL* voltages, REAL* spikes, REAL* totals, int64_t max_nnz) {
  const int64_t size = batch * n;
  int32_t* index = malloc((max_nnz + 1) * sizeof(int32_t));
  REAL* value = malloc((max_nnz + 1) * sizeof(REAL));
  int64_t* row_start = malloc((batch + 1) * sizeof(int64_t));
  REAL* row = malloc(n * sizeof(REAL));
  int64_t t = (index && value && row_start && row) ? 0 : -2;
  for (; t >= 0 && t < steps; ++t) {
    const REAL* v_prev = t ? voltages + (t - 1) * size : v0;
    const REAL* z_prev = t ? spikes + (t - 1) * size : z0;
    if (w_rec && sparse_rows_REAL(z_prev, batch, n, row_start, index, value, max_nnz) < 0) break;
    for (int64_t b = 0; b < batch; ++b) {
      const int64_t at = t * size + b * n;
      const REAL* current = currents + at;
      if (w_rec) {
        REAL* into = totals ? totals + at : row;
        row_times_matrix_REAL(index + row_start[b], value + row_start[b], row_start[b + 1] - row_start[b], w_rec, n,
                              currents + at, into);
        current = into;
      }
      update_row_RESET_REAL(v_prev + b * n, current, z_prev + b * n, decay, threshold, voltages + at, spikes + at, n);
    }
  }
  free(index); free(value); free(row_start); free(row);
  return t;
}
"""


#: one step of the LIF backward pass, written once for ``REAL`` and ``RESET``; the partial derivatives
#: ``d_<argument>`` of the reset's update are ``sympy.diff`` of it printed as C by ``lifstab derive``
#: (lifstab/_generated/lif_grad_c.py)
BACKWARD_TEMPLATE = r"""
PARTIALS
/* Step t of the LIF backward pass, reset RESET, the elementwise part of lif_sequence's Python loop:
   dL/dz_t = grad_z (loss and recurrent current, from the caller's matrix product) + the reset of step
   t + 1 (unless detach_reset); dL/dv_t = grad_voltage + dL/dz_t SG_t + dL/dv_{t+1} d v_{t+1}/d v_t into
   grad_v; dL/dI_t = dL/dv_t d v_t/d I_t into grad_current; the decay's and the threshold's gradients are
   summed into grad_decay and grad_threshold (per neuron) when those are not NULL. Every (batch, n) input
   is given (the caller passes zeros for a missing one, so that the loop has no branches and vectorises):
   v_prev, z_prev, current (I_t) feed the partials of step t, v_now, z_now, current_next (I_{t+1}) those
   of step t + 1; sg is SG(v_t - threshold). */
void lif_backward_step_RESET(int64_t batch, int64_t n, const REAL* restrict grad_z, const REAL* restrict sg,
                             const REAL* restrict grad_voltage, const REAL* restrict grad_v_next,
                             const REAL* restrict v_prev, const REAL* restrict z_prev, const REAL* restrict current,
                             const REAL* restrict v_now, const REAL* restrict z_now,
                             const REAL* restrict current_next, const REAL* restrict decay,
                             const REAL* restrict threshold, int64_t detach_reset, REAL* restrict grad_v,
                             REAL* restrict grad_current, REAL* restrict grad_decay, REAL* restrict grad_threshold) {
  /* a detached reset adds (... * 0) = 0, leaving dL/dz_t as it is */
  const REAL keep_reset = detach_reset ? 0 : 1;
  for (int64_t b = 0; b < batch; ++b) {
    const int64_t row = b * n;
    for (int64_t j = 0; j < n; ++j) {
      const int64_t i = row + j;
      const REAL gz = grad_z[i] + grad_v_next[i] * d_reset_spikes_RESET(v_now[i], current_next[i], z_now[i],
                                                                        decay[j], threshold[j]) * keep_reset;
      const REAL through = gz * sg[i];
      const REAL gv = (grad_voltage[i] + through)
                      + grad_v_next[i] * d_voltage_RESET(v_now[i], current_next[i], z_now[i], decay[j], threshold[j]);
      grad_v[i] = gv;
      grad_current[i] = gv * d_current_RESET(v_prev[i], current[i], z_prev[i], decay[j], threshold[j]);
      if (grad_threshold)
        grad_threshold[j] += -through + gv * d_threshold_RESET(v_prev[i], current[i], z_prev[i], decay[j], threshold[j]);
      if (grad_decay)
        grad_decay[j] += gv * d_decay_RESET(v_prev[i], current[i], z_prev[i], decay[j], threshold[j]);
    }
  }
}
"""
#: the arguments whose partials the backward step reads
PARTIAL_ARGUMENTS = ("voltage", "current", "reset_spikes", "decay", "threshold")


def _forward_source(reset: str, ctype: str) -> str:
    parameters = ", ".join(f"REAL {name}" for name in lif_c.ARGUMENTS[reset])
    return (FORWARD_TEMPLATE.replace("PARAMETERS", parameters).replace("UPDATE", lif_c.EXPRESSIONS[reset])
            .replace("RESET", reset).replace("REAL", ctype))


def _backward_source(reset: str, ctype: str) -> str:
    parameters = ", ".join(f"REAL {name}" for name in lif_c.ARGUMENTS[reset])
    partials = "".join(
        f"static inline REAL d_{argument}_RESET({parameters}) "
        f"{{ return {lif_grad_c.EXPRESSIONS[f'{reset}_d_{argument}']}; }}\n"
        for argument in PARTIAL_ARGUMENTS)
    return BACKWARD_TEMPLATE.replace("PARTIALS", partials).replace("RESET", f"{reset}_{ctype}").replace("REAL", ctype)


SOURCE = HEADER + "".join(TEMPLATE.replace("REAL", ctype)
                          + "".join(_forward_source(reset, ctype) + _backward_source(reset, ctype)
                                    for reset in lif_c.EXPRESSIONS)
                          for ctype in ("float", "double"))

#: optimisation flags; ``-march=native`` is dropped when the compiler rejects it. No contraction into
#: fused multiply-adds, so that the voltage update rounds as torch's separate operations do.
FLAGS = ("-O3", "-march=native", "-std=c99", "-ffp-contract=off", "-shared", "-fPIC")
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


def _refuse_untrusted(path: Path, what: str) -> None:
    """Raise OSError when another user could have written ``path``: not owned by this user, or writable
    by group or others (the checks careful caches make before loading code)."""
    info = path.stat()
    getuid = getattr(os, "getuid", None)  # absent on Windows, where POSIX ownership does not apply
    if getuid is not None and info.st_uid != getuid():
        raise OSError(f"the kernel cache {what} {path} is owned by uid {info.st_uid}, not by this user "
                      f"(uid {getuid()}); refused. Set LIFSTAB_CACHE_DIR to a directory of your own")
    if info.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
        raise OSError(f"the kernel cache {what} {path} is writable by group or others (mode "
                      f"{stat.S_IMODE(info.st_mode):o}); refused. Run chmod go-w on it, or set LIFSTAB_CACHE_DIR")


def private_cache_dir() -> Path:
    """``cache_dir()``, created 0700 when missing; OSError when it is not private (``_refuse_untrusted``)."""
    directory = cache_dir()
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    _refuse_untrusted(directory, "directory")
    return directory


def compiler_command() -> list[str]:
    """The C compiler as a command line: ``$CC`` split as a shell would (``ccache gcc``), else ``cc`` or
    ``gcc`` from the PATH."""
    configured = os.environ.get("CC", "").strip()
    if configured:
        try:
            command = shlex.split(configured)
        except ValueError as err:
            raise OSError(f"CC={configured!r} is not a valid command line ({err})") from None
        return command
    found = shutil.which("cc") or shutil.which("gcc")
    if found is None:
        raise OSError("no C compiler found (set CC)")
    return [found]


@functools.lru_cache(maxsize=None)
def compiler_version(command: tuple[str, ...]) -> str:
    """What ``command --version`` prints (part of the cache key: an upgraded compiler compiles again)."""
    done = subprocess.run([*command, "--version"], capture_output=True, text=True, timeout=60)
    return f"{done.returncode}\n{done.stdout}{done.stderr}"


def cache_key(compiler: list[str]) -> str:
    """The compiled library's name: a hash of the source, the compiler command and its version string,
    the flags and the CPU."""
    parts = (SOURCE, *compiler, compiler_version(tuple(compiler)), *FLAGS, _cpu_signature())
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()[:16]


def _compile(compiler: list[str], target: Path) -> None:
    """Compile SOURCE into ``target`` atomically (concurrent processes may compile the same file)."""
    with tempfile.TemporaryDirectory(dir=target.parent) as tmp:
        source = Path(tmp) / "kernels.c"
        source.write_text(SOURCE)
        built = Path(tmp) / target.name
        for flags in (FLAGS, tuple(f for f in FLAGS if f != "-march=native")):
            done = subprocess.run([*compiler, *flags, str(source), "-o", str(built)], capture_output=True,
                                  text=True, timeout=120)
            if done.returncode == 0:
                os.chmod(built, 0o700)
                os.replace(built, target)
                return
        raise OSError(f"{shlex.join(compiler)} failed: {done.stderr.strip()[-500:]}")


def _declare(lib: ctypes.CDLL) -> ctypes.CDLL:
    p, i = ctypes.c_void_p, ctypes.c_int64
    signatures = {"sparse_rows": ([p, i, i, p, p, p, i], i),
                  "sparse_rows_times_matrix": ([p, p, p, i, p, i, p, i, p], None),
                  "sparse_rows_transposed_times": ([p, p, p, i, p, i, p], None),
                  "rows_times_matrix": ([p, i, i, p, i, p, i, p, i], i),
                  "transposed_times": ([p, i, i, p, i, p], i)}
    signatures.update({f"lif_forward_{reset}": ([p, i, i, i, p, p, p, p, p, p, p, p, i], i)
                       for reset in lif_c.EXPRESSIONS})
    signatures.update({f"lif_backward_step_{reset}": ([i, i] + [p] * 12 + [i] + [p] * 4, None)
                       for reset in lif_c.EXPRESSIONS})
    for ctype in DTYPES.values():
        for name, (argtypes, restype) in signatures.items():
            kernel = getattr(lib, f"{name}_{ctype}")
            kernel.argtypes, kernel.restype = argtypes, restype
    return lib


@functools.lru_cache(maxsize=None)
def kernels() -> Optional[ctypes.CDLL]:
    """The compiled kernels, compiled at first use; None (after one warning) when that is not possible,
    or when ``LIFSTAB_NATIVE=0``."""
    if os.environ.get("LIFSTAB_NATIVE", "1") == "0":
        return None
    try:
        compiler = compiler_command()
        target = private_cache_dir() / f"lifstab_kernels_{cache_key(compiler)}.so"
        if not target.exists():
            _compile(compiler, target)
        _refuse_untrusted(target, "file")
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


#: Linux madvise advice asking for transparent huge pages (2 MiB) for a range
MADV_HUGEPAGE = 14
HUGE_PAGE = 1 << 21


@functools.lru_cache(maxsize=None)
def _madvise():
    """libc's madvise where the system has it (Linux), else None."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        madvise = ctypes.CDLL(None).madvise
    except (OSError, AttributeError):
        return None
    madvise.argtypes, madvise.restype = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int], ctypes.c_int
    return madvise


def empty(shape: tuple[int, ...], dtype: torch.dtype) -> torch.Tensor:
    """``torch.empty`` (CPU) for the large buffers the fast path fills once: on Linux the
    buffer's whole 2 MiB pages are advised to be transparent huge pages before they are first written, so
    that the first writes take one page fault per 2 MiB instead of one per 4 KiB (measured: a fresh 16 MB
    buffer filled in 8 ms instead of 12). Only advice: where huge pages are off, nothing changes."""
    out = torch.empty(shape, dtype=dtype)
    madvise = _madvise()
    if madvise is not None and out.nbytes >= 2 * HUGE_PAGE:
        start = -(-out.data_ptr() // HUGE_PAGE) * HUGE_PAGE
        stop = (out.data_ptr() + out.nbytes) // HUGE_PAGE * HUGE_PAGE
        madvise(start, stop - start, MADV_HUGEPAGE)
    return out


def empty_like(tensor: torch.Tensor) -> torch.Tensor:
    """``empty`` of ``tensor``'s shape and dtype on CPU; ``torch.empty_like`` elsewhere."""
    if tensor.device.type != "cpu":
        return torch.empty_like(tensor, memory_format=torch.contiguous_format)
    return empty(tuple(tensor.shape), tensor.dtype)


#: the worker threads of the row blocks: (number of workers, pool), replaced when the number changes
_POOL: list = []
_POOL_LOCK = threading.Lock()


def _pool(workers: int) -> ThreadPoolExecutor:
    """The pool of ``workers`` threads (the caller holds ``_POOL_LOCK``); the pool it replaces is shut
    down (its submitted calls still finish)."""
    if not _POOL or _POOL[0][0] != workers:
        if _POOL:
            _POOL.pop()[1].shutdown(wait=False)
        _POOL.append((workers, ThreadPoolExecutor(max_workers=workers, thread_name_prefix="lifstab-native")))
    return _POOL[0][1]


def _forget_pool() -> None:
    """In a forked child (e.g. a DataLoader worker) none of the parent's threads exist, and the lock may
    have been held by one of them: start afresh."""
    global _POOL_LOCK
    _POOL.clear()
    _POOL_LOCK = threading.Lock()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget_pool)


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
    with _POOL_LOCK:
        futures = [_pool(len(calls)).submit(call) for call in calls]
    return [future.result() for future in futures]


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
    lib = kernels()
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


def lif_forward(reset: str, currents: torch.Tensor, w_rec: Optional[torch.Tensor], decay: torch.Tensor,
                threshold: torch.Tensor, v0: torch.Tensor, z0: torch.Tensor, voltages: torch.Tensor,
                spikes: torch.Tensor, totals: Optional[torch.Tensor], max_density: float) -> int:
    """The fused forward loop (``FORWARD_TEMPLATE``) over ``currents`` (T, B, n), writing ``voltages``,
    ``spikes`` and ``totals`` (all contiguous (T, B, n); ``totals`` may be None); ``decay`` and
    ``threshold`` are (n,), ``v0`` and ``z0`` (B, n). Stops before a step whose previous spikes are denser
    than ``max_density``; returns the number of steps done."""
    check.choice("reset", reset, tuple(lif_c.EXPRESSIONS))
    steps, batch, n = check.tensor("currents", currents, (None, None, None)).shape
    dtype, sequence, state = currents.dtype, (steps, batch, n), (batch, n)
    tensors = [currents] + [check.tensor(name, value, shape, dtype, contiguous=False).contiguous()
                            for name, value, shape in (("decay", decay, (n,)), ("threshold", threshold, (n,)),
                                                       ("v0", v0, state), ("z0", z0, state))]
    w_ptr = check.optional_tensor("w_rec", w_rec, (n, n), dtype, contiguous=False)
    w_ptr = None if w_ptr is None else w_ptr.contiguous()
    for name, value in (("voltages", voltages), ("spikes", spikes)):
        check.tensor(name, value, sequence, dtype)
    check.optional_tensor("totals", totals, sequence, dtype)
    max_density = check.fraction("max_density", max_density)
    if currents.numel() == 0:  # nothing to compute (and C's malloc(0) may return NULL)
        return steps
    kernel = _kernel(f"lif_forward_{reset}", currents.dtype)
    done = _check(kernel(tensors[0].data_ptr(), steps, batch, n, None if w_ptr is None else w_ptr.data_ptr(),
                         *(t.data_ptr() for t in tensors[1:]), voltages.data_ptr(), spikes.data_ptr(),
                         None if totals is None else totals.data_ptr(), int(max_density * batch * n)))
    return done


def backward_step(reset: str, voltages: torch.Tensor, spikes: torch.Tensor, totals: Optional[torch.Tensor],
                  v0: torch.Tensor, z0: torch.Tensor, decay: torch.Tensor, threshold: torch.Tensor,
                  detach_reset: bool, grad_decay: Optional[torch.Tensor], grad_threshold: Optional[torch.Tensor]):
    """The elementwise part of one backward step (``BACKWARD_TEMPLATE``) with the sequence's tensors bound
    once: a function ``(t, grad_z, sg, grad_voltage, grad_v_next, grad_v, grad_current)`` of (B, n)
    contiguous tensors (``grad_z``, ``grad_voltage`` and ``grad_v_next`` may be None: zero). ``voltages``,
    ``spikes`` and ``totals`` (None: no partial reads the current) are contiguous (T, B, n); ``v0`` and
    ``z0`` (B, n); ``decay`` and ``threshold`` (n,); the decay's and threshold's gradients, (n,), are
    summed into when not None."""
    check.choice("reset", reset, tuple(lif_c.EXPRESSIONS))
    steps, batch, n = check.tensor("voltages", voltages, (None, None, None)).shape
    dtype, state = voltages.dtype, (batch, n)
    check.tensor("spikes", spikes, (steps, batch, n), dtype)
    check.optional_tensor("totals", totals, (steps, batch, n), dtype)
    v0, z0, decay, threshold = (check.tensor(name, value, shape, dtype, contiguous=False).contiguous()
                                for name, value, shape in (("v0", v0, state), ("z0", z0, state),
                                                           ("decay", decay, (n,)), ("threshold", threshold, (n,))))
    check.optional_tensor("grad_decay", grad_decay, (n,), dtype)
    check.optional_tensor("grad_threshold", grad_threshold, (n,), dtype)
    zeros = torch.zeros(batch, n, dtype=voltages.dtype)
    kept = (voltages, spikes, totals, v0, z0, decay, threshold, zeros, grad_decay, grad_threshold)
    sums = [None if tensor is None else tensor.data_ptr() for tensor in (grad_decay, grad_threshold)]
    kernel = _kernel(f"lif_backward_step_{reset}", voltages.dtype)

    # pointers by arithmetic: slicing tensors per step costs more than the step's own work
    stride = batch * n * voltages.element_size()
    zero = zeros.data_ptr()
    v_at, z_at = voltages.data_ptr(), spikes.data_ptr()
    i_at = None if totals is None else totals.data_ptr()
    fixed = (decay.data_ptr(), threshold.data_ptr(), int(detach_reset))

    def step(t: int, grad_z, sg, grad_voltage, grad_v_next, grad_v, grad_current, _keep=kept) -> None:
        check.step_index("t", t, steps)
        for name, value in (("grad_z", grad_z), ("grad_voltage", grad_voltage), ("grad_v_next", grad_v_next)):
            check.optional_tensor(name, value, state, dtype)
        for name, value in (("sg", sg), ("grad_v", grad_v), ("grad_current", grad_current)):
            check.tensor(name, value, state, dtype)
        kernel(batch, n, zero if grad_z is None else grad_z.data_ptr(), sg.data_ptr(),
               zero if grad_voltage is None else grad_voltage.data_ptr(),
               zero if grad_v_next is None else grad_v_next.data_ptr(),
               v_at + (t - 1) * stride if t else v0.data_ptr(), z_at + (t - 1) * stride if t else z0.data_ptr(),
               zero if i_at is None else i_at + t * stride, v_at + t * stride, z_at + t * stride,
               zero if i_at is None or t + 1 >= steps else i_at + (t + 1) * stride, *fixed,
               grad_v.data_ptr(), grad_current.data_ptr(), *sums)

    return step


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
