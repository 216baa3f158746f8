"""experiments/verification/edge_finite_size.py: the backward matrices it swaps in and one row."""

import math

import numpy as np
import pytest
import torch

from lifstab import measure
from lifstab_experiments.verification import edge_attached
from lifstab_experiments.verification import edge_finite_size as F


def _weights(n=12):
    w = torch.randn(n, n, generator=torch.Generator().manual_seed(3), dtype=torch.float64)
    return w * ~torch.eye(n, dtype=torch.bool)


def test_permuted_rows_keep_each_neurons_outgoing_weights_but_not_their_targets():
    w = _weights()
    p = F.backward_matrix(w, "permuted", 1.0, 0.0, seed=0)
    assert torch.all(p.diagonal() == 0)
    assert torch.allclose(p.sort(dim=1).values, w.sort(dim=1).values)  # the same values per row
    assert torch.allclose((p ** 2).sum(1), (w ** 2).sum(1))  # field_scale unchanged
    assert not torch.equal(p, w)


def test_independent_matrix_is_a_fresh_draw_with_zero_diagonal_and_shared_is_w():
    w = _weights()
    fresh = F.backward_matrix(w, "independent", 0.5, 0.0, seed=1)
    assert torch.all(fresh.diagonal() == 0) and not torch.equal(fresh, w)
    assert F.backward_matrix(w, "shared", 0.5, 0.0, seed=1) is w
    with pytest.raises(ValueError, match="variant"):
        F.backward_matrix(w, "transposed", 0.5, 0.0, seed=1)


def test_signflip_keeps_every_squared_weight_in_place_and_is_seeded():
    w = _weights()
    f = F.backward_matrix(w, "signflip", 1.0, 0.0, seed=0)
    assert torch.equal(f ** 2, w ** 2)  # every W_ij^2 where it was (so the diagonal stays zero)
    assert torch.all(f.diagonal() == 0)
    assert torch.equal(f, F.backward_matrix(w, "signflip", 1.0, 0.0, seed=0))  # deterministic
    assert not torch.equal(f, F.backward_matrix(w, "signflip", 1.0, 0.0, seed=1))
    flipped = ((f != w) & (w != 0)).double().sum() / (w != 0).sum()
    assert 0.3 < float(flipped) < 0.7  # about half the signs, independently


def test_pairflip_keeps_every_reciprocal_product_but_not_single_signs():
    w = _weights()
    f = F.backward_matrix(w, "pairflip", 1.0, 0.0, seed=0)
    assert torch.equal(f ** 2, w ** 2) and torch.equal(f * f.T, w * w.T)  # every W_ij W_ji kept
    assert torch.equal(f, F.backward_matrix(w, "pairflip", 1.0, 0.0, seed=0))
    assert not torch.equal(f, w) and not torch.equal(f, -w)
    signflip = F.backward_matrix(w, "signflip", 1.0, 0.0, seed=0)
    assert not torch.equal(signflip * signflip.T, w * w.T)  # signflip does not keep them


def test_width_rescales_the_recurrent_std_to_keep_the_large_n_limit():
    cfg, _ = edge_attached.random_configs(16)[15]
    wide = F.at_width(cfg, 4 * cfg["n_rec"])
    assert wide["n_rec"] == 4 * cfg["n_rec"]
    assert math.isclose(wide["w_rec_std"] * math.sqrt(wide["n_rec"]), cfg["w_rec_std"] * math.sqrt(cfg["n_rec"]))
    with pytest.raises(ValueError, match="n must be"):
        F.at_width(cfg, 1)


def test_shared_replay_is_the_measurement_and_the_layer_keeps_its_weights():
    cfg, reset = edge_attached.random_configs(16)[15]
    small = {**F.at_width(cfg, 24), "T": 40, "batch": 2}
    runs = edge_attached.layers_for(small, reset, False, [0])
    layer, _, r, tr = runs[0]
    before = layer.w_rec.detach().clone()
    betas = np.array([0.5, 2.0])
    shared = F.replayed_log_growth(runs, "shared", small, betas)
    direct = measure.log_growth_factor(measure.gradient_norms_over_sharpness(layer, tr, betas, r)).numpy()
    assert np.allclose(shared, direct)
    assert not np.allclose(F.replayed_log_growth(runs, "permuted", small, betas), shared)
    assert not np.allclose(F.replayed_log_growth(runs, "signflip", small, betas), shared)
    assert torch.equal(layer.w_rec.detach(), before)


def test_one_row_gives_every_edge_and_the_offset_at_the_measured_edge():
    cfg, reset = edge_attached.random_configs(16)[15]
    row = F.one_row(15, {**cfg, "T": 40, "batch": 2}, reset, True, [0], 24)
    assert set(row) == set(F.FIELDS) and row["n_rec"] == 24
    assert row["signflip_beta_c"] is None  # not among the variants run
    assert all(row[k] for k in ("measured_beta_c", "permuted_beta_c", "independent_beta_c", "predicted_beta_c"))
    assert math.isclose(row["ln_ratio"], math.log(row["predicted_beta_c"] / row["measured_beta_c"]))
    assert row["predicted_slope_at_measured"] < 0  # rho falls as the surrogate sharpens
    summary = F.summarise([row])
    assert math.isclose(summary["15/detached/n=24"]["predicted"], row["ln_ratio"])
