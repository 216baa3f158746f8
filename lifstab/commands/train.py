"""`lifstab train`: train one network on one task and print its result (JSON with --json)."""

from __future__ import annotations

import argparse
import json
import math

from lifstab.recipe import RECIPE

#: the run's settings outside ``--init recommended`` (which takes them from lifstab.recipe)
FALLBACK = {"target_rho": None, "recurrent_lr_scale": 1.0, "readout": "linear"}


def run(args: argparse.Namespace) -> int:
    import torch

    from lifstab_experiments.training.configs import RunConfig
    from lifstab_experiments.training.training import train

    if args.threads < 1:
        raise ValueError(f"--threads must be >= 1, got {args.threads}")
    torch.set_num_threads(args.threads)

    recipe = RECIPE.run_fields() if args.init == "recommended" else {}
    for name in ("target_rho", "recurrent_lr_scale", "readout"):  # what the user gave wins over the recipe
        if getattr(args, name) is None:
            setattr(args, name, recipe.get(name, FALLBACK[name]))
    config = RunConfig(task=args.task, model=args.model, sg=args.sg, dampening=args.dampening,
                       sharpness=args.sharpness, tail=args.tail, lr=args.lr, epochs=args.epochs,
                       batch_size=args.batch_size, hidden=args.hidden, init=args.init, seed=args.seed,
                       time_steps=args.time_steps, max_samples=args.max_samples, data_path=args.data,
                       delay=args.delay, target_rho=args.target_rho, keep_every=args.keep_every, keep_knob=args.keep_knob,
                       recurrent_lr_scale=args.recurrent_lr_scale, readout=args.readout)
    row = train(config, device=args.device, progress=not args.json, diagnose=args.diagnose)
    row["epochs"] = row["epochs_run"]
    if args.json:
        # NaN (the GRU's firing rate) is not JSON: it becomes null
        print(json.dumps({k: (None if isinstance(v, float) and math.isnan(v) else v) for k, v in row.items()}))
    else:
        print(f"{args.model} on {args.task} ({args.sg}, init {args.init}, seed {args.seed}): "
              f"test accuracy {row['test_accuracy']:.4f}, validation {row['val_accuracy']:.4f}, "
              f"firing rate {row['firing_rate']:.3f}, {row['epochs_run']} epochs in {row['seconds']:.1f} s")
    return 0


def register(sub) -> None:
    p = sub.add_parser("train", help="train one network on one task")
    p.add_argument("--task", default="digits",
                   help="digits, mnist1d, randman, randman700, memory, shd, slmnist or ptb (default digits)")
    p.add_argument("--delay", type=int, default=None, help="memory task: steps between cue and go (default 100)")
    p.add_argument("--target-rho", type=float, default=None,
                   help="keep each layer's measured rho at this value during training (re-set the sharpness); "
                        f"--init recommended: {RECIPE.target_rho:g}, else none")
    p.add_argument("--keep-every", type=int, default=5, help="steps between two re-sets of the edge (default 5)")
    p.add_argument("--keep-knob", default="sharpness", help="what keeps the edge: sharpness (default) or dampening")
    p.add_argument("--recurrent-lr-scale", type=float, default=None,
                   help="learning-rate factor of the recurrent weights (0 freezes them; "
                        f"--init recommended: {RECIPE.recurrent_lr_scale:g}, else 1)")
    p.add_argument("--readout", default=None,
                   help="linear (per-step logits from the spikes) or membrane (a leaky output layer); "
                        f"--init recommended: {RECIPE.readout}, else linear")
    p.add_argument("--diagnose", default=None, metavar="DIR",
                   help="write the per-epoch diagnosis (CSV and diagnosis.png) into DIR")
    p.add_argument("--model", default="lif",
                   help="lif, alif, lstm (spiking) or gru, nn_lstm (non-spiking baselines); default lif")
    p.add_argument("--sg", default="fast_sigmoid", help="surrogate-gradient family (default fast_sigmoid)")
    p.add_argument("--dampening", type=float, default=1.0)
    p.add_argument("--sharpness", type=float, default=1.0)
    p.add_argument("--tail", type=float, default=None, help="q of q_pseudo_spike (default 2)")
    p.add_argument("--init", default="default",
                   help="default (the layers' own), recommended (lifstab.stable_init_ and the training recipe of "
                        "lifstab.recipe), conditions (stable_init_ with weights from Conditions I-II, no recipe), "
                        "fdi (fluctuation-driven) or paper (Conditions I-IV, paper variant, with the paper's neuron "
                        "and optimiser)")
    p.add_argument("--epochs", type=int, default=10)
    p.add_argument("--lr", type=float, default=3.16e-3)
    p.add_argument("--batch-size", type=int, default=64)
    p.add_argument("--hidden", type=int, default=64)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--time-steps", type=int, default=None, help="default: the task's own")
    p.add_argument("--max-samples", type=int, default=None, help="cap the training set size")
    p.add_argument("--data", default=None, help="local data path (shd, slmnist, ptb)")
    p.add_argument("--device", default=None, help="default: cuda when present, else cpu")
    p.add_argument("--threads", type=int, default=1,
                   help="CPU threads (default 1: these small networks gain nothing from more)")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.set_defaults(func=run)
