# GENERATED FILE: do not edit by hand.
# Written by `lifstab derive` (derivations/codegen.py) from the SymPy expressions in derivations/.
# Change the derivations, then run `lifstab derive`; tests/test_generated_drift.py fails on drift.


"""Generated torch kernels: lif."""


import torch


def subtractive(voltage, current, reset_spikes, decay, threshold):
    """LIF voltage update, subtractive reset: v_t = current + decay*voltage - reset_spikes*threshold."""
    return current + decay*voltage - reset_spikes*threshold


def multiplicative_1(voltage, current, reset_spikes, decay, threshold):
    """LIF voltage update, multiplicative_1 reset: v_t = (1 - reset_spikes)*(current + decay*voltage)."""
    return (1 - reset_spikes)*(current + decay*voltage)


def multiplicative_2(voltage, current, reset_spikes, decay, threshold):
    """LIF voltage update, multiplicative_2 reset: v_t = current + decay*voltage*(1 - reset_spikes)."""
    return current + decay*voltage*(1 - reset_spikes)


def none(voltage, current, reset_spikes, decay, threshold):
    """LIF voltage update, none reset: v_t = current + decay*voltage."""
    return current + decay*voltage


KERNELS = {
    'subtractive': subtractive,
    'multiplicative_1': multiplicative_1,
    'multiplicative_2': multiplicative_2,
    'none': none,
}
