"""The dmft edge predictor's finite-size offset (issue 15, item 1): where does it come from?

One configuration of :mod:`.edge_attached`'s grid is rebuilt at several widths ``n`` (the recurrent
weights' ``sqrt(n) * std`` kept, so the large-``n`` limit is the same network statistics). Each width's
networks (``seeds``) are recorded once; the float64 BPTT recursion is then replayed on the recorded forward
passes with one of these backward matrices:

- ``shared``: the layer's own ``W`` (the measurement: forward and backward share every weight);
- ``permuted``: each row of ``W`` shuffled over its off-diagonal entries (every neuron keeps its outgoing
  weights and ``field_scale``, but the weight ``W_ji`` that carries ``j``'s spikes to ``i`` no longer
  carries ``i``'s backward signal to ``j``);
- ``independent``: a fresh draw of the same distribution (zero diagonal);
- ``signflip``: ``eps_ij W_ij`` with independent random signs ``eps_ij = +-1`` (seeded): every ``W_ij^2``
  stays where it is (the correlation of each ``W^2`` with the surrogate derivatives of the neuron its kick
  lands on is kept), the signs' correlation with the forward pass is destroyed;
- ``pairflip``: the same with one sign per pair, ``eps_ij = eps_ji``: every product ``W_ij W_ji`` (the
  reciprocal loop ``i -> j -> i``) is kept, the signs of single weights and of longer loops are not.

The dmft prediction (probes pooled) treats the recurrent field as independent of the neuron's own forward
pass, so it is the large-``n`` limit of ``permuted`` and ``independent``. Per width: the measured edges
(``shared`` and ``--variants``), the predicted one, and at the measured edge the predicted ``ln rho`` (the
offset in ``ln rho``) and its slope in ``ln beta`` (how much a given offset moves the edge:
``ln(pred/measured) ~ offset / |slope|``).

    python -m lifstab_experiments.verification.edge_finite_size --index 15 --n 64 128 256 512 --seeds 0 1 2
"""

from __future__ import annotations

import argparse
import math
from pathlib import Path

import numpy as np
import torch

from lifstab import measure
from lifstab.stability import critical_sharpness, find_log_root, forward_probe, pool_probes, predicted_log_growth

from . import edge_attached

FIELDS = ["index", "family", "reset", "detach_reset", "n_rec", "batch", "T", "firing_rate", "measured_beta_c",
          "permuted_beta_c", "independent_beta_c", "signflip_beta_c", "pairflip_beta_c",
          "predicted_beta_c", "ln_ratio",
          "predicted_ln_rho_at_measured", "predicted_slope_at_measured"]
VARIANTS = ("shared", "permuted", "independent", "signflip", "pairflip")


def at_width(cfg: dict, n: int) -> dict:
    """``cfg`` with ``n_rec = n`` and ``w_rec_std`` rescaled by ``sqrt(n_rec / n)`` (the same large-n limit)."""
    if n < 2:
        raise ValueError(f"n must be >= 2, got {n!r}")
    return {**cfg, "n_rec": n, "w_rec_std": cfg["w_rec_std"] * math.sqrt(cfg["n_rec"] / n)}


def backward_matrix(w: torch.Tensor, variant: str, std: float, mean: float, seed: int) -> torch.Tensor:
    """The backward pass's matrix for ``variant`` (module docstring); the diagonal stays zero."""
    n = w.shape[0]
    off = ~torch.eye(n, dtype=torch.bool)
    gen = torch.Generator().manual_seed(10_000 + seed)
    if variant == "shared":
        return w
    if variant == "independent":
        return (torch.randn(n, n, generator=gen, dtype=w.dtype) * std + mean) * off
    if variant in ("signflip", "pairflip"):
        signs = 2.0 * (torch.rand(n, n, generator=gen) < 0.5).to(w.dtype) - 1.0
        if variant == "pairflip":
            signs = torch.triu(signs, 1) + torch.triu(signs, 1).T
        return w * signs
    if variant == "permuted":
        rows = w[off].reshape(n, n - 1)
        order = torch.argsort(torch.rand(n, n - 1, generator=gen), dim=1)
        out = torch.zeros_like(w)
        out[off] = torch.gather(rows, 1, order).reshape(-1)
        return out
    raise ValueError(f"variant must be one of {VARIANTS}, got {variant!r}")


def measured_curve(layer, readout, trajectory, betas, variant: str, cfg: dict, seed: int) -> np.ndarray:
    """Measured ``ln rho`` per sharpness with the backward matrix ``variant`` (the layer's ``W`` restored)."""
    saved = layer.w_rec.detach().clone()
    w = backward_matrix(layer.recurrent_weight().detach(), variant, cfg["w_rec_std"], cfg["w_rec_mean"], seed)
    with torch.no_grad():
        layer.w_rec.copy_(w)
        try:
            norms = measure.gradient_norms_over_sharpness(layer, trajectory, betas, readout)
        finally:
            layer.w_rec.copy_(saved)
    return measure.log_growth_factor(norms).numpy()


def replayed_log_growth(runs, variant: str, cfg: dict, betas) -> np.ndarray:
    """Measured ``ln rho`` per sharpness, averaged over the runs, with the backward matrix ``variant``."""
    return np.mean([measured_curve(layer, r, trajectory, betas, variant, cfg, seed)
                    for seed, (layer, _, r, trajectory) in enumerate(runs)], axis=0)


def one_row(index: int, cfg: dict, reset: str, detach_reset: bool, seeds, n: int,
            variants=("shared", "permuted", "independent")) -> dict:
    """One width's edges: measured (``shared``, always), the other ``variants`` (``None`` where not run),
    predicted, and the predicted offset and slope at the measured edge."""
    cfg = at_width(cfg, n)
    runs = edge_attached.layers_for(cfg, reset, detach_reset, seeds)
    edges = {v: find_log_root(lambda b, v=v: replayed_log_growth(runs, v, cfg, b))[0] if v in {"shared", *variants}
             else None for v in VARIANTS}
    probe = pool_probes([forward_probe(layer, x, tr) for layer, x, _, tr in runs])
    layer, x = runs[0][:2]
    predicted = critical_sharpness(layer, x, probe=probe).critical_sharpness
    measured = edges["shared"]
    offset = slope = None
    if measured:
        step = 0.1
        lnr = predicted_log_growth(layer, x, measured * np.exp([-step, 0.0, step]), probe=probe)
        offset, slope = float(lnr[1]), float((lnr[2] - lnr[0]) / (2 * step))
    return dict(index=index, family=cfg["sg"], reset=reset, detach_reset=detach_reset, n_rec=n, batch=cfg["batch"],
                T=cfg["T"], firing_rate=float(np.mean([measure.firing_rate(tr.spikes) for *_, tr in runs])),
                measured_beta_c=measured, permuted_beta_c=edges["permuted"], independent_beta_c=edges["independent"],
                signflip_beta_c=edges["signflip"], pairflip_beta_c=edges["pairflip"], predicted_beta_c=predicted,
                ln_ratio=math.log(predicted / measured) if predicted and measured else None,
                predicted_ln_rho_at_measured=offset, predicted_slope_at_measured=slope)


def summarise(rows: list[dict]) -> dict:
    """Per width: ``ln(edge / measured)`` of every replayed variant besides shared and of the predicted edge."""
    out: dict = {}
    for r in rows:
        ratio = {v: (math.log(r[f"{v}_beta_c"] / r["measured_beta_c"]) if r[f"{v}_beta_c"] and r["measured_beta_c"]
                     else None) for v in (*VARIANTS[1:], "predicted")}
        out[f"{r['index']}/{'detached' if r['detach_reset'] else 'attached'}/n={r['n_rec']}"] = ratio
    return out


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m lifstab_experiments.verification.edge_finite_size",
                                     description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="results/edge_finite_size")
    parser.add_argument("--index", type=int, default=15, help="configuration of edge_attached's grid")
    parser.add_argument("--configs", type=int, default=16, help="the grid's size (it draws families per size)")
    parser.add_argument("--grid-seed", type=int, default=0)
    parser.add_argument("--n", type=int, nargs="+", default=[64, 128, 256, 512])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--batch", type=int, default=8)
    parser.add_argument("--T", type=int, default=300)
    parser.add_argument("--modes", nargs="+", choices=["attached", "detached"], default=["attached", "detached"])
    parser.add_argument("--variants", nargs="+", choices=VARIANTS[1:], default=["permuted", "independent"],
                        help="backward matrices replayed besides shared")
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args(argv)
    torch.set_num_threads(args.threads)
    cfg, reset = edge_attached.random_configs(args.configs, args.grid_seed)[args.index]
    cfg = {**cfg, "batch": args.batch, "T": args.T}
    edge_attached.write_rows(Path(args.out), (one_row(args.index, cfg, reset, mode == "detached", args.seeds, n,
                                              args.variants) for mode in args.modes for n in args.n),
                               FIELDS, summarise)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
