"""E[SG] and E[SG^2] under a uniform or Gaussian voltage, from the generated kernels.

Every formula is generated from ``derivations/expectations.py``; this module only picks the kernel
and, for the families without a closed-form Gaussian moment (sigmoid, fast_sigmoid,
q_pseudo_spike), integrates the generated integrand with a fixed quadrature rule:

*Gaussian quadrature rule.* The moment is ``int_0^oo g(t) dt`` over ``t = |v - threshold|``. The
folded normal density is negligible (below exp(-800)) outside ``[lo, hi] = [max(0, |mu| - 40 s),
|mu| + 40 s]`` (``mu = mean - threshold``). That interval is cut into 12 geometric panels at its
lower end (widths 1e-12 ... 1e-1 of the interval, resolving surrogates far sharper than the
voltage spread, as well as the kink of SG at t = 0) and 18 uniform panels over the rest (each at
most 4 std wide), with 24-point Gauss-Legendre on each: 720 nodes, vectorised over every other
axis. Its relative error against adaptive quadrature is below 1e-8 on the tested parameter ranges
(tests/test_expectations.py).

Inputs broadcast against each other; NumPy arrays (or numbers) give NumPy results, torch tensors
give torch results in the tensors' dtype and device.
"""

from __future__ import annotations

import numpy as np
import torch

from ._generated import expectations_numpy, expectations_torch
from .surrogates import family_info

MOMENTS = (1, 2)
#: families whose Gaussian-voltage moment is a generated closed form
GAUSSIAN_CLOSED_FAMILIES = tuple(
    name.split("_m")[0].removeprefix("gaussian_")
    for name in expectations_numpy.KERNELS
    if name.startswith("gaussian_") and not name.startswith("gaussian_integrand") and name.endswith("_m1")
)

_KERNELS = {"numpy": expectations_numpy.KERNELS, "torch": expectations_torch.KERNELS}

# the quadrature rule's panels, as fractions of [lo, hi]
_GL_NODES, _GL_WEIGHTS = np.polynomial.legendre.leggauss(24)
_BREAKS = np.concatenate([[0.0], 10.0 ** np.arange(-12, 0), np.linspace(0.1, 1.0, 19)[1:]])
_NODES = np.concatenate([
    a + (b - a) * (_GL_NODES + 1) / 2 for a, b in zip(_BREAKS[:-1], _BREAKS[1:])
])
_WEIGHTS = np.concatenate([(b - a) / 2 * _GL_WEIGHTS for a, b in zip(_BREAKS[:-1], _BREAKS[1:])])
#: half-width of the integration range in standard deviations
_SPAN = 40.0
#: the widest voltage spread ``std * sharpness`` (over ``min(1, tail - 1)`` for a tailed family, whose core
#: narrows with tail - 1) at which gaussian_moment agrees with adaptive quadrature to 1e-8. Measured against
#: scipy's quad (tests/test_expectations.py::test_gaussian_moment_is_accurate_up_to_its_spread_limit): the
#: quadrature rule is within 3e-13 up to 1e10, 6e-9 at 1e11 and 1e-2 at 1e12 (its first panel no longer
#: resolves the surrogate); the rectangular closed form (a difference of erfs) is 8e-9 off at 1e8 and 2e-6 at
#: 1e10; the triangular and gaussian closed forms square std and give NaN from 1e152 (known defect: the
#: triangular closed form cancels, 5e-8 off at 1e2 and 1e-4 at 1e3; its limit here is only the overflow)
GAUSSIAN_SPREAD_LIMITS = {"sigmoid": 1e10, "fast_sigmoid": 1e10, "q_pseudo_spike": 1e10, "rectangular": 1e8,
                          "triangular": 1e150, "gaussian": 1e150, "exponential": 1e150}


def _backend(*values) -> str:
    return "torch" if any(isinstance(v, torch.Tensor) for v in values) else "numpy"


def _check(family: str, m: int, tail, derivative: str | None) -> tuple:
    info = family_info(family)
    if isinstance(m, bool) or m not in MOMENTS:
        raise ValueError(f"m={m!r} must be one of {MOMENTS}")
    if info.has_tail and tail is None:
        raise ValueError(f"tail is required for family={family!r}")
    if not info.has_tail and tail is not None:
        raise ValueError(f"tail={tail!r} given, but family={family!r} has no tail")
    allowed = (None, "sharpness", "tail") if info.has_tail else (None, "sharpness")
    if derivative not in allowed:
        raise ValueError(f"derivative={derivative!r} must be one of {allowed} for family={family!r}")
    return (tail,) if info.has_tail else ()


def _suffix(derivative: str | None) -> str:
    return "" if derivative is None else f"_d{derivative}"


def _checked(names: tuple[str, ...], values: tuple, positive: tuple[str, ...] = ()) -> None:
    """ValueError naming the first argument that is not finite numbers (or not > 0 where ``positive``)."""
    for name, value in zip(names, values):
        try:
            array = value.detach().cpu().double().numpy() if isinstance(value, torch.Tensor) else np.asarray(value, float)
        except (TypeError, ValueError):
            raise ValueError(f"{name} must be a number or an array of numbers, got {value!r}") from None
        if not np.all(np.isfinite(array)) or (name in positive and not np.all(array > 0)):
            raise ValueError(f"{name} must be finite{' and > 0' if name in positive else ''}, got {value!r}")


def _numpy(value) -> np.ndarray:
    return value.detach().cpu().double().numpy() if isinstance(value, torch.Tensor) else np.asarray(value, float)


def _check_dampening(dampening, m: int, dtype) -> None:
    """ValueError unless dampening**m (a factor of every moment) is finite in ``dtype``."""
    limit = float((np.finfo(dtype).max if isinstance(dtype, np.dtype) else torch.finfo(dtype).max) ** (1 / m))
    if np.any(_numpy(dampening) > limit):
        raise ValueError(f"dampening={dampening!r} must be <= {limit:.4g} for m={m}: dampening**m overflows {dtype}")


def _check_spread(family: str, std, sharpness, extra: tuple) -> None:
    """ValueError unless std is within :data:`GAUSSIAN_SPREAD_LIMITS` of the surrogate's width."""
    with np.errstate(over="ignore"):
        spread = _numpy(std) * _numpy(sharpness)
        if extra:
            core = np.minimum(1.0, _numpy(extra[0]) - 1.0)
            spread = spread / np.where(core > 0, core, 1.0)
    limit = GAUSSIAN_SPREAD_LIMITS[family]
    if np.any(spread > limit * (1 + 1e-12)):  # at the limit itself, tail - 1 may round the ratio up
        ratio = "std * sharpness / min(1, tail - 1)" if extra else "std * sharpness"
        raise ValueError(f"std={float(np.max(_numpy(std))):g} is too wide for family={family!r}: {ratio} must be "
                         f"<= {limit:g} (where the moment is accurate to 1e-8)")


def _as_arrays(backend: str, values):
    if backend == "numpy":
        return [np.asarray(v, dtype=float) for v in values]
    ref = next(v for v in values if isinstance(v, torch.Tensor))
    dtype = ref.dtype if ref.is_floating_point() else torch.get_default_dtype()
    return [torch.as_tensor(v, dtype=dtype, device=ref.device) for v in values]


def uniform_moment(family: str, m: int, y_min, y_max, threshold, dampening, sharpness, tail=None,
                   derivative: str | None = None):
    """E[SG(v - threshold)^m] for v ~ U[y_min, y_max] (its derivative in ``"sharpness"`` or ``"tail"``
    when ``derivative`` is given). ``y_min == y_max`` gives SG^m at that voltage."""
    extra = _check(family, m, tail, derivative)
    _checked(("y_min", "y_max", "threshold", "dampening", "sharpness", "tail")[:5 + len(extra)],
             (y_min, y_max, threshold, dampening, sharpness, *extra), positive=("dampening", "sharpness"))
    backend = _backend(y_min, y_max, threshold, dampening, sharpness, tail)
    args = _as_arrays(backend, (y_min, y_max, threshold, dampening, sharpness, *extra))
    _check_dampening(dampening, m, args[0].dtype)
    if backend == "numpy":
        if np.any(args[0] > args[1]):
            raise ValueError("y_min must not exceed y_max")
        with np.errstate(all="ignore"):  # the branch not taken may divide by zero
            return _KERNELS["numpy"][f"uniform_{family}_m{m}{_suffix(derivative)}"](*args)
    if torch.any(args[0] > args[1]):
        raise ValueError("y_min must not exceed y_max")
    return _KERNELS["torch"][f"uniform_{family}_m{m}{_suffix(derivative)}"](*args)


def gaussian_moment(family: str, m: int, mean, std, threshold, dampening, sharpness, tail=None,
                    derivative: str | None = None):
    """E[SG(v - threshold)^m] for v ~ N(mean, std^2), std > 0 (or its derivative, as above): a
    closed form for the triangular, exponential, gaussian and rectangular families, the quadrature
    rule of the module docstring otherwise."""
    extra = _check(family, m, tail, derivative)
    _checked(("mean", "std", "threshold", "dampening", "sharpness", "tail")[:5 + len(extra)],
             (mean, std, threshold, dampening, sharpness, *extra), positive=("std", "dampening", "sharpness"))
    backend = _backend(mean, std, threshold, dampening, sharpness, tail)
    mean, std, threshold, dampening, sharpness, *extra = _as_arrays(
        backend, (mean, std, threshold, dampening, sharpness, *extra))
    if (std <= 0).any():
        raise ValueError("std must be > 0")
    _check_dampening(dampening, m, mean.dtype)
    _check_spread(family, std, sharpness, extra)
    kernels = _KERNELS[backend]
    suffix = _suffix(derivative)
    with np.errstate(all="ignore"):  # untaken branches may overflow
        if family in GAUSSIAN_CLOSED_FAMILIES:
            return kernels[f"gaussian_{family}_m{m}{suffix}"](mean, std, threshold, dampening, sharpness, *extra)
        integrand = kernels[f"gaussian_integrand_{family}_m{m}{suffix}"]
        xp = np if backend == "numpy" else torch
        shift = xp.abs(mean - threshold)
        lo = xp.clamp(shift - _SPAN * std, min=0) if backend == "torch" else np.maximum(shift - _SPAN * std, 0)
        width = shift + _SPAN * std - lo
        nodes, weights = (_NODES, _WEIGHTS) if backend == "numpy" else (
            torch.as_tensor(_NODES, dtype=mean.dtype, device=mean.device),
            torch.as_tensor(_WEIGHTS, dtype=mean.dtype, device=mean.device))
        expand = lambda a: a[..., None]  # noqa: E731  (parameters against the node axis)
        mean, std, threshold, dampening, sharpness, lo, width = (
            xp.broadcast_arrays(mean, std, threshold, dampening, sharpness, lo, width) if backend == "numpy"
            else torch.broadcast_tensors(mean, std, threshold, dampening, sharpness, lo, width))
        t = expand(lo) + expand(width) * nodes
        values = integrand(t, expand(mean), expand(std), expand(threshold), expand(dampening),
                           expand(sharpness), *(expand(xp.broadcast_to(e, mean.shape)) for e in extra))
        return (values * weights).sum(-1) * width


def voltage_moments(y_min, y_max):
    """E[v] and E[v^2] for v ~ U[y_min, y_max]."""
    backend = _backend(y_min, y_max)
    y_min, y_max = _as_arrays(backend, (y_min, y_max))
    kernels = _KERNELS[backend]
    return kernels["uniform_voltage_mean"](y_min, y_max), kernels["uniform_voltage_square_mean"](y_min, y_max)


__all__ = ["uniform_moment", "gaussian_moment", "voltage_moments", "GAUSSIAN_CLOSED_FAMILIES", "GAUSSIAN_SPREAD_LIMITS",
           "MOMENTS"]
