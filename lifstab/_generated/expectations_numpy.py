# GENERATED FILE: do not edit by hand.
# Written by `lifstab derive` (derivations/codegen.py) from the SymPy expressions in derivations/.
# Change the derivations, then run `lifstab derive`; tests/test_generated_drift.py fails on drift.


"""Generated numpy kernels: expectations."""


import numpy
import scipy.special


def uniform_triangular_m1(y_min, y_max, threshold, dampening, sharpness):
    """E[SG^1] of the triangular family for a voltage uniform on [y_min, y_max]."""
    return dampening*numpy.where((sharpness*(y_max - y_min) < 1/1000000), numpy.where((sharpness*numpy.abs(-threshold + (1/2)*y_max + (1/2)*y_min) >= 1), 0, -sharpness*numpy.abs(-threshold + (1/2)*y_max + (1/2)*y_min) + 1), numpy.where((sharpness*(-threshold + y_max) <= 0), numpy.where((sharpness*(-threshold + y_max) > -1), (1/2)*(sharpness*(-threshold + y_max) + 1)**2, 0) - numpy.where((sharpness*(-threshold + y_min) > -1), (1/2)*(sharpness*(-threshold + y_min) + 1)**2, 0), numpy.where((sharpness*(-threshold + y_min) >= 0), -numpy.where((sharpness*(-threshold + y_max) < 1), (1/2)*(-sharpness*(-threshold + y_max) + 1)**2, 0) + numpy.where((sharpness*(-threshold + y_min) < 1), (1/2)*(-sharpness*(-threshold + y_min) + 1)**2, 0), numpy.where((sharpness*(-threshold + y_max) < 1), 1/2 - 1/2*(-sharpness*(-threshold + y_max) + 1)**2, 1/2) + numpy.where((sharpness*(-threshold + y_min) > -1), 1/2 - 1/2*(sharpness*(-threshold + y_min) + 1)**2, 1/2)))/(sharpness*(y_max - y_min)))


def uniform_triangular_m1_dsharpness(y_min, y_max, threshold, dampening, sharpness):
    """d/dsharpness of uniform_triangular_m1."""
    return dampening*numpy.where((sharpness*(y_max - y_min) < 1/1000000), numpy.where((sharpness*numpy.abs(-threshold + (1/2)*y_max + (1/2)*y_min) >= 1), 0, -numpy.abs(-threshold + (1/2)*y_max + (1/2)*y_min)), numpy.where((sharpness*(-threshold + y_max) <= 0), numpy.where((sharpness*(-threshold + y_max) > -1), (1/2)*(-2*threshold + 2*y_max)*(sharpness*(-threshold + y_max) + 1), 0) - numpy.where((sharpness*(-threshold + y_min) > -1), (1/2)*(-2*threshold + 2*y_min)*(sharpness*(-threshold + y_min) + 1), 0), numpy.where((sharpness*(-threshold + y_min) >= 0), -numpy.where((sharpness*(-threshold + y_max) < 1), (1/2)*(2*threshold - 2*y_max)*(-sharpness*(-threshold + y_max) + 1), 0) + numpy.where((sharpness*(-threshold + y_min) < 1), (1/2)*(2*threshold - 2*y_min)*(-sharpness*(-threshold + y_min) + 1), 0), numpy.where((sharpness*(-threshold + y_min) > -1), -1/2*(-2*threshold + 2*y_min)*(sharpness*(-threshold + y_min) + 1), 0) + numpy.where((sharpness*(-threshold + y_max) < 1), -1/2*(2*threshold - 2*y_max)*(-sharpness*(-threshold + y_max) + 1), 0)))/(sharpness*(y_max - y_min)) - numpy.where((sharpness*(-threshold + y_max) <= 0), numpy.where((sharpness*(-threshold + y_max) > -1), (1/2)*(sharpness*(-threshold + y_max) + 1)**2, 0) - numpy.where((sharpness*(-threshold + y_min) > -1), (1/2)*(sharpness*(-threshold + y_min) + 1)**2, 0), numpy.where((sharpness*(-threshold + y_min) >= 0), -numpy.where((sharpness*(-threshold + y_max) < 1), (1/2)*(-sharpness*(-threshold + y_max) + 1)**2, 0) + numpy.where((sharpness*(-threshold + y_min) < 1), (1/2)*(-sharpness*(-threshold + y_min) + 1)**2, 0), numpy.where((sharpness*(-threshold + y_max) < 1), 1/2 - 1/2*(-sharpness*(-threshold + y_max) + 1)**2, 1/2) + numpy.where((sharpness*(-threshold + y_min) > -1), 1/2 - 1/2*(sharpness*(-threshold + y_min) + 1)**2, 1/2)))/(sharpness**2*(y_max - y_min)))


def gaussian_triangular_m1(mean, std, threshold, dampening, sharpness):
    """E[SG^1] of the triangular family for a voltage N(mean, std^2), closed form."""
    return dampening*(sharpness*std*(0.39894228040143268*numpy.exp(-1/2*(-mean + threshold - 1/sharpness)**2/std**2) - 0.39894228040143268*numpy.exp(-1/2*(-mean + threshold)**2/std**2)) - sharpness*std*(-0.39894228040143268*numpy.exp(-1/2*(-mean + threshold + 1/sharpness)**2/std**2) + 0.39894228040143268*numpy.exp(-1/2*(-mean + threshold)**2/std**2)) + (-1/2*scipy.special.erf(0.70710678118654752*(-mean + threshold)/std) + (1/2)*scipy.special.erf(0.70710678118654752*(-mean + threshold + 1/sharpness)/std))*(-mean*sharpness + sharpness*threshold + 1) + ((1/2)*scipy.special.erf(0.70710678118654752*(-mean + threshold)/std) - 1/2*scipy.special.erf(0.70710678118654752*(-mean + threshold - 1/sharpness)/std))*(mean*sharpness - sharpness*threshold + 1))


def gaussian_triangular_m1_dsharpness(mean, std, threshold, dampening, sharpness):
    """d/dsharpness of gaussian_triangular_m1."""
    return dampening*(std*(0.39894228040143268*numpy.exp(-1/2*(-mean + threshold - 1/sharpness)**2/std**2) - 0.39894228040143268*numpy.exp(-1/2*(-mean + threshold)**2/std**2)) - std*(-0.39894228040143268*numpy.exp(-1/2*(-mean + threshold + 1/sharpness)**2/std**2) + 0.39894228040143268*numpy.exp(-1/2*(-mean + threshold)**2/std**2)) + (-mean + threshold)*(-1/2*scipy.special.erf(0.70710678118654752*(-mean + threshold)/std) + (1/2)*scipy.special.erf(0.70710678118654752*(-mean + threshold + 1/sharpness)/std)) + (mean - threshold)*((1/2)*scipy.special.erf(0.70710678118654752*(-mean + threshold)/std) - 1/2*scipy.special.erf(0.70710678118654752*(-mean + threshold - 1/sharpness)/std)) - 0.39894228040143268*(-mean + threshold - 1/sharpness)*numpy.exp(-1/2*(-mean + threshold - 1/sharpness)**2/std**2)/(sharpness*std) + 0.39894228040143268*(-mean + threshold + 1/sharpness)*numpy.exp(-1/2*(-mean + threshold + 1/sharpness)**2/std**2)/(sharpness*std) - 0.39894228040143268*(-mean*sharpness + sharpness*threshold + 1)*numpy.exp(-1/2*(-mean + threshold + 1/sharpness)**2/std**2)/(sharpness**2*std) - 0.39894228040143268*(mean*sharpness - sharpness*threshold + 1)*numpy.exp(-1/2*(-mean + threshold - 1/sharpness)**2/std**2)/(sharpness**2*std))


def uniform_triangular_m2(y_min, y_max, threshold, dampening, sharpness):
    """E[SG^2] of the triangular family for a voltage uniform on [y_min, y_max]."""
    return dampening**2*numpy.where((sharpness*(y_max - y_min) < 1/1000000), numpy.where((sharpness*numpy.abs(-threshold + (1/2)*y_max + (1/2)*y_min) >= 1), 0, (-sharpness*numpy.abs(-threshold + (1/2)*y_max + (1/2)*y_min) + 1)**2), numpy.where((sharpness*(-threshold + y_max) <= 0), numpy.where((sharpness*(-threshold + y_max) > -1), (1/3)*(sharpness*(-threshold + y_max) + 1)**3, 0) - numpy.where((sharpness*(-threshold + y_min) > -1), (1/3)*(sharpness*(-threshold + y_min) + 1)**3, 0), numpy.where((sharpness*(-threshold + y_min) >= 0), -numpy.where((sharpness*(-threshold + y_max) < 1), (1/3)*(-sharpness*(-threshold + y_max) + 1)**3, 0) + numpy.where((sharpness*(-threshold + y_min) < 1), (1/3)*(-sharpness*(-threshold + y_min) + 1)**3, 0), numpy.where((sharpness*(-threshold + y_max) < 1), 1/3 - 1/3*(-sharpness*(-threshold + y_max) + 1)**3, 1/3) + numpy.where((sharpness*(-threshold + y_min) > -1), 1/3 - 1/3*(sharpness*(-threshold + y_min) + 1)**3, 1/3)))/(sharpness*(y_max - y_min)))


def uniform_triangular_m2_dsharpness(y_min, y_max, threshold, dampening, sharpness):
    """d/dsharpness of uniform_triangular_m2."""
    return dampening**2*numpy.where((sharpness*(y_max - y_min) < 1/1000000), numpy.where((sharpness*numpy.abs(-threshold + (1/2)*y_max + (1/2)*y_min) >= 1), 0, -2*(-sharpness*numpy.abs(-threshold + (1/2)*y_max + (1/2)*y_min) + 1)*numpy.abs(-threshold + (1/2)*y_max + (1/2)*y_min)), numpy.where((sharpness*(-threshold + y_max) <= 0), numpy.where((sharpness*(-threshold + y_max) > -1), (1/3)*(-3*threshold + 3*y_max)*(sharpness*(-threshold + y_max) + 1)**2, 0) - numpy.where((sharpness*(-threshold + y_min) > -1), (1/3)*(-3*threshold + 3*y_min)*(sharpness*(-threshold + y_min) + 1)**2, 0), numpy.where((sharpness*(-threshold + y_min) >= 0), -numpy.where((sharpness*(-threshold + y_max) < 1), (1/3)*(3*threshold - 3*y_max)*(-sharpness*(-threshold + y_max) + 1)**2, 0) + numpy.where((sharpness*(-threshold + y_min) < 1), (1/3)*(3*threshold - 3*y_min)*(-sharpness*(-threshold + y_min) + 1)**2, 0), numpy.where((sharpness*(-threshold + y_min) > -1), -1/3*(-3*threshold + 3*y_min)*(sharpness*(-threshold + y_min) + 1)**2, 0) + numpy.where((sharpness*(-threshold + y_max) < 1), -1/3*(3*threshold - 3*y_max)*(-sharpness*(-threshold + y_max) + 1)**2, 0)))/(sharpness*(y_max - y_min)) - numpy.where((sharpness*(-threshold + y_max) <= 0), numpy.where((sharpness*(-threshold + y_max) > -1), (1/3)*(sharpness*(-threshold + y_max) + 1)**3, 0) - numpy.where((sharpness*(-threshold + y_min) > -1), (1/3)*(sharpness*(-threshold + y_min) + 1)**3, 0), numpy.where((sharpness*(-threshold + y_min) >= 0), -numpy.where((sharpness*(-threshold + y_max) < 1), (1/3)*(-sharpness*(-threshold + y_max) + 1)**3, 0) + numpy.where((sharpness*(-threshold + y_min) < 1), (1/3)*(-sharpness*(-threshold + y_min) + 1)**3, 0), numpy.where((sharpness*(-threshold + y_max) < 1), 1/3 - 1/3*(-sharpness*(-threshold + y_max) + 1)**3, 1/3) + numpy.where((sharpness*(-threshold + y_min) > -1), 1/3 - 1/3*(sharpness*(-threshold + y_min) + 1)**3, 1/3)))/(sharpness**2*(y_max - y_min)))


def gaussian_triangular_m2(mean, std, threshold, dampening, sharpness):
    """E[SG^2] of the triangular family for a voltage N(mean, std^2), closed form."""
    return dampening**2*(sharpness**2*std**2*(-0.5*scipy.special.erf(0.70710678118654752*(-mean + threshold)/std) + 0.5*scipy.special.erf(0.70710678118654752*(-mean + threshold + 1/sharpness)/std) + 0.39894228040143268*(-mean + threshold)*numpy.exp(-1/2*(-mean + threshold)**2/std**2)/std - 0.39894228040143268*(-mean + threshold + 1/sharpness)*numpy.exp(-1/2*(-mean + threshold + 1/sharpness)**2/std**2)/std) + sharpness**2*std**2*(0.5*scipy.special.erf(0.70710678118654752*(-mean + threshold)/std) - 0.5*scipy.special.erf(0.70710678118654752*(-mean + threshold - 1/sharpness)/std) - 0.39894228040143268*(-mean + threshold)*numpy.exp(-1/2*(-mean + threshold)**2/std**2)/std + 0.39894228040143268*(-mean + threshold - 1/sharpness)*numpy.exp(-1/2*(-mean + threshold - 1/sharpness)**2/std**2)/std) + (0.39894228040143268*numpy.exp(-1/2*(-mean + threshold - 1/sharpness)**2/std**2) - 0.39894228040143268*numpy.exp(-1/2*(-mean + threshold)**2/std**2))*(2*mean*sharpness**2*std - 2*sharpness**2*std*threshold + 2*sharpness*std) + (-0.39894228040143268*numpy.exp(-1/2*(-mean + threshold + 1/sharpness)**2/std**2) + 0.39894228040143268*numpy.exp(-1/2*(-mean + threshold)**2/std**2))*(2*mean*sharpness**2*std - 2*sharpness**2*std*threshold - 2*sharpness*std) + (-1/2*scipy.special.erf(0.70710678118654752*(-mean + threshold)/std) + (1/2)*scipy.special.erf(0.70710678118654752*(-mean + threshold + 1/sharpness)/std))*(mean**2*sharpness**2 - 2*mean*sharpness**2*threshold - 2*mean*sharpness + sharpness**2*threshold**2 + 2*sharpness*threshold + 1) + ((1/2)*scipy.special.erf(0.70710678118654752*(-mean + threshold)/std) - 1/2*scipy.special.erf(0.70710678118654752*(-mean + threshold - 1/sharpness)/std))*(mean**2*sharpness**2 - 2*mean*sharpness**2*threshold + 2*mean*sharpness + sharpness**2*threshold**2 - 2*sharpness*threshold + 1))


def gaussian_triangular_m2_dsharpness(mean, std, threshold, dampening, sharpness):
    """d/dsharpness of gaussian_triangular_m2."""
    return dampening**2*(2*sharpness*std**2*(-0.5*scipy.special.erf(0.70710678118654752*(-mean + threshold)/std) + 0.5*scipy.special.erf(0.70710678118654752*(-mean + threshold + 1/sharpness)/std) + 0.39894228040143268*(-mean + threshold)*numpy.exp(-1/2*(-mean + threshold)**2/std**2)/std - 0.39894228040143268*(-mean + threshold + 1/sharpness)*numpy.exp(-1/2*(-mean + threshold + 1/sharpness)**2/std**2)/std) + 2*sharpness*std**2*(0.5*scipy.special.erf(0.70710678118654752*(-mean + threshold)/std) - 0.5*scipy.special.erf(0.70710678118654752*(-mean + threshold - 1/sharpness)/std) - 0.39894228040143268*(-mean + threshold)*numpy.exp(-1/2*(-mean + threshold)**2/std**2)/std + 0.39894228040143268*(-mean + threshold - 1/sharpness)*numpy.exp(-1/2*(-mean + threshold - 1/sharpness)**2/std**2)/std) + (0.39894228040143268*numpy.exp(-1/2*(-mean + threshold - 1/sharpness)**2/std**2) - 0.39894228040143268*numpy.exp(-1/2*(-mean + threshold)**2/std**2))*(4*mean*sharpness*std - 4*sharpness*std*threshold + 2*std) + (-0.39894228040143268*numpy.exp(-1/2*(-mean + threshold + 1/sharpness)**2/std**2) + 0.39894228040143268*numpy.exp(-1/2*(-mean + threshold)**2/std**2))*(4*mean*sharpness*std - 4*sharpness*std*threshold - 2*std) + (-1/2*scipy.special.erf(0.70710678118654752*(-mean + threshold)/std) + (1/2)*scipy.special.erf(0.70710678118654752*(-mean + threshold + 1/sharpness)/std))*(2*mean**2*sharpness - 4*mean*sharpness*threshold - 2*mean + 2*sharpness*threshold**2 + 2*threshold) + ((1/2)*scipy.special.erf(0.70710678118654752*(-mean + threshold)/std) - 1/2*scipy.special.erf(0.70710678118654752*(-mean + threshold - 1/sharpness)/std))*(2*mean**2*sharpness - 4*mean*sharpness*threshold + 2*mean + 2*sharpness*threshold**2 - 2*threshold) - 0.39894228040143268*(-mean + threshold - 1/sharpness)**2*numpy.exp(-1/2*(-mean + threshold - 1/sharpness)**2/std**2)/std - 0.39894228040143268*(-mean + threshold + 1/sharpness)**2*numpy.exp(-1/2*(-mean + threshold + 1/sharpness)**2/std**2)/std - 0.39894228040143268*(mean**2*sharpness**2 - 2*mean*sharpness**2*threshold - 2*mean*sharpness + sharpness**2*threshold**2 + 2*sharpness*threshold + 1)*numpy.exp(-1/2*(-mean + threshold + 1/sharpness)**2/std**2)/(sharpness**2*std) - 0.39894228040143268*(mean**2*sharpness**2 - 2*mean*sharpness**2*threshold + 2*mean*sharpness + sharpness**2*threshold**2 - 2*sharpness*threshold + 1)*numpy.exp(-1/2*(-mean + threshold - 1/sharpness)**2/std**2)/(sharpness**2*std) - 0.39894228040143268*(-mean + threshold - 1/sharpness)*(2*mean*sharpness**2*std - 2*sharpness**2*std*threshold + 2*sharpness*std)*numpy.exp(-1/2*(-mean + threshold - 1/sharpness)**2/std**2)/(sharpness**2*std**2) - 0.39894228040143268*(-mean + threshold + 1/sharpness)*(2*mean*sharpness**2*std - 2*sharpness**2*std*threshold - 2*sharpness*std)*numpy.exp(-1/2*(-mean + threshold + 1/sharpness)**2/std**2)/(sharpness**2*std**2))


def uniform_exponential_m1(y_min, y_max, threshold, dampening, sharpness):
    """E[SG^1] of the exponential family for a voltage uniform on [y_min, y_max]."""
    return dampening*numpy.where((sharpness*(y_max - y_min) < 1/1000000), numpy.exp(-2*sharpness*numpy.abs(-threshold + (1/2)*y_max + (1/2)*y_min)), numpy.where((sharpness*(-threshold + y_max) <= 0), (1/2)*numpy.exp(2*sharpness*(-threshold + y_max)) - 1/2*numpy.exp(2*sharpness*(-threshold + y_min)), numpy.where((sharpness*(-threshold + y_min) >= 0), (1/2)*numpy.exp(-2*sharpness*(-threshold + y_min)) - 1/2*numpy.exp(-2*sharpness*(-threshold + y_max)), -1/2*numpy.expm1(-2*sharpness*(-threshold + y_max)) - 1/2*numpy.expm1(2*sharpness*(-threshold + y_min))))/(sharpness*(y_max - y_min)))


def uniform_exponential_m1_dsharpness(y_min, y_max, threshold, dampening, sharpness):
    """d/dsharpness of uniform_exponential_m1."""
    return dampening*numpy.where((sharpness*(y_max - y_min) < 1/1000000), -2*numpy.exp(-2*sharpness*numpy.abs(-threshold + (1/2)*y_max + (1/2)*y_min))*numpy.abs(-threshold + (1/2)*y_max + (1/2)*y_min), numpy.where((sharpness*(-threshold + y_max) <= 0), (1/2)*(-2*threshold + 2*y_max)*numpy.exp(2*sharpness*(-threshold + y_max)) - 1/2*(-2*threshold + 2*y_min)*numpy.exp(2*sharpness*(-threshold + y_min)), numpy.where((sharpness*(-threshold + y_min) >= 0), -1/2*(2*threshold - 2*y_max)*numpy.exp(-2*sharpness*(-threshold + y_max)) + (1/2)*(2*threshold - 2*y_min)*numpy.exp(-2*sharpness*(-threshold + y_min)), -1/2*(-2*threshold + 2*y_min)*numpy.exp(2*sharpness*(-threshold + y_min)) - 1/2*(2*threshold - 2*y_max)*numpy.exp(-2*sharpness*(-threshold + y_max))))/(sharpness*(y_max - y_min)) - numpy.where((sharpness*(-threshold + y_max) <= 0), (1/2)*numpy.exp(2*sharpness*(-threshold + y_max)) - 1/2*numpy.exp(2*sharpness*(-threshold + y_min)), numpy.where((sharpness*(-threshold + y_min) >= 0), (1/2)*numpy.exp(-2*sharpness*(-threshold + y_min)) - 1/2*numpy.exp(-2*sharpness*(-threshold + y_max)), -1/2*numpy.expm1(-2*sharpness*(-threshold + y_max)) - 1/2*numpy.expm1(2*sharpness*(-threshold + y_min))))/(sharpness**2*(y_max - y_min)))


def gaussian_exponential_m1(mean, std, threshold, dampening, sharpness):
    """E[SG^1] of the exponential family for a voltage N(mean, std^2), closed form."""
    return dampening*(numpy.where((2.8284271247461901*sharpness*std - 1.414213562373095*(-mean + threshold)/std >= 0), (1/2)*scipy.special.erfcx(1.414213562373095*sharpness*std - 0.70710678118654752*(-mean + threshold)/std)*numpy.exp(-1/2*(-mean + threshold)**2/std**2), (1/2)*numpy.exp(2*sharpness**2*std**2 - 2*sharpness*(-mean + threshold))*scipy.special.erfc(1.414213562373095*sharpness*std - 0.70710678118654752*(-mean + threshold)/std)) + numpy.where((2.8284271247461901*sharpness*std - 1.414213562373095*(mean - threshold)/std >= 0), (1/2)*scipy.special.erfcx(1.414213562373095*sharpness*std - 0.70710678118654752*(mean - threshold)/std)*numpy.exp(-1/2*(mean - threshold)**2/std**2), (1/2)*numpy.exp(2*sharpness**2*std**2 - 2*sharpness*(mean - threshold))*scipy.special.erfc(1.414213562373095*sharpness*std - 0.70710678118654752*(mean - threshold)/std)))


def gaussian_exponential_m1_dsharpness(mean, std, threshold, dampening, sharpness):
    """d/dsharpness of gaussian_exponential_m1."""
    return dampening*(numpy.where((2.8284271247461901*sharpness*std - 1.414213562373095*(-mean + threshold)/std >= 0), 0.70710678118654752*std*(1.414213562373095*(2*sharpness*std - (-mean + threshold)/std)*scipy.special.erfcx(1.414213562373095*sharpness*std - 0.70710678118654752*(-mean + threshold)/std) - 1.1283791670955126)*numpy.exp(-1/2*(-mean + threshold)**2/std**2), -0.79788456080286536*std*numpy.exp(-1/2*(2*sharpness*std - (-mean + threshold)/std)**2)*numpy.exp(2*sharpness**2*std**2 - 2*sharpness*(-mean + threshold)) + (1/2)*(2*mean + 4*sharpness*std**2 - 2*threshold)*numpy.exp(2*sharpness**2*std**2 - 2*sharpness*(-mean + threshold))*scipy.special.erfc(1.414213562373095*sharpness*std - 0.70710678118654752*(-mean + threshold)/std)) + numpy.where((2.8284271247461901*sharpness*std - 1.414213562373095*(mean - threshold)/std >= 0), 0.70710678118654752*std*(1.414213562373095*(2*sharpness*std - (mean - threshold)/std)*scipy.special.erfcx(1.414213562373095*sharpness*std - 0.70710678118654752*(mean - threshold)/std) - 1.1283791670955126)*numpy.exp(-1/2*(mean - threshold)**2/std**2), -0.79788456080286536*std*numpy.exp(-1/2*(2*sharpness*std - (mean - threshold)/std)**2)*numpy.exp(2*sharpness**2*std**2 - 2*sharpness*(mean - threshold)) + (1/2)*(-2*mean + 4*sharpness*std**2 + 2*threshold)*numpy.exp(2*sharpness**2*std**2 - 2*sharpness*(mean - threshold))*scipy.special.erfc(1.414213562373095*sharpness*std - 0.70710678118654752*(mean - threshold)/std)))


def uniform_exponential_m2(y_min, y_max, threshold, dampening, sharpness):
    """E[SG^2] of the exponential family for a voltage uniform on [y_min, y_max]."""
    return dampening**2*numpy.where((sharpness*(y_max - y_min) < 1/1000000), numpy.exp(-4*sharpness*numpy.abs(-threshold + (1/2)*y_max + (1/2)*y_min)), numpy.where((sharpness*(-threshold + y_max) <= 0), (1/4)*numpy.exp(4*sharpness*(-threshold + y_max)) - 1/4*numpy.exp(4*sharpness*(-threshold + y_min)), numpy.where((sharpness*(-threshold + y_min) >= 0), (1/4)*numpy.exp(-4*sharpness*(-threshold + y_min)) - 1/4*numpy.exp(-4*sharpness*(-threshold + y_max)), -1/4*numpy.expm1(-4*sharpness*(-threshold + y_max)) - 1/4*numpy.expm1(4*sharpness*(-threshold + y_min))))/(sharpness*(y_max - y_min)))


def uniform_exponential_m2_dsharpness(y_min, y_max, threshold, dampening, sharpness):
    """d/dsharpness of uniform_exponential_m2."""
    return dampening**2*numpy.where((sharpness*(y_max - y_min) < 1/1000000), -4*numpy.exp(-4*sharpness*numpy.abs(-threshold + (1/2)*y_max + (1/2)*y_min))*numpy.abs(-threshold + (1/2)*y_max + (1/2)*y_min), numpy.where((sharpness*(-threshold + y_max) <= 0), (1/4)*(-4*threshold + 4*y_max)*numpy.exp(4*sharpness*(-threshold + y_max)) - 1/4*(-4*threshold + 4*y_min)*numpy.exp(4*sharpness*(-threshold + y_min)), numpy.where((sharpness*(-threshold + y_min) >= 0), -1/4*(4*threshold - 4*y_max)*numpy.exp(-4*sharpness*(-threshold + y_max)) + (1/4)*(4*threshold - 4*y_min)*numpy.exp(-4*sharpness*(-threshold + y_min)), -1/4*(-4*threshold + 4*y_min)*numpy.exp(4*sharpness*(-threshold + y_min)) - 1/4*(4*threshold - 4*y_max)*numpy.exp(-4*sharpness*(-threshold + y_max))))/(sharpness*(y_max - y_min)) - numpy.where((sharpness*(-threshold + y_max) <= 0), (1/4)*numpy.exp(4*sharpness*(-threshold + y_max)) - 1/4*numpy.exp(4*sharpness*(-threshold + y_min)), numpy.where((sharpness*(-threshold + y_min) >= 0), (1/4)*numpy.exp(-4*sharpness*(-threshold + y_min)) - 1/4*numpy.exp(-4*sharpness*(-threshold + y_max)), -1/4*numpy.expm1(-4*sharpness*(-threshold + y_max)) - 1/4*numpy.expm1(4*sharpness*(-threshold + y_min))))/(sharpness**2*(y_max - y_min)))


def gaussian_exponential_m2(mean, std, threshold, dampening, sharpness):
    """E[SG^2] of the exponential family for a voltage N(mean, std^2), closed form."""
    return dampening**2*(numpy.where((5.6568542494923802*sharpness*std - 1.414213562373095*(-mean + threshold)/std >= 0), (1/2)*scipy.special.erfcx(2.8284271247461901*sharpness*std - 0.70710678118654752*(-mean + threshold)/std)*numpy.exp(-1/2*(-mean + threshold)**2/std**2), (1/2)*numpy.exp(8*sharpness**2*std**2 - 4*sharpness*(-mean + threshold))*scipy.special.erfc(2.8284271247461901*sharpness*std - 0.70710678118654752*(-mean + threshold)/std)) + numpy.where((5.6568542494923802*sharpness*std - 1.414213562373095*(mean - threshold)/std >= 0), (1/2)*scipy.special.erfcx(2.8284271247461901*sharpness*std - 0.70710678118654752*(mean - threshold)/std)*numpy.exp(-1/2*(mean - threshold)**2/std**2), (1/2)*numpy.exp(8*sharpness**2*std**2 - 4*sharpness*(mean - threshold))*scipy.special.erfc(2.8284271247461901*sharpness*std - 0.70710678118654752*(mean - threshold)/std)))


def gaussian_exponential_m2_dsharpness(mean, std, threshold, dampening, sharpness):
    """d/dsharpness of gaussian_exponential_m2."""
    return dampening**2*(numpy.where((5.6568542494923802*sharpness*std - 1.414213562373095*(-mean + threshold)/std >= 0), 1.414213562373095*std*(1.414213562373095*(4*sharpness*std - (-mean + threshold)/std)*scipy.special.erfcx(2.8284271247461901*sharpness*std - 0.70710678118654752*(-mean + threshold)/std) - 1.1283791670955126)*numpy.exp(-1/2*(-mean + threshold)**2/std**2), -1.5957691216057307*std*numpy.exp(-1/2*(4*sharpness*std - (-mean + threshold)/std)**2)*numpy.exp(8*sharpness**2*std**2 - 4*sharpness*(-mean + threshold)) + (1/2)*(4*mean + 16*sharpness*std**2 - 4*threshold)*numpy.exp(8*sharpness**2*std**2 - 4*sharpness*(-mean + threshold))*scipy.special.erfc(2.8284271247461901*sharpness*std - 0.70710678118654752*(-mean + threshold)/std)) + numpy.where((5.6568542494923802*sharpness*std - 1.414213562373095*(mean - threshold)/std >= 0), 1.414213562373095*std*(1.414213562373095*(4*sharpness*std - (mean - threshold)/std)*scipy.special.erfcx(2.8284271247461901*sharpness*std - 0.70710678118654752*(mean - threshold)/std) - 1.1283791670955126)*numpy.exp(-1/2*(mean - threshold)**2/std**2), -1.5957691216057307*std*numpy.exp(-1/2*(4*sharpness*std - (mean - threshold)/std)**2)*numpy.exp(8*sharpness**2*std**2 - 4*sharpness*(mean - threshold)) + (1/2)*(-4*mean + 16*sharpness*std**2 + 4*threshold)*numpy.exp(8*sharpness**2*std**2 - 4*sharpness*(mean - threshold))*scipy.special.erfc(2.8284271247461901*sharpness*std - 0.70710678118654752*(mean - threshold)/std)))


def uniform_gaussian_m1(y_min, y_max, threshold, dampening, sharpness):
    """E[SG^1] of the gaussian family for a voltage uniform on [y_min, y_max]."""
    return dampening*numpy.where((sharpness*(y_max - y_min) < 1/1000000), numpy.exp(-3.1415926535897932*sharpness**2*(-threshold + (1/2)*y_max + (1/2)*y_min)**2), numpy.where(numpy.logical_or((sharpness*(-threshold + y_min) >= 0), (sharpness*(-threshold + y_max) <= 0)), -1/2*scipy.special.erfc(1.772453850905516*sharpness*(-threshold + y_max)) + (1/2)*scipy.special.erfc(1.772453850905516*sharpness*(-threshold + y_min)), (1/2)*scipy.special.erf(1.772453850905516*sharpness*(-threshold + y_max)) - 1/2*scipy.special.erf(1.772453850905516*sharpness*(-threshold + y_min)))/(sharpness*(y_max - y_min)))


def uniform_gaussian_m1_dsharpness(y_min, y_max, threshold, dampening, sharpness):
    """d/dsharpness of uniform_gaussian_m1."""
    return dampening*numpy.where((sharpness*(y_max - y_min) < 1/1000000), -6.2831853071795865*sharpness*(-threshold + (1/2)*y_max + (1/2)*y_min)**2*numpy.exp(-3.1415926535897932*sharpness**2*(-threshold + (1/2)*y_max + (1/2)*y_min)**2), ((-threshold + y_max)*numpy.exp(-3.1415926535897932*sharpness**2*(-threshold + y_max)**2) - (-threshold + y_min)*numpy.exp(-3.1415926535897932*sharpness**2*(-threshold + y_min)**2))/(sharpness*(y_max - y_min)) - numpy.where(numpy.logical_or((sharpness*(-threshold + y_min) >= 0), (sharpness*(-threshold + y_max) <= 0)), -1/2*scipy.special.erfc(1.772453850905516*sharpness*(-threshold + y_max)) + (1/2)*scipy.special.erfc(1.772453850905516*sharpness*(-threshold + y_min)), (1/2)*scipy.special.erf(1.772453850905516*sharpness*(-threshold + y_max)) - 1/2*scipy.special.erf(1.772453850905516*sharpness*(-threshold + y_min)))/(sharpness**2*(y_max - y_min)))


def gaussian_gaussian_m1(mean, std, threshold, dampening, sharpness):
    """E[SG^1] of the gaussian family for a voltage N(mean, std^2), closed form."""
    return dampening*numpy.exp(-3.1415926535897932*sharpness**2*(mean - threshold)**2/(6.2831853071795865*sharpness**2*std**2 + 1))/numpy.sqrt(6.2831853071795865*sharpness**2*std**2 + 1)


def gaussian_gaussian_m1_dsharpness(mean, std, threshold, dampening, sharpness):
    """d/dsharpness of gaussian_gaussian_m1."""
    return -6.2831853071795865*dampening*sharpness*std**2*numpy.exp(-3.1415926535897932*sharpness**2*(mean - threshold)**2/(6.2831853071795865*sharpness**2*std**2 + 1))/(6.2831853071795865*sharpness**2*std**2 + 1)**(3/2) + dampening*(39.478417604357434*sharpness**3*std**2*(mean - threshold)**2/(6.2831853071795865*sharpness**2*std**2 + 1)**2 - 6.2831853071795865*sharpness*(mean - threshold)**2/(6.2831853071795865*sharpness**2*std**2 + 1))*numpy.exp(-3.1415926535897932*sharpness**2*(mean - threshold)**2/(6.2831853071795865*sharpness**2*std**2 + 1))/numpy.sqrt(6.2831853071795865*sharpness**2*std**2 + 1)


def uniform_gaussian_m2(y_min, y_max, threshold, dampening, sharpness):
    """E[SG^2] of the gaussian family for a voltage uniform on [y_min, y_max]."""
    return dampening**2*numpy.where((sharpness*(y_max - y_min) < 1/1000000), numpy.exp(-6.2831853071795865*sharpness**2*(-threshold + (1/2)*y_max + (1/2)*y_min)**2), numpy.where(numpy.logical_or((sharpness*(-threshold + y_min) >= 0), (sharpness*(-threshold + y_max) <= 0)), -0.35355339059327376*scipy.special.erfc(2.5066282746310005*sharpness*(-threshold + y_max)) + 0.35355339059327376*scipy.special.erfc(2.5066282746310005*sharpness*(-threshold + y_min)), 0.35355339059327376*scipy.special.erf(2.5066282746310005*sharpness*(-threshold + y_max)) - 0.35355339059327376*scipy.special.erf(2.5066282746310005*sharpness*(-threshold + y_min)))/(sharpness*(y_max - y_min)))


def uniform_gaussian_m2_dsharpness(y_min, y_max, threshold, dampening, sharpness):
    """d/dsharpness of uniform_gaussian_m2."""
    return dampening**2*numpy.where((sharpness*(y_max - y_min) < 1/1000000), -12.566370614359173*sharpness*(-threshold + (1/2)*y_max + (1/2)*y_min)**2*numpy.exp(-6.2831853071795865*sharpness**2*(-threshold + (1/2)*y_max + (1/2)*y_min)**2), ((-threshold + y_max)*numpy.exp(-6.2831853071795865*sharpness**2*(-threshold + y_max)**2) - (-threshold + y_min)*numpy.exp(-6.2831853071795865*sharpness**2*(-threshold + y_min)**2))/(sharpness*(y_max - y_min)) - numpy.where(numpy.logical_or((sharpness*(-threshold + y_min) >= 0), (sharpness*(-threshold + y_max) <= 0)), -0.35355339059327376*scipy.special.erfc(2.5066282746310005*sharpness*(-threshold + y_max)) + 0.35355339059327376*scipy.special.erfc(2.5066282746310005*sharpness*(-threshold + y_min)), 0.35355339059327376*scipy.special.erf(2.5066282746310005*sharpness*(-threshold + y_max)) - 0.35355339059327376*scipy.special.erf(2.5066282746310005*sharpness*(-threshold + y_min)))/(sharpness**2*(y_max - y_min)))


def gaussian_gaussian_m2(mean, std, threshold, dampening, sharpness):
    """E[SG^2] of the gaussian family for a voltage N(mean, std^2), closed form."""
    return dampening**2*numpy.exp(-6.2831853071795865*sharpness**2*(mean - threshold)**2/(12.566370614359173*sharpness**2*std**2 + 1))/numpy.sqrt(12.566370614359173*sharpness**2*std**2 + 1)


def gaussian_gaussian_m2_dsharpness(mean, std, threshold, dampening, sharpness):
    """d/dsharpness of gaussian_gaussian_m2."""
    return -12.566370614359173*dampening**2*sharpness*std**2*numpy.exp(-6.2831853071795865*sharpness**2*(mean - threshold)**2/(12.566370614359173*sharpness**2*std**2 + 1))/(12.566370614359173*sharpness**2*std**2 + 1)**(3/2) + dampening**2*(157.91367041742974*sharpness**3*std**2*(mean - threshold)**2/(12.566370614359173*sharpness**2*std**2 + 1)**2 - 12.566370614359173*sharpness*(mean - threshold)**2/(12.566370614359173*sharpness**2*std**2 + 1))*numpy.exp(-6.2831853071795865*sharpness**2*(mean - threshold)**2/(12.566370614359173*sharpness**2*std**2 + 1))/numpy.sqrt(12.566370614359173*sharpness**2*std**2 + 1)


def uniform_sigmoid_m1(y_min, y_max, threshold, dampening, sharpness):
    """E[SG^1] of the sigmoid family for a voltage uniform on [y_min, y_max]."""
    return dampening*numpy.where((sharpness*(y_max - y_min) < 1/1000000), 4*numpy.exp(-4*sharpness*numpy.abs(-threshold + (1/2)*y_max + (1/2)*y_min))/(1 + numpy.exp(-4*sharpness*numpy.abs(-threshold + (1/2)*y_max + (1/2)*y_min)))**2, numpy.where((sharpness*(-threshold + y_max) <= 0), -numpy.exp(4*sharpness*(-threshold + y_min))/(numpy.exp(4*sharpness*(-threshold + y_min)) + 1) + numpy.exp(4*sharpness*(-threshold + y_max))/(numpy.exp(4*sharpness*(-threshold + y_max)) + 1), numpy.where((sharpness*(-threshold + y_min) >= 0), numpy.exp(-4*sharpness*(-threshold + y_min))/(1 + numpy.exp(-4*sharpness*(-threshold + y_min))) - numpy.exp(-4*sharpness*(-threshold + y_max))/(1 + numpy.exp(-4*sharpness*(-threshold + y_max))), (1/2)*numpy.tanh(2*sharpness*(-threshold + y_max)) - 1/2*numpy.tanh(2*sharpness*(-threshold + y_min))))/(sharpness*(y_max - y_min)))


def uniform_sigmoid_m1_dsharpness(y_min, y_max, threshold, dampening, sharpness):
    """d/dsharpness of uniform_sigmoid_m1."""
    return dampening*numpy.where((sharpness*(y_max - y_min) < 1/1000000), -16*numpy.exp(-4*sharpness*numpy.abs(-threshold + (1/2)*y_max + (1/2)*y_min))*numpy.abs(-threshold + (1/2)*y_max + (1/2)*y_min)/(1 + numpy.exp(-4*sharpness*numpy.abs(-threshold + (1/2)*y_max + (1/2)*y_min)))**2 + 32*numpy.exp(-8*sharpness*numpy.abs(-threshold + (1/2)*y_max + (1/2)*y_min))*numpy.abs(-threshold + (1/2)*y_max + (1/2)*y_min)/(1 + numpy.exp(-4*sharpness*numpy.abs(-threshold + (1/2)*y_max + (1/2)*y_min)))**3, numpy.where((sharpness*(-threshold + y_max) <= 0), (-4*threshold + 4*y_max)*numpy.exp(4*sharpness*(-threshold + y_max))/(numpy.exp(4*sharpness*(-threshold + y_max)) + 1) - (-4*threshold + 4*y_max)*numpy.exp(8*sharpness*(-threshold + y_max))/(numpy.exp(4*sharpness*(-threshold + y_max)) + 1)**2 - (-4*threshold + 4*y_min)*numpy.exp(4*sharpness*(-threshold + y_min))/(numpy.exp(4*sharpness*(-threshold + y_min)) + 1) + (-4*threshold + 4*y_min)*numpy.exp(8*sharpness*(-threshold + y_min))/(numpy.exp(4*sharpness*(-threshold + y_min)) + 1)**2, numpy.where((sharpness*(-threshold + y_min) >= 0), (4*threshold - 4*y_min)*numpy.exp(-4*sharpness*(-threshold + y_min))/(1 + numpy.exp(-4*sharpness*(-threshold + y_min))) - (4*threshold - 4*y_min)*numpy.exp(-8*sharpness*(-threshold + y_min))/(1 + numpy.exp(-4*sharpness*(-threshold + y_min)))**2 - (4*threshold - 4*y_max)*numpy.exp(-4*sharpness*(-threshold + y_max))/(1 + numpy.exp(-4*sharpness*(-threshold + y_max))) + (4*threshold - 4*y_max)*numpy.exp(-8*sharpness*(-threshold + y_max))/(1 + numpy.exp(-4*sharpness*(-threshold + y_max)))**2, (1/2)*(1 - numpy.tanh(2*sharpness*(-threshold + y_max))**2)*(-2*threshold + 2*y_max) - 1/2*(1 - numpy.tanh(2*sharpness*(-threshold + y_min))**2)*(-2*threshold + 2*y_min)))/(sharpness*(y_max - y_min)) - numpy.where((sharpness*(-threshold + y_max) <= 0), -numpy.exp(4*sharpness*(-threshold + y_min))/(numpy.exp(4*sharpness*(-threshold + y_min)) + 1) + numpy.exp(4*sharpness*(-threshold + y_max))/(numpy.exp(4*sharpness*(-threshold + y_max)) + 1), numpy.where((sharpness*(-threshold + y_min) >= 0), numpy.exp(-4*sharpness*(-threshold + y_min))/(1 + numpy.exp(-4*sharpness*(-threshold + y_min))) - numpy.exp(-4*sharpness*(-threshold + y_max))/(1 + numpy.exp(-4*sharpness*(-threshold + y_max))), (1/2)*numpy.tanh(2*sharpness*(-threshold + y_max)) - 1/2*numpy.tanh(2*sharpness*(-threshold + y_min))))/(sharpness**2*(y_max - y_min)))


def gaussian_integrand_sigmoid_m1(t, mean, std, threshold, dampening, sharpness):
    """Integrand on t = |v - threshold| >= 0 whose integral is E[SG^1] of the sigmoid family for a voltage N(mean, std^2) (no closed form; lifstab.expectations integrates it)."""
    return 4*dampening*(0.39894228040143268*numpy.exp(-1/2*(mean + t - threshold)**2/std**2) + 0.39894228040143268*numpy.exp(-1/2*(-mean + t + threshold)**2/std**2))*numpy.exp(-4*sharpness*t)/(std*(1 + numpy.exp(-4*sharpness*t))**2)


def gaussian_integrand_sigmoid_m1_dsharpness(t, mean, std, threshold, dampening, sharpness):
    """d/dsharpness of gaussian_integrand_sigmoid_m1."""
    return -16*dampening*t*(0.39894228040143268*numpy.exp(-1/2*(mean + t - threshold)**2/std**2) + 0.39894228040143268*numpy.exp(-1/2*(-mean + t + threshold)**2/std**2))*numpy.exp(-4*sharpness*t)/(std*(1 + numpy.exp(-4*sharpness*t))**2) + 32*dampening*t*(0.39894228040143268*numpy.exp(-1/2*(mean + t - threshold)**2/std**2) + 0.39894228040143268*numpy.exp(-1/2*(-mean + t + threshold)**2/std**2))*numpy.exp(-8*sharpness*t)/(std*(1 + numpy.exp(-4*sharpness*t))**3)


def uniform_sigmoid_m2(y_min, y_max, threshold, dampening, sharpness):
    """E[SG^2] of the sigmoid family for a voltage uniform on [y_min, y_max]."""
    return dampening**2*numpy.where((sharpness*(y_max - y_min) < 1/1000000), 16*numpy.exp(-8*sharpness*numpy.abs(-threshold + (1/2)*y_max + (1/2)*y_min))/(1 + numpy.exp(-4*sharpness*numpy.abs(-threshold + (1/2)*y_max + (1/2)*y_min)))**4, numpy.where((sharpness*(-threshold + y_max) <= 0), 2*((1/3)*numpy.exp(4*sharpness*(-threshold + y_max)) + 1)*numpy.exp(8*sharpness*(-threshold + y_max))/(numpy.exp(4*sharpness*(-threshold + y_max)) + 1)**3 - 2*((1/3)*numpy.exp(4*sharpness*(-threshold + y_min)) + 1)*numpy.exp(8*sharpness*(-threshold + y_min))/(numpy.exp(4*sharpness*(-threshold + y_min)) + 1)**3, numpy.where((sharpness*(-threshold + y_min) >= 0), -2*(1 + (1/3)*numpy.exp(-4*sharpness*(-threshold + y_max)))*numpy.exp(-8*sharpness*(-threshold + y_max))/(1 + numpy.exp(-4*sharpness*(-threshold + y_max)))**3 + 2*(1 + (1/3)*numpy.exp(-4*sharpness*(-threshold + y_min)))*numpy.exp(-8*sharpness*(-threshold + y_min))/(1 + numpy.exp(-4*sharpness*(-threshold + y_min)))**3, -1/6*numpy.tanh(2*sharpness*(-threshold + y_max))**3 + (1/2)*numpy.tanh(2*sharpness*(-threshold + y_max)) + (1/6)*numpy.tanh(2*sharpness*(-threshold + y_min))**3 - 1/2*numpy.tanh(2*sharpness*(-threshold + y_min))))/(sharpness*(y_max - y_min)))


def uniform_sigmoid_m2_dsharpness(y_min, y_max, threshold, dampening, sharpness):
    """d/dsharpness of uniform_sigmoid_m2."""
    return dampening**2*numpy.where((sharpness*(y_max - y_min) < 1/1000000), -128*numpy.exp(-8*sharpness*numpy.abs(-threshold + (1/2)*y_max + (1/2)*y_min))*numpy.abs(-threshold + (1/2)*y_max + (1/2)*y_min)/(1 + numpy.exp(-4*sharpness*numpy.abs(-threshold + (1/2)*y_max + (1/2)*y_min)))**4 + 256*numpy.exp(-12*sharpness*numpy.abs(-threshold + (1/2)*y_max + (1/2)*y_min))*numpy.abs(-threshold + (1/2)*y_max + (1/2)*y_min)/(1 + numpy.exp(-4*sharpness*numpy.abs(-threshold + (1/2)*y_max + (1/2)*y_min)))**5, numpy.where((sharpness*(-threshold + y_max) <= 0), 2*(-8*threshold + 8*y_max)*((1/3)*numpy.exp(4*sharpness*(-threshold + y_max)) + 1)*numpy.exp(8*sharpness*(-threshold + y_max))/(numpy.exp(4*sharpness*(-threshold + y_max)) + 1)**3 - 2*(-8*threshold + 8*y_min)*((1/3)*numpy.exp(4*sharpness*(-threshold + y_min)) + 1)*numpy.exp(8*sharpness*(-threshold + y_min))/(numpy.exp(4*sharpness*(-threshold + y_min)) + 1)**3 - 6*(-4*threshold + 4*y_max)*((1/3)*numpy.exp(4*sharpness*(-threshold + y_max)) + 1)*numpy.exp(12*sharpness*(-threshold + y_max))/(numpy.exp(4*sharpness*(-threshold + y_max)) + 1)**4 + (2/3)*(-4*threshold + 4*y_max)*numpy.exp(12*sharpness*(-threshold + y_max))/(numpy.exp(4*sharpness*(-threshold + y_max)) + 1)**3 + 6*(-4*threshold + 4*y_min)*((1/3)*numpy.exp(4*sharpness*(-threshold + y_min)) + 1)*numpy.exp(12*sharpness*(-threshold + y_min))/(numpy.exp(4*sharpness*(-threshold + y_min)) + 1)**4 - 2/3*(-4*threshold + 4*y_min)*numpy.exp(12*sharpness*(-threshold + y_min))/(numpy.exp(4*sharpness*(-threshold + y_min)) + 1)**3, numpy.where((sharpness*(-threshold + y_min) >= 0), -2*(1 + (1/3)*numpy.exp(-4*sharpness*(-threshold + y_max)))*(8*threshold - 8*y_max)*numpy.exp(-8*sharpness*(-threshold + y_max))/(1 + numpy.exp(-4*sharpness*(-threshold + y_max)))**3 + 6*(1 + (1/3)*numpy.exp(-4*sharpness*(-threshold + y_max)))*(4*threshold - 4*y_max)*numpy.exp(-12*sharpness*(-threshold + y_max))/(1 + numpy.exp(-4*sharpness*(-threshold + y_max)))**4 + 2*(1 + (1/3)*numpy.exp(-4*sharpness*(-threshold + y_min)))*(8*threshold - 8*y_min)*numpy.exp(-8*sharpness*(-threshold + y_min))/(1 + numpy.exp(-4*sharpness*(-threshold + y_min)))**3 - 6*(1 + (1/3)*numpy.exp(-4*sharpness*(-threshold + y_min)))*(4*threshold - 4*y_min)*numpy.exp(-12*sharpness*(-threshold + y_min))/(1 + numpy.exp(-4*sharpness*(-threshold + y_min)))**4 + (2/3)*(4*threshold - 4*y_min)*numpy.exp(-12*sharpness*(-threshold + y_min))/(1 + numpy.exp(-4*sharpness*(-threshold + y_min)))**3 - 2/3*(4*threshold - 4*y_max)*numpy.exp(-12*sharpness*(-threshold + y_max))/(1 + numpy.exp(-4*sharpness*(-threshold + y_max)))**3, -1/2*(1 - numpy.tanh(2*sharpness*(-threshold + y_max))**2)*(-2*threshold + 2*y_max)*numpy.tanh(2*sharpness*(-threshold + y_max))**2 + (1/2)*(1 - numpy.tanh(2*sharpness*(-threshold + y_max))**2)*(-2*threshold + 2*y_max) + (1/2)*(1 - numpy.tanh(2*sharpness*(-threshold + y_min))**2)*(-2*threshold + 2*y_min)*numpy.tanh(2*sharpness*(-threshold + y_min))**2 - 1/2*(1 - numpy.tanh(2*sharpness*(-threshold + y_min))**2)*(-2*threshold + 2*y_min)))/(sharpness*(y_max - y_min)) - numpy.where((sharpness*(-threshold + y_max) <= 0), 2*((1/3)*numpy.exp(4*sharpness*(-threshold + y_max)) + 1)*numpy.exp(8*sharpness*(-threshold + y_max))/(numpy.exp(4*sharpness*(-threshold + y_max)) + 1)**3 - 2*((1/3)*numpy.exp(4*sharpness*(-threshold + y_min)) + 1)*numpy.exp(8*sharpness*(-threshold + y_min))/(numpy.exp(4*sharpness*(-threshold + y_min)) + 1)**3, numpy.where((sharpness*(-threshold + y_min) >= 0), -2*(1 + (1/3)*numpy.exp(-4*sharpness*(-threshold + y_max)))*numpy.exp(-8*sharpness*(-threshold + y_max))/(1 + numpy.exp(-4*sharpness*(-threshold + y_max)))**3 + 2*(1 + (1/3)*numpy.exp(-4*sharpness*(-threshold + y_min)))*numpy.exp(-8*sharpness*(-threshold + y_min))/(1 + numpy.exp(-4*sharpness*(-threshold + y_min)))**3, -1/6*numpy.tanh(2*sharpness*(-threshold + y_max))**3 + (1/2)*numpy.tanh(2*sharpness*(-threshold + y_max)) + (1/6)*numpy.tanh(2*sharpness*(-threshold + y_min))**3 - 1/2*numpy.tanh(2*sharpness*(-threshold + y_min))))/(sharpness**2*(y_max - y_min)))


def gaussian_integrand_sigmoid_m2(t, mean, std, threshold, dampening, sharpness):
    """Integrand on t = |v - threshold| >= 0 whose integral is E[SG^2] of the sigmoid family for a voltage N(mean, std^2) (no closed form; lifstab.expectations integrates it)."""
    return 16*dampening**2*(0.39894228040143268*numpy.exp(-1/2*(mean + t - threshold)**2/std**2) + 0.39894228040143268*numpy.exp(-1/2*(-mean + t + threshold)**2/std**2))*numpy.exp(-8*sharpness*t)/(std*(1 + numpy.exp(-4*sharpness*t))**4)


def gaussian_integrand_sigmoid_m2_dsharpness(t, mean, std, threshold, dampening, sharpness):
    """d/dsharpness of gaussian_integrand_sigmoid_m2."""
    return -128*dampening**2*t*(0.39894228040143268*numpy.exp(-1/2*(mean + t - threshold)**2/std**2) + 0.39894228040143268*numpy.exp(-1/2*(-mean + t + threshold)**2/std**2))*numpy.exp(-8*sharpness*t)/(std*(1 + numpy.exp(-4*sharpness*t))**4) + 256*dampening**2*t*(0.39894228040143268*numpy.exp(-1/2*(mean + t - threshold)**2/std**2) + 0.39894228040143268*numpy.exp(-1/2*(-mean + t + threshold)**2/std**2))*numpy.exp(-12*sharpness*t)/(std*(1 + numpy.exp(-4*sharpness*t))**5)


def uniform_fast_sigmoid_m1(y_min, y_max, threshold, dampening, sharpness):
    """E[SG^1] of the fast_sigmoid family for a voltage uniform on [y_min, y_max]."""
    return dampening*numpy.where((sharpness*(y_max - y_min) < 1/1000000), (2*sharpness*numpy.abs(-threshold + (1/2)*y_max + (1/2)*y_min) + 1)**(-2), numpy.where((sharpness*(-threshold + y_max) <= 0), -1/(-4*sharpness*(-threshold + y_min) + 2) + 1/(-4*sharpness*(-threshold + y_max) + 2), numpy.where((sharpness*(-threshold + y_min) >= 0), 1/(4*sharpness*(-threshold + y_min) + 2) - 1/(4*sharpness*(-threshold + y_max) + 2), sharpness*(-threshold + y_max)/(2*sharpness*(-threshold + y_max) + 1) - sharpness*(-threshold + y_min)/(-2*sharpness*(-threshold + y_min) + 1)))/(sharpness*(y_max - y_min)))


def uniform_fast_sigmoid_m1_dsharpness(y_min, y_max, threshold, dampening, sharpness):
    """d/dsharpness of uniform_fast_sigmoid_m1."""
    return dampening*numpy.where((sharpness*(y_max - y_min) < 1/1000000), -4*numpy.abs(-threshold + (1/2)*y_max + (1/2)*y_min)/(2*sharpness*numpy.abs(-threshold + (1/2)*y_max + (1/2)*y_min) + 1)**3, numpy.where((sharpness*(-threshold + y_max) <= 0), (-4*threshold + 4*y_max)/(-4*sharpness*(-threshold + y_max) + 2)**2 - (-4*threshold + 4*y_min)/(-4*sharpness*(-threshold + y_min) + 2)**2, numpy.where((sharpness*(-threshold + y_min) >= 0), -(4*threshold - 4*y_max)/(4*sharpness*(-threshold + y_max) + 2)**2 + (4*threshold - 4*y_min)/(4*sharpness*(-threshold + y_min) + 2)**2, -sharpness*(-2*threshold + 2*y_min)*(-threshold + y_min)/(-2*sharpness*(-threshold + y_min) + 1)**2 + sharpness*(-threshold + y_max)*(2*threshold - 2*y_max)/(2*sharpness*(-threshold + y_max) + 1)**2 + (-threshold + y_max)/(2*sharpness*(-threshold + y_max) + 1) - (-threshold + y_min)/(-2*sharpness*(-threshold + y_min) + 1)))/(sharpness*(y_max - y_min)) - numpy.where((sharpness*(-threshold + y_max) <= 0), -1/(-4*sharpness*(-threshold + y_min) + 2) + 1/(-4*sharpness*(-threshold + y_max) + 2), numpy.where((sharpness*(-threshold + y_min) >= 0), 1/(4*sharpness*(-threshold + y_min) + 2) - 1/(4*sharpness*(-threshold + y_max) + 2), sharpness*(-threshold + y_max)/(2*sharpness*(-threshold + y_max) + 1) - sharpness*(-threshold + y_min)/(-2*sharpness*(-threshold + y_min) + 1)))/(sharpness**2*(y_max - y_min)))


def gaussian_integrand_fast_sigmoid_m1(t, mean, std, threshold, dampening, sharpness):
    """Integrand on t = |v - threshold| >= 0 whose integral is E[SG^1] of the fast_sigmoid family for a voltage N(mean, std^2) (no closed form; lifstab.expectations integrates it)."""
    return dampening*(0.39894228040143268*numpy.exp(-1/2*(mean + t - threshold)**2/std**2) + 0.39894228040143268*numpy.exp(-1/2*(-mean + t + threshold)**2/std**2))/(std*(2*sharpness*t + 1)**2)


def gaussian_integrand_fast_sigmoid_m1_dsharpness(t, mean, std, threshold, dampening, sharpness):
    """d/dsharpness of gaussian_integrand_fast_sigmoid_m1."""
    return -4*dampening*t*(0.39894228040143268*numpy.exp(-1/2*(mean + t - threshold)**2/std**2) + 0.39894228040143268*numpy.exp(-1/2*(-mean + t + threshold)**2/std**2))/(std*(2*sharpness*t + 1)**3)


def uniform_fast_sigmoid_m2(y_min, y_max, threshold, dampening, sharpness):
    """E[SG^2] of the fast_sigmoid family for a voltage uniform on [y_min, y_max]."""
    return dampening**2*numpy.where((sharpness*(y_max - y_min) < 1/1000000), (2*sharpness*numpy.abs(-threshold + (1/2)*y_max + (1/2)*y_min) + 1)**(-4), numpy.where((sharpness*(-threshold + y_max) <= 0), -(1/6)/(-2*sharpness*(-threshold + y_min) + 1)**3 + (1/6)/(-2*sharpness*(-threshold + y_max) + 1)**3, numpy.where((sharpness*(-threshold + y_min) >= 0), (1/6)/(2*sharpness*(-threshold + y_min) + 1)**3 - (1/6)/(2*sharpness*(-threshold + y_max) + 1)**3, (1/3)*sharpness*(-threshold + y_max)*(4*sharpness**2*(-threshold + y_max)**2 + 6*sharpness*(-threshold + y_max) + 3)/(2*sharpness*(-threshold + y_max) + 1)**3 - 1/3*sharpness*(-threshold + y_min)*(4*sharpness**2*(-threshold + y_min)**2 - 6*sharpness*(-threshold + y_min) + 3)/(-2*sharpness*(-threshold + y_min) + 1)**3))/(sharpness*(y_max - y_min)))


def uniform_fast_sigmoid_m2_dsharpness(y_min, y_max, threshold, dampening, sharpness):
    """d/dsharpness of uniform_fast_sigmoid_m2."""
    return dampening**2*numpy.where((sharpness*(y_max - y_min) < 1/1000000), -8*numpy.abs(-threshold + (1/2)*y_max + (1/2)*y_min)/(2*sharpness*numpy.abs(-threshold + (1/2)*y_max + (1/2)*y_min) + 1)**5, numpy.where((sharpness*(-threshold + y_max) <= 0), (1/6)*(-6*threshold + 6*y_max)/(-2*sharpness*(-threshold + y_max) + 1)**4 - 1/6*(-6*threshold + 6*y_min)/(-2*sharpness*(-threshold + y_min) + 1)**4, numpy.where((sharpness*(-threshold + y_min) >= 0), -1/6*(6*threshold - 6*y_max)/(2*sharpness*(-threshold + y_max) + 1)**4 + (1/6)*(6*threshold - 6*y_min)/(2*sharpness*(-threshold + y_min) + 1)**4, -1/3*sharpness*(-6*threshold + 6*y_min)*(-threshold + y_min)*(4*sharpness**2*(-threshold + y_min)**2 - 6*sharpness*(-threshold + y_min) + 3)/(-2*sharpness*(-threshold + y_min) + 1)**4 + (1/3)*sharpness*(-threshold + y_max)*(6*threshold - 6*y_max)*(4*sharpness**2*(-threshold + y_max)**2 + 6*sharpness*(-threshold + y_max) + 3)/(2*sharpness*(-threshold + y_max) + 1)**4 + (1/3)*sharpness*(-threshold + y_max)*(8*sharpness*(-threshold + y_max)**2 - 6*threshold + 6*y_max)/(2*sharpness*(-threshold + y_max) + 1)**3 - 1/3*sharpness*(-threshold + y_min)*(8*sharpness*(-threshold + y_min)**2 + 6*threshold - 6*y_min)/(-2*sharpness*(-threshold + y_min) + 1)**3 + (1/3)*(-threshold + y_max)*(4*sharpness**2*(-threshold + y_max)**2 + 6*sharpness*(-threshold + y_max) + 3)/(2*sharpness*(-threshold + y_max) + 1)**3 - 1/3*(-threshold + y_min)*(4*sharpness**2*(-threshold + y_min)**2 - 6*sharpness*(-threshold + y_min) + 3)/(-2*sharpness*(-threshold + y_min) + 1)**3))/(sharpness*(y_max - y_min)) - numpy.where((sharpness*(-threshold + y_max) <= 0), -(1/6)/(-2*sharpness*(-threshold + y_min) + 1)**3 + (1/6)/(-2*sharpness*(-threshold + y_max) + 1)**3, numpy.where((sharpness*(-threshold + y_min) >= 0), (1/6)/(2*sharpness*(-threshold + y_min) + 1)**3 - (1/6)/(2*sharpness*(-threshold + y_max) + 1)**3, (1/3)*sharpness*(-threshold + y_max)*(4*sharpness**2*(-threshold + y_max)**2 + 6*sharpness*(-threshold + y_max) + 3)/(2*sharpness*(-threshold + y_max) + 1)**3 - 1/3*sharpness*(-threshold + y_min)*(4*sharpness**2*(-threshold + y_min)**2 - 6*sharpness*(-threshold + y_min) + 3)/(-2*sharpness*(-threshold + y_min) + 1)**3))/(sharpness**2*(y_max - y_min)))


def gaussian_integrand_fast_sigmoid_m2(t, mean, std, threshold, dampening, sharpness):
    """Integrand on t = |v - threshold| >= 0 whose integral is E[SG^2] of the fast_sigmoid family for a voltage N(mean, std^2) (no closed form; lifstab.expectations integrates it)."""
    return dampening**2*(0.39894228040143268*numpy.exp(-1/2*(mean + t - threshold)**2/std**2) + 0.39894228040143268*numpy.exp(-1/2*(-mean + t + threshold)**2/std**2))/(std*(2*sharpness*t + 1)**4)


def gaussian_integrand_fast_sigmoid_m2_dsharpness(t, mean, std, threshold, dampening, sharpness):
    """d/dsharpness of gaussian_integrand_fast_sigmoid_m2."""
    return -8*dampening**2*t*(0.39894228040143268*numpy.exp(-1/2*(mean + t - threshold)**2/std**2) + 0.39894228040143268*numpy.exp(-1/2*(-mean + t + threshold)**2/std**2))/(std*(2*sharpness*t + 1)**5)


def uniform_rectangular_m1(y_min, y_max, threshold, dampening, sharpness):
    """E[SG^1] of the rectangular family for a voltage uniform on [y_min, y_max]."""
    return dampening*numpy.where((sharpness*(y_max - y_min) < 1/1000000), numpy.where((sharpness*numpy.abs(-threshold + (1/2)*y_max + (1/2)*y_min) < 1/2), 1, 0), numpy.where((sharpness*(-threshold + y_max) <= 0), numpy.where((sharpness*(-threshold + y_max) > -1/2), sharpness*(-threshold + y_max) + 1/2, 0) - numpy.where((sharpness*(-threshold + y_min) > -1/2), sharpness*(-threshold + y_min) + 1/2, 0), numpy.where((sharpness*(-threshold + y_min) >= 0), -numpy.where((sharpness*(-threshold + y_max) < 1/2), -sharpness*(-threshold + y_max) + 1/2, 0) + numpy.where((sharpness*(-threshold + y_min) < 1/2), -sharpness*(-threshold + y_min) + 1/2, 0), numpy.where((sharpness*(-threshold + y_max) < 1/2), sharpness*(-threshold + y_max), 1/2) + numpy.where((sharpness*(-threshold + y_min) > -1/2), -sharpness*(-threshold + y_min), 1/2)))/(sharpness*(y_max - y_min)))


def uniform_rectangular_m1_dsharpness(y_min, y_max, threshold, dampening, sharpness):
    """d/dsharpness of uniform_rectangular_m1."""
    return dampening*numpy.where((sharpness*(y_max - y_min) < 1/1000000), 0, numpy.where((sharpness*(-threshold + y_max) <= 0), numpy.where((sharpness*(-threshold + y_max) > -1/2), -threshold + y_max, 0) - numpy.where((sharpness*(-threshold + y_min) > -1/2), -threshold + y_min, 0), numpy.where((sharpness*(-threshold + y_min) >= 0), -numpy.where((sharpness*(-threshold + y_max) < 1/2), threshold - y_max, 0) + numpy.where((sharpness*(-threshold + y_min) < 1/2), threshold - y_min, 0), numpy.where((sharpness*(-threshold + y_max) < 1/2), -threshold + y_max, 0) + numpy.where((sharpness*(-threshold + y_min) > -1/2), threshold - y_min, 0)))/(sharpness*(y_max - y_min)) - numpy.where((sharpness*(-threshold + y_max) <= 0), numpy.where((sharpness*(-threshold + y_max) > -1/2), sharpness*(-threshold + y_max) + 1/2, 0) - numpy.where((sharpness*(-threshold + y_min) > -1/2), sharpness*(-threshold + y_min) + 1/2, 0), numpy.where((sharpness*(-threshold + y_min) >= 0), -numpy.where((sharpness*(-threshold + y_max) < 1/2), -sharpness*(-threshold + y_max) + 1/2, 0) + numpy.where((sharpness*(-threshold + y_min) < 1/2), -sharpness*(-threshold + y_min) + 1/2, 0), numpy.where((sharpness*(-threshold + y_max) < 1/2), sharpness*(-threshold + y_max), 1/2) + numpy.where((sharpness*(-threshold + y_min) > -1/2), -sharpness*(-threshold + y_min), 1/2)))/(sharpness**2*(y_max - y_min)))


def gaussian_rectangular_m1(mean, std, threshold, dampening, sharpness):
    """E[SG^1] of the rectangular family for a voltage N(mean, std^2), closed form."""
    return (1/2)*dampening*(scipy.special.erfc(0.70710678118654752*(numpy.abs(mean - threshold) - (1/2)/sharpness)/std) - scipy.special.erfc(0.70710678118654752*(numpy.abs(mean - threshold) + (1/2)/sharpness)/std))


def gaussian_rectangular_m1_dsharpness(mean, std, threshold, dampening, sharpness):
    """d/dsharpness of gaussian_rectangular_m1."""
    return (1/2)*dampening*(-0.39894228040143268*numpy.exp(-1/2*(numpy.abs(mean - threshold) + (1/2)/sharpness)**2/std**2)/(sharpness**2*std) - 0.39894228040143268*numpy.exp(-1/2*(numpy.abs(mean - threshold) - (1/2)/sharpness)**2/std**2)/(sharpness**2*std))


def uniform_rectangular_m2(y_min, y_max, threshold, dampening, sharpness):
    """E[SG^2] of the rectangular family for a voltage uniform on [y_min, y_max]."""
    return dampening**2*numpy.where((sharpness*(y_max - y_min) < 1/1000000), numpy.where((sharpness*numpy.abs(-threshold + (1/2)*y_max + (1/2)*y_min) < 1/2), 1, 0), numpy.where((sharpness*(-threshold + y_max) <= 0), numpy.where((sharpness*(-threshold + y_max) > -1/2), sharpness*(-threshold + y_max) + 1/2, 0) - numpy.where((sharpness*(-threshold + y_min) > -1/2), sharpness*(-threshold + y_min) + 1/2, 0), numpy.where((sharpness*(-threshold + y_min) >= 0), -numpy.where((sharpness*(-threshold + y_max) < 1/2), -sharpness*(-threshold + y_max) + 1/2, 0) + numpy.where((sharpness*(-threshold + y_min) < 1/2), -sharpness*(-threshold + y_min) + 1/2, 0), numpy.where((sharpness*(-threshold + y_max) < 1/2), sharpness*(-threshold + y_max), 1/2) + numpy.where((sharpness*(-threshold + y_min) > -1/2), -sharpness*(-threshold + y_min), 1/2)))/(sharpness*(y_max - y_min)))


def uniform_rectangular_m2_dsharpness(y_min, y_max, threshold, dampening, sharpness):
    """d/dsharpness of uniform_rectangular_m2."""
    return dampening**2*numpy.where((sharpness*(y_max - y_min) < 1/1000000), 0, numpy.where((sharpness*(-threshold + y_max) <= 0), numpy.where((sharpness*(-threshold + y_max) > -1/2), -threshold + y_max, 0) - numpy.where((sharpness*(-threshold + y_min) > -1/2), -threshold + y_min, 0), numpy.where((sharpness*(-threshold + y_min) >= 0), -numpy.where((sharpness*(-threshold + y_max) < 1/2), threshold - y_max, 0) + numpy.where((sharpness*(-threshold + y_min) < 1/2), threshold - y_min, 0), numpy.where((sharpness*(-threshold + y_max) < 1/2), -threshold + y_max, 0) + numpy.where((sharpness*(-threshold + y_min) > -1/2), threshold - y_min, 0)))/(sharpness*(y_max - y_min)) - numpy.where((sharpness*(-threshold + y_max) <= 0), numpy.where((sharpness*(-threshold + y_max) > -1/2), sharpness*(-threshold + y_max) + 1/2, 0) - numpy.where((sharpness*(-threshold + y_min) > -1/2), sharpness*(-threshold + y_min) + 1/2, 0), numpy.where((sharpness*(-threshold + y_min) >= 0), -numpy.where((sharpness*(-threshold + y_max) < 1/2), -sharpness*(-threshold + y_max) + 1/2, 0) + numpy.where((sharpness*(-threshold + y_min) < 1/2), -sharpness*(-threshold + y_min) + 1/2, 0), numpy.where((sharpness*(-threshold + y_max) < 1/2), sharpness*(-threshold + y_max), 1/2) + numpy.where((sharpness*(-threshold + y_min) > -1/2), -sharpness*(-threshold + y_min), 1/2)))/(sharpness**2*(y_max - y_min)))


def gaussian_rectangular_m2(mean, std, threshold, dampening, sharpness):
    """E[SG^2] of the rectangular family for a voltage N(mean, std^2), closed form."""
    return (1/2)*dampening**2*(scipy.special.erfc(0.70710678118654752*(numpy.abs(mean - threshold) - (1/2)/sharpness)/std) - scipy.special.erfc(0.70710678118654752*(numpy.abs(mean - threshold) + (1/2)/sharpness)/std))


def gaussian_rectangular_m2_dsharpness(mean, std, threshold, dampening, sharpness):
    """d/dsharpness of gaussian_rectangular_m2."""
    return (1/2)*dampening**2*(-0.39894228040143268*numpy.exp(-1/2*(numpy.abs(mean - threshold) + (1/2)/sharpness)**2/std**2)/(sharpness**2*std) - 0.39894228040143268*numpy.exp(-1/2*(numpy.abs(mean - threshold) - (1/2)/sharpness)**2/std**2)/(sharpness**2*std))


def uniform_q_pseudo_spike_m1(y_min, y_max, threshold, dampening, sharpness, tail):
    """E[SG^1] of the q_pseudo_spike family for a voltage uniform on [y_min, y_max]."""
    return dampening*numpy.where((sharpness*(y_max - y_min) < 1/1000000), (2*sharpness*numpy.abs(-threshold + (1/2)*y_max + (1/2)*y_min)/(tail - 1) + 1)**(-tail), numpy.where((sharpness*(-threshold + y_max) <= 0), (tail - 1)*numpy.exp((1 - tail)*numpy.log1p(-2*sharpness*(-threshold + y_max)/(tail - 1)))/(2*tail - 2) - (tail - 1)*numpy.exp((1 - tail)*numpy.log1p(-2*sharpness*(-threshold + y_min)/(tail - 1)))/(2*tail - 2), numpy.where((sharpness*(-threshold + y_min) >= 0), -(tail - 1)*numpy.exp((1 - tail)*numpy.log1p(2*sharpness*(-threshold + y_max)/(tail - 1)))/(2*tail - 2) + (tail - 1)*numpy.exp((1 - tail)*numpy.log1p(2*sharpness*(-threshold + y_min)/(tail - 1)))/(2*tail - 2), -(tail - 1)*numpy.expm1((1 - tail)*numpy.log1p(2*sharpness*(-threshold + y_max)/(tail - 1)))/(2*tail - 2) - (tail - 1)*numpy.expm1((1 - tail)*numpy.log1p(-2*sharpness*(-threshold + y_min)/(tail - 1)))/(2*tail - 2)))/(sharpness*(y_max - y_min)))


def uniform_q_pseudo_spike_m1_dsharpness(y_min, y_max, threshold, dampening, sharpness, tail):
    """d/dsharpness of uniform_q_pseudo_spike_m1."""
    return dampening*numpy.where((sharpness*(y_max - y_min) < 1/1000000), -2*tail*(2*sharpness*numpy.abs(-threshold + (1/2)*y_max + (1/2)*y_min)/(tail - 1) + 1)**(-tail)*numpy.abs(-threshold + (1/2)*y_max + (1/2)*y_min)/((tail - 1)*(2*sharpness*numpy.abs(-threshold + (1/2)*y_max + (1/2)*y_min)/(tail - 1) + 1)), numpy.where((sharpness*(-threshold + y_max) <= 0), -2*(1 - tail)*(-threshold + y_max)*numpy.exp((1 - tail)*numpy.log1p(-2*sharpness*(-threshold + y_max)/(tail - 1)))/((2*tail - 2)*(-2*sharpness*(-threshold + y_max)/(tail - 1) + 1)) + 2*(1 - tail)*(-threshold + y_min)*numpy.exp((1 - tail)*numpy.log1p(-2*sharpness*(-threshold + y_min)/(tail - 1)))/((2*tail - 2)*(-2*sharpness*(-threshold + y_min)/(tail - 1) + 1)), numpy.where((sharpness*(-threshold + y_min) >= 0), -2*(1 - tail)*(-threshold + y_max)*numpy.exp((1 - tail)*numpy.log1p(2*sharpness*(-threshold + y_max)/(tail - 1)))/((2*tail - 2)*(2*sharpness*(-threshold + y_max)/(tail - 1) + 1)) + 2*(1 - tail)*(-threshold + y_min)*numpy.exp((1 - tail)*numpy.log1p(2*sharpness*(-threshold + y_min)/(tail - 1)))/((2*tail - 2)*(2*sharpness*(-threshold + y_min)/(tail - 1) + 1)), -2*(1 - tail)*(-threshold + y_max)*numpy.exp((1 - tail)*numpy.log1p(2*sharpness*(-threshold + y_max)/(tail - 1)))/((2*tail - 2)*(2*sharpness*(-threshold + y_max)/(tail - 1) + 1)) + 2*(1 - tail)*(-threshold + y_min)*numpy.exp((1 - tail)*numpy.log1p(-2*sharpness*(-threshold + y_min)/(tail - 1)))/((2*tail - 2)*(-2*sharpness*(-threshold + y_min)/(tail - 1) + 1))))/(sharpness*(y_max - y_min)) - numpy.where((sharpness*(-threshold + y_max) <= 0), (tail - 1)*numpy.exp((1 - tail)*numpy.log1p(-2*sharpness*(-threshold + y_max)/(tail - 1)))/(2*tail - 2) - (tail - 1)*numpy.exp((1 - tail)*numpy.log1p(-2*sharpness*(-threshold + y_min)/(tail - 1)))/(2*tail - 2), numpy.where((sharpness*(-threshold + y_min) >= 0), -(tail - 1)*numpy.exp((1 - tail)*numpy.log1p(2*sharpness*(-threshold + y_max)/(tail - 1)))/(2*tail - 2) + (tail - 1)*numpy.exp((1 - tail)*numpy.log1p(2*sharpness*(-threshold + y_min)/(tail - 1)))/(2*tail - 2), -(tail - 1)*numpy.expm1((1 - tail)*numpy.log1p(2*sharpness*(-threshold + y_max)/(tail - 1)))/(2*tail - 2) - (tail - 1)*numpy.expm1((1 - tail)*numpy.log1p(-2*sharpness*(-threshold + y_min)/(tail - 1)))/(2*tail - 2)))/(sharpness**2*(y_max - y_min)))


def uniform_q_pseudo_spike_m1_dtail(y_min, y_max, threshold, dampening, sharpness, tail):
    """d/dtail of uniform_q_pseudo_spike_m1."""
    return dampening*numpy.where((sharpness*(y_max - y_min) < 1/1000000), (2*sharpness*numpy.abs(-threshold + (1/2)*y_max + (1/2)*y_min)/(tail - 1) + 1)**(-tail)*(2*sharpness*tail*numpy.abs(-threshold + (1/2)*y_max + (1/2)*y_min)/((tail - 1)**2*(2*sharpness*numpy.abs(-threshold + (1/2)*y_max + (1/2)*y_min)/(tail - 1) + 1)) - numpy.log(2*sharpness*numpy.abs(-threshold + (1/2)*y_max + (1/2)*y_min)/(tail - 1) + 1)), numpy.where((sharpness*(-threshold + y_max) <= 0), (tail - 1)*(2*sharpness*(1 - tail)*(-threshold + y_max)/((tail - 1)**2*(-2*sharpness*(-threshold + y_max)/(tail - 1) + 1)) - numpy.log1p(-2*sharpness*(-threshold + y_max)/(tail - 1)))*numpy.exp((1 - tail)*numpy.log1p(-2*sharpness*(-threshold + y_max)/(tail - 1)))/(2*tail - 2) - (tail - 1)*(2*sharpness*(1 - tail)*(-threshold + y_min)/((tail - 1)**2*(-2*sharpness*(-threshold + y_min)/(tail - 1) + 1)) - numpy.log1p(-2*sharpness*(-threshold + y_min)/(tail - 1)))*numpy.exp((1 - tail)*numpy.log1p(-2*sharpness*(-threshold + y_min)/(tail - 1)))/(2*tail - 2) - 2*(tail - 1)*numpy.exp((1 - tail)*numpy.log1p(-2*sharpness*(-threshold + y_max)/(tail - 1)))/(2*tail - 2)**2 + 2*(tail - 1)*numpy.exp((1 - tail)*numpy.log1p(-2*sharpness*(-threshold + y_min)/(tail - 1)))/(2*tail - 2)**2 + numpy.exp((1 - tail)*numpy.log1p(-2*sharpness*(-threshold + y_max)/(tail - 1)))/(2*tail - 2) - numpy.exp((1 - tail)*numpy.log1p(-2*sharpness*(-threshold + y_min)/(tail - 1)))/(2*tail - 2), numpy.where((sharpness*(-threshold + y_min) >= 0), -(tail - 1)*(-2*sharpness*(1 - tail)*(-threshold + y_max)/((tail - 1)**2*(2*sharpness*(-threshold + y_max)/(tail - 1) + 1)) - numpy.log1p(2*sharpness*(-threshold + y_max)/(tail - 1)))*numpy.exp((1 - tail)*numpy.log1p(2*sharpness*(-threshold + y_max)/(tail - 1)))/(2*tail - 2) + (tail - 1)*(-2*sharpness*(1 - tail)*(-threshold + y_min)/((tail - 1)**2*(2*sharpness*(-threshold + y_min)/(tail - 1) + 1)) - numpy.log1p(2*sharpness*(-threshold + y_min)/(tail - 1)))*numpy.exp((1 - tail)*numpy.log1p(2*sharpness*(-threshold + y_min)/(tail - 1)))/(2*tail - 2) + 2*(tail - 1)*numpy.exp((1 - tail)*numpy.log1p(2*sharpness*(-threshold + y_max)/(tail - 1)))/(2*tail - 2)**2 - 2*(tail - 1)*numpy.exp((1 - tail)*numpy.log1p(2*sharpness*(-threshold + y_min)/(tail - 1)))/(2*tail - 2)**2 - numpy.exp((1 - tail)*numpy.log1p(2*sharpness*(-threshold + y_max)/(tail - 1)))/(2*tail - 2) + numpy.exp((1 - tail)*numpy.log1p(2*sharpness*(-threshold + y_min)/(tail - 1)))/(2*tail - 2), -(tail - 1)*(-2*sharpness*(1 - tail)*(-threshold + y_max)/((tail - 1)**2*(2*sharpness*(-threshold + y_max)/(tail - 1) + 1)) - numpy.log1p(2*sharpness*(-threshold + y_max)/(tail - 1)))*numpy.exp((1 - tail)*numpy.log1p(2*sharpness*(-threshold + y_max)/(tail - 1)))/(2*tail - 2) - (tail - 1)*(2*sharpness*(1 - tail)*(-threshold + y_min)/((tail - 1)**2*(-2*sharpness*(-threshold + y_min)/(tail - 1) + 1)) - numpy.log1p(-2*sharpness*(-threshold + y_min)/(tail - 1)))*numpy.exp((1 - tail)*numpy.log1p(-2*sharpness*(-threshold + y_min)/(tail - 1)))/(2*tail - 2) + 2*(tail - 1)*numpy.expm1((1 - tail)*numpy.log1p(2*sharpness*(-threshold + y_max)/(tail - 1)))/(2*tail - 2)**2 + 2*(tail - 1)*numpy.expm1((1 - tail)*numpy.log1p(-2*sharpness*(-threshold + y_min)/(tail - 1)))/(2*tail - 2)**2 - numpy.expm1((1 - tail)*numpy.log1p(2*sharpness*(-threshold + y_max)/(tail - 1)))/(2*tail - 2) - numpy.expm1((1 - tail)*numpy.log1p(-2*sharpness*(-threshold + y_min)/(tail - 1)))/(2*tail - 2)))/(sharpness*(y_max - y_min)))


def gaussian_integrand_q_pseudo_spike_m1(t, mean, std, threshold, dampening, sharpness, tail):
    """Integrand on t = |v - threshold| >= 0 whose integral is E[SG^1] of the q_pseudo_spike family for a voltage N(mean, std^2) (no closed form; lifstab.expectations integrates it)."""
    return dampening*(2*sharpness*t/(tail - 1) + 1)**(-tail)*(0.39894228040143268*numpy.exp(-1/2*(mean + t - threshold)**2/std**2) + 0.39894228040143268*numpy.exp(-1/2*(-mean + t + threshold)**2/std**2))/std


def gaussian_integrand_q_pseudo_spike_m1_dsharpness(t, mean, std, threshold, dampening, sharpness, tail):
    """d/dsharpness of gaussian_integrand_q_pseudo_spike_m1."""
    return -2*dampening*t*tail*(2*sharpness*t/(tail - 1) + 1)**(-tail)*(0.39894228040143268*numpy.exp(-1/2*(mean + t - threshold)**2/std**2) + 0.39894228040143268*numpy.exp(-1/2*(-mean + t + threshold)**2/std**2))/(std*(tail - 1)*(2*sharpness*t/(tail - 1) + 1))


def gaussian_integrand_q_pseudo_spike_m1_dtail(t, mean, std, threshold, dampening, sharpness, tail):
    """d/dtail of gaussian_integrand_q_pseudo_spike_m1."""
    return dampening*(2*sharpness*t/(tail - 1) + 1)**(-tail)*(2*sharpness*t*tail/((tail - 1)**2*(2*sharpness*t/(tail - 1) + 1)) - numpy.log(2*sharpness*t/(tail - 1) + 1))*(0.39894228040143268*numpy.exp(-1/2*(mean + t - threshold)**2/std**2) + 0.39894228040143268*numpy.exp(-1/2*(-mean + t + threshold)**2/std**2))/std


def uniform_q_pseudo_spike_m2(y_min, y_max, threshold, dampening, sharpness, tail):
    """E[SG^2] of the q_pseudo_spike family for a voltage uniform on [y_min, y_max]."""
    return dampening**2*numpy.where((sharpness*(y_max - y_min) < 1/1000000), (2*sharpness*numpy.abs(-threshold + (1/2)*y_max + (1/2)*y_min)/(tail - 1) + 1)**(-2*tail), numpy.where((sharpness*(-threshold + y_max) <= 0), (tail - 1)*numpy.exp((1 - 2*tail)*numpy.log1p(-2*sharpness*(-threshold + y_max)/(tail - 1)))/(4*tail - 2) - (tail - 1)*numpy.exp((1 - 2*tail)*numpy.log1p(-2*sharpness*(-threshold + y_min)/(tail - 1)))/(4*tail - 2), numpy.where((sharpness*(-threshold + y_min) >= 0), -(tail - 1)*numpy.exp((1 - 2*tail)*numpy.log1p(2*sharpness*(-threshold + y_max)/(tail - 1)))/(4*tail - 2) + (tail - 1)*numpy.exp((1 - 2*tail)*numpy.log1p(2*sharpness*(-threshold + y_min)/(tail - 1)))/(4*tail - 2), -(tail - 1)*numpy.expm1((1 - 2*tail)*numpy.log1p(2*sharpness*(-threshold + y_max)/(tail - 1)))/(4*tail - 2) - (tail - 1)*numpy.expm1((1 - 2*tail)*numpy.log1p(-2*sharpness*(-threshold + y_min)/(tail - 1)))/(4*tail - 2)))/(sharpness*(y_max - y_min)))


def uniform_q_pseudo_spike_m2_dsharpness(y_min, y_max, threshold, dampening, sharpness, tail):
    """d/dsharpness of uniform_q_pseudo_spike_m2."""
    return dampening**2*numpy.where((sharpness*(y_max - y_min) < 1/1000000), -4*tail*(2*sharpness*numpy.abs(-threshold + (1/2)*y_max + (1/2)*y_min)/(tail - 1) + 1)**(-2*tail)*numpy.abs(-threshold + (1/2)*y_max + (1/2)*y_min)/((tail - 1)*(2*sharpness*numpy.abs(-threshold + (1/2)*y_max + (1/2)*y_min)/(tail - 1) + 1)), numpy.where((sharpness*(-threshold + y_max) <= 0), -2*(1 - 2*tail)*(-threshold + y_max)*numpy.exp((1 - 2*tail)*numpy.log1p(-2*sharpness*(-threshold + y_max)/(tail - 1)))/((4*tail - 2)*(-2*sharpness*(-threshold + y_max)/(tail - 1) + 1)) + 2*(1 - 2*tail)*(-threshold + y_min)*numpy.exp((1 - 2*tail)*numpy.log1p(-2*sharpness*(-threshold + y_min)/(tail - 1)))/((4*tail - 2)*(-2*sharpness*(-threshold + y_min)/(tail - 1) + 1)), numpy.where((sharpness*(-threshold + y_min) >= 0), -2*(1 - 2*tail)*(-threshold + y_max)*numpy.exp((1 - 2*tail)*numpy.log1p(2*sharpness*(-threshold + y_max)/(tail - 1)))/((4*tail - 2)*(2*sharpness*(-threshold + y_max)/(tail - 1) + 1)) + 2*(1 - 2*tail)*(-threshold + y_min)*numpy.exp((1 - 2*tail)*numpy.log1p(2*sharpness*(-threshold + y_min)/(tail - 1)))/((4*tail - 2)*(2*sharpness*(-threshold + y_min)/(tail - 1) + 1)), -2*(1 - 2*tail)*(-threshold + y_max)*numpy.exp((1 - 2*tail)*numpy.log1p(2*sharpness*(-threshold + y_max)/(tail - 1)))/((4*tail - 2)*(2*sharpness*(-threshold + y_max)/(tail - 1) + 1)) + 2*(1 - 2*tail)*(-threshold + y_min)*numpy.exp((1 - 2*tail)*numpy.log1p(-2*sharpness*(-threshold + y_min)/(tail - 1)))/((4*tail - 2)*(-2*sharpness*(-threshold + y_min)/(tail - 1) + 1))))/(sharpness*(y_max - y_min)) - numpy.where((sharpness*(-threshold + y_max) <= 0), (tail - 1)*numpy.exp((1 - 2*tail)*numpy.log1p(-2*sharpness*(-threshold + y_max)/(tail - 1)))/(4*tail - 2) - (tail - 1)*numpy.exp((1 - 2*tail)*numpy.log1p(-2*sharpness*(-threshold + y_min)/(tail - 1)))/(4*tail - 2), numpy.where((sharpness*(-threshold + y_min) >= 0), -(tail - 1)*numpy.exp((1 - 2*tail)*numpy.log1p(2*sharpness*(-threshold + y_max)/(tail - 1)))/(4*tail - 2) + (tail - 1)*numpy.exp((1 - 2*tail)*numpy.log1p(2*sharpness*(-threshold + y_min)/(tail - 1)))/(4*tail - 2), -(tail - 1)*numpy.expm1((1 - 2*tail)*numpy.log1p(2*sharpness*(-threshold + y_max)/(tail - 1)))/(4*tail - 2) - (tail - 1)*numpy.expm1((1 - 2*tail)*numpy.log1p(-2*sharpness*(-threshold + y_min)/(tail - 1)))/(4*tail - 2)))/(sharpness**2*(y_max - y_min)))


def uniform_q_pseudo_spike_m2_dtail(y_min, y_max, threshold, dampening, sharpness, tail):
    """d/dtail of uniform_q_pseudo_spike_m2."""
    return dampening**2*numpy.where((sharpness*(y_max - y_min) < 1/1000000), (2*sharpness*numpy.abs(-threshold + (1/2)*y_max + (1/2)*y_min)/(tail - 1) + 1)**(-2*tail)*(4*sharpness*tail*numpy.abs(-threshold + (1/2)*y_max + (1/2)*y_min)/((tail - 1)**2*(2*sharpness*numpy.abs(-threshold + (1/2)*y_max + (1/2)*y_min)/(tail - 1) + 1)) - 2*numpy.log(2*sharpness*numpy.abs(-threshold + (1/2)*y_max + (1/2)*y_min)/(tail - 1) + 1)), numpy.where((sharpness*(-threshold + y_max) <= 0), (tail - 1)*(2*sharpness*(1 - 2*tail)*(-threshold + y_max)/((tail - 1)**2*(-2*sharpness*(-threshold + y_max)/(tail - 1) + 1)) - 2*numpy.log1p(-2*sharpness*(-threshold + y_max)/(tail - 1)))*numpy.exp((1 - 2*tail)*numpy.log1p(-2*sharpness*(-threshold + y_max)/(tail - 1)))/(4*tail - 2) - (tail - 1)*(2*sharpness*(1 - 2*tail)*(-threshold + y_min)/((tail - 1)**2*(-2*sharpness*(-threshold + y_min)/(tail - 1) + 1)) - 2*numpy.log1p(-2*sharpness*(-threshold + y_min)/(tail - 1)))*numpy.exp((1 - 2*tail)*numpy.log1p(-2*sharpness*(-threshold + y_min)/(tail - 1)))/(4*tail - 2) - 4*(tail - 1)*numpy.exp((1 - 2*tail)*numpy.log1p(-2*sharpness*(-threshold + y_max)/(tail - 1)))/(4*tail - 2)**2 + 4*(tail - 1)*numpy.exp((1 - 2*tail)*numpy.log1p(-2*sharpness*(-threshold + y_min)/(tail - 1)))/(4*tail - 2)**2 + numpy.exp((1 - 2*tail)*numpy.log1p(-2*sharpness*(-threshold + y_max)/(tail - 1)))/(4*tail - 2) - numpy.exp((1 - 2*tail)*numpy.log1p(-2*sharpness*(-threshold + y_min)/(tail - 1)))/(4*tail - 2), numpy.where((sharpness*(-threshold + y_min) >= 0), -(tail - 1)*(-2*sharpness*(1 - 2*tail)*(-threshold + y_max)/((tail - 1)**2*(2*sharpness*(-threshold + y_max)/(tail - 1) + 1)) - 2*numpy.log1p(2*sharpness*(-threshold + y_max)/(tail - 1)))*numpy.exp((1 - 2*tail)*numpy.log1p(2*sharpness*(-threshold + y_max)/(tail - 1)))/(4*tail - 2) + (tail - 1)*(-2*sharpness*(1 - 2*tail)*(-threshold + y_min)/((tail - 1)**2*(2*sharpness*(-threshold + y_min)/(tail - 1) + 1)) - 2*numpy.log1p(2*sharpness*(-threshold + y_min)/(tail - 1)))*numpy.exp((1 - 2*tail)*numpy.log1p(2*sharpness*(-threshold + y_min)/(tail - 1)))/(4*tail - 2) + 4*(tail - 1)*numpy.exp((1 - 2*tail)*numpy.log1p(2*sharpness*(-threshold + y_max)/(tail - 1)))/(4*tail - 2)**2 - 4*(tail - 1)*numpy.exp((1 - 2*tail)*numpy.log1p(2*sharpness*(-threshold + y_min)/(tail - 1)))/(4*tail - 2)**2 - numpy.exp((1 - 2*tail)*numpy.log1p(2*sharpness*(-threshold + y_max)/(tail - 1)))/(4*tail - 2) + numpy.exp((1 - 2*tail)*numpy.log1p(2*sharpness*(-threshold + y_min)/(tail - 1)))/(4*tail - 2), -(tail - 1)*(-2*sharpness*(1 - 2*tail)*(-threshold + y_max)/((tail - 1)**2*(2*sharpness*(-threshold + y_max)/(tail - 1) + 1)) - 2*numpy.log1p(2*sharpness*(-threshold + y_max)/(tail - 1)))*numpy.exp((1 - 2*tail)*numpy.log1p(2*sharpness*(-threshold + y_max)/(tail - 1)))/(4*tail - 2) - (tail - 1)*(2*sharpness*(1 - 2*tail)*(-threshold + y_min)/((tail - 1)**2*(-2*sharpness*(-threshold + y_min)/(tail - 1) + 1)) - 2*numpy.log1p(-2*sharpness*(-threshold + y_min)/(tail - 1)))*numpy.exp((1 - 2*tail)*numpy.log1p(-2*sharpness*(-threshold + y_min)/(tail - 1)))/(4*tail - 2) + 4*(tail - 1)*numpy.expm1((1 - 2*tail)*numpy.log1p(2*sharpness*(-threshold + y_max)/(tail - 1)))/(4*tail - 2)**2 + 4*(tail - 1)*numpy.expm1((1 - 2*tail)*numpy.log1p(-2*sharpness*(-threshold + y_min)/(tail - 1)))/(4*tail - 2)**2 - numpy.expm1((1 - 2*tail)*numpy.log1p(2*sharpness*(-threshold + y_max)/(tail - 1)))/(4*tail - 2) - numpy.expm1((1 - 2*tail)*numpy.log1p(-2*sharpness*(-threshold + y_min)/(tail - 1)))/(4*tail - 2)))/(sharpness*(y_max - y_min)))


def gaussian_integrand_q_pseudo_spike_m2(t, mean, std, threshold, dampening, sharpness, tail):
    """Integrand on t = |v - threshold| >= 0 whose integral is E[SG^2] of the q_pseudo_spike family for a voltage N(mean, std^2) (no closed form; lifstab.expectations integrates it)."""
    return dampening**2*(2*sharpness*t/(tail - 1) + 1)**(-2*tail)*(0.39894228040143268*numpy.exp(-1/2*(mean + t - threshold)**2/std**2) + 0.39894228040143268*numpy.exp(-1/2*(-mean + t + threshold)**2/std**2))/std


def gaussian_integrand_q_pseudo_spike_m2_dsharpness(t, mean, std, threshold, dampening, sharpness, tail):
    """d/dsharpness of gaussian_integrand_q_pseudo_spike_m2."""
    return -4*dampening**2*t*tail*(2*sharpness*t/(tail - 1) + 1)**(-2*tail)*(0.39894228040143268*numpy.exp(-1/2*(mean + t - threshold)**2/std**2) + 0.39894228040143268*numpy.exp(-1/2*(-mean + t + threshold)**2/std**2))/(std*(tail - 1)*(2*sharpness*t/(tail - 1) + 1))


def gaussian_integrand_q_pseudo_spike_m2_dtail(t, mean, std, threshold, dampening, sharpness, tail):
    """d/dtail of gaussian_integrand_q_pseudo_spike_m2."""
    return dampening**2*(2*sharpness*t/(tail - 1) + 1)**(-2*tail)*(4*sharpness*t*tail/((tail - 1)**2*(2*sharpness*t/(tail - 1) + 1)) - 2*numpy.log(2*sharpness*t/(tail - 1) + 1))*(0.39894228040143268*numpy.exp(-1/2*(mean + t - threshold)**2/std**2) + 0.39894228040143268*numpy.exp(-1/2*(-mean + t + threshold)**2/std**2))/std


def uniform_voltage_mean(y_min, y_max):
    """E[v], v ~ U[y_min, y_max]."""
    return (1/2)*(y_max + y_min)


def uniform_voltage_square_mean(y_min, y_max):
    """E[v^2], v ~ U[y_min, y_max]."""
    return (1/3)*(y_max**2 + y_max*y_min + y_min**2)


KERNELS = {
    'uniform_triangular_m1': uniform_triangular_m1,
    'uniform_triangular_m1_dsharpness': uniform_triangular_m1_dsharpness,
    'gaussian_triangular_m1': gaussian_triangular_m1,
    'gaussian_triangular_m1_dsharpness': gaussian_triangular_m1_dsharpness,
    'uniform_triangular_m2': uniform_triangular_m2,
    'uniform_triangular_m2_dsharpness': uniform_triangular_m2_dsharpness,
    'gaussian_triangular_m2': gaussian_triangular_m2,
    'gaussian_triangular_m2_dsharpness': gaussian_triangular_m2_dsharpness,
    'uniform_exponential_m1': uniform_exponential_m1,
    'uniform_exponential_m1_dsharpness': uniform_exponential_m1_dsharpness,
    'gaussian_exponential_m1': gaussian_exponential_m1,
    'gaussian_exponential_m1_dsharpness': gaussian_exponential_m1_dsharpness,
    'uniform_exponential_m2': uniform_exponential_m2,
    'uniform_exponential_m2_dsharpness': uniform_exponential_m2_dsharpness,
    'gaussian_exponential_m2': gaussian_exponential_m2,
    'gaussian_exponential_m2_dsharpness': gaussian_exponential_m2_dsharpness,
    'uniform_gaussian_m1': uniform_gaussian_m1,
    'uniform_gaussian_m1_dsharpness': uniform_gaussian_m1_dsharpness,
    'gaussian_gaussian_m1': gaussian_gaussian_m1,
    'gaussian_gaussian_m1_dsharpness': gaussian_gaussian_m1_dsharpness,
    'uniform_gaussian_m2': uniform_gaussian_m2,
    'uniform_gaussian_m2_dsharpness': uniform_gaussian_m2_dsharpness,
    'gaussian_gaussian_m2': gaussian_gaussian_m2,
    'gaussian_gaussian_m2_dsharpness': gaussian_gaussian_m2_dsharpness,
    'uniform_sigmoid_m1': uniform_sigmoid_m1,
    'uniform_sigmoid_m1_dsharpness': uniform_sigmoid_m1_dsharpness,
    'gaussian_integrand_sigmoid_m1': gaussian_integrand_sigmoid_m1,
    'gaussian_integrand_sigmoid_m1_dsharpness': gaussian_integrand_sigmoid_m1_dsharpness,
    'uniform_sigmoid_m2': uniform_sigmoid_m2,
    'uniform_sigmoid_m2_dsharpness': uniform_sigmoid_m2_dsharpness,
    'gaussian_integrand_sigmoid_m2': gaussian_integrand_sigmoid_m2,
    'gaussian_integrand_sigmoid_m2_dsharpness': gaussian_integrand_sigmoid_m2_dsharpness,
    'uniform_fast_sigmoid_m1': uniform_fast_sigmoid_m1,
    'uniform_fast_sigmoid_m1_dsharpness': uniform_fast_sigmoid_m1_dsharpness,
    'gaussian_integrand_fast_sigmoid_m1': gaussian_integrand_fast_sigmoid_m1,
    'gaussian_integrand_fast_sigmoid_m1_dsharpness': gaussian_integrand_fast_sigmoid_m1_dsharpness,
    'uniform_fast_sigmoid_m2': uniform_fast_sigmoid_m2,
    'uniform_fast_sigmoid_m2_dsharpness': uniform_fast_sigmoid_m2_dsharpness,
    'gaussian_integrand_fast_sigmoid_m2': gaussian_integrand_fast_sigmoid_m2,
    'gaussian_integrand_fast_sigmoid_m2_dsharpness': gaussian_integrand_fast_sigmoid_m2_dsharpness,
    'uniform_rectangular_m1': uniform_rectangular_m1,
    'uniform_rectangular_m1_dsharpness': uniform_rectangular_m1_dsharpness,
    'gaussian_rectangular_m1': gaussian_rectangular_m1,
    'gaussian_rectangular_m1_dsharpness': gaussian_rectangular_m1_dsharpness,
    'uniform_rectangular_m2': uniform_rectangular_m2,
    'uniform_rectangular_m2_dsharpness': uniform_rectangular_m2_dsharpness,
    'gaussian_rectangular_m2': gaussian_rectangular_m2,
    'gaussian_rectangular_m2_dsharpness': gaussian_rectangular_m2_dsharpness,
    'uniform_q_pseudo_spike_m1': uniform_q_pseudo_spike_m1,
    'uniform_q_pseudo_spike_m1_dsharpness': uniform_q_pseudo_spike_m1_dsharpness,
    'uniform_q_pseudo_spike_m1_dtail': uniform_q_pseudo_spike_m1_dtail,
    'gaussian_integrand_q_pseudo_spike_m1': gaussian_integrand_q_pseudo_spike_m1,
    'gaussian_integrand_q_pseudo_spike_m1_dsharpness': gaussian_integrand_q_pseudo_spike_m1_dsharpness,
    'gaussian_integrand_q_pseudo_spike_m1_dtail': gaussian_integrand_q_pseudo_spike_m1_dtail,
    'uniform_q_pseudo_spike_m2': uniform_q_pseudo_spike_m2,
    'uniform_q_pseudo_spike_m2_dsharpness': uniform_q_pseudo_spike_m2_dsharpness,
    'uniform_q_pseudo_spike_m2_dtail': uniform_q_pseudo_spike_m2_dtail,
    'gaussian_integrand_q_pseudo_spike_m2': gaussian_integrand_q_pseudo_spike_m2,
    'gaussian_integrand_q_pseudo_spike_m2_dsharpness': gaussian_integrand_q_pseudo_spike_m2_dsharpness,
    'gaussian_integrand_q_pseudo_spike_m2_dtail': gaussian_integrand_q_pseudo_spike_m2_dtail,
    'uniform_voltage_mean': uniform_voltage_mean,
    'uniform_voltage_square_mean': uniform_voltage_square_mean,
}
