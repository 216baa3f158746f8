"""experiments/verification/edge_census.py: the grid, a tiny resumable census, its summary and predictions."""

import csv
import math

import pytest

from lifstab.protocol import build, config_from_dict
from lifstab.stability import critical_sharpness
from lifstab_experiments.verification import edge_census as E

TINY = ["--configs", "4", "--seeds", "0", "--T", "40", "--batch", "2", "--n-rec", "32"]


def read(path):
    with path.open() as f:
        return list(csv.DictReader(f))


def test_the_grid_covers_every_kind_family_regime_and_reset():
    entries = E.census_configs(56)
    assert {e["kind"] for e in entries} == set(E.KINDS)
    for kind in E.KINDS:
        mine = [e for e in entries if e["kind"] == kind]
        assert {e["family"] for e in mine} == set(E.FAMILY_ORDER) and {e["regime"] for e in mine} == set(E.REGIMES)
        assert {e["reset"] for e in mine} == set(E.RESETS)
    assert {e["detach_reset"] for e in entries if e["kind"] == "alif"} == {True, False}
    for e in entries:
        assert len(e["configs"]) == (2 if e["kind"] == "stack" else 1)
        assert all(128 <= cfg["n_rec"] <= 256 for cfg in e["configs"])
        if e["regime"] == "sparse":
            assert 0.5 <= e["configs"][0]["thr"] <= 2 and 0.01 <= e["configs"][0]["input_rate"] <= 0.05
        if e["kind"] == "stack":
            assert e["configs"][1]["n_in"] == e["configs"][0]["n_rec"]
    assert E.census_configs(56) == entries  # a fixed grid


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    out = tmp_path_factory.mktemp("census")
    assert E.main(["--out", str(out), *TINY]) == 0
    return out


def test_one_row_per_configuration_with_every_kind(tiny):
    rows = read(tiny / "census.csv")
    assert [int(r["index"]) for r in rows] == [0, 1, 2, 3]
    assert {r["kind"] for r in rows} == set(E.KINDS)
    assert (tiny / "predicted_vs_measured.png").stat().st_size > 0
    for r in rows:
        if r["ln_ratio"]:
            assert float(r["ln_ratio"]) == pytest.approx(math.log(float(r["predicted_beta_c"]) / float(r["measured_beta_c"])))


def test_a_rerun_skips_finished_configurations(tiny, monkeypatch):
    rows = read(tiny / "census.csv")
    computed = []
    original = E.census_row
    monkeypatch.setattr(E, "census_row", lambda entry, seeds: computed.append(entry["index"]) or original(entry, seeds))
    assert E.main(["--out", str(tiny), *TINY]) == 0
    assert computed == [] and read(tiny / "census.csv") == rows
    with (tiny / "census.csv").open("w", newline="") as f:  # drop the last row: only it is run again
        writer = csv.DictWriter(f, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows[:-1])
    assert E.main(["--out", str(tiny), *TINY]) == 0
    assert computed == [3] and len(read(tiny / "census.csv")) == 4


def test_the_summary_counts_are_the_csv_counts(tiny):
    rows = read(tiny / "census.csv")
    summary = {(r["kind"], r["family"]): r for r in read(tiny / "summary.csv")}
    overall = summary[("all", "all")]
    assert int(overall["configs"]) == len(rows)
    assert int(overall["no_root"]) == sum(1 for r in rows if not r["ln_ratio"])
    assert int(overall["within_bar"]) == sum(1 for r in rows if r["ln_ratio"] and abs(float(r["ln_ratio"])) <= E.BAR)
    for kind in E.KINDS:
        assert int(summary[(kind, "all")]["configs"]) == sum(1 for r in rows if r["kind"] == kind)
    assert sum(int(v["configs"]) for (k, f), v in summary.items() if "all" not in (k, f)) == len(rows)
    firing = [r for r in read(tiny / "summary_firing.csv") if r["kind"] == "all"]
    assert sum(int(r["configs"]) for r in firing) == len(rows)
    assert "| kind" in (tiny / "summary.md").read_text()


@pytest.mark.parametrize("kind", ["lif", "stack"])
def test_predictions_are_critical_sharpness_dmft_recomputed(tiny, kind):
    row = next(r for r in read(tiny / "census.csv") if r["kind"] == kind)
    entry = E.census_configs(4, T=40, batch=2, n_rec=32)[int(row["index"])]
    built = [build(config_from_dict(cfg), k) for k, cfg in enumerate(entry["configs"])]  # seed 0 (+ k)
    for layer, _, _ in built:
        layer.reset = entry["reset"]
    layers = [layer for layer, _, _ in built]
    predicted = critical_sharpness(layers if kind == "stack" else layers[0], built[0][1], method="dmft")
    assert predicted.feasible
    assert float(row["predicted_beta_c"]) == pytest.approx(predicted.critical_sharpness, rel=1e-9)
