# GENERATED FILE: do not edit by hand.
# Written by `lifstab derive` (derivations/codegen.py) from the SymPy expressions in derivations/.
# Change the derivations, then run `lifstab derive`; tests/test_generated_drift.py fails on drift.


"""Generated numpy kernels: edge."""


import numpy


def backward_step_variance(leak, surrogate_gradient, field_scale, signal_variance, signal_field, field_variance):
    """E[delta_{t-1}^2] of one neuron, delta_{t-1} = leak delta_t + SG sqrt(field_scale) h_t, h_t Gaussian."""
    return 2*numpy.sqrt(field_scale)*leak*signal_field*surrogate_gradient + field_scale*field_variance*surrogate_gradient**2 + leak**2*signal_variance


def backward_step_covariance(leak, surrogate_gradient, field_scale, signal_other, field_other):
    """E[delta_{t-1} Z] of one neuron for a Gaussian Z of its past, from E[delta_t Z] and E[h_t Z]."""
    return field_other*numpy.sqrt(field_scale)*surrogate_gradient + leak*signal_other


def backward_step_signal_weight(leak, surrogate_gradient, field_scale):
    """d/dsignal_other of backward_step_covariance (it is linear in signal_other): the signal's weight."""
    return leak


def backward_step_field_weight(leak, surrogate_gradient, field_scale):
    """d/dfield_other of backward_step_covariance (it is linear in field_other): the field's weight."""
    return numpy.sqrt(field_scale)*surrogate_gradient


def attached_backward_step_variance(leak, reset_slope, surrogate_gradient, field_scale, signal_variance, signal_field, field_variance):
    """E[delta_{t-1}^2], reset attached: delta_{t-1} = (leak + reset_slope SG) delta_t + SG sqrt(field_scale) h_t."""
    return field_scale*field_variance*surrogate_gradient**2 + signal_field*(2*numpy.sqrt(field_scale)*leak*surrogate_gradient + 2*numpy.sqrt(field_scale)*reset_slope*surrogate_gradient**2) + signal_variance*(leak**2 + 2*leak*reset_slope*surrogate_gradient + reset_slope**2*surrogate_gradient**2)


def attached_backward_step_covariance(leak, reset_slope, surrogate_gradient, field_scale, signal_other, field_other):
    """E[delta_{t-1} Z], reset attached, from E[delta_t Z] and E[h_t Z]."""
    return field_other*numpy.sqrt(field_scale)*surrogate_gradient + signal_other*(leak + reset_slope*surrogate_gradient)


def attached_backward_step_signal_weight(leak, reset_slope, surrogate_gradient, field_scale):
    """d/dsignal_other of attached_backward_step_covariance (linear in signal_other): the signal's weight."""
    return leak + reset_slope*surrogate_gradient


def attached_backward_step_field_weight(leak, reset_slope, surrogate_gradient, field_scale):
    """d/dfield_other of attached_backward_step_covariance (linear in field_other): the field's weight."""
    return numpy.sqrt(field_scale)*surrogate_gradient


def field_covariance_term(gain_t, gain_s, signal_covariance):
    """One neuron's term g_i(t) g_i(s) E[delta_i(t) delta_i(s)] of the field covariance R(t, s)."""
    return gain_s*gain_t*signal_covariance


def lagged_growth(decay, recurrent_square_sum, lag_weighted_sg):
    """Prototype growth factor abar^2 + (n-1) E[W^2] (E[SG^2] + 2 sum_k abar^k E[SG_t SG_t-k])."""
    return decay**2 + lag_weighted_sg*recurrent_square_sum


KERNELS = {
    'backward_step_variance': backward_step_variance,
    'backward_step_covariance': backward_step_covariance,
    'backward_step_signal_weight': backward_step_signal_weight,
    'backward_step_field_weight': backward_step_field_weight,
    'attached_backward_step_variance': attached_backward_step_variance,
    'attached_backward_step_covariance': attached_backward_step_covariance,
    'attached_backward_step_signal_weight': attached_backward_step_signal_weight,
    'attached_backward_step_field_weight': attached_backward_step_field_weight,
    'field_covariance_term': field_covariance_term,
    'lagged_growth': lagged_growth,
}
