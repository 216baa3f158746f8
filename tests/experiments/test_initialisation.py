"""Initialisations: the recommended init and the condition ablation (against lifstab.conditions)."""

import pytest
import torch

import lifstab
from lifstab_experiments.training.configs import RECOMMENDED, RunConfig
from lifstab_experiments.training.initialisation import CONDITION_SETS, initialise, spiking_layers
from lifstab_experiments.training.training import setup, train

def test_condition_sets_are_the_papers_ablation():
    assert list(CONDITION_SETS) == ["none", "I", "II", "III", "IV", "I+II", "I+II+III", "I+II+IV", "all"]
    for name, conditions in CONDITION_SETS.items():
        assert "+".join(conditions) == name or name in ("none", "all")
    assert CONDITION_SETS["all"] == ("I", "II", "III", "IV")


def test_default_init_and_no_conditions_change_nothing():
    _, model, sample, _ = setup(RunConfig(hidden=8))
    before = {k: v.clone() for k, v in model.state_dict().items()}
    assert initialise(model, "default", None, sample, 0) == {}
    assert initialise(model, "default", "none", sample, 0) == {}
    assert all(torch.equal(before[k], v) for k, v in model.state_dict().items())


def test_conditions_init_draws_weights_from_conditions_i_and_ii():
    config = RunConfig(hidden=64, sg="exponential")
    _, model, sample, _ = setup(config)
    before = [(layer.w_rec.detach().clone(), layer.surrogate) for layer in spiking_layers(model)]
    notes = initialise(model, "conditions", None, sample, 0)
    assert isinstance(notes["feasible"], bool)
    for layer, (w, sg) in zip(spiking_layers(model), before):
        assert not torch.equal(layer.w_rec, w) and torch.isfinite(layer.w_rec).all()
        assert torch.all(layer.recurrent_weight().diagonal() == 0)
        assert layer.surrogate is not sg and torch.all(torch.as_tensor(layer.surrogate.dampening) > 0)
        assert lifstab.edge_keeper_of(layer) is None


def test_recommended_init_keeps_the_weights_sets_the_surrogate_and_trains_with_the_recipe():
    config = RunConfig(hidden=64, sg="exponential", **RECOMMENDED)
    _, model, sample, _ = setup(config)
    before = [(layer.w_rec.detach().clone(), layer.surrogate) for layer in spiking_layers(model)]
    initialise(model, "recommended", None, sample, 0)
    for layer, (w, sg) in zip(spiking_layers(model), before):
        assert torch.equal(layer.w_rec, w)
        assert layer.surrogate is not sg
        assert lifstab.edge_keeper_of(layer) is None  # the training loop keeps the edge itself
    row = train(config.replace(epochs=1, max_samples=64))
    assert 0 <= row["test_accuracy"] <= 1 and row["readout"] == "membrane" and row["target_rho"] == 0.95


@pytest.mark.parametrize("name", list(CONDITION_SETS))
def test_each_ablation_set_applies_what_it_names(name):
    _, model, sample, _ = setup(RunConfig(sg="exponential", hidden=64))
    layer = spiking_layers(model)[0]
    w_before, sg_before = layer.w_rec.detach().clone(), layer.surrogate
    rec = lifstab.recommend(layer.n_in, layer.n_rec, decay=float(layer.decay.mean()), threshold=1.0,
                            inputs=sample, family="exponential")
    initialise(model, "default", name, sample, 0)
    layer.requires_grad_(False)
    conditions = CONDITION_SETS[name]
    off = layer.rec_mask.bool()
    if "I" in conditions:
        assert float(layer.w_rec[off].mean()) == pytest.approx(rec.recurrent_mean, rel=1e-4, abs=1e-7)
    if "II" in conditions:
        assert float(layer.w_rec[off].std()) == pytest.approx(rec.recurrent_std, rel=1e-3, abs=1e-7)
    if not {"I", "II"} & set(conditions):
        assert torch.equal(layer.w_rec, w_before)
    if not {"III", "IV"} & set(conditions):
        assert layer.surrogate is sg_before
    if "III" in conditions:
        assert not torch.allclose(torch.as_tensor(layer.surrogate.dampening), torch.tensor(1.0))
    if "IV" in conditions:  # the edge route: the default margin times the critical sharpness at the layer's dampening
        with torch.no_grad():
            x = model.encoder(sample)
        probe = lifstab.RecurrentLIF(layer.n_in, layer.n_rec, tau=20.0, threshold=1.0, bias=False,
                                     surrogate=layer.surrogate, dtype=torch.float64)
        with torch.no_grad():
            probe.w_in.copy_(layer.w_in.double())
            probe.w_rec.copy_(layer.w_rec.double())
        edge = lifstab.stability.critical_sharpness(probe, x.double(), method=lifstab.conditions.DEFAULT_EDGE_METHOD)
        assert edge.feasible == ("III" not in conditions)  # Condition III's ~0.01 dampening leaves no edge
        expected = (lifstab.conditions.EDGE_MARGIN * edge.critical_sharpness if edge.feasible
                    else lifstab.stability.SHARPNESS_RANGE[0])
        assert float(layer.surrogate.sharpness) == pytest.approx(expected, rel=1e-6)
