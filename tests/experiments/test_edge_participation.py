"""experiments/verification/edge_participation.py: participation of the surrogate derivatives, forward only."""

import math

import pytest
import torch

import lifstab
from lifstab import measure
from lifstab_experiments.verification import edge_census as E
from lifstab_experiments.verification import edge_participation as P
from lifstab_experiments.verification import edge_replicate as R
from lifstab_experiments.verification.edge_study import load_rows

GRID = ["--T", "40", "--batch", "2", "--n-rec", "32"]


def test_a_wide_surrogate_involves_every_neuron_and_a_narrow_one_few():
    torch.manual_seed(0)
    layer = lifstab.RecurrentLIF(20, 50, tau=10.0, threshold=0.5, surrogate="gaussian").double()
    x = (torch.rand(60, 4, 20) < 0.2).double()
    trajectory = measure.record(layer, x)
    wide, narrow = (P.participation(layer, x, trajectory, k) for k in (1e-3, 50.0))
    assert wide[0] == pytest.approx(50, rel=1e-3) and wide[1] == pytest.approx(50, rel=1e-3)
    assert 1 <= narrow[1] < narrow[0] < wide[0]


def test_every_census_row_gets_a_participation_and_its_errors(tmp_path):
    assert E.main(["--out", str(tmp_path / "a"), "--configs", "4", "--seeds", "0", *GRID]) == 0
    census = tmp_path / "a" / "census.csv"
    assert R.main(["--census", str(census), str(census), "--out", str(tmp_path / "rep")]) == 0
    assert P.main(["--census", str(census), "--replicate", str(tmp_path / "rep" / "rows.csv"), "--seeds", "0",
                   "--scan", str(tmp_path / "none.csv"), "--out", str(tmp_path / "part"), *GRID]) == 0
    rows = load_rows(tmp_path / "part" / "rows.csv")
    assert [r["index"] for r in rows] == ["0", "1", "2", "3"]
    for row in rows:
        if row["predicted_beta_c"] and float(row["predicted_beta_c"]) > 0:
            assert 1 <= float(row["pr_step"]) <= float(row["pr_neurons"]) * (1 + 1e-9) <= 32 * (1 + 1e-9)
            assert float(row["pr_neurons_fraction"]) == pytest.approx(float(row["pr_neurons"]) / 32)
        assert row["verdict"] in R.VERDICTS
        if row["verdict"] != "no root":  # a census against itself: the combined ratio is the census's
            assert float(row["combined_ln_ratio"]) == pytest.approx(float(load_rows(census)[int(row["index"])]["ln_ratio"]))
    assert "Spearman" in (tmp_path / "part" / "summary.md").read_text()
    assert not math.isnan(float(rows[0]["firing_rate"]))
