"""The grid runner: one atomic row per run, rerun skips finished runs, resume after a kill, submitit."""

import os
import signal
import subprocess
import sys
import textwrap
import time

import pytest

from lifstab_experiments.training.configs import RunConfig
from lifstab_experiments.training.runner import COLUMNS, append_row, finished_ids, read_rows, run_grid

TINY = RunConfig(experiment="test", epochs=1, hidden=8, max_samples=32, batch_size=32, time_steps=8)


def _grid(n):
    return [TINY.replace(seed=s) for s in range(n)]


def test_rows_once_and_rerun_skips(tmp_path):
    out = tmp_path / "grid.csv"
    first = run_grid(_grid(3), out, workers=1, progress=False)
    assert (first.finished, first.skipped, first.failed) == (3, 0, ())
    rows = read_rows(out)
    assert sorted(r["run_id"] for r in rows) == sorted(c.run_id for c in _grid(3))
    assert list(rows[0]) == COLUMNS
    again = run_grid(_grid(4), out, workers=1, progress=False)
    assert (again.finished, again.skipped) == (1, 3)
    assert len(read_rows(out)) == 4
    assert read_rows(out)[:3] == rows  # finished rows are never rewritten


def test_failed_run_writes_no_row_and_is_reported(tmp_path):
    out = tmp_path / "grid.csv"
    bad = TINY.replace(task="shd", data_path=str(tmp_path / "no_such_folder"))
    report = run_grid([TINY, bad], out, workers=1, progress=False)
    assert report.finished == 1 and len(report.failed) == 1
    assert report.failed[0][0] == bad.run_id and "no_such_folder" in report.failed[0][1]
    assert finished_ids(out) == {TINY.run_id}


def test_append_row_repairs_a_torn_last_line(tmp_path):
    out = tmp_path / "grid.csv"
    append_row(out, {"run_id": "a", "seed": 0, "device": "cpu"})
    with open(out, "a") as f:
        f.write("b,test,dig")  # a crash mid-write
    append_row(out, {"run_id": "c", "seed": 1, "device": "cpu"})
    assert finished_ids(out) == {"a", "c"}


SCRIPT = textwrap.dedent("""
    import sys, time
    from lifstab_experiments.training import runner, training
    from lifstab_experiments.training.configs import RunConfig
    TINY = RunConfig(experiment="test", epochs=1, hidden=8, max_samples=32, batch_size=32, time_steps=8)
    real = training.train
    def slow_after_first(config, device=None, progress=False):
        if config.seed > 0:
            time.sleep(60)  # the kill lands here, while the second run is in progress
        return real(config, device)
    training.train = slow_after_first
    runner.run_grid([TINY.replace(seed=s) for s in range(3)], sys.argv[1], workers=1, progress=False)
""")


def test_resume_after_interrupt_keeps_finished_rows(tmp_path):
    out = tmp_path / "grid.csv"
    proc = subprocess.Popen([sys.executable, "-c", SCRIPT, str(out)], start_new_session=True)
    try:
        deadline = time.time() + 120
        while not finished_ids(out) and time.time() < deadline:
            time.sleep(0.2)
        assert finished_ids(out) == {TINY.run_id}
    finally:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
    first_row = read_rows(out)
    report = run_grid(_grid(3), out, workers=1, progress=False)
    assert (report.skipped, report.finished) == (1, 2)
    rows = read_rows(out)
    assert rows[:1] == first_row and len(rows) == 3
    assert sorted(r["run_id"] for r in rows) == sorted(c.run_id for c in _grid(3))


def test_submitit_local_executor(tmp_path):
    submitit = pytest.importorskip("submitit")
    executor = submitit.LocalExecutor(folder=str(tmp_path / "jobs"))
    executor.update_parameters(timeout_min=5)
    out = tmp_path / "grid.csv"
    report = run_grid(_grid(1), out, backend="submitit", executor=executor, progress=False)
    assert (report.finished, report.failed) == (1, ())
    assert finished_ids(out) == {TINY.run_id}
    assert list((tmp_path / "jobs").iterdir()), "the run went through submitit's job folder"
    assert run_grid(_grid(1), out, backend="submitit", executor=executor, progress=False).skipped == 1


def test_bad_backend_and_workers():
    with pytest.raises(ValueError, match="backend"):
        run_grid([TINY], "x.csv", backend="mpi")
    with pytest.raises(ValueError, match="workers"):
        run_grid([TINY], "x.csv", workers=0)
