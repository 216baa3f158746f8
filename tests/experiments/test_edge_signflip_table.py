"""experiments/verification/edge_signflip_table.py: the table reads edge_census_miss runs by draw."""

import math

from lifstab_experiments.verification import edge_census_miss as M
from lifstab_experiments.verification import edge_signflip_table as S


def test_table_reads_the_draws_and_the_pairflip_runs(tmp_path):
    tiny = ["--index", "84", "--n", "24", "--seeds", "0", "1", "--T", "40", "--batch", "2", "--beta", "0.3", "30", "9"]
    M.main(tiny + ["--variants", "shared", "permuted", "signflip", "--out", str(tmp_path / "row84")])
    M.main(tiny + ["--variants", "shared", "permuted", "signflip", "--draw", "1", "--out",
                   str(tmp_path / "draw1" / "row84")])
    M.main(tiny + ["--variants", "shared", "pairflip", "--out", str(tmp_path / "pairflip" / "draw0" / "row84")])
    (row,) = S.table(tmp_path, [84])
    assert row["draws"] == 2 and row["signflip_draws"] == 2 and row["pairflip_draws"] == 1 and row["n"] == 24
    assert row["permuted_offset_range"][0] <= row["permuted_offset"] <= row["permuted_offset_range"][1]
    assert math.isclose(row["signflip_share"], row["signflip_offset"] / row["permuted_offset"])
    assert "| 84 | 24 | 2 | 2 |" in S.markdown([row])
