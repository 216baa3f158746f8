"""The dmft edge predictor for ALIF layers, against the measured edge (issue 15, item 3).

For random ALIF configurations (every surrogate family, every reset variant with a reset term, detached
and attached) the critical sharpness is measured by the float64 BPTT recursion replayed on the recorded
forward passes (the two-component recursion, :func:`lifstab.measure.gradient_norms_over_sharpness`,
equal to autograd; ``ln rho`` averaged over the seeds) and predicted by the ``dmft`` method from the same
forward passes (probes pooled, no backward pass). A baseline column keeps the LIF mean field on the same
probe (the adaptive threshold in the SG, the adaptation's adjoint left out), to show what the second
component does. One CSV row per configuration; per-family medians and maxima of ``|ln(pred/measured)|``.

    python -m lifstab_experiments.verification.edge_alif --configs 12 --out results/edge_alif
"""

from __future__ import annotations

import argparse
import csv
import json
import math
from pathlib import Path

import numpy as np
import torch

from lifstab import measure
from lifstab.stability import critical_sharpness, forward_probe, pool_probes

from .edge_attached import RESETS, layers_for, measured_edge
from .edge_study import FAMILY_ORDER

FIELDS = ["index", "family", "reset", "detach_reset", "n_rec", "tau", "thr", "input_rate", "dampening", "q",
          "adaptation_tau", "adaptation_strength", "firing_rate", "measured_beta_c", "predicted_beta_c", "ln_ratio",
          "lif_mean_field_beta_c", "lif_mean_field_ln_ratio"]


def _log_uniform(rng, low: float, high: float) -> float:
    return float(math.exp(rng.uniform(math.log(low), math.log(high))))


def random_configs(count: int, grid_seed: int = 0, T: int = 200, batch: int = 8) -> list[tuple[dict, str, bool]]:
    """``count`` (CONFIG, reset variant, detach_reset) triples: n 128-256, tau 5-50, threshold 0.1-1,
    adaptation tau 50-500 and strength 0.02-2 (the layer's default is 1.8), all log-uniform; input rate
    0.05-0.3. Families cycle; the reset variants and both reset modes cycle (all six pairs by 6 configs)."""
    rng = np.random.default_rng(grid_seed)
    families = rng.permutation(np.resize(FAMILY_ORDER, count))
    out = []
    for i in range(count):
        n_rec, n_in = int(rng.integers(128, 257)), int(rng.integers(40, 200))
        family = str(families[i])
        cfg = dict(sg=family, dampening=float(rng.uniform(0.5, 2.0)),
                   q=float(1 + 10 ** rng.uniform(-1.0, 1.0)) if family == "q_pseudo_spike" else None,
                   n_in=n_in, n_rec=n_rec, tau=_log_uniform(rng, 5, 50), thr=_log_uniform(rng, 0.1, 1.0),
                   input_rate=float(rng.uniform(0.05, 0.3)), w_in_std=float(rng.uniform(0.5, 3.0) / math.sqrt(n_in)),
                   w_rec_std=float(rng.uniform(0.5, 3.0) / math.sqrt(n_rec)), w_rec_mean=0.0,
                   reset="subtractive", T=T, batch=batch,
                   adaptation_tau=_log_uniform(rng, 50, 500), adaptation_strength=_log_uniform(rng, 0.02, 2.0))
        out.append((cfg, RESETS[i % len(RESETS)], bool((i // len(RESETS)) % 2)))
    return out


def one_row(index: int, cfg: dict, reset: str, detach_reset: bool, seeds) -> dict:
    runs = layers_for(cfg, reset, detach_reset, seeds)
    measured = measured_edge(runs)
    probe = pool_probes([forward_probe(layer, x, tr) for layer, x, _, tr in runs])
    predicted = critical_sharpness(runs[0][0], runs[0][1], probe=probe).critical_sharpness
    lif_probe = probe._replace(adaptation=None)  # the LIF mean field on the same voltages
    lif_predicted = critical_sharpness(runs[0][0], runs[0][1], probe=lif_probe).critical_sharpness
    ratio = lambda p: math.log(p / measured) if p and measured else None  # noqa: E731
    return dict(index=index, family=cfg["sg"], reset=reset, detach_reset=detach_reset, n_rec=cfg["n_rec"],
                tau=cfg["tau"], thr=cfg["thr"], input_rate=cfg["input_rate"], dampening=cfg["dampening"], q=cfg["q"],
                adaptation_tau=cfg["adaptation_tau"], adaptation_strength=cfg["adaptation_strength"],
                firing_rate=float(np.mean([measure.firing_rate(tr.spikes) for *_, tr in runs])),
                measured_beta_c=measured, predicted_beta_c=predicted, ln_ratio=ratio(predicted),
                lif_mean_field_beta_c=lif_predicted, lif_mean_field_ln_ratio=ratio(lif_predicted))


def summarise(rows: list[dict]) -> dict:
    """Per family (and all): count, configurations without a root, median and max |ln ratio| of the
    ALIF dmft and of the LIF mean-field baseline."""
    out: dict = {}
    for family in (*FAMILY_ORDER, "all"):
        picked = [r for r in rows if family in (r["family"], "all")]
        if not picked:
            continue
        entry = {"configs": len(picked)}
        for name, key in (("dmft", "ln_ratio"), ("lif_mean_field", "lif_mean_field_ln_ratio")):
            errors = np.array([abs(r[key]) for r in picked if r[key] is not None])
            entry[name] = dict(unresolved=len(picked) - errors.size,
                               median=float(np.median(errors)) if errors.size else None,
                               max=float(errors.max()) if errors.size else None)
        out[family] = entry
    return out


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m lifstab_experiments.verification.edge_alif",
                                     description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="results/edge_alif")
    parser.add_argument("--configs", type=int, default=12)
    parser.add_argument("--grid-seed", type=int, default=0)
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1])
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args(argv)
    torch.set_num_threads(args.threads)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    rows = []
    with (out / "rows.csv").open("w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=FIELDS)
        writer.writeheader()
        for index, (cfg, reset, detach_reset) in enumerate(random_configs(args.configs, args.grid_seed)):
            rows.append(one_row(index, cfg, reset, detach_reset, args.seeds))
            writer.writerow(rows[-1])
            f.flush()
            print(json.dumps(rows[-1]), flush=True)
    summary = summarise(rows)
    (out / "summary.json").write_text(json.dumps(summary, indent=2))
    print(json.dumps(summary, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
