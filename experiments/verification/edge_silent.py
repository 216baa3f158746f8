"""A nearly silent layer's dmft miss (issue 15, census row 62): the shared weights, the ensemble of
backward matrices, or the field's grouping?

One single-layer census row (any kind but stacks; ``--as-lif`` takes an ALIF row's adaptation out) is
rebuilt at the widths ``--n`` (``sqrt(n) * std`` of the recurrent weights kept,
:func:`.edge_finite_size.at_width`). Each seed's forward pass is recorded once; on one sharpness grid:

- ``shared``: the measured ``ln rho`` (the float64 BPTT recursion replayed with the layer's own ``W``);
- ``typical``: the mean ``ln rho`` of the same replay with ``--draws`` independent draws of the backward
  matrix (``W``'s distribution, zero diagonal; :func:`.edge_finite_size.backward_matrix`): what one network
  whose backward weights are not its forward weights does;
- ``annealed``: ``ln rho`` of those draws' mean squared norms, the second moment over the ensemble of
  backward matrices, which is what a mean field of independent weights computes; a mean over few draws
  of a heavy-tailed ``g^2`` underestimates it, so also
- ``lognormal``: the same second moment with ``D = ln(g_{t_1}^2 / g_{t_2}^2)`` taken as Gaussian over the
  draws, ``(mean(D) + var(D) / 2) / (t_2 - t_1)``: above ``typical`` by half the variance of ``D`` per step;
- ``pooled``, ``element``, ``cavity``: the dmft on the seed's probe with each field grouping
  (:data:`lifstab.mean_field.GROUPINGS`).

Edges are those of the curves averaged over the seeds (the census's rule; :func:`.edge_census_miss.grid_edge`),
given as ``ln(edge / measured)``. Each width's curves and edges are written as soon as it is done
(``curves.csv``, ``edges.csv``; a rerun skips the widths already there).

    python -m lifstab_experiments.verification.edge_silent --index 62 --n 197 394 788 --seeds 0 1 \\
        --out experiments/edge_census_results/silent/row62
"""

from __future__ import annotations

import argparse
import math
from pathlib import Path

import numpy as np
import torch
from tqdm import tqdm

from lifstab import measure
from lifstab.mean_field import GROUPINGS
from lifstab.stability import forward_probe, predicted_log_growth

from .edge_attached import layers_for
from .edge_census import census_configs
from .edge_census_miss import grid_edge
from .edge_finite_size import at_width, backward_matrix
from .edge_study import append_row, load_rows

CURVES = ("shared", "typical", "annealed", "lognormal", *GROUPINGS)
CURVE_FIELDS = ["n_rec", "seed", "beta", "firing_rate", *CURVES]
EDGE_FIELDS = ["index", "n_rec", "seeds", "draws", "firing_rate", "measured_beta_c",
               *(f"ln_ratio_{c}" for c in CURVES[1:])]


def independent_curves(layer, trajectory, readout, betas, cfg: dict, seed: int,
                       draws: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(typical, annealed, lognormal)`` ``ln rho`` per sharpness over ``draws`` independent backward
    matrices (module docstring); the layer's ``W`` is restored."""
    if draws < 1:
        raise ValueError(f"draws must be >= 1, got {draws!r}")
    saved = layer.w_rec.detach().clone()
    logs = []
    try:
        for d in range(draws):
            w = backward_matrix(saved * layer.rec_mask, "independent", cfg["w_rec_std"], cfg["w_rec_mean"], seed + 1000 * d)
            with torch.no_grad():
                layer.w_rec.copy_(w)
            logs.append(torch.log(measure.gradient_norms_over_sharpness(layer, trajectory, betas, readout)))
    finally:
        with torch.no_grad():
            layer.w_rec.copy_(saved)
    square = 2.0 * torch.stack(logs)  # ln g_t^2, (draws, K, T)
    first, last = measure.growth_window(square.shape[-1])
    span = square[..., first - 1] - square[..., last - 1]  # D per draw, (draws, K)
    typical = span.mean(0) / (last - first)  # log_growth_factor's rule, averaged over the draws
    mean_square = torch.logsumexp(square, dim=0) - math.log(draws)  # ln of the mean g_t^2 over the draws
    annealed = (mean_square[:, first - 1] - mean_square[:, last - 1]) / (last - first)
    spread = span.var(0, correction=1) if draws > 1 else torch.zeros_like(typical)
    lognormal = typical + spread / (2 * (last - first))
    return typical.numpy(), annealed.numpy(), lognormal.numpy()


def width_rows(entry: dict, n: int, seeds, betas, draws: int, as_lif: bool = False) -> tuple[list[dict], dict]:
    """One width's per-seed curves (rows of :data:`CURVE_FIELDS`) and its edges (:data:`EDGE_FIELDS`)."""
    cfg = dict(entry["configs"][0])
    if as_lif:
        cfg.pop("adaptation_tau", None)
        cfg.pop("adaptation_strength", None)
    cfg = cfg if n == cfg["n_rec"] else at_width(cfg, n)
    rows = []
    for seed, (layer, x, readout, tr) in zip(seeds, layers_for(cfg, entry["reset"], entry["detach_reset"], seeds)):
        probe = forward_probe(layer, x, tr)
        curves = {"shared": measure.log_growth_factor(measure.gradient_norms_over_sharpness(layer, tr, betas, readout)).numpy()}
        curves["typical"], curves["annealed"], curves["lognormal"] = independent_curves(layer, tr, readout, betas, cfg, seed, draws)
        for grouping in GROUPINGS:
            curves[grouping] = predicted_log_growth(layer, x, betas, probe=probe, grouping=grouping)
        rate = float(measure.firing_rate(tr.spikes))
        rows += [dict(n_rec=n, seed=seed, beta=float(b), firing_rate=rate, **{c: float(curves[c][k]) for c in CURVES})
                 for k, b in enumerate(betas)]
    mean = {c: np.mean([[r[c] for r in rows if r["seed"] == s] for s in seeds], axis=0) for c in CURVES}
    measured = grid_edge(betas, mean["shared"])[0]
    edges = dict(index=entry["index"], n_rec=n, seeds=" ".join(map(str, seeds)), draws=draws,
                 firing_rate=float(np.mean([r["firing_rate"] for r in rows])), measured_beta_c=measured)
    for c in CURVES[1:]:
        edge = grid_edge(betas, mean[c])[0]
        edges[f"ln_ratio_{c}"] = math.log(edge / measured) if edge and measured else None
    return rows, edges


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m lifstab_experiments.verification.edge_silent",
                                     description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="results/edge_silent")
    parser.add_argument("--index", type=int, default=62, help="census row (a single layer)")
    parser.add_argument("--configs", type=int, default=100, help="the census grid's size")
    parser.add_argument("--as-lif", action="store_true", help="an ALIF row without its adaptation")
    parser.add_argument("--n", type=int, nargs="+", default=None, help="widths (default: the census's)")
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1])
    parser.add_argument("--draws", type=int, default=8, help="independent backward matrices per seed")
    parser.add_argument("--sharpness", type=float, nargs=3, default=[0.5, 3.0, 13], metavar=("LOW", "HIGH", "COUNT"),
                        help="the grid: COUNT values log-spaced from LOW to HIGH")
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args(argv)
    if not 0 <= args.index < args.configs:
        raise SystemExit(f"--index must be in [0, {args.configs}), got {args.index}")
    entry = census_configs(args.configs)[args.index]
    if entry["kind"] == "stack":
        raise SystemExit(f"--index {args.index} is a stack; this study takes single layers")
    low, high, count = args.sharpness
    if not 0 < low < high or count < 2:
        raise SystemExit(f"--sharpness needs 0 < LOW < HIGH and COUNT >= 2, got {args.sharpness}")
    torch.set_num_threads(args.threads)
    betas = np.exp(np.linspace(math.log(low), math.log(high), int(count)))
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    done = {int(r["n_rec"]) for r in load_rows(out / "edges.csv")}
    for n in tqdm(args.n or [entry["configs"][0]["n_rec"]], desc="widths"):
        if n in done:
            continue
        rows, edges = width_rows(entry, n, args.seeds, betas, args.draws, args.as_lif)
        for row in rows:
            append_row(out / "curves.csv", row, CURVE_FIELDS)
        append_row(out / "edges.csv", edges, EDGE_FIELDS)
        print({k: (round(v, 4) if isinstance(v, float) else v) for k, v in edges.items()}, flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
