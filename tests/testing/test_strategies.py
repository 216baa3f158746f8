"""lifstab.testing strategies draw only valid objects and refuse invalid ranges."""

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from lifstab import FAMILIES, RESETS, RecurrentLIF, Surrogate
from lifstab.testing import current_inputs, layer_configs, spike_inputs, surrogates


@given(surrogates(dampening=(0.2, 0.4), sharpness=(2.0, 3.0), tail=(1.5, 2.5)))
def test_surrogates_respect_ranges(sg):
    assert isinstance(sg, Surrogate) and sg.family in FAMILIES
    assert 0.2 <= sg.dampening <= 0.4 and 2.0 <= sg.sharpness <= 3.0
    assert (sg.tail is not None) == FAMILIES[sg.family].has_tail
    if sg.tail is not None:
        assert 1.5 <= sg.tail <= 2.5


@settings(max_examples=15)
@given(layer_configs(n_in=(2, 6), n_rec=(2, 8), resets=["multiplicative_2"], w_rec_mean=(0.0, 0.1)))
def test_layer_configs_build_valid_layers(config):
    layer = config.build()
    assert isinstance(layer, RecurrentLIF) and layer.reset == "multiplicative_2"
    assert layer.w_rec.diagonal().abs().max() == 0
    again = config.build()
    assert torch.equal(layer.w_rec, again.w_rec)  # reproducible from the drawn seed


@given(spike_inputs(T=20, batch=3, n_in=4, rate=(0.1, 0.2)), current_inputs(T=5, batch=2, n_in=3))
def test_inputs_have_shape_and_values(spikes, currents):
    assert spikes.shape == (20, 3, 4) and set(spikes.unique().tolist()) <= {0.0, 1.0}
    assert currents.shape == (5, 2, 3) and currents.dtype == torch.float64


@given(st.data())
def test_strategies_compose(data):
    sg = data.draw(surrogates(families=["q_pseudo_spike"]))
    config = data.draw(layer_configs(n_in=3, n_rec=4, surrogate=st.just(sg)))
    assert config.surrogate is sg and config.n_rec == 4


@pytest.mark.parametrize(
    "make, argument",
    [
        (lambda: surrogates(dampening=(0.0, 1.0)), "dampening"),
        (lambda: surrogates(sharpness=(-1.0, 1.0)), "sharpness"),
        (lambda: surrogates(tail=(1.0, 2.0)), "tail"),
        (lambda: surrogates(families=["relu"]), "family"),
        (lambda: surrogates(sharpness=(2.0, 1.0)), "sharpness"),
        (lambda: layer_configs(tau=(0.0, 5.0)), "tau"),
        (lambda: layer_configs(threshold=(-1.0, 1.0)), "threshold"),
        (lambda: layer_configs(n_rec=(1, 4)), "n_rec"),
        (lambda: layer_configs(resets=["soft"]), "resets"),
        (lambda: spike_inputs(10, 2, 3, rate=(0.5, 1.5)), "rate"),
        (lambda: spike_inputs(0, 2, 3), "T"),
    ],
)
def test_invalid_ranges_name_the_argument(make, argument):
    with pytest.raises(ValueError, match=argument):
        make()


def test_every_reset_reachable():
    seen = set()

    @settings(max_examples=60, derandomize=True)  # a fixed draw: the check may not hang on luck
    @given(layer_configs())
    def collect(config):
        seen.add(config.reset)

    collect()
    assert seen == set(RESETS)
