"""Property-test the gradient stability of spiking networks (needs Hypothesis: ``pip install lifstab[testing]``).

Strategies draw valid surrogates, layer configurations and inputs; the assertions measure a module's
BPTT gradient growth and the quantities Conditions I-IV aim at, and fail with a message that says what
was measured, what was expected and which knob to turn.
"""

from .assertions import (
    LayerStatistics,
    assert_conditions_hold,
    assert_gradient_stable,
    gradient_norms,
    growth_factor,
    layer_statistics,
)
from .strategies import LayerConfig, current_inputs, layer_configs, spike_inputs, surrogates

__all__ = [
    "surrogates", "layer_configs", "LayerConfig", "spike_inputs", "current_inputs",
    "gradient_norms", "growth_factor", "layer_statistics", "LayerStatistics",
    "assert_gradient_stable", "assert_conditions_hold",
]
