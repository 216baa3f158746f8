"""A whole LIF (or ALIF) sequence as one autograd function with a hand-written backward pass.

The reference layers run ``lif_step`` in a Python loop and let autograd record every intermediate of
every step. Here the forward loop runs without autograd and keeps only the voltages and the spikes
(and the total currents when a partial derivative reads them, e.g. multiplicative_1 with the reset
gradient); the backward loop recomputes the surrogate gradient from the voltages, in blocks of steps,
and takes the partial derivatives of the voltage update from the generated ``lif_grad`` kernels
(``sympy.diff`` of ``derivations/lif.py``). The recurrent weight gradient is one matrix product over
all steps after the loop. Same numbers as the reference loop (tests/test_fast_lif.py).

Where the compiled kernels of lifstab/native/ are available (CPU, float32 or float64, per-neuron decay
and threshold) a LIF sequence (not ALIF) runs its forward loop in one compiled call: the recurrent current
``I_t + z_{t-1} @ w_rec`` visits only the spikes of ``z_{t-1}``, and the voltage update is the reset's
SymPy expression printed as C (lifstab/_generated/lif_c.py); the loop returns at the first step whose
previous spikes are denser than ``FUSED_MAX_DENSITY`` and the Python loop finishes. Its backward loop does
the elementwise work of a step in one compiled call (the partials printed as C, lifstab/_generated/
lif_grad_c.py), keeping torch for the surrogate gradient (in blocks, as here) and for the product
``dL/dI_{t+1} @ w_rec^T``. In the Python loop (ALIF) a step's recurrent product visits only the spikes
when they are at most ``STEP_MAX_DENSITY``; the recurrent weight gradient ``sum_t z_{t-1}^T dL/dI_t``
does so when the spikes' density (a strided sample) is at most ``GRAD_MAX_DENSITY``.

Gradient flow is the reference's: the recurrent current ``z_{t-1} @ w_rec`` always keeps its gradient;
the ``z_{t-1}`` of the reset term is stop-gradient when ``detach_reset``; ``z_t = H(v_t - A_t)`` has
gradient ``SG(v_t - A_t)`` with ``A_t = threshold`` (LIF) or ``threshold + strength * a_t`` (ALIF,
``a_t = rho a_{t-1} + (1 - rho) z_{t-1}``).
"""

from __future__ import annotations

import functools
import math
from typing import NamedTuple, Optional

import torch
from torch.autograd.function import once_differentiable

from . import native
from ._generated import lif_c, lif_grad_torch, lif_torch
from .sparse_projection import estimated_density
from .surrogates import Surrogate

#: (dtype) -> largest fraction of spikes in ``z_{t-1}`` (B x n) at which the fused native forward loop
#: (LIF) keeps going; at a denser step it returns and the Python loop with ``addmm`` finishes the sequence.
#: Measured at (T, B, n) = (250, 64, 256), one thread, forward only, fused against the Python loop with
#: ``addmm`` (shared machine, noisy): float32 11 against 43 ms at 17% spikes, 23 against 33 at 26%, 27
#: against 42 at 35%; float64 24 against 52 at 3.3%, 44 against 51 at 34%, 49 against 52 at 41%.
FUSED_MAX_DENSITY: dict[torch.dtype, float] = {torch.float32: 0.35, torch.float64: 0.35}
#: (dtype) -> largest fraction of spikes in ``z_{t-1}`` at which one step's recurrent product of the Python
#: loop (ALIF, or LIF after the fused loop returned) runs through the native kernel rather than ``addmm``.
#: Measured per step at (B, n) = (64, 256), one thread (noisy, shared machine): float32 even near 5%,
#: float64 45 against 104 us at 5% and 107 against 127 us at 20%.
STEP_MAX_DENSITY: dict[torch.dtype, float] = {torch.float32: 0.05, torch.float64: 0.15}
#: (dtype) -> largest spike density at which the recurrent weight gradient runs through the native kernel.
#: Measured at (T*B, n) = (15936, 256), one thread: float32 5.0 against 15.0 ms at 3%, 14.4 against 15.8 at
#: 10%, 19.4 against 15.7 at 15%; float64 10.7 against 31.9 at 3%, 27.0 against 31.8 at 10%, 39.7 against
#: 31.7 at 15%.
GRAD_MAX_DENSITY: dict[torch.dtype, float] = {torch.float32: 0.08, torch.float64: 0.08}

#: arguments of the voltage update, in the order of the generated kernels
UPDATE_ARGS = ("voltage", "current", "reset_spikes", "decay", "threshold")


class Adaptation(NamedTuple):
    """ALIF adaptation: ``rho = exp(-1/adaptation_tau)`` and ``strength`` (b_a), per neuron, no gradient."""

    rho: torch.Tensor
    strength: torch.Tensor


def partials(reset: str, voltage, current, reset_spikes, decay, threshold, arguments=UPDATE_ARGS) -> dict:
    """``{argument: d v_t / d argument}`` of the reset's update (generated kernels) for the given
    ``arguments``; a partial may be a plain number (0 or 1) when SymPy found a constant."""
    return {arg: lif_grad_torch.KERNELS[f"{reset}_d_{arg}"](voltage, current, reset_spikes, decay, threshold)
            for arg in arguments}


@functools.lru_cache(maxsize=None)
def reads_current(reset: str, arguments: tuple[str, ...]) -> bool:
    """Whether any of these partials of the reset's update depends on the current ``I_t`` (so that the
    forward pass must keep the currents): probed once with a NaN current, which shows in the result.
    A partial that hid the NaN would be called with ``current=None`` and fail loudly, not silently."""
    probe = torch.zeros(1, dtype=torch.float64)
    values = partials(reset, probe, torch.full((1,), math.nan, dtype=torch.float64), probe, probe, probe, arguments)
    return any(torch.isnan(torch.as_tensor(values[name])).any().item() for name in arguments)


def _times(grad: torch.Tensor, factor):
    """``grad * factor``, skipping the product when the generated partial is the number 1 or 0."""
    if isinstance(factor, (int, float)):
        return grad if factor == 1 else (None if factor == 0 else grad * factor)
    return grad * factor


def _add_product(total, grad, factor):
    """``total + grad * factor`` in one kernel where possible; ``None`` stands for zero."""
    if grad is None:
        return total
    if total is None or isinstance(factor, (int, float)):
        return _add(total, _times(grad, factor))
    return torch.addcmul(total, grad, factor)


def _add(total, term):
    return term if total is None else (total if term is None else total + term)


def _sum_batch(t: torch.Tensor, like: torch.Tensor) -> torch.Tensor:
    """Reduce ``t`` to the (per-neuron) shape of ``like``."""
    while t.ndim > like.ndim:
        t = t.sum(0)
    return t.expand_as(like) if t.shape != like.shape else t


#: steps per block in which the backward pass evaluates the surrogate gradient and the partials at once:
#: one call over many steps amortises the per-call (and thread start-up) cost of elementwise kernels
#: such as exp, while keeping the extra memory to a block rather than the whole sequence
BLOCK_STEPS = 32


def _at(value, k: int, ndim: int):
    """Step ``k`` of a block-shaped tensor; numbers and per-neuron tensors are the same at every step."""
    return value[k] if isinstance(value, torch.Tensor) and value.ndim == ndim else value


def _reversed_step_terms(reset, used, surrogate, voltages, spikes, totals, adaptations, v0, z0, decay, threshold,
                         strength):
    """Yield ``(t, SG(v_t - A_t), partials of step t's update)`` for t = T-1 down to 0, computed in blocks."""
    steps, ndim = voltages.shape[0], voltages.ndim
    for start in reversed(range(0, steps, BLOCK_STEPS)):
        stop = min(start + BLOCK_STEPS, steps)
        if start:
            v_prev, z_prev = voltages[start - 1:stop - 1], spikes[start - 1:stop - 1]
        else:
            v_prev = torch.cat([v0.expand_as(voltages[0])[None], voltages[:stop - 1]])
            z_prev = torch.cat([z0.expand_as(spikes[0])[None], spikes[:stop - 1]])
        limit = threshold if adaptations is None else threshold + strength * adaptations[start:stop]
        sg = surrogate.torch(voltages[start:stop] - limit)
        block = partials(reset, v_prev, None if totals is None else totals[start:stop], z_prev, decay, limit,
                         used)
        for k in reversed(range(stop - start)):
            yield start + k, sg[k], {name: _at(value, k, ndim) for name, value in block.items()}


def _step_product(w_rec: Optional[torch.Tensor], currents: torch.Tensor):
    """The native per-step recurrent product (``native.step_product``), or None where it does not apply."""
    limit = STEP_MAX_DENSITY.get(currents.dtype)
    if w_rec is None or limit is None or not currents.is_contiguous() or not native.available(currents, w_rec):
        return None
    return native.step_product(w_rec, limit)


def _fused_forward(reset, currents, w_rec, decay, threshold, v0, z0, voltages, spikes, totals) -> int:
    """Steps done by the native fused forward loop (``native.lif_forward``); 0 where it does not apply."""
    limit = FUSED_MAX_DENSITY.get(currents.dtype)
    per_neuron = (currents.shape[-1],)
    if (limit is None or reset not in lif_c.EXPRESSIONS or not currents.is_contiguous()
            or decay.shape != per_neuron or threshold.shape != per_neuron
            or not native.available(currents, decay, threshold, v0, z0, *([] if w_rec is None else [w_rec]))):
        return 0
    return native.lif_forward(reset, currents, w_rec, decay, threshold, v0.expand_as(currents[0]),
                              z0.expand_as(currents[0]), voltages, spikes, totals, limit)


def _native_backward_applies(voltages, totals, w_rec, decay, threshold, v0, z0) -> bool:
    per_neuron = (voltages.shape[-1],)
    return (decay.shape == per_neuron and threshold.shape == per_neuron
            and (totals is None or totals.is_contiguous())
            and native.available(voltages, decay, threshold, v0, z0, *([] if w_rec is None else [w_rec])))


def _native_backward(reset, detach_reset, surrogate, used, need, grad_spikes, grad_voltages, totals, w_rec, decay,
                     threshold, v0, z0, voltages, spikes):
    """The backward loop of a LIF sequence with the elementwise work of a step in one call of
    ``native.backward_step``: the surrogate gradient in blocks of steps (torch, as in the Python loop) and
    ``dL/dI_{t+1} @ w_rec^T`` per step stay torch's. Returns ``(dL/dI, dL/dv_0 before the update of step 0
    (the last grad_v), the partials of step 0, dL/d decay, dL/d threshold)``, as the Python loop leaves them."""
    steps = voltages.shape[0]
    grad_currents = native.empty_like(voltages)
    grad_decay = torch.zeros_like(decay) if need[2] else None
    grad_threshold = torch.zeros_like(threshold) if need[3] else None
    v0, z0 = v0.expand_as(voltages[0]).contiguous(), z0.expand_as(voltages[0]).contiguous()
    step = native.backward_step(reset, voltages, spikes, totals, v0, z0, decay, threshold, detach_reset,
                                grad_decay, grad_threshold)
    grad_z, grad_v, grad_v_next = torch.empty_like(voltages[0]), torch.empty_like(voltages[0]), None
    w_rec_t = None if w_rec is None else w_rec.T
    for start in reversed(range(0, steps, BLOCK_STEPS)):
        stop = min(start + BLOCK_STEPS, steps)
        sg = surrogate.torch(voltages[start:stop] - threshold).to(voltages.dtype).contiguous()
        for t in reversed(range(start, stop)):
            into = None
            if w_rec is not None and t + 1 < steps:
                into = (torch.mm(grad_currents[t + 1], w_rec_t, out=grad_z) if grad_spikes is None
                        else torch.addmm(grad_spikes[t], grad_currents[t + 1], w_rec_t, out=grad_z))
            elif grad_spikes is not None:
                into = grad_z.copy_(grad_spikes[t])
            grad_voltage = None if grad_voltages is None else grad_voltages[t].contiguous()
            step(t, into, sg[t - start], grad_voltage, grad_v_next, grad_v, grad_currents[t])
            # this step's dL/dv_t is the next step's grad_v_next; the older buffer is written next
            grad_v_next, grad_v = grad_v, (torch.empty_like(grad_v) if grad_v_next is None else grad_v_next)
    first = partials(reset, v0, None if totals is None else totals[0], z0, decay, threshold, used)
    return grad_currents, grad_v_next, first, grad_decay, grad_threshold


def _spikes_times(spikes: torch.Tensor, grad: torch.Tensor) -> torch.Tensor:
    """``spikes^T @ grad`` for (rows, n) matrices, through the native kernel when the spikes are sparse."""
    limit = GRAD_MAX_DENSITY.get(spikes.dtype)
    if limit is not None and native.available(spikes, grad) and estimated_density(spikes) <= limit:
        return native.transposed_times(spikes, grad)
    return spikes.T @ grad


def _python_backward(reset, detach_reset, surrogate, used, need, grad_spikes, grad_voltages, grad_adaptations, totals,
                     w_rec, decay, threshold, v0, z0, rho, strength, voltages, spikes, adaptations):
    """The backward loop of a LIF or ALIF sequence in torch, one step at a time. Returns ``(dL/dI, dL/dv_0
    before the update of step 0 (the last grad_v), dL/da_0 likewise (ALIF; else None), the partials of step 0,
    dL/d decay, dL/d threshold)``, as :func:`_native_backward` does for LIF."""
    adaptive = adaptations is not None
    steps = voltages.shape[0]
    grad_currents = native.empty_like(voltages)
    grad_decay = grad_threshold = None
    # gradients arriving at step t from step t + 1
    grad_v_next = grad_a_next = None
    next_partials = None
    terms = _reversed_step_terms(reset, used, surrogate, voltages, spikes, totals, adaptations, v0, z0, decay, threshold,
                                 strength)
    w_rec_t = None if w_rec is None else w_rec.T
    one_minus_rho = None if rho is None else 1 - rho
    # the threshold's gradient is needed for a trainable threshold, and for ALIF's adaptation
    need_limit = need[3] or adaptive
    for t, sg, step_partials in terms:
        # dL/dz_t: the loss, the recurrent current, the reset (when not detached), the adaptation of t + 1
        grad_z = None if grad_spikes is None else grad_spikes[t]
        if t + 1 < steps:
            if w_rec is not None:
                grad_z = (torch.mm(grad_currents[t + 1], w_rec_t) if grad_z is None
                          else torch.addmm(grad_z, grad_currents[t + 1], w_rec_t))
            if not detach_reset:
                grad_z = _add_product(grad_z, grad_v_next, next_partials["reset_spikes"])
            if adaptive:
                grad_z = _add_product(grad_z, grad_a_next, one_minus_rho)
        grad_through_spike = None if grad_z is None else grad_z * sg
        # dL/dv_t: the loss, the spike z_t, the voltage update of t + 1
        grad_v = _add(None if grad_voltages is None else grad_voltages[t], grad_through_spike)
        if t + 1 < steps:
            grad_v = _add_product(grad_v, grad_v_next, next_partials["voltage"])
        if grad_v is None:
            grad_v = torch.zeros_like(voltages[t])
        grad_current = _times(grad_v, step_partials["current"])
        grad_currents[t] = 0 if grad_current is None else grad_current
        if need_limit:
            grad_limit = _add_product(None if grad_through_spike is None else -grad_through_spike,
                                      grad_v, step_partials["threshold"])
        if adaptive:
            grad_a = None if grad_a_next is None else grad_a_next * rho
            grad_a = _add_product(grad_a, grad_limit, strength)
            if grad_adaptations is not None:
                grad_a = _add(grad_a, grad_adaptations[t])
            grad_a_next = torch.zeros_like(voltages[t]) if grad_a is None else grad_a
        if need[2]:
            term = _times(grad_v, step_partials["decay"])
            if term is not None:
                grad_decay = _add(grad_decay, _sum_batch(term, decay))
        if need[3] and grad_limit is not None:
            grad_threshold = _add(grad_threshold, _sum_batch(grad_limit, threshold))
        grad_v_next, next_partials = grad_v, step_partials
    return grad_currents, grad_v_next, grad_a_next, next_partials, grad_decay, grad_threshold


class _LIFSequence(torch.autograd.Function):
    @staticmethod
    def forward(ctx, currents, w_rec, decay, threshold, v0, z0, a0, rho, strength,
                reset, detach_reset, surrogate):
        update = lif_torch.KERNELS[reset]
        steps = currents.shape[0]
        voltages, spikes = native.empty_like(currents), native.empty_like(currents)
        adaptive = a0 is not None
        # the currents are kept for the backward pass only if a partial it evaluates reads them
        used = ("voltage", "current") + (() if detach_reset else ("reset_spikes",))
        used += ("decay",) * ctx.needs_input_grad[2] + ("threshold",) * (ctx.needs_input_grad[3] or adaptive)
        keep = reads_current(reset, used)
        totals = (native.empty_like(currents) if w_rec is not None else currents) if keep else None
        adaptations = torch.empty_like(currents) if adaptive else None
        # LIF: the fused loop of lifstab/native/ runs the steps while the spikes stay sparse
        done = 0 if adaptive else _fused_forward(reset, currents, w_rec, decay, threshold, v0, z0, voltages, spikes,
                                                 totals if w_rec is not None else None)
        step_product = _step_product(w_rec, currents)
        if done:
            v, z = voltages[done - 1], spikes[done - 1]
        else:
            v, z = v0, z0 if step_product is None else z0.expand_as(currents[0]).contiguous()
        a, limit = a0, threshold
        one_minus_rho = None if rho is None else 1 - rho
        for t in range(done, steps):
            if w_rec is None:
                current = currents[t]
            else:
                current = torch.empty_like(currents[t]) if totals is None else totals[t]
                if step_product is None or not step_product(z, currents[t], current):
                    torch.addmm(currents[t], z, w_rec, out=current)
            if adaptive:
                a = torch.add(rho * a, one_minus_rho * z, out=adaptations[t])
                limit = threshold + strength * a
            v = update(v, current, z, decay, limit)
            voltages[t].copy_(v)
            z = torch.gt(v, limit, out=spikes[t])
        ctx.save_for_backward(totals, w_rec, decay, threshold, v0, z0, a0,
                              rho, strength, voltages, spikes, adaptations)
        ctx.reset, ctx.detach_reset, ctx.surrogate, ctx.used = reset, detach_reset, surrogate, used
        ctx.set_materialize_grads(False)
        outputs = (spikes, voltages) + ((adaptations,) if adaptive else ())
        return outputs

    @staticmethod
    @once_differentiable
    def backward(ctx, grad_spikes, grad_voltages, grad_adaptations=None):
        (totals, w_rec, decay, threshold, v0, z0, a0, rho, strength,
         voltages, spikes, adaptations) = ctx.saved_tensors
        need = ctx.needs_input_grad
        reset, detach_reset, surrogate = ctx.reset, ctx.detach_reset, ctx.surrogate
        adaptive = a0 is not None
        steps = voltages.shape[0]
        grad_a_next = None  # dL/da_0 before the adaptation of step 0 (ALIF)
        if not adaptive and _native_backward_applies(voltages, totals, w_rec, decay, threshold, v0, z0):
            # LIF: the elementwise part of each step in one compiled call
            grad_currents, grad_v_next, next_partials, grad_decay, grad_threshold = _native_backward(
                reset, detach_reset, surrogate, ctx.used, need, grad_spikes, grad_voltages, totals, w_rec, decay,
                threshold, v0, z0, voltages, spikes)
        else:
            grad_currents, grad_v_next, grad_a_next, next_partials, grad_decay, grad_threshold = _python_backward(
                reset, detach_reset, surrogate, ctx.used, need, grad_spikes, grad_voltages, grad_adaptations, totals,
                w_rec, decay, threshold, v0, z0, rho, strength, voltages, spikes, adaptations)
        one_minus_rho = None if rho is None else 1 - rho
        grad_w_rec = grad_v0 = grad_z0 = grad_a0 = None
        if w_rec is not None and need[1]:
            # one product over all steps: sum_t z_{t-1}^T dL/dI_t
            grad_w_rec = z0.T @ grad_currents[0]
            if steps > 1:
                grad_w_rec = grad_w_rec + _spikes_times(spikes[:-1].flatten(0, 1), grad_currents[1:].flatten(0, 1))
        if need[4]:
            grad_v0 = _times(grad_v_next, next_partials["voltage"])
            grad_v0 = torch.zeros_like(v0) if grad_v0 is None else grad_v0.expand_as(v0)
        if need[5]:
            grad_z0 = grad_currents[0] @ w_rec.T if w_rec is not None else torch.zeros_like(z0)
            if not detach_reset:
                grad_z0 = _add_product(grad_z0, grad_v_next, next_partials["reset_spikes"])
            if adaptive:
                grad_z0 = _add_product(grad_z0, grad_a_next, one_minus_rho)
        if adaptive and need[6]:
            grad_a0 = grad_a_next * rho
        if grad_decay is not None:
            grad_decay = grad_decay.reshape(decay.shape)
        if grad_threshold is not None:
            grad_threshold = grad_threshold.reshape(threshold.shape)
        elif need[3]:
            grad_threshold = torch.zeros_like(threshold)
        if need[2] and grad_decay is None:
            grad_decay = torch.zeros_like(decay)
        return (grad_currents if need[0] else None, grad_w_rec, grad_decay, grad_threshold,
                grad_v0, grad_z0, grad_a0, None, None, None, None, None)


def lif_sequence(
    currents: torch.Tensor,
    w_rec: Optional[torch.Tensor],
    decay: torch.Tensor,
    threshold: torch.Tensor,
    v0: torch.Tensor,
    z0: torch.Tensor,
    surrogate: Surrogate,
    reset: str = "subtractive",
    detach_reset: bool = True,
    a0: Optional[torch.Tensor] = None,
    adaptation: Optional[Adaptation] = None,
) -> tuple[torch.Tensor, ...]:
    """Run ``T`` LIF steps at once: ``currents`` (T, B, n) is the input part of ``I_t`` (bias included),
    ``w_rec`` (n x n, diagonal already masked; None for feed-forward) adds ``z_{t-1} @ w_rec``.
    ``decay`` and ``threshold`` are per-neuron tensors. Returns ``(spikes, voltages)``, plus the
    adaptation variables ``a`` when ``adaptation`` (ALIF) is given; each (T, B, n).
    """
    if reset not in lif_torch.KERNELS:
        raise ValueError(f"reset={reset!r} is unknown; choose one of {list(lif_torch.KERNELS)}")
    if currents.ndim != 3 or currents.shape[0] < 1:
        raise ValueError(f"currents must have shape (T >= 1, B, n), got {tuple(currents.shape)}")
    if (a0 is None) != (adaptation is None):
        raise ValueError("a0 and adaptation must be given together (ALIF) or not at all (LIF)")
    rho, strength = adaptation if adaptation is not None else (None, None)
    return _LIFSequence.apply(currents, w_rec, decay, threshold, v0, z0, a0, rho, strength,
                              reset, bool(detach_reset), surrogate)
