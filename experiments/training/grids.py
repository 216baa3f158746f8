"""The experiment families as declarative grids of :class:`RunConfig`, at two scales (presets).

Families (docs/theory.md section 8): ``sg_lr`` (SG family x learning rate x seeds, per task/network),
``firing_rate`` (initial rate by bias pre-training, with and without the annealed sparsity loss),
``ablation`` (Conditions none/I/II/III/IV/I+II/I+II+III/I+II+IV/all, exponential SG), ``sweeps``
(dampening, sharpness, tail), and ``baseline`` (LIF against the GRU on the same task).
``quick`` runs offline at toy scale on CPU; ``full`` is the paper's scale on the paper's datasets
(a data folder with ``shd/``, ``slmnist/mnist.npz`` and ``ptb/``) for a GPU or a cluster.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import numpy as np

from .configs import RECOMMENDED, RunConfig
from .initialisation import CONDITION_SETS

#: the paper's learning rates, half-decades from 1e-5 to 1e-2
LEARNING_RATES = tuple(float(f"{x:.3g}") for x in 10.0 ** np.arange(-5, -1.99, 0.5))
FIRING_RATES = (0.01, 0.1, 0.3, 0.5, 0.7, 0.9, 0.99)
SHAPE_VALUES = (0.25, 0.5, 0.75, 1.0, 1.25, 1.5)  # the paper's dampening and sharpness grid
TAIL_VALUES = tuple(float(f"{1 + x:.4g}") for x in 10.0 ** np.linspace(-2, 1.2, 10))
ALL_SGS = ("triangular", "exponential", "gaussian", "sigmoid", "fast_sigmoid", "rectangular", "q_pseudo_spike")


@dataclass(frozen=True)
class Preset:
    """The scale of every family."""

    name: str
    base: RunConfig                       # shared settings (epochs, hidden, ...)
    sg_lr_cases: tuple[tuple[str, str], ...]  # (task, model), ordered from simple to complex
    sgs: tuple[str, ...]
    learning_rates: tuple[float, ...]
    seeds: tuple[int, ...]
    ablation_seeds: tuple[int, ...]
    tuned_lr: float                       # the learning rate of the other families
    firing_rates: tuple[float, ...]
    firing_task: str
    ablation_task: str
    sweep_task: str
    dampening_values: tuple[float, ...]
    sharpness_values: tuple[float, ...]
    tail_values: tuple[float, ...]
    baseline_task: str
    baseline_lrs: tuple[float, ...]
    baseline_seeds: tuple[int, ...]
    needs_data: bool


PRESETS: dict[str, Preset] = {
    "quick": Preset(
        name="quick",
        base=RunConfig(epochs=8, hidden=64, batch_size=64),
        sg_lr_cases=(("digits", "lif"), ("randman", "lif"), ("digits", "lstm")),
        sgs=("triangular", "exponential", "gaussian", "fast_sigmoid"),
        learning_rates=LEARNING_RATES,
        seeds=(0,),
        ablation_seeds=(0, 1),
        tuned_lr=3.16e-3,
        firing_rates=FIRING_RATES,
        firing_task="digits",
        ablation_task="digits",
        sweep_task="digits",
        dampening_values=(0.25, 0.5, 1.0, 1.5, 2.0, 3.0),
        sharpness_values=SHAPE_VALUES,
        tail_values=TAIL_VALUES[::2],
        baseline_task="digits",
        baseline_lrs=(1e-3, 3.16e-3, 1e-2),
        baseline_seeds=(0, 1, 2),
        needs_data=False,
    ),
    "full": Preset(
        name="full",
        base=RunConfig(epochs=50, hidden=256, batch_size=100),
        sg_lr_cases=(("slmnist", "lif"), ("shd", "lif"), ("shd", "alif"), ("ptb", "lstm")),
        sgs=ALL_SGS,
        learning_rates=LEARNING_RATES,
        seeds=(0, 1, 2, 3),
        ablation_seeds=(0, 1, 2, 3),
        tuned_lr=1e-3,
        firing_rates=FIRING_RATES,
        firing_task="shd",
        ablation_task="shd",
        sweep_task="slmnist",
        dampening_values=SHAPE_VALUES + (2.0, 3.0),
        sharpness_values=SHAPE_VALUES,
        tail_values=TAIL_VALUES,
        baseline_task="slmnist",
        baseline_lrs=(1e-4, 3.16e-4, 1e-3, 3.16e-3),
        baseline_seeds=(0, 1, 2, 3),
        needs_data=True,
    ),
}

LOCAL_DATA = {"shd": "shd", "slmnist": "slmnist", "ptb": "ptb"}


def task_fields(preset: Preset, task: str, data_root: str | None) -> dict:
    if task not in LOCAL_DATA:
        return {"task": task}
    if not data_root:
        raise ValueError(f"preset={preset.name!r} trains on {task!r}: give the data folder (--data DIR, "
                         f"holding {', '.join(sorted(set(LOCAL_DATA.values())))}/)")
    return {"task": task, "data_path": str(Path(data_root) / LOCAL_DATA[task])}


def sg_lr(preset: Preset, data_root: str | None = None) -> list[RunConfig]:
    return [preset.base.replace(experiment="sg_lr", model=model, sg=sg, lr=lr, seed=seed,
                                **task_fields(preset, task, data_root))
            for (task, model), sg, lr, seed in itertools.product(
                preset.sg_lr_cases, preset.sgs, preset.learning_rates, preset.seeds)]


def firing_rate(preset: Preset, data_root: str | None = None) -> list[RunConfig]:
    return [preset.base.replace(experiment="firing_rate", lr=preset.tuned_lr, target_rate=rate,
                                sparsity_loss=loss, seed=seed, **task_fields(preset, preset.firing_task, data_root))
            for rate, loss, seed in itertools.product(preset.firing_rates, (False, True), preset.seeds)]


def ablation(preset: Preset, data_root: str | None = None) -> list[RunConfig]:
    return [preset.base.replace(experiment="ablation", sg="exponential", lr=preset.tuned_lr, conditions=name,
                                seed=seed, **task_fields(preset, preset.ablation_task, data_root))
            for name, seed in itertools.product(CONDITION_SETS, preset.ablation_seeds)]


def sweeps(preset: Preset, data_root: str | None = None) -> list[RunConfig]:
    base = preset.base.replace(experiment="sweeps", lr=preset.tuned_lr, **task_fields(preset, preset.sweep_task, data_root))
    runs = [base.replace(sg=sg, dampening=d, seed=s) for sg, d, s in
            itertools.product(("exponential", "fast_sigmoid"), preset.dampening_values, preset.seeds)]
    runs += [base.replace(sg="exponential", sharpness=b, seed=s)
             for b, s in itertools.product(preset.sharpness_values, preset.seeds)]
    runs += [base.replace(sg="q_pseudo_spike", tail=q, seed=s)
             for q, s in itertools.product(preset.tail_values, preset.seeds)]
    return runs


def baseline(preset: Preset, data_root: str | None = None) -> list[RunConfig]:
    """LIF (default initialisation, and lifstab's recommendation: :data:`.configs.RECOMMENDED`) against the GRU."""
    arms = [{"model": "lif"}, {"model": "gru"}, {"model": "lif", **RECOMMENDED}]
    return [preset.base.replace(experiment="baseline", lr=lr, seed=seed, epochs=2 * preset.base.epochs,
                                **arm, **task_fields(preset, preset.baseline_task, data_root))
            for arm, lr, seed in itertools.product(arms, preset.baseline_lrs, preset.baseline_seeds)]


#: family name -> grid builder(preset, data_root)
FAMILIES_OF_EXPERIMENTS: dict[str, Callable[[Preset, str | None], list[RunConfig]]] = {
    "sg_lr": sg_lr,
    "firing_rate": firing_rate,
    "ablation": ablation,
    "sweeps": sweeps,
    "baseline": baseline,
}


def grid(family: str, preset: str, data_root: str | None = None) -> list[RunConfig]:
    """The runs of one family at one preset's scale."""
    if family not in FAMILIES_OF_EXPERIMENTS:
        raise ValueError(f"family={family!r} is unknown; choose one of {list(FAMILIES_OF_EXPERIMENTS)}")
    if preset not in PRESETS:
        raise ValueError(f"preset={preset!r} is unknown; choose one of {list(PRESETS)}")
    return FAMILIES_OF_EXPERIMENTS[family](PRESETS[preset], data_root)
