"""benchmarks/lif_speed.py runs end to end at a tiny size: every lifstab implementation is timed, every
peer is either timed or reported as skipped, and the memory probe of a fresh process returns a size."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parent.parent / "benchmarks" / "lif_speed.py"
TINY = ["--batch", "2", "--n-in", "5", "--n-rec", "4", "--steps", "6", "--threads", "1"]


@pytest.mark.skipif(not SCRIPT.exists(), reason="benchmarks/ is not part of an installed package")
def test_benchmark_runs_and_reports_every_implementation(tmp_path):
    out = tmp_path / "speed.json"
    # a module that fails to import stands for a peer that is not installed
    (tmp_path / "spikingjelly.py").write_text("raise ImportError('hidden by the test')\n")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(tmp_path), os.environ.get("PYTHONPATH", "")])}
    done = subprocess.run([sys.executable, str(SCRIPT), *TINY, "--repeats", "2", "--no-memory", "--json", str(out)],
                          capture_output=True, text=True, timeout=300, env=env)
    assert done.returncode == 0, done.stderr
    result = json.loads(out.read_text())
    timed = {(r["layer"], r["implementation"]) for r in result["results"]}
    for layer in ("recurrent", "feed-forward"):
        assert {(layer, "lifstab fast"), (layer, "lifstab reference")} <= timed
    expected_peers = {"recurrent snntorch RLeaky", "feed-forward spikingjelly LIFNode", "feed-forward snntorch Leaky"}
    assert {f"{layer} {name}" for layer, name in timed} | set(result["skipped"]) >= expected_peers
    for row in result["results"]:
        assert len(row["times_s"]) == 2 and all(t > 0 for t in row["times_s"])
        assert 0 < row["sparse_floor_s"] <= row["floor_s"]
    assert "feed-forward spikingjelly LIFNode" in result["skipped"]
    assert "SKIPPED feed-forward spikingjelly LIFNode: spikingjelly is not installed" in done.stdout
    assert "x floor" in done.stdout and "x sparse" in done.stdout


@pytest.mark.skipif(not SCRIPT.exists(), reason="benchmarks/ is not part of an installed package")
def test_memory_probe_of_a_fresh_process():
    """The peak must at least hold the returned spikes and the voltages kept for the backward pass."""
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
    except OSError:
        pytest.skip("this system cannot reset the peak resident size (/proc/self/clear_refs)")
    steps, batch, n_rec = 100, 32, 256
    size = ["--batch", str(batch), "--n-in", "20", "--n-rec", str(n_rec), "--steps", str(steps), "--threads", "1"]
    done = subprocess.run([sys.executable, str(SCRIPT), *size, "--memory-child", "recurrent", "lifstab fast"],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    peak = json.loads(done.stdout.strip().splitlines()[-1])["peak_bytes"]
    assert peak >= 2 * steps * batch * n_rec * 4
