"""`lifstab plots`: the theory figures, from the derivations' generated kernels alone."""

from __future__ import annotations

import argparse


def run(args: argparse.Namespace) -> int:
    from lifstab_experiments.report.theory_figures import draw_all

    for path in draw_all(args.out, args.only):
        print(f"wrote {path}")
    return 0


def register(sub) -> None:
    p = sub.add_parser("plots", help="draw the theory figures (PNG and PDF)")
    p.add_argument("--out", default="results/figures/theory", help="output folder")
    p.add_argument("--only", nargs="+", metavar="NAME", help="draw only these figures")
    p.set_defaults(func=run)
