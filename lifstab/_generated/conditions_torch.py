# GENERATED FILE: do not edit by hand.
# Written by `lifstab derive` (derivations/codegen.py) from the SymPy expressions in derivations/.
# Change the derivations, then run `lifstab derive`; tests/test_generated_drift.py fails on drift.


"""Generated torch kernels: conditions."""


import torch


def condition_i_subtractive_paper(n_rec, decay, threshold):
    """Condition I (paper), subtractive reset: recurrent weight mean."""
    return -threshold*(2*decay - 3)/(n_rec - 1)


def mean_balance_subtractive_paper(n_rec, decay, threshold, recurrent_mean):
    """Residual of Condition I's mean balance (paper), subtractive reset."""
    return decay*threshold + (1/2)*recurrent_mean*(n_rec - 1) - 3/2*threshold


def condition_i_subtractive_exact(n_rec, decay, threshold):
    """Condition I (exact), subtractive reset: recurrent weight mean."""
    return -threshold*(2*decay - 3)/(n_rec - 1)


def mean_balance_subtractive_exact(n_rec, decay, threshold, recurrent_mean):
    """Residual of Condition I's mean balance (exact), subtractive reset."""
    return decay*threshold + (1/2)*recurrent_mean*(n_rec - 1) - 3/2*threshold


def condition_i_multiplicative_1_paper(n_rec, decay, threshold):
    """Condition I (paper), multiplicative_1 reset: recurrent weight mean."""
    return -2*threshold*(decay - 1)/(n_rec - 1)


def mean_balance_multiplicative_1_paper(n_rec, decay, threshold, recurrent_mean):
    """Residual of Condition I's mean balance (paper), multiplicative_1 reset."""
    return decay*threshold + (1/2)*recurrent_mean*(n_rec - 1) - threshold


def condition_i_multiplicative_1_exact(n_rec, decay, threshold):
    """Condition I (exact), multiplicative_1 reset: recurrent weight mean."""
    return -2*threshold*(decay - 2)/(n_rec - 1)


def mean_balance_multiplicative_1_exact(n_rec, decay, threshold, recurrent_mean):
    """Residual of Condition I's mean balance (exact), multiplicative_1 reset."""
    return (1/2)*decay*threshold + (1/4)*recurrent_mean*(n_rec - 1) - threshold


def condition_i_multiplicative_2_paper(n_rec, decay, threshold):
    """Condition I (paper), multiplicative_2 reset: recurrent weight mean."""
    return -threshold*(decay - 2)/(n_rec - 1)


def mean_balance_multiplicative_2_paper(n_rec, decay, threshold, recurrent_mean):
    """Residual of Condition I's mean balance (paper), multiplicative_2 reset."""
    return (1/2)*decay*threshold + (1/2)*recurrent_mean*(n_rec - 1) - threshold


def condition_i_multiplicative_2_exact(n_rec, decay, threshold):
    """Condition I (exact), multiplicative_2 reset: recurrent weight mean."""
    return -threshold*(decay - 2)/(n_rec - 1)


def mean_balance_multiplicative_2_exact(n_rec, decay, threshold, recurrent_mean):
    """Residual of Condition I's mean balance (exact), multiplicative_2 reset."""
    return (1/2)*decay*threshold + (1/2)*recurrent_mean*(n_rec - 1) - threshold


def condition_i_none_paper(n_rec, decay, threshold):
    """Condition I (paper), none reset: recurrent weight mean."""
    return -2*threshold*(decay - 1)/(n_rec - 1)


def mean_balance_none_paper(n_rec, decay, threshold, recurrent_mean):
    """Residual of Condition I's mean balance (paper), none reset."""
    return decay*threshold + (1/2)*recurrent_mean*(n_rec - 1) - threshold


def condition_i_none_exact(n_rec, decay, threshold):
    """Condition I (exact), none reset: recurrent weight mean."""
    return -2*threshold*(decay - 1)/(n_rec - 1)


def mean_balance_none_exact(n_rec, decay, threshold, recurrent_mean):
    """Residual of Condition I's mean balance (exact), none reset."""
    return decay*threshold + (1/2)*recurrent_mean*(n_rec - 1) - threshold


def condition_ii_paper(n_in, n_rec, input_second_moment, input_weight_variance, recurrent_mean):
    """Condition II (paper): recurrent weight variance (negative: infeasible)."""
    return 2*input_second_moment*input_weight_variance*n_in/(2*n_rec - 2) - n_rec*recurrent_mean**2/(2*n_rec - 2) + recurrent_mean**2/(2*n_rec - 2)


def variance_balance_paper(n_in, n_rec, input_second_moment, input_weight_variance, recurrent_mean, recurrent_variance):
    """Residual of Condition II's variance balance (paper): recurrent - input."""
    return -input_second_moment*input_weight_variance*n_in + (n_rec - 1)*((1/2)*recurrent_mean**2 + recurrent_variance)


def condition_ii_exact(n_in, n_rec, input_second_moment, input_weight_variance, recurrent_mean):
    """Condition II (exact): recurrent weight variance (negative: infeasible)."""
    return 4*input_second_moment*input_weight_variance*n_in/(2*n_rec - 2) - n_rec*recurrent_mean**2/(2*n_rec - 2) + recurrent_mean**2/(2*n_rec - 2)


def variance_balance_exact(n_in, n_rec, input_second_moment, input_weight_variance, recurrent_mean, recurrent_variance):
    """Residual of Condition II's variance balance (exact): recurrent - input."""
    return -input_second_moment*input_weight_variance*n_in + (n_rec - 1)*((1/4)*recurrent_mean**2 + (1/2)*recurrent_variance)


def condition_iii_subtractive(decay, threshold, positive_sum, negative_sum):
    """Condition III, subtractive reset: per-neuron dampening."""
    return negative_sum*(1 - decay)/(positive_sum*(negative_sum - threshold))


def gain_balance_subtractive(decay, threshold, positive_sum, negative_sum, dampening):
    """Residual of Condition III's gain equation, subtractive reset."""
    return dampening*positive_sum*(negative_sum - threshold) - negative_sum*(1 - decay)


def voltage_min_subtractive(decay, threshold, positive_sum, negative_sum, input_positive_sum, input_negative_sum):
    """The paper's worst-case lowest voltage, subtractive reset."""
    return (input_negative_sum + negative_sum - threshold)/(1 - decay)


def voltage_max_subtractive(decay, threshold, positive_sum, negative_sum, input_positive_sum, input_negative_sum):
    """The paper's worst-case highest voltage, subtractive reset."""
    return (input_positive_sum + positive_sum)/(1 - decay)


def condition_iv_subtractive_paper(decay, threshold, recurrent_square_sum, sg_mean, sg_square_mean, voltage_mean, voltage_square_mean):
    """Condition IV residual (paper), subtractive reset: zero at the solution."""
    return decay**2 + sg_square_mean*(recurrent_square_sum + threshold**2) - 1


def condition_iv_subtractive_paper_dsg_mean(decay, threshold, recurrent_square_sum, sg_mean, sg_square_mean, voltage_mean, voltage_square_mean):
    """d/dsg_mean of condition_iv_subtractive_paper (the residual is linear in it)."""
    return 0


def condition_iv_subtractive_paper_dsg_square_mean(decay, threshold, recurrent_square_sum, sg_mean, sg_square_mean, voltage_mean, voltage_square_mean):
    """d/dsg_square_mean of condition_iv_subtractive_paper (the residual is linear in it)."""
    return recurrent_square_sum + threshold**2


def condition_iv_subtractive_exact_detached(decay, threshold, recurrent_square_sum, sg_mean, sg_square_mean, voltage_mean, voltage_square_mean):
    """Condition IV residual (exact_detached), subtractive reset: zero at the solution."""
    return decay**2 + recurrent_square_sum*sg_square_mean - 1


def condition_iv_subtractive_exact_detached_dsg_mean(decay, threshold, recurrent_square_sum, sg_mean, sg_square_mean, voltage_mean, voltage_square_mean):
    """d/dsg_mean of condition_iv_subtractive_exact_detached (the residual is linear in it)."""
    return 0


def condition_iv_subtractive_exact_detached_dsg_square_mean(decay, threshold, recurrent_square_sum, sg_mean, sg_square_mean, voltage_mean, voltage_square_mean):
    """d/dsg_square_mean of condition_iv_subtractive_exact_detached (the residual is linear in it)."""
    return recurrent_square_sum


def condition_iv_subtractive_exact_attached(decay, threshold, recurrent_square_sum, sg_mean, sg_square_mean, voltage_mean, voltage_square_mean):
    """Condition IV residual (exact_attached), subtractive reset: zero at the solution."""
    return decay**2 - 2*decay*sg_mean*threshold + recurrent_square_sum*sg_square_mean + sg_square_mean*threshold**2 - 1


def condition_iv_subtractive_exact_attached_dsg_mean(decay, threshold, recurrent_square_sum, sg_mean, sg_square_mean, voltage_mean, voltage_square_mean):
    """d/dsg_mean of condition_iv_subtractive_exact_attached (the residual is linear in it)."""
    return -2*decay*threshold


def condition_iv_subtractive_exact_attached_dsg_square_mean(decay, threshold, recurrent_square_sum, sg_mean, sg_square_mean, voltage_mean, voltage_square_mean):
    """d/dsg_square_mean of condition_iv_subtractive_exact_attached (the residual is linear in it)."""
    return recurrent_square_sum + threshold**2


def condition_iii_multiplicative_1(decay, threshold, positive_sum, negative_sum):
    """Condition III, multiplicative_1 reset: per-neuron dampening."""
    return (1 - decay)/positive_sum


def gain_balance_multiplicative_1(decay, threshold, positive_sum, negative_sum, dampening):
    """Residual of Condition III's gain equation, multiplicative_1 reset."""
    return dampening*positive_sum + decay - 1


def voltage_min_multiplicative_1(decay, threshold, positive_sum, negative_sum, input_positive_sum, input_negative_sum):
    """The paper's worst-case lowest voltage, multiplicative_1 reset."""
    return (input_negative_sum + negative_sum)/(1 - decay)


def voltage_max_multiplicative_1(decay, threshold, positive_sum, negative_sum, input_positive_sum, input_negative_sum):
    """The paper's worst-case highest voltage, multiplicative_1 reset."""
    return (input_positive_sum + positive_sum)/(1 - decay)


def condition_iv_multiplicative_1_paper(decay, threshold, recurrent_square_sum, sg_mean, sg_square_mean, voltage_mean, voltage_square_mean):
    """Condition IV residual (paper), multiplicative_1 reset: zero at the solution."""
    return decay**2 + recurrent_square_sum*sg_square_mean - 2


def condition_iv_multiplicative_1_paper_dsg_mean(decay, threshold, recurrent_square_sum, sg_mean, sg_square_mean, voltage_mean, voltage_square_mean):
    """d/dsg_mean of condition_iv_multiplicative_1_paper (the residual is linear in it)."""
    return 0


def condition_iv_multiplicative_1_paper_dsg_square_mean(decay, threshold, recurrent_square_sum, sg_mean, sg_square_mean, voltage_mean, voltage_square_mean):
    """d/dsg_square_mean of condition_iv_multiplicative_1_paper (the residual is linear in it)."""
    return recurrent_square_sum


def condition_iv_multiplicative_1_exact_detached(decay, threshold, recurrent_square_sum, sg_mean, sg_square_mean, voltage_mean, voltage_square_mean):
    """Condition IV residual (exact_detached), multiplicative_1 reset: zero at the solution."""
    return (1/2)*decay**2 + (1/2)*recurrent_square_sum*sg_square_mean - 1


def condition_iv_multiplicative_1_exact_detached_dsg_mean(decay, threshold, recurrent_square_sum, sg_mean, sg_square_mean, voltage_mean, voltage_square_mean):
    """d/dsg_mean of condition_iv_multiplicative_1_exact_detached (the residual is linear in it)."""
    return 0


def condition_iv_multiplicative_1_exact_detached_dsg_square_mean(decay, threshold, recurrent_square_sum, sg_mean, sg_square_mean, voltage_mean, voltage_square_mean):
    """d/dsg_square_mean of condition_iv_multiplicative_1_exact_detached (the residual is linear in it)."""
    return (1/2)*recurrent_square_sum


def condition_iv_multiplicative_1_exact_attached(decay, threshold, recurrent_square_sum, sg_mean, sg_square_mean, voltage_mean, voltage_square_mean):
    """Condition IV residual (exact_attached), multiplicative_1 reset: zero at the solution."""
    return (1/2)*decay**2 - decay*sg_mean*voltage_mean + (1/2)*recurrent_square_sum*sg_square_mean + sg_square_mean*voltage_square_mean - 1


def condition_iv_multiplicative_1_exact_attached_dsg_mean(decay, threshold, recurrent_square_sum, sg_mean, sg_square_mean, voltage_mean, voltage_square_mean):
    """d/dsg_mean of condition_iv_multiplicative_1_exact_attached (the residual is linear in it)."""
    return -decay*voltage_mean


def condition_iv_multiplicative_1_exact_attached_dsg_square_mean(decay, threshold, recurrent_square_sum, sg_mean, sg_square_mean, voltage_mean, voltage_square_mean):
    """d/dsg_square_mean of condition_iv_multiplicative_1_exact_attached (the residual is linear in it)."""
    return (1/2)*recurrent_square_sum + voltage_square_mean


def condition_iii_multiplicative_2(decay, threshold, positive_sum, negative_sum):
    """Condition III, multiplicative_2 reset: per-neuron dampening."""
    return (1 - decay)/positive_sum


def gain_balance_multiplicative_2(decay, threshold, positive_sum, negative_sum, dampening):
    """Residual of Condition III's gain equation, multiplicative_2 reset."""
    return dampening*positive_sum + decay - 1


def voltage_min_multiplicative_2(decay, threshold, positive_sum, negative_sum, input_positive_sum, input_negative_sum):
    """The paper's worst-case lowest voltage, multiplicative_2 reset."""
    return (input_negative_sum + negative_sum)/(1 - decay)


def voltage_max_multiplicative_2(decay, threshold, positive_sum, negative_sum, input_positive_sum, input_negative_sum):
    """The paper's worst-case highest voltage, multiplicative_2 reset."""
    return (input_positive_sum + positive_sum)/(1 - decay)


def condition_iv_multiplicative_2_paper(decay, threshold, recurrent_square_sum, sg_mean, sg_square_mean, voltage_mean, voltage_square_mean):
    """Condition IV residual (paper), multiplicative_2 reset: zero at the solution."""
    return (1/2)*decay**2 + recurrent_square_sum*sg_square_mean - 1


def condition_iv_multiplicative_2_paper_dsg_mean(decay, threshold, recurrent_square_sum, sg_mean, sg_square_mean, voltage_mean, voltage_square_mean):
    """d/dsg_mean of condition_iv_multiplicative_2_paper (the residual is linear in it)."""
    return 0


def condition_iv_multiplicative_2_paper_dsg_square_mean(decay, threshold, recurrent_square_sum, sg_mean, sg_square_mean, voltage_mean, voltage_square_mean):
    """d/dsg_square_mean of condition_iv_multiplicative_2_paper (the residual is linear in it)."""
    return recurrent_square_sum


def condition_iv_multiplicative_2_exact_detached(decay, threshold, recurrent_square_sum, sg_mean, sg_square_mean, voltage_mean, voltage_square_mean):
    """Condition IV residual (exact_detached), multiplicative_2 reset: zero at the solution."""
    return (1/2)*decay**2 + recurrent_square_sum*sg_square_mean - 1


def condition_iv_multiplicative_2_exact_detached_dsg_mean(decay, threshold, recurrent_square_sum, sg_mean, sg_square_mean, voltage_mean, voltage_square_mean):
    """d/dsg_mean of condition_iv_multiplicative_2_exact_detached (the residual is linear in it)."""
    return 0


def condition_iv_multiplicative_2_exact_detached_dsg_square_mean(decay, threshold, recurrent_square_sum, sg_mean, sg_square_mean, voltage_mean, voltage_square_mean):
    """d/dsg_square_mean of condition_iv_multiplicative_2_exact_detached (the residual is linear in it)."""
    return recurrent_square_sum


def condition_iv_multiplicative_2_exact_attached(decay, threshold, recurrent_square_sum, sg_mean, sg_square_mean, voltage_mean, voltage_square_mean):
    """Condition IV residual (exact_attached), multiplicative_2 reset: zero at the solution."""
    return -decay**2*sg_mean*voltage_mean + decay**2*sg_square_mean*voltage_square_mean + (1/2)*decay**2 + recurrent_square_sum*sg_square_mean - 1


def condition_iv_multiplicative_2_exact_attached_dsg_mean(decay, threshold, recurrent_square_sum, sg_mean, sg_square_mean, voltage_mean, voltage_square_mean):
    """d/dsg_mean of condition_iv_multiplicative_2_exact_attached (the residual is linear in it)."""
    return -decay**2*voltage_mean


def condition_iv_multiplicative_2_exact_attached_dsg_square_mean(decay, threshold, recurrent_square_sum, sg_mean, sg_square_mean, voltage_mean, voltage_square_mean):
    """d/dsg_square_mean of condition_iv_multiplicative_2_exact_attached (the residual is linear in it)."""
    return decay**2*voltage_square_mean + recurrent_square_sum


def condition_iii_none(decay, threshold, positive_sum, negative_sum):
    """Condition III, none reset: per-neuron dampening."""
    return (1 - decay)/positive_sum


def gain_balance_none(decay, threshold, positive_sum, negative_sum, dampening):
    """Residual of Condition III's gain equation, none reset."""
    return dampening*positive_sum + decay - 1


def voltage_min_none(decay, threshold, positive_sum, negative_sum, input_positive_sum, input_negative_sum):
    """The paper's worst-case lowest voltage, none reset."""
    return (input_negative_sum + negative_sum)/(1 - decay)


def voltage_max_none(decay, threshold, positive_sum, negative_sum, input_positive_sum, input_negative_sum):
    """The paper's worst-case highest voltage, none reset."""
    return (input_positive_sum + positive_sum)/(1 - decay)


def condition_iv_none_paper(decay, threshold, recurrent_square_sum, sg_mean, sg_square_mean, voltage_mean, voltage_square_mean):
    """Condition IV residual (paper), none reset: zero at the solution."""
    return decay**2 + recurrent_square_sum*sg_square_mean - 1


def condition_iv_none_paper_dsg_mean(decay, threshold, recurrent_square_sum, sg_mean, sg_square_mean, voltage_mean, voltage_square_mean):
    """d/dsg_mean of condition_iv_none_paper (the residual is linear in it)."""
    return 0


def condition_iv_none_paper_dsg_square_mean(decay, threshold, recurrent_square_sum, sg_mean, sg_square_mean, voltage_mean, voltage_square_mean):
    """d/dsg_square_mean of condition_iv_none_paper (the residual is linear in it)."""
    return recurrent_square_sum


def condition_iv_none_exact_detached(decay, threshold, recurrent_square_sum, sg_mean, sg_square_mean, voltage_mean, voltage_square_mean):
    """Condition IV residual (exact_detached), none reset: zero at the solution."""
    return decay**2 + recurrent_square_sum*sg_square_mean - 1


def condition_iv_none_exact_detached_dsg_mean(decay, threshold, recurrent_square_sum, sg_mean, sg_square_mean, voltage_mean, voltage_square_mean):
    """d/dsg_mean of condition_iv_none_exact_detached (the residual is linear in it)."""
    return 0


def condition_iv_none_exact_detached_dsg_square_mean(decay, threshold, recurrent_square_sum, sg_mean, sg_square_mean, voltage_mean, voltage_square_mean):
    """d/dsg_square_mean of condition_iv_none_exact_detached (the residual is linear in it)."""
    return recurrent_square_sum


def condition_iv_none_exact_attached(decay, threshold, recurrent_square_sum, sg_mean, sg_square_mean, voltage_mean, voltage_square_mean):
    """Condition IV residual (exact_attached), none reset: zero at the solution."""
    return decay**2 + recurrent_square_sum*sg_square_mean - 1


def condition_iv_none_exact_attached_dsg_mean(decay, threshold, recurrent_square_sum, sg_mean, sg_square_mean, voltage_mean, voltage_square_mean):
    """d/dsg_mean of condition_iv_none_exact_attached (the residual is linear in it)."""
    return 0


def condition_iv_none_exact_attached_dsg_square_mean(decay, threshold, recurrent_square_sum, sg_mean, sg_square_mean, voltage_mean, voltage_square_mean):
    """d/dsg_square_mean of condition_iv_none_exact_attached (the residual is linear in it)."""
    return recurrent_square_sum


def rate_chain_shift_subtractive(voltage, reset_spikes, decay, threshold):
    """Condition I (exact), subtractive reset: v_t = shift + gain * I_t, z = H(v - theta)."""
    return decay*voltage - reset_spikes*threshold


def rate_chain_gain_subtractive(voltage, reset_spikes, decay, threshold):
    """Condition I (exact), subtractive reset: the gain of the current in v_t."""
    return 1


def rate_chain_shift_multiplicative_1(voltage, reset_spikes, decay, threshold):
    """Condition I (exact), multiplicative_1 reset: v_t = shift + gain * I_t, z = H(v - theta)."""
    return -decay*reset_spikes*voltage + decay*voltage


def rate_chain_gain_multiplicative_1(voltage, reset_spikes, decay, threshold):
    """Condition I (exact), multiplicative_1 reset: the gain of the current in v_t."""
    return 1 - reset_spikes


def rate_chain_shift_multiplicative_2(voltage, reset_spikes, decay, threshold):
    """Condition I (exact), multiplicative_2 reset: v_t = shift + gain * I_t, z = H(v - theta)."""
    return -decay*reset_spikes*voltage + decay*voltage


def rate_chain_gain_multiplicative_2(voltage, reset_spikes, decay, threshold):
    """Condition I (exact), multiplicative_2 reset: the gain of the current in v_t."""
    return 1


def rate_chain_shift_none(voltage, reset_spikes, decay, threshold):
    """Condition I (exact), none reset: v_t = shift + gain * I_t, z = H(v - theta)."""
    return decay*voltage


def rate_chain_gain_none(voltage, reset_spikes, decay, threshold):
    """Condition I (exact), none reset: the gain of the current in v_t."""
    return 1


def current_mean(n_in, n_rec, input_mean, input_var, input_weight_variance, recurrent_mean, recurrent_variance, rate, rate_square_mean):
    """Condition I (exact): the input current's mean."""
    return rate*recurrent_mean*(n_rec - 1)


def current_quenched_variance(n_in, n_rec, input_mean, input_var, input_weight_variance, recurrent_mean, recurrent_variance, rate, rate_square_mean):
    """Condition I (exact): the input current's quenched variance."""
    return input_mean**2*input_weight_variance*n_in + rate_square_mean*recurrent_variance*(n_rec - 1)


def current_temporal_variance(n_in, n_rec, input_mean, input_var, input_weight_variance, recurrent_mean, recurrent_variance, rate, rate_square_mean):
    """Condition I (exact): the input current's temporal variance."""
    return input_var*input_weight_variance*n_in + (n_rec - 1)*(rate - rate_square_mean)*(recurrent_mean**2 + recurrent_variance)


def gaussian_positive_part(mean, std):
    """E[max(W, 0)], W ~ N(mean, std^2)."""
    return torch.where((std == 0), torch.clamp(mean, min=0), -1/2*mean*torch.special.erfc(0.70710678118654752*mean/std) + mean + 0.39894228040143268*std*torch.exp(-1/2*mean**2/std**2))


def gaussian_negative_part(mean, std):
    """E[min(W, 0)], W ~ N(mean, std^2)."""
    return torch.where((std == 0), torch.clamp(mean, max=0), (1/2)*mean*torch.special.erfc(0.70710678118654752*mean/std) - 0.39894228040143268*std*torch.exp(-1/2*mean**2/std**2))


KERNELS = {
    'condition_i_subtractive_paper': condition_i_subtractive_paper,
    'mean_balance_subtractive_paper': mean_balance_subtractive_paper,
    'condition_i_subtractive_exact': condition_i_subtractive_exact,
    'mean_balance_subtractive_exact': mean_balance_subtractive_exact,
    'condition_i_multiplicative_1_paper': condition_i_multiplicative_1_paper,
    'mean_balance_multiplicative_1_paper': mean_balance_multiplicative_1_paper,
    'condition_i_multiplicative_1_exact': condition_i_multiplicative_1_exact,
    'mean_balance_multiplicative_1_exact': mean_balance_multiplicative_1_exact,
    'condition_i_multiplicative_2_paper': condition_i_multiplicative_2_paper,
    'mean_balance_multiplicative_2_paper': mean_balance_multiplicative_2_paper,
    'condition_i_multiplicative_2_exact': condition_i_multiplicative_2_exact,
    'mean_balance_multiplicative_2_exact': mean_balance_multiplicative_2_exact,
    'condition_i_none_paper': condition_i_none_paper,
    'mean_balance_none_paper': mean_balance_none_paper,
    'condition_i_none_exact': condition_i_none_exact,
    'mean_balance_none_exact': mean_balance_none_exact,
    'condition_ii_paper': condition_ii_paper,
    'variance_balance_paper': variance_balance_paper,
    'condition_ii_exact': condition_ii_exact,
    'variance_balance_exact': variance_balance_exact,
    'condition_iii_subtractive': condition_iii_subtractive,
    'gain_balance_subtractive': gain_balance_subtractive,
    'voltage_min_subtractive': voltage_min_subtractive,
    'voltage_max_subtractive': voltage_max_subtractive,
    'condition_iv_subtractive_paper': condition_iv_subtractive_paper,
    'condition_iv_subtractive_paper_dsg_mean': condition_iv_subtractive_paper_dsg_mean,
    'condition_iv_subtractive_paper_dsg_square_mean': condition_iv_subtractive_paper_dsg_square_mean,
    'condition_iv_subtractive_exact_detached': condition_iv_subtractive_exact_detached,
    'condition_iv_subtractive_exact_detached_dsg_mean': condition_iv_subtractive_exact_detached_dsg_mean,
    'condition_iv_subtractive_exact_detached_dsg_square_mean': condition_iv_subtractive_exact_detached_dsg_square_mean,
    'condition_iv_subtractive_exact_attached': condition_iv_subtractive_exact_attached,
    'condition_iv_subtractive_exact_attached_dsg_mean': condition_iv_subtractive_exact_attached_dsg_mean,
    'condition_iv_subtractive_exact_attached_dsg_square_mean': condition_iv_subtractive_exact_attached_dsg_square_mean,
    'condition_iii_multiplicative_1': condition_iii_multiplicative_1,
    'gain_balance_multiplicative_1': gain_balance_multiplicative_1,
    'voltage_min_multiplicative_1': voltage_min_multiplicative_1,
    'voltage_max_multiplicative_1': voltage_max_multiplicative_1,
    'condition_iv_multiplicative_1_paper': condition_iv_multiplicative_1_paper,
    'condition_iv_multiplicative_1_paper_dsg_mean': condition_iv_multiplicative_1_paper_dsg_mean,
    'condition_iv_multiplicative_1_paper_dsg_square_mean': condition_iv_multiplicative_1_paper_dsg_square_mean,
    'condition_iv_multiplicative_1_exact_detached': condition_iv_multiplicative_1_exact_detached,
    'condition_iv_multiplicative_1_exact_detached_dsg_mean': condition_iv_multiplicative_1_exact_detached_dsg_mean,
    'condition_iv_multiplicative_1_exact_detached_dsg_square_mean': condition_iv_multiplicative_1_exact_detached_dsg_square_mean,
    'condition_iv_multiplicative_1_exact_attached': condition_iv_multiplicative_1_exact_attached,
    'condition_iv_multiplicative_1_exact_attached_dsg_mean': condition_iv_multiplicative_1_exact_attached_dsg_mean,
    'condition_iv_multiplicative_1_exact_attached_dsg_square_mean': condition_iv_multiplicative_1_exact_attached_dsg_square_mean,
    'condition_iii_multiplicative_2': condition_iii_multiplicative_2,
    'gain_balance_multiplicative_2': gain_balance_multiplicative_2,
    'voltage_min_multiplicative_2': voltage_min_multiplicative_2,
    'voltage_max_multiplicative_2': voltage_max_multiplicative_2,
    'condition_iv_multiplicative_2_paper': condition_iv_multiplicative_2_paper,
    'condition_iv_multiplicative_2_paper_dsg_mean': condition_iv_multiplicative_2_paper_dsg_mean,
    'condition_iv_multiplicative_2_paper_dsg_square_mean': condition_iv_multiplicative_2_paper_dsg_square_mean,
    'condition_iv_multiplicative_2_exact_detached': condition_iv_multiplicative_2_exact_detached,
    'condition_iv_multiplicative_2_exact_detached_dsg_mean': condition_iv_multiplicative_2_exact_detached_dsg_mean,
    'condition_iv_multiplicative_2_exact_detached_dsg_square_mean': condition_iv_multiplicative_2_exact_detached_dsg_square_mean,
    'condition_iv_multiplicative_2_exact_attached': condition_iv_multiplicative_2_exact_attached,
    'condition_iv_multiplicative_2_exact_attached_dsg_mean': condition_iv_multiplicative_2_exact_attached_dsg_mean,
    'condition_iv_multiplicative_2_exact_attached_dsg_square_mean': condition_iv_multiplicative_2_exact_attached_dsg_square_mean,
    'condition_iii_none': condition_iii_none,
    'gain_balance_none': gain_balance_none,
    'voltage_min_none': voltage_min_none,
    'voltage_max_none': voltage_max_none,
    'condition_iv_none_paper': condition_iv_none_paper,
    'condition_iv_none_paper_dsg_mean': condition_iv_none_paper_dsg_mean,
    'condition_iv_none_paper_dsg_square_mean': condition_iv_none_paper_dsg_square_mean,
    'condition_iv_none_exact_detached': condition_iv_none_exact_detached,
    'condition_iv_none_exact_detached_dsg_mean': condition_iv_none_exact_detached_dsg_mean,
    'condition_iv_none_exact_detached_dsg_square_mean': condition_iv_none_exact_detached_dsg_square_mean,
    'condition_iv_none_exact_attached': condition_iv_none_exact_attached,
    'condition_iv_none_exact_attached_dsg_mean': condition_iv_none_exact_attached_dsg_mean,
    'condition_iv_none_exact_attached_dsg_square_mean': condition_iv_none_exact_attached_dsg_square_mean,
    'rate_chain_shift_subtractive': rate_chain_shift_subtractive,
    'rate_chain_gain_subtractive': rate_chain_gain_subtractive,
    'rate_chain_shift_multiplicative_1': rate_chain_shift_multiplicative_1,
    'rate_chain_gain_multiplicative_1': rate_chain_gain_multiplicative_1,
    'rate_chain_shift_multiplicative_2': rate_chain_shift_multiplicative_2,
    'rate_chain_gain_multiplicative_2': rate_chain_gain_multiplicative_2,
    'rate_chain_shift_none': rate_chain_shift_none,
    'rate_chain_gain_none': rate_chain_gain_none,
    'current_mean': current_mean,
    'current_quenched_variance': current_quenched_variance,
    'current_temporal_variance': current_temporal_variance,
    'gaussian_positive_part': gaussian_positive_part,
    'gaussian_negative_part': gaussian_negative_part,
}
