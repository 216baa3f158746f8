"""Hypothesis strategies for property-testing spiking layers with lifstab.

Every strategy draws only valid values (the rules of :class:`lifstab.Surrogate` and
:class:`lifstab.RecurrentLIF`), and refuses ranges that break those rules with a ``ValueError``
naming the argument, so a typo cannot silently produce an empty search.

Tensors are drawn as (seed, rate) pairs and generated with torch: Hypothesis then shrinks a failing
example to a small seed and a round rate instead of to thousands of individual numbers.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Sequence, Union

import torch
from hypothesis import strategies as st

from ..lif import RESETS, RecurrentLIF
from ..surrogates import FAMILIES, Surrogate, family_info

Range = Union[float, int, tuple]


def _range(name: str, value: Range, lower: float, strict: bool = True) -> tuple[float, float]:
    """``value`` as ``(lo, hi)``; a number means a fixed value. Checks ``lo > lower`` (or >=)."""
    lo, hi = (value, value) if isinstance(value, (int, float)) else tuple(value)
    if not (math.isfinite(lo) and math.isfinite(hi)) or lo > hi:
        raise ValueError(f"{name}={value!r} must be a finite number or a (low, high) pair with low <= high")
    if (lo <= lower) if strict else (lo < lower):
        raise ValueError(f"{name}={value!r}: values must be {'>' if strict else '>='} {lower:g}")
    return float(lo), float(hi)


def _floats(name: str, value: Range, lower: float, log: bool = False, strict: bool = True):
    lo, hi = _range(name, value, lower, strict)
    if lo == hi:
        return st.just(lo)
    if log and lo > 0:
        return st.floats(math.log(lo), math.log(hi)).map(lambda x: min(max(math.exp(x), lo), hi))
    return st.floats(lo, hi)


def _ints(name: str, value: Union[int, tuple], lower: int):
    lo, hi = _range(name, value, lower, strict=False)
    if lo != int(lo) or hi != int(hi):
        raise ValueError(f"{name}={value!r} must be integers")
    return st.integers(int(lo), int(hi))


def surrogates(
    families: Sequence[str] | None = None,
    dampening: Range = (0.1, 2.0),
    sharpness: Range = (0.1, 10.0),
    tail: Range = (1.05, 20.0),
) -> st.SearchStrategy[Surrogate]:
    """Valid :class:`~lifstab.Surrogate` specs: a family from ``families`` (default all), dampening and
    sharpness log-uniform in their ranges, and a tail for ``q_pseudo_spike``."""
    names = list(families) if families is not None else list(FAMILIES)
    if not names:
        raise ValueError("families must name at least one family")
    for name in names:
        family_info(name)
    dampenings = _floats("dampening", dampening, 0.0, log=True)
    sharpnesses = _floats("sharpness", sharpness, 0.0, log=True)
    tails = _floats("tail", tail, 1.0, log=True)

    @st.composite
    def draw(draw_):
        family = draw_(st.sampled_from(names))
        q = draw_(tails) if FAMILIES[family].has_tail else None
        return Surrogate(family, dampening=draw_(dampenings), sharpness=draw_(sharpnesses), tail=q)

    return draw()


@dataclass(frozen=True)
class LayerConfig:
    """A recurrent LIF layer to build: sizes, neuron constants and weight statistics.

    Weights: ``w_in ~ N(0, (w_in_scale / sqrt(n_in))^2)``, ``w_rec ~ N(w_rec_mean, (w_rec_scale /
    sqrt(n_rec))^2)`` with a zero diagonal, drawn from ``seed``.
    """

    n_in: int
    n_rec: int
    tau: float
    threshold: float
    reset: str
    detach_reset: bool
    surrogate: Surrogate
    w_in_scale: float
    w_rec_scale: float
    w_rec_mean: float = 0.0
    seed: int = 0

    def build(self, dtype: torch.dtype = torch.float64) -> RecurrentLIF:
        """The layer, with weights drawn as described (reproducible from ``seed``)."""
        layer = RecurrentLIF(self.n_in, self.n_rec, tau=self.tau, threshold=self.threshold, reset=self.reset,
                             detach_reset=self.detach_reset, surrogate=self.surrogate, bias=False, dtype=dtype)
        gen = torch.Generator().manual_seed(self.seed)
        with torch.no_grad():
            layer.w_in.copy_(torch.randn(self.n_in, self.n_rec, generator=gen, dtype=dtype)
                             * self.w_in_scale / math.sqrt(self.n_in))
            w_rec = self.w_rec_mean + torch.randn(self.n_rec, self.n_rec, generator=gen, dtype=dtype) \
                * self.w_rec_scale / math.sqrt(self.n_rec)
            layer.w_rec.copy_(w_rec * layer.rec_mask)
        return layer


def layer_configs(
    n_in: Union[int, tuple] = (4, 32),
    n_rec: Union[int, tuple] = (4, 64),
    tau: Range = (2.0, 50.0),
    threshold: Range = (0.01, 1.0),
    resets: Sequence[str] = RESETS,
    detach_reset: Sequence[bool] = (True,),
    w_in_scale: Range = (0.5, 3.0),
    w_rec_scale: Range = (0.5, 3.0),
    w_rec_mean: Range = 0.0,
    surrogate: st.SearchStrategy[Surrogate] | None = None,
) -> st.SearchStrategy[LayerConfig]:
    """Valid :class:`LayerConfig` values: sizes uniform, tau and threshold log-uniform, weight scales in
    multiples of ``1/sqrt(fan-in)``."""
    for reset in resets:
        if reset not in RESETS:
            raise ValueError(f"resets: {reset!r} is unknown; choose from {list(RESETS)}")
    if not resets or not detach_reset:
        raise ValueError("resets and detach_reset must not be empty")
    lo_mean, hi_mean = (w_rec_mean, w_rec_mean) if isinstance(w_rec_mean, (int, float)) else w_rec_mean
    return st.builds(
        LayerConfig,
        n_in=_ints("n_in", n_in, 1),
        n_rec=_ints("n_rec", n_rec, 2),
        tau=_floats("tau", tau, 0.0, log=True),
        threshold=_floats("threshold", threshold, 0.0, log=True),
        reset=st.sampled_from(list(resets)),
        detach_reset=st.sampled_from(list(detach_reset)),
        surrogate=surrogate if surrogate is not None else surrogates(),
        w_in_scale=_floats("w_in_scale", w_in_scale, 0.0, log=True),
        w_rec_scale=_floats("w_rec_scale", w_rec_scale, 0.0, strict=False),
        w_rec_mean=st.just(float(lo_mean)) if lo_mean == hi_mean else st.floats(lo_mean, hi_mean),
        seed=st.integers(0, 2**16),
    )


def _shape(T: int, batch: int, n_in: int) -> tuple[int, int, int]:
    for name, value in (("T", T), ("batch", batch), ("n_in", n_in)):
        if not isinstance(value, int) or value < 1:
            raise ValueError(f"{name} must be a positive integer, got {value!r}")
    return T, batch, n_in


def spike_inputs(T: int, batch: int, n_in: int, rate: Range = (0.05, 0.3),
                 dtype: torch.dtype = torch.float64) -> st.SearchStrategy[torch.Tensor]:
    """Bernoulli(rate) spike tensors of shape ``(T, batch, n_in)``, i.i.d. over time and channels."""
    shape = _shape(T, batch, n_in)
    lo, hi = _range("rate", rate, 0.0)
    if hi > 1:
        raise ValueError(f"rate={rate!r} must lie in (0, 1]")
    rates = st.just(lo) if lo == hi else st.floats(lo, hi)
    return st.builds(
        lambda seed, p: (torch.rand(shape, generator=torch.Generator().manual_seed(seed), dtype=dtype) < p).to(dtype),
        st.integers(0, 2**16), rates,
    )


def current_inputs(T: int, batch: int, n_in: int, mean: Range = 0.0, std: Range = (0.1, 1.0),
                   dtype: torch.dtype = torch.float64) -> st.SearchStrategy[torch.Tensor]:
    """Gaussian current tensors ``N(mean, std^2)`` of shape ``(T, batch, n_in)``."""
    shape = _shape(T, batch, n_in)
    lo_m, hi_m = (mean, mean) if isinstance(mean, (int, float)) else mean
    means = st.just(float(lo_m)) if lo_m == hi_m else st.floats(lo_m, hi_m)
    return st.builds(
        lambda seed, m, s: m + s * torch.randn(shape, generator=torch.Generator().manual_seed(seed), dtype=dtype),
        st.integers(0, 2**16), means, _floats("std", std, 0.0, log=True),
    )
