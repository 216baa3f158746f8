"""`lifstab families`: print the surrogate-gradient families."""

from __future__ import annotations

import argparse
import json


def table() -> list[dict]:
    import numpy as np

    from ..surrogates import FAMILIES, Surrogate

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


def run(args: argparse.Namespace) -> int:
    rows = table()
    if args.json:
        print(json.dumps(rows))
        return 0
    print(f"{'family':<16}{'SG(0)':>8}{'area':>10}{'SG(1)':>10}   (dampening 1, sharpness 1, tail 2; area over |u| <= 60)")
    for r in rows:
        print(f"{r['family']:<16}{r['peak']:>8.3f}{r['area_within_60']:>10.4f}{r['sg_at_u=1']:>10.4f}")
    return 0


def register(sub) -> None:
    p = sub.add_parser("families", help="print the surrogate-gradient families")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=run)
