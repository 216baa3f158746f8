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


#: figure name -> function(out_dir) -> paths; `lifstab plots` draws them all
FIGURES: dict[str, Callable[[Path], list[Path]]] = {
    "sg_families": sg_families,
    "sg_tail_family": tail_family,
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
