"""Row blocks of a product and the worker threads that run them (``ctypes`` releases the GIL)."""

from __future__ import annotations

import os
import threading
from concurrent.futures import ThreadPoolExecutor

import torch

#: below this many entries of x a product runs on one thread (a thread hand-off costs tens of microseconds)
PARALLEL_MIN_ENTRIES = 1 << 18


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
