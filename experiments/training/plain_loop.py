"""A user's own plain training loop, with and without :func:`lifstab.stable_init_`.

The model is what a user writes: one :class:`lifstab.RecurrentLIF` (``hidden`` neurons, threshold
``threshold``, the default fast-sigmoid surrogate) and a ``torch.nn.Linear`` readout of its spikes averaged
over the task's readout window (the memory task's go window; every step otherwise, a spike-count readout),
trained by ``torch.optim.Adam(model.parameters(), lr)`` on cross-entropy, no clipping, no early stopping.
The two arms differ in one line: ``lifstab.stable_init_(layer, inputs=first_batch, seed=seed)`` (its
defaults: the layer's weights kept, the surrogate at the measured edge, an edge keeper attached) or nothing.

Each run records the final test accuracy and, on the test set, the firing rate, the fractions of silent
(rate < ``SILENT_RATE``) and saturated (rate > ``SATURATED_RATE``) neurons, and whether the layer ended
silent (mean rate < ``SILENT_LAYER``) or saturated (mean rate > ``SATURATED_LAYER``).

``python -m lifstab_experiments.training.plain_loop --out DIR [--points digits:100 memory:200 ...] [--thresholds 0.1 1]
[--seeds 3] [--epochs 8]`` appends one row per run to ``DIR/plain_loop.csv`` (a rerun skips finished runs)
and writes ``DIR/plain_loop_summary.csv`` and ``DIR/plain_loop.png``.
"""

from __future__ import annotations

import argparse
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import torch

import lifstab

from .long_horizon import parse_point, point_fields
from .tasks import LOADERS
from .training import gradients_finite

ARMS = ("default", "stable_init_")
SILENT_RATE, SATURATED_RATE = 1e-3, 0.9
SILENT_LAYER, SATURATED_LAYER = 0.02, 0.8
DEFAULT_POINTS = ("digits:50", "digits:100", "digits:250", "digits:500", "memory:100", "memory:200")


@dataclass(frozen=True)
class PlainRun:
    task: str
    horizon: int
    threshold: float
    arm: str
    seed: int
    epochs: int = 8
    hidden: int = 128
    lr: float = 1e-3
    batch_size: int = 64

    @property
    def key(self) -> str:
        return "|".join(str(v) for v in asdict(self).values())


class UserModel(torch.nn.Module):
    """One recurrent LIF layer and a linear readout of its spikes averaged over ``readout_steps``."""

    def __init__(self, n_in: int, hidden: int, n_out: int, threshold: float, readout_steps: int) -> None:
        super().__init__()
        self.lif = lifstab.RecurrentLIF(n_in, hidden, threshold=threshold)
        self.readout = torch.nn.Linear(hidden, n_out)
        self.readout_steps = readout_steps

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        spikes = self.lif(x)
        return self.readout(spikes[-self.readout_steps:].mean(0)), spikes


def _load(run: PlainRun):
    fields = point_fields(run.task, run.horizon)
    return LOADERS[run.task](time_steps=fields.get("time_steps"), delay=fields.get("delay"))


@torch.no_grad()
def _test(model: UserModel, task) -> dict:
    model.eval()
    correct, rates = 0, []
    for start in range(0, len(task.test.labels), 256):
        x, y = task.batch(task.test, np.arange(start, min(start + 256, len(task.test.labels))))
        logits, spikes = model(x)
        correct += int((logits.argmax(-1) == y).sum())
        rates.append(spikes.mean(0))  # (B, hidden): each neuron's rate per sample
    rate = torch.cat(rates).mean(0)  # per neuron
    model.train()
    return {"test_accuracy": correct / len(task.test.labels), "firing_rate": float(rate.mean()),
            "silent_fraction": float((rate < SILENT_RATE).float().mean()),
            "saturated_fraction": float((rate > SATURATED_RATE).float().mean()),
            "ended_silent": bool(rate.mean() < SILENT_LAYER), "ended_saturated": bool(rate.mean() > SATURATED_LAYER)}


def run_one(run: PlainRun) -> dict:
    """Train one user model; the row holds the run's fields and the test metrics."""
    start = time.perf_counter()
    task = _load(run)
    torch.manual_seed(run.seed)
    model = UserModel(task.n_in, run.hidden, task.n_out, run.threshold, task.readout_steps or task.time_steps)
    rng = np.random.default_rng(run.seed)
    if run.arm == "stable_init_":
        first, _ = task.batch(task.train, rng.permutation(len(task.train.labels))[: run.batch_size])
        lifstab.stable_init_(model.lif, inputs=first, seed=run.seed)
    initial = _test(model, task)
    diverged = _train(model, task, run, rng)
    return {**asdict(run), "run_key": run.key, **_test(model, task), "diverged": diverged,
            "initial_firing_rate": initial["firing_rate"], "seconds": round(time.perf_counter() - start, 2)}


def _train(model: UserModel, task, run: PlainRun, rng: np.random.Generator) -> bool:
    """The user's loop: Adam, cross-entropy, no clipping. Returns whether it diverged: the first step whose
    gradient is not finite (it would write NaN into the weights) ends training before it is taken, so the
    model keeps its last finite weights and the row says so."""
    opt = torch.optim.Adam(model.parameters(), lr=run.lr)
    for _ in range(run.epochs):
        order = rng.permutation(len(task.train.labels))
        for i in range(0, len(order), run.batch_size):
            x, y = task.batch(task.train, order[i: i + run.batch_size])
            loss = torch.nn.functional.cross_entropy(model(x)[0], y)
            opt.zero_grad()
            loss.backward()
            if not gradients_finite(model):
                return True
            opt.step()
    return False


def grid(points, thresholds, seeds: int, epochs: int) -> list[PlainRun]:
    return [PlainRun(*parse_point(p), float(th), arm, seed, epochs)
            for p in points for th in thresholds for seed in range(seeds) for arm in ARMS]


def run_study(out: Path, runs) -> tuple:
    """Run every run not yet in ``out/plain_loop.csv`` (one row appended per finished run); write the
    summary and the figure. Returns ``(frame, summary)``."""
    import pandas as pd
    from tqdm.auto import tqdm

    from .runner import append_row

    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    path = out / "plain_loop.csv"
    done = set(pd.read_csv(path).run_key) if path.exists() else set()
    columns = [*asdict(runs[0]).keys(), "run_key", "test_accuracy", "firing_rate", "silent_fraction",
               "saturated_fraction", "ended_silent", "ended_saturated", "diverged", "initial_firing_rate", "seconds"]
    for run in tqdm([r for r in runs if r.key not in done], desc="plain loop", unit="run"):
        append_row(path, run_one(run), columns)
    frame = pd.read_csv(path)
    summary = compare(frame)
    summary.to_csv(out / "plain_loop_summary.csv", index=False)
    plot(frame, out)
    return frame, summary


def compare(frame):
    """Per (task, horizon, threshold, epochs): each arm's mean accuracy, the worst seed's difference
    stable_init_ - default, and how many runs ended silent or saturated per arm."""
    import pandas as pd

    rows = []
    for (task, horizon, threshold, epochs), part in frame.groupby(["task", "horizon", "threshold", "epochs"]):
        pivot = part.pivot_table(index="seed", columns="arm", values="test_accuracy")
        row = dict(task=task, horizon=horizon, threshold=threshold, epochs=epochs, seeds=len(pivot))
        for arm in ARMS:
            arm_rows = part[part.arm == arm]
            row[f"{arm}_mean"] = arm_rows.test_accuracy.mean()
            row[f"{arm}_rate"] = arm_rows.firing_rate.mean()
            row[f"{arm}_silent_or_saturated"] = int((arm_rows.ended_silent | arm_rows.ended_saturated).sum())
            row[f"{arm}_diverged"] = int(arm_rows.get("diverged", pd.Series(False, index=arm_rows.index)).sum())
        if set(ARMS) <= set(pivot.columns):
            row["worst_seed_difference"] = float((pivot["stable_init_"] - pivot["default"]).min())
        rows.append(row)
    return pd.DataFrame(rows)


def plot(frame, out: Path):
    from ..report.figures import new_figure, save, style

    fig, axes = new_figure(1, 2, width=3.8, height=3.0)
    for i, ((task, threshold), part) in enumerate(frame.groupby(["task", "threshold"])):
        pivot = part.pivot_table(index=["horizon", "epochs", "seed"], columns="arm", values="test_accuracy").dropna()
        if set(ARMS) <= set(pivot.columns):
            axes[0][0].scatter(pivot["default"], pivot["stable_init_"], label=f"{task}, threshold {threshold:g}",
                               **{k: v for k, v in style(i).items() if k in ("color", "marker")})
        rates = part.pivot_table(index=["horizon", "epochs", "seed"], columns="arm", values="firing_rate").dropna()
        if set(ARMS) <= set(rates.columns):
            axes[0][1].scatter(rates["default"], rates["stable_init_"],
                               **{k: v for k, v in style(i).items() if k in ("color", "marker")})
    for ax, name in zip(axes[0], ("final test accuracy", "final firing rate")):
        ax.plot([0, 1], [0, 1], color="grey", lw=0.8, ls=":")
        ax.set(xlabel=f"default initialisation: {name}", ylabel=f"after stable_init_: {name}")
    for level in (SILENT_LAYER, SATURATED_LAYER):
        axes[0][1].axhline(level, color="r", lw=0.6, ls="--")
    axes[0][0].legend(fontsize=6)
    axes[0][0].set_title("a user's plain loop, one point per seed", fontsize=8)
    return save(fig, out, "plain_loop")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", required=True)
    parser.add_argument("--points", nargs="+", default=list(DEFAULT_POINTS))
    parser.add_argument("--thresholds", nargs="+", type=float, default=[0.1, 1.0])
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--epochs", type=int, default=8)
    args = parser.parse_args(argv)
    torch.set_num_threads(1)
    _, summary = run_study(Path(args.out), grid(args.points, args.thresholds, args.seeds, args.epochs))
    print(summary.to_string(index=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
