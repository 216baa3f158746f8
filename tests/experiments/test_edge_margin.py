"""The margin measurement script (docs/guide/conditions.md) runs and reproduces its table's shape."""

import warnings

from lifstab_experiments.verification import edge_margin


def test_edge_margin_rows_rho_falls_with_sharpness_and_iii_has_no_edge():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        rows = list(edge_margin.rows("exponential", 0))
    assert [(r["layer"], r["dampening"]) for r in rows] == [
        (1, "unit"), (1, "condition_iii"), (2, "unit"), (2, "condition_iii")]
    for r in rows:
        if r["dampening"] == "unit":
            assert all(a > b for a, b in zip(r["rho"], r["rho"][1:]))  # sharper SG, smaller rho
            assert 0.85 < r["rho"][-1] < 1.1  # at twice the predicted edge (EDGE_MARGIN)
        else:
            assert r["rho"] is None and r["reason"].startswith("stable")
