"""The CI entry point (.ci/run) passes pytest's verdict through, and fails when pytest collected nothing
(exit 5): a suite that ran no test checked nothing. pip and python are replaced by stubs on the PATH."""

import shutil
import subprocess
from pathlib import Path

import pytest

RUN = Path(__file__).resolve().parents[1] / ".ci" / "run"


@pytest.mark.parametrize("pytest_exit, expected", [(0, 0), (1, 1), (5, 1)])
def test_ci_fails_unless_pytest_ran_and_passed(tmp_path, pytest_exit, expected):
    (tmp_path / ".ci").mkdir()
    shutil.copy(RUN, tmp_path / ".ci" / "run")
    stubs = tmp_path / "bin"
    stubs.mkdir()
    for name, code in (("pip", 0), ("python", pytest_exit)):
        (stubs / name).write_text(f"#!/bin/sh\nexit {code}\n")
        (stubs / name).chmod(0o755)
    done = subprocess.run(["bash", str(tmp_path / ".ci" / "run")], capture_output=True, text=True, timeout=60,
                          env={"PATH": f"{stubs}:/usr/bin:/bin"})
    assert done.returncode == expected, done.stderr
