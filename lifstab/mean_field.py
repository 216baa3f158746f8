"""The deterministic mean-field (``"dmft"``) predictor of the BPTT growth: derivations/edge.py's closed-form
second moments over the Gaussian recurrent field, run backward in time on one forward probe.

Per probed trajectory ``j`` the backward signal obeys ``delta_{t-1} = d_t delta_t + SG_{t-1} sqrt(S_j)
h_t`` (``d_t + r_t SG_{t-1}`` for ``d_t`` when the reset is attached, ``r_t`` the probe's reset slope)
with ``h`` a Gaussian field of covariance ``R(t, s) = mean_i g_i(t) g_i(s) E[delta_i(t)
delta_i(s)]`` (docs/guide/edge.md). The recursion is linear in the fields, so the predictor carries
second moments instead of samples:

- ``C_j(t, u) = E[delta_j(t) delta_j(u)]`` for ``u >= t`` (one row, updated by the generated
  ``backward_step_covariance``; its diagonal by ``backward_step_variance``),
- ``F_j(t, u) = E[h(t) delta_j(u)]`` for ``u >= t``: the field of step ``t`` is correlated with the later
  signals through ``R``; by the same generated kernel, backward in ``u`` from ``F_j(t, T) = 0`` (the
  readout is independent of the fields),
- ``R(t, u)`` from the row ``C(t, .)`` by the generated ``field_covariance_term``.

Every signal is normalised to mean square 1 after its step; the per-step growth ``Gamma_t`` is the
normaliser and ``ln g_t^2`` its running sum.

**Grouping of the field** (``grouping``): ``"pooled"`` (the default) takes ``R`` as the mean over every
probed trajectory, all batch elements (and, with pooled probes, all networks) together; ``"element"``
gives each trajectory the ``R`` of its own batch element, the mean over that element's neurons, as the
backward pass of element ``b`` sums ``W_ij g_i^b delta_i^b`` over element ``b``'s neurons only. The
rows ``C_j`` and ``F_j`` are per trajectory either way, and ``Gamma_t`` stays the mean over all
trajectories (the total gradient norm). With one batch element the two agree. ``"cavity"`` is per
element with the trajectory's own term left out, the mean over the element's other ``n - 1`` neurons:
the layer's diagonal is zero, so no neuron's field carries its own backward signal. The own term is
``O(1/n)`` of ``R`` when many neurons carry the signal, but most of it in a nearly silent layer where a
few do (docs/theory.md, "A nearly silent layer").

No sampling: the same probe gives the same number on every run. The trajectories are all of the probe's,
or ``samples`` of them evenly spaced (a fixed choice).

**ALIF** (:func:`alif_mean_field_log_gradient_norms`): the backward state of a neuron has a second
component, the adaptation's adjoint ``eps`` (derivations/edge.py, ``ALIF_BACKWARD_STEP`` and
``ALIF_ADAPTATION_STEP``); both are linear in ``(delta_t, eps_t, h_t)``, and only ``delta`` feeds the
field. The predictor carries the 2x2 covariance of ``(delta, eps)`` at the current step, the rows
``E[delta(t) delta(u)]`` and ``E[eps(t) delta(u)]`` (``u >= t``), and ``E[h(t) delta(u)]``,
``E[h(t) eps(u)]``, each updated by the generated ALIF kernels.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Sequence

import torch

from ._generated import edge_torch

if TYPE_CHECKING:  # pragma: no cover
    from .lif import RecurrentLIF
    from .stability import Probe

_field_term = edge_torch.field_covariance_term
#: the groupings of the field covariance ``R`` (module docstring)
GROUPINGS = ("pooled", "element", "cavity")


def _step_kernels(reset_slope: torch.Tensor | None):
    """The generated step kernels ``(variance, signal weight, field weight)``, each taking ``(leak, SG,
    field_scale, ...)``: the detached step's, or the attached reset's with the reset slope bound."""
    if reset_slope is None:
        return (edge_torch.backward_step_variance, edge_torch.backward_step_signal_weight,
                edge_torch.backward_step_field_weight)
    return tuple(lambda leak, sg, *rest, _k=kernel: _k(leak, reset_slope, sg, *rest)
                 for kernel in (edge_torch.attached_backward_step_variance, edge_torch.attached_backward_step_signal_weight,
                                edge_torch.attached_backward_step_field_weight))


def probe_columns(count: int, neurons: int, samples: int | None) -> torch.Tensor:
    """Indices of the trajectories used (trajectory index = batch element * ``neurons`` + neuron): all of
    ``count``, or whole batch elements, evenly spaced over the probe (over every pooled probe), holding
    at most ``samples`` trajectories (at least one): every neuron enters equally, since the neurons'
    quenched differences matter more than the inputs'."""
    if samples is None or samples >= count:
        return torch.arange(count)
    if samples < 1:
        raise ValueError(f"samples must be >= 1, got {samples!r}")
    elements = torch.linspace(0, count // neurons - 1, max(1, samples // neurons), dtype=torch.float64).round().long()
    return (elements[:, None] * neurons + torch.arange(neurons)).reshape(-1)


def _field_covariance_row(row: torch.Tensor, gain: torch.Tensor, t: int, elements: int | None,
                          cavity: bool = False) -> torch.Tensor:
    """``R(t, u)`` for ``u >= t`` from the rows ``row[:, t:]`` (``(K, T, S)``, ``u >= t`` filled), by the
    generated ``field_covariance_term``: ``(K, T - t, 1)``, the mean over every trajectory, when
    ``elements`` is None; else ``(K, T - t, S)``, each trajectory's the mean over its own batch element
    (the ``S`` trajectories hold ``elements`` whole elements in order, :func:`probe_columns`), or with
    ``cavity`` the mean over the element's other ``n - 1`` neurons (the trajectory's own term left out)."""
    if elements is None:
        return torch.einsum("kus,us->ku", row[:, t:], _field_term(gain[t], gain[t:], 1.0 / row.shape[-1]))[..., None]
    K, U, S = row[:, t:].shape
    neurons = S // elements
    if cavity and neurons < 2:
        raise ValueError("the cavity field needs at least 2 neurons per batch element")
    terms = row[:, t:] * _field_term(gain[t], gain[t:], 1.0 if cavity else 1.0 / neurons)
    sums = terms.reshape(K, U, elements, neurons).sum(-1, keepdim=True).expand(-1, -1, -1, neurons).reshape(K, U, S)
    return (sums - terms) / (neurons - 1) if cavity else sums


def _elements(grouping: str, count: int, neurons: int) -> int | None:
    """How many batch elements the ``count`` trajectories used hold for :func:`_field_covariance_row`
    (None: pooled)."""
    if grouping not in GROUPINGS:
        raise ValueError(f"grouping must be one of {GROUPINGS}, got {grouping!r}")
    return None if grouping == "pooled" else count // neurons


def _field_signal_row(t: int, R_row: torch.Tensor, signal_weight: torch.Tensor, field_weight: torch.Tensor,
                      out: torch.Tensor) -> torch.Tensor:
    """``F_j(t, u) = E[h(t) delta_j(u)]`` for ``u = t..T-1`` into ``out[:, t:]`` (``(K, T, S)``): backward
    in ``u`` through ``delta(u) = a(u) delta(u+1) + b(u) h(u+1)`` (the normalised step's weights) from
    ``F(t, T-1) = 0``, the readout being independent of the fields. ``R_row``: :func:`_field_covariance_row`."""
    T = out.shape[1]
    torch.mul(field_weight[:, t:T - 1], R_row[:, 1:], out=out[:, t:T - 1])  # the field's injections
    out[:, T - 1] = 0.0
    for u in range(T - 2, t - 1, -1):
        out[:, u].addcmul_(signal_weight[:, u], out[:, u + 1])
    return out[:, t:]


def _start(probe: "Probe", sharpness, samples: int | None, stop: int, grouping: str = "pooled"):
    """The common set-up: sharpness, the trajectories used, their batch elements (:func:`_elements`), the
    output, and their SG."""
    from .stability import _surrogate_values

    beta = torch.as_tensor(sharpness, dtype=torch.float64).reshape(-1)
    T, N = probe.centred.shape
    if not 1 <= stop <= T:
        raise ValueError(f"stop must be a 1-indexed step in [1, {T}], got {stop!r}")
    pick = probe_columns(N, probe.decay.numel(), samples)
    elements = _elements(grouping, pick.numel(), probe.decay.numel())
    log_norm = torch.full((beta.numel(), T), float("nan"), dtype=torch.float64)
    log_norm[:, T - 1] = 0.0
    return beta, pick, elements, log_norm, lambda layer: _surrogate_values(
        layer, probe.centred[:, pick].double(), probe.neuron[pick], beta)


@torch.no_grad()
def mean_field_log_gradient_norms(layer: "RecurrentLIF", probe: "Probe", sharpness: Sequence[float] | torch.Tensor,
                                  samples: int | None = 2048, stop: int = 1, grouping: str = "pooled") -> torch.Tensor:
    """Predicted ``ln g_t^2`` (0 at ``t = T``), shape ``(K, T)``, for each sharpness, down to the
    1-indexed step ``stop`` (earlier steps are NaN). Deterministic; ``grouping``: the field's, pooled or
    per batch element (module docstring). An ALIF probe (``probe.adaptation``) goes to
    :func:`alif_mean_field_log_gradient_norms`."""
    if probe.adaptation is not None:
        return alif_mean_field_log_gradient_norms(layer, probe, sharpness, samples, stop, grouping)
    beta, pick, elements, log_norm, surrogate = _start(probe, sharpness, samples, stop, grouping)
    cavity = grouping == "cavity"
    K, (T, S) = beta.numel(), (probe.centred.shape[0], pick.numel())
    leak, gain = probe.leak[:, pick].double(), probe.gain[:, pick].double()
    field_scale = probe.field_scale[pick].double()
    slope = None if probe.reset_slope is None else probe.reset_slope[:, pick].double()
    sg = surrogate(layer)  # (K, T, S)
    # weights of delta(u + 1) and h(u + 1) in the normalised delta(u), filled as the normalisers are known
    signal_weight = torch.zeros(K, T, S, dtype=torch.float64)
    field_weight = torch.zeros(K, T, S, dtype=torch.float64)
    row = torch.zeros(K, T, S, dtype=torch.float64)  # row[:, u] = C_j(t, u) for u >= t
    row[:, T - 1] = 1.0  # the readout, normalised
    F = torch.empty(K, T, S, dtype=torch.float64)
    for t in range(T - 1, max(stop, 1) - 1, -1):
        R_row = _field_covariance_row(row, gain, t, elements, cavity)  # R(t, u), u >= t
        F_row = _field_signal_row(t, R_row, signal_weight, field_weight, F)
        variance, signal_part, field_part = _step_kernels(None if slope is None else slope[t])
        diagonal = variance(leak[t], sg[:, t - 1], field_scale, row[:, t], F_row[:, 0], R_row[:, 0])
        growth = diagonal.mean(-1)  # Gamma_t, (K,)
        norm = growth.rsqrt()[:, None]
        signal_weight[:, t - 1] = signal_part(leak[t], sg[:, t - 1], field_scale) * norm
        field_weight[:, t - 1] = field_part(leak[t], sg[:, t - 1], field_scale) * norm
        row[:, t:].mul_(signal_weight[:, t - 1, None]).addcmul_(field_weight[:, t - 1, None], F_row)
        row[:, t - 1] = diagonal / growth[:, None]
        log_norm[:, t - 1] = log_norm[:, t] + torch.log(growth)
    return log_norm


_ALIF_WEIGHTS = {(c, v): getattr(edge_torch, f"alif_step_{c}_{v}_weight")
                 for c in ("signal", "adaptation") for v in ("signal", "adaptation", "field")}


def _alif_field_rows(t: int, R_row: torch.Tensor, weight: dict, out_signal: torch.Tensor,
                     out_adaptation: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """``E[h(t) delta(u)]`` and ``E[h(t) eps(u)]`` for ``u = t..T-1`` (``(K, T, S)`` buffers, filled from
    ``t``): backward in ``u`` through the normalised ALIF step ``x(u) = w_xd(u) delta(u+1) + w_xe(u)
    eps(u+1) + w_xh(u) h(u+1)`` from 0 at ``u = T-1`` (the readout and ``eps_T = 0`` are independent of
    the fields)."""
    T = out_signal.shape[1]
    for out, c in ((out_signal, "signal"), (out_adaptation, "adaptation")):
        torch.mul(weight[c, "field"][:, t:T - 1], R_row[:, 1:], out=out[:, t:T - 1])
        out[:, T - 1] = 0.0
    for u in range(T - 2, t - 1, -1):
        later_signal, later_adaptation = out_signal[:, u + 1], out_adaptation[:, u + 1]
        for out, c in ((out_signal, "signal"), (out_adaptation, "adaptation")):
            out[:, u].addcmul_(weight[c, "signal"][:, u], later_signal).addcmul_(weight[c, "adaptation"][:, u],
                                                                                 later_adaptation)
    return out_signal[:, t:], out_adaptation[:, t:]


@torch.no_grad()
def alif_mean_field_log_gradient_norms(layer: "RecurrentLIF", probe: "Probe", sharpness: Sequence[float] | torch.Tensor,
                                       samples: int | None = 2048, stop: int = 1, grouping: str = "pooled") -> torch.Tensor:
    """Predicted ``ln g_t^2`` (``g_t = ||dL/dv_t||``, 0 at ``t = T``), ``(K, T)``, of an ALIF layer: the
    two-component mean field (module docstring), deterministic; ``grouping`` as for LIF."""
    beta, pick, elements, log_norm, surrogate = _start(probe, sharpness, samples, stop, grouping)
    cavity = grouping == "cavity"
    K, (T, S) = beta.numel(), (probe.centred.shape[0], pick.numel())
    column = lambda a: a[..., pick].double()  # noqa: E731
    leak, gain, field_scale = column(probe.leak), column(probe.gain), column(probe.field_scale)
    slope = torch.zeros_like(leak) if probe.reset_slope is None else column(probe.reset_slope)
    threshold_slope, rho, strength = (column(a) for a in probe.adaptation)
    sg = surrogate(layer)  # (K, T, S)
    weight = {key: torch.zeros(K, T, S, dtype=torch.float64) for key in _ALIF_WEIGHTS}
    row = {c: torch.zeros(K, T, S, dtype=torch.float64) for c in ("signal", "adaptation")}  # E[x(t) delta(u)]
    row["signal"][:, T - 1] = 1.0  # the readout, normalised
    adaptation_variance = torch.zeros(K, S, dtype=torch.float64)  # eps_T = 0
    F = {c: torch.empty(K, T, S, dtype=torch.float64) for c in row}
    for t in range(T - 1, max(stop, 1) - 1, -1):
        R_row = _field_covariance_row(row["signal"], gain, t, elements, cavity)
        F_signal, F_adaptation = _alif_field_rows(t, R_row, weight, F["signal"], F["adaptation"])
        coefficients = (leak[t], slope[t], threshold_slope[t], sg[:, t - 1], field_scale, rho, strength)
        moments = (row["signal"][:, t], F_signal[:, 0], R_row[:, 0], adaptation_variance, row["adaptation"][:, t],
                   F_adaptation[:, 0])
        second = {pair: getattr(edge_torch, f"alif_step_{pair[0]}_{pair[1]}_moment")(*coefficients, *moments)
                  for pair in (("signal", "signal"), ("adaptation", "adaptation"), ("signal", "adaptation"))}
        growth = second["signal", "signal"].mean(-1)  # Gamma_t, (K,)
        norm = growth.rsqrt()[:, None]
        for key, kernel in _ALIF_WEIGHTS.items():
            weight[key][:, t - 1] = kernel(*coefficients) * norm
        rows = (row["signal"][:, t:].clone(), row["adaptation"][:, t:].clone())
        for c in row:
            w = lambda v: weight[c, v][:, t - 1, None]  # noqa: E731
            row[c][:, t:] = w("signal") * rows[0] + w("adaptation") * rows[1] + w("field") * F_signal
        row["signal"][:, t - 1] = second["signal", "signal"] / growth[:, None]
        row["adaptation"][:, t - 1] = second["signal", "adaptation"] / growth[:, None]
        adaptation_variance = second["adaptation", "adaptation"] / growth[:, None]
        log_norm[:, t - 1] = log_norm[:, t] + torch.log(growth)
    return log_norm
