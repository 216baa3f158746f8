"""Conditions I-IV at run time: one function per condition, exact solvers, ``recommend`` and the
initialisers (docs/theory.md section 4).

Every formula comes from the generated kernels (``derivations/conditions.py`` and
``derivations/expectations.py``); this module validates arguments, gathers the per-neuron
statistics of a layer and solves Condition IV.

*Condition I, two forms.* The closed form (the paper's mean balance, v and z independent) for the
subtractive and no-reset layers and for the paper variant; for the multiplicative resets the exact
variant solves the firing rate itself (:func:`conditions_i_and_ii`, :mod:`lifstab.firing_rate`), since
the closed form's independence fails there (measured rates 0.20-0.42 instead of 1/2).

*Solver for Condition IV.* The residual ``R = c0 + c1 E[SG] + c2 E[SG^2]`` (coefficients from the
generated kernels; the moments under the paper's worst-case uniform voltage) is solved per neuron
in ``x = log(sharpness)`` or ``x = log(tail - 1)``: a bracket is found on a log grid, then a
safeguarded Newton iteration (the generated derivatives in sharpness or tail; a bisection step
whenever Newton leaves the bracket) runs to ``|R| <= 1e-13``. Where ``R`` does not change sign on
the searched range, the neuron is reported infeasible with the reason, the grid point that
minimises ``|R|`` and its residual; no boundary value is returned silently.

*Two routes to the sharpness* (``sharpness_method``). ``"condition_iv"`` is the paper's route above.
It has no root in almost every realistic layer: its worst-case uniform voltage makes ``E[SG^2]``
tiny, and ``E[SG^2] <= dampening^2`` with Condition III's small dampening. ``"edge"`` sets the
sharpness at a margin times the critical sharpness of :func:`lifstab.stability.critical_sharpness` on
example inputs, with dampening 1 (``dampening_source="unit"``; ``"condition_iii"`` keeps Condition
III's). ``edge_method="replay"`` (default) measures that edge: the layer's own backward recursion
replayed on one forward pass for every sharpness, margin 1 (rho = 1 on the inputs). ``"dmft"``
predicts it without a backward pass, margin 2: on the quick digits networks (64 LIF units, threshold
1, tau 20, docs/guide/conditions.md) the first layer's measured rho at the predicted ``beta_c`` was
1.45-1.54 (dmft underestimates ``beta_c`` there about twofold, its inputs firing at about 0.002) and
the second layer's 1.00-1.01; at twice it 0.97-1.05 and 0.91-0.92. Trained (digits, 16 epochs, 10
seeds x 3 learning rates): replay x1 0.854 mean test accuracy, dmft x2 0.840, the default (Glorot)
initialisation 0.860, replay x2-x4 0.879-0.886 (docs/guide/conditions.md). With Condition
III's dampening (about 0.01) rho < 1 at every sharpness in 1e-3..1e3 (no edge; the gradient vanishes),
hence dampening 1 on this route. The predictor searches the sharpness only: for q_pseudo_spike the
tail stays fixed (the layer's, or ``tail``, default 2).

*Modules*, in the order of the conditions: :mod:`.common` (kernels, argument checks, input statistics),
:mod:`.weights_i_ii` (Conditions I and II, both forms of I), :mod:`.dampening_iii` (Condition III and the
worst-case voltage range), :mod:`.shape_iv` (Condition IV and its solver), :mod:`.edge` (the edge route),
:mod:`.recommendation` (``Recommendation``), :mod:`.settings` (what ``recommend`` is asked, as small
frozen objects), :mod:`.recommender` (``recommend``) and :mod:`.initialisers` (``initialise_``,
``stable_init_``).
"""

from __future__ import annotations

from .common import (K, MAX_MAGNITUDE, VARIANTS, _as_array, _check_float, _check_int, _check_reset,
                     _check_variant, _to_numpy, input_statistics, resolve_decay)
from .weights_i_ii import (DEFAULT_TARGET_RATES, RATE_SOLVED_RESETS, TARGET_RATE, ConditionsIAndII,
                           _check_target_rate, condition_i, condition_ii, conditions_i_and_ii, default_target_rate)
from .dampening_iii import LayerDampening, LayerSums, condition_iii, layer_dampening, layer_sums, voltage_bounds
from .shape_iv import (_GRID, DEFAULT_TAIL_SHARPNESS, SHARPNESS_RANGE, TAIL_OFFSET_RANGE, LayerShape, SolveResult,
                       _ConditionIV, _iv_form, _solve_log, _subset, condition_iv, layer_shape,
                       random_search_sharpness)
from .edge import (DAMPENING_SOURCES, DEFAULT_EDGE_METHOD, DEFAULT_EDGE_TAIL, EDGE_MARGIN, EDGE_MARGINS,
                   MEASURED_EDGE_METHODS, SHARPNESS_METHODS, EdgeChoice, _probe_inputs, edge_choice, edge_margin_for,
                   with_edge)
from .recommendation import Recommendation
from .settings import ConditionOptions, InputStatistics, LayerSpec, RouteOptions, Settings, settings_from_keywords
from .recommender import recommend
from .initialisers import KEPT_WEIGHTS, WEIGHT_SOURCES, _layer_decay, _layer_threshold, initialise_, stable_init_

__all__ = [
    "condition_i", "condition_ii", "condition_iii", "condition_iv", "voltage_bounds", "resolve_decay",
    "input_statistics", "recommend", "Recommendation", "SolveResult", "initialise_", "stable_init_",
    "random_search_sharpness", "VARIANTS", "SHARPNESS_METHODS", "DAMPENING_SOURCES", "EDGE_MARGIN", "EDGE_MARGINS",
    "DEFAULT_EDGE_METHOD", "edge_margin_for",
    "EdgeChoice", "edge_choice", "with_edge",
    "LayerSpec", "InputStatistics", "ConditionOptions", "RouteOptions", "Settings", "settings_from_keywords",
]
