# GENERATED FILE: do not edit by hand.
# Written by `lifstab derive` (derivations/codegen.py) from the SymPy expressions in derivations/.
# Change the derivations, then run `lifstab derive`; tests/test_generated_drift.py fails on drift.


"""Generated torch kernels: lif_grad."""


import torch


def subtractive_d_voltage(voltage, current, reset_spikes, decay, threshold):
    """d v_t / d voltage of the subtractive reset, v_t = current + decay*voltage - reset_spikes*threshold."""
    return decay


def subtractive_d_current(voltage, current, reset_spikes, decay, threshold):
    """d v_t / d current of the subtractive reset, v_t = current + decay*voltage - reset_spikes*threshold."""
    return 1


def subtractive_d_reset_spikes(voltage, current, reset_spikes, decay, threshold):
    """d v_t / d reset_spikes of the subtractive reset, v_t = current + decay*voltage - reset_spikes*threshold."""
    return -threshold


def subtractive_d_decay(voltage, current, reset_spikes, decay, threshold):
    """d v_t / d decay of the subtractive reset, v_t = current + decay*voltage - reset_spikes*threshold."""
    return voltage


def subtractive_d_threshold(voltage, current, reset_spikes, decay, threshold):
    """d v_t / d threshold of the subtractive reset, v_t = current + decay*voltage - reset_spikes*threshold."""
    return -reset_spikes


def multiplicative_1_d_voltage(voltage, current, reset_spikes, decay, threshold):
    """d v_t / d voltage of the multiplicative_1 reset, v_t = (1 - reset_spikes)*(current + decay*voltage)."""
    return decay*(1 - reset_spikes)


def multiplicative_1_d_current(voltage, current, reset_spikes, decay, threshold):
    """d v_t / d current of the multiplicative_1 reset, v_t = (1 - reset_spikes)*(current + decay*voltage)."""
    return 1 - reset_spikes


def multiplicative_1_d_reset_spikes(voltage, current, reset_spikes, decay, threshold):
    """d v_t / d reset_spikes of the multiplicative_1 reset, v_t = (1 - reset_spikes)*(current + decay*voltage)."""
    return -current - decay*voltage


def multiplicative_1_d_decay(voltage, current, reset_spikes, decay, threshold):
    """d v_t / d decay of the multiplicative_1 reset, v_t = (1 - reset_spikes)*(current + decay*voltage)."""
    return voltage*(1 - reset_spikes)


def multiplicative_1_d_threshold(voltage, current, reset_spikes, decay, threshold):
    """d v_t / d threshold of the multiplicative_1 reset, v_t = (1 - reset_spikes)*(current + decay*voltage)."""
    return 0


def multiplicative_2_d_voltage(voltage, current, reset_spikes, decay, threshold):
    """d v_t / d voltage of the multiplicative_2 reset, v_t = current + decay*voltage*(1 - reset_spikes)."""
    return decay*(1 - reset_spikes)


def multiplicative_2_d_current(voltage, current, reset_spikes, decay, threshold):
    """d v_t / d current of the multiplicative_2 reset, v_t = current + decay*voltage*(1 - reset_spikes)."""
    return 1


def multiplicative_2_d_reset_spikes(voltage, current, reset_spikes, decay, threshold):
    """d v_t / d reset_spikes of the multiplicative_2 reset, v_t = current + decay*voltage*(1 - reset_spikes)."""
    return -decay*voltage


def multiplicative_2_d_decay(voltage, current, reset_spikes, decay, threshold):
    """d v_t / d decay of the multiplicative_2 reset, v_t = current + decay*voltage*(1 - reset_spikes)."""
    return voltage*(1 - reset_spikes)


def multiplicative_2_d_threshold(voltage, current, reset_spikes, decay, threshold):
    """d v_t / d threshold of the multiplicative_2 reset, v_t = current + decay*voltage*(1 - reset_spikes)."""
    return 0


def none_d_voltage(voltage, current, reset_spikes, decay, threshold):
    """d v_t / d voltage of the none reset, v_t = current + decay*voltage."""
    return decay


def none_d_current(voltage, current, reset_spikes, decay, threshold):
    """d v_t / d current of the none reset, v_t = current + decay*voltage."""
    return 1


def none_d_reset_spikes(voltage, current, reset_spikes, decay, threshold):
    """d v_t / d reset_spikes of the none reset, v_t = current + decay*voltage."""
    return 0


def none_d_decay(voltage, current, reset_spikes, decay, threshold):
    """d v_t / d decay of the none reset, v_t = current + decay*voltage."""
    return voltage


def none_d_threshold(voltage, current, reset_spikes, decay, threshold):
    """d v_t / d threshold of the none reset, v_t = current + decay*voltage."""
    return 0


KERNELS = {
    'subtractive_d_voltage': subtractive_d_voltage,
    'subtractive_d_current': subtractive_d_current,
    'subtractive_d_reset_spikes': subtractive_d_reset_spikes,
    'subtractive_d_decay': subtractive_d_decay,
    'subtractive_d_threshold': subtractive_d_threshold,
    'multiplicative_1_d_voltage': multiplicative_1_d_voltage,
    'multiplicative_1_d_current': multiplicative_1_d_current,
    'multiplicative_1_d_reset_spikes': multiplicative_1_d_reset_spikes,
    'multiplicative_1_d_decay': multiplicative_1_d_decay,
    'multiplicative_1_d_threshold': multiplicative_1_d_threshold,
    'multiplicative_2_d_voltage': multiplicative_2_d_voltage,
    'multiplicative_2_d_current': multiplicative_2_d_current,
    'multiplicative_2_d_reset_spikes': multiplicative_2_d_reset_spikes,
    'multiplicative_2_d_decay': multiplicative_2_d_decay,
    'multiplicative_2_d_threshold': multiplicative_2_d_threshold,
    'none_d_voltage': none_d_voltage,
    'none_d_current': none_d_current,
    'none_d_reset_spikes': none_d_reset_spikes,
    'none_d_decay': none_d_decay,
    'none_d_threshold': none_d_threshold,
}
