"""lifstab_experiments.verification.edge / edge_study: the measured beta_c, the random grid, the cached study."""

import dataclasses
import math

import numpy as np
import pytest

from lifstab import measure as M
from lifstab.protocol import config_from_dict
from lifstab_experiments.verification import edge, edge_study

TINY = dict(sg="triangular", dampening=1.2, q=None, n_in=16, n_rec=32, tau=12.0, thr=0.3, input_rate=0.2,
            w_in_std=1.5 / math.sqrt(16), w_rec_std=1.5 / math.sqrt(32), w_rec_mean=0.0, reset="subtractive",
            T=48, batch=4)


def test_random_grid_spans_the_issue_ranges():
    configs = edge_study.random_configs(28, grid_seed=3)
    assert {c.sg for c in configs} == set(edge_study.FAMILY_ORDER)
    assert {c.reset for c in configs} == {"subtractive", "multiplicative"}
    for c in configs:
        assert 128 <= c.n_rec <= 512 and 40 <= c.n_in <= 300
        assert 5 <= c.tau <= 50 and 0.01 <= c.thr <= 1 and 0.05 <= c.input_rate <= 0.3
        assert 0.5 <= c.w_rec_std * math.sqrt(c.n_rec) <= 3 and 0.5 <= c.w_in_std * math.sqrt(c.n_in) <= 3
        assert c.w_rec_mean in (0.0, 0.5 / c.n_rec) and 0.5 <= c.dampening <= 2
        assert (c.q is not None) == (c.sg == "q_pseudo_spike")
    assert edge_study.random_configs(28, grid_seed=3) == configs
    assert edge_study.random_configs(28, grid_seed=4) != configs


def test_measured_beta_c_is_where_mean_log_rho_crosses_zero():
    cfg = config_from_dict(TINY)
    runs = edge.seed_runs(cfg, (0, 1))
    result = edge.measure_critical_sharpness(cfg, runs=runs)
    assert result.reason == "" and result.critical_sharpness > 0
    below, at, above = edge.mean_log_growth(runs, np.array([0.8, 1.0, 1.25]) * result.critical_sharpness)
    assert below > 0 > above and abs(at) < 0.02 * (below - above)
    # the batched replay agrees with plain autograd at beta_c
    layer = runs[0].layer
    layer.surrogate = layer.surrogate.replace(sharpness=result.critical_sharpness)
    g = M.gradient_norms(layer, runs[0].x, runs[0].readout)
    np.testing.assert_allclose(g.numpy(), runs[0].gradient_norms([result.critical_sharpness])[0].numpy(), rtol=1e-10)


def test_study_rows_are_cached_and_summarised(tmp_path):
    cfg = config_from_dict(TINY)
    runs = edge.seed_runs(cfg, (0, 1))
    measured = edge_study.measure_row(0, cfg, runs, (0, 1), tmp_path)
    assert (tmp_path / "curves_000.npz").exists()
    edge_study.append_row(tmp_path / "measured.csv", measured, edge_study.MEASURE_FIELDS)
    predicted = edge_study.predict_row(0, runs, "lagged", measured["measured_beta_c"], tmp_path)
    edge_study.append_row(tmp_path / "predicted_lagged.csv", predicted, edge_study.PREDICT_FIELDS)
    rows = edge_study.merged_rows(tmp_path, ["lagged"])
    assert len(rows) == 1 and float(rows[0]["lagged_beta_c"]) == pytest.approx(predicted["beta_c"])
    summary = edge_study.summarise(rows, ["lagged"], count=2)
    assert summary["tuning"]["lagged"]["predicted"] == 1 and summary["held_out"]["configs"] == 0
    assert summary["all"]["lagged"]["max_abs_ln_ratio"] == pytest.approx(
        abs(math.log(predicted["beta_c"] / measured["measured_beta_c"])))


def test_infeasible_configuration_is_reported_not_guessed():
    # no recurrence and a tiny dampening: rho < 1 for every sharpness
    cfg = config_from_dict({**TINY, "w_rec_std": 0.0, "dampening": 0.01, "tau": 2.0})
    result = edge.measure_critical_sharpness(cfg, seeds=(0,))
    assert result.critical_sharpness is None and "stable" in result.reason
    assert dataclasses.is_dataclass(result)


def test_plots_are_written(tmp_path):
    cfg = config_from_dict(TINY)
    runs = edge.seed_runs(cfg, (0,))
    measured = edge_study.measure_row(0, cfg, runs, (0,), tmp_path)
    edge_study.append_row(tmp_path / "measured.csv", measured, edge_study.MEASURE_FIELDS)
    predicted = edge_study.predict_row(0, runs, "dmft", measured["measured_beta_c"], tmp_path)
    edge_study.append_row(tmp_path / "predicted_dmft.csv", predicted, edge_study.PREDICT_FIELDS)
    assert (tmp_path / "dmft_curves_000.npz").exists()
    paths = edge_study.plot(edge_study.merged_rows(tmp_path, ["dmft"]), ["dmft"], tmp_path, tmp_path)
    assert [p.name for p in paths] == ["predicted_vs_measured.png", "gradient_curves.png"]
    assert all(p.stat().st_size > 1000 for p in paths)


def test_a_measured_csv_from_before_detach_reset_keeps_its_header(tmp_path):
    """Results committed before the CONFIG key detach_reset existed go on growing: a detached row appends
    under the old header, an attached one is refused by name instead of shifting the columns."""
    old_fields = [f for f in edge_study.MEASURE_FIELDS if f != "cfg_detach_reset"]
    path = tmp_path / "measured.csv"
    row = {f: i for i, f in enumerate(edge_study.MEASURE_FIELDS)}
    edge_study.append_row(path, {**row, "cfg_detach_reset": True}, old_fields)  # an old file
    edge_study.append_row(path, {**row, "cfg_detach_reset": True}, edge_study.MEASURE_FIELDS)
    rows = edge_study.load_rows(path)
    assert list(rows[0]) == old_fields and len(rows) == 2 and rows[1] == rows[0]
    with pytest.raises(ValueError, match="cfg_detach_reset"):
        edge_study.append_row(path, {**row, "cfg_detach_reset": False}, edge_study.MEASURE_FIELDS)
