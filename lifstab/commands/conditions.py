"""`lifstab conditions`: Conditions I-IV for one layer (initialisation and SG shape)."""

from __future__ import annotations

import argparse
import json
from pathlib import Path


def run(args: argparse.Namespace) -> int:
    import numpy as np

    from ..conditions import recommend

    w_in = w_rec = None
    if args.weights is not None:
        path = Path(args.weights)
        if not path.exists():
            raise ValueError(f"--weights {path}: no such file")
        try:
            with np.load(path) as data:
                w_in, w_rec = data["w_in"], data["w_rec"]
        except KeyError as exc:
            raise ValueError(f"--weights {path} must hold arrays 'w_in' and 'w_rec' (missing {exc})") from None
        except (OSError, ValueError) as exc:
            raise ValueError(f"--weights {path} is not a readable .npz file ({exc})") from None
    if args.tau is None and args.decay is None:
        args.tau = 20.0
    rec = recommend(
        args.n_in, args.n_rec, tau=args.tau, decay=args.decay, threshold=args.threshold, reset=args.reset,
        detach_reset=not args.attached_reset, input_mean=args.input_mean, input_var=args.input_var,
        family=args.sg, tail=args.tail, w_in=w_in, w_rec=w_rec, variant=args.variant,
        iv_dampening=args.iv_dampening, target_rate=args.target_rate,
    )
    print(json.dumps(rec.to_json(), indent=2, allow_nan=True) if args.json else rec.summary())
    return 0


def register(sub) -> None:
    p = sub.add_parser("conditions", help="recommend initialisation and SG shape from Conditions I-IV")
    p.add_argument("--n-in", type=int, required=True, help="input channels")
    p.add_argument("--n-rec", type=int, required=True, help="recurrent neurons (>= 2)")
    p.add_argument("--tau", type=float, default=None, help="membrane time constant in steps (default 20)")
    p.add_argument("--decay", type=float, default=None, help="decay alpha in (0, 1), instead of --tau")
    p.add_argument("--threshold", type=float, required=True)
    p.add_argument("--sg", default="exponential", help="surrogate family (see `lifstab families`)")
    p.add_argument("--tail", type=float, default=None, help="q_pseudo_spike tail; solve IV in sharpness")
    p.add_argument("--reset", default="subtractive",
                   help="subtractive, multiplicative_1, multiplicative_2 or none")
    p.add_argument("--attached-reset", action="store_true", help="the reset keeps its gradient")
    p.add_argument("--variant", default="exact", help="exact (default) or paper")
    p.add_argument("--input-mean", type=float, default=None, help="mean input (default 0.5: spikes)")
    p.add_argument("--input-var", type=float, default=None, help="input variance (default 0.25)")
    p.add_argument("--weights", default=None, help="npz with w_in (n_in x n_rec) and w_rec (n_rec x n_rec)")
    p.add_argument("--iv-dampening", type=float, default=None,
                   help="solve Condition IV at this dampening instead of Condition III's")
    p.add_argument("--target-rate", type=float, default=None,
                   help="Condition I's firing rate (exact variant; default 0.5, multiplicative_1 0.475)")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.set_defaults(func=run)
