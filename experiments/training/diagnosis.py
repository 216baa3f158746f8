"""Diagnosis during training: what each spiking layer does, epoch by epoch, on a fixed batch.

Per layer and epoch (:func:`diagnose`): the measured growth factor ``rho`` of the squared BPTT gradient
(the protocol of :mod:`lifstab.measure`: ``L = sum(v_T * r)`` on the layer's own inputs, autograd), the
``rho`` the dmft predictor gives from the current weights and one forward probe (no backward pass;
``predicted_rho``, at the layer's mean sharpness), the
firing rate and its spread over neurons (fractions silent: no spike on the batch; saturated: a spike
on more than :data:`SATURATED` of the steps), the norm of the task loss's gradient on the layer's
parameters, and ``||dL/dv_t||`` over ``t`` for the task loss. :class:`Diagnosis` appends them to
``diagnosis.csv`` and ``gradient_profile.csv`` as each epoch ends (nothing is lost when a run stops)
and :func:`plot_diagnosis` draws them. Every failure should show here as explosion (rho > 1, growing
gradient norms), vanishing, silent or saturated layers.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import torch

from lifstab import measure
from lifstab.edge_keeping import value_of

from .initialisation import spiking_layers
from .runner import append_rows

#: a neuron that spikes on more than this fraction of steps counts as saturated
SATURATED = 0.9
LAYER_FIELDS = ("epoch", "layer", "rho", "predicted_rho", "firing_rate", "silent", "saturated", "grad_norm", "sharpness", "dampening")
PROFILE_FIELDS = ("epoch", "layer", "t", "grad_v_norm")


def _layer_rho(layer, x: torch.Tensor, seed: int) -> float:
    if x.shape[0] < 16:
        return float("nan")
    g = measure.gradient_norms(layer, x.detach(), measure.readout((x.shape[1], layer.n_rec), seed, x.dtype, x.device))
    return float(measure.growth_factor(g))


def _predicted_rho(layer, x: torch.Tensor) -> float:
    """The dmft predictor's rho for ``layer`` on ``x`` at its current (mean) sharpness; NaN where it has no
    recurrent weights or ``x`` is shorter than the predictor's window."""
    from lifstab.edge_keeping import keepable
    from lifstab.stability import predicted_log_growth

    if x.shape[0] < 16 or not keepable(layer):
        return float("nan")
    with torch.no_grad():
        log_rho = predicted_log_growth(layer, x.detach(), [value_of(layer, "sharpness")], method="dmft")
    return float(np.exp(log_rho[0]))


def diagnose(model: torch.nn.Module, x: torch.Tensor, y: torch.Tensor, loss_fn, seed: int = 0,
             keep_gradients: bool = False) -> dict:
    """One diagnosis of ``model`` (encoder, spiking ``layers``, readout) on the batch ``(x, y)``.

    ``loss_fn(logits (T, B, n_out), y)`` is the task loss. Returns ``{"layers": [row per layer],
    "profiles": [(T,) array of ||dL/dv_t|| per layer]}`` (with ``keep_gradients``, also ``"gradients"``: the
    ``dL/dv_t`` tensors per layer); the model's ``.grad`` fields are not touched.
    """
    layers = spiking_layers(model)
    if not layers:
        raise ValueError("diagnose needs a model with lifstab spiking layers")
    h, inputs, voltages, spikes, params = model.encoder(x), [], [], [], []
    for layer in layers:
        inputs.append(h.detach())
        v, z, _ = measure.run_steps(layer, h, track=True)
        h = torch.stack(z)
        voltages.append(v)
        spikes.append(h.detach())
        params.append([p for p in layer.parameters() if p.requires_grad])
    wanted = [v for vs in voltages for v in vs] + [p for ps in params for p in ps]
    grads = iter(torch.autograd.grad(loss_fn(model.readout(h), y), wanted, allow_unused=True))
    rows, profiles, gradients = [], [], []
    for i, layer in enumerate(layers):
        profile = [torch.zeros_like(v) if g is None else g for v, g in zip(voltages[i], grads)]
        gradients.append(profile)
        profiles.append(np.array([float(g.norm()) for g in profile]))
    for i, layer in enumerate(layers):
        per_neuron = spikes[i].double().reshape(-1, layer.n_rec).mean(0)
        norms = [g.norm() for g in (next(grads) for _ in params[i]) if g is not None]
        rows.append(dict(layer=i, rho=_layer_rho(layer, inputs[i], seed),
                         predicted_rho=_predicted_rho(layer, inputs[i]), firing_rate=float(per_neuron.mean()),
                         silent=float((per_neuron == 0).double().mean()),
                         saturated=float((per_neuron > SATURATED).double().mean()),
                         grad_norm=float(torch.linalg.vector_norm(torch.stack(norms))) if norms else 0.0,
                         sharpness=value_of(layer, "sharpness"), dampening=value_of(layer, "dampening")))
    result = {"layers": rows, "profiles": profiles}
    return {**result, "gradients": gradients} if keep_gradients else result


class Diagnosis:
    """Diagnose a model once per epoch on a fixed batch and append the rows under ``folder``."""

    def __init__(self, folder: str | Path, x: torch.Tensor, y: torch.Tensor, loss_fn, seed: int = 0) -> None:
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)
        for name in ("diagnosis.csv", "gradient_profile.csv"):
            (self.folder / name).unlink(missing_ok=True)
        self.x, self.y, self.loss_fn, self.seed = x, y, loss_fn, seed

    def __call__(self, model: torch.nn.Module, epoch: int) -> list[dict]:
        result = diagnose(model, self.x, self.y, self.loss_fn, self.seed)
        rows = [{"epoch": epoch, **row} for row in result["layers"]]
        append_rows(self.folder / "diagnosis.csv", rows, LAYER_FIELDS)
        append_rows(self.folder / "gradient_profile.csv",
                    [{"epoch": epoch, "layer": i, "t": t, "grad_v_norm": float(g)}
                     for i, profile in enumerate(result["profiles"]) for t, g in enumerate(profile)], PROFILE_FIELDS)
        return rows


def plot_diagnosis(folder: str | Path) -> Path:
    """``diagnosis.png`` (and ``.pdf``) in ``folder`` from its two CSV files."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import pandas as pd

    folder = Path(folder)
    rows, profile = pd.read_csv(folder / "diagnosis.csv"), pd.read_csv(folder / "gradient_profile.csv")
    fig, axes = plt.subplots(1, 4, figsize=(16, 3.4))
    for layer, part in rows.groupby("layer"):
        line = axes[0].plot(part.epoch, part.rho, marker="o", label=f"layer {layer}")[0]
        if "predicted_rho" in part:  # rows written before the column existed have none
            axes[0].plot(part.epoch, part.predicted_rho, ls="--", color=line.get_color(),
                         label=f"layer {layer}, predicted (dmft)")
        axes[1].plot(part.epoch, part.firing_rate, marker="o", label=f"rate, layer {layer}")
        axes[1].plot(part.epoch, part.saturated, ls="--", label=f"saturated, layer {layer}")
        axes[1].plot(part.epoch, part.silent, ls=":", label=f"silent, layer {layer}")
        axes[2].semilogy(part.epoch, part.grad_norm, marker="o", label=f"layer {layer}")
    axes[0].axhline(1.0, color="k", lw=0.8)
    epochs = sorted(profile.epoch.unique())
    for epoch in {epochs[0], epochs[-1]}:
        for layer, part in profile[profile.epoch == epoch].groupby("layer"):
            axes[3].semilogy(part.t, part.grad_v_norm, label=f"epoch {epoch}, layer {layer}")
    titles = ("rho per step: measured, predicted", "firing rate, fractions", "task-loss gradient norm", "||dL/dv_t|| over t")
    for ax, title in zip(axes, titles):
        ax.set_title(title)
        ax.legend(fontsize=6)
    for ax in axes[:3]:
        ax.set_xlabel("epoch")
    axes[3].set_xlabel("t")
    fig.tight_layout()
    out = folder / "diagnosis.png"
    fig.savefig(out, dpi=110)
    fig.savefig(out.with_suffix(".pdf"))
    plt.close(fig)
    return out


__all__ = ["diagnose", "Diagnosis", "plot_diagnosis", "SATURATED", "LAYER_FIELDS", "PROFILE_FIELDS"]
