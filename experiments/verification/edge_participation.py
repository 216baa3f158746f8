"""How many neurons carry the backward signal at the edge (issue 15): a forward-only reliability check of
the dmft prediction, measured over the edge census.

The mean field takes the backward field on neuron ``j``, ``h_j = sum_i W_ji g_i delta_i``, as Gaussian and
self-averaging: a sum over many neurons ``i``. Each term is weighted by the surrogate derivative ``g_i`` at
that neuron's voltage. When only a few neurons sit close enough to threshold for ``g`` to matter (a nearly
silent layer, a narrow surrogate), the same few neurons feed every ``h_j``: the sum is over a handful of
terms, and their mutual weights (no diagonal) set how the signal grows, not the mean field's average.

The participation ratio of the squared surrogate derivatives says how many neurons take part:

* ``pr_neurons``: ``(sum_i m_i)^2 / sum_i m_i^2`` with ``m_i`` = neuron ``i``'s mean ``g^2`` over time and
  batch (how many neurons carry the signal over the whole window);
* ``pr_step``: the same across neurons at each (step, batch element), averaged (how many at once).

Both are computed on the forward pass only, at the *predicted* edge's sharpness, so they can stand beside a
prediction as a warning without any backward pass. This module measures them on every census row (the
census's layers and seeds rebuilt, :func:`.edge_census.census_configs`; for a stack, the layer that limits
the predicted edge) and sets them beside the census's errors (both replicates, :mod:`.edge_replicate`).

    python -m lifstab_experiments.verification.edge_participation \\
        --replicate experiments/edge_census_results/replicate/rows.csv \\
        --census experiments/edge_census_results/census.csv --out experiments/edge_census_results/participation

writes ``rows.csv`` and ``summary.md`` (the errors by participation bin, and the rank correlation).
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

from lifstab.probe import forward_probe

from .edge_census import add_census_arguments, limiting_runs, read_census
from .edge_study import as_float, load_rows

FIELDS = ["index", "kind", "family", "reset", "n_rec", "firing_rate", "predicted_beta_c", "pr_neurons", "pr_step",
          "pr_neurons_fraction", "combined_ln_ratio", "verdict"]
#: participation bins of the summary (neurons carrying the signal over the window)
BINS = ((0.0, 10.0, "< 10"), (10.0, 30.0, "10-30"), (30.0, 100.0, "30-100"), (100.0, float("inf"), ">= 100"))


def participation(layer, x, trajectory, sharpness: float) -> tuple[float, float]:
    """``(pr_neurons, pr_step)`` of ``layer``'s surrogate derivatives at ``sharpness`` on its forward pass."""
    probe = forward_probe(layer, x, trajectory)
    T, flat = probe.centred.shape
    n = flat // x.shape[1]
    g2 = layer.surrogate.replace(sharpness=sharpness).torch(probe.centred.double()).pow(2).reshape(T, -1, n)
    per_neuron = g2.mean(dim=(0, 1))
    pr_neurons = float(per_neuron.sum() ** 2 / per_neuron.pow(2).sum().clamp_min(1e-300))
    pr_step = (g2.sum(-1) ** 2 / g2.pow(2).sum(-1).clamp_min(1e-300)).mean()
    return pr_neurons, float(pr_step)


def participation_row(entry: dict, census_row: dict, replicate_row: dict | None, seeds) -> dict:
    beta = as_float(census_row["predicted_beta_c"])
    row = dict(index=entry["index"], kind=entry["kind"], family=entry["family"], reset=entry["reset"],
               n_rec=entry["configs"][0]["n_rec"], firing_rate=as_float(census_row["firing_rate"]),
               predicted_beta_c=beta, pr_neurons=None, pr_step=None, pr_neurons_fraction=None,
               combined_ln_ratio=None if replicate_row is None else as_float(replicate_row["combined_ln_ratio"]),
               verdict=None if replicate_row is None else replicate_row["verdict"])
    if beta > 0:
        runs = limiting_runs(entry, census_row, seeds, by="predicted")
        values = np.array([participation(layer, x, tr, beta) for layer, x, _, tr in runs])
        row.update(pr_neurons=float(values[:, 0].mean()), pr_step=float(values[:, 1].mean()))
        row["pr_neurons_fraction"] = row["pr_neurons"] / row["n_rec"]
    return row


def summary(rows: list[dict], scan: list[dict] | None = None) -> str:
    """Errors (combined |ln ratio|) by participation bin, and Spearman's rank correlations with the error and,
    given ``scan`` (:mod:`.edge_census_miss`'s ``--scan`` rows), with the ``ln rho`` offset at the measured
    edge (the error before the slope turns it into one in ``ln beta``)."""
    import pandas as pd
    from scipy.stats import spearmanr

    frame = pd.DataFrame(rows).dropna(subset=["pr_neurons", "combined_ln_ratio"])
    frame["abs_error"] = frame["combined_ln_ratio"].abs()
    frame["index"] = frame["index"].astype(float)
    lines = []
    for low, high, label in BINS:
        part = frame[(frame.pr_neurons >= low) & (frame.pr_neurons < high)]
        if len(part):
            lines.append(dict(pr_neurons=label, configs=len(part), median_abs_error=part.abs_error.median(),
                              max_abs_error=part.abs_error.max(), within_bar=int((part.abs_error <= 0.1).sum()),
                              reproduced_misses=int((part.verdict == "reproduced").sum())))
    text = pd.DataFrame(lines).to_markdown(index=False, floatfmt=".3g") + "\n\nSpearman rank correlations:\n\n"
    for column in ("pr_neurons", "pr_step", "n_rec", "firing_rate"):
        rho, p = spearmanr(frame[column], frame.abs_error)
        text += f"- {column} with |combined ln ratio|: {rho:+.3f} (p = {p:.2g}, {len(frame)} configurations)\n"
    if scan is not None:  # the ln rho offset at the measured edge (edge_census_miss --scan), before the slope
        merged = frame.merge(pd.DataFrame(scan)[["index", "predicted_ln_rho_at_measured"]].astype(float),
                             on="index").dropna(subset=["predicted_ln_rho_at_measured"])
        for column in ("pr_neurons", "pr_step", "n_rec", "firing_rate"):
            rho, p = spearmanr(merged[column], merged.predicted_ln_rho_at_measured.abs())
            text += (f"- {column} with |predicted ln rho at the measured edge|: {rho:+.3f} (p = {p:.2g}, "
                     f"{len(merged)} single-layer LIF rows of the scan)\n")
    return text


def main(argv=None) -> int:
    import pandas as pd

    parser = argparse.ArgumentParser(prog="python -m lifstab_experiments.verification.edge_participation",
                                     description=__doc__.splitlines()[0])
    add_census_arguments(parser)
    parser.add_argument("--replicate", default="experiments/edge_census_results/replicate/rows.csv")
    parser.add_argument("--out", default="experiments/edge_census_results/participation")
    parser.add_argument("--scan", default="experiments/edge_census_results/miss/scan.csv",
                        help="edge_census_miss --scan rows (optional: the ln rho offsets)")
    parser.add_argument("--indices", type=int, nargs="+", default=None, help="only these census rows")
    args = parser.parse_args(argv)
    if not Path(args.replicate).is_file():
        raise SystemExit(f"--replicate: no such file: {args.replicate}")
    census, entries = read_census(args)
    replicate = {int(r["index"]): r for r in load_rows(Path(args.replicate))}
    rows = [participation_row(entries[i], census[i], replicate.get(i), args.seeds) for i in sorted(census)
            if args.indices is None or i in args.indices]
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    pd.DataFrame(rows, columns=FIELDS).to_csv(out / "rows.csv", index=False)
    text = summary(rows, load_rows(Path(args.scan)) or None)
    (out / "summary.md").write_text(text)
    print(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
