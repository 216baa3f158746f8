"""The census's worst misses, seed by seed (issue 15): why does the dmft edge miss census row 61?

One census configuration (:func:`.edge_census.census_configs`, LIF kinds only) is rebuilt at the widths
``--n`` (``sqrt(n) * std`` of the recurrent weights kept, :func:`.edge_finite_size.at_width`; the inputs
unchanged). For each width and seed the forward pass is recorded once; then, on one grid of sharpness
values:

- the measured ``ln rho`` (the float64 BPTT recursion replayed on the recorded pass,
  :func:`lifstab.measure.gradient_norms_over_sharpness`) with the backward matrix ``shared`` (the layer's
  own ``W``: the measurement), ``permuted`` or ``independent`` (:func:`.edge_finite_size.backward_matrix`:
  the weight that carries ``j``'s spikes to ``i`` no longer carries ``i``'s backward signal to ``j``), or
  ``signflip`` / ``pairflip`` (``W``'s signs randomised, each weight's or each pair's: which part of the
  shared-weight offset the signs carry; ``--draw K`` for further draws of the random matrices);
- the predicted ``ln rho`` (``dmft`` on that seed's probe), and on the probes pooled over the seeds.

Edges are the largest downward zero crossing on the grid, interpolated linearly in ``ln beta`` (as
:func:`lifstab.stability.find_log_root` does), per seed and for the curves averaged over the seeds (the
census's rule). Each row also gives the slope ``d ln rho / d ln beta`` at the edge and the predicted
``ln rho`` at the measured edge (the offset in ``ln rho`` that the slope turns into an edge error).

    python -m lifstab_experiments.verification.edge_census_miss --index 61 --n 160 320 640 --seeds 0 1 2 3

``--scan CENSUS_CSV`` instead goes over every single-layer LIF row of a committed census (no replay): the
predicted ``ln rho`` at the census's measured edge and the predicted slope at the predicted edge, which
says which rows' edges are ill-conditioned (a small slope turns a small ``ln rho`` error into a large one
in ``ln beta``):

    python -m lifstab_experiments.verification.edge_census_miss --scan experiments/edge_census_results/census.csv
"""

from __future__ import annotations

import argparse
import json
import math
from pathlib import Path

import numpy as np
import torch

from lifstab import measure
from lifstab.stability import critical_sharpness, forward_probe, pool_probes, predicted_log_growth

from .edge_attached import layers_for
from .edge_census import census_configs
from .edge_finite_size import VARIANTS, at_width, measured_curve

FIELDS = ["index", "n_rec", "seed", "curve", "firing_rate", "edge", "slope_at_edge", "crossings",
          "ln_ratio_to_measured", "predicted_ln_rho_at_measured"]


def grid_edge(betas: np.ndarray, values: np.ndarray) -> tuple[float | None, float | None, int]:
    """``(edge, slope, crossings)``: the largest downward zero crossing of ``values`` over ``betas``
    (linear in ``ln beta``), the secant slope ``d ln rho / d ln beta`` across it, and how many downward
    crossings there are (more than one: ``rho`` is non-monotone in the sharpness)."""
    x, v = np.log(np.asarray(betas, dtype=float)), np.asarray(values, dtype=float)
    down = np.nonzero((v[:-1] > 0) & (v[1:] <= 0))[0]
    if down.size == 0:
        return None, None, 0
    i = down[-1]
    slope = (v[i + 1] - v[i]) / (x[i + 1] - x[i])
    return float(math.exp(x[i] - v[i] / slope)), float(slope), int(down.size)


def curves(entry: dict, n: int, seeds, betas, variants=VARIANTS, readouts: int = 0, draw: int = 0,
           **overrides) -> dict:
    """Per seed and ``"mean"``: the measured curves per variant and the predicted curve (``"mean"``: the
    measured curves averaged over the seeds, the prediction on the pooled probes). With ``readouts``, each
    seed also gets ``readout1``...: the shared measurement with that many further standard-normal readouts
    (is a seed's edge the network's or its readout's?). ``overrides`` replace CONFIG keys (``T``,
    ``batch``: quick runs); ``draw`` > 0 takes another draw of the random backward matrices (every
    variant but shared) of every seed."""
    cfg = {**at_width(entry["configs"][0], n), **overrides}
    runs = layers_for(cfg, entry["reset"], entry["detach_reset"], seeds)
    out: dict = {}
    probes = []
    for seed, (layer, x, r, tr) in zip(seeds, runs):
        probe = forward_probe(layer, x, tr)
        probes.append(probe)
        out[seed] = {v: measured_curve(layer, r, tr, betas, v, cfg, seed + 1000 * draw) for v in variants}
        out[seed]["predicted"] = predicted_log_growth(layer, x, betas, probe=probe)
        for k in range(1, readouts + 1):
            other = torch.randn(r.shape, generator=torch.Generator().manual_seed(100 + k), dtype=r.dtype)
            out[seed][f"readout{k}"] = measure.log_growth_factor(
                measure.gradient_norms_over_sharpness(layer, tr, betas, other)).numpy()
        out[seed]["firing_rate"] = float(measure.firing_rate(tr.spikes))
    out["mean"] = {k: np.mean([out[s][k] for s in seeds], axis=0) for k in (*variants, "predicted", "firing_rate")}
    out["mean"]["predicted"] = predicted_log_growth(runs[0][0], runs[0][1], betas, probe=pool_probes(probes))
    return out


def rows_for(index: int, n: int, table: dict, betas) -> list[dict]:
    rows = []
    for seed, per in table.items():
        measured = grid_edge(betas, per["shared"])[0]
        for name, values in per.items():
            if name == "firing_rate":
                continue
            edge, slope, crossings = grid_edge(betas, values)
            at = None
            if name == "predicted" and measured:
                at = float(np.interp(math.log(measured), np.log(betas), values))
            rows.append(dict(index=index, n_rec=n, seed=seed, curve=name, firing_rate=per["firing_rate"], edge=edge,
                             slope_at_edge=slope, crossings=crossings,
                             ln_ratio_to_measured=math.log(edge / measured) if edge and measured else None,
                             predicted_ln_rho_at_measured=at))
    return rows


def summarise(rows: list[dict]) -> dict:
    """Per width: on the seed-averaged curves (the census's rule) ``ln(edge / measured)`` of the replayed
    variants besides shared and of the predicted edge, and the predicted slope and ``ln rho`` at the measured
    edge; per seed, ``ln(predicted / measured)``."""
    out: dict = {}
    for n in sorted({r["n_rec"] for r in rows}):
        mine = [r for r in rows if r["n_rec"] == n]
        mean = {r["curve"]: r for r in mine if r["seed"] == "mean"}
        out[str(n)] = dict(
            **{f"{c}_vs_measured": mean[c]["ln_ratio_to_measured"] for c in (*VARIANTS[1:], "predicted") if c in mean},
            predicted_slope=mean["predicted"]["slope_at_edge"],
            predicted_ln_rho_at_measured=mean["predicted"]["predicted_ln_rho_at_measured"],
            per_seed_predicted_vs_measured=[r["ln_ratio_to_measured"] for r in mine
                                            if r["seed"] != "mean" and r["curve"] == "predicted"])
    return out


#: the sharpness range over which the measured shared-weight offset (shared - permuted ``ln rho``) is averaged
OFFSET_WINDOW = (0.4, 4.0)
SCAN_FIELDS = ["index", "kind", "family", "reset", "tau", "firing_rate", "ln_ratio", "predicted_ln_rho_at_measured",
               "predicted_slope_at_predicted", "detached_predicted", "detached_slope_at_predicted"]


def _slope(layer, x, probe, beta: float, step: float) -> float:
    around = predicted_log_growth(layer, x, beta * np.exp([-step, step]), probe=probe)
    return float((around[1] - around[0]) / (2 * step))


def scan(census_csv: Path, seeds=(0, 1), configs: int = 100, step: float = 0.1) -> list[dict]:
    """For every single-layer LIF row of a census with both edges: the predicted ``ln rho`` at the census's
    measured edge (the offset in ``ln rho``) and the predicted slope ``d ln rho / d ln beta`` at the
    predicted edge (central differences over ``+-step`` in ``ln beta``), on the probes pooled over ``seeds``.
    For an attached row, also the predicted edge and slope of the same networks with the reset detached.
    No replay: the measured edge is the census's."""
    import csv

    with Path(census_csv).open() as f:
        census = {int(r["index"]): r for r in csv.DictReader(f)}
    out = []
    for entry in census_configs(configs):
        row = census.get(entry["index"])
        if entry["kind"] not in ("lif", "attached") or row is None:
            continue
        try:
            measured, predicted = float(row["measured_beta_c"]), float(row["predicted_beta_c"])
        except ValueError:  # no root
            continue
        runs = layers_for(entry["configs"][0], entry["reset"], entry["detach_reset"], seeds)
        probe = pool_probes([forward_probe(layer, x, tr) for layer, x, _, tr in runs])
        layer, x = runs[0][:2]
        at_measured = predicted_log_growth(layer, x, [measured], probe=probe)[0]
        detached = slope_detached = None
        if entry["kind"] == "attached":
            runs_d = layers_for(entry["configs"][0], entry["reset"], True, seeds)
            probe_d = pool_probes([forward_probe(lay, xx, tr) for lay, xx, _, tr in runs_d])
            detached = critical_sharpness(runs_d[0][0], runs_d[0][1], probe=probe_d).critical_sharpness
            if detached:
                slope_detached = _slope(runs_d[0][0], runs_d[0][1], probe_d, detached, step)
        out.append(dict(index=entry["index"], kind=entry["kind"], family=entry["family"], reset=entry["reset"],
                        tau=entry["configs"][0]["tau"], firing_rate=float(row["firing_rate"]),
                        ln_ratio=math.log(predicted / measured), predicted_ln_rho_at_measured=float(at_measured),
                        predicted_slope_at_predicted=_slope(layer, x, probe, predicted, step),
                        detached_predicted=detached, detached_slope_at_predicted=slope_detached))
    return out


def scan_summary(rows: list[dict], bar: float = 0.1, flat: float = 0.06) -> dict:
    """Median slope and offset, within and outside ``bar``; the rows flatter than ``flat`` and how many miss."""
    lnr = np.array([abs(r["ln_ratio"]) for r in rows])
    slope = np.array([abs(r["predicted_slope_at_predicted"]) for r in rows])
    offset = np.array([abs(r["predicted_ln_rho_at_measured"]) for r in rows])
    miss = lnr > bar
    return dict(rows=len(rows), misses=int(miss.sum()), median_abs_slope=float(np.median(slope)),
                median_abs_slope_misses=float(np.median(slope[miss])) if miss.any() else None,
                median_abs_offset_within=float(np.median(offset[~miss])) if (~miss).any() else None,
                median_abs_offset_misses=float(np.median(offset[miss])) if miss.any() else None,
                flat_rows=[r["index"] for r in rows if abs(r["predicted_slope_at_predicted"]) < flat],
                flat_misses=int(((slope < flat) & miss).sum()),
                correlation_offset_over_slope_vs_ln_ratio=float(np.corrcoef(
                    [r["predicted_ln_rho_at_measured"] / abs(r["predicted_slope_at_predicted"]) for r in rows],
                    [r["ln_ratio"] for r in rows])[0, 1]) if len(rows) > 1 else None)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m lifstab_experiments.verification.edge_census_miss",
                                     description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="results/edge_census_miss")
    parser.add_argument("--index", type=int, default=61, help="census row (kinds lif and attached)")
    parser.add_argument("--configs", type=int, default=100, help="the census grid's size")
    parser.add_argument("--n", type=int, nargs="+", default=None, help="widths (default: the census's)")
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1])
    parser.add_argument("--beta", type=float, nargs=3, default=[0.1, 20.0, 31], metavar=("LOW", "HIGH", "COUNT"))
    parser.add_argument("--variants", nargs="+", choices=VARIANTS, default=list(VARIANTS[:3]),
                        help="backward matrices replayed (signflip: W's signs randomised, every W_ij^2 kept; "
                        "pairflip: one sign per pair i, j, every W_ij W_ji kept)")
    parser.add_argument("--draw", type=int, default=0, help="another draw of the random backward matrices")
    parser.add_argument("--readouts", type=int, default=0, help="further readouts per seed (shared curve)")
    parser.add_argument("--T", type=int, default=None, help="override the census's T (quick runs)")
    parser.add_argument("--batch", type=int, default=None, help="override the census's batch (quick runs)")
    parser.add_argument("--curves", action="store_true", help="also print every curve")
    parser.add_argument("--scan", default=None, metavar="CENSUS_CSV",
                        help="instead: the offset and slope of every single-layer LIF row of this census (no replay)")
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args(argv)
    torch.set_num_threads(args.threads)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    if args.scan:
        import pandas as pd

        rows = scan(Path(args.scan), args.seeds, args.configs)
        pd.DataFrame(rows, columns=SCAN_FIELDS).to_csv(out / "scan.csv", index=False)
        summary = scan_summary(rows)
        (out / "scan_summary.json").write_text(json.dumps(summary, indent=2))
        print(pd.DataFrame(rows).sort_values("ln_ratio", key=abs, ascending=False).head(12).to_string(index=False))
        print(json.dumps(summary, indent=2))
        return 0
    entry = census_configs(args.configs)[args.index]
    if entry["kind"] not in ("lif", "attached"):
        raise SystemExit(f"census row {args.index} is a {entry['kind']} row; this script takes lif and attached rows")
    betas = np.geomspace(args.beta[0], args.beta[1], int(args.beta[2]))
    rows, dumped = [], {}
    for n in args.n or [entry["configs"][0]["n_rec"]]:
        overrides = {k: v for k, v in (("T", args.T), ("batch", args.batch)) if v is not None}
        table = curves(entry, n, args.seeds, betas, args.variants, args.readouts, args.draw, **overrides)
        new = rows_for(args.index, n, table, betas)
        rows += new
        dumped[n] = {str(s): {k: (v.tolist() if isinstance(v, np.ndarray) else v) for k, v in per.items()}
                     for s, per in table.items()}
        for row in new:
            print(json.dumps({k: (round(v, 4) if isinstance(v, float) else v) for k, v in row.items()}), flush=True)
        if args.curves:
            print("betas", np.round(betas, 3).tolist())
            for s, per in table.items():
                for k, v in per.items():
                    if isinstance(v, np.ndarray):
                        print(n, s, k, np.round(v, 4).tolist())
    _write(out, rows, dumped, betas, args.variants)
    return 0


def _write(out: Path, rows: list[dict], dumped: dict, betas: np.ndarray, variants) -> dict:
    """``rows.csv``, ``curves.json`` and ``summary.json`` (with the measured shared-weight offsets in ``ln
    rho``, shared minus each un-shared variant averaged over :data:`OFFSET_WINDOW`); returns the summary."""
    import pandas as pd

    pd.DataFrame(rows, columns=FIELDS).to_csv(out / "rows.csv", index=False)
    (out / "curves.json").write_text(json.dumps({"betas": betas.tolist(), "curves": dumped}))
    summary = summarise(rows)
    window = (betas >= OFFSET_WINDOW[0]) & (betas <= OFFSET_WINDOW[1])
    for n, table in dumped.items():
        for other in (v for v in ("permuted", "signflip", "pairflip") if {"shared", v} <= set(variants)):
            summary[str(n)][f"shared_minus_{other}"] = {
                s: float(np.mean(np.subtract(per["shared"], per[other])[window])) for s, per in table.items()}
    (out / "summary.json").write_text(json.dumps(summary, indent=2))
    print(json.dumps(summary, indent=2))
    return summary


if __name__ == "__main__":
    raise SystemExit(main())
