# GENERATED FILE: do not edit by hand.
# Written by `lifstab derive` (derivations/codegen.py) from the SymPy expressions in derivations/.
# Change the derivations, then run `lifstab derive`; tests/test_generated_drift.py fails on drift.


"""Generated torch kernels: edge."""


import torch


def backward_step_variance(leak, surrogate_gradient, field_scale, signal_variance, signal_field, field_variance):
    """E[delta_{t-1}^2] of one neuron, delta_{t-1} = leak delta_t + SG sqrt(field_scale) h_t, h_t Gaussian."""
    return 2*torch.sqrt(field_scale)*leak*signal_field*surrogate_gradient + field_scale*field_variance*surrogate_gradient**2 + leak**2*signal_variance


def backward_step_covariance(leak, surrogate_gradient, field_scale, signal_other, field_other):
    """E[delta_{t-1} Z] of one neuron for a Gaussian Z of its past, from E[delta_t Z] and E[h_t Z]."""
    return field_other*torch.sqrt(field_scale)*surrogate_gradient + leak*signal_other


def backward_step_signal_weight(leak, surrogate_gradient, field_scale):
    """d/dsignal_other of backward_step_covariance (it is linear in signal_other): the signal's weight."""
    return leak


def backward_step_field_weight(leak, surrogate_gradient, field_scale):
    """d/dfield_other of backward_step_covariance (it is linear in field_other): the field's weight."""
    return torch.sqrt(field_scale)*surrogate_gradient


def attached_backward_step_variance(leak, reset_slope, surrogate_gradient, field_scale, signal_variance, signal_field, field_variance):
    """E[delta_{t-1}^2], reset attached: delta_{t-1} = (leak + reset_slope SG) delta_t + SG sqrt(field_scale) h_t."""
    return field_scale*field_variance*surrogate_gradient**2 + signal_field*(2*torch.sqrt(field_scale)*leak*surrogate_gradient + 2*torch.sqrt(field_scale)*reset_slope*surrogate_gradient**2) + signal_variance*(leak**2 + 2*leak*reset_slope*surrogate_gradient + reset_slope**2*surrogate_gradient**2)


def attached_backward_step_covariance(leak, reset_slope, surrogate_gradient, field_scale, signal_other, field_other):
    """E[delta_{t-1} Z], reset attached, from E[delta_t Z] and E[h_t Z]."""
    return field_other*torch.sqrt(field_scale)*surrogate_gradient + signal_other*(leak + reset_slope*surrogate_gradient)


def attached_backward_step_signal_weight(leak, reset_slope, surrogate_gradient, field_scale):
    """d/dsignal_other of attached_backward_step_covariance (linear in signal_other): the signal's weight."""
    return leak + reset_slope*surrogate_gradient


def attached_backward_step_field_weight(leak, reset_slope, surrogate_gradient, field_scale):
    """d/dfield_other of attached_backward_step_covariance (linear in field_other): the field's weight."""
    return torch.sqrt(field_scale)*surrogate_gradient


def alif_step_signal_signal_moment(leak, reset_slope, threshold_slope, surrogate_gradient, field_scale, adaptation_decay, adaptation_strength, signal_variance, signal_field, field_variance, adaptation_variance, signal_adaptation, adaptation_field):
    """E[signal' signal'] of the ALIF backward step (delta' = dL/dv_t-1, adaptation' = eps_t-1), from the moments of (delta_t, eps_t, h_t)."""
    return adaptation_field*(-2*adaptation_decay*torch.sqrt(field_scale)*surrogate_gradient**2 + 2*torch.sqrt(field_scale)*surrogate_gradient**2) + adaptation_variance*(adaptation_decay**2*surrogate_gradient**2 - 2*adaptation_decay*surrogate_gradient**2 + surrogate_gradient**2) + field_scale*field_variance*surrogate_gradient**2 + signal_adaptation*(2*adaptation_decay**2*adaptation_strength*surrogate_gradient**2*threshold_slope - 4*adaptation_decay*adaptation_strength*surrogate_gradient**2*threshold_slope - 2*adaptation_decay*leak*surrogate_gradient - 2*adaptation_decay*reset_slope*surrogate_gradient**2 + 2*adaptation_strength*surrogate_gradient**2*threshold_slope + 2*leak*surrogate_gradient + 2*reset_slope*surrogate_gradient**2) + signal_field*(-2*adaptation_decay*adaptation_strength*torch.sqrt(field_scale)*surrogate_gradient**2*threshold_slope + 2*adaptation_strength*torch.sqrt(field_scale)*surrogate_gradient**2*threshold_slope + 2*torch.sqrt(field_scale)*leak*surrogate_gradient + 2*torch.sqrt(field_scale)*reset_slope*surrogate_gradient**2) + signal_variance*(adaptation_decay**2*adaptation_strength**2*surrogate_gradient**2*threshold_slope**2 - 2*adaptation_decay*adaptation_strength**2*surrogate_gradient**2*threshold_slope**2 - 2*adaptation_decay*adaptation_strength*leak*surrogate_gradient*threshold_slope - 2*adaptation_decay*adaptation_strength*reset_slope*surrogate_gradient**2*threshold_slope + adaptation_strength**2*surrogate_gradient**2*threshold_slope**2 + 2*adaptation_strength*leak*surrogate_gradient*threshold_slope + 2*adaptation_strength*reset_slope*surrogate_gradient**2*threshold_slope + leak**2 + 2*leak*reset_slope*surrogate_gradient + reset_slope**2*surrogate_gradient**2)


def alif_step_adaptation_adaptation_moment(leak, reset_slope, threshold_slope, surrogate_gradient, field_scale, adaptation_decay, adaptation_strength, signal_variance, signal_field, field_variance, adaptation_variance, signal_adaptation, adaptation_field):
    """E[adaptation' adaptation'] of the ALIF backward step (delta' = dL/dv_t-1, adaptation' = eps_t-1), from the moments of (delta_t, eps_t, h_t)."""
    return adaptation_field*(-2*adaptation_decay*adaptation_strength**2*torch.sqrt(field_scale)*surrogate_gradient**2 - 2*adaptation_decay*adaptation_strength*torch.sqrt(field_scale)*surrogate_gradient + 2*adaptation_strength**2*torch.sqrt(field_scale)*surrogate_gradient**2) + adaptation_strength**2*field_scale*field_variance*surrogate_gradient**2 + adaptation_variance*(adaptation_decay**2*adaptation_strength**2*surrogate_gradient**2 + 2*adaptation_decay**2*adaptation_strength*surrogate_gradient + adaptation_decay**2 - 2*adaptation_decay*adaptation_strength**2*surrogate_gradient**2 - 2*adaptation_decay*adaptation_strength*surrogate_gradient + adaptation_strength**2*surrogate_gradient**2) + signal_adaptation*(2*adaptation_decay**2*adaptation_strength**3*surrogate_gradient**2*threshold_slope + 4*adaptation_decay**2*adaptation_strength**2*surrogate_gradient*threshold_slope + 2*adaptation_decay**2*adaptation_strength*threshold_slope - 4*adaptation_decay*adaptation_strength**3*surrogate_gradient**2*threshold_slope - 2*adaptation_decay*adaptation_strength**2*reset_slope*surrogate_gradient**2 - 4*adaptation_decay*adaptation_strength**2*surrogate_gradient*threshold_slope - 2*adaptation_decay*adaptation_strength*reset_slope*surrogate_gradient + 2*adaptation_strength**3*surrogate_gradient**2*threshold_slope + 2*adaptation_strength**2*reset_slope*surrogate_gradient**2) + signal_field*(-2*adaptation_decay*adaptation_strength**3*torch.sqrt(field_scale)*surrogate_gradient**2*threshold_slope - 2*adaptation_decay*adaptation_strength**2*torch.sqrt(field_scale)*surrogate_gradient*threshold_slope + 2*adaptation_strength**3*torch.sqrt(field_scale)*surrogate_gradient**2*threshold_slope + 2*adaptation_strength**2*torch.sqrt(field_scale)*reset_slope*surrogate_gradient**2) + signal_variance*(adaptation_decay**2*adaptation_strength**4*surrogate_gradient**2*threshold_slope**2 + 2*adaptation_decay**2*adaptation_strength**3*surrogate_gradient*threshold_slope**2 + adaptation_decay**2*adaptation_strength**2*threshold_slope**2 - 2*adaptation_decay*adaptation_strength**4*surrogate_gradient**2*threshold_slope**2 - 2*adaptation_decay*adaptation_strength**3*reset_slope*surrogate_gradient**2*threshold_slope - 2*adaptation_decay*adaptation_strength**3*surrogate_gradient*threshold_slope**2 - 2*adaptation_decay*adaptation_strength**2*reset_slope*surrogate_gradient*threshold_slope + adaptation_strength**4*surrogate_gradient**2*threshold_slope**2 + 2*adaptation_strength**3*reset_slope*surrogate_gradient**2*threshold_slope + adaptation_strength**2*reset_slope**2*surrogate_gradient**2)


def alif_step_signal_adaptation_moment(leak, reset_slope, threshold_slope, surrogate_gradient, field_scale, adaptation_decay, adaptation_strength, signal_variance, signal_field, field_variance, adaptation_variance, signal_adaptation, adaptation_field):
    """E[signal' adaptation'] of the ALIF backward step (delta' = dL/dv_t-1, adaptation' = eps_t-1), from the moments of (delta_t, eps_t, h_t)."""
    return adaptation_field*(2*adaptation_decay*adaptation_strength*torch.sqrt(field_scale)*surrogate_gradient**2 + adaptation_decay*torch.sqrt(field_scale)*surrogate_gradient - 2*adaptation_strength*torch.sqrt(field_scale)*surrogate_gradient**2) - adaptation_strength*field_scale*field_variance*surrogate_gradient**2 + adaptation_variance*(-adaptation_decay**2*adaptation_strength*surrogate_gradient**2 - adaptation_decay**2*surrogate_gradient + 2*adaptation_decay*adaptation_strength*surrogate_gradient**2 + adaptation_decay*surrogate_gradient - adaptation_strength*surrogate_gradient**2) + signal_adaptation*(-2*adaptation_decay**2*adaptation_strength**2*surrogate_gradient**2*threshold_slope - 2*adaptation_decay**2*adaptation_strength*surrogate_gradient*threshold_slope + 4*adaptation_decay*adaptation_strength**2*surrogate_gradient**2*threshold_slope + adaptation_decay*adaptation_strength*leak*surrogate_gradient + 2*adaptation_decay*adaptation_strength*reset_slope*surrogate_gradient**2 + 2*adaptation_decay*adaptation_strength*surrogate_gradient*threshold_slope + adaptation_decay*leak + adaptation_decay*reset_slope*surrogate_gradient - 2*adaptation_strength**2*surrogate_gradient**2*threshold_slope - adaptation_strength*leak*surrogate_gradient - 2*adaptation_strength*reset_slope*surrogate_gradient**2) + signal_field*(2*adaptation_decay*adaptation_strength**2*torch.sqrt(field_scale)*surrogate_gradient**2*threshold_slope + adaptation_decay*adaptation_strength*torch.sqrt(field_scale)*surrogate_gradient*threshold_slope - 2*adaptation_strength**2*torch.sqrt(field_scale)*surrogate_gradient**2*threshold_slope - adaptation_strength*torch.sqrt(field_scale)*leak*surrogate_gradient - 2*adaptation_strength*torch.sqrt(field_scale)*reset_slope*surrogate_gradient**2) + signal_variance*(-adaptation_decay**2*adaptation_strength**3*surrogate_gradient**2*threshold_slope**2 - adaptation_decay**2*adaptation_strength**2*surrogate_gradient*threshold_slope**2 + 2*adaptation_decay*adaptation_strength**3*surrogate_gradient**2*threshold_slope**2 + adaptation_decay*adaptation_strength**2*leak*surrogate_gradient*threshold_slope + 2*adaptation_decay*adaptation_strength**2*reset_slope*surrogate_gradient**2*threshold_slope + adaptation_decay*adaptation_strength**2*surrogate_gradient*threshold_slope**2 + adaptation_decay*adaptation_strength*leak*threshold_slope + adaptation_decay*adaptation_strength*reset_slope*surrogate_gradient*threshold_slope - adaptation_strength**3*surrogate_gradient**2*threshold_slope**2 - adaptation_strength**2*leak*surrogate_gradient*threshold_slope - 2*adaptation_strength**2*reset_slope*surrogate_gradient**2*threshold_slope - adaptation_strength*leak*reset_slope*surrogate_gradient - adaptation_strength*reset_slope**2*surrogate_gradient**2)


def alif_step_signal_signal_weight(leak, reset_slope, threshold_slope, surrogate_gradient, field_scale, adaptation_decay, adaptation_strength):
    """d/dsignal_other of E[signal' Z] (linear in it): the weight of the signal in signal'."""
    return -adaptation_decay*adaptation_strength*surrogate_gradient*threshold_slope + adaptation_strength*surrogate_gradient*threshold_slope + leak + reset_slope*surrogate_gradient


def alif_step_signal_adaptation_weight(leak, reset_slope, threshold_slope, surrogate_gradient, field_scale, adaptation_decay, adaptation_strength):
    """d/dadaptation_other of E[signal' Z] (linear in it): the weight of the adaptation in signal'."""
    return -adaptation_decay*surrogate_gradient + surrogate_gradient


def alif_step_signal_field_weight(leak, reset_slope, threshold_slope, surrogate_gradient, field_scale, adaptation_decay, adaptation_strength):
    """d/dfield_other of E[signal' Z] (linear in it): the weight of the field in signal'."""
    return torch.sqrt(field_scale)*surrogate_gradient


def alif_step_adaptation_signal_weight(leak, reset_slope, threshold_slope, surrogate_gradient, field_scale, adaptation_decay, adaptation_strength):
    """d/dsignal_other of E[adaptation' Z] (linear in it): the weight of the signal in adaptation'."""
    return adaptation_decay*adaptation_strength**2*surrogate_gradient*threshold_slope + adaptation_decay*adaptation_strength*threshold_slope - adaptation_strength**2*surrogate_gradient*threshold_slope - adaptation_strength*reset_slope*surrogate_gradient


def alif_step_adaptation_adaptation_weight(leak, reset_slope, threshold_slope, surrogate_gradient, field_scale, adaptation_decay, adaptation_strength):
    """d/dadaptation_other of E[adaptation' Z] (linear in it): the weight of the adaptation in adaptation'."""
    return adaptation_decay*adaptation_strength*surrogate_gradient + adaptation_decay - adaptation_strength*surrogate_gradient


def alif_step_adaptation_field_weight(leak, reset_slope, threshold_slope, surrogate_gradient, field_scale, adaptation_decay, adaptation_strength):
    """d/dfield_other of E[adaptation' Z] (linear in it): the weight of the field in adaptation'."""
    return -adaptation_strength*torch.sqrt(field_scale)*surrogate_gradient


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
    'alif_step_signal_signal_moment': alif_step_signal_signal_moment,
    'alif_step_adaptation_adaptation_moment': alif_step_adaptation_adaptation_moment,
    'alif_step_signal_adaptation_moment': alif_step_signal_adaptation_moment,
    'alif_step_signal_signal_weight': alif_step_signal_signal_weight,
    'alif_step_signal_adaptation_weight': alif_step_signal_adaptation_weight,
    'alif_step_signal_field_weight': alif_step_signal_field_weight,
    'alif_step_adaptation_signal_weight': alif_step_adaptation_signal_weight,
    'alif_step_adaptation_adaptation_weight': alif_step_adaptation_adaptation_weight,
    'alif_step_adaptation_field_weight': alif_step_adaptation_field_weight,
    'field_covariance_term': field_covariance_term,
    'lagged_growth': lagged_growth,
}
