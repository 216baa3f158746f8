"""Every family end to end at a toy preset, through the parallel local pool (two spawned workers):
the CLI's `experiment all` and the main job's training step."""

import dataclasses
from types import SimpleNamespace

import pytest

from lifstab.cli import main
from lifstab_experiments.training import grids
from lifstab_experiments.report import suite
from lifstab_experiments.training.configs import RunConfig


@pytest.fixture
def toy_preset(monkeypatch):
    toy = dataclasses.replace(
        grids.PRESETS["quick"], base=RunConfig(epochs=1, hidden=8, max_samples=32, batch_size=32, time_steps=8),
        sg_lr_cases=(("digits", "lif"),), sgs=("exponential", "fast_sigmoid"), learning_rates=(1e-3, 1e-2),
        dampening_values=(1.0,), sharpness_values=(1.0,), tail_values=(2.0,), baseline_lrs=(1e-3,),
        firing_rates=(0.1, 0.9), baseline_seeds=(0,))
    monkeypatch.setitem(grids.PRESETS, "quick", toy)
    return toy


@pytest.mark.slow
def test_training_step_runs_every_family_and_reports(tmp_path, toy_preset):
    summary = suite.step_training(SimpleNamespace(out=tmp_path, full=False))
    assert summary["figures"] and all((tmp_path / f).exists() for f in summary["figures"])
    text = (tmp_path / "training" / "results.md").read_text()
    assert "## SG x learning rate" in text and "## LIF against the GRU" in text
    for family in ("sg_lr", "firing_rate", "sweeps", "baseline"):
        assert (tmp_path / "training" / f"{family}.csv").exists()
    # the CLI on the same folder finds every run finished
    assert main(["experiment", "all", "--out", str(tmp_path / "training"), "--workers", "1"]) == 0
