"""A census of the dmft edge predictor (issue 15, item 5): measured against predicted ``beta_c`` on a
random grid over every kind of network the predictor claims, one committed table.

Kinds (``--kinds``, indices cycle through them so that every kind gets every family):

* ``lif``: one LIF layer, reset gradient detached;
* ``attached``: one LIF layer, reset gradient attached;
* ``alif``: one ALIF layer (adaptive threshold), reset detached or attached (alternating);
* ``stack``: two LIF layers (reset detached), layer 1 driven by layer 0's spikes, layer ``k`` drawn with
  seed ``S + k`` as ``lifstab edge CONFIG0 CONFIG1`` does.

Every surrogate family and every reset variant with a reset term (``subtractive``, ``multiplicative_1``,
``multiplicative_2``) cycle within each kind; half of the configurations are *dense*
(:func:`.edge_attached.lif_config`'s ranges: threshold 0.1-1, input rate 0.05-0.3) and half *sparse*
(threshold 0.5-2, input rate 0.01-0.05; the firing rate actually reached is in the CSV).

*Measured* is the float64 BPTT recursion replayed on the recorded forward passes, ``ln rho`` averaged over
the seeds (:func:`.edge_attached.measured_edge`, equal to autograd). *Predicted* is the ``dmft`` method on
the same forward passes (probes pooled over the seeds, no backward pass). For a **stack** there is no
whole-stack measuring function: its through-time Jacobian is block triangular (:mod:`lifstab.edge_stack`),
so *measured* is each layer's replayed recursion on the inputs it receives in the stack (layer 0: the
Bernoulli inputs; layer 1: layer 0's recorded spikes), and the stack's edge is the larger of the two
layers' (the layer that sets it is ``limiting``); *predicted* is the same rule applied to each layer's dmft
prediction on the same inputs (with one seed, :func:`lifstab.stability.critical_sharpness` on the list of
layers). A stack with a layer without a root has no edge (``None``).

    python -m lifstab_experiments.verification.edge_census --out experiments/edge_census_results --configs 100

Each finished configuration is appended to ``census.csv`` at once; a rerun skips the indices already
there (the grid is fixed by ``--configs`` and ``--grid-seed``). ``summary.csv``/``summary.md`` (per kind
and family), ``summary_firing.csv`` (per kind and firing rate reached; also in ``summary.md``) and
``predicted_vs_measured.png`` are rewritten from the CSV at the end of every run.
"""

from __future__ import annotations

import argparse
import math
import time
from pathlib import Path

import numpy as np
import torch
from tqdm import tqdm

from lifstab import measure
from lifstab.edge_stack import stack_inputs
from lifstab.protocol import build, config_from_dict

from .edge_attached import RESETS, error_stats, layers_for, lif_config, log_uniform, measured_edge, one_row, predicted_edge
from .edge_study import FAMILY_ORDER, as_float, append_row, load_rows

KINDS = ("lif", "attached", "alif", "stack")
REGIMES = ("dense", "sparse")
#: |ln(pred / measured)| the issue's bar allows
BAR = 0.1
FIELDS = ["index", "kind", "family", "reset", "detach_reset", "regime", "n_rec", "tau", "thr", "input_rate",
          "dampening", "q", "adaptation_tau", "adaptation_strength", "firing_rate", "measured_beta_c",
          "predicted_beta_c", "ln_ratio", "limiting", "layer_measured", "layer_predicted", "seconds"]


def draw_config(rng, family: str, regime: str, T: int, batch: int, n_in: int | None = None) -> dict:
    """:func:`.edge_attached.lif_config`, made sparse (threshold 0.5-2, input rate 0.01-0.05) when asked;
    ``n_in`` fixes the input count (a stack's upper layer)."""
    cfg = lif_config(rng, family, T, batch)
    if n_in is not None:
        resize(cfg, cfg["n_rec"], n_in)
    if regime == "sparse":
        cfg.update(thr=log_uniform(rng, 0.5, 2.0), input_rate=float(rng.uniform(0.01, 0.05)))
    return cfg


def census_configs(count: int, grid_seed: int = 0, T: int = 250, batch: int = 8,
                   n_rec: int | None = None) -> list[dict]:
    """``count`` census entries ``{"index", "kind", "family", "reset", "detach_reset", "regime", "configs"}``
    (``configs``: one CONFIG per layer). Kinds cycle with the index; within a kind, families (7), regimes
    (2) and reset variants (3) cycle, and an ALIF layer's reset mode alternates every second entry.
    ``n_rec`` overrides every layer's size (weights rescaled to keep ``c / sqrt(fan-in)``; quick runs)."""
    rng = np.random.default_rng(grid_seed)
    entries = []
    for index in range(count):
        kind, j = KINDS[index % len(KINDS)], index // len(KINDS)
        family, regime, reset = FAMILY_ORDER[j % len(FAMILY_ORDER)], REGIMES[j % 2], RESETS[j % len(RESETS)]
        detach = {"lif": True, "attached": False, "alif": (j // 2) % 2 == 0, "stack": True}[kind]
        cfg = draw_config(rng, family, regime, T, batch)
        configs = [cfg]
        if kind == "alif":
            cfg.update(adaptation_tau=log_uniform(rng, 50, 500), adaptation_strength=log_uniform(rng, 0.02, 2.0))
        if kind == "stack":
            configs.append(draw_config(rng, family, regime, T, batch, n_in=cfg["n_rec"]))
        if n_rec:
            for k, layer_cfg in enumerate(configs):
                resize(layer_cfg, n_rec, n_in=n_rec if k else None)
        entries.append(dict(index=index, kind=kind, family=family, reset=reset, detach_reset=detach, regime=regime,
                            configs=configs))
    return entries


def resize(cfg: dict, n_rec: int, n_in: int | None = None) -> None:
    """Set ``n_rec`` (and ``n_in``) in place, rescaling the weights' standard deviations by their fan-in."""
    n_in = cfg["n_in"] if n_in is None else n_in
    cfg.update(w_rec_std=cfg["w_rec_std"] * math.sqrt(cfg["n_rec"] / n_rec),
               w_in_std=cfg["w_in_std"] * math.sqrt(cfg["n_in"] / n_in), n_rec=n_rec, n_in=n_in)


def stack_runs(configs: list[dict], reset: str, seeds) -> list[list[tuple]]:
    """Per layer, the runs ``(layer, inputs, readout, trajectory)`` over ``seeds``: layer ``k`` built with
    seed ``S + k``, driven by the spikes of the layer below (:func:`lifstab.edge_stack.stack_inputs`)."""
    per_layer: list[list[tuple]] = [[] for _ in configs]
    for seed in seeds:
        built = [build(config_from_dict(cfg), seed + k) for k, cfg in enumerate(configs)]
        for layer, _, _ in built:
            layer.reset = reset
        inputs = stack_inputs([layer for layer, _, _ in built], built[0][1])
        for runs, (layer, _, r), x in zip(per_layer, built, inputs):
            runs.append((layer, x, r, measure.record(layer, x)))
    return per_layer


def add_census_arguments(parser) -> None:
    """The options of a module that rebuilds a committed census's rows: ``--census`` (its CSV), ``--seeds``,
    ``--threads`` and the grid's ``--T``, ``--batch`` and ``--n-rec`` (this module's options)."""
    parser.add_argument("--census", default="experiments/edge_census_results/census.csv")
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1], help="the census's seeds")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--T", type=int, default=250, help="the census's grid (edge_census's options)")
    parser.add_argument("--batch", type=int, default=8)
    parser.add_argument("--n-rec", type=int, default=None)


def read_census(args) -> tuple[dict[int, dict], list[dict]]:
    """From :func:`add_census_arguments`' options: the census's rows by index and the grid's entries
    (:func:`census_configs`); sets the thread count. A missing or empty ``--census`` ends the run, named."""
    rows = {int(r["index"]): r for r in load_rows(Path(args.census))}
    if not rows:
        raise SystemExit(f"--census: no such file or no rows: {args.census}")
    torch.set_num_threads(args.threads)
    return rows, census_configs(max(rows) + 1, T=args.T, batch=args.batch, n_rec=args.n_rec)


def limiting_runs(entry: dict, census_row: dict, seeds, by: str = "measured") -> list[tuple]:
    """The runs ``(layer, inputs, readout, trajectory)`` over ``seeds`` of the layer whose edge the census
    row reports: a single layer's, or the stack's layer that limits its ``by`` ("measured"/"predicted") edge."""
    if entry["kind"] != "stack":
        return layers_for(entry["configs"][0], entry["reset"], entry["detach_reset"], seeds)
    edges = [as_float(v) for v in str(census_row[f"layer_{by}"]).split(";")]
    return stack_runs(entry["configs"], entry["reset"], seeds)[int(np.nanargmax(edges))]


def stack_edge(values: list[float | None]) -> tuple[float | None, int | None]:
    """The stack's edge (the largest layer's) and the index of that layer; None when a layer has none."""
    if any(v is None for v in values):
        return None, None
    limiting = int(np.argmax(values))
    return values[limiting], limiting


def stack_row(entry: dict, seeds) -> dict:
    per_layer = stack_runs(entry["configs"], entry["reset"], seeds)
    measured = [measured_edge(runs) for runs in per_layer]
    predicted = [predicted_edge(runs) for runs in per_layer]
    (beta_m, limiting), (beta_p, _) = stack_edge(measured), stack_edge(predicted)
    cfg = entry["configs"][0]
    return dict(family=cfg["sg"], reset=entry["reset"], detach_reset=True, n_rec=cfg["n_rec"], tau=cfg["tau"],
                thr=cfg["thr"], input_rate=cfg["input_rate"], dampening=cfg["dampening"], q=cfg["q"],
                firing_rate=float(np.mean([measure.firing_rate(tr.spikes) for runs in per_layer for *_, tr in runs])),
                measured_beta_c=beta_m, predicted_beta_c=beta_p,
                ln_ratio=math.log(beta_p / beta_m) if beta_p and beta_m else None, limiting=limiting,
                layer_measured=";".join(f"{v:.6g}" if v else "None" for v in measured),
                layer_predicted=";".join(f"{v:.6g}" if v else "None" for v in predicted))


def census_row(entry: dict, seeds) -> dict:
    """One entry measured and predicted (module docstring)."""
    start = time.perf_counter()
    if entry["kind"] == "stack":
        row = stack_row(entry, seeds)
    else:
        row = one_row(entry["index"], entry["configs"][0], entry["reset"], entry["detach_reset"], seeds)
    cfg = entry["configs"][0]
    return {**row, "index": entry["index"], "kind": entry["kind"], "regime": entry["regime"],
            "adaptation_tau": cfg.get("adaptation_tau"), "adaptation_strength": cfg.get("adaptation_strength"),
            "seconds": time.perf_counter() - start}


def _errors(rows) -> list[dict]:
    return [{"ln_ratio": None if math.isnan(v := as_float(r["ln_ratio"])) else v} for r in rows]


def summarise(rows: list[dict]) -> list[dict]:
    """Per (kind, family), per kind and overall: configurations, how many lack a root (measured or
    predicted), median and max |ln(pred / measured)| and how many are within :data:`BAR`."""
    groups = [(kind, family) for kind in KINDS for family in (*FAMILY_ORDER, "all")] + [("all", "all")]
    table = []
    for kind, family in groups:
        picked = [r for r in rows if kind in (r["kind"], "all") and family in (r["family"], "all")]
        if not picked:
            continue
        stats = error_stats(_errors(picked))
        within = sum(1 for e in _errors(picked) if e["ln_ratio"] is not None and abs(e["ln_ratio"]) <= BAR)
        no_measured = sum(1 for r in picked if not as_float(r["measured_beta_c"]) > 0)
        no_predicted = sum(1 for r in picked if not as_float(r["predicted_beta_c"]) > 0)
        table.append(dict(kind=kind, family=family, configs=len(picked), no_root=stats["unresolved"],
                          no_measured_root=no_measured, no_predicted_root=no_predicted,
                          median_abs_ln_ratio=stats["median"], max_abs_ln_ratio=stats["max"],
                          within_bar=within, fraction_within_bar=within / len(picked)))
    return table


#: firing-rate bins of the second table (the rate reached, averaged over seeds and, in a stack, layers)
FIRING_BINS = ((0.0, 0.01, "< 1 %"), (0.01, 0.1, "1-10 %"), (0.1, 1.01, ">= 10 %"))


def summarise_firing(rows: list[dict]) -> list[dict]:
    """:func:`summarise` per (kind, firing-rate bin reached): sparse against dense firing."""
    table = []
    for low, high, label in FIRING_BINS:
        picked = [r for r in rows if low <= as_float(r["firing_rate"]) < high]
        for entry in summarise(picked):
            if entry["family"] == "all":  # per kind and overall
                table.append({"kind": entry["kind"], "firing": label,
                              **{k: v for k, v in entry.items() if k not in ("kind", "family")}})
    return table


def write_summary(table: list[dict], out: Path, firing: list[dict] | None = None) -> None:
    """``summary.csv`` and ``summary.md`` (per kind and family); with ``firing``, ``summary_firing.csv`` and
    a second table in ``summary.md``."""
    import pandas as pd

    frame = pd.DataFrame(table)
    frame.to_csv(out / "summary.csv", index=False)
    text = frame.to_markdown(index=False, floatfmt=".3g") + "\n"
    if firing:
        pd.DataFrame(firing).to_csv(out / "summary_firing.csv", index=False)
        text += "\nBy the firing rate reached:\n\n" + pd.DataFrame(firing).to_markdown(index=False, floatfmt=".3g") + "\n"
    (out / "summary.md").write_text(text)


def plot(rows: list[dict], out: Path) -> list[Path]:
    """Predicted against measured beta_c, log-log: colour by family, marker by kind, y = x and the 10 % band."""
    from ..report.figures import new_figure, save, style

    fig, axes = new_figure(1, 1, width=5.2, height=4.6)
    ax = axes[0][0]
    done = [r for r in rows if as_float(r["measured_beta_c"]) > 0 and as_float(r["predicted_beta_c"]) > 0]
    values = np.array([as_float(r[k]) for r in done for k in ("measured_beta_c", "predicted_beta_c")] or [0.1, 10.0])
    lim = [values.min() / 1.5, values.max() * 1.5]
    ax.fill_between(lim, np.array(lim) * math.exp(-BAR), np.array(lim) * math.exp(BAR), color="0.85",
                    label=f"|ln ratio| <= {BAR:g}")
    ax.plot(lim, lim, "k-", lw=0.8)
    for f, family in enumerate(FAMILY_ORDER):
        for k, kind in enumerate(KINDS):
            picked = [r for r in done if r["family"] == family and r["kind"] == kind]
            if picked:
                ax.loglog([as_float(r["measured_beta_c"]) for r in picked], [as_float(r["predicted_beta_c"]) for r in picked],
                          marker="os^D"[k], linestyle="none", color=style(f)["color"], alpha=0.85, markersize=5)
    for f, family in enumerate(FAMILY_ORDER):  # legend: colours (families), then markers (kinds)
        ax.plot([], [], "o", color=style(f)["color"], label=family)
    for k, kind in enumerate(KINDS):
        ax.plot([], [], "os^D"[k], color="0.3", label=kind)
    missing = len(rows) - len(done)
    ax.set(xscale="log", yscale="log", xlim=lim, ylim=lim, xlabel="measured critical sharpness beta_c",
           ylabel="dmft predicted beta_c",
           title=f"edge census: {len(rows)} configurations" + (f" ({missing} without a root, not shown)" if missing else ""))
    ax.title.set_fontsize(9)
    ax.legend(frameon=False, fontsize=6, ncol=2, loc="upper left")
    return [p for p in save(fig, out, "predicted_vs_measured") if p.suffix == ".png"]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m lifstab_experiments.verification.edge_census",
                                     description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="experiments/edge_census_results")
    parser.add_argument("--configs", type=int, default=100)
    parser.add_argument("--grid-seed", type=int, default=0)
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1])
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--kinds", nargs="+", default=list(KINDS), choices=KINDS)
    parser.add_argument("--T", type=int, default=250)
    parser.add_argument("--batch", type=int, default=8)
    parser.add_argument("--n-rec", type=int, default=None, help="override every layer's n_rec (quick runs)")
    args = parser.parse_args(argv)
    torch.set_num_threads(args.threads)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    entries = [e for e in census_configs(args.configs, args.grid_seed, args.T, args.batch, args.n_rec)
               if e["kind"] in args.kinds]
    path = out / "census.csv"
    done = {int(r["index"]) for r in load_rows(path)}
    for entry in tqdm([e for e in entries if e["index"] not in done], desc="edge census"):
        append_row(path, census_row(entry, args.seeds), FIELDS)
    rows = load_rows(path)
    write_summary(summarise(rows), out, summarise_firing(rows))
    plot(rows, out)
    print((out / "summary.md").read_text())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
