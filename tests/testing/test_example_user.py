"""A test file a user can copy: property-test that a layer initialised by lifstab has stable gradients.

Copy it next to your own tests, swap in your module (anything that returns its voltages from
``module(x, return_voltages=True)``), and adjust the ranges.
"""

import lifstab
from hypothesis import given, settings
from lifstab.testing import assert_gradient_stable, layer_configs, spike_inputs, surrogates

N_IN, N_REC, T = 40, 128, 100


@settings(max_examples=10, deadline=None)
@given(
    config=layer_configs(n_in=N_IN, n_rec=N_REC, tau=(10.0, 30.0), threshold=(0.01, 0.3),
                         resets=["subtractive"],
                         surrogate=surrogates(families=["exponential", "fast_sigmoid"])),
    x=spike_inputs(T=T, batch=4, n_in=N_IN, rate=(0.1, 0.3)),
)
def test_stable_init_gives_stable_gradients(config, x):
    layer = config.build()
    lifstab.stable_init_(layer, inputs=x, seed=0)
    # over the 100 steps of backpropagation through time the gradient norm may change at most 100-fold
    assert_gradient_stable(layer, x, band=(0.01, 100.0))
