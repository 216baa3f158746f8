"""experiments/verification/edge_localisation.py: participation of the backward signal on census rows."""

import pytest
import torch

import lifstab
from lifstab import measure
from lifstab_experiments.verification import edge_census as E
from lifstab_experiments.verification import edge_localisation as L
from lifstab_experiments.verification.edge_study import load_rows

GRID = ["--T", "40", "--batch", "2", "--n-rec", "32"]


def test_replayed_is_the_census_recursion_and_without_w_only_the_diagonal():
    torch.manual_seed(0)
    layer = lifstab.RecurrentLIF(10, 24, tau=10.0, threshold=0.3, surrogate="sigmoid", detach_reset=False).double()
    x = (torch.rand(60, 3, 10) < 0.2).double()
    trajectory, r = measure.record(layer, x), measure.readout((3, 24), seed=1)
    ln_rho, pr = L.replayed(layer, trajectory, r, 2.0)
    norms = measure.gradient_norms_over_sharpness(layer, trajectory, [2.0], r)
    assert ln_rho == pytest.approx(float(measure.log_growth_factor(norms)[0]), rel=1e-12)
    assert 1 <= pr <= 3 * 24
    diagonal, _ = L.replayed(layer, trajectory, r, 2.0, recurrent=False)
    assert float(layer.w_rec.detach().abs().sum()) > 0, "the layer's own weights are untouched"
    layer_without = lifstab.RecurrentLIF(10, 24, tau=10.0, threshold=0.3, surrogate="sigmoid", detach_reset=False).double()
    layer_without.load_state_dict(layer.state_dict())
    with torch.no_grad():
        layer_without.w_rec.zero_()
    expected = measure.log_growth_factor(measure.gradient_norms_over_sharpness(layer_without, trajectory, [2.0], r))
    assert diagonal == pytest.approx(float(expected[0]), rel=1e-12)


def test_census_rows_at_both_edges(tmp_path):
    assert E.main(["--out", str(tmp_path / "c"), "--configs", "4", "--seeds", "0", *GRID]) == 0
    census = load_rows(tmp_path / "c" / "census.csv")
    rooted = [int(r["index"]) for r in census if r["measured_beta_c"] and r["predicted_beta_c"]]
    assert L.main(["--census", str(tmp_path / "c" / "census.csv"), "--indices", *map(str, rooted), "--seeds", "0",
                   "--out", str(tmp_path / "loc"), *GRID]) == 0
    rows = load_rows(tmp_path / "loc" / "rows.csv")
    assert len(rows) == 2 * len(rooted) and {r["at"] for r in rows} == {"measured", "predicted"}
    for row in rows:
        beta = float(census[int(row["index"])][f"{row['at']}_beta_c"])
        assert float(row["sharpness"]) == beta and 1 <= float(row["pr_backward"]) <= int(row["trajectories"])
        if row["at"] == "measured" and row["kind"] != "stack":  # one seed: the census's edge is where ln rho = 0
            assert abs(float(row["measured"])) < 0.02
    with pytest.raises(SystemExit, match="--indices"):
        L.main(["--census", str(tmp_path / "c" / "census.csv"), "--indices", "99", "--out", str(tmp_path)])


def test_variants_rebuild_a_row_as_lif_and_detached(tmp_path):
    assert E.main(["--out", str(tmp_path / "c"), "--configs", "3", "--seeds", "0", *GRID]) == 0
    census = load_rows(tmp_path / "c" / "census.csv")
    assert L.main(["--census", str(tmp_path / "c" / "census.csv"), "--indices", "1", "2", "--seeds", "0",
                   "--variants", *L.VARIANTS, "--out", str(tmp_path / "v"), *GRID]) == 0
    rows = {(r["index"], r["variant"]): r for r in load_rows(tmp_path / "v" / "variants.csv")}
    for index in ("1", "2"):  # rows 1 (attached LIF) and 2 (ALIF): as built, the census's own edges
        for key in ("measured_beta_c", "predicted_beta_c"):
            assert (rows[index, "census"][key] or None) == (census[int(index)][key] or None) or float(
                rows[index, "census"][key]) == pytest.approx(float(census[int(index)][key]), rel=1e-9)
    assert rows["1", "lif"]["measured_beta_c"] == rows["1", "census"]["measured_beta_c"]  # no adaptation to remove
    entry = E.census_configs(3, T=40, batch=2, n_rec=32)[0]
    entry["kind"] = "stack"
    with pytest.raises(ValueError, match="stack"):
        L.variant_row(entry, [0], "lif")
