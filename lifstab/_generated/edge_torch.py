# GENERATED FILE: do not edit by hand.
# Written by `lifstab derive` (derivations/codegen.py) from the SymPy expressions in derivations/.
# Change the derivations, then run `lifstab derive`; tests/test_generated_drift.py fails on drift.


"""Generated torch kernels: edge."""


import torch


def lagged_growth(decay, recurrent_square_sum, lag_weighted_sg):
    """Prototype growth factor abar^2 + (n-1) E[W^2] (E[SG^2] + 2 sum_k abar^k E[SG_t SG_t-k])."""
    return decay**2 + lag_weighted_sg*recurrent_square_sum


KERNELS = {
    'lagged_growth': lagged_growth,
}
