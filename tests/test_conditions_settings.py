"""recommend's settings objects (lifstab.conditions.settings): the same recommendation as the keywords,
checked fields, and no mixing of the two forms."""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest
import torch

import lifstab
from lifstab.conditions import (ConditionOptions, InputStatistics, LayerSpec, RouteOptions, recommend,
                                settings_from_keywords)


def _same(a, b):
    assert a.to_json() == b.to_json() and a.summary() == b.summary()
    for name in ("dampening", "sharpness", "voltage_min", "voltage_max"):
        np.testing.assert_array_equal(getattr(a, name), getattr(b, name))


@pytest.mark.parametrize("reset, family, variant", [("subtractive", "exponential", "exact"),
                                                    ("multiplicative_1", "gaussian", "exact"),
                                                    ("subtractive", "q_pseudo_spike", "paper")])
def test_objects_give_what_the_keywords_give(reset, family, variant):
    keywords = dict(tau=20, threshold=0.5, reset=reset, family=family, variant=variant, input_mean=0.3,
                    input_var=0.2, iv_dampening=0.5)
    by_keywords = recommend(30, 40, **keywords)
    layer = LayerSpec(30, 40, math.exp(-1 / 20), 0.5, reset=reset, family=family)
    by_objects = recommend(layer=layer, statistics=InputStatistics(0.3, 0.2),
                           options=ConditionOptions(variant, iv_dampening=0.5))
    _same(by_keywords, by_objects)
    _same(by_keywords, recommend(layer, statistics=InputStatistics(0.3, 0.2),
                                 options=ConditionOptions(variant, iv_dampening=0.5)))
    assert settings_from_keywords(30, 40, **keywords).layer.decay == layer.decay


def test_objects_with_weights_and_the_edge_route():
    layer = lifstab.RecurrentLIF(12, 16, tau=20, threshold=1.0, dtype=torch.float64)
    x = (torch.rand(24, 4, 12, generator=torch.Generator().manual_seed(0)) < 0.3).double()
    decay = float(layer.decay.mean())
    by_keywords = recommend(12, 16, decay=decay, threshold=1.0, inputs=x, w_in=layer.w_in, w_rec=layer.w_rec,
                            sharpness_method="edge", edge_method="dmft")
    spec = LayerSpec(12, 16, decay, 1.0, w_in=layer.w_in, w_rec=layer.w_rec)
    assert np.all(np.diag(spec.w_rec) == 0)
    by_objects = recommend(layer=spec, statistics=InputStatistics.from_inputs(x),
                           route=RouteOptions("edge", probe_inputs=x, edge_method="dmft"))
    _same(by_keywords, by_objects)
    assert by_objects.edge.margin == lifstab.conditions.EDGE_MARGINS["dmft"]


@pytest.mark.parametrize("make, name", [
    (lambda: LayerSpec(3, 1, 0.9, 1.0), "n_rec"),
    (lambda: LayerSpec(3, 4, 1.5, 1.0), "decay"),
    (lambda: LayerSpec(3, 4, 0.9, -1.0), "threshold"),
    (lambda: LayerSpec(3, 4, 0.9, 1.0, reset="none_such"), "reset"),
    (lambda: LayerSpec(3, 4, 0.9, 1.0, family="none_such"), "family"),
    (lambda: LayerSpec(3, 4, 0.9, 1.0, tail=2.0), "tail"),
    (lambda: LayerSpec(3, 4, 0.9, 1.0, w_in=np.zeros((4, 3))), "w_in"),
    (lambda: InputStatistics(0.5, -0.1), "input_var"),
    (lambda: InputStatistics(1e200, 0.1), "input_mean"),
    (lambda: InputStatistics(0.5, 0.1, weight_variance=-1), "input_weight_variance"),
    (lambda: ConditionOptions("none_such"), "variant"),
    (lambda: ConditionOptions(iv_dampening=0.0), "iv_dampening"),
    (lambda: RouteOptions("none_such"), "sharpness_method"),
    (lambda: RouteOptions(dampening_source="unit"), "dampening_source"),
    (lambda: RouteOptions("edge", edge_margin=-1.0), "edge_margin"),
])
def test_each_object_names_a_bad_field(make, name):
    with pytest.raises(ValueError, match=name):
        make()


def test_the_objects_are_frozen_and_the_forms_do_not_mix():
    layer = LayerSpec(3, 4, 0.9, 1.0)
    with pytest.raises(dataclasses.FrozenInstanceError):
        layer.decay = 0.5
    with pytest.raises(ValueError, match="LayerSpec"):
        recommend(layer=layer, threshold=1.0)
    with pytest.raises(ValueError, match="LayerSpec"):
        recommend(3, 4, tau=20, threshold=1.0, statistics=InputStatistics())
    with pytest.raises(ValueError, match="layer must be a LayerSpec"):
        recommend(layer=(3, 4))
    with pytest.raises(ValueError, match="w_in and w_rec"):
        recommend(layer=layer, route=RouteOptions("edge", probe_inputs=torch.zeros(16, 1, 3)))


def test_summary_of_a_tail_without_root():
    """q_pseudo_spike solved in tail where no neuron has a root: the summary says so (it raised TypeError)."""
    rec = recommend(30, 40, tau=20, threshold=0.5, family="q_pseudo_spike", variant="paper", input_mean=0.3,
                    input_var=0.2, iv_dampening=0.5)
    assert rec.tail is None and not rec.feasible["IV"]
    assert "IV  tail (mean)                none: the surrogate keeps the fallback's tail" in rec.summary()
