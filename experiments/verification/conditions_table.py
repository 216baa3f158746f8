"""Conditions I-IV (docs/theory.md section 4), predicted against measured, both variants, every reset.

For each reset and variant: the recurrent weights are drawn from Conditions I (mean) and II (variance),
the layer is run on Bernoulli inputs, and the quantity each condition targets is measured:

* I: the mean voltage (at threshold in the closed form) and the firing rate (1/2; the exact variant
  solves the multiplicative resets for the rate itself, 0.475 for multiplicative_1: lifstab.firing_rate);
* II: the recurrent current variance against the input current variance (predicted equal);
* III: with Condition III's per-neuron dampening, the largest row sum of the one-step Jacobian over the
  sampled steps (the condition sets the worst-case transition gain to 1);
* IV: with the sharpness solved from Condition IV (worst-case uniform voltage, dampening 1), the mean
  Jacobian-row second moment (predicted 1) and the BPTT growth factor rho (the edge: 1).

    python -m lifstab_experiments.verification.conditions_table --out results/conditions

Every formula comes from the generated kernels, through ``lifstab.conditions``.
"""

from __future__ import annotations

import argparse
import csv
import json
import math
from pathlib import Path

import matplotlib.lines  # the legend handle of the prediction line
import numpy as np
import torch

from lifstab import measure
from lifstab.conditions import condition_iii, conditions_i_and_ii
from lifstab.lif import RESETS, RecurrentLIF
from lifstab.stability import condition_iv_log_growth, find_log_root
from lifstab.surrogates import Surrogate

from .probes import current_stats

VARIANTS = ("paper", "exact")


def _layer(reset, n_in, n_rec, tau, threshold, mean, std, surrogate, seed):
    gen = torch.Generator().manual_seed(seed)
    layer = RecurrentLIF(n_in, n_rec, tau=tau, threshold=threshold, reset=reset, surrogate=surrogate, bias=False,
                         dtype=torch.float64)
    with torch.no_grad():
        layer.w_in.copy_(torch.randn(n_in, n_rec, generator=gen, dtype=torch.float64) / math.sqrt(n_in))
        w = torch.randn(n_rec, n_rec, generator=gen, dtype=torch.float64) * std + mean
        layer.w_rec.copy_(w * layer.rec_mask)
    return layer


def condition_row(reset: str, variant: str, n_in: int = 100, n_rec: int = 256, tau: float = 20.0,
                  threshold: float = 1.0, input_rate: float = 0.2, family: str = "fast_sigmoid", T: int = 300,
                  batch: int = 16, seed: int = 0, jacobian_steps=None) -> dict:
    """Predicted and measured quantities of Conditions I-IV for one reset and variant (Jacobian
    statistics over ``jacobian_steps``, 1-indexed; default: 10 steps over the second half)."""
    alpha = math.exp(-1.0 / tau)
    first = conditions_i_and_ii(n_in, n_rec, alpha, threshold, reset, variant, input_mean=input_rate,
                                input_var=input_rate * (1 - input_rate), input_weight_variance=1.0 / n_in)
    mean, variance = first.recurrent_mean, first.recurrent_variance
    row = {"reset": reset, "variant": variant, "I_form": first.form, "I_target_rate": first.target_rate,
           "I_recurrent_mean": mean, "II_recurrent_variance": variance, "II_feasible": variance >= 0}
    tail = 2.0 if family == "q_pseudo_spike" else None
    layer = _layer(reset, n_in, n_rec, tau, threshold, mean, math.sqrt(max(variance, 0.0)),
                   Surrogate(family, 1.0, 1.0, tail), seed)
    gen = torch.Generator().manual_seed(seed + 1)
    x = (torch.rand(T, batch, n_in, generator=gen, dtype=torch.float64) < input_rate).double()
    traj = measure.record(layer, x)
    burn_in = T // 3
    cs = current_stats(layer, x, traj, burn_in)
    # the closed form puts the mean voltage at threshold; the firing-rate form predicts the rate only
    row.update(I_predicted_mean_voltage=threshold if first.form == "closed_form" else float("nan"),
               I_measured_mean_voltage=float(traj.voltages[burn_in:].mean()),
               I_predicted_firing_rate=first.target_rate, I_measured_firing_rate=cs.firing_rate,
               II_input_current_variance=cs.input_variance, II_recurrent_current_variance=cs.recurrent_variance,
               II_measured_ratio=cs.recurrent_variance / cs.input_variance)
    w_rec = layer.recurrent_weight().detach().numpy()
    positive, negative = np.clip(w_rec, 0, None).sum(0), np.clip(w_rec, None, 0).sum(0)
    dampening = condition_iii(alpha, threshold, positive, negative, reset)
    usable = np.isfinite(dampening) & (dampening > 0)
    row["III_dampening_mean"] = float(np.mean(dampening[usable])) if usable.any() else float("nan")
    row["III_feasible_fraction"] = float(usable.mean())
    if usable.all():
        layer.surrogate = Surrogate(family, torch.as_tensor(dampening), 1.0, tail)
        row.update(III_predicted_gain=1.0, III_measured_max_row_sum=measure.jacobian_stats(layer, traj, jacobian_steps).max_row_sum)
    layer.surrogate = Surrogate(family, 1.0, 1.0, tail)
    root, reason, _ = find_log_root(lambda b: condition_iv_log_growth(layer, b, variant).numpy())
    row.update(IV_sharpness=root, IV_reason=reason)
    if root is not None:
        layer.surrogate = Surrogate(family, 1.0, root, tail)
        r = measure.readout((batch, n_rec), seed)
        g = measure.gradient_norms_over_sharpness(layer, traj, [root], r)[0]
        row.update(IV_predicted_row_second_moment=1.0,
                   IV_measured_row_second_moment=measure.jacobian_stats(layer, traj, jacobian_steps).row_second_moment,
                   IV_measured_rho=float(measure.growth_factor(g)))
    return row


#: (panel title, measured key, predicted value or key)
PANELS = (
    ("I: firing rate", "I_measured_firing_rate", 0.5),
    ("II: recurrent / input current variance", "II_measured_ratio", 1.0),
    ("III: largest Jacobian row sum", "III_measured_max_row_sum", 1.0),
    ("IV: Jacobian row second moment", "IV_measured_row_second_moment", 1.0),
)


def plot(rows: list[dict], path: Path) -> Path:
    """Measured value per reset and variant (bars; paper and exact variants in two colours) against
    the condition's prediction (line). Writes ``path`` (PNG) and the same name as PDF."""
    from matplotlib.patches import Patch

    from ..report.figures import PALETTE, new_figure, save

    fig, axes = new_figure(1, 4, width=3.6, height=3.2)
    labels = [r["reset"] for r in rows]
    colours = {"paper": PALETTE[0], "exact": PALETTE[1]}
    for ax, (title, key, predicted) in zip(axes[0], PANELS):
        values = [float(r.get(key) if r.get(key) is not None else np.nan) for r in rows]
        ax.bar(range(len(rows)), values, color=[colours[r["variant"]] for r in rows],
               hatch=None, edgecolor="white")
        ax.axhline(predicted, color="k", lw=1)
        for i, value in enumerate(values):
            if not np.isfinite(value):
                ax.text(i, 0.02 * predicted, "no root", rotation=90, ha="center", va="bottom", fontsize=6)
        ax.set_xticks(range(len(rows)), labels, rotation=90, fontsize=7)
        ax.set_title(title, fontsize=9)
        ax.set_ylabel("measured")
    axes[0][0].legend(handles=[Patch(color=c, label=f"{v} variant") for v, c in colours.items()]
                      + [matplotlib.lines.Line2D([], [], color="k", lw=1, label="predicted")],
                      frameon=False, fontsize=7)
    path = Path(path)
    save(fig, path.parent, path.stem)
    return path


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m lifstab_experiments.verification.conditions_table",
                                     description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="results/conditions")
    parser.add_argument("--family", default="fast_sigmoid")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    torch.set_num_threads(1)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    rows = [condition_row(reset, variant, family=args.family, seed=args.seed) for reset in RESETS for variant in VARIANTS]
    fields = sorted({k for r in rows for k in r}, key=lambda k: (k[:3], k))
    fields = ["reset", "variant"] + [f for f in fields if f not in ("reset", "variant")]
    with (out / "conditions.csv").open("w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=fields)
        writer.writeheader()
        writer.writerows(rows)
    (out / "conditions.json").write_text(json.dumps(rows, indent=1, default=str))
    plot(rows, out / "conditions.png")
    for r in rows:
        print(f"{r['reset']:<17}{r['variant']:<6} I: v {r['I_measured_mean_voltage']:+.3f} (pred {r['I_predicted_mean_voltage']:g}),"
              f" rate {r['I_measured_firing_rate']:.3f} (pred {r['I_predicted_firing_rate']:g}) | II: rec/in var {r['II_measured_ratio']:.3f} (pred 1)"
              f" | III: max row sum {r.get('III_measured_max_row_sum', float('nan')):.3f} (pred 1)"
              f" | IV: beta {r['IV_sharpness'] or float('nan'):.4g}, row 2nd moment"
              f" {r.get('IV_measured_row_second_moment', float('nan')):.3f} (pred 1), rho {r.get('IV_measured_rho', float('nan')):.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
