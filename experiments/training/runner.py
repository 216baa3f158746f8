"""Run a grid of :class:`RunConfig` locally in parallel processes or on a cluster through submitit.

Each finished run appends one CSV row to the results file itself, under an exclusive file lock, in
a single write: an interrupted grid loses nothing already finished, and a rerun skips every
``run_id`` already in the file. A failed run writes no row (a rerun retries it).
"""

from __future__ import annotations

import csv
import fcntl
import io
import json
import math
import os
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from multiprocessing import get_context
from pathlib import Path
from typing import Mapping, Sequence

from .configs import LATER_FIELDS, RunConfig
from .training import METRICS

BACKENDS = ("local", "submitit")
COLUMNS = ["run_id", *RunConfig.field_names(), *METRICS]


@dataclass(frozen=True)
class GridReport:
    total: int
    skipped: int
    finished: int
    failed: tuple[tuple[str, str], ...]  # (run_id, error)


def _cell(value) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return json.dumps(value) if isinstance(value, (list, tuple, dict)) else str(value)


def _file_columns(f, columns: Sequence[str], rows: Sequence[dict], later: Mapping[str, object]) -> list[str]:
    """The header already in ``f``: rows keep to it. A field added later (``later``: field -> default)
    that the file lacks is left out when every row holds its default; any other value it would lose is an
    error."""
    f.seek(0)
    header = next(csv.reader([f.readline()]), [])
    f.seek(0, os.SEEK_END)
    lost = [k for k in columns if k not in header
            and any(row.get(k) != later.get(k, object()) for row in rows)]
    if lost:
        raise ValueError(f"{f.name}: its header lacks {lost}; write these runs to a new results file")
    return header


def append_row(path: Path, row: dict, columns: Sequence[str] = COLUMNS,
               later: Mapping[str, object] = LATER_FIELDS) -> None:
    """Append one row atomically: exclusive lock, header if the file is empty, one write, fsync. A file
    written before the fields in ``later`` were added keeps its header (:func:`_file_columns`)."""
    append_rows(path, [row], columns, later)


def append_rows(path: Path, rows: Sequence[dict], columns: Sequence[str] = COLUMNS,
                later: Mapping[str, object] = LATER_FIELDS) -> None:
    """:func:`append_row` for several rows at once: one lock, one write, one fsync."""
    buffer = io.StringIO()
    with open(path, "a+", newline="") as f:
        fcntl.flock(f, fcntl.LOCK_EX)
        try:
            f.seek(0, os.SEEK_END)
            fields = list(columns) if f.tell() == 0 else _file_columns(f, columns, rows, later)
            writer = csv.DictWriter(buffer, fieldnames=fields, extrasaction="ignore", lineterminator="\n")
            if f.tell() == 0:
                writer.writeheader()
            elif _last_byte(f) != "\n":
                buffer.write("\n")  # end a line torn by a crash so this row starts clean
            writer.writerows({k: _cell(row.get(k)) for k in columns} for row in rows)
            f.write(buffer.getvalue())
            f.flush()
            os.fsync(f.fileno())
        finally:
            fcntl.flock(f, fcntl.LOCK_UN)


def _last_byte(f) -> str:
    f.seek(f.tell() - 1)
    last = f.read(1)
    f.seek(0, os.SEEK_END)
    return last


def finished_ids(path: Path) -> set[str]:
    """run_ids with a complete row in ``path`` (a torn last line, if any, does not count)."""
    if not path.exists():
        return set()
    with open(path, newline="") as f:
        return {r["run_id"] for r in csv.DictReader(f) if r.get("run_id") and r.get(COLUMNS[-1]) is not None}


def execute(config: RunConfig, out_csv: str, threads: int | None = 1) -> str:
    """Train one config and append its row; the unit of work of every backend. Returns the run_id."""
    import torch

    from .training import train

    if threads:
        torch.set_num_threads(threads)  # one thread per process: the grid is parallel across runs
    append_row(Path(out_csv), train(config))
    return config.run_id


def _check_grid(configs: Sequence[RunConfig]) -> list[RunConfig]:
    unique = {c.run_id: c for c in configs}
    return list(unique.values())


def run_grid(configs: Sequence[RunConfig], out_csv: str | Path, backend: str = "local", workers: int | None = None,
             executor=None, progress: bool = True) -> GridReport:
    """Run every config not yet in ``out_csv``.

    ``backend="local"``: a process pool of ``workers`` (default: CPU count), one torch thread each.
    ``backend="submitit"``: one job per run through ``executor`` (a submitit executor; by default an
    ``AutoExecutor`` in ``<out dir>/submitit``, i.e. SLURM when present).
    """
    return run_grids({Path(out_csv): configs}, backend, workers, executor, progress)[Path(out_csv)]


def run_grids(grids: Mapping[Path, Sequence[RunConfig]], backend: str = "local", workers: int | None = None,
              executor=None, progress: bool = True) -> dict[Path, GridReport]:
    """:func:`run_grid` for several result files at once, sharing one pool (worker start-up, with
    torch's import, costs seconds per process)."""
    if backend not in BACKENDS:
        raise ValueError(f"backend={backend!r} is unknown; choose one of {list(BACKENDS)}")
    if workers is not None and workers < 1:
        raise ValueError(f"workers must be >= 1, got {workers}")
    grids = {Path(out): _check_grid(configs) for out, configs in grids.items()}
    todo: list[tuple[RunConfig, Path]] = []
    for out, configs in grids.items():
        out.parent.mkdir(parents=True, exist_ok=True)
        done = finished_ids(out)
        todo += [(c, out) for c in configs if c.run_id not in done]
    from tqdm.auto import tqdm

    names = ", ".join(out.stem for out in grids)
    bar = tqdm(total=len(todo), desc=names, unit="run", disable=not progress)
    failed: dict[Path, list[tuple[str, str]]] = {out: [] for out in grids}
    if backend == "local":
        workers = workers or os.cpu_count() or 1
        if workers == 1:
            for c, out in todo:
                _collect(lambda: execute(c, str(out)), c, failed[out])
                bar.update()
        else:
            # spawn: safe with CUDA and with threads torch may have started in the parent
            with ProcessPoolExecutor(workers, mp_context=get_context("spawn")) as pool:
                futures = {pool.submit(execute, c, str(out)): (c, out) for c, out in todo}
                for future in as_completed(futures):
                    c, out = futures[future]
                    _collect(future.result, c, failed[out])
                    bar.update()
    else:
        executor = executor or submitit_executor(next(iter(grids)).parent / "submitit")
        jobs = [(executor.submit(execute, c, str(out), None), c, out) for c, out in todo]
        for job, c, out in jobs:
            _collect(job.result, c, failed[out])
            bar.update()
    bar.close()
    reports = {}
    for out, configs in grids.items():
        n_todo = sum(1 for _, o in todo if o == out)
        reports[out] = GridReport(len(configs), len(configs) - n_todo, n_todo - len(failed[out]), tuple(failed[out]))
    return reports


def _collect(result, config: RunConfig, failed: list) -> None:
    try:
        result()
    except Exception as exc:  # a failed run must not stop the others; it is reported and retried next time
        failed.append((config.run_id, f"{type(exc).__name__}: {exc}"))


def submitit_executor(folder: str | Path, timeout_min: int = 60, gpus_per_node: int = 0,
                      partition: str | None = None):
    """A submitit ``AutoExecutor``: SLURM jobs where SLURM exists, local processes otherwise."""
    try:
        import submitit
    except ImportError as exc:
        raise ValueError("backend='submitit' needs submitit: pip install 'lifstab[experiments]'") from exc
    executor = submitit.AutoExecutor(folder=str(folder))
    executor.update_parameters(timeout_min=timeout_min, slurm_gpus_per_node=gpus_per_node,
                               **({"slurm_partition": partition} if partition else {}))
    return executor


def read_rows(path: Path) -> list[dict]:
    with open(path, newline="") as f:
        return list(csv.DictReader(f))
