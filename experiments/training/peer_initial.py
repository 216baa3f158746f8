"""What the peer networks' ``initial_numbers`` (:mod:`.peer_spikingjelly`, :mod:`.peer_norse`) share: the
runs' first training batches, rho at a list of sharpness values, and the command line."""

from __future__ import annotations

import torch


def first_batches(point: str, seeds: int, batch_size: int):
    """``(name, horizon, task, [(seed, x)])``: the task of ``point`` and, per seed, the run's first training
    batch (the one ``stable_init_`` is given in :func:`.peer_training.train_run`)."""
    import numpy as np

    from .long_horizon import parse_point, point_fields
    from .tasks import load_task

    name, horizon = parse_point(point)
    fields = point_fields(name, horizon)
    task = load_task(name, time_steps=fields.get("time_steps"), delay=fields.get("delay"))
    batches = [(seed, task.batch(task.train, np.random.default_rng(seed).permutation(len(task.train.labels))
                                 [:batch_size])[0]) for seed in range(seeds)]
    return name, horizon, task, batches


def rho_by_sharpness(adapter, norms, family: str, sharpness) -> dict:
    """``{"rho_own": ..., "rho_<k>": ...}``: rho (:func:`lifstab.measure.log_growth_factor` of ``norms()``,
    the peer's own forward pass) at the layer's surrogate, then with ``adapter`` writing a ``family``
    surrogate of each sharpness ``k`` (the layer's surrogate is left at the last one)."""
    from lifstab import measure
    from lifstab.surrogates import Surrogate

    rho = {}
    for k in ("own", *sharpness):
        if k != "own":
            adapter.write_surrogate(Surrogate(family, dampening=1.0, sharpness=k))
        rho[f"rho_{k}"] = float(torch.exp(measure.log_growth_factor(norms())))
    return rho


def main(library: str, initial_numbers, argv=None, hide=()) -> int:
    """the command line of the peer modules (``--out DIR [--points digits:100] [--seeds 5]``):
    ``initial_numbers`` (no training) of every point, printed (but the columns ``hide``) and written to
    ``DIR/<library>_initial.csv``."""
    import argparse
    from pathlib import Path

    import pandas as pd

    from .long_horizon import BASE

    parser = argparse.ArgumentParser(description=f"{library}'s network at initialisation: rates, rho")
    parser.add_argument("--out", required=True)
    parser.add_argument("--points", nargs="+", default=["digits:100"])
    parser.add_argument("--seeds", type=int, default=5)
    args = parser.parse_args(argv)
    torch.set_num_threads(1)
    frame = pd.concat([initial_numbers(p, args.seeds, BASE.hidden, BASE.batch_size) for p in args.points])
    Path(args.out).mkdir(parents=True, exist_ok=True)
    frame.to_csv(Path(args.out) / f"{library}_initial.csv", index=False)
    print(frame.drop(columns=list(hide)).to_string(index=False))
    return 0
