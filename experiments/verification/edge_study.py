"""The edge-of-stability study (issue 5): measured ``beta_c`` against each method's prediction on a
random grid of configurations, with a CSV cache, gradient-norm curves and plots.

    python -m lifstab_experiments.verification.edge_study --out results/edge --configs 32 --grid-seed 0

Configurations ``0 .. configs/2 - 1`` are the *tuning* half, the rest the *held-out* half; a fresh
held-out check uses another ``--grid-seed`` (new configurations and new network seeds). Each finished
configuration is appended to ``edge_study.csv`` at once; a rerun skips configurations already there.
Predictions see only forward passes: the probes are the same networks' forward passes (the
measurement's seeds), never a backward pass.
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from tqdm import tqdm

from lifstab.protocol import EdgeConfig, config_from_dict
from lifstab.stability import (METHODS, SHARPNESS_RANGE, dmft_log_gradient_norms, find_log_root, forward_probe,
                               pool_probes)

from .edge import mean_log_growth, measure_critical_sharpness, seed_runs

FAMILY_ORDER = ("triangular", "exponential", "gaussian", "sigmoid", "fast_sigmoid", "rectangular", "q_pseudo_spike")
RESET_ORDER = ("subtractive", "multiplicative")
#: multiples of beta_c at which predicted and measured rho are compared and curves are kept
CURVE_MULTIPLES = (0.5, 1.0, 2.0)


@dataclass(frozen=True)
class GridRanges:
    """The issue's ranges; weight scales are ``c / sqrt(n)`` with ``n`` the fan-in of each matrix."""

    n_rec: tuple[int, int] = (128, 512)
    n_in: tuple[int, int] = (40, 300)
    tau: tuple[float, float] = (5.0, 50.0)
    thr: tuple[float, float] = (0.01, 1.0)
    input_rate: tuple[float, float] = (0.05, 0.3)
    weight_scale: tuple[float, float] = (0.5, 3.0)
    dampening: tuple[float, float] = (0.5, 2.0)
    log10_tail_minus_1: tuple[float, float] = (-2.0, 1.2)  # docs/theory.md section 2's q grid: 1 + 10^linspace(-2, 1.2)


def random_configs(count: int, grid_seed: int = 0, T: int = 300, batch: int = 16,
                   ranges: GridRanges = GridRanges()) -> list[EdgeConfig]:
    """``count`` random configurations; families and resets cycle so that all appear; tau and thr are
    log-uniform, the rest uniform."""
    rng = np.random.default_rng(grid_seed)
    families = rng.permutation(np.resize(FAMILY_ORDER, count))
    configs = []
    for i in range(count):
        n_rec = int(rng.integers(ranges.n_rec[0], ranges.n_rec[1] + 1))
        n_in = int(rng.integers(ranges.n_in[0], ranges.n_in[1] + 1))
        family = str(families[i])
        configs.append(config_from_dict(dict(
            sg=family,
            dampening=float(rng.uniform(*ranges.dampening)),
            q=float(1 + 10 ** rng.uniform(*ranges.log10_tail_minus_1)) if family == "q_pseudo_spike" else None,
            n_in=n_in, n_rec=n_rec,
            tau=float(math.exp(rng.uniform(*np.log(ranges.tau)))),
            thr=float(math.exp(rng.uniform(*np.log(ranges.thr)))),
            input_rate=float(rng.uniform(*ranges.input_rate)),
            w_in_std=float(rng.uniform(*ranges.weight_scale) / math.sqrt(n_in)),
            w_rec_std=float(rng.uniform(*ranges.weight_scale) / math.sqrt(n_rec)),
            w_rec_mean=float(rng.choice([0.0, 0.5 / n_rec])),
            reset=RESET_ORDER[i % 2],
            T=T, batch=batch,
        )))
    return configs


def predict(runs, method: str, **options) -> tuple[float | None, str, object, object]:
    """A method's beta_c from the seeds' forward passes only (probes pooled), its ln-rho function and
    the probe."""
    layer = runs[0].layer
    probe = pool_probes([forward_probe(run.layer, run.x, run.trajectory) for run in runs])
    fn = METHODS[method]

    def log_growth(betas):
        return fn(layer, probe, torch.as_tensor(np.asarray(betas, dtype=float)), **options).numpy()

    root, reason, _ = find_log_root(log_growth, *SHARPNESS_RANGE)
    return root, reason, log_growth, probe


def measure_row(index: int, config: EdgeConfig, runs, seeds, curve_dir: Path) -> dict:
    """Measure one configuration: beta_c, ln rho at the multiples of beta_c, curves (seed 0)."""
    row = {"index": index, **{f"cfg_{k}": v for k, v in config.to_dict().items()},
           "seeds": " ".join(str(s) for s in seeds)}
    start = time.perf_counter()
    measured = measure_critical_sharpness(config, runs=runs)
    beta_c = measured.critical_sharpness
    row.update(measured_beta_c=beta_c, measured_reason=measured.reason, firing_rate=measured.firing_rate)
    if beta_c:
        multiples = np.array(CURVE_MULTIPLES) * beta_c
        row.update({f"measured_ln_rho_x{m:g}": v for m, v in zip(CURVE_MULTIPLES, mean_log_growth(runs, multiples))})
        np.savez(curve_dir / f"curves_{index:03d}.npz", sharpness=multiples, g=runs[0].gradient_norms(multiples).numpy())
    row["measure_s"] = time.perf_counter() - start
    return row


def predict_row(index: int, runs, method: str, beta_c: float | None, curve_dir: Path | None = None) -> dict:
    """One method's prediction for one configuration, from the forward passes only; with ``curve_dir``
    the dmft method also keeps its predicted curves ``ln g_t^2`` at the multiples of the measured beta_c."""
    start = time.perf_counter()
    pred, reason, log_growth, probe = predict(runs, method)
    row = {"index": index, "beta_c": pred, "reason": reason, "seconds": time.perf_counter() - start,
           "abs_ln_ratio": abs(math.log(pred / beta_c)) if pred and beta_c else None}
    if beta_c:
        multiples = np.array(CURVE_MULTIPLES) * beta_c
        row.update({f"ln_rho_x{m:g}": v for m, v in zip(CURVE_MULTIPLES, log_growth(multiples))})
        if method == "dmft" and curve_dir is not None:
            curves = dmft_log_gradient_norms(runs[0].layer, probe, torch.as_tensor(multiples))
            np.savez(curve_dir / f"dmft_curves_{index:03d}.npz", sharpness=multiples, log_g2=curves.numpy())
    return row


def load_rows(path: Path) -> list[dict]:
    if not path.exists():
        return []
    with path.open() as f:
        return list(csv.DictReader(f))


#: fields added after results were committed, with the value older rows implicitly hold
LATER_FIELDS = {"cfg_detach_reset": True, "cfg_adaptation_tau": None, "cfg_adaptation_strength": None}


def append_row(path: Path, row: dict, fields: list[str]) -> None:
    """The training runner's atomic append; a ``measured.csv`` written before ``cfg_detach_reset`` existed
    keeps its header (detached rows go on appending to it; an attached row is refused by name)."""
    from ..training.runner import append_row as append

    append(path, row, fields, LATER_FIELDS)


MEASURE_FIELDS = ["index", *[f"cfg_{k}" for k in EdgeConfig.__dataclass_fields__], "seeds",
                  "measured_beta_c", "measured_reason", "firing_rate", "measure_s",
                  *[f"measured_ln_rho_x{m:g}" for m in CURVE_MULTIPLES]]
PREDICT_FIELDS = ["index", "beta_c", "reason", "seconds", "abs_ln_ratio", *[f"ln_rho_x{m:g}" for m in CURVE_MULTIPLES]]


def merged_rows(out: Path, methods) -> list[dict]:
    """Measurement rows with each method's prediction columns prefixed by the method name."""
    rows = {int(r["index"]): dict(r) for r in load_rows(out / "measured.csv")}
    for method in methods:
        for r in load_rows(out / f"predicted_{method}.csv"):
            if int(r["index"]) in rows:
                rows[int(r["index"])].update({f"{method}_{k}": v for k, v in r.items() if k != "index"})
    return [rows[i] for i in sorted(rows)]


def as_float(value) -> float:
    """``value`` (a CSV cell) as a float; NaN where it is empty or not a number."""
    try:
        return float(value)
    except (TypeError, ValueError):
        return float("nan")


def as_edge(value) -> float | None:
    """A CSV cell (or number) as an edge: None where it is empty, not a number or not positive (no root)."""
    number = as_float(value)
    return number if number > 0 else None


def log_ratio(a: float | None, b: float | None) -> float | None:
    """``ln(a / b)``, None unless both are positive."""
    return math.log(a / b) if a and b and a > 0 and b > 0 else None


def summarise(rows: list[dict], methods, count: int | None = None) -> dict:
    """Median and max |ln(pred / beta_c)| per method (and per half), coverage, rho errors."""
    count = len(rows) if count is None else count
    parts = {"tuning": [r for r in rows if int(r["index"]) < count // 2],
                 "held_out": [r for r in rows if int(r["index"]) >= count // 2], "all": rows}
    summary = {}
    for part, subset in parts.items():
        measured = [r for r in subset if as_float(r["measured_beta_c"]) > 0]
        entry = {"configs": len(subset), "with_measured_root": len(measured)}
        for method in methods:
            errs = np.array([as_float(r.get(f"{method}_abs_ln_ratio")) for r in measured])
            ok = errs[np.isfinite(errs)]
            entry[method] = {
                "predicted": int(ok.size),
                "median_abs_ln_ratio": float(np.median(ok)) if ok.size else None,
                "max_abs_ln_ratio": float(ok.max()) if ok.size else None,
            }
            for m in CURVE_MULTIPLES:
                diff = np.array([as_float(r.get(f"{method}_ln_rho_x{m:g}")) - as_float(r[f"measured_ln_rho_x{m:g}"])
                                 for r in measured])
                diff = diff[np.isfinite(diff)]
                if diff.size:
                    entry[method][f"ln_rho_error_at_{m:g}beta_c"] = {
                        "median_abs": float(np.median(np.abs(diff))), "max_abs": float(np.abs(diff).max())}
        summary[part] = entry
    return summary


def plot(rows: list[dict], methods, out: Path, curve_dir: Path) -> list[Path]:
    """Predicted against measured critical sharpness (PNG + PDF), and measured vs dmft gradient curves."""
    from ..report.figures import new_figure, save, style

    paths = []
    measured = [r for r in rows if as_float(r["measured_beta_c"]) > 0]
    fig, axes = new_figure(1, 1, width=4.2, height=4.0)
    ax = axes[0][0]
    beta = np.array([as_float(r["measured_beta_c"]) for r in measured])
    shown = [beta] if beta.size else []
    for i, method in enumerate(methods):
        pred = np.array([as_float(r.get(f"{method}_beta_c")) for r in measured])
        ok = np.isfinite(pred) & (pred > 0)
        missing = int((~ok).sum())
        label = method + (f" (no root in {missing})" if missing else "")
        ax.loglog(beta[ok], pred[ok], marker="osD^v"[i % 5], linestyle="none", color=style(i)["color"],
                  label=label, alpha=0.85)
        shown.append(pred[ok])
    values = np.concatenate(shown) if shown else np.array([1e-3, 1e3])
    lim = [values.min() / 2, values.max() * 2]
    ax.plot(lim, lim, "k-", lw=0.8)
    ax.fill_between(lim, np.array(lim) * math.exp(-0.1), np.array(lim) * math.exp(0.1), color="0.85",
                    label="within 10 %")
    ax.set(xlabel="measured critical sharpness beta_c", ylabel="predicted beta_c",
           title="edge of stability: predicted vs measured", xlim=lim, ylim=lim)
    ax.legend(frameon=False, fontsize=7)
    paths += save(fig, out, "predicted_vs_measured")

    files = sorted(curve_dir.glob("curves_*.npz"))[:6]
    if files:
        fig, axes = new_figure(2, 3, width=3.6, height=2.6)
        for ax, f in zip(axes.flat, files):
            data = np.load(f)
            predicted = curve_dir / f"dmft_{f.name}"
            predicted = np.load(predicted)["log_g2"] if predicted.exists() else None
            for k, (b, g, m) in enumerate(zip(data["sharpness"], data["g"], CURVE_MULTIPLES)):
                ax.semilogy(np.arange(1, g.size + 1), g / g[-1], color=style(k)["color"],
                            label=f"{m:g} beta_c = {b:.3g}")
                if predicted is not None:  # dmft's predicted curve, dashed
                    ax.semilogy(np.arange(1, g.size + 1), np.exp(predicted[k] / 2), "--", color=style(k)["color"])
            ax.set(title=f"config {f.stem.split('_')[-1]} (solid: measured, dashed: dmft)", xlabel="step t",
                   ylabel="gradient norm g_t / g_T")
            ax.title.set_fontsize(8)
            ax.legend(frameon=False, fontsize=6)
        paths += save(fig, out, "gradient_curves")
    return [p for p in paths if p.suffix == ".png"]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m lifstab_experiments.verification.edge_study", description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="results/edge")
    parser.add_argument("--configs", type=int, default=32)
    parser.add_argument("--grid-seed", type=int, default=0)
    parser.add_argument("--seeds", type=int, nargs="+", default=None,
                        help="network seeds (default: 4 seeds derived from --grid-seed)")
    parser.add_argument("--methods", nargs="+", default=["dmft", "lagged", "paper", "exact"])
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--limit", type=int, default=None,
                        help="run only the first LIMIT configurations (the halves still split --configs)")
    args = parser.parse_args(argv)
    if args.configs < 2:
        raise SystemExit("--configs must be >= 2")
    unknown = [m for m in args.methods if m not in METHODS]
    if unknown:
        raise SystemExit(f"--methods: unknown {unknown}; choose from {sorted(METHODS)}")
    torch.set_num_threads(args.threads)
    seeds = args.seeds or [1000 * args.grid_seed + s for s in range(4)]
    out = Path(args.out)
    curve_dir = out / "curves"
    curve_dir.mkdir(parents=True, exist_ok=True)
    configs = random_configs(args.configs, args.grid_seed)
    (out / "configs.json").write_text(json.dumps([c.to_dict() for c in configs], indent=1))
    measured = {int(r["index"]): r for r in load_rows(out / "measured.csv")}
    predicted = {m: {int(r["index"]) for r in load_rows(out / f"predicted_{m}.csv")} for m in args.methods}
    for index, config in enumerate(tqdm(configs[: args.limit], desc=f"edge study (grid seed {args.grid_seed})")):
        todo = [m for m in args.methods if index not in predicted[m]]
        if index in measured and not todo:
            continue
        runs = seed_runs(config, seeds)  # forward passes, shared by measurement and predictors
        if index not in measured:
            measured[index] = measure_row(index, config, runs, seeds, curve_dir)
            append_row(out / "measured.csv", measured[index], MEASURE_FIELDS)
        beta_c = as_float(measured[index]["measured_beta_c"])
        beta_c = beta_c if beta_c > 0 else None
        for method in todo:
            append_row(out / f"predicted_{method}.csv", predict_row(index, runs, method, beta_c, curve_dir), PREDICT_FIELDS)
    rows = merged_rows(out, args.methods)
    summary = summarise(rows, args.methods, args.configs)
    (out / "summary.json").write_text(json.dumps(summary, indent=2))
    plot(rows, args.methods, out, curve_dir)
    print(json.dumps(summary, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
