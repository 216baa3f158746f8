"""Is the backward signal spread over the layer, as the mean field assumes, or localised on a few
trajectories? A measurement on census rows (issue 15), to tell the dmft predictor's misses apart.

The dmft predictor treats the recurrent field on each trajectory as a self-averaging Gaussian sum over
many neurons. That needs the backward signal ``dL/dv`` spread over many (batch element, neuron)
trajectories. This module replays the measured BPTT recursion (:func:`lifstab.measure.
gradient_norms_over_sharpness`, float64, the census's layers and seeds rebuilt) and records, at every
step of the protocol's growth window, the participation ratio of ``(dL/dv)^2`` over the ``B * n``
trajectories (``(sum d^2)^2 / sum d^4``: 1 when one trajectory carries everything, ``B * n`` when all carry
the same); the median over the window is ``pr_backward``. Beside it, at the same sharpness:

* ``measured``: ``ln rho`` of the recursion (seeds averaged, the census's rule);
* ``diagonal``: the same with the recurrent matrix set to zero in the backward pass (each trajectory's
  own leak and reset factors only; the forward pass unchanged), and its ``pr_diagonal``;
* ``predicted``: the dmft ``ln rho`` on the seeds' pooled probes (no backward pass).

Rows are evaluated at the census's measured and predicted edges (``--at``). For a stack row the layer that
limits the measured edge is taken. ``--variants`` instead rebuilds single-layer rows as they are
(``census``), without the adaptation (``lif``: ALIF rows as plain LIF) and with the reset detached
(``detached``), and writes each one's measured and predicted edge to ``variants.csv``.

    python -m lifstab_experiments.verification.edge_localisation --indices 62 61 13 97 \\
        --out experiments/edge_census_results/localisation
"""

from __future__ import annotations

import argparse
import copy
from pathlib import Path

import numpy as np
import torch

from lifstab import measure
from lifstab.stability import forward_probe, pool_probes, predicted_log_growth

from .edge_attached import layers_for, measured_edge, predicted_edge
from .edge_census import add_census_arguments, limiting_runs, read_census
from .edge_study import as_float, log_ratio

FIELDS = ["index", "kind", "family", "reset", "detach_reset", "n_rec", "trajectories", "firing_rate", "at",
          "sharpness", "measured", "diagonal", "predicted", "pr_backward", "pr_diagonal", "census_ln_ratio"]


def replayed(layer, trajectory, readout, sharpness: float, recurrent: bool = True) -> tuple[float, float]:
    """``(ln rho, median participation of (dL/dv)^2 over the growth window)`` of one recorded pass; with
    ``recurrent=False`` the backward pass runs without the recurrent matrix."""
    if not recurrent:
        layer = copy.deepcopy(layer)
        with torch.no_grad():
            layer.w_rec.zero_()
    T = trajectory.voltages.shape[0]
    first, last = measure.growth_window(T)
    ratios: list[float] = []

    def on_step(t: int, grad: torch.Tensor) -> None:
        if first - 1 <= t <= last - 1:
            d2 = grad[0].pow(2).flatten()
            total = float(d2.sum())
            ratios.append(total ** 2 / float(d2.pow(2).sum()) if total > 0 else float("nan"))

    norms = measure.gradient_norms_over_sharpness(layer, trajectory, [sharpness], readout, on_step=on_step)
    return float(measure.log_growth_factor(norms)[0]), float(np.nanmedian(ratios))


def localisation_rows(entry: dict, census_row: dict, seeds, at=("measured", "predicted")) -> list[dict]:
    runs = limiting_runs(entry, census_row, seeds)
    probe = pool_probes([forward_probe(layer, x, tr) for layer, x, _, tr in runs])
    layer, x = runs[0][0], runs[0][1]
    rows = []
    for where in at:
        beta = as_float(census_row[f"{where}_beta_c"])
        if not beta > 0:
            continue
        shared = np.array([replayed(lay, tr, r, beta) for lay, _, r, tr in runs])
        diagonal = np.array([replayed(lay, tr, r, beta, recurrent=False) for lay, _, r, tr in runs])
        rows.append(dict(index=entry["index"], kind=entry["kind"], family=entry["family"], reset=entry["reset"],
                         detach_reset=entry["detach_reset"], n_rec=layer.n_rec,
                         trajectories=int(x.shape[1] * layer.n_rec), firing_rate=as_float(census_row["firing_rate"]),
                         at=where, sharpness=beta, measured=float(shared[:, 0].mean()),
                         diagonal=float(diagonal[:, 0].mean()),
                         predicted=float(predicted_log_growth(layer, x, [beta], probe=probe)[0]),
                         pr_backward=float(np.median(shared[:, 1])), pr_diagonal=float(np.median(diagonal[:, 1])),
                         census_ln_ratio=as_float(census_row["ln_ratio"])))
    return rows


VARIANTS = ("census", "lif", "detached")


def variant_row(entry: dict, seeds, variant: str) -> dict:
    """A single-layer census entry rebuilt as ``variant`` (:data:`VARIANTS`): its measured and predicted edges."""
    if entry["kind"] == "stack":
        raise ValueError("variants rebuild single-layer rows; this census row is a stack")
    cfg = dict(entry["configs"][0])
    if variant == "lif":
        cfg.pop("adaptation_tau", None)
        cfg.pop("adaptation_strength", None)
    runs = layers_for(cfg, entry["reset"], True if variant == "detached" else entry["detach_reset"], seeds)
    measured, predicted = measured_edge(runs), predicted_edge(runs)
    return dict(index=entry["index"], variant=variant, firing_rate=float(np.mean([measure.firing_rate(tr.spikes)
                                                                                   for *_, tr in runs])),
                measured_beta_c=measured, predicted_beta_c=predicted,
                ln_ratio=log_ratio(predicted, measured))


def main(argv=None) -> int:
    import pandas as pd

    parser = argparse.ArgumentParser(prog="python -m lifstab_experiments.verification.edge_localisation",
                                     description=__doc__.splitlines()[0])
    add_census_arguments(parser)
    parser.add_argument("--indices", type=int, nargs="+", required=True, help="census rows")
    parser.add_argument("--at", nargs="+", choices=("measured", "predicted"), default=["measured", "predicted"])
    parser.add_argument("--variants", nargs="+", choices=VARIANTS, default=None,
                        help="rebuild the rows as these variants and write their edges (variants.csv) instead")
    parser.add_argument("--out", default="experiments/edge_census_results/localisation")
    args = parser.parse_args(argv)
    census, entries = read_census(args)
    missing = sorted(set(args.indices) - set(census))
    if missing:
        raise SystemExit(f"--indices: not in the census: {missing}")
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    if args.variants:
        frame = pd.DataFrame([variant_row(entries[i], args.seeds, v) for i in args.indices for v in args.variants])
        frame.to_csv(out / "variants.csv", index=False)
        print(frame.to_string(index=False, float_format="%.4g"))
        return 0
    rows = []
    for index in args.indices:
        rows += localisation_rows(entries[index], census[index], args.seeds, args.at)
        print(pd.DataFrame(rows[-len(args.at):]).to_string(index=False, float_format="%.4g"), flush=True)
    frame = pd.DataFrame(rows, columns=FIELDS)
    frame.to_csv(out / "rows.csv", index=False)
    (out / "summary.md").write_text(frame.to_markdown(index=False, floatfmt=".4g") + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
