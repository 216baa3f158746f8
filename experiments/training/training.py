"""Train one network from a :class:`RunConfig` and return its result row."""

from __future__ import annotations

import math
import time
from dataclasses import asdict

import numpy as np
import torch
import torch.nn.functional as F

from lifstab import Surrogate, param_groups

from .configs import RunConfig
from .initialisation import PAPER_CLIP_NORM, PAPER_NEURON, initialise, spiking_layers
from .models import ModelOutput, build_model
from .tasks import Split, TaskData, load_task

#: the sparsity loss pulls the mean rate towards this (the paper's 0.01)
SPARSITY_TARGET = 0.01
BIAS_BISECTION_STEPS = 20
METRICS = ("test_accuracy", "val_accuracy", "final_test_accuracy", "test_loss", "firing_rate",
           "initial_firing_rate", "epochs_run", "diverged", "feasible", "seconds", "device")


def default_device() -> torch.device:
    """CUDA when present, else CPU: the same code runs on both."""
    return torch.device("cuda" if torch.cuda.is_available() else "cpu")


def sparsity_weight(epoch: int, epochs: int) -> float:
    """s(epoch): 0 until E/5, a linear ramp to 1 at 3E/5, then 1."""
    start, end = epochs / 5, 3 * epochs / 5
    return float(np.clip((epoch - start) / max(end - start, 1e-12), 0.0, 1.0))


def _loss_and_correct(out: ModelOutput, y: torch.Tensor, task: TaskData) -> tuple[torch.Tensor, int, int]:
    if task.is_language:
        logits = out.logits.reshape(-1, out.logits.shape[-1])
        y = y.reshape(-1)
    else:  # pool the readout over time (the task's last steps where it says so)
        logits = out.logits[-(task.readout_steps or len(out.logits)):].mean(0)
    loss = F.cross_entropy(logits, y)
    return loss, int((logits.argmax(-1) == y).sum()), y.numel()


def _batches(n: int, batch_size: int, rng: np.random.Generator | None):
    order = rng.permutation(n) if rng is not None else np.arange(n)
    return (order[i:i + batch_size] for i in range(0, n, batch_size))


@torch.no_grad()
def evaluate(model, task: TaskData, split: Split, batch_size: int, device) -> dict:
    """Accuracy, mean loss and mean firing rate over a split."""
    model.eval()
    loss_sum, correct, count, rates = 0.0, 0, 0, []
    for index in _batches(len(split.labels), max(batch_size, 256), None):
        x, y = task.batch(split, index, device)
        out = model(x)
        loss, c, n = _loss_and_correct(out, y, task)
        loss_sum += float(loss) * n
        correct, count = correct + c, count + n
        if out.firing_rate is not None:
            rates.append(float(out.firing_rate) * len(index))
    model.train()
    return {"accuracy": correct / count, "loss": loss_sum / count,
            "firing_rate": sum(rates) / len(split.labels) if rates else math.nan}


@torch.no_grad()
def pretrain_bias(model, task: TaskData, target_rate: float, batch_size: int, device, seed: int) -> None:
    """Set each spiking layer's bias so that its mean firing rate on a training batch is
    ``target_rate``, layer by layer (later layers see the calibrated spikes of earlier ones).

    The paper trains the biases on (rate - target)^2 by gradient descent; Adam on that loss stalls
    below high targets here (rates 0.6-0.7 for a 0.99 target), while the rate is monotone in a
    shared bias, so bisection reaches the same objective's minimum exactly.
    """
    layers = spiking_layers(model)
    if not layers or any(layer.bias is None for layer in layers):
        raise ValueError("target_rate needs a LIF or ALIF model whose layers have biases")
    rng = np.random.default_rng(seed)
    x, _y = task.batch(task.train, rng.choice(len(task.train.labels), batch_size), device)
    h = model.encoder(x)
    for layer in layers:
        scale = float(layer.threshold.mean())
        lo, hi = -10.0 * scale, 10.0 * scale
        for _ in range(BIAS_BISECTION_STEPS):
            mid = (lo + hi) / 2
            layer.bias.fill_(mid)
            lo, hi = (mid, hi) if float(layer(h).mean()) < target_rate else (lo, mid)
        layer.bias.fill_((lo + hi) / 2)
        h = layer(h)


def _diagnosis(folder, model, task: TaskData, config: RunConfig, device):
    """The per-epoch :class:`~.diagnosis.Diagnosis` on a fixed training batch (None without a folder);
    it diagnoses the initialised network at once, as epoch 0."""
    if folder is None:
        return None
    from .diagnosis import Diagnosis

    if not spiking_layers(model):
        raise ValueError(f"diagnose needs a spiking model (lif or alif), not model={config.model!r}")
    index = np.random.default_rng(config.seed + 1).choice(len(task.train.labels), min(32, len(task.train.labels)),
                                                         replace=False)
    x, y = task.batch(task.train, index, device)
    doctor = Diagnosis(folder, x, y, lambda logits, labels: _loss_and_correct(ModelOutput(logits, []), labels, task)[0],
                       seed=config.seed)
    doctor(model, 0)
    return doctor


def _surrogate(config: RunConfig) -> Surrogate:
    return Surrogate(config.sg, dampening=config.dampening, sharpness=config.sharpness, tail=config.tail)


def setup(config: RunConfig, device: torch.device | str = "cpu"):
    """The task, the (untrained, default-initialised) model, one training batch and the run's
    generator, all determined by the config."""
    task = load_task(config.task, config.time_steps, config.max_samples, config.data_path, config.delay)
    neuron = {"tau": config.tau, "threshold": config.threshold}
    if config.init == "paper":
        neuron = PAPER_NEURON
    if config.readout != "linear":
        neuron = {**neuron, "readout": config.readout}
    model = build_model(config.model, task.n_in, config.hidden, task.n_out, layers=config.layers,
                        surrogate=_surrogate(config), vocabulary=task.is_language, seed=config.seed,
                        **neuron).to(device)
    rng = np.random.default_rng(config.seed)
    sample, _ = task.batch(task.train, rng.choice(len(task.train.labels), config.batch_size), device)
    return task, model, sample, rng


def predicted_shape(config: RunConfig) -> dict:
    """The conditions' dampening (III), sharpness (IV, exponential) and tail (IV, q-PseudoSpike) for
    the first layer of ``config``'s network (default weights), averaged over neurons: the values the
    sweeps mark. A value is None where the condition has no solution."""
    from .initialisation import recommend_first_layer

    _, model, sample, _ = setup(config.replace(sg="exponential", tail=None))
    rec = recommend_first_layer(model, sample, "exponential")
    tail = recommend_first_layer(model, sample, "q_pseudo_spike", tail=None)
    dampening = rec.dampening_mean
    return {"dampening": dampening if math.isfinite(dampening) else None, "sharpness": rec.sharpness_mean,
            "tail": tail.tail}


def optimiser(model: torch.nn.Module, config: RunConfig) -> torch.optim.Optimizer:
    """Adam at ``config.lr`` (the paper's AdamW without weight decay for ``init="paper"``, docs/theory.md
    section 8); the recurrent weights of the spiking layers at ``lr * recurrent_lr_scale`` (frozen at 0)."""
    groups = param_groups(model, config.lr, config.recurrent_lr_scale)
    if config.init == "paper":
        return torch.optim.AdamW(groups, lr=config.lr, weight_decay=0.0)
    return torch.optim.Adam(groups, lr=config.lr)


def edge_keeper(model: torch.nn.Module, config: RunConfig):
    """The :class:`lifstab.EdgeKeeper` of a run with ``target_rho`` (None without). With ``init="recommended"``
    it never re-sets the sharpness below the layers' own (``config.sharpness``), as ``stable_init_``'s
    keeper does (``never_wider``, :data:`lifstab.recipe.RECIPE`)."""
    from lifstab.edge_keeping import EdgeKeeper
    from lifstab.recipe import RECIPE

    if config.target_rho is None:
        return None
    floor = (config.sharpness if config.init == "recommended" and RECIPE.never_wider
             and config.keep_knob == "sharpness" else None)
    return EdgeKeeper(spiking_layers(model), target_rho=config.target_rho, every=config.keep_every,
                      knob=config.keep_knob, sharpness_floor=floor)


def gradients_finite(model: torch.nn.Module) -> bool:
    """Whether every gradient of ``model`` is finite. A training loop checks it after ``backward()``: the
    first step with an inf or NaN gradient is not taken, so the model keeps its last finite weights and the
    run is recorded as diverged (the next forward pass would otherwise fail on NaN weights)."""
    return all(bool(torch.isfinite(p.grad).all()) for p in model.parameters() if p.grad is not None)


def train(config: RunConfig, device: torch.device | str | None = None, progress: bool = False,
          diagnose: str | None = None) -> dict:
    """Train one network; the row holds the config, ``run_id`` and :data:`METRICS`.

    ``test_accuracy`` is measured at the epoch of best validation accuracy. A non-finite loss stops
    training and marks the run ``diverged`` (its metrics are those of the best epoch before, or of
    the untrained network). ``diagnose``: a folder for the per-epoch diagnosis (:mod:`.diagnosis`:
    CSV files and ``diagnosis.png``; epoch 0 is the initialised network).
    """
    start = time.perf_counter()
    device = torch.device(device) if device is not None else default_device()
    torch.manual_seed(config.seed)
    task, model, sample, rng = setup(config, device)
    notes = initialise(model, config.init, config.conditions, sample, config.seed)
    if config.target_rate is not None:
        pretrain_bias(model, task, config.target_rate, config.batch_size, device, config.seed)
    initial = evaluate(model, task, task.val, config.batch_size, device)
    best = {"val": initial["accuracy"], "test": evaluate(model, task, task.test, config.batch_size, device)}
    opt, keeper = optimiser(model, config), edge_keeper(model, config)
    doctor = _diagnosis(diagnose, model, task, config, device)
    diverged, epochs_run = False, 0
    epochs = range(config.epochs)
    if progress:
        from tqdm.auto import tqdm
        epochs = tqdm(epochs, desc=f"{config.model} on {config.task}", unit="epoch")
    for epoch in epochs:
        weight = sparsity_weight(epoch, config.epochs) if config.sparsity_loss else 0.0
        for index in _batches(len(task.train.labels), config.batch_size, rng):
            x, y = task.batch(task.train, index, device)
            if keeper is not None:
                keeper.step(model.encoder(x))
            out = model(x)
            loss, _, _ = _loss_and_correct(out, y, task)
            if weight > 0:
                loss = loss + weight * (out.firing_rate - SPARSITY_TARGET) ** 2
            if not torch.isfinite(loss):
                diverged = True
                break
            opt.zero_grad()
            loss.backward()
            if not gradients_finite(model):  # the step would write NaN into the weights: end before it
                diverged = True
                break
            if config.init == "paper":
                torch.nn.utils.clip_grad_norm_(model.parameters(), PAPER_CLIP_NORM)
            opt.step()
        if diverged:
            break
        epochs_run += 1
        if doctor is not None:
            doctor(model, epochs_run)
        val = evaluate(model, task, task.val, config.batch_size, device)
        if val["accuracy"] > best["val"]:
            best = {"val": val["accuracy"], "test": evaluate(model, task, task.test, config.batch_size, device)}
    final = evaluate(model, task, task.test, config.batch_size, device)
    if doctor is not None:
        from .diagnosis import plot_diagnosis

        plot_diagnosis(doctor.folder)
    row = {**asdict(config), "run_id": config.run_id}
    row.update(test_accuracy=best["test"]["accuracy"], val_accuracy=best["val"],
               final_test_accuracy=final["accuracy"], test_loss=final["loss"],
               firing_rate=final["firing_rate"], initial_firing_rate=initial["firing_rate"],
               epochs_run=epochs_run, diverged=diverged, feasible=notes.get("feasible"),
               seconds=round(time.perf_counter() - start, 3), device=str(device))
    return row
