"""Predicting the edge of stability: the critical sharpness ``beta_c`` where the BPTT growth factor
``rho`` (docs/theory.md section 7) crosses 1, and ``rho(beta)`` itself, without running backward passes.

Methods (registry :data:`METHODS`):

``"dmft"`` (default)
    One forward probe (the forward pass does not depend on the sharpness), then the dynamical
    mean-field theory of the *backward* pass. BPTT propagates ``delta_{t-1} = d_t * delta_t +
    SG_{t-1} * (W delta_t)`` with one quenched ``W``. For large ``n`` the recurrent field
    ``h_t = W delta_t`` of a neuron is Gaussian, independent of that neuron's own trajectory, with
    covariance ``E[h_t h_s] = sum_i W_ji^2 E[delta_t,i delta_s,i]``: the field is correlated across
    time because ``W`` is the same at every step. Each probed neuron's SG values and leak factors
    ``d_t`` enter exactly as they occurred. The recursion is linear in the fields, so the predictor
    carries their second moments in closed form (derivations/edge.py, :mod:`lifstab.mean_field`):
    deterministic, no sampling, no backward pass; it gives the whole predicted curve ``g_t``, and
    ``rho`` from it by the protocol's formula. With the reset attached (``detach_reset=False``) the
    diagonal is ``d_t + r_t SG_{t-1}``, ``r_t = dv_t/dz_{t-1}`` from the probe (docs/theory.md, "The
    attached reset").

``"dmft_sampled"``
    The same mean-field solved by sampling the field (Cholesky factor of its covariance, grown one step
    at a time), one sample per probed trajectory: the earlier form of ``"dmft"``, kept for comparison
    (its value carries sampling noise).

``"replay"``
    Not a prediction: the layer's own backward recursion replayed on the probe's forward pass for
    every sharpness (cheap: no forward pass per sharpness), averaged over 4 readouts. The measured
    edge on the given inputs, for the initialiser where the mean-field misses (sparsely firing layers).

``"lagged"``
    docs/theory.md section 7's first prototype, kept for comparison: ``rho ~ abar^2 + (n-1) E[W^2]
    (E[SG_t^2] + 2 sum_k abar^k E[SG_t SG_{t-k}])``. It over-counts: it treats the backward signal as
    perfectly correlated over every lag, whereas the mean-field solution shows it decorrelates; the
    sum is exact only for constant SG, where both give the spectral radius ``alpha + sigma SG``.

Why the prototype over-counts, in one line of algebra (subtractive reset, stationary statistics):
with ``a = alpha / sqrt(rho)`` and ``c(m)`` the lag-``m`` correlation of the backward signal, the
mean-field fixed point is ``c(m) = sigma^2 / (rho (1 - a^2)) * sum_d a^|d| A(m + d) c(m + d)`` with
``A`` the SG autocorrelation. Setting ``c(m) = c(0)`` for all ``m`` gives the prototype; the true
``c`` decays with ``|m|`` (by Cauchy-Schwarz ``c(m) <= c(0)``), so the prototype's rho is too large.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import NamedTuple, Sequence

import numpy as np
import torch

from .lif import RecurrentLIF
from .mean_field import mean_field_log_gradient_norms
from .edge_baselines import condition_iv_log_growth, lagged_log_growth, sg_autocorrelation  # noqa: F401
from .probe import Probe, _step_factors, _surrogate_values, forward_probe, pool_probes  # noqa: F401 (re-exported)
from .measure import AdaptationFactors, _adaptive_step, backward_norms, growth_window, log_growth_factor

#: default search range of the sharpness (docs/theory.md section 7 / issue 5)
SHARPNESS_RANGE = (1e-3, 1e3)


class EdgePrediction(NamedTuple):
    """A predicted critical sharpness; ``critical_sharpness`` is None when ``feasible`` is False
    (``rho`` stays on one side of 1 over the whole range), and ``reason`` then says which side."""

    critical_sharpness: float | None
    method: str
    feasible: bool
    reason: str = ""


# ----------------------------------------------------------------------------------------------------
# root finding in log sharpness, vectorised: each round evaluates a batch of sharpness values


def find_log_root(log_growth: Callable[[np.ndarray], np.ndarray], low: float = SHARPNESS_RANGE[0],
                  high: float = SHARPNESS_RANGE[1], grid: int = 13, refine: int = 6,
                  rounds: int = 2) -> tuple[float | None, str, dict[float, float]]:
    """The sharpness where ``log_growth`` (a function of an array of sharpness values returning
    ``ln rho`` for each) crosses 0 from above, searched in log sharpness.

    A grid of ``grid`` values spanning ``[low, high]``, then ``rounds`` times ``refine`` values inside
    the bracketing interval, then linear interpolation of ``ln rho`` in ``ln beta``. Returns
    ``(root or None, reason, {sharpness: ln rho})``; when ``ln rho`` decreases through 0 more than once
    the largest such sharpness is used (beyond it every larger sharpness is stable).
    """
    if not (0 < low < high) or grid < 2 or refine < 1 or rounds < 0:
        raise ValueError(f"need 0 < low < high, grid >= 2, refine >= 1, rounds >= 0; got "
                         f"{low}, {high}, {grid}, {refine}, {rounds}")
    seen: dict[float, float] = {}

    def evaluate(betas: np.ndarray) -> None:
        new = np.array([b for b in betas if float(b) not in seen])
        if new.size:
            for b, value in zip(new, np.asarray(log_growth(new), dtype=float)):
                seen[float(b)] = float(value)

    evaluate(np.geomspace(low, high, grid))
    for _ in range(rounds + 1):
        betas = np.array(sorted(seen))
        values = np.array([seen[b] for b in betas])
        finite = np.isfinite(values)
        betas, values = betas[finite], values[finite]
        if betas.size == 0:
            return None, "rho is not finite anywhere", seen
        if np.all(values > 0):
            return None, "unstable (rho > 1) over the whole sharpness range", seen
        if np.all(values <= 0):
            return None, "stable (rho <= 1) over the whole sharpness range", seen
        crossings = np.nonzero((values[:-1] > 0) & (values[1:] <= 0))[0]
        if crossings.size == 0:
            return None, "rho crosses 1 only upwards", seen
        i = crossings[-1]
        lo, hi = betas[i], betas[i + 1]
        if _ < rounds:
            evaluate(np.geomspace(lo, hi, refine + 2)[1:-1])
    f_lo, f_hi = values[i], values[i + 1]
    x_lo, x_hi = math.log(lo), math.log(hi)
    root = x_lo + (x_hi - x_lo) * f_lo / (f_lo - f_hi)
    return math.exp(root), "", seen


# ----------------------------------------------------------------------------------------------------
# the forward probe: lifstab.probe (re-exported here)


# ----------------------------------------------------------------------------------------------------
# method "dmft": mean-field of the backward pass with a quenched recurrent field


#: the default number of probed trajectories the dmft predictor uses (whole batch elements, all neurons)
DMFT_TRAJECTORIES = 4096
#: the default grouping of the dmft predictor's field covariance (:data:`lifstab.mean_field.GROUPINGS`)
DMFT_GROUPING = "pooled"
#: the dmft predictor's working memory per sharpness chunk (four ``(K, T, S)`` float64 buffers)
_DMFT_BYTES = 1 << 28


def dmft_log_gradient_norms(layer: RecurrentLIF, probe: Probe, sharpness: Sequence[float] | torch.Tensor,
                            samples: int | None = DMFT_TRAJECTORIES, stop: int = 1,
                            grouping: str = DMFT_GROUPING) -> torch.Tensor:
    """Predicted ``ln g_t^2`` (0 at ``t = T``), ``(K, T)``, down to the 1-indexed step ``stop``: the
    deterministic mean-field (:func:`lifstab.mean_field.mean_field_log_gradient_norms`, its field
    ``grouping``), evaluated in chunks of sharpness values that keep its buffers inside a fixed memory
    budget."""
    beta = torch.as_tensor(sharpness, dtype=torch.float64).reshape(-1)
    T, N = probe.centred.shape
    buffers = 4 if probe.adaptation is None else 12  # ALIF: six weights, two rows, two field rows, SG
    buffers += 0 if grouping == "pooled" else 3  # R per trajectory, its terms and sums
    chunk = max(1, _DMFT_BYTES // (8 * buffers * T * min(N, samples or N)))
    return torch.cat([mean_field_log_gradient_norms(layer, probe, part, samples=samples, stop=stop, grouping=grouping)
                      for part in beta.split(chunk)])


@torch.no_grad()
def sampled_dmft_log_gradient_norms(layer: RecurrentLIF, probe: Probe, sharpness: Sequence[float] | torch.Tensor,
                                    samples: int = 2048, seed: int = 0, stop: int = 1) -> torch.Tensor:
    """The mean-field sampled (method ``"dmft_sampled"``): predicted ``ln g_t^2`` (up to a constant, 0 at ``t = T``), shape ``(K, T)``, for each sharpness,
    down to the 1-indexed step ``stop`` (earlier steps are NaN).

    Backward in time, for ``S`` sampled trajectories (``samples``; all when fewer) with normalised
    backward signal ``delta`` (mean square 1): the field of step ``t`` is
    ``sqrt(field_scale_j) * htilde_j(t)``, ``htilde`` Gaussian with covariance
    ``R(t, s) = mean_i e_i(t) e_i(s)``, ``e = gain * delta``, sampled by growing the Cholesky factor of
    ``R`` one step at a time (Gram-Schmidt on the sampled e's; the same standard normals for every
    sharpness, so ``rho(beta)`` is smooth); ``y = leak_t * delta_t + SG_{t-1} * field``; ``ln g^2`` gains ``ln mean(y^2)``.
    An ALIF probe runs the replay's two-component step (:func:`lifstab.measure.backward_norms`) with the
    sampled field in place of the recurrent product.
    """
    beta = torch.as_tensor(sharpness, dtype=torch.float64).reshape(-1)
    T, N = probe.centred.shape
    gen = torch.Generator().manual_seed(seed)
    pick = torch.randperm(N, generator=gen)[:samples] if samples < N else torch.arange(N)
    S, K = pick.numel(), beta.numel()
    centred, leak, gain = probe.centred[:, pick], probe.leak[:, pick], probe.gain[:, pick]
    scale = probe.field_scale[pick].sqrt()
    slope = None if probe.reset_slope is None else probe.reset_slope[:, pick]
    adaptation = None if probe.adaptation is None else AdaptationFactors(*(a[..., pick] for a in probe.adaptation))
    sg = _surrogate_values(layer, centred, probe.neuron[pick], beta)  # (K, T, S)
    adjoint = torch.zeros(K, S, dtype=torch.float64)  # ALIF: the adaptation's adjoint, eps_T = 0
    noise = torch.randn(T, S, generator=gen, dtype=torch.float64)
    delta = torch.randn(S, generator=gen, dtype=torch.float64)  # the readout r
    delta = (delta / delta.pow(2).mean().sqrt()).expand(K, S)
    # Gram-Schmidt basis (in trajectory space) of the e's seen so far: the coefficients of e(t) on it
    # are the Cholesky row of R, and the residual's norm its diagonal, computed without any solve, so
    # nearly predictable fields (R close to singular, e.g. slowly varying SG) stay stable
    basis = torch.zeros(K, T, S, dtype=torch.float64)
    log_norm = torch.full((K, T), float("nan"), dtype=torch.float64)
    log_norm[:, T - 1] = 0.0
    for p, t in enumerate(range(T - 1, max(stop, 1) - 1, -1)):
        e = gain[t] * delta  # (K, S)
        q = basis[:, :p]
        coef = torch.zeros(K, p, dtype=torch.float64)
        residual = e
        for _ in range(2):  # project twice: classical Gram-Schmidt with re-orthogonalisation
            c = torch.bmm(q, residual[:, :, None])[..., 0]
            residual = residual - torch.bmm(c[:, None], q)[:, 0]
            coef = coef + c
        size = residual.norm(dim=-1)
        keep = size > 1e-10 * e.norm(dim=-1)
        basis[:, p] = torch.where(keep[:, None], residual / size.clamp(min=1e-300)[:, None], 0.0)
        chol_row = torch.cat([coef, (size * keep)[:, None]], dim=1) / math.sqrt(S)  # (K, p+1)
        field = chol_row @ noise[: p + 1]  # (K, S): covariance R(t, s) = mean_i e_i(t) e_i(s)
        if adaptation is not None:  # ALIF: the replay's own two-component step, the field sampled
            y, adjoint = _adaptive_step(delta, adjoint, sg[:, t - 1], scale * field, leak[t],
                                        None if slope is None else slope[t], adaptation, t)
        else:
            diagonal = leak[t] if slope is None else leak[t] + slope[t] * sg[:, t - 1]  # attached reset: + r SG
            y = diagonal * delta + sg[:, t - 1] * scale * field
        growth = y.pow(2).mean(-1)
        log_norm[:, t - 1] = log_norm[:, t] + torch.log(growth)
        delta, adjoint = y / growth.sqrt()[:, None], adjoint / growth.sqrt()[:, None]  # eps scales with delta
    return log_norm


# ----------------------------------------------------------------------------------------------------
# methods "lagged", "paper", "exact": lifstab.edge_baselines (re-exported here)


# ----------------------------------------------------------------------------------------------------
# public API


def _window_log_growth(log_norm: torch.Tensor, first: int, last: int) -> torch.Tensor:
    return (log_norm[:, first - 1] - log_norm[:, last - 1]) / (last - first)


def _dmft(layer, probe, beta, samples=DMFT_TRAJECTORIES, grouping=DMFT_GROUPING, **_):
    first, last = growth_window(probe.centred.shape[0])
    log_norm = dmft_log_gradient_norms(layer, probe, beta, samples=samples, stop=first, grouping=grouping)
    return _window_log_growth(log_norm, first, last)


def _dmft_sampled(layer, probe, beta, samples=2048, seed=0):
    first, last = growth_window(probe.centred.shape[0])
    log_norm = sampled_dmft_log_gradient_norms(layer, probe, beta, samples=samples, seed=seed, stop=first)
    return _window_log_growth(log_norm, first, last)


@torch.no_grad()
def replay_log_growth(layer: RecurrentLIF, probe: Probe, sharpness: Sequence[float] | torch.Tensor,
                      readouts: int = 4, seed: int = 0, dampening_scale: torch.Tensor | None = None) -> torch.Tensor:
    """Measured ``ln rho`` per sharpness: the layer's own BPTT recursion replayed on the probe's forward
    pass (:func:`lifstab.measure.backward_norms`, as ``gradient_norms_over_sharpness`` runs it, with the
    full recurrent matrix), averaged over ``readouts`` standard-normal readouts. Not a prediction: the
    measured edge on these inputs, for the initialiser's edge route where the mean-field misses
    (sparsely firing layers). ALIF layers replay their two-component recursion (the adaptation's adjoint
    with the voltage's, :func:`lifstab.measure.backward_norms`). ``dampening_scale`` (one factor per sharpness) multiplies the surrogate's
    dampening."""
    beta = torch.as_tensor(sharpness, dtype=torch.float64).reshape(-1)
    T, N = probe.centred.shape
    n = probe.decay.numel()
    shape = (T, N // n, n)  # trajectory index = b * n + neuron
    leak, gain = probe.leak.reshape(shape), probe.gain.reshape(shape)
    slope = None if probe.reset_slope is None else probe.reset_slope.reshape(shape)
    adaptation = None if probe.adaptation is None else AdaptationFactors(
        probe.adaptation.threshold_slope.reshape(shape), *(a.reshape(shape[1:]) for a in probe.adaptation[1:]))
    sg = _surrogate_values(layer, probe.centred, probe.neuron, beta).reshape(beta.numel(), *shape)
    if dampening_scale is not None:
        sg = sg * torch.as_tensor(dampening_scale, dtype=sg.dtype).reshape(-1, 1, 1, 1)
    w_rec = layer.recurrent_weight().detach().to(torch.float64)
    gen = torch.Generator().manual_seed(seed)
    # every (readout, sharpness) pair in one backward pass: row r * K + k is readout r at sharpness k
    K = beta.numel()
    grad = torch.stack([torch.randn(shape[1:], generator=gen, dtype=torch.float64) for _ in range(readouts)])
    grad = grad[:, None].expand(readouts, K, *shape[1:]).reshape(readouts * K, *shape[1:])
    rows = lambda t: sg[:, t].expand(readouts, *sg[:, t].shape).reshape(readouts * K, *shape[1:])  # noqa: E731
    per_readout = log_growth_factor(backward_norms(grad, leak, gain, rows, w_rec, slope, adaptation)).reshape(readouts, K)
    total = torch.zeros(K, dtype=torch.float64)
    for value in per_readout:  # summed in the readouts' order
        total += value
    return total / readouts


def _replay(layer, probe, beta, readouts=4, seed=0, **_):
    return replay_log_growth(layer, probe, beta, readouts=readouts, seed=seed)


def _lagged(layer, probe, beta, samples=2048, seed=0):
    return lagged_log_growth(layer, probe, beta, samples=samples, seed=seed)


def _condition_iv(variant):
    def method(layer, probe, beta, **_):
        return condition_iv_log_growth(layer, beta, variant)

    return method


#: method name -> function(layer, probe, sharpness tensor, **options) -> ln rho per sharpness
METHODS: dict[str, Callable[..., torch.Tensor]] = {
    "dmft": _dmft, "dmft_sampled": _dmft_sampled, "lagged": _lagged, "paper": _condition_iv("paper"), "exact": _condition_iv("exact"),
    "replay": _replay,
}


#: the methods that carry an ALIF layer's adaptation (its second backward component)
ADAPTIVE_METHODS: tuple[str, ...] = ("dmft", "dmft_sampled", "replay")


def _method(method: str, probe: Probe | None = None) -> Callable[..., torch.Tensor]:
    try:
        fn = METHODS[method]
    except (KeyError, TypeError):
        raise ValueError(f"method={method!r} is unknown; choose one of {sorted(METHODS)}") from None
    if probe is not None and probe.adaptation is not None and method not in ADAPTIVE_METHODS:
        raise ValueError(f"method={method!r} does not handle ALIF layers (adaptation); "
                         f"choose one of {list(ADAPTIVE_METHODS)}")
    return fn


def predicted_log_growth(layer: RecurrentLIF, x: torch.Tensor, sharpness: Sequence[float] | torch.Tensor,
                         method: str = "dmft", probe: Probe | None = None, **options) -> np.ndarray:
    """Predicted ``ln rho(beta)`` for each sharpness (the layer's family, dampening and tail) on
    inputs ``x`` (``(T, B, n_in)``), from one forward probe. ``options`` go to the method (``dmft``:
    ``samples``, ``grouping``; ``dmft_sampled``: ``samples``, ``seed``)."""
    _method(method)
    beta = torch.as_tensor(np.asarray(sharpness, dtype=float)).reshape(-1)
    if beta.numel() == 0 or not torch.all(torch.isfinite(beta)) or not torch.all(beta > 0):
        raise ValueError(f"sharpness must be finite and > 0, got {sharpness!r}")
    probe = forward_probe(layer, x) if probe is None else probe
    fn = _method(method, probe)
    return fn(layer, probe, beta, **options).numpy()


def edge_slope(layer: RecurrentLIF, x: torch.Tensor, sharpness: float, method: str = "dmft",
               probe: Probe | None = None, step: float = 0.05, **options) -> float:
    """``d ln rho / d ln beta`` at ``sharpness`` (a central difference over ``ln beta +- step``), by
    ``method``. At an edge it says how well the edge is conditioned: an error ``e`` in ``ln rho`` moves the
    edge by a factor ``exp(e / |slope|)`` (docs/theory.md, "The three worst misses": the census's worst
    predictions sit on the flattest curves)."""
    if not step > 0:
        raise ValueError(f"step must be > 0, got {step!r}")
    low, high = predicted_log_growth(layer, x, [sharpness * math.exp(-step), sharpness * math.exp(step)],
                                     method=method, probe=probe, **options)
    return float((high - low) / (2 * step))


def critical_sharpness(layer: RecurrentLIF, x: torch.Tensor, method: str = "dmft",
                       sharpness_range: tuple[float, float] = SHARPNESS_RANGE, probe: Probe | None = None,
                       **options) -> EdgePrediction:
    """Predict the sharpness ``beta_c`` at which ``rho = 1`` for ``layer`` driven by ``x``.

    ``layer`` is a recurrent :class:`~lifstab.RecurrentLIF` or :class:`~lifstab.RecurrentALIF` (methods
    :data:`ADAPTIVE_METHODS`), its reset gradient detached or not (its
    surrogate's family, dampening and tail are used; its sharpness is ignored); ``x`` is ``(T, B, n_in)``. Methods:
    :data:`METHODS`. Returns an :class:`EdgePrediction`; infeasible when ``rho`` does not cross 1 inside
    ``sharpness_range``. ``layer`` may be a snntorch, norse or spikingjelly layer (or ``(Linear,
    neuron)`` pair): its exact lifstab description is used, with its surrogate read back, or
    ``options["surrogate"]`` (a :class:`~lifstab.Surrogate`) where it has no lifstab equivalent.
    A list, tuple or ``nn.Sequential`` of recurrent layers is a stack: its edge is predicted layer by
    layer (:func:`lifstab.edge_stack.stack_critical_sharpness`, a
    :class:`~lifstab.edge_stack.StackEdgePrediction`). The layer's current weights are used, so the
    prediction holds at any point of training.
    """
    if isinstance(layer, (list, tuple, torch.nn.Sequential)):
        from .edge_stack import stack_critical_sharpness
        if probe is not None:
            raise ValueError("probe: a stack is probed layer by layer on its own spikes; pass no probe")
        return stack_critical_sharpness(layer, x, method=method, sharpness_range=sharpness_range, **options)
    if not isinstance(layer, RecurrentLIF):
        from . import adapters
        if adapters.is_peer(layer):
            layer = adapters.lifstab_layer(layer, options.pop("surrogate", None))
            x = torch.as_tensor(x, dtype=torch.float64)
    _method(method)
    low, high = sharpness_range
    probe = forward_probe(layer, x) if probe is None else probe
    fn = _method(method, probe)
    root, reason, _ = find_log_root(lambda b: fn(layer, probe, torch.as_tensor(b), **options).numpy(), low, high)
    return EdgePrediction(root, method, root is not None, reason)


__all__ = [
    "METHODS", "ADAPTIVE_METHODS", "SHARPNESS_RANGE", "EdgePrediction", "Probe", "forward_probe", "pool_probes", "find_log_root",
    "critical_sharpness", "edge_slope", "predicted_log_growth", "dmft_log_gradient_norms", "sampled_dmft_log_gradient_norms", "lagged_log_growth",
    "condition_iv_log_growth", "replay_log_growth",
    "sg_autocorrelation",
]
