"""Every experiment family at one preset, then the report: what ``lifstab experiment all`` and a
training step of the main job (``lifstab reproduce``) run."""

from __future__ import annotations

from pathlib import Path

from ..training import grids, runner
from . import analysis


def run_families(out: str | Path, preset: str = "quick", families: list[str] | None = None,
                 backend: str = "local", workers: int | None = None, executor=None,
                 data_root: str | None = None) -> dict:
    """Run ``families`` (default: all), write ``results.md`` and the plots into ``out``.

    Returns ``{"families": {name: GridReport}, "report": path}``.
    """
    out = Path(out)
    families = list(grids.FAMILIES_OF_EXPERIMENTS) if families is None else list(families)
    files = {family: out / f"{family}.csv" for family in families}
    done = runner.run_grids({files[f]: grids.grid(f, preset, data_root) for f in families}, backend=backend,
                            workers=workers, executor=executor)
    reports = {family: done[files[family]] for family in families}
    return {"families": reports, "report": write_report(out, preset, data_root)}


def write_report(out: str | Path, preset: str = "quick", data_root: str | None = None) -> Path:
    """results.md and plots from the CSVs in ``out``, with the conditions' predicted values on the
    sweep plots."""
    from ..training.training import predicted_shape

    spec = grids.PRESETS[preset]
    predicted = predicted_shape(spec.base.replace(**grids.task_fields(spec, spec.sweep_task, data_root)))
    return analysis.report(out, predicted)


def step_training(ctx) -> dict:
    """A step for the main job (``experiments/report/reproduce.py``: ``Step("training", suite.step_training)``):
    the quick preset (``full`` when ``ctx.full``) into ``<out>/training``, two worker processes."""
    out = Path(ctx.out) / "training"
    result = run_families(out, "full" if ctx.full else "quick", workers=2)
    failed = {f: len(r.failed) for f, r in result["families"].items() if r.failed}
    if failed:
        raise RuntimeError(f"training runs failed: {failed}; rerun to retry them (finished runs are kept)")
    figures = [p for p in ("sg_lr.png", "firing_rate.png", "ablation.png", "sweeps.png") if (out / p).exists()]
    return {
        "title": "Training experiments",
        "text": (f"{sum(r.total for r in result['families'].values())} training runs; tables in "
                 f"`training/results.md`."),
        "figures": [f"training/{p}" for p in figures],
    }
