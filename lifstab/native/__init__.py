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

*Modules*: :mod:`.source` (the C source, from the ``.c`` and ``.h`` files of this package),
:mod:`.build` (compiling, the cache, ``kernels()``), :mod:`.threads` (row blocks on worker threads),
:mod:`.buffers` (large buffers), :mod:`.products` (the sparse products) and :mod:`.lif` (the LIF loops).
"""

from __future__ import annotations

from .source import (BACKWARD_TEMPLATE, DTYPES, FORWARD_TEMPLATE, HEADER, PARTIAL_ARGUMENTS, SOURCE, TEMPLATE,
                     _backward_source, _forward_source)
from .build import (FLAGS, _compile, _cpu_signature, _declare, _refuse_untrusted, available, cache_dir, cache_key,
                    compiler_command, compiler_version, kernels, private_cache_dir)
from .threads import PARALLEL_MIN_ENTRIES, _pool, _row_blocks, _run_blocks
from .buffers import HUGE_PAGE, MADV_HUGEPAGE, empty, empty_like
from .products import (SparseRows, _check, _check_sparse_rows, _kernel, _sparse_block, _sum, sparse_rows,
                       sparse_rows_times_matrix, sparse_rows_transposed_times, step_product, transposed_times)
from .lif import backward_step, lif_forward
