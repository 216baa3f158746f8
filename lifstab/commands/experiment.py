"""`lifstab experiment`: run one experiment family as a grid, or write the report of a results folder."""

from __future__ import annotations

import argparse
import sys

FAMILY_CHOICES = ("sg_lr", "firing_rate", "ablation", "sweeps", "baseline")


def _report(args: argparse.Namespace) -> int:
    from lifstab_experiments import analysis, grids
    from lifstab_experiments.initialisation import conditions_available
    from lifstab_experiments.training import predicted_shape

    predicted = None
    if conditions_available():
        base = grids.PRESETS[args.preset].base
        sweep_task = grids.PRESETS[args.preset].sweep_task
        predicted = predicted_shape(base.replace(**grids.task_fields(grids.PRESETS[args.preset], sweep_task, args.data)))
    print(f"wrote {analysis.report(args.out, predicted)}")
    return 0


def run(args: argparse.Namespace) -> int:
    from lifstab_experiments import grids, runner
    from lifstab_experiments.initialisation import conditions_available

    if args.family == "report":
        return _report(args)
    families = list(FAMILY_CHOICES) if args.family == "all" else [args.family]
    if args.family == "all" and not conditions_available():
        families.remove("ablation")
        print("skipping ablation: lifstab.conditions not merged yet", file=sys.stderr)
    executor = None
    if args.backend == "submitit":
        executor = runner.submitit_executor(f"{args.out}/submitit", timeout_min=args.timeout_min,
                                            gpus_per_node=args.gpus, partition=args.partition)
    failed = 0
    for family in families:
        configs = grids.grid(family, args.preset, args.data)
        report = runner.run_grid(configs, f"{args.out}/{family}.csv", backend=args.backend,
                                 workers=args.workers, executor=executor)
        print(f"{family}: {report.total} runs, {report.skipped} already done, {report.finished} finished, "
              f"{len(report.failed)} failed")
        for run_id, error in report.failed:
            print(f"  {run_id}: {error}", file=sys.stderr)
        failed += len(report.failed)
    if args.family == "all":
        _report(args)
    return 1 if failed else 0


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
