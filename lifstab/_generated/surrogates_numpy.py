# GENERATED FILE: do not edit by hand.
# Written by `lifstab derive` (derivations/codegen.py) from the SymPy expressions in derivations/.
# Change the derivations, then run `lifstab derive`; tests/test_generated_drift.py fails on drift.


"""Generated numpy kernels: surrogates."""


import numpy


def triangular(u, dampening, sharpness):
    """SG(u) of the triangular family: gamma max(1 - beta |u|, 0)."""
    return dampening*numpy.maximum(0, -sharpness*numpy.abs(u) + 1)


def exponential(u, dampening, sharpness):
    """SG(u) of the exponential family: gamma exp(-2 beta |u|)."""
    return dampening*numpy.exp(-2*sharpness*numpy.abs(u))


def gaussian(u, dampening, sharpness):
    """SG(u) of the gaussian family: gamma exp(-pi (beta u)^2)."""
    return dampening*numpy.exp(-3.1415926535897932*sharpness**2*u**2)


def sigmoid(u, dampening, sharpness):
    """SG(u) of the sigmoid family: 4 gamma s(4 beta u)(1 - s(4 beta u)), s the logistic function."""
    x0 = numpy.exp(-4*sharpness*numpy.abs(u))
    return 4*dampening*x0/(x0 + 1)**2


def fast_sigmoid(u, dampening, sharpness):
    """SG(u) of the fast_sigmoid family: gamma / (1 + 2 beta |u|)^2."""
    return dampening/(2*sharpness*numpy.abs(u) + 1)**2


def rectangular(u, dampening, sharpness):
    """SG(u) of the rectangular family: gamma 1[2 beta |u| < 1]."""
    return numpy.where((sharpness*numpy.abs(u) < 1/2), dampening, 0)


def q_pseudo_spike(u, dampening, sharpness, tail):
    """SG(u) of the q_pseudo_spike family: gamma (1 + 2 beta |u| / (q - 1))^(-q), q > 1."""
    return dampening*(2*sharpness*numpy.abs(u)/(tail - 1) + 1)**(-tail)


KERNELS = {
    'triangular': triangular,
    'exponential': exponential,
    'gaussian': gaussian,
    'sigmoid': sigmoid,
    'fast_sigmoid': fast_sigmoid,
    'rectangular': rectangular,
    'q_pseudo_spike': q_pseudo_spike,
}
