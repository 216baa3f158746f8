"""The signflip study's table (issue 15): which part of the shared-weight offset do the signs of ``W`` carry?

Reads :mod:`.edge_census_miss` runs (``--variants shared permuted signflip``, draws 0, 1, 2 of the random
backward matrices) and, where present, :mod:`.edge_quenched` runs, all on the seed-averaged curves (the
census's rule). Per census row: ``ln(edge / measured)`` of the permuted and signflip replays (mean over
draws, and the draws' range), of the dmft prediction and of the quenched mean fields; and at the measured
edge the offsets in ``ln rho`` against the shared measurement, with ``signflip_share`` = (signflip -
shared) / (permuted - shared): 1 when the signs of ``W`` carry the whole offset (randomising them
un-shares as much as permuting the rows), 0 when the squared weights' placement does (signflip keeps
it); ``pairflip_share`` the same for one sign per pair (0: the reciprocal products ``W_ij W_ji`` carry it).

    python -m lifstab_experiments.verification.edge_signflip_table --root experiments/edge_census_results/miss/signflip
"""

from __future__ import annotations

import argparse
import json
import math
from pathlib import Path

import numpy as np

from .edge_census_miss import grid_edge

ROWS = (61, 13, 97, 48, 96, 72, 84)


def _at(betas, values, beta: float) -> float:
    return float(np.interp(math.log(beta), np.log(betas), values))


def _ratio(betas, values, measured: float) -> float | None:
    edge = grid_edge(betas, values)[0]
    return math.log(edge / measured) if edge and measured else None


def _runs(root: Path, index: int, variant: str, draws) -> list[dict]:
    """The stored runs holding ``variant`` for ``index``: draw 0 in ``rowN``, then ``drawK/rowN``
    (pairflip: ``pairflip/drawK/rowN``)."""
    where = [root / "pairflip" / f"draw{d}" if variant == "pairflip" else root / ("" if d == 0 else f"draw{d}")
             for d in draws]
    paths = [w / f"row{index}" / "curves.json" for w in where]
    return [json.loads(p.read_text()) for p in paths if p.exists()]


def replay_row(root: Path, index: int, draws=(0, 1, 2)) -> dict | None:
    """The replayed variants of one row over the draws found under ``root`` (:func:`_runs`)."""
    runs = _runs(root, index, "signflip", draws)
    if not runs:
        return None
    betas = np.asarray(runs[0]["betas"])
    (n, table), = runs[0]["curves"].items()
    mean = {k: np.asarray(v) for k, v in table["mean"].items() if k != "firing_rate"}
    measured = grid_edge(betas, mean["shared"])[0]
    out = dict(index=index, n=int(n), seeds=len(table) - 1, draws=len(runs), firing_rate=table["mean"]["firing_rate"],
               measured=measured, predicted=_ratio(betas, mean["predicted"], measured),
               predicted_slope=grid_edge(betas, mean["predicted"])[1],
               predicted_offset=_at(betas, mean["predicted"], measured),
               predicted_seed_average=_ratio(betas, np.mean([table[s]["predicted"] for s in table if s != "mean"],
                                                             axis=0), measured))
    for v in ("permuted", "signflip", "pairflip"):
        curves = [np.asarray(r["curves"][n]["mean"][v]) for r in _runs(root, index, v, draws)]
        ratios = [_ratio(betas, c, measured) for c in curves]
        offsets = [_at(betas, c - mean["shared"], measured) for c in curves]
        ok = bool(curves) and None not in ratios
        out[v] = float(np.mean(ratios)) if ok else None
        out[f"{v}_draws"] = len(curves)
        out[f"{v}_range"] = (min(ratios), max(ratios)) if ok else None
        out[f"{v}_offset"] = float(np.mean(offsets)) if curves else None
        out[f"{v}_offset_range"] = (min(offsets), max(offsets)) if curves else None
    for v in ("signflip", "pairflip"):
        out[f"{v}_share"] = (out[f"{v}_offset"] / out["permuted_offset"]
                             if out["permuted_offset"] and out[f"{v}_offset"] is not None else None)
    return out


def quenched_row(root: Path, index: int, measured: float) -> dict:
    """``ln(edge / measured)`` and the offset in ``ln rho`` at the measured edge of each predicted curve of
    the quenched runs (``quenched/rowN.json``, ``quenched_pooled/rowN.json``), on the grid's window they
    evaluated."""
    out = {}
    for path in (root / "quenched" / f"row{index}.json", root / "quenched_pooled" / f"row{index}.json"):
        if not path.exists():
            continue
        run = json.loads(path.read_text())
        betas = np.asarray(run["betas"])
        for name, values in run["curves"].items():
            values = np.asarray(values)
            out[name] = _ratio(betas, values, measured)
            out[f"{name}_offset"] = _at(betas, values, measured) if betas[0] <= measured <= betas[-1] else None
    return out


def table(root: Path, rows=ROWS) -> list[dict]:
    out = []
    for index in rows:
        row = replay_row(root, index)
        if row is not None:
            out.append({**row, **quenched_row(root, index, row["measured"])})
    return out


def _f(x, digits: int = 2) -> str:
    return "—" if x is None else f"{x:+.{digits}f}"


def markdown(rows: list[dict]) -> str:
    """Two tables: the replays (``ln(edge / measured)``, draws' range, the sign share at the measured edge) and
    the quenched mean fields with the squared weights' part, measured (signflip - permuted) and quenched
    (shared - permuted weights), in ``ln(edge / measured)`` and in ``ln rho`` at the measured edge."""
    replay = ("| row | n | seeds | draws | rate | permuted | signflip | signflip draws | pairflip | predicted | "
              "slope | offset permuted | offset signflip | offset pairflip | signflip share | pairflip share |\n|"
              + "---|" * 16 + "\n")
    replay += "".join(
        f"| {r['index']} | {r['n']} | {r['seeds']} | {r['draws']} | {r['firing_rate']:.2f} | {_f(r['permuted'])} | "
        f"{_f(r['signflip'])} | {_range(r['signflip_range'])} | {_f(r['pairflip'])} | {_f(r['predicted'])} | "
        f"{r['predicted_slope']:.3f} | {_f(r['permuted_offset'], 3)} | {_f(r['signflip_offset'], 3)} | "
        f"{_f(r['pairflip_offset'], 3)} | {_f(r['signflip_share'])} | {_f(r['pairflip_share'])} |\n" for r in rows)
    quenched = ("| row | dmft | dmft, seeds averaged | per element: flat | permuted | shared | "
                "per network: flat | permuted | shared | W^2 part measured | W^2 part quenched, per element | "
                "per network | W^2 part in ln rho: measured | quenched, per element | per network |\n|"
                + "---|" * 15 + "\n")
    for r in rows:
        if "quenched_shared" not in r and "quenched_shared_pooled" not in r:
            continue
        q = [r.get(f"quenched_{v}{p}") for p in ("", "_pooled") for v in ("flat", "permuted", "shared")]
        parts = [_minus(r["signflip"], r["permuted"]), _minus(q[2], q[1]), _minus(q[5], q[4])]
        at = [r.get(f"quenched_{v}{p}_offset") for p in ("", "_pooled") for v in ("permuted", "shared")]
        rho = [_minus(r["signflip_offset"], r["permuted_offset"]), _minus(at[1], at[0]), _minus(at[3], at[2])]
        quenched += (f"| {r['index']} | {_f(r['predicted'])} | {_f(r['predicted_seed_average'])} | "
                     + " | ".join(_f(x) for x in q + parts) + " | " + " | ".join(_f(x, 3) for x in rho) + " |\n")
    return replay + "\n" + quenched


def _minus(a, b):
    return None if a is None or b is None else a - b


def _range(pair) -> str:
    return "—" if pair is None else f"{pair[0]:+.2f}..{pair[1]:+.2f}"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m lifstab_experiments.verification.edge_signflip_table",
                                     description=__doc__.splitlines()[0])
    parser.add_argument("--root", default="experiments/edge_census_results/miss/signflip")
    parser.add_argument("--rows", type=int, nargs="+", default=list(ROWS))
    args = parser.parse_args(argv)
    root = Path(args.root)
    rows = table(root, args.rows)
    (root / "table.json").write_text(json.dumps(rows, indent=1))
    (root / "table.md").write_text(markdown(rows))
    print(markdown(rows))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
