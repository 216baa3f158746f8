"""Theory figures, computed from the generated kernels alone (no simulation): ``lifstab plots``."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import matplotlib
import numpy as np

from lifstab import FAMILIES, Surrogate

from .figures import new_figure, save, style


def sg_families(out_dir: Path) -> list[Path]:
    """Every SG family at dampening 1 and sharpness 1 (equal peak and area), and |SG| on a log scale."""
    u = np.linspace(-4, 4, 2001)
    fig, axes = new_figure(1, 2, width=3.6)
    ax, ax_log = axes[0]
    for i, name in enumerate(FAMILIES):
        sg = Surrogate(name, tail=2.0 if FAMILIES[name].has_tail else None)
        values = sg.numpy(u)
        label = name + (" (q=2)" if sg.tail else "")
        ax.plot(u, values, label=label, **style(i))
        ax_log.semilogy(u[u >= 0], np.maximum(values[u >= 0], 1e-12), **style(i))
    ax.set(xlabel="centred voltage u = v - threshold", ylabel="SG(u)", title="dampening 1, sharpness 1 (area 1)")
    ax_log.set(xlabel="u", ylabel="SG(u), log scale", ylim=(1e-6, 2), title="tails (q=2 coincides with fast_sigmoid)")
    ax.legend(frameon=False, loc="upper left", fontsize=6, handlelength=1.8)
    return save(fig, out_dir, "sg_families")


def tail_family(out_dir: Path) -> list[Path]:
    """q-PseudoSpike over its tail q (the paper's grid), with the exponential limit q -> infinity."""
    u = np.linspace(0, 6, 1201)
    tails = 1 + 10 ** np.linspace(-2, 1.2, 10)
    fig, axes = new_figure(1, 1, width=4.2, height=3.0)
    ax = axes[0][0]
    cmap = matplotlib.colormaps["viridis"]
    for i, q in enumerate(tails):
        ax.semilogy(u, Surrogate("q_pseudo_spike", tail=q).numpy(u), color=cmap(i / (len(tails) - 1)),
                    label=f"q = {q:.3g}")
    ax.semilogy(u, Surrogate("exponential").numpy(u), color="black", linestyle="--", label="exponential (q → ∞)")
    ax.set(xlabel="centred voltage u", ylabel="SG(u) (dampening 1, sharpness 1)", ylim=(1e-5, 1.5),
           title="q-PseudoSpike: fatter tails as q → 1")
    ax.legend(frameon=False, fontsize=6, ncol=2)
    return save(fig, out_dir, "sg_tail_family")


def expected_sg_squared(out_dir: Path) -> list[Path]:
    """E[SG^2] against sharpness for every family under the two voltage assumptions of the theory."""
    from lifstab.expectations import gaussian_moment, uniform_moment

    beta = np.logspace(-2, 2, 200)
    threshold = 1.0
    fig, axes = new_figure(1, 2, width=3.6)
    panels = [
        ("uniform voltage on [-1, 3] (threshold 1)", lambda f, q: uniform_moment(f, 2, -1.0, 3.0, threshold, 1.0, beta, q)),
        ("Gaussian voltage N(1, 1) (mean at threshold)", lambda f, q: gaussian_moment(f, 2, 1.0, 1.0, threshold, 1.0, beta, q)),
    ]
    for ax, (title, moment) in zip(axes[0], panels):
        for i, name in enumerate(FAMILIES):
            q = 2.0 if FAMILIES[name].has_tail else None
            ax.loglog(beta, moment(name, q), label=name + (" (q=2)" if q else ""), **style(i))
        ax.set(xlabel="sharpness beta", ylabel="E[SG^2] (dampening 1)", title=title, ylim=(1e-4, 1.5))
        ax.title.set_fontsize(8)
    axes[0][0].legend(frameon=False, fontsize=6, loc="lower left")
    return save(fig, out_dir, "expected_sg_squared")


def _mean_field_layer(n_rec, tau, threshold, reset="subtractive", n_in=100, input_rate=0.1, variant="exact"):
    """Expected weight sums of a layer whose recurrent weights follow Conditions I and II
    (W ~ N(mu, sigma^2), U ~ N(0, 1/n_in)), as the theory's formulas take them."""
    from scipy.stats import norm

    from lifstab.conditions import conditions_i_and_ii, voltage_bounds

    decay = np.exp(-1.0 / tau)
    var_u = 1.0 / n_in
    first = conditions_i_and_ii(n_in, n_rec, decay, threshold, reset, variant, input_mean=input_rate,
                                input_var=input_rate * (1 - input_rate), input_weight_variance=var_u)
    mu, sigma = first.recurrent_mean, np.sqrt(max(first.recurrent_variance, 0.0))
    positive = mu * norm.cdf(mu / sigma) + sigma * norm.pdf(mu / sigma) if sigma > 0 else max(mu, 0.0)
    p_sum, n_sum = (n_rec - 1) * positive, (n_rec - 1) * (mu - positive)
    u_pos = n_in * np.sqrt(var_u) * norm.pdf(0.0)
    y_min, y_max = voltage_bounds(decay, threshold, p_sum, n_sum, u_pos, -u_pos, reset)
    return decay, mu, sigma, p_sum, n_sum, (n_rec - 1) * (mu ** 2 + sigma ** 2), y_min, y_max


def critical_sharpness_vs_layer(out_dir: Path) -> list[Path]:
    """Condition IV's sharpness (paper form, worst-case uniform voltage, dampening 1) against layer size,
    membrane time constant and threshold, per family; gaps where it has no root."""
    from lifstab.conditions import condition_iv

    base = {"n_rec": 256, "tau": 20.0, "threshold": 0.1}
    sweeps = [("n_rec", np.unique(np.logspace(np.log10(16), np.log10(2048), 15).astype(int)), "neurons n"),
              ("tau", np.logspace(np.log10(2), 2, 15), "membrane time constant tau (steps)"),
              ("threshold", np.logspace(-2, 0, 15), "threshold theta")]
    fig, axes = new_figure(1, 3, width=3.2)
    for ax, (key, values, xlabel) in zip(axes[0], sweeps):
        for i, name in enumerate(FAMILIES):
            betas = []
            for value in values:
                args = dict(base, **{key: value})
                args["n_rec"] = int(args["n_rec"])
                decay, _, _, _, _, square_sum, y_min, y_max = _mean_field_layer(**args)
                q = 2.0 if FAMILIES[name].has_tail else None
                res = condition_iv(name, "subtractive", "paper", True, decay, args["threshold"], square_sum,
                                   y_min, y_max, 1.0, tail=q)
                betas.append(float(res.value) if bool(res.feasible) else np.nan)
            ax.loglog(values, betas, marker=".", label=name, **style(i))
        ax.set(xlabel=xlabel, ylabel="Condition IV sharpness (paper)")
    low, high = axes[0][2].get_ylim()
    axes[0][2].set_ylim(low, high * 4)  # head room for the legend
    axes[0][2].legend(frameon=False, fontsize=6, loc="upper left", ncol=2)
    fig.suptitle("Condition IV's sharpness (subtractive, dampening 1; base: n 256, tau 20, theta 0.1; "
                 "gaps: no root)", fontsize=8)
    return save(fig, out_dir, "critical_sharpness_vs_layer")


def conditions_vs_layer_size(out_dir: Path) -> list[Path]:
    """Conditions I (weight mean), II (weight std) and III (dampening) against layer size, every reset."""
    from lifstab.conditions import condition_iii
    from lifstab.lif import RESETS

    sizes = np.unique(np.logspace(np.log10(16), np.log10(2048), 20).astype(int))
    fig, axes = new_figure(1, 3, width=3.2)
    for i, reset in enumerate(RESETS):
        rows = np.array([_mean_field_layer(int(n), 20.0, 0.1, reset)[:5] for n in sizes])
        decay, mu, sigma, p_sum, n_sum = rows.T
        dampening = condition_iii(decay, 0.1, p_sum, n_sum, reset)
        for ax, values in zip(axes[0], (mu, sigma, dampening)):
            ax.loglog(sizes, np.abs(values), label=reset, **style(i))
    for ax, label in zip(axes[0], ("I: |recurrent weight mean|", "II: recurrent weight std",
                                   "III: dampening")):
        ax.set(xlabel="neurons n", ylabel=label)
    axes[0][0].legend(frameon=False, fontsize=6)
    fig.suptitle("Conditions I-III (exact variant) for tau 20, threshold 0.1, 100 inputs at rate 0.1",
                 fontsize=8)
    return save(fig, out_dir, "conditions_vs_layer_size")


#: figure name -> function(out_dir) -> paths; `lifstab plots` draws them all
FIGURES: dict[str, Callable[[Path], list[Path]]] = {
    "sg_families": sg_families,
    "sg_tail_family": tail_family,
    "expected_sg_squared": expected_sg_squared,
    "critical_sharpness_vs_layer": critical_sharpness_vs_layer,
    "conditions_vs_layer_size": conditions_vs_layer_size,
}


def draw_all(out_dir: Path | str, names: list[str] | None = None) -> list[Path]:
    """Draw the named theory figures (all by default) into ``out_dir``."""
    unknown = sorted(set(names or []) - set(FIGURES))
    if unknown:
        raise ValueError(f"figure names {unknown} unknown; choose from {sorted(FIGURES)}")
    paths: list[Path] = []
    for name in names or FIGURES:
        paths += FIGURES[name](Path(out_dir))
    return paths
