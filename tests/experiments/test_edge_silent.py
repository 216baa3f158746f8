"""experiments/verification/edge_silent.py: the ensemble of backward matrices and the field groupings
on one census row."""

import csv

import numpy as np
import pytest
import torch

from lifstab_experiments.verification import edge_silent as S
from lifstab_experiments.verification.edge_attached import layers_for
from lifstab_experiments.verification.edge_census import census_configs
from lifstab_experiments.verification.edge_finite_size import at_width, measured_curve

BETAS = np.array([0.5, 1.0, 3.0])


def read(path):
    with path.open() as f:
        return list(csv.DictReader(f))


def small_run(index=62, n=20, seeds=(0,)):
    entry = census_configs(100)[index]
    cfg = at_width(entry["configs"][0], n)
    return entry, cfg, layers_for(cfg, entry["reset"], entry["detach_reset"], seeds)


def test_one_draw_is_the_independent_replay_and_typical_equals_annealed():
    """With one draw the mean of ln rho is ln rho of the mean square, and both are edge_finite_size's
    ``independent`` replay with the same seed; the layer's own W is restored."""
    _, cfg, [(layer, _, readout, tr)] = small_run()
    before = layer.w_rec.detach().clone()
    typical, annealed, lognormal = S.independent_curves(layer, tr, readout, BETAS, cfg, seed=0, draws=1)
    assert torch.equal(layer.w_rec.detach(), before)
    np.testing.assert_allclose(typical, annealed, rtol=1e-12, atol=1e-12)
    np.testing.assert_array_equal(typical, lognormal)
    np.testing.assert_allclose(typical, measured_curve(layer, readout, tr, BETAS, "independent", cfg, 0), rtol=1e-10)


def test_the_annealed_curve_is_at_least_the_typical_one():
    """Jensen: ln of the mean square over the draws is at least the draws' mean ln, step by step, so the
    annealed ln rho differs from the typical one by the window's two ends only; with three draws they
    differ."""
    _, cfg, [(layer, _, readout, tr)] = small_run()
    typical, annealed, lognormal = S.independent_curves(layer, tr, readout, BETAS, cfg, seed=0, draws=3)
    assert np.all(np.isfinite(typical)) and np.all(np.isfinite(annealed))
    assert not np.allclose(typical, annealed)
    assert np.all(lognormal >= typical) and not np.allclose(lognormal, typical)
    with pytest.raises(ValueError, match="draws"):
        S.independent_curves(layer, tr, readout, BETAS, cfg, seed=0, draws=0)


def test_main_writes_each_width_and_skips_it_on_a_rerun(tmp_path):
    argv = ["--index", "62", "--n", "20", "--seeds", "0", "1", "--draws", "2", "--sharpness", "0.5", "3", "3",
            "--out", str(tmp_path)]
    assert S.main(argv) == 0
    curves, (edges,) = read(tmp_path / "curves.csv"), read(tmp_path / "edges.csv")
    assert len(curves) == 2 * 3 and set(curves[0]) == set(S.CURVE_FIELDS)
    assert edges["n_rec"] == "20" and edges["seeds"] == "0 1" and set(edges) == set(S.EDGE_FIELDS)
    shared = np.mean([[float(r["shared"]) for r in curves if r["seed"] == s] for s in ("0", "1")], axis=0)
    assert shared.shape == (3,) and np.all(np.isfinite(shared))
    assert S.main(argv) == 0
    assert len(read(tmp_path / "curves.csv")) == 6 and len(read(tmp_path / "edges.csv")) == 1


@pytest.mark.parametrize("argv, message", [(["--index", "3"], "stack"), (["--index", "100"], "--index"),
                                           (["--sharpness", "2", "1", "5"], "--sharpness")])
def test_bad_arguments_are_named(tmp_path, argv, message):
    with pytest.raises(SystemExit, match=message):
        S.main([*argv, "--out", str(tmp_path)])
