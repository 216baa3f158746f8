"""The ``lifstab`` command line: the top floor, importing heavier parts lazily.

Subcommands: ``reproduce`` (the main job), ``derive`` (regenerate kernels), ``families``.
Errors in user input print one line and exit 2, with no traceback.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence
from pathlib import Path


class UsageError(ValueError):
    """Bad user input, reported as one line."""


def _families_table() -> list[dict]:
    import numpy as np

    from .surrogates import FAMILIES, Surrogate

    rows = []
    u = np.linspace(-60.0, 60.0, 600_001)
    for name, info in FAMILIES.items():
        sg = Surrogate(name, dampening=1.0, sharpness=1.0, tail=2.0 if info.has_tail else None)
        values = sg.numpy(u)
        rows.append({
            "family": name,
            "peak": float(sg.numpy(0.0)),
            "area_within_60": float(np.trapezoid(values, u)),
            "sg_at_u=1": float(sg.numpy(1.0)),
        })
    return rows


def cmd_families(args: argparse.Namespace) -> int:
    rows = _families_table()
    if args.json:
        print(json.dumps(rows))
        return 0
    print(f"{'family':<16}{'SG(0)':>8}{'area':>10}{'SG(1)':>10}   (dampening 1, sharpness 1, tail 2; area over |u| <= 60)")
    for r in rows:
        print(f"{r['family']:<16}{r['peak']:>8.3f}{r['area_within_60']:>10.4f}{r['sg_at_u=1']:>10.4f}")
    return 0


def cmd_reproduce(args: argparse.Namespace) -> int:
    import torch

    from .lif import RESETS, RecurrentLIF

    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    print("== surrogate-gradient families ==")
    cmd_families(argparse.Namespace(json=False))
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
    summary = {"families": _families_table(), "lif_demo": rows}
    (out / "summary.json").write_text(json.dumps(summary, indent=2))
    print(f"\nwrote {out / 'summary.json'}")
    return 0


def cmd_derive(args: argparse.Namespace) -> int:
    from derivations import codegen

    return codegen.main(["--check"] if args.check else [])


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="lifstab", description="Stable LIF initialisation and surrogate gradients.")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("reproduce", help="run the main job (offline, CPU-sized)")
    p.add_argument("--out", default="results", help="output folder (default: results)")
    p.add_argument("--seed", type=int, default=0)
    p.set_defaults(func=cmd_reproduce)

    p = sub.add_parser("derive", help="regenerate lifstab/_generated/ from derivations/")
    p.add_argument("--check", action="store_true", help="exit 1 when the checked-in kernels are stale")
    p.set_defaults(func=cmd_derive)

    p = sub.add_parser("families", help="print the surrogate-gradient families")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_families)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    func: Callable[[argparse.Namespace], int] = args.func
    try:
        return func(args)
    except (UsageError, ValueError, FileNotFoundError) as exc:
        print(f"lifstab {args.command}: error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    raise SystemExit(main())
