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
import math
from pathlib import Path

import numpy as np
import torch

from lifstab import measure
from lifstab.stability import critical_sharpness, forward_probe, pool_probes

from .edge_attached import RESETS, error_stats, layers_for, lif_config, log_uniform, measured_edge, write_rows
from .edge_study import FAMILY_ORDER

FIELDS = ["index", "family", "reset", "detach_reset", "n_rec", "tau", "thr", "input_rate", "dampening", "q",
          "adaptation_tau", "adaptation_strength", "firing_rate", "measured_beta_c", "predicted_beta_c", "ln_ratio",
          "lif_mean_field_beta_c", "lif_mean_field_ln_ratio"]


def random_configs(count: int, grid_seed: int = 0, T: int = 200, batch: int = 8) -> list[tuple[dict, str, bool]]:
    """``count`` (CONFIG, reset variant, detach_reset) triples: :func:`.edge_attached.lif_config`'s ranges,
    and adaptation tau 50-500 and strength 0.02-2 (the layer's default is 1.8), log-uniform. Families cycle;
    the reset variants and both reset modes cycle (all six pairs by 6 configs)."""
    rng = np.random.default_rng(grid_seed)
    families = rng.permutation(np.resize(FAMILY_ORDER, count))
    out = []
    for i in range(count):
        cfg = {**lif_config(rng, str(families[i]), T, batch), "adaptation_tau": log_uniform(rng, 50, 500),
               "adaptation_strength": log_uniform(rng, 0.02, 2.0)}
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
        out[family] = {"configs": len(picked), "dmft": error_stats(picked),
                       "lif_mean_field": error_stats(picked, "lif_mean_field_ln_ratio")}
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
    write_rows(Path(args.out), (one_row(index, cfg, reset, detach_reset, args.seeds) for index, (cfg, reset, detach_reset)
                                in enumerate(random_configs(args.configs, args.grid_seed))), FIELDS, summarise)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
