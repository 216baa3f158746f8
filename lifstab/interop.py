"""The same surrogate gradient in snntorch, spikingjelly and norse.

Each peer library evaluates its surrogate at the centred voltage ``u = v - threshold``, as lifstab
does (snntorch ``fire``: ``spike_grad(mem - threshold)``; spikingjelly ``neuronal_fire``:
``surrogate_function(v - v_threshold)``; norse ``threshold(v - v_th, method, alpha)``), so converting a
:class:`~lifstab.Surrogate` is a change of parameters only. Peer families have fewer free parameters
than lifstab's (most fix the peak or the area), so a lifstab shape maps exactly only under the
constraint that :data:`EQUIVALENTS` lists; otherwise the converters raise ``ValueError`` saying which.
The parametrisations were read from snntorch 1.0.0, spikingjelly 2.0.0 and norse 1.1.0, and
``tests/test_interop.py`` compares the gradients with the installed libraries.

Forward passes agree except at ``u == 0`` exactly, where spikingjelly spikes (``u >= 0``) and
lifstab, snntorch and norse do not (``u > 0``).

The peer libraries are optional (``pip install lifstab[interop]``) and imported only when a converter
for them is called.
"""

from __future__ import annotations

import importlib
import math
from typing import Any, NamedTuple

import numpy as np
import torch

from .surrogates import FAMILIES, Surrogate

LIBRARIES: tuple[str, ...] = ("snntorch", "spikingjelly", "norse")

#: module holding each library's surrogates (norse: the ``threshold`` dispatcher of its LIF steps)
MODULES: dict[str, str] = {
    "snntorch": "snntorch.surrogate",
    "spikingjelly": "spikingjelly.activation_based.surrogate",
    "norse": "norse.torch.functional.threshold",
}

#: relative tolerance for "dampening equals sharpness" style constraints (floating-point inputs)
_CONSTRAINT_RTOL = 1e-12

_SQRT_PI = math.sqrt(math.pi)
#: constants the table spells out rather than printing their decimals
_NAMED = {_SQRT_PI: "sqrt(pi)", 2 / _SQRT_PI: "2/sqrt(pi)"}


def _number(value: float) -> str:
    return _NAMED.get(value, f"{value:g}")


class Mapping(NamedTuple):
    """One exact equivalence: lifstab's shape -> a peer surrogate and its arguments.

    ``arguments`` maps each peer argument to ``(factor, field)``: argument = factor * field, where field
    is ``"dampening"``, ``"sharpness"`` or ``"tail"``. The mapping holds only when ``dampening`` (a
    number, ``"sharpness"`` meaning dampening == sharpness, i.e. area 1, or ``None`` for free) and
    ``sharpness`` (a number or ``None``) are met.
    """

    target: str
    arguments: dict[str, tuple[float, str]]
    dampening: float | str | None = None
    sharpness: float | None = None

    def constraint(self) -> str:
        """The condition on lifstab's shape, in words ("" when there is none)."""
        parts = []
        if self.dampening == "sharpness":
            parts.append("dampening == sharpness (area 1)")
        elif self.dampening is not None:
            parts.append(f"dampening == {_number(self.dampening)}")
        if self.sharpness is not None:
            parts.append(f"sharpness == {_number(self.sharpness)}")
        return " and ".join(parts)

    def admits(self, dampening: float, sharpness: float) -> bool:
        required = sharpness if self.dampening == "sharpness" else self.dampening
        return ((required is None or math.isclose(dampening, required, rel_tol=_CONSTRAINT_RTOL))
                and (self.sharpness is None
                     or math.isclose(sharpness, self.sharpness, rel_tol=_CONSTRAINT_RTOL)))

    def peer_arguments(self, shape: dict[str, float | None]) -> dict[str, float]:
        return {name: factor * shape[field] for name, (factor, field) in self.arguments.items()}

    def describe(self, library: str) -> str:
        """E.g. ``fast_sigmoid(slope = 2 sharpness)``."""
        args = ", ".join(f"{name} = {'' if factor == 1 else _number(factor) + ' '}{field}"
                         for name, (factor, field) in self.arguments.items())
        head = f"method={self.target!r}, " if library == "norse" else f"{self.target}("
        return f"{head}{args}" + ("" if library == "norse" else ")")



#: family -> library -> the exact equivalences, tried in order; () where the library has none
#: (the reason is in NO_EQUIVALENT)
EQUIVALENTS: dict[str, dict[str, tuple[Mapping, ...]]] = {
    "triangular": {
        "snntorch": (),
        # alpha max(1 - alpha |u|, 0)
        "spikingjelly": (Mapping("PiecewiseQuadratic", {"alpha": (1.0, "sharpness")}, dampening="sharpness"),),
        # alpha relu(1 - |u|)
        "norse": (Mapping("triangle", {"alpha": (1.0, "dampening")}, sharpness=1.0),),
    },
    "exponential": {
        "snntorch": (),
        # alpha/2 exp(-alpha |u|)
        "spikingjelly": (Mapping("PiecewiseExp", {"alpha": (2.0, "sharpness")}, dampening="sharpness"),),
        "norse": (),
    },
    "gaussian": {
        "snntorch": (),
        # alpha/sqrt(pi) exp(-(alpha u)^2)
        "spikingjelly": (Mapping("Erf", {"alpha": (_SQRT_PI, "sharpness")}, dampening="sharpness"),),
        # 2/sqrt(pi) exp(-(alpha u)^2): the peak does not follow alpha
        "norse": (Mapping("heavi_erfc", {"alpha": (_SQRT_PI, "sharpness")}, dampening=2 / _SQRT_PI),),
    },
    "sigmoid": {
        # slope s(slope u)(1 - s(slope u))
        "snntorch": (Mapping("sigmoid", {"slope": (4.0, "sharpness")}, dampening="sharpness"),),
        # alpha s(alpha u)(1 - s(alpha u))
        "spikingjelly": (Mapping("Sigmoid", {"alpha": (4.0, "sharpness")}, dampening="sharpness"),),
        # 1 - tanh(alpha u)^2 = 4 s(2 alpha u)(1 - s(2 alpha u))
        "norse": (Mapping("tanh", {"alpha": (2.0, "sharpness")}, dampening=1.0),),
    },
    "fast_sigmoid": {
        # 1 / (1 + slope |u|)^2
        "snntorch": (Mapping("fast_sigmoid", {"slope": (2.0, "sharpness")}, dampening=1.0),),
        # SoftSign: alpha / (2 (1 + alpha |u|)^2); SuperSpike: alpha / (1 + |u|)^2
        "spikingjelly": (Mapping("SoftSign", {"alpha": (2.0, "sharpness")}, dampening="sharpness"),
                         Mapping("SuperSpike", {"alpha": (1.0, "dampening")}, sharpness=0.5)),
        # 1 / (1 + |u|)^2 whatever alpha (norse 1.1 ignores it); alpha = 2 sharpness is its slope reading
        "norse": (Mapping("super", {"alpha": (2.0, "sharpness")}, dampening=1.0, sharpness=0.5),),
    },
    "rectangular": {
        "snntorch": (),
        # alpha 1[|u| < 1/(2 alpha)]
        "spikingjelly": (Mapping("Rect", {"alpha": (1.0, "sharpness")}, dampening="sharpness"),),
        "norse": (),
    },
    "q_pseudo_spike": {
        "snntorch": (),
        # (1 + 2|u|/(alpha - 1))^(-alpha)
        "spikingjelly": (Mapping("QPseudoSpike", {"alpha": (1.0, "tail")}, dampening=1.0, sharpness=1.0),),
        "norse": (),
    },
}

_NORSE_METHODS = "norse's threshold methods are heaviside, super, triangle, tanh, circ and heavi_erfc"

#: why a library has no equivalent of a family
NO_EQUIVALENT: dict[tuple[str, str], str] = {
    ("triangular", "snntorch"): "snntorch.surrogate.triangular's gradient is +threshold for u < 0 and "
                                "-threshold for u >= 0, a step, not a triangular bump",
    ("exponential", "snntorch"): "snntorch.surrogate.spike_rate_escape is slope exp(-beta |u - 1|), "
                                 "centred at u = 1, not at u = 0",
    ("gaussian", "snntorch"): "snntorch.surrogate has no Gaussian surrogate",
    ("rectangular", "snntorch"): "snntorch.surrogate has no rectangular surrogate",
    ("q_pseudo_spike", "snntorch"): "snntorch.surrogate has no q-PseudoSpike surrogate",
    ("exponential", "norse"): f"{_NORSE_METHODS}; none is exp(-|u|)",
    ("rectangular", "norse"): f"{_NORSE_METHODS}; none is a box",
    ("q_pseudo_spike", "norse"): f"{_NORSE_METHODS}; circ is (1 + (u/alpha)^2)^(-3/2), a power of u^2, "
                                 "not of |u|",
}


class NorseSurrogate(NamedTuple):
    """norse's surrogate choice: the ``method`` and ``alpha`` fields of its LIF parameter records.

    Use ``norse.torch.LIFParameters(v_th=..., **spec._asdict())``; calling the spec applies norse's own
    ``threshold(u, method, alpha)`` to a centred voltage.
    """

    method: str
    alpha: float

    def __call__(self, u: torch.Tensor) -> torch.Tensor:
        return importlib.import_module(MODULES["norse"]).threshold(u, self.method, self.alpha)


def _scalar(name: str, value: Any) -> float:
    """Peer surrogates take one shape for the whole layer: refuse per-neuron parameters."""
    if isinstance(value, torch.Tensor):
        value = value.detach().cpu().numpy()
    arr = np.asarray(value, dtype=float)
    if arr.size != 1:
        raise ValueError(f"{name} must be a scalar to convert to a peer library's surrogate "
                         f"(they take one shape per layer); got shape {arr.shape}")
    return float(arr.reshape(()))


def mapping_for(surrogate: Surrogate, library: str) -> Mapping:
    """The equivalence that reproduces ``surrogate`` exactly in ``library``; ``ValueError`` when none."""
    if library not in LIBRARIES:
        raise ValueError(f"library={library!r} is not one of {list(LIBRARIES)}")
    if not isinstance(surrogate, Surrogate):
        raise ValueError(f"surrogate must be a lifstab.Surrogate, got {type(surrogate).__name__}")
    family = surrogate.family
    options = EQUIVALENTS[family][library]
    if not options:
        raise ValueError(f"{library} has no surrogate equivalent to lifstab family={family!r}: "
                         f"{NO_EQUIVALENT[family, library]}")
    dampening = _scalar("dampening", surrogate.dampening)
    sharpness = _scalar("sharpness", surrogate.sharpness)
    for option in options:
        if option.admits(dampening, sharpness):
            return option
    wanted = " or ".join(f"{o.constraint()} ({library} {o.target})" for o in options)
    raise ValueError(f"{library} matches lifstab family={family!r} exactly only when {wanted}; "
                     f"got dampening={dampening:g}, sharpness={sharpness:g}")


def peer_arguments(surrogate: Surrogate, library: str) -> tuple[str, dict[str, float]]:
    """``(target, keyword arguments)`` of the peer surrogate equal to ``surrogate``."""
    option = mapping_for(surrogate, library)
    shape = {"dampening": _scalar("dampening", surrogate.dampening),
             "sharpness": _scalar("sharpness", surrogate.sharpness), "tail": surrogate.tail}
    return option.target, option.peer_arguments(shape)


def _import(library: str):
    try:
        return importlib.import_module(MODULES[library])
    except ImportError as err:
        raise ImportError(f"{library} is not installed: pip install 'lifstab[interop]' ({err})") from err


def to_snntorch(surrogate: Surrogate):
    """The ``spike_grad`` for snntorch neurons, e.g. ``snntorch.Leaky(beta, spike_grad=...)``."""
    target, kwargs = peer_arguments(surrogate, "snntorch")
    return getattr(_import("snntorch"), target)(**kwargs)


def to_spikingjelly(surrogate: Surrogate):
    """The ``surrogate_function`` module for spikingjelly neurons (``activation_based.neuron``)."""
    target, kwargs = peer_arguments(surrogate, "spikingjelly")
    return getattr(_import("spikingjelly"), target)(**kwargs)


def to_norse(surrogate: Surrogate) -> NorseSurrogate:
    """The ``method`` and ``alpha`` for norse's LIF parameter records."""
    method, kwargs = peer_arguments(surrogate, "norse")
    _import("norse")
    return NorseSurrogate(method=method, **kwargs)


CONVERTERS = {"snntorch": to_snntorch, "spikingjelly": to_spikingjelly, "norse": to_norse}


def convert(surrogate: Surrogate, library: str):
    """``to_<library>(surrogate)`` by name."""
    if library not in CONVERTERS:
        raise ValueError(f"library={library!r} is not one of {list(LIBRARIES)}")
    return CONVERTERS[library](surrogate)


def equivalence_table() -> str:
    """:data:`EQUIVALENTS` as a Markdown table and :data:`NO_EQUIVALENT` as a list under it.

    docs/guide/interop.md shows this text; a test keeps the two equal.
    """
    lines = ["| family | " + " | ".join(LIBRARIES) + " |", "|---" * (len(LIBRARIES) + 1) + "|"]
    for family in FAMILIES:
        cells = []
        for library in LIBRARIES:
            options = EQUIVALENTS[family][library]
            cells.append("<br>".join(
                f"`{o.describe(library)}`" + (f" if {o.constraint()}" if o.constraint() else "")
                for o in options) or "none")
        lines.append(f"| {family} | " + " | ".join(cells) + " |")
    lines += ["", "Where the table says none:", ""]
    lines += [f"- {family}, {library}: {why}." for (family, library), why in NO_EQUIVALENT.items()]
    return "\n".join(lines)


__all__ = ["LIBRARIES", "EQUIVALENTS", "NO_EQUIVALENT", "Mapping", "NorseSurrogate", "mapping_for",
           "peer_arguments", "to_snntorch", "to_spikingjelly", "to_norse", "convert", "equivalence_table"]
