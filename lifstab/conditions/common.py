"""What every condition shares: the generated kernels, the variants, the largest magnitudes accepted,
argument checks and the statistics of example inputs."""

from __future__ import annotations

import math

import numpy as np
import torch

from .._generated import conditions_numpy as _k
from ..lif import RESETS

K = _k.KERNELS
VARIANTS = ("paper", "exact")
#: the largest |threshold| and |input_mean| accepted: Conditions I and II square them (and the recurrent mean,
#: of the threshold's scale), and float64 overflows at 1.8e308; measured: recommend overflowed at input_mean
#: 1e154 and threshold 1e300, and is finite at 1e150 (tests/test_conditions.py)
MAX_MAGNITUDE = 1e150


def _check_int(name: str, value, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < minimum:
        raise ValueError(f"{name}={value!r} must be an integer >= {minimum}")
    return int(value)


def _check_float(name: str, value, low: float | None = None, high: float | None = None,
                 low_open: bool = True, high_open: bool = True) -> float:
    try:
        x = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"{name}={value!r} must be a number") from None
    bad = not math.isfinite(x)
    if low is not None:
        bad |= x <= low if low_open else x < low
    if high is not None:
        bad |= x >= high if high_open else x > high
    if bad:
        lo = "(" if low_open else "["
        hi = ")" if high_open else "]"
        raise ValueError(f"{name}={value!r} must be finite and in {lo}{low}, {high}{hi}")
    return x


def _check_reset(reset: str) -> str:
    if reset not in RESETS:
        raise ValueError(f"reset={reset!r} is unknown; choose one of {list(RESETS)}")
    return reset


def _check_variant(variant: str) -> str:
    if variant not in VARIANTS:
        raise ValueError(f"variant={variant!r} must be one of {list(VARIANTS)}")
    return variant


def resolve_decay(tau=None, decay=None) -> float:
    """The decay alpha from exactly one of ``tau`` (steps, > 0) or ``decay`` (in (0, 1))."""
    if (tau is None) == (decay is None):
        raise ValueError("give exactly one of tau or decay")
    if tau is not None:
        decay = math.exp(-1.0 / _check_float("tau", tau, 0.0))
        if decay >= 1.0:
            raise ValueError(f"tau={tau!r} is too large: its decay exp(-1/tau) rounds to 1")
        return decay
    return _check_float("decay", decay, 0.0, 1.0)


def _to_numpy(w, name: str, shape: tuple) -> np.ndarray:
    if isinstance(w, torch.Tensor):
        w = w.detach().cpu().double().numpy()
    w = np.asarray(w, dtype=float)
    if w.shape != shape:
        raise ValueError(f"{name} must have shape {shape}, got {w.shape}")
    if not np.all(np.isfinite(w)):
        raise ValueError(f"{name} contains NaN or inf")
    return w


def input_statistics(inputs=None, input_mean=None, input_var=None) -> tuple[float, float]:
    """(E[x], Var x) from example ``inputs`` or given values; spikes Bernoulli(1/2) when neither."""
    if inputs is not None:
        if input_mean is not None or input_var is not None:
            raise ValueError("give inputs or input_mean/input_var, not both")
        try:
            x = inputs.detach().cpu().double().numpy() if isinstance(inputs, torch.Tensor) else np.asarray(inputs, float)
        except (TypeError, ValueError, RuntimeError, NotImplementedError):
            raise ValueError(f"inputs must be a tensor or array of numbers, got {type(inputs).__name__}") from None
        if x.size < 2 or not np.all(np.isfinite(x)):
            raise ValueError("inputs must hold at least 2 finite values")
        if abs(float(x.mean())) > MAX_MAGNITUDE:
            raise ValueError(f"inputs have mean {float(x.mean()):g}; |mean| must be <= {MAX_MAGNITUDE:g}")
        return float(x.mean()), float(x.var())
    mean = 0.5 if input_mean is None else _check_float("input_mean", input_mean, -MAX_MAGNITUDE, MAX_MAGNITUDE,
                                                            False, False)
    var = 0.25 if input_var is None else _check_float("input_var", input_var, 0.0, low_open=False)
    return mean, var


def _as_array(value, n: int) -> np.ndarray:
    if isinstance(value, torch.Tensor):
        value = value.detach().cpu().double().numpy()
    return np.broadcast_to(np.asarray(value, dtype=float), (n,))
