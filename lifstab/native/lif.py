"""The LIF loops: the fused forward loop (``lif_forward``) and the elementwise part of one backward step
(``backward_step``), with the reset's update and partials generated from the derivations."""

from __future__ import annotations

from typing import Optional

import torch

from .. import native_checks as check
from .._generated import lif_c
from .products import _check, _kernel


def lif_forward(reset: str, currents: torch.Tensor, w_rec: Optional[torch.Tensor], decay: torch.Tensor,
                threshold: torch.Tensor, v0: torch.Tensor, z0: torch.Tensor, voltages: torch.Tensor,
                spikes: torch.Tensor, totals: Optional[torch.Tensor], max_density: float) -> int:
    """The fused forward loop (``FORWARD_TEMPLATE``) over ``currents`` (T, B, n), writing ``voltages``,
    ``spikes`` and ``totals`` (all contiguous (T, B, n); ``totals`` may be None); ``decay`` and
    ``threshold`` are (n,), ``v0`` and ``z0`` (B, n). Stops before a step whose previous spikes are denser
    than ``max_density``; returns the number of steps done."""
    check.choice("reset", reset, tuple(lif_c.EXPRESSIONS))
    steps, batch, n = check.tensor("currents", currents, (None, None, None)).shape
    dtype, sequence, state = currents.dtype, (steps, batch, n), (batch, n)
    tensors = [currents] + [check.tensor(name, value, shape, dtype, contiguous=False).contiguous()
                            for name, value, shape in (("decay", decay, (n,)), ("threshold", threshold, (n,)),
                                                       ("v0", v0, state), ("z0", z0, state))]
    w_ptr = check.optional_tensor("w_rec", w_rec, (n, n), dtype, contiguous=False)
    w_ptr = None if w_ptr is None else w_ptr.contiguous()
    for name, value in (("voltages", voltages), ("spikes", spikes)):
        check.tensor(name, value, sequence, dtype)
    check.optional_tensor("totals", totals, sequence, dtype)
    max_density = check.fraction("max_density", max_density)
    if currents.numel() == 0:  # nothing to compute (and C's malloc(0) may return NULL)
        return steps
    kernel = _kernel(f"lif_forward_{reset}", currents.dtype)
    done = _check(kernel(tensors[0].data_ptr(), steps, batch, n, None if w_ptr is None else w_ptr.data_ptr(),
                         *(t.data_ptr() for t in tensors[1:]), voltages.data_ptr(), spikes.data_ptr(),
                         None if totals is None else totals.data_ptr(), int(max_density * batch * n)))
    return done


def backward_step(reset: str, voltages: torch.Tensor, spikes: torch.Tensor, totals: Optional[torch.Tensor],
                  v0: torch.Tensor, z0: torch.Tensor, decay: torch.Tensor, threshold: torch.Tensor,
                  detach_reset: bool, grad_decay: Optional[torch.Tensor], grad_threshold: Optional[torch.Tensor]):
    """The elementwise part of one backward step (``BACKWARD_TEMPLATE``) with the sequence's tensors bound
    once: a function ``(t, grad_z, sg, grad_voltage, grad_v_next, grad_v, grad_current)`` of (B, n)
    contiguous tensors (``grad_z``, ``grad_voltage`` and ``grad_v_next`` may be None: zero). ``voltages``,
    ``spikes`` and ``totals`` (None: no partial reads the current) are contiguous (T, B, n); ``v0`` and
    ``z0`` (B, n); ``decay`` and ``threshold`` (n,); the decay's and threshold's gradients, (n,), are
    summed into when not None."""
    check.choice("reset", reset, tuple(lif_c.EXPRESSIONS))
    steps, batch, n = check.tensor("voltages", voltages, (None, None, None)).shape
    dtype, state = voltages.dtype, (batch, n)
    check.tensor("spikes", spikes, (steps, batch, n), dtype)
    check.optional_tensor("totals", totals, (steps, batch, n), dtype)
    v0, z0, decay, threshold = (check.tensor(name, value, shape, dtype, contiguous=False).contiguous()
                                for name, value, shape in (("v0", v0, state), ("z0", z0, state),
                                                           ("decay", decay, (n,)), ("threshold", threshold, (n,))))
    check.optional_tensor("grad_decay", grad_decay, (n,), dtype)
    check.optional_tensor("grad_threshold", grad_threshold, (n,), dtype)
    zeros = torch.zeros(batch, n, dtype=voltages.dtype)
    kept = (voltages, spikes, totals, v0, z0, decay, threshold, zeros, grad_decay, grad_threshold)
    sums = [None if tensor is None else tensor.data_ptr() for tensor in (grad_decay, grad_threshold)]
    kernel = _kernel(f"lif_backward_step_{reset}", voltages.dtype)

    # pointers by arithmetic: slicing tensors per step costs more than the step's own work
    stride = batch * n * voltages.element_size()
    zero = zeros.data_ptr()
    v_at, z_at = voltages.data_ptr(), spikes.data_ptr()
    i_at = None if totals is None else totals.data_ptr()
    fixed = (decay.data_ptr(), threshold.data_ptr(), int(detach_reset))

    def step(t: int, grad_z, sg, grad_voltage, grad_v_next, grad_v, grad_current, _keep=kept) -> None:
        check.step_index("t", t, steps)
        for name, value in (("grad_z", grad_z), ("grad_voltage", grad_voltage), ("grad_v_next", grad_v_next)):
            check.optional_tensor(name, value, state, dtype)
        for name, value in (("sg", sg), ("grad_v", grad_v), ("grad_current", grad_current)):
            check.tensor(name, value, state, dtype)
        kernel(batch, n, zero if grad_z is None else grad_z.data_ptr(), sg.data_ptr(),
               zero if grad_voltage is None else grad_voltage.data_ptr(),
               zero if grad_v_next is None else grad_v_next.data_ptr(),
               v_at + (t - 1) * stride if t else v0.data_ptr(), z_at + (t - 1) * stride if t else z0.data_ptr(),
               zero if i_at is None else i_at + t * stride, v_at + t * stride, z_at + t * stride,
               zero if i_at is None or t + 1 >= steps else i_at + (t + 1) * stride, *fixed,
               grad_v.data_ptr(), grad_current.data_ptr(), *sums)

    return step

