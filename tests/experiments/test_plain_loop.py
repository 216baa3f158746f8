"""The plain-loop study: a user's own model and loop, with and without stable_init_."""

import pandas as pd
import pytest
import torch

import lifstab
from lifstab_experiments.training import plain_loop


def test_one_run_records_accuracy_and_the_layers_end_state(monkeypatch):
    calls = []
    real = lifstab.stable_init_
    monkeypatch.setattr(lifstab, "stable_init_", lambda *a, **k: calls.append(k) or real(*a, **k))
    row = plain_loop.run_one(plain_loop.PlainRun("digits", 20, 1.0, "stable_init_", seed=0, epochs=1, hidden=16))
    assert len(calls) == 1 and calls[0]["seed"] == 0
    assert 0 <= row["test_accuracy"] <= 1 and 0 <= row["silent_fraction"] <= 1
    assert row["ended_silent"] == (row["firing_rate"] < plain_loop.SILENT_LAYER)
    # untrained (0 epochs) at T 100: the default layer is silent on the sparse latency inputs, stable_init_
    # lifts it to the recipe's floor
    silent = plain_loop.run_one(plain_loop.PlainRun("digits", 100, 1.0, "default", seed=0, epochs=0, hidden=16))
    lifted = plain_loop.run_one(plain_loop.PlainRun("digits", 100, 1.0, "stable_init_", seed=0, epochs=0, hidden=16))
    assert silent["initial_firing_rate"] < 0.005 and silent["ended_silent"]
    assert lifted["initial_firing_rate"] >= 0.015 and len(calls) == 2


def test_user_model_reads_the_readout_window():
    model = plain_loop.UserModel(4, 8, 3, threshold=0.5, readout_steps=5)
    x = torch.rand(20, 2, 4)
    logits, spikes = model(x)
    assert logits.shape == (2, 3) and spikes.shape == (20, 2, 8)
    torch.testing.assert_close(logits, model.readout(spikes[-5:].mean(0)))


def test_compare_takes_the_worst_seed_and_counts_bad_endings():
    rows = [dict(task="digits", horizon=50, threshold=1.0, epochs=epochs, arm=arm, seed=seed, test_accuracy=acc,
                 firing_rate=rate, ended_silent=rate < 0.02, ended_saturated=rate > 0.8)
            for epochs, arm, seed, acc, rate in [(8, "default", 0, 0.2, 0.001), (8, "stable_init_", 0, 0.5, 0.3),
                                                 (8, "default", 1, 0.4, 0.9), (8, "stable_init_", 1, 0.35, 0.2),
                                                 (24, "default", 0, 0.2, 0.1), (24, "stable_init_", 0, 0.9, 0.1)]]
    first, longer = plain_loop.compare(pd.DataFrame(rows)).to_dict("records")
    assert first["epochs"] == 8 and first["seeds"] == 2 and longer["epochs"] == 24 and longer["seeds"] == 1
    assert first["worst_seed_difference"] == pytest.approx(-0.05)
    assert longer["worst_seed_difference"] == pytest.approx(0.7)  # each budget is compared on its own
    assert first["default_silent_or_saturated"] == 2 and first["stable_init__silent_or_saturated"] == 0


def test_a_diverging_loop_stops_before_the_nan_step_and_says_so(monkeypatch):
    """A gradient that is not finite ends training with the last finite weights, and the row says diverged."""
    import numpy as np

    task = plain_loop._load(plain_loop.PlainRun("digits", 20, 1.0, "default", 0, 2, hidden=8))
    run = plain_loop.PlainRun("digits", 20, 1.0, "default", 0, 2, hidden=8)
    torch.manual_seed(0)
    model = plain_loop.UserModel(task.n_in, 8, task.n_out, 1.0, task.time_steps)
    before = [p.detach().clone() for p in model.parameters()]
    with torch.no_grad():
        model.readout.weight.fill_(float("inf"))  # every gradient through the readout is now NaN
    before[-2].fill_(float("inf"))
    assert plain_loop._train(model, task, run, np.random.default_rng(0)) is True
    for p, b in zip(model.parameters(), before):  # no step was taken
        assert torch.equal(p.detach(), b)
    torch.manual_seed(0)
    fine = plain_loop.UserModel(task.n_in, 8, task.n_out, 1.0, task.time_steps)
    assert plain_loop._train(fine, task, run, np.random.default_rng(0)) is False
