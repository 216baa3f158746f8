"""experiments/training/edge_route.py: the edge route's method and margin, trained."""

import csv

import pytest

from lifstab_experiments.training import edge_route, initialisation


def test_parse_variant():
    assert edge_route.parse_variant("replay:1") == ("replay", 1.0)
    with pytest.raises(ValueError, match="METHOD:MARGIN"):
        edge_route.parse_variant("replay")


def test_run_uses_the_route_and_restores_it(monkeypatch):
    seen = []
    original = initialisation.lifstab.stable_init_

    def spy(*args, **kwargs):
        seen.append((kwargs.get("edge_method"), kwargs.get("edge_margin")))
        return original(*args, **kwargs)

    monkeypatch.setattr(initialisation.lifstab, "stable_init_", spy)
    row = edge_route.run("dmft", 3.0, lr=0.01, seed=0)
    assert seen == [("dmft", 3.0), ("dmft", 3.0)]  # both spiking layers
    assert initialisation.EDGE_ROUTE == {}
    assert 0.0 <= row["test_accuracy"] <= 1.0 and row["time_steps"] == 20


def test_main_appends_rows_and_skips_finished_ones(tmp_path, monkeypatch):
    calls = []

    def fake_run(method, margin, lr, seed, time_steps=20):
        calls.append((method, margin, lr, seed))
        return dict(method=method, margin=margin, time_steps=time_steps, lr=lr, seed=seed, val_accuracy=0.5,
                    test_accuracy=0.25 + seed)

    monkeypatch.setattr(edge_route, "run", fake_run)
    args = ["--out", str(tmp_path), "--variants", "replay:1", "--seeds", "2", "--lrs", "0.01"]
    assert edge_route.main(args) == 0
    assert edge_route.main(args) == 0  # the rerun finds both rows finished
    assert calls == [("replay", 1.0, 0.01, 0), ("replay", 1.0, 0.01, 1)]
    with open(tmp_path / "edge_route.csv") as f:
        assert len(list(csv.DictReader(f))) == 2
