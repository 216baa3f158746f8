"""spikingjelly (read from spikingjelly 2.0.0, ``activation_based/neuron/lif.py``, ``_ops/lif/reference.py``,
``_ops/reset.py``, ``layer/container.py``).

``LIFNode`` (``step_mode`` ``"s"`` or ``"m"``; the same step either way) runs, on its input ``c_t``::

    H_t = V_{t-1} + (c_t - (V_{t-1} - v_reset)) / tau        (decay_input=True)
    H_t = V_{t-1} - (V_{t-1} - v_reset) / tau + c_t          (decay_input=False)
    S_t = surrogate_function(H_t - v_threshold)              (forward: 1 where H_t >= v_threshold)
    V_t = S_t v_reset + (1 - S_t) H_t                        (hard reset; S_t detached if detach_reset)
    V_t = H_t - S_t v_threshold                              (v_reset=None, soft reset)

With ``v_reset == 0`` (the default), ``H_t`` is lifstab's voltage of a ``multiplicative_2`` LIF
(``v_t = alpha v_{t-1} (1 - z_{t-1}) + I_t``) with decay ``1 - 1/tau``, gain ``1/tau`` (``decay_input``)
or 1, and the node's ``detach_reset``. The soft reset subtracts ``(1 - 1/tau) v_threshold`` from the next
``H`` (lifstab's subtractive reset subtracts the threshold) and a non-zero ``v_reset`` resets elsewhere
than 0: both raise ``ValueError``, as do LIFNode subclasses, other neurons and a precision setting.
spikingjelly spikes at ``H_t == v_threshold`` exactly, lifstab does not (a set of measure zero); the
written surrogate keeps spikingjelly's forward.

``LinearRecurrentContainer`` feeds ``rc([x_t, y_{t-1}]) = A x_t + R y_{t-1} + b_rc`` to its sub-module:
accepted as ``(Linear, LinearRecurrentContainer(LIFNode))`` and as the documented
``LinearRecurrentContainer(Sequential(Linear, LIFNode))``; writing sets ``A = I`` and ``R`` (solved
through the inner ``Linear`` in the second form, which needs ``out_features <= in_features``).
"""

from __future__ import annotations

from typing import Sequence

import torch

from .. import interop
from ..surrogates import Surrogate
from .core import (PeerAdapter, PeerLIF, SurrogateSpike, check_decay, check_threshold, per_neuron, read_surrogate,
                   scalar_surrogate)

LIBRARY = "spikingjelly"


def _classes():
    from spikingjelly.activation_based import layer, neuron

    return neuron.LIFNode, layer.LinearRecurrentContainer


def _reset(module) -> None:
    from spikingjelly.activation_based import functional

    functional.reset_net(module)


def _bias(linear, n: int) -> torch.Tensor:
    return torch.zeros(n, dtype=torch.float64) if linear is None or linear.bias is None else linear.bias.detach().double()


def _weight(linear, n: int) -> torch.Tensor:
    return torch.eye(n, dtype=torch.float64) if linear is None else linear.weight.detach().double()


class _Node(PeerAdapter):
    library = LIBRARY
    default_family = "fast_sigmoid"

    def _dynamics(self, n: int):
        node = self.node
        if type(node) is not _classes()[0]:
            raise self.error(f"{type(node).__name__} is not spikingjelly's LIFNode (its dynamics are not read here)")
        if node.v_reset is None:
            raise self.error("v_reset=None (soft reset) subtracts (1 - 1/tau) * v_threshold from the next voltage; "
                             "lifstab's subtractive reset subtracts the threshold itself")
        if node.v_reset != 0:
            raise self.error(f"v_reset = {node.v_reset} must be 0: lifstab's LIF resets to 0")
        if getattr(node, "_neuron_precision", None) is not None:
            raise self.error("a neuron precision setting runs the step in reduced precision")
        tau = float(node.tau)
        decay = check_decay(torch.full((n,), 1 - 1 / tau, dtype=torch.float64), LIBRARY, self.layer, "1 - 1/tau")
        gain = torch.full((n,), 1 / tau if node.decay_input else 1.0, dtype=torch.float64)
        threshold = check_threshold(per_neuron(node.v_threshold, n, LIBRARY, self.layer, "v_threshold"),
                                    LIBRARY, self.layer)
        return decay, gain, threshold

    def surrogate(self) -> Surrogate | None:
        fn = self.node.surrogate_function
        if isinstance(fn, SurrogateSpike):
            return fn.surrogate
        alpha = getattr(fn, "alpha", None)
        return None if alpha is None else read_surrogate(LIBRARY, type(fn).__name__, {"alpha": float(alpha)})

    def _write_surrogate(self, surrogate: Surrogate) -> str:
        surrogate = scalar_surrogate(surrogate)
        try:
            self.node.surrogate_function = interop.to_spikingjelly(surrogate)
            return (f"surrogate_function = spikingjelly.activation_based.surrogate."
                    f"{interop.mapping_for(surrogate, LIBRARY).describe(LIBRARY)}")
        except ValueError as why:
            self.node.surrogate_function = SurrogateSpike(surrogate, at_threshold=True)
            return f"surrogate_function = {self.node.surrogate_function!r} (no exact spikingjelly surrogate: {why})"

    def write_surrogate(self, surrogate: Surrogate) -> str:
        return self._write_surrogate(surrogate)


class LinearNode(_Node):
    """``(torch.nn.Linear, LIFNode)``, the node in either step mode."""

    def __init__(self, linear: torch.nn.Linear, node) -> None:
        self.linear, self.node = linear, node
        self.layer = "(torch.nn.Linear, spikingjelly LIFNode)"

    def describe(self) -> PeerLIF:
        n = self.linear.out_features
        decay, gain, threshold = self._dynamics(n)
        return PeerLIF(LIBRARY, self.layer, decay, threshold, "multiplicative_2", bool(self.node.detach_reset),
                       "none", gain, w_in=_weight(self.linear, n).T * gain.reshape(1, -1),
                       bias=_bias(self.linear, n) * gain, spikes_at_threshold=True)

    def write(self, w_in, bias, w_rec, surrogate) -> list[str]:
        with torch.no_grad():
            self.linear.weight.copy_(w_in.T)
            if self.linear.bias is not None:
                self.linear.bias.copy_(bias)
        return ["Linear.weight"] + ["Linear.bias"] * self.has_bias() + [self._write_surrogate(surrogate)]

    def entry(self) -> torch.nn.Module:
        return self.linear

    def has_bias(self) -> bool:
        return self.linear.bias is not None

    def run(self, x: torch.Tensor, perturbation: Sequence[torch.Tensor] | None = None):
        currents = self.linear(x)
        if perturbation is not None:
            currents = currents + torch.stack(list(perturbation))
        _reset(self.node)
        if self.node.step_mode == "m":
            spikes = self.node(currents)
        else:
            spikes = torch.stack([self.node(c) for c in currents])
        return spikes, self.node.v


class Container(_Node):
    """``(Linear, LinearRecurrentContainer(LIFNode))`` (``outer`` given) or
    ``LinearRecurrentContainer(Sequential(Linear, LIFNode))`` (``outer`` None)."""

    def __init__(self, container, outer: torch.nn.Linear | None = None) -> None:
        self.container, self.outer = container, outer
        sub = container.sub_module
        self.inner = None
        if outer is None:
            if not (isinstance(sub, torch.nn.Sequential) and len(sub) == 2 and isinstance(sub[0], torch.nn.Linear)):
                raise ValueError("spikingjelly LinearRecurrentContainer: its sub_module must be Sequential(Linear, "
                                 "LIFNode), or pass (torch.nn.Linear, LinearRecurrentContainer(LIFNode))")
            self.inner, self.node = sub[0], sub[1]
        else:
            self.node = sub
        self.layer = ("LinearRecurrentContainer(Sequential(Linear, LIFNode))" if outer is None
                      else "(torch.nn.Linear, LinearRecurrentContainer(LIFNode))")

    def _blocks(self):
        rc, k = self.container.rc, self.container.rc.in_features - self.container.sub_module_out_features
        weight = rc.weight.detach().double()
        return weight[:, :k], weight[:, k:], _bias(rc, rc.out_features)

    def describe(self) -> PeerLIF:
        n = self.container.sub_module_out_features
        decay, gain, threshold = self._dynamics(n)
        a, r, b_rc = self._blocks()
        k = a.shape[0]
        p_w, p_b = _weight(self.outer, k), _bias(self.outer, k)  # before rc (outer Linear) or identity
        q_w, q_b = _weight(self.inner, k), _bias(self.inner, n)  # after rc (inner Linear) or identity
        if q_w.shape[0] != n:
            raise self.error(f"the sub-module's output has {q_w.shape[0]} features, the container says {n}")
        if self.inner is not None and n > k:
            raise self.error(f"out_features = {n} > in_features = {k}: recurrent weights cannot be written "
                             "through the inner Linear (its rows must be independent)")
        column = gain.reshape(1, -1)
        return PeerLIF(LIBRARY, self.layer, decay, threshold, "multiplicative_2", bool(self.node.detach_reset),
                       "all_to_all", gain, w_in=(q_w @ a @ p_w).T * column,
                       bias=(q_w @ (a @ p_b + b_rc) + q_b) * gain, w_rec=(q_w @ r).T * column,
                       spikes_at_threshold=True)

    def write(self, w_in, bias, w_rec, surrogate) -> list[str]:
        rc = self.container.rc
        k = rc.out_features
        rec = w_rec.T
        if self.inner is not None:  # Q R = w_rec^T with Q = w_in^T: R by least squares, checked
            rec = torch.linalg.lstsq(w_in.T, w_rec.T).solution
            if not torch.allclose(w_in.T @ rec, w_rec.T, rtol=1e-9, atol=1e-12):
                raise self.error("the recurrent weights cannot be written through the inner Linear "
                                 "(its rows are not independent)")
        holder = self._bias_holder()
        with torch.no_grad():
            target = self.outer if self.outer is not None else self.inner
            target.weight.copy_(w_in.T)
            for linear in (self.outer, self.inner, rc):
                if linear is not None and linear.bias is not None:
                    linear.bias.copy_(bias) if linear is holder else linear.bias.zero_()
            rc.weight[:, :k].copy_(torch.eye(k))
            rc.weight[:, k:].copy_(rec)
        where = {id(self.outer): "outer Linear.bias", id(self.inner): "inner Linear.bias", id(rc): "rc.bias"}
        return [f"{'outer' if self.outer is not None else 'inner'} Linear.weight",
                f"{where[id(holder)]} = the bias, the others 0" if holder is not None else "biases = 0",
                "rc.weight = [I, R] (R diagonal 0)", self._write_surrogate(surrogate)]

    def _bias_holder(self):
        """The Linear whose bias reaches the current unchanged once ``rc``'s input block is I: ``rc`` or
        the outer one (before ``rc``), the inner one (after); None when it has no bias."""
        options = (self.container.rc, self.outer) if self.inner is None else (self.inner,)
        return next((linear for linear in options if linear is not None and linear.bias is not None), None)

    def entry(self) -> torch.nn.Module:
        return self.outer if self.outer is not None else self.container

    def has_bias(self) -> bool:
        return self._bias_holder() is not None

    def run(self, x: torch.Tensor, perturbation: Sequence[torch.Tensor] | None = None):
        currents = x if self.outer is None else self.outer(x)
        steps = iter(perturbation or ())
        hook = None
        if perturbation is not None:  # enters H_t with the node's gain
            hook = self.node.register_forward_pre_hook(lambda module, args: (args[0] + next(steps),))
        try:
            _reset(self.container)
            spikes = torch.stack([self.container(c) for c in currents]) if self.container.step_mode == "s" \
                else self.container(currents)
        finally:
            if hook is not None:
                hook.remove()
        return spikes, self.node.v


def adapt(layer) -> PeerAdapter:
    node_class, container_class = _classes()
    if isinstance(layer, container_class):
        return Container(layer)
    if isinstance(layer, tuple) and len(layer) == 2 and isinstance(layer[1], (node_class, container_class)):
        if not isinstance(layer[0], torch.nn.Linear):
            raise ValueError(f"spikingjelly {type(layer[1]).__name__}: lifstab needs it paired with the "
                             f"torch.nn.Linear that feeds it, got {type(layer[0]).__name__}")
        return Container(layer[1], layer[0]) if isinstance(layer[1], container_class) else LinearNode(*layer)
    name = type(layer[-1] if isinstance(layer, tuple) and layer else layer).__name__
    raise ValueError(f"spikingjelly {name}: only (torch.nn.Linear, LIFNode), (torch.nn.Linear, "
                     f"LinearRecurrentContainer(LIFNode)) and LinearRecurrentContainer(Sequential(Linear, LIFNode)) "
                     f"are supported")
