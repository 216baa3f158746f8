"""experiments/verification/edge_quenched.py: the quenched mean field reduces to dmft, its weights."""

import numpy as np
import torch

from lifstab.stability import forward_probe, pool_probes, predicted_log_growth
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


def test_pooled_batch_with_uniform_weights_is_dmft_over_the_whole_probe():
    _, runs = _runs(61, batch=3)
    layer, x, _, tr = runs[0]
    probe = forward_probe(layer, x, tr)
    n = layer.w_rec.shape[0]
    uniform = (probe.field_scale[:n].double()[:, None] / n).expand(n, n)[None]
    betas = np.array([0.5, 2.0])
    pooled = Q.quenched_log_growth(layer, probe, uniform, betas, pool_batch=True)
    assert np.allclose(pooled, predicted_log_growth(layer, x, betas, probe=probe, samples=None), atol=1e-10)
    assert not np.allclose(Q.quenched_log_growth(layer, probe, uniform, betas), pooled)  # per element differs


def test_networks_are_normalised_on_their_own_and_their_ln_rho_averaged():
    _, runs = _runs(84, seeds=(0, 1), batch=2)
    probes = [forward_probe(layer, x, tr) for layer, x, _, tr in runs]
    n = runs[0][0].w_rec.shape[0]
    uniform = torch.stack([(p.field_scale[:n].double()[:, None] / n).expand(n, n) for p in probes])
    betas = np.array([1.0, 6.0])
    both = Q.quenched_log_growth(runs[0][0], pool_probes(probes), uniform, betas, pool_batch=True)
    each = [predicted_log_growth(layer, x, betas, probe=p, samples=None) for (layer, x, *_), p in zip(runs, probes)]
    assert np.allclose(both, np.mean(each, axis=0), atol=1e-10)


def test_weights_keep_each_row_sum_and_flat_spreads_it_over_the_others():
    cfg, runs = _runs(84, seeds=(0, 1), batch=2)
    shared = Q.quenched_weights(runs, (0, 1), cfg, "shared")
    flat = Q.quenched_weights(runs, (0, 1), cfg, "flat")
    permuted = Q.quenched_weights(runs, (0, 1), cfg, "permuted")
    assert shared.shape == (2, 20, 20) and torch.equal(shared[0], runs[0][0].recurrent_weight().detach().double() ** 2)
    for w in (flat, permuted):
        assert torch.allclose(w.sum(-1), shared.sum(-1)) and torch.all(w.diagonal(dim1=-2, dim2=-1) == 0)
    assert torch.allclose(flat[0, 0, 1:], flat[0, 0, 1:].mean().expand(19))
