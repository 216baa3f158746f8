"""The edge route's method and margin, trained: the quick baseline's recommended LIF arm (digits, 16 epochs,
two 64-unit layers) with ``lifstab.stable_init_(edge_method=..., edge_margin=...)`` over seeds and the
grid's learning rates.

    python -m lifstab_experiments.training.edge_route --out results/edge_route            # about 1 min per variant
    python -m lifstab_experiments.training.edge_route --variants replay:1 dmft:2 default:0 --seeds 10

Writes ``edge_route.csv`` (one row per run, appended as it finishes; a rerun skips finished rows) and
prints mean test accuracy per variant and learning rate (docs/guide/conditions.md).
"""

from __future__ import annotations

import argparse
import csv
import itertools
from pathlib import Path

import numpy as np
from tqdm import tqdm

from . import grids, initialisation, training
from .runner import append_row

FIELDS = ("method", "margin", "time_steps", "lr", "seed", "val_accuracy", "test_accuracy")


def parse_variant(text: str) -> tuple[str, float]:
    """``"replay:1"`` -> ("replay", 1.0); ``"default:0"`` is the default initialisation (no edge route)."""
    method, sep, margin = text.partition(":")
    if not sep:
        raise ValueError(f"variant {text!r} must read METHOD:MARGIN, e.g. replay:1")
    return method, float(margin)


def run(method: str, margin: float, lr: float, seed: int, time_steps: int = 20) -> dict:
    """One training run of the quick baseline's recommended arm (digits with ``time_steps`` latency steps)
    with this edge route."""
    # the quick baseline's LIF with stable_init_'s route before lifstab.recipe (weights from Conditions I-II)
    base = next(r for r in grids.baseline(grids.PRESETS["quick"]) if r.model == "lif").replace(init="conditions")
    config = base.replace(lr=lr, seed=seed, time_steps=time_steps)
    if method == "default":  # the comparison: the layers' own (Glorot) initialisation, no edge route
        config = config.replace(init="default")
    previous = initialisation.EDGE_ROUTE
    initialisation.EDGE_ROUTE = {"edge_method": method, "edge_margin": margin}
    try:
        out = training.train(config)
    finally:
        initialisation.EDGE_ROUTE = previous
    return dict(method=method, margin=margin, time_steps=time_steps, lr=lr, seed=seed,
                val_accuracy=out["val_accuracy"],
                test_accuracy=out["test_accuracy"])


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m lifstab_experiments.training.edge_route",
                                     description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="results/edge_route")
    parser.add_argument("--variants", nargs="+",
                        default=["replay:1", "replay:2", "replay:3", "replay:4", "dmft:2", "default:0"])
    parser.add_argument("--seeds", type=int, default=10)
    parser.add_argument("--time-steps", type=int, default=20, help="digits latency steps (the grid's: 20)")
    parser.add_argument("--lrs", type=float, nargs="+", default=None, help="default: the quick baseline's")
    args = parser.parse_args(argv)
    variants = [parse_variant(v) for v in args.variants]
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    path = out / "edge_route.csv"
    done = set()
    if path.exists():
        with open(path) as f:
            done = {(r["method"], float(r["margin"]), int(r["time_steps"]), float(r["lr"]), int(r["seed"]))
                    for r in csv.DictReader(f)}
    lrs = args.lrs or grids.PRESETS["quick"].baseline_lrs
    todo = [(m, g, lr, s) for (m, g), lr, s in itertools.product(variants, lrs, range(args.seeds))
            if (m, g, args.time_steps, float(lr), s) not in done]
    for method, margin, lr, seed in tqdm(todo, desc="edge route"):
        # one row per finished run: an interruption loses nothing
        append_row(path, run(method, margin, lr, seed, args.time_steps), FIELDS)
    with open(path) as f:
        rows = list(csv.DictReader(f))
    for method, margin in variants:
        sel = [r for r in rows if r["method"] == method and float(r["margin"]) == margin
               and int(r["time_steps"]) == args.time_steps]
        per_lr = {lr: [float(r["test_accuracy"]) for r in sel if float(r["lr"]) == float(lr)] for lr in lrs}
        cells = "  ".join(f"lr {lr:g}: {np.mean(v):.3f} (sd {np.std(v):.3f})" for lr, v in per_lr.items() if v)
        print(f"T={args.time_steps} {method} x{margin:g}: {cells}  overall {np.mean([float(r['test_accuracy']) for r in sel]):.3f}")
    print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
