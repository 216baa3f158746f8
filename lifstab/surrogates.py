"""Surrogate gradients at run time: the family registry, the :class:`Surrogate` spec and ``spike``.

The numeric kernels come from ``lifstab/_generated/`` (generated from ``derivations/surrogates.py``);
this module imports no SymPy.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Union

import numpy as np
import torch

from ._generated import surrogates_numpy, surrogates_torch

Number = Union[float, int]
ParamLike = Union[Number, np.ndarray, torch.Tensor]


@dataclass(frozen=True)
class FamilyInfo:
    """Registry entry: the generated kernels of one SG family."""

    name: str
    has_tail: bool
    numpy: Callable[..., np.ndarray]
    torch: Callable[..., torch.Tensor]


#: every SG family, keyed by name (the order of docs/theory.md section 2)
FAMILIES: dict[str, FamilyInfo] = {
    name: FamilyInfo(
        name=name,
        has_tail=fn.__code__.co_argcount == 4,
        numpy=fn,
        torch=surrogates_torch.KERNELS[name],
    )
    for name, fn in surrogates_numpy.KERNELS.items()
}


def family_info(family: str) -> FamilyInfo:
    """The registry entry of ``family``; ``ValueError`` naming it when unknown."""
    try:
        return FAMILIES[family]
    except (KeyError, TypeError):
        raise ValueError(f"family={family!r} is unknown; choose one of {sorted(FAMILIES)}") from None


def _check_positive(name: str, value: ParamLike, lower: float = 0.0) -> None:
    """Raise ``ValueError`` naming ``name`` unless every entry of ``value`` is finite and > lower."""
    if isinstance(value, torch.Tensor):
        arr = value.detach().cpu().double().numpy()
    else:
        try:
            arr = np.asarray(value, dtype=float)
        except (TypeError, ValueError):
            raise ValueError(f"{name}={value!r} must be a number or an array of numbers") from None
    if arr.size == 0:
        raise ValueError(f"{name} must not be empty")
    if not np.all(np.isfinite(arr)) or not np.all(arr > lower):
        bad = arr[~(np.isfinite(arr) & (arr > lower))].ravel()[0]
        raise ValueError(f"{name} must be finite and > {lower:g}; got {bad!r}")


@dataclass(frozen=True, eq=False)
class Surrogate:
    """An SG family with its shape: ``SG(u) = dampening * f(sharpness * u; tail)``.

    ``dampening`` (peak height) and ``sharpness`` (area is dampening / sharpness) may be scalars or
    per-neuron arrays/tensors that broadcast against the voltage's last axis. ``tail`` (q > 1) is
    required by ``q_pseudo_spike`` and refused by the other families.
    """

    family: str
    dampening: ParamLike = 1.0
    sharpness: ParamLike = 1.0
    tail: Number | None = None

    def __post_init__(self) -> None:
        info = family_info(self.family)
        _check_positive("dampening", self.dampening)
        _check_positive("sharpness", self.sharpness)
        if info.has_tail:
            if self.tail is None:
                raise ValueError(f"tail is required for family={self.family!r} (tail > 1)")
            _check_positive("tail", self.tail, lower=1.0)
            object.__setattr__(self, "tail", float(self.tail))
        elif self.tail is not None:
            raise ValueError(f"tail={self.tail!r} given, but family={self.family!r} has no tail")
        for name in ("dampening", "sharpness"):
            value = getattr(self, name)
            if isinstance(value, (int, float, np.floating, np.integer)):
                object.__setattr__(self, name, float(value))

    @property
    def info(self) -> FamilyInfo:
        return FAMILIES[self.family]

    def replace(self, **changes) -> "Surrogate":
        """A copy with some fields changed (validated again)."""
        fields = dict(family=self.family, dampening=self.dampening, sharpness=self.sharpness, tail=self.tail)
        fields.update(changes)
        return Surrogate(**fields)

    def numpy(self, u: np.ndarray | Number) -> np.ndarray:
        """SG(u) with the generated NumPy kernel."""
        d, s = (np.asarray(p.detach().cpu().numpy() if isinstance(p, torch.Tensor) else p, dtype=float)
                for p in (self.dampening, self.sharpness))
        extra = (self.tail,) if self.info.has_tail else ()
        return self.info.numpy(np.asarray(u, dtype=float), d, s, *extra)

    def torch(self, u: torch.Tensor) -> torch.Tensor:
        """SG(u) with the generated torch kernel, in u's dtype and device."""
        d, s = (torch.as_tensor(p, dtype=u.dtype, device=u.device) for p in (self.dampening, self.sharpness))
        extra = (self.tail,) if self.info.has_tail else ()
        return self.info.torch(u, d, s, *extra)

    def __call__(self, u):
        return self.torch(u) if isinstance(u, torch.Tensor) else self.numpy(u)

    @property
    def area(self):
        """Area under SG: dampening / sharpness."""
        return self.dampening / self.sharpness

    def __repr__(self) -> str:
        def short(p):
            if isinstance(p, (torch.Tensor, np.ndarray)):
                return f"<{type(p).__name__} shape={tuple(p.shape)}>"
            return f"{p:g}"

        tail = f", tail={self.tail:g}" if self.tail is not None else ""
        return (f"Surrogate({self.family!r}, dampening={short(self.dampening)}, "
                f"sharpness={short(self.sharpness)}{tail})")


class _SpikeFunction(torch.autograd.Function):
    """Heaviside step forward, surrogate gradient backward."""

    @staticmethod
    def forward(ctx, u: torch.Tensor, surrogate: Surrogate) -> torch.Tensor:
        ctx.save_for_backward(u)
        ctx.surrogate = surrogate
        return (u > 0).to(u.dtype)

    @staticmethod
    def backward(ctx, grad_output: torch.Tensor):
        (u,) = ctx.saved_tensors
        return grad_output * ctx.surrogate.torch(u), None


def spike(u: torch.Tensor, surrogate: Surrogate) -> torch.Tensor:
    """Spikes ``H(u)`` (1 where u > 0) whose gradient is ``surrogate(u)``.

    ``u`` is the centred voltage ``v - threshold``; any floating dtype, any device.
    """
    if not isinstance(surrogate, Surrogate):
        raise ValueError(f"surrogate must be a lifstab.Surrogate, got {type(surrogate).__name__}")
    if not isinstance(u, torch.Tensor) or not u.is_floating_point():
        raise ValueError(f"u must be a floating-point torch.Tensor, got {getattr(u, 'dtype', type(u))}")
    return _SpikeFunction.apply(u, surrogate)


def as_surrogate(surrogate: Surrogate | str) -> Surrogate:
    """Accept a :class:`Surrogate` or a family name (default shape)."""
    if isinstance(surrogate, Surrogate):
        return surrogate
    if isinstance(surrogate, str):
        if surrogate not in FAMILIES:
            raise ValueError(f"surrogate={surrogate!r} is not a family name; choose one of {list(FAMILIES)}")
        info = family_info(surrogate)
        return Surrogate(surrogate, tail=2.0 if info.has_tail else None)
    raise ValueError(f"surrogate must be a Surrogate or a family name, got {surrogate!r}")


__all__ = ["FAMILIES", "FamilyInfo", "Surrogate", "spike", "family_info", "as_surrogate"]
