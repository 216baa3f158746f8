"""The dmft edge predictor with the reset gradient attached, against the measured edge (issue 15, item 3).

For random configurations (every surrogate family, every reset variant with a reset term) the same
networks are run twice: reset detached and reset attached. Each time the critical sharpness is measured
by the float64 BPTT recursion replayed on the recorded forward passes (``ln rho`` averaged over the
seeds, :func:`lifstab.measure.gradient_norms_over_sharpness`, equal to autograd) and predicted by the
``dmft`` method from the same forward passes (probes pooled over the seeds, no backward pass). Writes
one CSV row per configuration and reset mode, and prints per-family medians and maxima of
``|ln(predicted / measured)|``.

    python -m lifstab_experiments.verification.edge_attached --configs 16 --out results/edge_attached
"""

from __future__ import annotations

import argparse
import csv
import json
import math
from dataclasses import replace
from pathlib import Path

import numpy as np
import torch

from lifstab import measure
from lifstab.protocol import build, config_from_dict
from lifstab.stability import critical_sharpness, find_log_root, forward_probe, pool_probes

from .edge_study import FAMILY_ORDER

#: reset variants with a reset term (the attached reset changes their backward pass)
RESETS = ("subtractive", "multiplicative_1", "multiplicative_2")
FIELDS = ["index", "family", "reset", "detach_reset", "n_rec", "tau", "thr", "input_rate", "dampening", "q",
          "firing_rate", "measured_beta_c", "predicted_beta_c", "ln_ratio"]


def log_uniform(rng, low: float, high: float) -> float:
    return float(math.exp(rng.uniform(math.log(low), math.log(high))))


def lif_config(rng, family: str, T: int, batch: int) -> dict:
    """One random CONFIG in the issue's ranges: n 128-256, tau 5-50 and threshold 0.1-1 (log-uniform),
    input rate 0.05-0.3 (also the base of :mod:`.edge_alif`'s configurations)."""
    n_rec, n_in = int(rng.integers(128, 257)), int(rng.integers(40, 200))
    return dict(sg=family, dampening=float(rng.uniform(0.5, 2.0)),
                q=float(1 + 10 ** rng.uniform(-1.0, 1.0)) if family == "q_pseudo_spike" else None,
                n_in=n_in, n_rec=n_rec, tau=log_uniform(rng, 5, 50), thr=log_uniform(rng, 0.1, 1.0),
                input_rate=float(rng.uniform(0.05, 0.3)), w_in_std=float(rng.uniform(0.5, 3.0) / math.sqrt(n_in)),
                w_rec_std=float(rng.uniform(0.5, 3.0) / math.sqrt(n_rec)), w_rec_mean=0.0,
                reset="subtractive", T=T, batch=batch)


def random_configs(count: int, grid_seed: int = 0, T: int = 300, batch: int = 8) -> list[tuple[dict, str]]:
    """``count`` (CONFIG, reset variant) pairs (:func:`lif_config`); families and resets cycle."""
    rng = np.random.default_rng(grid_seed)
    families = rng.permutation(np.resize(FAMILY_ORDER, count))
    return [(lif_config(rng, str(families[i]), T, batch), RESETS[i % len(RESETS)]) for i in range(count)]


def layers_for(cfg: dict, reset: str, detach_reset: bool, seeds):
    """The protocol's networks for ``seeds`` with the reset variant and mode set, and their recorded runs."""
    config = replace(config_from_dict(cfg), detach_reset=detach_reset)
    runs = []
    for seed in seeds:
        layer, x, r = build(config, seed)
        layer.reset = reset  # the protocol names two variants; the layer takes every one
        runs.append((layer, x, r, measure.record(layer, x)))
    return runs


def measured_edge(runs) -> float | None:
    def log_growth(betas):
        return np.mean([measure.log_growth_factor(measure.gradient_norms_over_sharpness(layer, tr, betas, r)).numpy()
                        for layer, _, r, tr in runs], axis=0)

    return find_log_root(log_growth)[0]


def predicted_edge(runs, **options) -> float | None:
    """The dmft edge of ``runs`` (one layer's, over seeds) on their probes pooled; ``options`` go to the
    method (e.g. ``grouping``)."""
    probe = pool_probes([forward_probe(layer, x, tr) for layer, x, _, tr in runs])
    return critical_sharpness(runs[0][0], runs[0][1], probe=probe, **options).critical_sharpness


def one_row(index: int, cfg: dict, reset: str, detach_reset: bool, seeds) -> dict:
    runs = layers_for(cfg, reset, detach_reset, seeds)
    measured = measured_edge(runs)
    predicted = predicted_edge(runs)
    rate = float(np.mean([measure.firing_rate(tr.spikes) for *_, tr in runs]))
    ratio = math.log(predicted / measured) if predicted and measured else None
    return dict(index=index, family=cfg["sg"], reset=reset, detach_reset=detach_reset, n_rec=cfg["n_rec"],
                tau=cfg["tau"], thr=cfg["thr"], input_rate=cfg["input_rate"], dampening=cfg["dampening"], q=cfg["q"],
                firing_rate=rate, measured_beta_c=measured, predicted_beta_c=predicted, ln_ratio=ratio)


def error_stats(picked: list[dict], key: str = "ln_ratio") -> dict:
    """How many of ``picked`` have no ``key`` (no root), and the median and max of ``|key|`` over the rest."""
    errors = np.array([abs(r[key]) for r in picked if r[key] is not None])
    return dict(unresolved=len(picked) - errors.size, median=float(np.median(errors)) if errors.size else None,
                max=float(errors.max()) if errors.size else None)


def summarise(rows: list[dict]) -> dict:
    """Per family and reset mode: count, configurations without a root, median and max |ln ratio|."""
    out: dict = {}
    for mode in ("attached", "detached"):
        for family in (*FAMILY_ORDER, "all"):
            picked = [r for r in rows if (r["detach_reset"] == (mode == "detached"))
                      and family in (r["family"], "all")]
            if picked:
                out[f"{mode}/{family}"] = dict(configs=len(picked), **error_stats(picked))
    return out


def write_rows(out: Path, rows, fields: list[str], summarise) -> dict:
    """Write each row of the iterable ``rows`` to ``out/rows.csv`` as it finishes (and print it), then
    ``summarise(rows)`` to ``out/summary.json``; returns the summary."""
    out.mkdir(parents=True, exist_ok=True)
    done = []
    with (out / "rows.csv").open("w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=fields)
        writer.writeheader()
        for row in rows:
            done.append(row)
            writer.writerow(row)
            f.flush()
            print(json.dumps(row), flush=True)
    summary = summarise(done)
    (out / "summary.json").write_text(json.dumps(summary, indent=2))
    print(json.dumps(summary, indent=2))
    return summary


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m lifstab_experiments.verification.edge_attached",
                                     description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="results/edge_attached")
    parser.add_argument("--configs", type=int, default=16)
    parser.add_argument("--grid-seed", type=int, default=0)
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args(argv)
    torch.set_num_threads(args.threads)
    write_rows(Path(args.out), (one_row(index, cfg, reset, detach_reset, args.seeds)
                                for index, (cfg, reset) in enumerate(random_configs(args.configs, args.grid_seed))
                                for detach_reset in (False, True)), FIELDS, summarise)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
