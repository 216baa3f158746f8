"""Tables and plots of the experiment families, from the result CSVs (one command: ``lifstab
experiment report --out DIR``).

The sensitivity score (the paper's): per (task, network), average the test accuracy over seeds,
min-max normalise it over the whole SG x learning-rate grid of that case, take per learning rate
the spread (max - min) across SG families, and average over learning rates. 0: the SG choice does
not matter at any learning rate; 1: it decides between the best and the worst result everywhere.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np


METRIC = "test_accuracy"


def _pandas():
    try:
        import pandas as pd
    except ImportError as exc:
        raise ValueError("the report needs pandas: pip install 'lifstab[experiments]'") from exc
    return pd


def load(out_dir: Path, family: str):
    """The rows of one family as a DataFrame (None when it has not run)."""
    pd = _pandas()
    path = Path(out_dir) / f"{family}.csv"
    if not path.exists():
        return None
    frame = pd.read_csv(path)
    # a line torn by a crash has no device; a run finished twice (two concurrent reruns) counts once
    frame = frame[frame["device"].notna()].drop_duplicates("run_id")
    return frame if len(frame) else None


def sensitivity(frame) -> "object":
    """Sensitivity score and per-SG mean normalised accuracy for each (task, model) of an sg_lr frame."""
    pd = _pandas()
    rows = []
    for (task, model), case in frame.groupby(["task", "model"], sort=False):
        acc = case.groupby(["sg", "lr"])[METRIC].mean().unstack("lr")  # SG x lr
        lo, hi = acc.values.min(), acc.values.max()
        norm = (acc - lo) / (hi - lo) if hi > lo else acc * 0.0
        spread = (norm.max(axis=0) - norm.min(axis=0)).mean()
        robust = norm.mean(axis=1)  # mean normalised accuracy over learning rates, per SG
        rows.append({"task": task, "model": model, "sensitivity": float(spread),
                     "best_accuracy": float(hi), "most_robust_sg": robust.idxmax(),
                     **{f"robustness_{sg}": float(v) for sg, v in robust.items()}})
    return pd.DataFrame(rows)


def _markdown(frame, floatfmt: str = ".3g") -> str:
    return frame.to_markdown(index=False, floatfmt=floatfmt)  # pandas, through tabulate


def _mean_std(frame, by: list[str]):
    g = frame.groupby(by, sort=False)
    out = g[METRIC].agg(["mean", "std", "count"]).reset_index()
    if "firing_rate" in frame:
        out["firing_rate"] = g["firing_rate"].mean().values
    return out.rename(columns={"mean": f"{METRIC}_mean", "std": f"{METRIC}_std", "count": "seeds"})


def _plt():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def section_sg_lr(frame, out_dir: Path) -> str:
    plt = _plt()
    cases = list(frame.groupby(["task", "model"], sort=False))
    fig, axes = plt.subplots(1, len(cases), figsize=(4.5 * len(cases), 3.6), squeeze=False)
    for ax, ((task, model), case) in zip(axes[0], cases):
        for sg, g in case.groupby("sg"):
            mean = g.groupby("lr")[METRIC].mean()
            ax.plot(mean.index, mean.values, marker="o", label=sg)
        ax.set(xscale="log", xlabel="learning rate", ylabel="test accuracy", title=f"{model} on {task}")
    axes[0][0].legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(out_dir / "sg_lr.png", dpi=110)
    plt.close(fig)
    table = frame.groupby(["task", "model", "sg", "lr"], sort=False)[METRIC].mean().unstack("lr").sort_index(axis=1).reset_index()
    table.columns = [c if isinstance(c, str) else f"lr {c:g}" for c in table.columns]
    return ("## SG x learning rate\n\nTest accuracy (mean over seeds):\n\n" + _markdown(table)
            + "\n\nSensitivity score (0 = SG choice irrelevant) and per-SG robustness (mean normalised "
              "accuracy over learning rates):\n\n" + _markdown(sensitivity(frame)) + "\n\n![](sg_lr.png)\n")


def section_firing_rate(frame, out_dir: Path) -> str:
    plt = _plt()
    summary = _mean_std(frame, ["target_rate", "sparsity_loss"])
    summary["initial_firing_rate"] = frame.groupby(["target_rate", "sparsity_loss"], sort=False)[
        "initial_firing_rate"].mean().values
    fig, ax = plt.subplots(figsize=(5, 3.6))
    for loss, g in summary.groupby("sparsity_loss"):
        ax.plot(g["target_rate"], g[f"{METRIC}_mean"], marker="o",
                label="with annealed sparsity loss" if loss else "no sparsity loss")
    ax.set(xlabel="target initial firing rate", ylabel="test accuracy")
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(out_dir / "firing_rate.png", dpi=110)
    plt.close(fig)
    return ("## Initial firing rate and the sparsity loss\n\n" + _markdown(summary)
            + "\n\n![](firing_rate.png)\n")


def section_ablation(frame, out_dir: Path) -> str:
    plt = _plt()
    summary = _mean_std(frame, ["conditions"])
    fig, ax = plt.subplots(figsize=(6, 3.6))
    ax.bar(summary["conditions"], summary[f"{METRIC}_mean"], yerr=summary[f"{METRIC}_std"].fillna(0), capsize=3)
    ax.set(xlabel="conditions applied", ylabel="test accuracy")
    fig.tight_layout()
    fig.savefig(out_dir / "ablation.png", dpi=110)
    plt.close(fig)
    return "## Condition ablation (exponential SG)\n\n" + _markdown(summary) + "\n\n![](ablation.png)\n"


SWEEPS = (("dampening", ("exponential", "fast_sigmoid")), ("sharpness", ("exponential",)), ("tail", ("q_pseudo_spike",)))


def section_sweeps(frame, out_dir: Path, predicted: dict | None) -> str:
    plt = _plt()
    fig, axes = plt.subplots(1, 3, figsize=(13, 3.6))
    parts = ["## Sweeps of dampening, sharpness and tail\n"]
    for ax, (name, sgs) in zip(axes, SWEEPS):
        defaults = {"dampening": 1.0, "sharpness": 1.0}
        sel = frame[frame["sg"].isin(sgs)]
        for other, value in defaults.items():
            if other != name:
                sel = sel[np.isclose(sel[other], value)]
        if name != "tail":
            sel = sel[sel["sg"] != "q_pseudo_spike"]
        summary = _mean_std(sel, ["sg", name]).sort_values(["sg", name])
        for sg, g in summary.groupby("sg"):
            ax.plot(g[name], g[f"{METRIC}_mean"], marker="o", label=sg)
        if predicted and predicted.get(name) is not None:
            ax.axvline(predicted[name], color="k", ls="--", label=f"predicted {predicted[name]:.3g}")
        ax.set(xlabel=name, ylabel="test accuracy", xscale="log" if name == "tail" else "linear")
        ax.legend(fontsize=8)
        parts.append(f"### {name}\n\n" + _markdown(summary) + "\n")
    fig.tight_layout()
    fig.savefig(out_dir / "sweeps.png", dpi=110)
    plt.close(fig)
    note = ("Predicted values (dashed): " + ", ".join(f"{k} {v:.3g}" for k, v in predicted.items() if v is not None)
            if predicted else "Predicted values are not marked (no prediction for this task).")
    return "\n".join(parts) + f"\n{note}\n\n![](sweeps.png)\n"


def section_baseline(frame, out_dir: Path) -> str:
    """Each (model, init) at its best learning rate by mean validation accuracy; test accuracy per seed."""
    parts = ["## LIF against the GRU baseline\n",
             "Each network at the learning rate with the best mean validation accuracy; test accuracy per seed.\n"]
    rows = []
    for (model, init), g in frame.groupby(["model", "init"], sort=False):
        lr = g.groupby("lr")["val_accuracy"].mean().idxmax()
        best = g[g["lr"] == lr].sort_values("seed")
        rows.append({"model": model, "init": init, "lr": lr, "seeds": ", ".join(map(str, best["seed"])),
                     "test_accuracy_per_seed": ", ".join(f"{a:.3f}" for a in best[METRIC]),
                     f"{METRIC}_mean": float(best[METRIC].mean()), f"{METRIC}_std": float(best[METRIC].std())})
    return "\n".join(parts) + "\n" + _markdown(_pandas().DataFrame(rows)) + "\n"


def report(out_dir: str | Path, predicted: dict | None = None) -> Path:
    """Write ``results.md`` and the plots into ``out_dir`` from the family CSVs found there."""
    out_dir = Path(out_dir)
    if not out_dir.is_dir():
        raise FileNotFoundError(f"{out_dir}: not found; expected a folder of experiment CSVs")
    sections = ["# Experiment results\n", f"From the CSVs in `{out_dir}`; metric: {METRIC} "
                "(at the epoch of best validation accuracy).\n"]
    writers = {"sg_lr": section_sg_lr, "firing_rate": section_firing_rate, "ablation": section_ablation,
               "sweeps": lambda f, d: section_sweeps(f, d, predicted), "baseline": section_baseline}
    for family, write in writers.items():
        frame = load(out_dir, family)
        if frame is None:
            sections.append(f"## {family}\n\nNot run.\n")
        else:
            sections.append(write(frame, out_dir))
    path = out_dir / "results.md"
    path.write_text("\n".join(sections))
    return path
