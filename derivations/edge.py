"""docs/theory.md section 7's first edge-of-stability prototype (lead (a)), kept as a baseline:

``rho ~ abar^2 + (n - 1) E[W^2] (E[SG_t^2] + 2 sum_k abar^k E[SG_t SG_{t-k}])``.

The lag-weighted sum of the SG autocorrelation is computed from a forward probe at run time
(``lifstab.stability.lagged_log_growth``); this is the closed form around it. It treats the backward
signal as perfectly correlated over every lag, which over-counts (see lifstab/stability.py).
"""

import sympy as sp

from .lif import alpha

#: (n - 1) E[W^2], the recurrent weights' second moment summed over a neuron's inputs
recurrent_square_sum = sp.Symbol("recurrent_square_sum", nonnegative=True)
#: E[SG_t^2] + 2 sum_{k >= 1} abar^k E[SG_t SG_{t-k}]
lag_weighted_sg = sp.Symbol("lag_weighted_sg", nonnegative=True)

LAGGED_GROWTH = alpha**2 + recurrent_square_sum * lag_weighted_sg
LAGGED_ARGS = (alpha, recurrent_square_sum, lag_weighted_sg)
