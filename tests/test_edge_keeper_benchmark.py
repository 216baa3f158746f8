"""benchmarks/edge_keeper.py runs end to end at a tiny size and prints every timing against the step."""

import subprocess
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parent.parent / "benchmarks" / "edge_keeper.py"


@pytest.mark.skipif(not SCRIPT.exists(), reason="benchmarks/ is not part of an installed package")
def test_edge_keeper_benchmark_runs_and_reports_ratios():
    done = subprocess.run([sys.executable, str(SCRIPT), "--repeats", "1", "--n-rec", "16", "--steps", "20",
                           "--batch", "4", "--probe", "4"], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    for name in ("re-set, whole range", "re-set, warm start", "replay, readouts batched",
                 "replay, one pass per readout", "keeper overhead every 5 steps"):
        assert name in done.stdout
    bad = subprocess.run([sys.executable, str(SCRIPT), "--steps", "8"], capture_output=True, text=True, timeout=120)
    assert bad.returncode != 0 and "--steps must be >= 16" in bad.stderr
