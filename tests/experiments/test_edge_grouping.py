"""experiments/verification/edge_grouping.py: a tiny census predicted again, pooled and per element."""

import csv
import math
from pathlib import Path

import pytest

from lifstab_experiments.verification import edge_census as E
from lifstab_experiments.verification import edge_grouping as G

GRID = ["--seeds", "0", "--T", "40", "--batch", "2", "--n-rec", "32"]


def read(path):
    with path.open() as f:
        return list(csv.DictReader(f))


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    out = tmp_path_factory.mktemp("grouping")
    assert E.main(["--out", str(out / "census"), "--configs", "4", *GRID]) == 0
    assert G.main(["--census", str(out / "census" / "census.csv"), "--out", str(out / "grouping"), *GRID]) == 0
    return out


def test_the_pooled_recomputation_is_the_census_prediction(tiny):
    census = {r["index"]: r for r in read(tiny / "census" / "census.csv")}
    rows = read(tiny / "grouping" / "rows.csv")
    assert [r["index"] for r in rows] == ["0", "1", "2", "3"] and {r["kind"] for r in rows} == set(E.KINDS)
    for r in rows:
        assert r["pooled_source"] == "recomputed"
        assert (r["pooled_beta_c"] or None) == (census[r["index"]]["predicted_beta_c"] or None) or \
            float(r["pooled_beta_c"]) == pytest.approx(float(census[r["index"]]["predicted_beta_c"]), rel=1e-12)
        for g in G.DEFAULT_GROUPINGS:
            if r[f"ln_ratio_{g}"]:
                assert float(r[f"ln_ratio_{g}"]) == pytest.approx(math.log(float(r[f"{g}_beta_c"]) / float(r["measured_beta_c"])))


def test_the_summary_counts_each_grouping(tiny):
    rows = read(tiny / "grouping" / "rows.csv")
    overall = {r["kind"]: r for r in read(tiny / "grouping" / "summary.csv") if r["family"] == "all"}["all"]
    assert int(overall["configs"]) == len(rows)
    for g in G.DEFAULT_GROUPINGS:
        within = sum(1 for r in rows if r[f"ln_ratio_{g}"] and abs(float(r[f"ln_ratio_{g}"])) <= E.BAR)
        assert int(overall[f"{g}_within_bar"]) == within
    assert (tiny / "grouping" / "summary.md").read_text().startswith("| kind")


def test_census_pooled_takes_the_census_edge(tiny, tmp_path):
    G.main(["--census", str(tiny / "census" / "census.csv"), "--out", str(tmp_path), "--indices", "0",
            "--census-pooled", *GRID])
    (row,) = read(tmp_path / "rows.csv")
    census = read(tiny / "census" / "census.csv")[0]
    assert row["pooled_source"] == "census" and not row["census_pooled_ln"]
    assert float(row["pooled_beta_c"]) == float(census["predicted_beta_c"])


def test_seed_averaged_with_one_seed_is_the_census_rule(tiny, tmp_path):
    """One seed: averaging ln rho over the seeds changes nothing, so the seed-averaged pooled edge is the
    census's (to the root finder's rounding)."""
    G.main(["--census", str(tiny / "census" / "census.csv"), "--out", str(tmp_path), "--indices", "0",
            "--seed-averaged", *GRID])
    (row,) = read(tmp_path / "seed_averaged_rows.csv")
    assert row["pooled_source"] == "seed-averaged" and abs(float(row["census_pooled_ln"])) < 1e-12
    assert (tmp_path / "seed_averaged_summary.md").exists()


def test_the_default_header_is_the_committed_one():
    """Rows written before the cavity grouping existed go on being appended to under the same header."""
    with (Path(__file__).parents[2] / "experiments/edge_census_results/grouping/rows.csv").open() as f:
        assert next(csv.reader(f)) == G.fields() == G.FIELDS


def test_groupings_picks_the_compared_columns(tiny, tmp_path):
    """``--groupings pooled cavity``: cavity columns and summary, no per-element ones; the pooled edge is
    the census's recomputed."""
    G.main(["--census", str(tiny / "census" / "census.csv"), "--out", str(tmp_path), "--indices", "0", "1",
            "--groupings", "pooled", "cavity", *GRID])
    rows = read(tmp_path / "rows.csv")
    assert "cavity_beta_c" in rows[0] and "element_beta_c" not in rows[0]
    for r in rows:
        if r["cavity_beta_c"] and r["measured_beta_c"]:
            assert float(r["ln_ratio_cavity"]) == pytest.approx(math.log(float(r["cavity_beta_c"]) / float(r["measured_beta_c"])))
    overall = {r["kind"]: r for r in read(tmp_path / "summary.csv") if r["family"] == "all"}["all"]
    assert "cavity_within_bar" in overall and "element_within_bar" not in overall
