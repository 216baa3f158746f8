"""experiments/verification/edge_attached.py: the configurations it draws and one measured-vs-predicted row."""

import math

from lifstab_experiments.verification import edge_attached as E


def test_configs_cover_the_ranges_every_family_and_every_reset_with_a_term():
    configs = E.random_configs(16)
    assert {reset for _, reset in configs} == set(E.RESETS)
    assert {cfg["sg"] for cfg, _ in configs} == set(E.FAMILY_ORDER)
    for cfg, _ in configs:
        assert 128 <= cfg["n_rec"] <= 256 and 5 <= cfg["tau"] <= 50 and 0.1 <= cfg["thr"] <= 1
        assert 0.05 <= cfg["input_rate"] <= 0.3
    assert E.random_configs(16) == configs  # a fixed grid


def test_one_row_runs_the_reset_variant_and_mode_asked_for():
    cfg, _ = E.random_configs(1)[0]
    small = {**cfg, "n_rec": 40, "w_rec_std": 1.5 / math.sqrt(40), "T": 40, "batch": 2}
    runs = E.layers_for(small, "multiplicative_1", False, [0])
    assert runs[0][0].reset == "multiplicative_1" and not runs[0][0].detach_reset
    rows = [E.one_row(0, small, "multiplicative_1", detach, [0]) for detach in (False, True)]
    assert all(r["measured_beta_c"] and r["predicted_beta_c"] for r in rows)
    assert rows[0]["measured_beta_c"] != rows[1]["measured_beta_c"]
    summary = E.summarise(rows)
    assert summary["attached/all"]["configs"] == 1 and summary["detached/all"]["configs"] == 1
    assert summary["attached/all"]["max"] == abs(rows[0]["ln_ratio"])
