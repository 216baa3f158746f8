"""`lifstab reproduce`: the main job (offline, CPU-sized by default; `--full` for a GPU or a cluster)."""

from __future__ import annotations

import argparse


def run(args: argparse.Namespace) -> int:
    from lifstab_experiments.report import reproduce

    status = reproduce.run(args.out, full=args.full, seed=args.seed, force=args.force, only=args.only)
    print(f"done: {status['done']}  reused: {status['cached']}")
    for name, error in status["failed"].items():
        print(f"FAILED {name}: {error}")
    print(f"report: {status['report']} (and report.html)")
    return 1 if status["failed"] else 0


def register(sub) -> None:
    p = sub.add_parser("reproduce", help="run the main job and write the report (offline, CPU-sized)")
    p.add_argument("--out", default="results", help="output folder (default: results)")
    p.add_argument("--full", action="store_true", help="paper-scale grids (for a GPU or a cluster)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--force", action="store_true", help="recompute every step, ignoring the cache")
    p.add_argument("--only", nargs="+", metavar="STEP", help="run only these steps")
    p.set_defaults(func=run)
