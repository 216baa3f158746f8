"""`lifstab reproduce`: the main job (offline, CPU-sized)."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from . import families


def run(args: argparse.Namespace) -> int:
    import torch

    from ..lif import RESETS, RecurrentLIF

    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    print("== surrogate-gradient families ==")
    families.run(argparse.Namespace(json=False))
    print("\n== one recurrent LIF layer (n_in 40, n_rec 128, tau 20, threshold 1, T 200, batch 8) ==")
    gen = torch.Generator().manual_seed(args.seed)
    x = (torch.rand(200, 8, 40, generator=gen, dtype=torch.float64) < 0.2).double()
    rows = []
    for reset in RESETS:
        layer = RecurrentLIF(40, 128, tau=20.0, threshold=1.0, reset=reset, dtype=torch.float64,
                             seed=args.seed, surrogate="fast_sigmoid")
        spikes, voltages = layer(x, return_voltages=True)
        loss = (voltages[-1] * torch.randn(voltages[-1].shape, generator=gen, dtype=torch.float64)).sum()
        loss.backward()
        rows.append({"reset": reset, "firing_rate": spikes.mean().item(),
                     "grad_norm_w_rec": layer.w_rec.grad.norm().item()})
        print(f"{reset:<18} firing rate {rows[-1]['firing_rate']:.3f}   "
              f"|dL/dw_rec| {rows[-1]['grad_norm_w_rec']:.3e}")
    summary = {"families": families.table(), "lif_demo": rows}
    (out / "summary.json").write_text(json.dumps(summary, indent=2))
    print(f"\nwrote {out / 'summary.json'}")
    return 0


def register(sub) -> None:
    p = sub.add_parser("reproduce", help="run the main job (offline, CPU-sized)")
    p.add_argument("--out", default="results", help="output folder (default: results)")
    p.add_argument("--seed", type=int, default=0)
    p.set_defaults(func=run)
