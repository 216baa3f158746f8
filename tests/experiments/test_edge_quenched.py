"""experiments/verification/edge_quenched.py: the quenched mean field reduces to dmft, its weights."""

import numpy as np
import torch

from lifstab.stability import forward_probe, predicted_log_growth
from lifstab_experiments.verification import edge_quenched as Q
from lifstab_experiments.verification.edge_attached import layers_for
from lifstab_experiments.verification.edge_census import census_configs
from lifstab_experiments.verification.edge_finite_size import at_width


def _runs(index, seeds=(0,), batch=1):
    entry = census_configs(100)[index]
    cfg = {**at_width(entry["configs"][0], 20), "T": 40, "batch": batch}
    return cfg, layers_for(cfg, entry["reset"], entry["detach_reset"], list(seeds))


def test_uniform_weights_over_one_batch_element_give_the_dmft_curve():
    for index in (84, 61):  # detached and attached
        _, runs = _runs(index)
        layer, x, _, tr = runs[0]
        probe = forward_probe(layer, x, tr)
        n = layer.w_rec.shape[0]
        uniform = (probe.field_scale.double()[:, None] / n).expand(n, n)[None]  # i = j included, as dmft's mean
        betas = np.array([0.5, 2.0, 8.0])
        quenched = Q.quenched_log_growth(layer, probe, uniform, betas)
        assert np.allclose(quenched, predicted_log_growth(layer, x, betas, probe=probe, samples=None), atol=1e-10)


def test_weights_keep_each_row_sum_and_flat_spreads_it_over_the_others():
    cfg, runs = _runs(84, seeds=(0, 1), batch=2)
    shared = Q.quenched_weights(runs, (0, 1), cfg, "shared")
    flat = Q.quenched_weights(runs, (0, 1), cfg, "flat")
    permuted = Q.quenched_weights(runs, (0, 1), cfg, "permuted")
    assert shared.shape == (2, 20, 20) and torch.equal(shared[0], runs[0][0].recurrent_weight().detach().double() ** 2)
    for w in (flat, permuted):
        assert torch.allclose(w.sum(-1), shared.sum(-1)) and torch.all(w.diagonal(dim1=-2, dim2=-1) == 0)
    assert torch.allclose(flat[0, 0, 1:], flat[0, 0, 1:].mean().expand(19))
