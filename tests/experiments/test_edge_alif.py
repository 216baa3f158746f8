"""experiments/verification/edge_alif.py: the ALIF configurations it draws and one measured-vs-predicted row."""

import math

from lifstab_experiments.verification import edge_alif as E


def test_configs_cover_the_ranges_every_family_reset_and_mode():
    configs = E.random_configs(12)
    assert {(reset, detach) for _, reset, detach in configs} == {(r, d) for r in E.RESETS for d in (True, False)}
    assert {cfg["sg"] for cfg, _, _ in configs} == set(E.FAMILY_ORDER)
    for cfg, _, _ in configs:
        assert 128 <= cfg["n_rec"] <= 256 and 5 <= cfg["tau"] <= 50 and 0.1 <= cfg["thr"] <= 1
        assert 50 <= cfg["adaptation_tau"] <= 500 and 0.02 <= cfg["adaptation_strength"] <= 2.0
    assert E.random_configs(12) == configs  # a fixed grid


def test_one_row_measures_and_predicts_an_alif_layer():
    cfg, _, _ = E.random_configs(1)[0]
    small = {**cfg, "n_rec": 40, "w_rec_std": 1.5 / math.sqrt(40), "T": 40, "batch": 2, "adaptation_strength": 1.0}
    row = E.one_row(0, small, "subtractive", True, [0])
    assert row["measured_beta_c"] and row["predicted_beta_c"] and row["lif_mean_field_beta_c"]
    assert row["predicted_beta_c"] != row["lif_mean_field_beta_c"]  # the adaptation's adjoint is carried
    summary = E.summarise([row])
    assert summary["all"]["dmft"]["max"] == abs(row["ln_ratio"])
