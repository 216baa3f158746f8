"""The edge of stability (docs/guide/edge.md): the BPTT growth factor ``rho`` and its condition
``rho(beta_c) = 1``.

**The mean-field condition** (method ``"dmft"``). BPTT propagates the backward signal of neuron ``j``
(``delta_t = dL/dv_t``) by

``delta_{t-1} = d_t delta_t + SG_{t-1} sqrt(S_j) h_t``,

``d_t`` the leak (``dv_t/dv_{t-1}`` at fixed current, detached reset), ``SG_{t-1}`` the surrogate at
the previous voltage, ``S_j = sum_i W_ji^2`` and ``sqrt(S_j) h_t = sum_i W_ji g_i(t) delta_i(t)`` the
recurrent field (``g = dv/dI``). For large ``n`` the field is Gaussian, independent of neuron ``j``'s
own trajectory, with the same normalised covariance for every neuron,
``R(t, s) = mean_i g_i(t) g_i(s) E[delta_i(t) delta_i(s)]``: correlated across time because ``W`` is
quenched. Given one forward probe (the ``d``, ``g`` and ``SG`` that occurred), the recursion is *linear*
in the Gaussian fields, so every expectation over them is a second moment, derived here in closed form
(:func:`backward_step_variance`, :func:`backward_step_covariance`): no sampling and no quadrature.
The predicted per-step growth of the squared gradient norm is ``Gamma_t = mean_j E[delta_j(t-1)^2] /
mean_j E[delta_j(t)^2]`` and the protocol's ``ln rho`` its mean log over the growth window
(:data:`LOG_GROWTH`; the edge is where it is 0).

**The attached reset** (the reset's spike keeps its gradient). The reset term of ``v_t`` depends on
``z_{t-1} = H(v_{t-1} - theta)``, so the diagonal of the step gains ``r_t SG_{t-1}``, ``r_t = dv_t/dz_{t-1}``
the reset's slope (``-theta`` subtractive, ``-(alpha v_{t-1} + I_t)`` multiplicative_1, ``-alpha
v_{t-1}`` multiplicative_2, 0 without reset): ``delta_{t-1} = (d_t + r_t SG_{t-1}) delta_t + SG_{t-1}
sqrt(S_j) h_t`` (:data:`ATTACHED_BACKWARD_STEP`). The same ``SG_{t-1}`` multiplies the diagonal and the
field; given the probe both are numbers of the probed trajectory, so the correlation between the two
terms is carried exactly and the step stays linear in the Gaussian variables: its second moments
(:func:`backward_step_variance` with ``attached=True``) hold ``(d + r SG)^2 E[delta^2]``, ``2 (d + r
SG) SG sqrt(S) E[delta h]`` and ``SG^2 S R(t, t)``, and the neuron average over the probe takes the
products ``E[(d + r SG)^2]``, ``E[SG (d + r SG)]`` over the voltages that occurred. ``r = 0`` gives the
detached step back.

**The lagged prototype** (method ``"lagged"``, docs/theory.md section 7's lead (a), kept as a
baseline): ``rho ~ abar^2 + (n - 1) E[W^2] (E[SG_t^2] + 2 sum_k abar^k E[SG_t SG_{t-k}])``. It treats the
backward signal as perfectly correlated over every lag, which over-counts (see lifstab/stability.py).
"""

import sympy as sp

from .lif import alpha

#: (n - 1) E[W^2], the recurrent weights' second moment summed over a neuron's inputs
recurrent_square_sum = sp.Symbol("recurrent_square_sum", nonnegative=True)
#: E[SG_t^2] + 2 sum_{k >= 1} abar^k E[SG_t SG_{t-k}]
lag_weighted_sg = sp.Symbol("lag_weighted_sg", nonnegative=True)

LAGGED_GROWTH = alpha**2 + recurrent_square_sum * lag_weighted_sg
LAGGED_ARGS = (alpha, recurrent_square_sum, lag_weighted_sg)

# ----------------------------------------------------------------------------------------------------
# the mean-field backward step: closed-form second moments over the Gaussian recurrent field

#: the step's coefficients for one neuron: leak d_t, surrogate SG_{t-1}, field scale S_j = sum_i W_ji^2
leak = sp.Symbol("leak", real=True)
surrogate_gradient = sp.Symbol("surrogate_gradient", nonnegative=True)
field_scale = sp.Symbol("field_scale", nonnegative=True)
#: the jointly Gaussian variables of one step: the backward signal delta_t, the normalised field h_t,
#: and any other variable Z of the same neuron's past (a later backward signal or field)
signal, field, other = sp.symbols("delta_t h_t Z", real=True)
#: the ALIF layer's second backward variable: the adaptation's adjoint eps_t (dL/da_t but through v_t)
adaptation_adjoint = sp.Symbol("epsilon_t", real=True)
#: their second moments (the kernels' arguments)
signal_variance = sp.Symbol("signal_variance", nonnegative=True)       # E[delta_t^2]
field_variance = sp.Symbol("field_variance", nonnegative=True)         # E[h_t^2] = R(t, t)
signal_field = sp.Symbol("signal_field", real=True)                    # E[delta_t h_t]
signal_other = sp.Symbol("signal_other", real=True)                    # E[delta_t Z]
field_other = sp.Symbol("field_other", real=True)                      # E[h_t Z]
#: the gains g_i(t), g_i(s) and E[delta_i(t) delta_i(s)] of one neuron, for the field covariance
gain_t, gain_s = sp.symbols("gain_t gain_s", real=True)
signal_covariance = sp.Symbol("signal_covariance", real=True)

#: the backward step delta_{t-1} as a linear form in the Gaussian variables
BACKWARD_STEP = leak * signal + surrogate_gradient * sp.sqrt(field_scale) * field

#: the reset's slope r_t = dv_t/dz_{t-1} through the reset term (the attached reset)
reset_slope = sp.Symbol("reset_slope", real=True)
#: the attached reset's diagonal dv_t/dv_{t-1} = d_t + r_t SG_{t-1}: the spike's surrogate enters it
ATTACHED_DIAGONAL = leak + reset_slope * surrogate_gradient
#: the backward step with the reset attached: the same surrogate in the diagonal and in the field term
ATTACHED_BACKWARD_STEP = BACKWARD_STEP.subs(leak, ATTACHED_DIAGONAL)

#: the adaptation adjoint's moments (ALIF)
adaptation_variance = sp.Symbol("adaptation_variance", nonnegative=True)   # E[eps_t^2]
signal_adaptation = sp.Symbol("signal_adaptation", real=True)              # E[delta_t eps_t]
adaptation_field = sp.Symbol("adaptation_field", real=True)                # E[eps_t h_t]
adaptation_other = sp.Symbol("adaptation_other", real=True)                # E[eps_t Z]

_MOMENTS = {
    (signal, signal): signal_variance, (field, field): field_variance, (signal, field): signal_field,
    (signal, other): signal_other, (field, other): field_other,
    (adaptation_adjoint, adaptation_adjoint): adaptation_variance, (signal, adaptation_adjoint): signal_adaptation,
    (field, adaptation_adjoint): adaptation_field, (other, adaptation_adjoint): adaptation_other,
}


def gaussian_second_moment(a: sp.Expr, b: sp.Expr) -> sp.Expr:
    """``E[a b]`` for linear forms ``a``, ``b`` in the zero-mean jointly Gaussian ``delta_t, h_t, Z`` (and
    ``eps_t``, ALIF) (coefficients deterministic), by linearity of the expectation: each monomial ``x y`` of
    the expanded product becomes its second moment."""
    variables = (signal, field, other, adaptation_adjoint)
    poly = sp.Poly(sp.expand(a * b), *variables)
    total = sp.Integer(0)
    for powers, coefficient in poly.terms():
        pair = tuple(v for v, p in zip(variables, powers) for _ in range(p))
        if len(pair) != 2:
            raise ValueError(f"E[a b] needs linear forms without constant terms; got monomial {powers}")
        key = pair if pair in _MOMENTS else pair[::-1]
        total += coefficient * _MOMENTS[key]
    return total


def backward_step(attached: bool = False) -> sp.Expr:
    """The backward step: :data:`BACKWARD_STEP` (reset detached) or :data:`ATTACHED_BACKWARD_STEP`."""
    return ATTACHED_BACKWARD_STEP if attached else BACKWARD_STEP


def backward_step_variance(attached: bool = False) -> sp.Expr:
    """``E[delta_{t-1}^2]`` of one neuron: ``d^2 E[delta^2] + 2 d SG sqrt(S) E[delta h] + SG^2 S R(t, t)``,
    with ``d`` replaced by ``d + r SG`` when the reset is ``attached``."""
    return gaussian_second_moment(backward_step(attached), backward_step(attached))


def backward_step_covariance(attached: bool = False) -> sp.Expr:
    """``E[delta_{t-1} Z]`` for a variable ``Z`` of the neuron's past: ``d E[delta Z] + SG sqrt(S) E[h Z]``
    (``d + r SG`` for ``d`` when ``attached``).
    With ``Z = delta_s`` it is the covariance row of the backward signal; with ``Z = h_u`` and the step
    taken at ``s + 1``, the covariance ``E[h_u delta_s]`` of a field with a later signal."""
    return gaussian_second_moment(backward_step(attached), other)


#: one neuron's term of the field covariance R(t, s) = mean_i g_i(t) g_i(s) E[delta_i(t) delta_i(s)]
FIELD_COVARIANCE_TERM = gain_t * gain_s * signal_covariance

VARIANCE_ARGS = (leak, surrogate_gradient, field_scale, signal_variance, signal_field, field_variance)
COVARIANCE_ARGS = (leak, surrogate_gradient, field_scale, signal_other, field_other)
FIELD_TERM_ARGS = (gain_t, gain_s, signal_covariance)
#: the attached reset's kernels take the reset's slope after the leak
ATTACHED_VARIANCE_ARGS = (leak, reset_slope, *VARIANCE_ARGS[1:])
ATTACHED_COVARIANCE_ARGS = (leak, reset_slope, *COVARIANCE_ARGS[1:])

#: the edge condition: the protocol's ln rho over the window [t_1, t_2) of per-step growths Gamma_t
step, first_step, last_step = sp.symbols("t t_1 t_2", integer=True)
growth = sp.Function("Gamma")
LOG_GROWTH = sp.Sum(sp.log(growth(step)), (step, first_step, last_step - 1)) / (last_step - first_step)


# ----------------------------------------------------------------------------------------------------
# ALIF: the adaptive threshold A_t = theta + b a_t, a_t = rho_a a_{t-1} + (1 - rho_a) z_{t-1}

#: the ALIF step's coefficients: dv_t/dA_t through the reset term (-z_{t-1} subtractive, 0
#: multiplicative), the adaptation's decay rho_a and strength b
threshold_slope = sp.Symbol("threshold_slope", real=True)
adaptation_decay = sp.Symbol("adaptation_decay", nonnegative=True)
adaptation_strength = sp.Symbol("adaptation_strength", nonnegative=True)
#: the whole dL/da_t: the adjoint eps_t (through z_t and a_{t+1}) plus the threshold's path into v_t
ALIF_ADAPTATION_TOTAL = adaptation_adjoint + threshold_slope * adaptation_strength * signal
#: dL/dz_{t-1}: the recurrent field, the attached reset's slope (0 detached), the adaptation a_t
ALIF_SPIKE_ADJOINT = (sp.sqrt(field_scale) * field + reset_slope * signal
                      + (1 - adaptation_decay) * ALIF_ADAPTATION_TOTAL)
#: the ALIF backward step, two components: delta_{t-1} (z_{t-1} = H(v_{t-1} - A_{t-1}): SG at v - A) and
#: eps_{t-1} (a_{t-1} reaches a_t and, through the threshold, z_{t-1})
ALIF_BACKWARD_STEP = leak * signal + surrogate_gradient * ALIF_SPIKE_ADJOINT
ALIF_ADAPTATION_STEP = (adaptation_decay * ALIF_ADAPTATION_TOTAL
                        - adaptation_strength * surrogate_gradient * ALIF_SPIKE_ADJOINT)
#: the step's coefficients (the kernels' first arguments)
ALIF_COEFFICIENT_ARGS = (leak, reset_slope, threshold_slope, surrogate_gradient, field_scale, adaptation_decay,
                         adaptation_strength)
#: the moments of (delta_t, eps_t, h_t) a variance kernel takes after the coefficients
ALIF_MOMENT_ARGS = (signal_variance, signal_field, field_variance, adaptation_variance, signal_adaptation,
                    adaptation_field)
#: the moments with Z a covariance kernel takes after the coefficients
ALIF_COVARIANCE_ARGS = (signal_other, adaptation_other, field_other)
#: component name -> its step
ALIF_STEPS = {"signal": ALIF_BACKWARD_STEP, "adaptation": ALIF_ADAPTATION_STEP}


def alif_step_moment(first: str, second: str) -> sp.Expr:
    """``E[x y]`` for ``x``, ``y`` components (``"signal"``: delta_{t-1}, ``"adaptation"``: eps_{t-1}) of
    the ALIF backward step, from the moments of ``(delta_t, eps_t, h_t)``."""
    return gaussian_second_moment(ALIF_STEPS[first], ALIF_STEPS[second])


def alif_step_covariance(component: str) -> sp.Expr:
    """``E[x Z]`` for a component of the ALIF step and ``Z`` of the neuron's past: linear in ``E[delta_t
    Z]``, ``E[eps_t Z]``, ``E[h_t Z]``, whose coefficients are the step's weights."""
    return gaussian_second_moment(ALIF_STEPS[component], other)
