"""`lifstab experiment`: run one experiment family as a grid, every family, or the report of a results folder."""

from __future__ import annotations

import argparse
import sys

FAMILY_CHOICES = ("sg_lr", "firing_rate", "ablation", "sweeps", "baseline")


def run(args: argparse.Namespace) -> int:
    from lifstab_experiments.training import runner
    from lifstab_experiments.report import suite

    if args.family == "report":
        print(f"wrote {suite.write_report(args.out, args.preset, args.data)}")
        return 0
    executor = None
    if args.backend == "submitit":
        executor = runner.submitit_executor(f"{args.out}/submitit", timeout_min=args.timeout_min,
                                            gpus_per_node=args.gpus, partition=args.partition)
    if args.family == "all":
        result = suite.run_families(args.out, args.preset, backend=args.backend, workers=args.workers,
                                    executor=executor, data_root=args.data)
        reports = result["families"]
        print(f"wrote {result['report']}")
    else:
        from lifstab_experiments.training import grids

        configs = grids.grid(args.family, args.preset, args.data)
        reports = {args.family: runner.run_grid(configs, f"{args.out}/{args.family}.csv", backend=args.backend,
                                                workers=args.workers, executor=executor)}
    for family, report in reports.items():
        print(f"{family}: {report.total} runs, {report.skipped} already done, {report.finished} finished, "
              f"{len(report.failed)} failed")
        for run_id, error in report.failed:
            print(f"  {run_id}: {error}", file=sys.stderr)
    return 1 if any(r.failed for r in reports.values()) else 0


def register(sub) -> None:
    p = sub.add_parser("experiment", help="run an experiment family (a grid of training runs) or its report")
    p.add_argument("family", choices=FAMILY_CHOICES + ("all", "report"),
                   help="a family; 'all' runs every family then the report; 'report' writes results.md and plots")
    p.add_argument("--preset", default="quick", choices=("quick", "full"))
    p.add_argument("--backend", default="local", choices=("local", "submitit"))
    p.add_argument("--out", required=True, help="results folder: one CSV per family (rerun skips finished runs)")
    p.add_argument("--workers", type=int, default=None, help="local processes (default: CPU count)")
    p.add_argument("--data", default=None, help="folder with shd/, slmnist/ and ptb/ (preset full)")
    p.add_argument("--timeout-min", type=int, default=60, help="submitit: minutes per job")
    p.add_argument("--gpus", type=int, default=0, help="submitit: GPUs per SLURM job")
    p.add_argument("--partition", default=None, help="submitit: SLURM partition")
    p.set_defaults(func=run)
