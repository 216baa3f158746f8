"""The dmft's field covariance pooled over every trajectory against per batch element, on the whole
committed census, without measuring again.

The dmft (:mod:`lifstab.mean_field`) gives every probed trajectory a Gaussian recurrent field whose
covariance ``R(t, u)`` is, by default, the mean over all trajectories of the pooled probes: every batch
element and both seeds (``grouping="pooled"``). The backward pass never mixes batch elements: in element
``b`` the field on neuron ``j`` sums ``W_ij g_i^b delta_i^b`` over element ``b``'s neurons.
``grouping="element"`` gives each trajectory the ``R`` of its own element; the growth stays the mean over
all trajectories. ``grouping="cavity"`` is per element with the trajectory's own term left out (the
layer's diagonal is zero: no neuron's field carries its own signal); ``--groupings`` picks those compared. This script rebuilds every census row's layers, inputs and pooled probes exactly as
:func:`.edge_census.census_row` does (:func:`.edge_attached.layers_for`, :func:`.edge_census.stack_runs`,
:func:`.edge_attached.predicted_edge`), predicts the edge with both groupings (a stack: each layer's,
and the larger, :func:`.edge_census.stack_edge`) and compares with the census's ``measured_beta_c``.
``census_pooled_ln`` is ``ln(pooled / census predicted_beta_c)``: 0 when the recomputation reproduces the
census. With ``--census-pooled`` only the per-element edge is computed and the pooled one is the census's
(``pooled_source``; half the cost, once the recomputation has been checked on some rows).

    python -m lifstab_experiments.verification.edge_grouping \\
        --census experiments/edge_census_results/census.csv --out experiments/edge_census_results/grouping

``rows.csv`` is appended row by row (a rerun skips the indices done); ``summary.csv``/``summary.md`` (per
kind and family: median and max |ln(pred / measured)|, count within 0.1, pooled against per element) are
rewritten at the end. ``--seed-averaged`` normalises each seed's network on its own and averages ``ln rho``
over the seeds (the census's measured rule) instead of pooling the seeds' probes under one normalisation
(``seed_averaged_rows.csv``, ``seed_averaged_summary.*``): it separates the grouping from the pooling of
seeds, under which the faster-growing seed dominates the joint norm.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np

from lifstab.stability import find_log_root, forward_probe, predicted_log_growth

from .edge_attached import layers_for, predicted_edge
from .edge_census import add_census_arguments, read_census, stack_edge, stack_runs, summarise
from .edge_study import append_row, as_edge, as_float, load_rows, log_ratio

GROUPINGS = ("pooled", "element", "cavity")
#: what a run compares unless told (``--groupings``)
DEFAULT_GROUPINGS = ("pooled", "element")


def fields(groupings=DEFAULT_GROUPINGS) -> list[str]:
    """The rows' columns for ``groupings`` (the pooled edge always; for the default, the committed header)."""
    compared = ["pooled", *(g for g in groupings if g != "pooled")]
    return ["index", "kind", "family", "measured_beta_c", "census_predicted_beta_c",
            *(f"{g}_beta_c" for g in compared), *(f"ln_ratio_{g}" for g in compared), "census_pooled_ln",
            "pooled_source", *(f"{g}_layers" for g in compared), "seconds"]


FIELDS = fields()
#: the summary's statistics, per grouping
STATS = ("median_abs_ln_ratio", "max_abs_ln_ratio", "within_bar", "no_root")


def seed_averaged_edge(runs, **options) -> float | None:
    """The dmft edge with each seed's network normalised on its own and ``ln rho`` averaged over the seeds
    (the census's measured rule), instead of the seeds' probes pooled under one normalisation."""
    probes = [forward_probe(layer, x, tr) for layer, x, _, tr in runs]

    def log_growth(betas):
        return np.mean([predicted_log_growth(layer, x, betas, probe=probe, **options)
                        for (layer, x, *_), probe in zip(runs, probes)], axis=0)

    return find_log_root(log_growth)[0]


def grouping_row(entry: dict, census: dict, seeds, groupings=DEFAULT_GROUPINGS, edge=predicted_edge) -> dict:
    """One census entry predicted with ``groupings`` on the census's own runs (module docstring); without
    ``"pooled"`` the pooled edge is the census's ``predicted_beta_c`` (``pooled_source``: ``census``).
    ``edge``: :func:`.edge_attached.predicted_edge` (the census's) or :func:`seed_averaged_edge`."""
    start = time.perf_counter()
    if int(census["n_rec"]) != entry["configs"][0]["n_rec"] or census["family"] != entry["family"]:
        raise ValueError(f"census row {entry['index']} is not census_configs' entry (another grid?)")
    if entry["kind"] == "stack":
        per_layer = stack_runs(entry["configs"], entry["reset"], seeds)
    else:
        per_layer = [layers_for(entry["configs"][0], entry["reset"], entry["detach_reset"], seeds)]
    measured = as_edge(census["measured_beta_c"])
    row = dict(index=entry["index"], kind=entry["kind"], family=entry["family"], measured_beta_c=measured,
               census_predicted_beta_c=census["predicted_beta_c"] or None, pooled_source="recomputed",
               pooled_beta_c=as_edge(census["predicted_beta_c"]), pooled_layers=census["layer_predicted"])
    if "pooled" not in groupings:
        row.update(pooled_source="census", ln_ratio_pooled=log_ratio(row["pooled_beta_c"], measured))
    for grouping in groupings:
        layers = [edge(runs, grouping=grouping) for runs in per_layer]
        value = stack_edge(layers)[0]
        row.update({f"{grouping}_beta_c": value, f"ln_ratio_{grouping}": log_ratio(value, measured),
                    f"{grouping}_layers": ";".join(f"{v:.6g}" if v else "None" for v in layers)})
    if edge is seed_averaged_edge:
        row["pooled_source"] = "seed-averaged"
    if "pooled" in groupings:
        row["census_pooled_ln"] = log_ratio(row["pooled_beta_c"], as_float(row["census_predicted_beta_c"]))
    row["seconds"] = time.perf_counter() - start
    return row


def compare(rows: list[dict]) -> list[dict]:
    """:func:`.edge_census.summarise` of each grouping side by side: per (kind, family), kind and overall
    (``rows``: as :func:`grouping_row` writes them, CSV strings or numbers)."""
    present = [g for g in GROUPINGS if rows and f"ln_ratio_{g}" in rows[0]]
    tables = {g: summarise([dict(kind=r["kind"], family=r["family"], measured_beta_c=r["measured_beta_c"],
                                 predicted_beta_c=r[f"{g}_beta_c"], ln_ratio=r[f"ln_ratio_{g}"]) for r in rows])
              for g in present}
    out = []
    for entries in zip(*tables.values()):
        line = {k: entries[0][k] for k in ("kind", "family", "configs")}
        for stat in STATS:
            line.update({f"{g}_{stat}": e[stat] for g, e in zip(present, entries)})
        out.append(line)
    return out


def write_summary(rows: list[dict], out: Path, prefix: str = "") -> str:
    """``summary.csv`` and ``summary.md`` of :func:`compare` (named with ``prefix``); returns the markdown."""
    import pandas as pd

    frame = pd.DataFrame(compare(rows))
    frame.to_csv(out / f"{prefix}summary.csv", index=False)
    text = frame.to_markdown(index=False, floatfmt=".3g") + "\n"
    (out / f"{prefix}summary.md").write_text(text)
    return text


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m lifstab_experiments.verification.edge_grouping",
                                     description=__doc__.splitlines()[0])
    add_census_arguments(parser)
    parser.add_argument("--out", default="experiments/edge_census_results/grouping")
    parser.add_argument("--indices", type=int, nargs="+", default=None, help="only these census rows")
    parser.add_argument("--census-pooled", action="store_true",
                        help="take the pooled edge from the census (recompute only per element; cost)")
    parser.add_argument("--groupings", nargs="+", choices=GROUPINGS, default=list(DEFAULT_GROUPINGS),
                        help="the groupings compared (the pooled edge is always reported)")
    parser.add_argument("--seed-averaged", action="store_true",
                        help="each seed normalised on its own, ln rho averaged (seed_averaged_*.csv)")
    args = parser.parse_args(argv)
    census, entries = read_census(args)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    prefix = "seed_averaged_" if args.seed_averaged else ""
    path = out / f"{prefix}rows.csv"
    done = {int(r["index"]) for r in load_rows(path)}
    for index in sorted(census if args.indices is None else args.indices):
        if index not in done:
            groupings = [g for g in args.groupings if g != "pooled" or not args.census_pooled]
            row = grouping_row(entries[index], census[index], args.seeds, groupings,
                               seed_averaged_edge if args.seed_averaged else predicted_edge)
            append_row(path, row, fields(args.groupings))
            print({k: row.get(k) for k in ("index", "kind", *(f"ln_ratio_{g}" for g in args.groupings),
                                           "census_pooled_ln")}, flush=True)
    print(write_summary(load_rows(path), out, prefix))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
