"""Tutorial: property-test your network's gradient stability with lifstab.testing.

Run it as a script (``python docs/tutorials/property_testing.py``) or copy the test function into your
own test suite and run it with pytest. tests/test_tutorials.py runs this file.
"""

import lifstab
from hypothesis import given, settings
from lifstab.testing import assert_gradient_stable, layer_configs, spike_inputs


# 1. Say which layers you build: Hypothesis draws configurations and inputs from these ranges.
@settings(max_examples=3, deadline=None, database=None)
@given(config=layer_configs(n_in=40, n_rec=64, tau=(10.0, 30.0), threshold=(0.01, 0.3), resets=["subtractive"]),
       x=spike_inputs(T=60, batch=4, n_in=40, rate=(0.1, 0.3)))
def test_my_layers_are_stable(config, x):
    # 2. Build the layer as your code would, and initialise it with lifstab's conditions.
    layer = config.build()
    lifstab.stable_init_(layer, inputs=x, seed=0)
    # 3. Assert the property: the BPTT gradient norm changes less than 100x over the sequence.
    #    On failure, the message says what was measured, what was expected, and which knob to turn;
    #    Hypothesis shrinks the failing configuration to a small, readable one.
    assert_gradient_stable(layer, x, band=(0.01, 100.0))


if __name__ == "__main__":
    test_my_layers_are_stable()  # a @given function runs all its examples when called
    print("gradient stable on every drawn configuration")
