"""Long horizons: test accuracy against the horizon (latency digits at T steps, the memory task at delay D)
for every arm, several seeds, through the runner (resumable: a rerun skips finished runs).

Arms: the layers' default initialisation ("default"), lifstab's recommendation ("recommended":
``lifstab.stable_init_`` and the training recipe of :mod:`lifstab.recipe`, :data:`.configs.RECOMMENDED`),
``stable_init_`` with weights from Conditions I-II and no recipe ("conditions": what "recommended" was before
the recipe), the fluctuation-driven initialisation ("fdi"), the default initialisation with the edge kept during
training ("edge": :class:`lifstab.EdgeKeeper` at measured rho ``EDGE_ARM_RHO``, recurrent weights at a tenth
of the learning rate), the paper's recipe ("paper": Conditions I-IV in the paper's variant with its neuron and
optimiser settings, :data:`.initialisation.PAPER_NEURON`, at its learning rate 3.16e-4), and the non-spiking
GRU and LSTM.

``python -m lifstab_experiments.training.long_horizon --out DIR [--seeds 5] [--points digits:100 memory:200 ...]``
writes ``DIR/long_horizon.csv``, ``DIR/long_horizon_summary.csv`` and ``DIR/long_horizon.png``/``.pdf``.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

from .configs import RECOMMENDED, RunConfig
from .models import ANN_MODELS

#: the edge arm's target: just above the leak's own rho (decay^2 = 0.905 at tau 20), measured best of
#: 0.92/0.95/1.0 on digits at T 100 (exploration notes in the long-horizon docs page)
EDGE_ARM_RHO = 0.95
ARMS: dict[str, dict] = {
    "default": {},
    "recommended": RECOMMENDED,
    "conditions": {"init": "conditions"},
    "fdi": {"init": "fdi"},
    "edge": {"target_rho": EDGE_ARM_RHO, "recurrent_lr_scale": 0.1},
    "paper": {"init": "paper", "lr": 3.16e-4},
    "gru": {"model": "gru"},
    "nn_lstm": {"model": "nn_lstm"},
}
DEFAULT_POINTS = ("digits:100", "digits:250", "memory:100", "memory:200")
#: the arms the figure shows (one colour each); every arm run is in the summary table
PLOTTED = tuple(ARMS)
#: ablations of the recommendation, run on request (``--arms``) and kept in the table, not the figure:
#: its training recipe on Conditions I-II's weights; the edge arm without the recurrent learning-rate factor
ABLATIONS: dict[str, dict] = {
    "conditions+recipe": {**RECOMMENDED, "init": "conditions"},
    "edge_lr1": {"target_rho": EDGE_ARM_RHO},
}
NAMED = {**ARMS, **ABLATIONS}
CHANCE = {"digits": 0.1, "memory": 0.5}
BASE = RunConfig(experiment="long_horizon", epochs=10, lr=3.16e-3, hidden=64, batch_size=64)


def parse_point(text: str) -> tuple[str, int]:
    """``"digits:100"`` (task digits, T 100) or ``"memory:200"`` (task memory, delay 200)."""
    task, _, value = text.partition(":")
    if task not in ("digits", "memory") or not value.isdigit() or int(value) < 1:
        raise ValueError(f"point {text!r} must be digits:T or memory:D with a positive integer")
    return task, int(value)


def point_fields(task: str, horizon: int) -> dict:
    return {"task": task, "delay": horizon} if task == "memory" else {"task": task, "time_steps": horizon}


#: an arm name ending in this reads the logits from a leaky membrane (``readout="membrane"``)
MEMBRANE = "+membrane"


def arm_fields(arm: str) -> dict:
    """The config fields of an arm: a name of :data:`ARMS` or :data:`ABLATIONS`, or ``"edge:RHO"`` (the edge arm at another
    target rho); either with :data:`MEMBRANE` appended (the membrane-potential readout)."""
    if arm.endswith(MEMBRANE):
        return {**arm_fields(arm[: -len(MEMBRANE)]), "readout": "membrane"}
    if arm in NAMED:
        return NAMED[arm]
    name, _, value = arm.partition(":")
    try:
        target = float(value)
    except ValueError:
        target = None
    if name != "edge" or target is None or not target > 0:
        raise ValueError(f"arms [{arm!r}] are unknown; choose from {list(NAMED)} or edge:RHO, optionally + {MEMBRANE!r}")
    return {**ARMS["edge"], "target_rho": target}


def configs(points=DEFAULT_POINTS, seeds: int = 5, arms=tuple(ARMS), base: RunConfig = BASE) -> list[RunConfig]:
    """Every (point, arm, seed) run."""
    fields = {arm: arm_fields(arm) for arm in arms}
    return [base.replace(seed=seed, **point_fields(*parse_point(p)), **fields[arm])
            for p in points for arm in arms for seed in range(seeds)]


#: the value of every field an arm may set, in a run that does not set it
NEUTRAL = {"init": "default", "model": "lif", "target_rho": None, "recurrent_lr_scale": 1.0, "readout": "linear",
           "lr": BASE.lr}


def _empty(value) -> bool:
    """None, an empty CSV cell, or pandas' NaN for one."""
    return value is None or (isinstance(value, str) and value == "") or (isinstance(value, float) and value != value)


def _same(value, wanted) -> bool:
    if _empty(value) or wanted is None:
        return _empty(value) and wanted is None
    try:
        return float(value) == float(wanted)
    except (TypeError, ValueError):
        return str(value) == str(wanted)


def _matches(row, fields: dict) -> bool:
    return all(_same(row.get(k), v) for k, v in {**NEUTRAL, **fields}.items())


def arm_of(row) -> str:
    """The arm a result row belongs to: the arm of :data:`ARMS` whose fields it holds (every other field
    at :data:`NEUTRAL`); else that arm with :data:`MEMBRANE` appended when only the readout differs; else
    ``edge:RHO`` (the edge arm at another target rho, :data:`MEMBRANE` appended for that readout)."""
    for name, fields in NAMED.items():
        if _matches(row, fields):
            return name
    membrane = not _empty(row.get("readout")) and row.get("readout") != "linear"
    linear = {**row, "readout": "linear"}
    for name, fields in NAMED.items():
        if membrane and _matches(linear, fields):
            return name + MEMBRANE
    if not _empty(row.get("target_rho")):
        return f"edge:{float(row['target_rho']):g}" + (MEMBRANE if membrane else "")
    raise ValueError(f"row {row.get('run_id')!r} belongs to no arm of the long-horizon study")


def summarise(rows):
    """Mean test accuracy and the 95% t-interval over seeds per (task, horizon, arm)."""
    import pandas as pd

    frame = pd.DataFrame(rows)
    frame["arm"] = [arm_of(r) for r in rows]
    frame["horizon"] = np.where(frame.task == "memory", frame.delay, frame.time_steps).astype(int)
    frame["test_accuracy"] = frame.test_accuracy.astype(float)
    return pd.DataFrame([dict(task=task, horizon=horizon, arm=arm, **seed_statistics(part))
                         for (task, horizon, arm), part in frame.groupby(["task", "horizon", "arm"])])


def seed_statistics(part) -> dict:
    """Over the seeds of one arm (a frame with ``test_accuracy`` and ``firing_rate``): their number, the mean
    test accuracy with its 95% t-interval half-width, min, max, and the mean final firing rate."""
    import pandas as pd
    from scipy import stats

    acc = part.test_accuracy.to_numpy(dtype=float)
    half = stats.t.ppf(0.975, len(acc) - 1) * acc.std(ddof=1) / np.sqrt(len(acc)) if len(acc) > 1 else np.nan
    return dict(seeds=len(acc), mean=acc.mean(), ci95=half, min=acc.min(), max=acc.max(),
                firing_rate=pd.to_numeric(part.firing_rate).mean())


def plot(summary, out_dir: Path) -> list[Path]:
    from ..report.figures import new_figure, save, style

    tasks = sorted(summary.task.unique())
    fig, axes = new_figure(1, len(tasks), width=3.6, height=2.8)
    for ax, task in zip(axes[0], tasks):
        part = summary[summary.task == task]
        arms = [a for a in PLOTTED if a in set(part.arm)]  # the other variants stay in the table
        for i, arm in enumerate(arms):
            line = part[part.arm == arm].sort_values("horizon")
            shift = 1 + 0.012 * (i - (len(arms) - 1) / 2)  # side by side, so that the intervals stay readable
            ax.errorbar(line.horizon * shift, line["mean"], yerr=line.ci95.fillna(0), marker="o", capsize=3,
                        label=arm, **style(i))
        ax.axhline(CHANCE[task], color="grey", lw=0.8, ls=":")
        ax.set_xlabel("delay D (steps)" if task == "memory" else "horizon T (steps)")
        ax.set_ylabel("test accuracy")
        ax.set_title("memory task (chance 0.5)" if task == "memory" else "latency digits (chance 0.1)")
    axes[0][-1].legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.02, 1.0))
    return save(fig, out_dir, "long_horizon")


#: the CPU-sized preset of ``lifstab reproduce`` (a few minutes on two cores) and the full one
QUICK = dict(points=("digits:50", "digits:100", "memory:50", "memory:100"), seeds=3, epochs=6,
             arms=("default", "conditions", "recommended", "gru"))
FULL = dict(points=DEFAULT_POINTS, seeds=5, epochs=10, arms=tuple(ARMS))


def run_study(out: Path, points, seeds: int, epochs: int, arms, workers: int | None = None):
    """Run (or complete) the grid into ``out/long_horizon.csv``; write the summary table and the figure.
    Returns ``(summary, failed runs)``."""
    from .runner import read_rows, run_grid

    out = Path(out)
    csv_path = out / "long_horizon.csv"
    report = run_grid(configs(points, seeds, arms, BASE.replace(epochs=epochs)), csv_path, workers=workers)
    if not csv_path.exists():
        raise RuntimeError(f"no run finished; first failures: {report.failed[:3]}")
    summary = summarise(read_rows(csv_path))
    summary.to_csv(out / "long_horizon_summary.csv", index=False)
    plot(summary, out)
    return summary, report.failed


def diagnosed_runs(out: Path, point: str, arms, epochs: int, seed: int = 0) -> Path:
    """One diagnosed run per spiking arm at ``point`` (``out/diagnosis/<arm>/``; an arm already done is
    kept) and the figure of each arm's measured rho over training, ``out/rho_over_training.png``."""
    import pandas as pd

    from ..report.figures import new_figure, save, style
    from .training import train

    fig, axes = new_figure(1, 2, width=3.6, height=2.8)
    for i, arm in enumerate(a for a in arms if arm_fields(a).get("model") not in ANN_MODELS):
        folder = Path(out) / "diagnosis" / arm
        if not (folder / "diagnosis.png").exists():
            train(BASE.replace(seed=seed, epochs=epochs, **point_fields(*parse_point(point)), **arm_fields(arm)),
                  device="cpu", diagnose=str(folder))
        rows = pd.read_csv(folder / "diagnosis.csv").groupby("epoch").mean(numeric_only=True)
        axes[0][0].plot(rows.index, rows.rho, marker="o", label=arm, **style(i))
        axes[0][1].plot(rows.index, rows.firing_rate, marker="o", label=arm, **style(i))
    axes[0][0].axhline(1.0, color="k", lw=0.8)
    axes[0][0].set(xlabel="epoch", ylabel="measured rho (mean over layers)", title=f"{point}: rho over training")
    axes[0][1].set(xlabel="epoch", ylabel="firing rate", title=f"{point}: firing rate")
    axes[0][0].legend(fontsize=7)
    return save(fig, out, "rho_over_training")[0]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", required=True)
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--points", nargs="+", default=list(DEFAULT_POINTS))
    parser.add_argument("--arms", nargs="+", default=list(ARMS))
    parser.add_argument("--epochs", type=int, default=BASE.epochs)
    parser.add_argument("--workers", type=int, default=None)
    parser.add_argument("--diagnose", default=None, metavar="POINT",
                        help="also one diagnosed run per spiking arm at POINT (e.g. digits:100)")
    args = parser.parse_args(argv)
    summary, failed = run_study(Path(args.out), args.points, args.seeds, args.epochs, args.arms, args.workers)
    for run_id, error in failed:
        print(f"failed {run_id}: {error}")
    print(summary.to_string(index=False))
    if args.diagnose:
        print(diagnosed_runs(Path(args.out), args.diagnose, args.arms, args.epochs))
    return 0 if not failed else 1


if __name__ == "__main__":
    raise SystemExit(main())
