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
    probe = None
    if not args.no_edge:
        rec, probe = _on_edge(rec, args, w_in, w_rec)
    if args.json:
        print(json.dumps({**rec.to_json(), "edge_probe": probe}, indent=2, allow_nan=True))
    else:
        print(rec.summary() + (f"\n  edge probed on: {probe}" if probe else ""))
    return 0


#: the probe of the edge route: the measurement protocol's length and batch (docs/theory.md section 7)
PROBE_T, PROBE_BATCH = 300, 16


def _on_edge(rec, args: argparse.Namespace, w_in, w_rec):
    """``rec`` on ``stable_init_``'s edge route, so that the printed sharpness is the one the recipe starts
    from (Condition IV often has no root at Condition III's dampening): the layer as a user gets it
    (``RecurrentLIF``'s default initialisation, seed ``--seed``) or with ``--weights``, driven by inputs of the
    given statistics (Bernoulli(mean) where the variance is a Bernoulli one, else Gaussian), T 300, batch 16.
    Returns the recommendation and a description of the probe."""
    import math

    import torch

    from ..conditions.edge import DEFAULT_EDGE_TAIL, with_edge
    from ..lif import RecurrentLIF
    from ..surrogates import FAMILIES, Surrogate

    tau = args.tau if args.tau is not None else -1.0 / math.log(rec.decay)
    tail = args.tail if args.tail is not None else (DEFAULT_EDGE_TAIL if FAMILIES[rec.family].has_tail else None)
    layer = RecurrentLIF(args.n_in, args.n_rec, tau=tau, threshold=args.threshold, reset=args.reset,
                         detach_reset=not args.attached_reset, surrogate=Surrogate(rec.family, tail=tail),
                         dtype=torch.float64, seed=args.seed)
    if w_in is not None:
        with torch.no_grad():
            layer.w_in.copy_(torch.as_tensor(w_in))
            layer.w_rec.copy_(torch.as_tensor(w_rec))
    generator = torch.Generator().manual_seed(args.seed)
    shape = (PROBE_T, PROBE_BATCH, args.n_in)
    mean, var = rec.input_mean, rec.input_var
    if 0 <= mean <= 1 and abs(var - mean * (1 - mean)) < 1e-12:
        x, kind = (torch.rand(shape, generator=generator, dtype=torch.float64) < mean).double(), f"Bernoulli({mean:g})"
    else:
        x = mean + math.sqrt(var) * torch.randn(shape, generator=generator, dtype=torch.float64)
        kind = f"Gaussian(mean {mean:g}, variance {var:g})"
    weights = f"--weights {args.weights}" if w_in is not None else f"RecurrentLIF's default initialisation (seed {args.seed})"
    return with_edge(rec, layer, x), (f"{weights}, {kind} inputs, T {PROBE_T}, batch {PROBE_BATCH}; "
                                      "--no-edge prints Condition IV's route only")


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
    p.add_argument("--no-edge", action="store_true",
                   help="skip the edge route (by default the sharpness printed is stable_init_'s: the edge of "
                        "stability of the layer, measured by replay on inputs of the given statistics)")
    p.add_argument("--seed", type=int, default=0, help="seed of the edge route's layer and inputs")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.set_defaults(func=run)
