"""Shared figure style: a colour-blind-safe palette and one way to save (PNG for the report, PDF for papers)."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

#: Okabe-Ito palette (colour-blind safe); the pale yellow last, as it reads poorly on white
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#000000", "#F0E442"]
LINESTYLES = ["-", "--", "-.", ":", (0, (5, 1)), (0, (3, 1, 1, 1)), (0, (1, 1)), "-"]

STYLE = {
    "figure.dpi": 110,
    "savefig.dpi": 200,
    "font.size": 9,
    "axes.titlesize": 10,
    "axes.labelsize": 9,
    "legend.fontsize": 8,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "grid.alpha": 0.3,
    "axes.prop_cycle": matplotlib.cycler(color=PALETTE),
    "pdf.fonttype": 42,
}
# experiments are the only users of matplotlib here, so the style is set once for all their figures
plt.rcParams.update(STYLE)


def style(i: int) -> dict:
    """Colour and line style of series ``i`` (both, so that figures survive greyscale printing)."""
    return {"color": PALETTE[i % len(PALETTE)], "linestyle": LINESTYLES[i % len(LINESTYLES)]}


def new_figure(nrows: int = 1, ncols: int = 1, width: float = 3.4, height: float = 2.6, **kwargs):
    """A figure of ``ncols x nrows`` panels, each ``width x height`` inches, in the project style."""
    return plt.subplots(nrows, ncols, figsize=(width * ncols, height * nrows), squeeze=False, **kwargs)


def save(fig, out_dir: Path | str, name: str) -> list[Path]:
    """Write ``name.png`` and ``name.pdf`` (vector) into ``out_dir``; close the figure."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = [out_dir / f"{name}.png", out_dir / f"{name}.pdf"]
    fig.tight_layout()
    for p in paths:
        fig.savefig(p)
    plt.close(fig)
    return paths
