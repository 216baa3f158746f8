"""The main job behind ``lifstab reproduce``: every step writes its files and a cached summary, and a rerun
reuses finished steps. A step that fails is reported and the others still run, so nothing finished is lost.
"""

from __future__ import annotations

import json
import math
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
    #: False for checks that must see the current tree on every run (they are cheap)
    cached: bool = True


def _atomic_write_json(path: Path, data: dict) -> None:
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(data, indent=2))
    os.replace(tmp, path)


def step_kernels(ctx: Context) -> dict:
    from lifstab_derivations import codegen

    problems = codegen.check()
    if problems:
        raise RuntimeError(f"{len(problems)} generated kernel file(s) differ from derivations/: run `lifstab derive`")
    files = sorted(codegen.generated_files())
    return {
        "title": "Generated kernels match the derivations",
        "headline": f"all {len(files)} generated files equal what the SymPy derivations give.",
        "text": (f"Every file of `lifstab/_generated/` ({len(files)} files) was regenerated from the SymPy "
                 "derivations in memory and compared byte for byte with the checked-in copy: no drift."),
    }


def step_theory_figures(ctx: Context) -> dict:
    from .theory_figures import draw_all

    paths = draw_all(ctx.out / "figures" / "theory")
    return {
        "title": "Theory figures",
        "headline": f"{len(paths) // 2} figures drawn from the generated kernels alone (PNG and vector PDF).",
        "text": ("Computed from the generated kernels alone (no simulation): the SG families, the tail family, "
                 "E[SG^2] under both voltage assumptions, Condition IV's sharpness against n, tau and threshold, "
                 "and Conditions I-III against layer size."),
        "figures": [str(p.relative_to(ctx.out)) for p in paths if p.suffix == ".png"],
    }


#: layers the recommendations are computed for: (name, n_in, n_rec, tau, threshold, input rate)
DEFAULT_LAYERS = (
    ("digits (latency-coded 8x8)", 64, 128, 20.0, 0.5, 0.05),
    ("SHD-sized", 700, 256, 20.0, 0.01, 0.05),
    ("paper sl-MNIST", 784, 128, 20.0, 0.01, 0.05),
)


def step_recommendations(ctx: Context) -> dict:
    """Conditions I-IV for the default layers, every reset, both variants (lifstab.recommend)."""
    import lifstab
    from lifstab.lif import RESETS

    rows = []
    for name, n_in, n_rec, tau, threshold, rate in DEFAULT_LAYERS:
        for reset in RESETS:
            for variant in ("paper", "exact"):
                rec = lifstab.recommend(n_in, n_rec, tau=tau, threshold=threshold, reset=reset,
                                        input_mean=rate, input_var=rate * (1 - rate), family="exponential",
                                        variant=variant).to_json()
                rows.append({
                    "layer": name, "n_in": n_in, "n_rec": n_rec, "tau": tau, "threshold": threshold,
                    "reset": reset, "variant": variant, "recurrent_mean": rec["recurrent_mean"],
                    "recurrent_std": rec["recurrent_std"], "dampening": rec["dampening"],
                    "sharpness": rec["sharpness"],
                    "IV_feasible": rec["feasible"]["IV"], "IV_residual": rec["residuals"]["IV"],
                })
    table = pd.DataFrame(rows)
    path = ctx.out / "tables" / "recommendations.csv"
    path.parent.mkdir(parents=True, exist_ok=True)
    table.to_csv(path, index=False)
    feasible = int(table["IV_feasible"].sum())
    return {
        "title": "Recommendations of Conditions I-IV for typical layers",
        "headline": (f"Conditions I-III give weight statistics and dampening for every layer and reset; "
                     f"Condition IV (worst-case uniform voltage) has a root in {feasible} of {len(table)} cases."),
        "text": (
            "`lifstab.recommend` for three typical layers (exponential SG, Bernoulli inputs at rate 0.05, "
            "tau 20 steps), every reset, both variants. Conditions I and II set the recurrent weight mean "
            "and std, III the per-neuron dampening (mean shown), IV the sharpness. "
            f"Condition IV has a root in {feasible} of {len(table)} cases: with the worst-case uniform "
            "voltage range and Condition III's small dampening, E[SG^2] cannot reach the target, which the "
            "solver reports as infeasible rather than returning a boundary value (see the edge-of-stability "
            "section for a predictor that works)."
        ),
        "tables": {"recommendations": str(path.relative_to(ctx.out))},
    }


def step_conditions(ctx: Context) -> dict:
    """Each condition's target quantity, predicted and measured in simulation (every reset, both variants)."""
    from lifstab.lif import RESETS

    from ..verification.conditions_table import VARIANTS, condition_row, plot

    out = ctx.out / "conditions"
    out.mkdir(parents=True, exist_ok=True)
    rows = [condition_row(reset, variant, seed=ctx.seed) for reset in RESETS for variant in VARIANTS]
    columns = {
        "reset": "reset", "variant": "variant",
        "I_predicted_firing_rate": "I: target firing rate",
        "I_measured_firing_rate": "I: firing rate",
        "II_measured_ratio": "II: rec/in current variance (pred 1)",
        "III_measured_max_row_sum": "III: max Jacobian row sum (pred 1)",
        "IV_sharpness": "IV: sharpness",
        "IV_measured_row_second_moment": "IV: row 2nd moment (pred 1)",
        "IV_measured_rho": "IV: measured rho (edge = 1)",
    }
    table = pd.DataFrame(rows).reindex(columns=list(columns)).rename(columns=columns)
    table.to_csv(out / "conditions.csv", index=False)
    figure = plot(rows, out / "conditions.png")
    rates = {(r["reset"], r["variant"]): r["I_measured_firing_rate"] for r in rows}
    ratios = {(r["reset"], r["variant"]): r["II_measured_ratio"] for r in rows}
    targets = {(r["reset"], r["variant"]): r["I_predicted_firing_rate"] for r in rows}
    multiplicative = [(reset, variant) for reset in ("multiplicative_1", "multiplicative_2")
                      for variant in VARIANTS]
    # within 0.05 of its target: the tolerance of tests/test_conditions.py
    hits = {key: abs(rates[key] - targets[key]) <= 0.05 for key in multiplicative}
    described = "; ".join(
        f"{reset} {variant} {rates[(reset, variant)]:.2f} (target {targets[(reset, variant)]:g}, "
        f"{'within 0.05' if hits[(reset, variant)] else 'missed'})" for reset, variant in multiplicative)
    return {
        "headline": (
            f"exact variant, subtractive reset: firing rate {rates[('subtractive', 'exact')]:.3f} (Condition I "
            f"predicts 0.5), recurrent/input variance ratio {ratios[('subtractive', 'exact')]:.3f} (II predicts "
            f"1; the paper's variant gives {ratios[('subtractive', 'paper')]:.3f}); multiplicative resets, one "
            f"network each: {described}."),
        "title": "Conditions I-IV: predicted against measured",
        "text": (
            "For every reset and both variants, the recurrent weights are drawn from Conditions I (mean) and "
            "II (std) and the layer (n_in 100, n_rec 256, tau 20, threshold 1, Bernoulli(0.2) inputs, "
            "float64, 300 steps, batch 16) is simulated; each condition's target is then measured. "
            "Condition I's target is a firing rate of 1/2 (0.475 for multiplicative_1, which cannot fire twice "
            "in a row); the exact variant solves the multiplicative resets for that rate (lifstab.firing_rate). "
            "One network per row: single 256-neuron networks scatter by a few hundredths around the ensemble "
            "(python -m lifstab_experiments.verification.conditions_i_ii averages them). "
            "III uses Condition III's per-neuron dampening; IV the sharpness solved from Condition IV "
            "(dampening 1). Empty IV cells: no root."
        ),
        "figures": [str(Path(figure).relative_to(ctx.out))],
        "tables": {"conditions predicted vs measured": str((out / "conditions.csv").relative_to(ctx.out))},
    }


def step_stability(ctx: Context) -> dict:
    """The edge-of-stability study: measured critical sharpness against each predictor."""
    from ..verification import edge_study

    out = ctx.out / "stability"
    configs, seeds = (32, [0, 1, 2, 3]) if ctx.full else (12, [0, 1])
    methods = ["dmft", "lagged", "paper", "exact"]
    edge_study.main(["--out", str(out), "--configs", str(configs), "--seeds", *map(str, seeds),
                     "--methods", *methods])
    summary = json.loads((out / "summary.json").read_text())
    rows = []
    for method in methods:
        for part in ("all", "tuning", "held_out"):
            stats = summary.get(part, {}).get(method) if isinstance(summary.get(part), dict) else None
            if stats:
                rows.append({"method": method, "configurations": part, "predicted": stats.get("predicted"),
                             "median |ln(pred/beta_c)|": stats.get("median_abs_ln_ratio"),
                             "max |ln(pred/beta_c)|": stats.get("max_abs_ln_ratio")})
    table = pd.DataFrame(rows)
    table.to_csv(out / "edge_summary.csv", index=False)
    overall = table[table["configurations"] == "all"].set_index("method")

    def stat(method, column):
        return overall.loc[method, column] if method in overall.index else float("nan")

    return {
        "headline": (
            f"on {configs} random configurations the dmft predictor's median |ln(pred/beta_c)| is "
            f"{stat('dmft', 'median |ln(pred/beta_c)|'):.3f} (max {stat('dmft', 'max |ln(pred/beta_c)|'):.3f}); "
            f"the paper's Condition IV: median {stat('paper', 'median |ln(pred/beta_c)|'):.2f}, i.e. off by a "
            f"factor {math.exp(stat('paper', 'median |ln(pred/beta_c)|')):.0f}, with a root in "
            f"{int(stat('paper', 'predicted'))} of {configs}."),
        "title": "Edge of stability: predicted against measured critical sharpness",
        "text": (
            f"{configs} random configurations (docs/theory.md section 7 protocol: float64, T 300, batch 16; "
            f"beta_c by bisection in log sharpness averaging ln rho over seeds {seeds}). `dmft` is lifstab's "
            "backward-pass mean-field predictor (one forward probe, no backward pass); `lagged` is docs/theory.md section 7's "
            "first prototype; `paper` and `exact` solve Condition IV with the worst-case uniform voltage. "
            "The issue's target: median |ln(pred/beta_c)| <= 0.1 and max <= 0.3."
        ),
        "figures": [str(p.relative_to(ctx.out)) for p in sorted(out.glob("*.png"))],
        "tables": {"edge of stability summary": str((out / "edge_summary.csv").relative_to(ctx.out))},
    }


def step_training(ctx: Context) -> dict:
    """The training preset (quick, or full with ``--full``); its results page is folded into the report."""
    import re

    from .suite import step_training as run_training

    summary = run_training(ctx)
    page = (ctx.out / "training" / "results.md").read_text()
    body = page.split("\n", 1)[1] if page.startswith("# ") else page
    body = re.sub(r"^(#+) ", lambda m: "#" + m.group(1) + " ", body, flags=re.M)  # nest under the section
    body = re.sub(r"!\[([^]]*)\]\((?!training/)([^)]+)\)", r"![\1](training/\2)", body)
    summary["text"] = summary["text"] + "\n\n" + body
    summary["figures"] = []  # the page above already shows them, each beside its table
    summary["headline"] = f"{summary['text'].split(';')[0]}; " + _baseline_headline(ctx.out / "training" / "baseline.csv")
    return summary


def step_long_horizon(ctx: Context) -> dict:
    """Test accuracy against the horizon per arm (seeds, 95% intervals) and rho over training."""
    from ..training.long_horizon import FULL, QUICK, diagnosed_runs, run_study

    preset = FULL if ctx.full else QUICK
    out = ctx.out / "long_horizon"
    summary, failed = run_study(out, preset["points"], preset["seeds"], preset["epochs"], preset["arms"])
    longest = summary[summary.task == "digits"].horizon.max()
    rho_figure = diagnosed_runs(out, f"digits:{longest}", preset["arms"], preset["epochs"])
    cells = summary[(summary.task == "digits") & (summary.horizon == longest)]
    headline = ", ".join(f"{r.arm} {r['mean']:.3f}" for _, r in cells.iterrows())
    table = summary.round(3).to_markdown(index=False)
    return {
        "title": "Long horizons",
        "headline": f"latency digits at T {longest}, mean test accuracy over {preset['seeds']} seeds: {headline}"
                    + (f"; {len(failed)} runs failed" if failed else "."),
        "text": ("Test accuracy against the horizon (latency digits at T steps; the memory task at delay D, "
                 "chance 0.5), mean and 95% t-interval over seeds, and each spiking arm's measured rho over "
                 "training (one diagnosed run per arm). Arms: `lifstab_experiments.training.long_horizon.ARMS`.\n\n" + table),
        "figures": [str((out / "long_horizon.png").relative_to(ctx.out)), str(rho_figure.relative_to(ctx.out))],
        "tables": {"long_horizon": str((out / "long_horizon_summary.csv").relative_to(ctx.out))},
    }


def _baseline_headline(path: Path) -> str:
    """Mean test accuracy of each network of the baseline family at its best learning rate (by validation)."""
    if not path.exists():
        return "no baseline runs."
    rows = pd.read_csv(path)
    parts = []
    for (model, init), group in rows.groupby(["model", "init"]):
        by_lr = group.groupby("lr")
        best = by_lr["val_accuracy"].mean().idxmax()
        chosen = by_lr.get_group(best)["test_accuracy"]
        label = "GRU" if model == "gru" else f"{model.upper()} ({init} init)"
        parts.append(f"{label} {chosen.mean():.3f} (seeds {len(chosen)}, lr {best:g})")
    return "digits test accuracy: " + ", ".join(parts) + "."


#: the job, in order
STEPS: list[Step] = [
    Step("kernels", step_kernels, cached=False),
    Step("theory_figures", step_theory_figures),
    Step("recommendations", step_recommendations),
    Step("conditions", step_conditions),
    Step("stability", step_stability),
    Step("training", step_training),
    Step("long_horizon", step_long_horizon),
]


def _summary_section(summaries: list[dict]) -> Section:
    """The report's first section: one line per step saying what was predicted and what was measured."""
    lines = [f"- **{s['title']}**: {s['headline']}" for s in summaries if s.get("headline")]
    failed = [s["title"] for s in summaries if s["title"].endswith("FAILED")]
    lines += [f"- **{title}**: see below" for title in failed]
    return Section("Summary", "\n".join(lines) or "No step has finished yet.")


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
        if marker.exists() and not force and step.cached:
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
    sections = [_summary_section(summaries)] + [
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
