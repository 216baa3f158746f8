"""Sensitivity score and the report (tables and plots from result CSVs)."""

import itertools

import pandas as pd
import pytest

from lifstab_experiments.report import analysis
from lifstab_experiments.training.configs import RunConfig
from lifstab_experiments.training.runner import append_row


def _sg_lr_frame(accuracy):
    rows = [{"task": "digits", "model": "lif", "sg": sg, "lr": lr, "seed": 0, "test_accuracy": accuracy(sg, lr)}
            for sg, lr in itertools.product(("a", "b", "c"), (1e-4, 1e-3, 1e-2))]
    return pd.DataFrame(rows)


def test_sensitivity_is_zero_when_the_sg_does_not_matter():
    s = analysis.sensitivity(_sg_lr_frame(lambda sg, lr: {1e-4: 0.2, 1e-3: 0.9, 1e-2: 0.5}[lr]))
    assert s["sensitivity"].iloc[0] == pytest.approx(0.0)


def test_sensitivity_is_one_when_the_sg_decides_everything():
    s = analysis.sensitivity(_sg_lr_frame(lambda sg, lr: 0.9 if sg == "b" else 0.1))
    assert s["sensitivity"].iloc[0] == pytest.approx(1.0)
    assert s["most_robust_sg"].iloc[0] == "b"


def test_report_writes_tables_and_plots(tmp_path):
    base = RunConfig(epochs=1)
    metrics = dict(val_accuracy=0.5, firing_rate=0.1, initial_firing_rate=0.2, seconds=1.0, device="cpu")
    for i, (sg, lr) in enumerate(itertools.product(("exponential", "fast_sigmoid"), (1e-3, 1e-2))):
        append_row(tmp_path / "sg_lr.csv", {**base.replace(sg=sg, lr=lr).__dict__, "run_id": f"s{i}",
                                            "test_accuracy": 0.1 * i, **metrics})
    for i, (rate, loss) in enumerate(itertools.product((0.1, 0.9), (False, True))):
        append_row(tmp_path / "firing_rate.csv", {**base.replace(target_rate=rate, sparsity_loss=loss).__dict__,
                                                  "run_id": f"f{i}", "test_accuracy": 0.5, **metrics})
    for i, d in enumerate((0.5, 1.0)):
        append_row(tmp_path / "sweeps.csv", {**base.replace(sg="exponential", dampening=d).__dict__,
                                             "run_id": f"w{i}", "test_accuracy": 0.4, **metrics})
    for i, model in enumerate(("lif", "gru")):
        append_row(tmp_path / "baseline.csv", {**base.replace(model=model).__dict__, "run_id": f"b{i}",
                                               "test_accuracy": 0.7, **metrics})
    text = analysis.report(tmp_path).read_text()
    for heading in ("## SG x learning rate", "## Initial firing rate", "## Sweeps", "## LIF against the GRU"):
        assert heading in text
    for png in ("sg_lr.png", "firing_rate.png", "sweeps.png"):
        assert (tmp_path / png).stat().st_size > 1000
    with pytest.raises(FileNotFoundError, match="missing"):
        analysis.report(tmp_path / "missing")
