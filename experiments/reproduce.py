"""The main job behind ``lifstab reproduce``: every step writes its files and a cached summary, and a rerun
reuses finished steps. A step that fails is reported and the others still run, so nothing finished is lost.
"""

from __future__ import annotations

import json
import os
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from tqdm.auto import tqdm

from .report import Section, write_report


@dataclass(frozen=True)
class Context:
    """What every step may read: the output folder, the scale, the seed."""

    out: Path
    full: bool = False
    seed: int = 0


@dataclass(frozen=True)
class Step:
    """One cached piece of the job. ``run`` writes files under ``ctx.out`` and returns a summary:
    ``{"title", "text", "figures": [paths relative to out], "tables": {name: csv path relative to out}}``."""

    name: str
    run: Callable[[Context], dict]


def _atomic_write_json(path: Path, data: dict) -> None:
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(data, indent=2))
    os.replace(tmp, path)


def step_kernels(ctx: Context) -> dict:
    from derivations import codegen

    problems = codegen.check()
    if problems:
        raise RuntimeError(f"{len(problems)} generated kernel file(s) differ from derivations/: run `lifstab derive`")
    files = sorted(codegen.generated_files())
    return {
        "title": "Generated kernels match the derivations",
        "text": (f"Every file of `lifstab/_generated/` ({len(files)} files) was regenerated from the SymPy "
                 "derivations in memory and compared byte for byte with the checked-in copy: no drift."),
    }


def step_theory_figures(ctx: Context) -> dict:
    from .theory_figures import draw_all

    paths = draw_all(ctx.out / "figures" / "theory")
    return {
        "title": "Theory figures",
        "text": "Computed from the generated kernels alone (no simulation).",
        "figures": [str(p.relative_to(ctx.out)) for p in paths if p.suffix == ".png"],
    }


#: the job, in order; later issues add the recommendation, stability and training steps here
STEPS: list[Step] = [
    Step("kernels", step_kernels),
    Step("theory_figures", step_theory_figures),
]


def run(out: Path | str = "results", full: bool = False, seed: int = 0, force: bool = False,
        only: list[str] | None = None) -> dict:
    """Run every step (or ``only`` those), reusing cached ones unless ``force``; then write the report.

    Returns ``{"done": [...], "cached": [...], "failed": {name: error}, "report": path}``.
    """
    ctx = Context(Path(out), full=full, seed=seed)
    cache = ctx.out / ".cache"
    cache.mkdir(parents=True, exist_ok=True)
    known = {s.name for s in STEPS}
    unknown = sorted(set(only or []) - known)
    if unknown:
        raise ValueError(f"only={unknown}: unknown steps; choose from {sorted(known)}")
    status: dict = {"done": [], "cached": [], "failed": {}}
    summaries: list[dict] = []
    bar = tqdm(STEPS, desc="reproduce", unit="step")
    for step in bar:
        bar.set_postfix_str(step.name)
        marker = cache / f"{step.name}.json"
        if marker.exists() and not force:
            summaries.append(json.loads(marker.read_text()))
            status["cached"].append(step.name)
            continue
        if only and step.name not in only:
            continue
        start = time.perf_counter()
        try:
            summary = step.run(ctx)
        except Exception as exc:  # one failed step must not lose the others' results
            status["failed"][step.name] = f"{type(exc).__name__}: {exc}"
            (cache / f"{step.name}.error.txt").write_text(traceback.format_exc())
            summaries.append({"title": f"{step.name}: FAILED", "text": f"`{type(exc).__name__}: {exc}`"})
            continue
        summary["seconds"] = round(time.perf_counter() - start, 2)
        _atomic_write_json(marker, summary)
        summaries.append(summary)
        status["done"].append(step.name)
    sections = [
        Section(
            title=s["title"],
            text=s.get("text", ""),
            figures=tuple(ctx.out / f for f in s.get("figures", [])),
            tables={name: pd.read_csv(ctx.out / path) for name, path in s.get("tables", {}).items()},
        )
        for s in summaries
    ]
    md, html = write_report(ctx.out, "lifstab: predicted and measured", sections)
    status["report"] = str(md)
    return status
