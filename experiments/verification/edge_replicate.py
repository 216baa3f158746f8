"""Two replicates of the edge census (issue 15): which misses are the predictor's, which are the seeds'.

The census (:mod:`.edge_census`) measures and predicts each configuration's edge on two seeds. Run it again
on the same grid with two other seeds (``--seeds 2 3``: the same configurations, new weights, inputs and
readouts) and each row has two independent (measured, predicted) pairs. This module compares them:

* ``measured_shift`` = ln(measured_B / measured_A): how far the measured edge itself moves with the seeds;
* ``predicted_shift``, the same for the dmft prediction (its probes are the replicate's forward passes);
* ``combined_ln_ratio``: the mean of the two replicates' ln(pred / measured), the census with 4 seeds
  (the mean of the two edges in log, not the edge of the 4-seed-averaged curve; the census's own rule);
* ``verdict``: ``within`` (both replicates within :data:`.edge_census.BAR`), ``reproduced`` (both miss,
  same sign: a miss of the predictor on that configuration), ``one replicate`` (the replicates disagree
  about the bar) or ``no root``.

A miss that both replicates show is the predictor's; one that only one replicate shows is as much the seeds'
as the theory's: at the census's width the measured edge moves between seed pairs by ``measured_shift``.

    python -m lifstab_experiments.verification.edge_replicate \\
        --census experiments/edge_census_results/census.csv experiments/edge_census_results/seeds23/census.csv \\
        --out experiments/edge_census_results/replicate

writes ``rows.csv``, ``summary.md`` (per kind and family on the combined ratio, the verdicts, the shifts)
and ``replicates.png`` (replicate B's ln ratio against A's; measured against predicted shift).
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

from .edge_census import BAR, KINDS, summarise
from .edge_study import FAMILY_ORDER, as_edge, as_float, load_rows, log_ratio

FIELDS = ["index", "kind", "family", "reset", "regime", "firing_rate_a", "firing_rate_b", "measured_a",
          "measured_b", "predicted_a", "predicted_b", "ln_ratio_a", "ln_ratio_b", "measured_shift",
          "predicted_shift", "combined_ln_ratio", "verdict"]
VERDICTS = ("within", "reproduced", "one replicate", "no root")


def verdict(a: float | None, b: float | None, bar: float = BAR) -> str:
    """The two replicates' ln ratios -> one of :data:`VERDICTS`."""
    if a is None or b is None:
        return "no root"
    if abs(a) <= bar and abs(b) <= bar:
        return "within"
    if abs(a) > bar and abs(b) > bar and a * b > 0:
        return "reproduced"
    return "one replicate"


def pair_rows(first: list[dict], second: list[dict]) -> list[dict]:
    """One row per census index present in both replicates (CSV rows of :mod:`.edge_census`)."""
    other = {int(r["index"]): r for r in second}
    rows = []
    for a in sorted(first, key=lambda r: int(r["index"])):
        b = other.get(int(a["index"]))
        if b is None:
            continue
        if (a["kind"], a["family"], a["reset"]) != (b["kind"], b["family"], b["reset"]):
            raise ValueError(f"census row {a['index']} is not the same configuration in both replicates "
                             f"({a['kind']}/{a['family']}/{a['reset']} against {b['kind']}/{b['family']}/{b['reset']})"
                             "; run both with the same --configs, --grid-seed, --T, --batch and --n-rec")
        edges = {f"{what}_{side}": as_edge(r[f"{what}_beta_c"]) for side, r in (("a", a), ("b", b))
                 for what in ("measured", "predicted")}
        ratio_a, ratio_b = (log_ratio(edges[f"predicted_{s}"], edges[f"measured_{s}"]) for s in "ab")
        rows.append(dict(index=int(a["index"]), kind=a["kind"], family=a["family"], reset=a["reset"],
                         regime=a["regime"], firing_rate_a=as_float(a["firing_rate"]),
                         firing_rate_b=as_float(b["firing_rate"]), **edges, ln_ratio_a=ratio_a, ln_ratio_b=ratio_b,
                         measured_shift=log_ratio(edges["measured_b"], edges["measured_a"]),
                         predicted_shift=log_ratio(edges["predicted_b"], edges["predicted_a"]),
                         combined_ln_ratio=None if ratio_a is None or ratio_b is None else (ratio_a + ratio_b) / 2,
                         verdict=verdict(ratio_a, ratio_b)))
    return rows


def shift_stats(rows: list[dict]) -> dict:
    """How far the seeds move the measured and the predicted edge, and how well the prediction follows."""
    both = [r for r in rows if r["measured_shift"] is not None and r["predicted_shift"] is not None]
    measured = np.array([r["measured_shift"] for r in both])
    predicted = np.array([r["predicted_shift"] for r in both])
    ratios = np.array([(r["ln_ratio_a"], r["ln_ratio_b"]) for r in both])
    return dict(rows=len(both), median_abs_measured_shift=float(np.median(np.abs(measured))),
                max_abs_measured_shift=float(np.abs(measured).max()),
                median_abs_predicted_shift=float(np.median(np.abs(predicted))),
                shift_correlation=float(np.corrcoef(measured, predicted)[0, 1]),
                ratio_correlation=float(np.corrcoef(ratios[:, 0], ratios[:, 1])[0, 1]),
                **{verdict_name.replace(" ", "_"): sum(r["verdict"] == verdict_name for r in rows)
                   for verdict_name in VERDICTS})


def combined_table(rows: list[dict]) -> list[dict]:
    """:func:`.edge_census.summarise` on the combined ratio (per kind and family, kind, overall)."""
    def cell(r, what):  # an edge for the root counts: empty unless both replicates have one
        return r[f"{what}_a"] if r[f"{what}_a"] and r[f"{what}_b"] else ""

    return summarise([dict(kind=r["kind"], family=r["family"], ln_ratio="" if r["combined_ln_ratio"] is None
                           else r["combined_ln_ratio"], measured_beta_c=cell(r, "measured"),
                           predicted_beta_c=cell(r, "predicted")) for r in rows])


def write_summary(rows: list[dict], out: Path) -> str:
    """``rows.csv``, ``summary.csv`` and ``summary.md``; returns the markdown."""
    import pandas as pd

    pd.DataFrame(rows, columns=FIELDS).to_csv(out / "rows.csv", index=False)
    table = pd.DataFrame(combined_table(rows))
    table.to_csv(out / "summary.csv", index=False)
    stats = shift_stats(rows)
    misses = pd.DataFrame([r for r in rows if r["verdict"] in ("reproduced", "one replicate")], columns=FIELDS)
    text = ("Two replicates of the census (A and B, two seeds each, the same configurations).\n\n"
            + pd.DataFrame([stats]).to_markdown(index=False, floatfmt=".3g")
            + "\n\nThe combined ratio (mean of A's and B's ln(pred/measured)) per kind and family:\n\n"
            + table.to_markdown(index=False, floatfmt=".3g")
            + "\n\nRows beyond the bar in at least one replicate:\n\n"
            + misses[["index", "kind", "family", "reset", "firing_rate_a", "ln_ratio_a", "ln_ratio_b",
                      "measured_shift", "predicted_shift", "verdict"]].to_markdown(index=False, floatfmt=".3g") + "\n")
    (out / "summary.md").write_text(text)
    return text


def plot(rows: list[dict], out: Path) -> list[Path]:
    """Left: replicate B's ln ratio against A's, the bar's box; right: measured against predicted shift."""
    from matplotlib.patches import Rectangle

    from ..report.figures import new_figure, save, style

    fig, axes = new_figure(1, 2, width=4.2, height=4.0)
    left, right = axes[0]
    both = [r for r in rows if r["verdict"] != "no root"]
    lim = max([0.3, *(abs(r[k]) * 1.1 for r in both for k in ("ln_ratio_a", "ln_ratio_b"))])
    left.add_patch(Rectangle((-BAR, -BAR), 2 * BAR, 2 * BAR, color="0.85"))
    slim = max([0.3, *(abs(r[k]) * 1.1 for r in both for k in ("measured_shift", "predicted_shift"))])
    right.plot([-slim, slim], [-slim, slim], "k-", lw=0.8)
    for f, family in enumerate(FAMILY_ORDER):
        for k, kind in enumerate(KINDS):
            picked = [r for r in both if r["family"] == family and r["kind"] == kind]
            if picked:
                mark = dict(marker="os^D"[k], linestyle="none", color=style(f)["color"], markersize=5, alpha=0.85)
                left.plot([r["ln_ratio_a"] for r in picked], [r["ln_ratio_b"] for r in picked], **mark)
                right.plot([r["measured_shift"] for r in picked], [r["predicted_shift"] for r in picked], **mark)
    for f, family in enumerate(FAMILY_ORDER):
        left.plot([], [], "o", color=style(f)["color"], label=family)
    for k, kind in enumerate(KINDS):
        right.plot([], [], "os^D"[k], color="0.3", label=kind)
    for ax in (left, right):  # linear around the bar, logarithmic beyond: one ill-conditioned row can reach 1
        ax.set_xscale("symlog", linthresh=0.25)
        ax.set_yscale("symlog", linthresh=0.25)
        ticks = [-1, -0.5, -0.25, -0.1, 0, 0.1, 0.25, 0.5, 1]
        ax.set_xticks(ticks, [f"{t:g}" for t in ticks], fontsize=7)
        ax.set_yticks(ticks, [f"{t:g}" for t in ticks], fontsize=7)
    left.set(xlim=(-lim, lim), ylim=(-lim, lim), xlabel="replicate A: ln(pred / measured)",
             ylabel="replicate B: ln(pred / measured)", title=f"the bar (|ln| <= {BAR:g}) in both: grey box")
    right.set(xlim=(-slim, slim), ylim=(-slim, slim), xlabel="measured edge, ln(B / A)",
              ylabel="predicted edge, ln(B / A)", title="does the prediction follow the seeds?")
    left.legend(frameon=False, fontsize=6, loc="upper left", title="family", title_fontsize=6)
    right.legend(frameon=False, fontsize=6, loc="upper left", title="kind", title_fontsize=6)
    return [p for p in save(fig, out, "replicates") if p.suffix == ".png"]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m lifstab_experiments.verification.edge_replicate",
                                     description=__doc__.splitlines()[0])
    parser.add_argument("--census", nargs=2, required=True, metavar=("A", "B"),
                        help="the two replicates' census.csv (same grid, different --seeds)")
    parser.add_argument("--out", default="experiments/edge_census_results/replicate")
    args = parser.parse_args(argv)
    paths = [Path(p) for p in args.census]
    for path in paths:
        if not path.is_file():
            raise SystemExit(f"--census: no such file: {path}")
    rows = pair_rows(*(load_rows(p) for p in paths))
    if not rows:
        raise SystemExit("--census: the two files share no census index")
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    print(write_summary(rows, out))
    plot(rows, out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
