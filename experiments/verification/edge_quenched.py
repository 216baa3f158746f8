"""A prototype (issue 15): the dmft mean field with the quenched backward weights, measurement-free.

:mod:`lifstab.mean_field` gives every probed trajectory ``j`` the recurrent field ``sqrt(S_j) h`` with
``h``'s covariance the mean over all trajectories, ``R(t, u) = mean_i g_i(t) g_i(u) C_i(t, u)``. Here the
field of trajectory ``j`` (neuron ``j`` of batch element ``b`` of network ``s``) sums over the neurons of
its own batch element and network with the actual backward weights:

    S_j R_j(t, u) = sum_i W_ji^2 g_i(t) g_i(u) C_i(t, u),     S_j = sum_i W_ji^2,

so the correlation of ``W_ji^2`` with ``i``'s own surrogate derivatives (``W_ji z_j`` kicks ``v_i``: the
diagonal, Stein term of the shared-weight offset) is carried, while the signs of ``W`` still enter
nowhere (the field stays Gaussian and independent of ``j``'s own forward pass). Every quantity comes from
``W``, the probe and the surrogate: no fitted constant. With the rows of ``W`` permuted
(:func:`.edge_finite_size.backward_matrix`) it is the control: the same sum with ``W^2`` decorrelated.

The step kernels, the field-signal rows and the normalisation are those of
:func:`lifstab.mean_field.mean_field_log_gradient_norms`; only ``R`` becomes per trajectory.

    python -m lifstab_experiments.verification.edge_quenched --index 13 \\
        --curves experiments/edge_census_results/miss/signflip/row13/curves.json
"""

from __future__ import annotations

import argparse
import json
import math
from pathlib import Path

import numpy as np
import torch

from lifstab.mean_field import _field_signal_row, _step_kernels
from lifstab.measure import growth_window
from lifstab.probe import _surrogate_values
from lifstab.stability import forward_probe, pool_probes, predicted_log_growth

from .edge_attached import layers_for
from .edge_census import census_configs
from .edge_census_miss import grid_edge
from .edge_finite_size import at_width, backward_matrix


def _quenched_field_rows(row, gain, t, weights, shape, pool_batch: bool = False):
    """``R_j(t, u)`` for ``u >= t``, ``(K, T - t, S)``: ``sum_i w_ji g_i(t) g_i(u) C_i(t, u)`` within each
    network and batch element (``weights``: ``(networks, n, n)``, rows normalised to sum 1); with
    ``pool_batch`` the terms are first averaged over the network's batch elements (one field per network)."""
    K, S = row.shape[0], row.shape[2]
    nets, batch, n = shape
    e = (row[:, t:] * (gain[t] * gain[t:])).reshape(K, -1, nets, batch, n)
    if pool_batch:
        e = e.mean(3, keepdim=True)
    return torch.einsum("kuabi,aji->kuabj", e, weights).expand(K, -1, nets, batch, n).reshape(K, -1, S)


@torch.no_grad()
def quenched_log_gradient_norms(layer, probe, weights_sq: torch.Tensor, sharpness, stop: int = 1,
                                pool_batch: bool = False) -> torch.Tensor:
    """Predicted ``ln g_t^2`` per network (``(K, networks, T)``, 0 at ``t = T``; each network normalised on
    its own, as each seed's norm is measured) with the quenched field (module docstring).
    ``probe``: the probes of ``networks`` networks pooled in order (all trajectories); ``weights_sq``:
    ``(networks, n, n)``, ``W_ji^2`` of each network's backward matrix (row ``j``: ``j``'s outgoing);
    ``pool_batch``: one field per network (:func:`_quenched_field_rows`)."""
    beta = torch.as_tensor(sharpness, dtype=torch.float64).reshape(-1)
    T, S = probe.centred.shape
    nets, n, _ = weights_sq.shape
    shape = (nets, S // (nets * n), n)
    K = beta.numel()
    leak, gain = probe.leak.double(), probe.gain.double()
    scale = weights_sq.double().sum(-1)  # S_j of the backward matrix, (networks, n)
    weights = weights_sq.double() / scale[..., None]
    field_scale = scale[:, None, :].expand(shape).reshape(S)
    slope = None if probe.reset_slope is None else probe.reset_slope.double()
    sg = _surrogate_values(layer, probe.centred.double(), probe.neuron, beta)  # (K, T, S)
    signal_weight, field_weight, row, F = (torch.zeros(K, T, S, dtype=torch.float64) for _ in range(4))
    row[:, T - 1] = 1.0
    log_norm = torch.full((K, nets, T), float("nan"), dtype=torch.float64)
    log_norm[..., T - 1] = 0.0
    for t in range(T - 1, max(stop, 1) - 1, -1):
        R_row = _quenched_field_rows(row, gain, t, weights, shape, pool_batch)
        F_row = _field_signal_row(t, R_row, signal_weight, field_weight, F)
        variance, signal_part, field_part = _step_kernels(None if slope is None else slope[t])
        diagonal = variance(leak[t], sg[:, t - 1], field_scale, row[:, t], F_row[:, 0], R_row[:, 0])
        growth = diagonal.reshape(K, nets, -1).mean(-1)  # per network: each seed's own norm (census rule)
        each = growth.repeat_interleave(S // nets, dim=1)  # (K, S)
        norm = each.rsqrt()
        signal_weight[:, t - 1] = signal_part(leak[t], sg[:, t - 1], field_scale) * norm
        field_weight[:, t - 1] = field_part(leak[t], sg[:, t - 1], field_scale) * norm
        row[:, t:].mul_(signal_weight[:, t - 1, None]).addcmul_(field_weight[:, t - 1, None], F_row)
        row[:, t - 1] = diagonal / each
        log_norm[..., t - 1] = log_norm[..., t] + torch.log(growth)
    return log_norm


def quenched_log_growth(layer, probe, weights_sq, sharpness, chunk: int = 4, pool_batch: bool = False) -> np.ndarray:
    """Predicted ``ln rho`` per sharpness (the protocol's window), averaged over the networks (the census's
    rule: seed-averaged ``ln rho``), in chunks of ``chunk`` sharpness values."""
    first, last = growth_window(probe.centred.shape[0])
    beta = torch.as_tensor(np.asarray(sharpness, dtype=float))
    parts = [quenched_log_gradient_norms(layer, probe, weights_sq, b, stop=first, pool_batch=pool_batch)
             for b in beta.split(chunk)]
    log_norm = torch.cat(parts)  # (K, networks, T)
    return ((log_norm[..., first - 1] - log_norm[..., last - 1]) / (last - first)).mean(-1).numpy()


def row_curves(entry: dict, n: int, seeds, betas, variants=("shared", "permuted"), pool_batch: bool = False) -> dict:
    """On the probes of ``seeds`` pooled: the dmft curve (``dmft``, the census's rule; ``dmft_all``: every
    trajectory) and the quenched curve per variant (``quenched_<variant>``, :func:`quenched_weights`;
    ``..._pooled`` with ``pool_batch``)."""
    cfg = at_width(entry["configs"][0], n)
    runs = layers_for(cfg, entry["reset"], entry["detach_reset"], seeds)
    probe = pool_probes([forward_probe(layer, x, tr) for layer, x, _, tr in runs])
    layer, x = runs[0][:2]
    out = {"dmft": predicted_log_growth(layer, x, betas, probe=probe),
           "dmft_all": predicted_log_growth(layer, x, betas, probe=probe, samples=None)}
    for v in variants:
        name = f"quenched_{v}" + ("_pooled" if pool_batch else "")
        weights = quenched_weights(runs, seeds, cfg, v)
        out[name] = quenched_log_growth(layer, probe, weights, betas, pool_batch=pool_batch)
    return out


def quenched_weights(runs, seeds, cfg: dict, variant: str) -> torch.Tensor:
    """``W_ji^2`` per network, ``(networks, n, n)``, of the backward matrix ``variant``; ``flat``: each row's
    ``S_j`` spread evenly over ``i != j`` (the per-network, per-batch-element field without any ``W^2``
    structure: the control that separates the quenched sum's grouping from the ``W^2`` correlation)."""
    base = "shared" if variant == "flat" else variant
    w2 = torch.stack([backward_matrix(lay.recurrent_weight().detach(), base, cfg["w_rec_std"], cfg["w_rec_mean"],
                                      s) for s, (lay, *_) in zip(seeds, runs)]).double() ** 2
    if variant == "flat":
        n = w2.shape[-1]
        w2 = w2.sum(-1, keepdim=True) * (1 - torch.eye(n, dtype=w2.dtype)) / (n - 1)
    return w2


def compare(measured: dict, predicted: dict, betas) -> dict:
    """``ln(edge / measured edge)`` of every curve (measured variants and predictions), on the grid."""
    edge = grid_edge(betas, measured["shared"])[0]
    out = {}
    for name, values in {**measured, **predicted}.items():
        e = grid_edge(betas, values)[0]
        out[name] = math.log(e / edge) if e and edge else None
    return out


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m lifstab_experiments.verification.edge_quenched",
                                     description=__doc__.splitlines()[0])
    parser.add_argument("--index", type=int, required=True, help="census row (kinds lif and attached)")
    parser.add_argument("--curves", required=True, help="edge_census_miss's curves.json of this row (measured)")
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2, 3])
    parser.add_argument("--n", type=int, default=None, help="width (default: the census's)")
    parser.add_argument("--window", type=float, nargs=2, default=None, metavar=("LOW", "HIGH"),
                        help="evaluate only the grid's sharpness values inside [LOW, HIGH] (cost)")
    parser.add_argument("--variants", nargs="+", default=["shared", "flat", "permuted"],
                        help="backward matrices of the quenched sum (edge_finite_size's, or flat)")
    parser.add_argument("--pool-batch", action="store_true", help="one field per network (batch elements pooled)")
    parser.add_argument("--out", default=None, help="JSON file for the curves and ratios")
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args(argv)
    torch.set_num_threads(args.threads)
    entry = census_configs(100)[args.index]
    n = args.n or entry["configs"][0]["n_rec"]
    stored = json.loads(Path(args.curves).read_text())
    betas = np.asarray(stored["betas"])
    keep = np.ones(betas.size, bool) if args.window is None else (betas >= args.window[0]) & (betas <= args.window[1])
    measured = {k: np.asarray(v)[keep] for k, v in stored["curves"][str(n)]["mean"].items()
                if k not in ("predicted", "firing_rate")}
    predicted = row_curves(entry, n, args.seeds, betas[keep], args.variants, args.pool_batch)
    ratios = compare(measured, predicted, betas[keep])
    window = (betas[keep] >= 0.4) & (betas[keep] <= 4.0)
    offsets = {k: float(np.mean((np.asarray(v) - measured["shared"])[window])) for k, v in predicted.items()}
    result = dict(index=args.index, n=n, seeds=args.seeds, betas=betas[keep].tolist(), ratios=ratios,
                  minus_shared_offsets=offsets, curves={k: np.asarray(v).tolist() for k, v in predicted.items()})
    print(json.dumps(dict(ratios=ratios, minus_shared_offsets=offsets), indent=1))
    if args.out:
        Path(args.out).parent.mkdir(parents=True, exist_ok=True)
        Path(args.out).write_text(json.dumps(result, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
