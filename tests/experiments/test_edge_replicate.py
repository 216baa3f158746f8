"""experiments/verification/edge_replicate.py: two replicates of a tiny census compared row by row."""

import math

import pytest

from lifstab_experiments.verification import edge_census as E
from lifstab_experiments.verification import edge_replicate as R
from lifstab_experiments.verification.edge_study import load_rows as read

GRID = ["--T", "40", "--batch", "2", "--n-rec", "32", "--configs", "4"]


@pytest.fixture(scope="module")
def replicates(tmp_path_factory):
    out = tmp_path_factory.mktemp("replicate")
    for name, seed in (("a", "0"), ("b", "1")):
        assert E.main(["--out", str(out / name), "--seeds", seed, *GRID]) == 0
    assert R.main(["--census", str(out / "a" / "census.csv"), str(out / "b" / "census.csv"),
                   "--out", str(out / "rep")]) == 0
    return out


def test_verdicts():
    assert R.verdict(0.05, -0.09) == "within"
    assert R.verdict(0.2, 0.15) == "reproduced"
    assert R.verdict(-0.2, -0.3) == "reproduced"
    assert R.verdict(0.2, -0.2) == "one replicate"  # both miss, opposite signs: the seeds', not a bias
    assert R.verdict(0.2, 0.05) == "one replicate"
    assert R.verdict(None, 0.05) == "no root"


def test_each_row_is_both_replicates_side_by_side(replicates):
    a = {r["index"]: r for r in read(replicates / "a" / "census.csv")}
    b = {r["index"]: r for r in read(replicates / "b" / "census.csv")}
    rows = read(replicates / "rep" / "rows.csv")
    assert [r["index"] for r in rows] == ["0", "1", "2", "3"]
    for r in rows:
        for side, census in (("a", a), ("b", b)):
            assert (r[f"measured_{side}"] or None) == (census[r["index"]]["measured_beta_c"] or None) or \
                float(r[f"measured_{side}"]) == pytest.approx(float(census[r["index"]]["measured_beta_c"]), rel=1e-12)
        if r["verdict"] != "no root":
            ra, rb = float(r["ln_ratio_a"]), float(r["ln_ratio_b"])
            assert float(r["combined_ln_ratio"]) == pytest.approx((ra + rb) / 2)
            assert float(r["measured_shift"]) == pytest.approx(math.log(float(r["measured_b"]) / float(r["measured_a"])))
            assert r["verdict"] == R.verdict(ra, rb)
    # seeds 0 and 1 draw different networks: the measured edges differ somewhere
    assert any(r["measured_shift"] and float(r["measured_shift"]) != 0 for r in rows)
    assert (replicates / "rep" / "replicates.png").stat().st_size > 0
    assert "combined ratio" in (replicates / "rep" / "summary.md").read_text()


def test_different_grids_are_refused(replicates, tmp_path):
    rows = read(replicates / "a" / "census.csv")
    other = [dict(r, family="sigmoid" if r["family"] != "sigmoid" else "gaussian") for r in rows]
    with pytest.raises(ValueError, match="same configuration"):
        R.pair_rows(rows, other)
    with pytest.raises(SystemExit, match="--census"):
        R.main(["--census", str(tmp_path / "missing.csv"), str(replicates / "b" / "census.csv"), "--out", str(tmp_path)])
