"""What happens inside one run of :mod:`.peer_training` (issue 14's snntorch network): every ``every``
optimiser steps, the training loss, the hidden layer's firing rate, the gradient norms of ``fc1`` and of the
RLeaky's recurrent weights, the hidden surrogate's sharpness, and the measured rho of the ``(fc1, RLeaky)``
pair at that sharpness and at the tutorial's (``fast_sigmoid(slope=25)``: sharpness 12.5).

rho is measured as the edge keeper measures it (:func:`lifstab.stability.replay_log_growth` on the float64
lifstab description of the pair, :func:`lifstab.adapters.lifstab_layer`, with its own recurrent mask) on the
first ``probe_batch`` sequences of the step's batch. The measurement runs on copies and no global random
state, so the run trains exactly as :mod:`.peer_training` trains it (its test accuracy is in the row).

``python -m lifstab_experiments.training.peer_training_diagnosis --out DIR --arms default stable_init
[--seed 0] [--point digits:100] [--every 5]`` appends to ``DIR/peer_training_diagnosis.csv`` (one row per
measured step) and ``DIR/peer_training_diagnosis_runs.csv`` (the runs' rows, as :mod:`.peer_training`).
With ``--lifstab-keeper`` it instead trains lifstab's own recommended run (:mod:`.long_horizon`'s arm
``recommended``) at the seed and point and writes its edge keeper's sharpness at every re-set to
``DIR/recommended_keeper.csv`` (step -1: the sharpness ``stable_init_`` left), for comparison.
"""

from __future__ import annotations

import argparse
import math
from pathlib import Path

import torch

from .long_horizon import BASE, parse_point
from .peer_training import ARMS, COLUMNS, SLOPE, run_id, train_run
from .runner import append_row, append_rows

#: the tutorial's surrogate as lifstab's fast_sigmoid sharpness (lifstab.interop: slope = 2 sharpness)
TUTORIAL_SHARPNESS = SLOPE / 2
DIAGNOSIS_COLUMNS = ["run_id", "step", "epoch", "loss", "hidden_rate", "grad_fc1", "grad_recurrent",
                     "sharpness", "rho", "rho_tutorial"]


def measured_rho(pair, x: torch.Tensor, sharpness: list[float], probe_batch: int = 16) -> list[float]:
    """Measured rho of the ``(Linear, RLeaky)`` pair on ``x[:, :probe_batch]`` at each sharpness."""
    import lifstab.adapters
    from lifstab.probe import forward_probe
    from lifstab.stability import replay_log_growth

    layer = lifstab.adapters.lifstab_layer(pair)
    with torch.no_grad():
        probe = forward_probe(layer, x[:, :probe_batch].detach().to(torch.float64))
        return [math.exp(v) for v in replay_log_growth(layer, probe, torch.tensor(sharpness)).tolist()]


def recorder(point: str, arm: str, seed: int, every: int, rows: list[dict]):
    """The ``on_step`` callback of :func:`.peer_training.train_run` that appends a row to ``rows`` every
    ``every`` steps."""
    import lifstab.adapters

    def on_step(step, epoch, net, x, loss, spikes) -> None:
        if step % every:
            return
        pair = net.pairs()[0]
        sharpness = float(torch.as_tensor(lifstab.adapters.adapt(pair).surrogate().sharpness).double().mean())
        rho, rho_tutorial = measured_rho(pair, x, [sharpness, TUTORIAL_SHARPNESS])
        rows.append(dict(run_id=run_id(point, arm, seed), step=step, epoch=epoch, loss=float(loss.detach()),
                         hidden_rate=float(spikes.detach().mean()),
                         grad_fc1=float(net.fc1.weight.grad.norm()),
                         grad_recurrent=float(net.lif1.recurrent.weight.grad.norm()),
                         sharpness=sharpness, rho=rho, rho_tutorial=rho_tutorial))
    return on_step


def diagnose(out: Path, point: str, arm: str, seed: int, every: int = 5, epochs: int = BASE.epochs,
             hidden: int = BASE.hidden, batch_size: int = BASE.batch_size, max_samples: int | None = None) -> dict:
    """Train one run (the study's settings unless given) with the recorder; append its rows; return the
    run's row."""
    if not isinstance(every, int) or every < 1:
        raise ValueError(f"every must be a positive integer, got {every!r}")
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    torch.set_num_threads(1)
    rows: list[dict] = []
    row = train_run(point, arm, seed, epochs, BASE.lr, hidden, batch_size, max_samples,
                    on_step=recorder(point, arm, seed, every, rows))
    append_rows(out / "peer_training_diagnosis.csv", rows, DIAGNOSIS_COLUMNS)
    append_row(out / "peer_training_diagnosis_runs.csv", row, COLUMNS)
    return row


def lifstab_keeper_history(out: Path, point: str = "digits:100", seed: int = 0) -> list[dict]:
    """Train lifstab's recommended run (:mod:`.long_horizon`) and write its keeper's sharpness per layer at
    every re-set to ``out/recommended_keeper.csv``. :func:`.training.train` builds its keeper inside, so
    :func:`.training.edge_keeper` is wrapped for this one call to keep a handle on it."""
    from unittest import mock

    from lifstab.edge_keeping import value_of

    from . import training
    from .long_horizon import arm_fields, point_fields

    kept, build = [], training.edge_keeper

    def keeper(model, config):
        made = build(model, config)
        kept.append((made, [value_of(layer) for layer in made.layers]))
        return made

    torch.set_num_threads(1)
    with mock.patch.object(training, "edge_keeper", keeper):
        row = training.train(BASE.replace(seed=seed, **point_fields(*parse_point(point)), **arm_fields("recommended")),
                             device="cpu")
    (made, initial), = kept
    rows = [dict(run_id=row["run_id"], step=step, layer=i, sharpness=value)
            for step, values in [(-1, initial), *made.history] for i, value in enumerate(values)]
    Path(out).mkdir(parents=True, exist_ok=True)
    append_rows(Path(out) / "recommended_keeper.csv", rows, ["run_id", "step", "layer", "sharpness"])
    print(f"{row['run_id']}: test {row['test_accuracy']:.3f} ({row['seconds']} s)", flush=True)
    return rows


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", required=True)
    parser.add_argument("--arms", nargs="+", default=["default", "stable_init"], choices=ARMS)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--point", default="digits:100")
    parser.add_argument("--every", type=int, default=5)
    parser.add_argument("--lifstab-keeper", action="store_true",
                        help="the keeper's history of lifstab's own recommended run instead")
    args = parser.parse_args(argv)
    parse_point(args.point)
    if args.lifstab_keeper:
        lifstab_keeper_history(Path(args.out), args.point, args.seed)
        return 0
    for arm in args.arms:
        row = diagnose(Path(args.out), args.point, arm, args.seed, args.every)
        print(f"{row['run_id']}: test {row['test_accuracy']:.3f} ({row['seconds']} s)", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
