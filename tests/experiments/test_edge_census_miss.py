"""experiments/verification/edge_census_miss.py: the grid edge, the seed-by-seed curves and a tiny run."""

import csv
import json
import math

import numpy as np
import pytest

from lifstab.stability import find_log_root
from lifstab_experiments.verification import edge_census_miss as M
from lifstab_experiments.verification.edge_census import census_configs


def test_grid_edge_is_the_largest_downward_crossing_interpolated_in_log_beta():
    betas = np.geomspace(0.1, 10, 21)
    values = -0.05 * np.log(betas / 2.0)  # one crossing at beta = 2, slope -0.05
    edge, slope, crossings = M.grid_edge(betas, values)
    assert math.isclose(edge, 2.0, rel_tol=1e-9) and math.isclose(slope, -0.05, rel_tol=1e-9) and crossings == 1
    # non-monotone: down at 0.5, up at 1, down again at 4 -> the largest crossing and a count of 2
    bumpy = np.interp(np.log(betas), np.log([0.1, 0.5, 1.0, 4.0, 10.0]), [0.1, 0.0, -0.02, 0.0, -0.1])
    bumpy[np.isclose(betas, 0.5)] = 1e-3
    edge, _, crossings = M.grid_edge(betas, bumpy + 1e-4)
    assert crossings == 2 and edge > 3.0
    assert M.grid_edge(betas, np.full(21, -0.1)) == (None, None, 0)
    # the same root as find_log_root on a smooth curve
    root = find_log_root(lambda b: -0.05 * np.log(np.asarray(b) / 2.0))[0]
    assert math.isclose(root, M.grid_edge(betas, values)[0], rel_tol=1e-6)


def test_a_tiny_run_writes_every_seed_and_curve(tmp_path):
    out = tmp_path / "miss"
    M.main(["--index", "61", "--n", "24", "--seeds", "0", "1", "--T", "40", "--batch", "2", "--beta", "0.1", "20",
            "9", "--readouts", "2", "--out", str(out)])
    with (out / "rows.csv").open() as f:
        rows = list(csv.DictReader(f))
    curves_of = {c for c in ("shared", "permuted", "independent", "predicted")}
    assert {(r["seed"], r["curve"]) for r in rows} == ({(s, c) for s in ("0", "1", "mean") for c in curves_of}
                                                       | {(s, f"readout{k}") for s in ("0", "1") for k in (1, 2)})
    shared = [r for r in rows if r["curve"] == "shared" and r["edge"]]
    assert all(float(r["ln_ratio_to_measured"]) == 0.0 for r in shared)
    curves = json.loads((out / "curves.json").read_text())
    per = curves["curves"]["24"]
    mean = np.mean([per[s]["shared"] for s in ("0", "1")], axis=0)
    assert np.allclose(per["mean"]["shared"], mean)  # "mean" is the census's rule: ln rho averaged over seeds
    assert not np.allclose(per["0"]["shared"], per["0"]["permuted"])  # un-sharing W changes the measurement
    assert not np.allclose(per["0"]["shared"], per["0"]["readout1"])  # another readout, another measurement
    summary = json.loads((out / "summary.json").read_text())["24"]
    window = (np.array(curves["betas"]) >= 0.4) & (np.array(curves["betas"]) <= 4.0)
    offset = np.mean((np.array(per["1"]["shared"]) - np.array(per["1"]["permuted"]))[window])
    assert math.isclose(summary["shared_minus_permuted"]["1"], offset, rel_tol=1e-9)


def test_variants_choose_the_replays_and_signflip_gets_its_offset(tmp_path):
    out = tmp_path / "flip"
    M.main(["--index", "84", "--n", "24", "--seeds", "0", "--T", "40", "--batch", "2", "--beta", "0.1", "20", "9",
            "--variants", "shared", "signflip", "--out", str(out)])
    summary = json.loads((out / "summary.json").read_text())["24"]
    assert "signflip_vs_measured" in summary and "permuted_vs_measured" not in summary
    per = json.loads((out / "curves.json").read_text())["curves"]["24"]["0"]
    assert set(per) == {"shared", "signflip", "predicted", "firing_rate"}
    assert not np.allclose(per["shared"], per["signflip"])
    assert "shared_minus_signflip" in summary and "shared_minus_permuted" not in summary


def test_only_single_layer_lif_rows_are_taken():
    kind = census_configs(100)[2]["kind"]
    assert kind == "alif"
    with pytest.raises(SystemExit, match="alif"):
        M.main(["--index", "2", "--n", "24", "--T", "40", "--batch", "2"])


def test_summary_reads_the_seed_averaged_rows_per_width():
    rows = [dict(n_rec=24, seed=s, curve=c, ln_ratio_to_measured=v, slope_at_edge=-0.05,
                 predicted_ln_rho_at_measured=0.01 if c == "predicted" else None)
            for s, c, v in [(0, "predicted", 0.3), (1, "predicted", -0.1), ("mean", "permuted", 0.2),
                            ("mean", "independent", 0.25), ("mean", "predicted", 0.1), ("mean", "shared", 0.0)]]
    summary = M.summarise(rows)["24"]
    assert summary["predicted_vs_measured"] == 0.1 and summary["permuted_vs_measured"] == 0.2
    assert summary["per_seed_predicted_vs_measured"] == [0.3, -0.1] and summary["predicted_ln_rho_at_measured"] == 0.01


def test_scan_reads_single_layer_rows_and_finds_the_offset_on_the_right_side(tmp_path):
    from pathlib import Path

    committed = Path(__file__).resolve().parents[2] / "experiments" / "edge_census_results" / "census.csv"
    with committed.open() as f:
        rows = [r for r in csv.DictReader(f) if int(r["index"]) in (0, 1, 2, 3)]  # lif, attached, alif, stack
    assert rows[1]["kind"] == "attached" and not rows[1]["measured_beta_c"]  # row 1 has no root
    census = tmp_path / "census.csv"
    with census.open("w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    scanned = M.scan(census, seeds=(0, 1), configs=4)
    assert [r["index"] for r in scanned] == [0]  # no root in row 1; ALIF and stack rows are not single LIF layers
    (row,) = scanned
    assert row["predicted_slope_at_predicted"] < 0  # rho falls as the surrogate sharpens
    assert row["ln_ratio"] > 0 and row["predicted_ln_rho_at_measured"] > 0  # measured below the predicted edge
    assert row["detached_predicted"] is None  # a detached row has no detached counterpart to add
    summary = M.scan_summary(scanned + [{**row, "index": 9, "ln_ratio": 1.0, "predicted_slope_at_predicted": -0.01}])
    assert summary["flat_rows"] == [9] and summary["flat_misses"] == 1 and summary["misses"] == 1


def test_scan_adds_the_detached_edge_of_an_attached_row(tmp_path):
    census = tmp_path / "census.csv"
    census.write_text("index,kind,firing_rate,measured_beta_c,predicted_beta_c\n1,attached,0.12,1.0,1.5\n")
    (row,) = M.scan(census, seeds=(0,), configs=2)
    assert row["kind"] == "attached" and math.isclose(row["ln_ratio"], math.log(1.5))
    assert row["detached_predicted"] > 0 and row["detached_slope_at_predicted"] < 0
