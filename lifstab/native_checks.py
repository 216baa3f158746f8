"""Argument checks at the boundary of the compiled kernels (lifstab/native/).

The kernels read and write raw pointers: a tensor of the wrong shape, dtype, device or memory layout
would be read past its end (garbage) or written past it (a crash, or worse). Every public function of
lifstab/native/ that reaches C checks its arguments here first and raises ``ValueError`` naming the
argument, its value and what is allowed. The checks read only tensor metadata, except ``sparse_rows``
which also checks that compressed rows index inside their matrix (one pass over their indices).
"""

from __future__ import annotations

import math
from typing import Optional, Sequence

import torch

#: the dtypes the kernels are compiled for (lifstab/native/ ``DTYPES``)
KERNEL_DTYPES = (torch.float32, torch.float64)


def _describe(value) -> str:
    if isinstance(value, torch.Tensor):
        return (f"a {value.layout} tensor of shape {tuple(value.shape)}, dtype {value.dtype} on "
                f"{value.device}{'' if value.is_contiguous() else ' (not contiguous)'}")
    return f"{type(value).__name__} {value!r}"


def tensor(name: str, value, shape: Sequence[Optional[int]], dtype: Optional[torch.dtype] = None,
           contiguous: bool = True) -> torch.Tensor:
    """``value`` as the kernels need it: a strided CPU tensor of ``shape`` (None: any size on that axis),
    ``dtype`` (None: one the kernels are compiled for) and, when ``contiguous``, contiguous."""
    if (isinstance(value, torch.Tensor) and value.device.type == "cpu" and value.layout == torch.strided
            and (value.dtype == dtype if dtype is not None else value.dtype in KERNEL_DTYPES)
            and value.ndim == len(shape) and all(s is None or s == n for s, n in zip(shape, value.shape))
            and (not contiguous or value.is_contiguous())):
        return value
    wanted = tuple("any" if s is None else s for s in shape)
    want_dtype = dtype if dtype is not None else " or ".join(map(str, KERNEL_DTYPES))
    raise ValueError(f"{name} must be a {'contiguous ' if contiguous else ''}strided CPU tensor of shape "
                     f"{wanted} and dtype {want_dtype}; got {_describe(value)}")


def optional_tensor(name: str, value, shape: Sequence[Optional[int]], dtype: Optional[torch.dtype] = None,
                    contiguous: bool = True) -> Optional[torch.Tensor]:
    return None if value is None else tensor(name, value, shape, dtype, contiguous)


def fraction(name: str, value) -> float:
    """A finite number in [0, 1] (a density)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not (0 <= value <= 1):
        raise ValueError(f"{name} must be a finite number in [0, 1], got {value!r}")
    return float(value)


def density_estimate(name: str, value) -> float:
    """A finite number >= 0 (an estimate; above 1 only wastes room)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not (math.isfinite(value) and value >= 0):
        raise ValueError(f"{name} must be a finite number >= 0, got {value!r}")
    return float(value)


def choice(name: str, value, allowed: Sequence[str]) -> str:
    if not isinstance(value, str) or value not in allowed:
        raise ValueError(f"{name}={value!r} is unknown; choose one of {list(allowed)}")
    return value


def step_index(name: str, value, steps: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value < steps:
        raise ValueError(f"{name} must be an int in [0, {steps}), got {value!r}")
    return value


def same_size(name: str, value: int, expected: int, what: str) -> None:
    if value != expected:
        raise ValueError(f"{name} is {value}, but {what} is {expected}")
