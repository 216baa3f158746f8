"""Long-horizon tasks, the fluctuation-driven initialiser, the per-epoch diagnosis and the study's plumbing."""

import math

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from lifstab_experiments.training import long_horizon, tasks
from lifstab_experiments.training.configs import RunConfig
from lifstab_experiments.training.diagnosis import Diagnosis, diagnose, plot_diagnosis
from lifstab_experiments.training.initialisation import FDI_FEEDFORWARD_FRACTION, fdi_, fdi_weight_std
from lifstab_experiments.training.training import setup, train

import lifstab


# ---------------------------------------------------------------- the memory task

def test_memory_task_shapes_readout_window_and_determinism():
    a, b = tasks.load_memory(delay=30), tasks.load_memory(delay=30)
    T = tasks.MEMORY_CUE_STEPS + 30 + tasks.MEMORY_GO_STEPS
    assert a.time_steps == T and a.readout_steps == tasks.MEMORY_GO_STEPS and a.n_out == 2
    x, y = a.batch(a.test, np.arange(8))
    assert x.shape == (T, 8, a.n_in) and y.shape == (8,)
    np.testing.assert_array_equal(a.train.inputs, b.train.inputs)
    assert [len(s.labels) for s in (a.train, a.val, a.test)] == list(tasks.MEMORY_SAMPLES)
    assert 0.4 < a.train.labels.mean() < 0.6


def _counts(inputs, window):
    return inputs[:, window].sum(1).astype(float)  # spikes per channel inside the window


def test_memory_label_lives_in_the_cue_only():
    """A classifier that sees the cue window is right; one that sees everything but the cue is at chance."""
    from sklearn.linear_model import LogisticRegression

    task = tasks.load_memory(delay=40)
    cue, rest = slice(0, tasks.MEMORY_CUE_STEPS), slice(tasks.MEMORY_CUE_STEPS, None)
    scores = {}
    for name, window in (("cue", cue), ("rest", rest)):
        model = LogisticRegression(max_iter=2000).fit(_counts(task.train.inputs, window), task.train.labels)
        scores[name] = model.score(_counts(task.test.inputs, window), task.test.labels)
    assert scores["cue"] > 0.95
    assert abs(scores["rest"] - 0.5) < 0.1  # 250 test samples: chance +- 3 standard errors


def test_memory_task_bad_settings_name_the_argument():
    with pytest.raises(ValueError, match="delay"):
        tasks.load_memory(delay=-1)
    with pytest.raises(ValueError, match="time_steps"):
        tasks.load_memory(delay=10, time_steps=5)
    with pytest.raises(ValueError, match="delay"):
        tasks.load_task("digits", delay=10)
    with pytest.raises(ValueError, match="delay"):
        RunConfig(task="digits", delay=10)


def test_randman700_is_shd_sized():
    task = tasks.load_randman700(time_steps=50)
    x, y = task.batch(task.train, np.arange(3))
    assert x.shape == (50, 3, 700) and task.n_out == 20
    assert float(x.sum(0).max()) <= 1.0


# ---------------------------------------------------------------- fluctuation-driven initialisation

def test_fdi_weight_std_formula():
    decay, n, rate, threshold = math.exp(-1 / 20), 200, 0.05, 1.0
    std = fdi_weight_std(n, rate, decay, threshold, fraction=1.0, xi=2.0)
    # sigma_U^2 = n rate sigma_w^2 / (1 - decay^2) = (threshold / xi)^2
    assert n * rate * std ** 2 / (1 - decay ** 2) == pytest.approx((threshold / 2.0) ** 2, rel=1e-12)
    with pytest.raises(ValueError, match="rate"):
        fdi_weight_std(n, 0.0, decay, threshold, 1.0)


def test_fdi_gives_the_membrane_fluctuations_it_aims_at():
    """Simulated without spikes, the voltage's temporal variance is the feed-forward share of
    (threshold / xi)^2, up to Bernoulli's (1 - rate) factor that Campbell's theorem leaves out."""
    rate, n_in, n = 0.05, 400, 300
    layer = lifstab.RecurrentLIF(n_in, n, tau=20.0, threshold=1.0, dtype=torch.float64)
    stds = fdi_(layer, rate, seed=0)
    assert float(layer.w_in.detach().std()) == pytest.approx(stds["input_std"], rel=0.02)
    assert float(layer.w_rec.detach().mean()) == pytest.approx(0.0, abs=5 * stds["recurrent_std"] / n)
    x = (torch.rand(2000, 4, n_in, dtype=torch.float64) < rate).double()
    alpha, v, trace = float(layer.decay[0]), torch.zeros(4, n, dtype=torch.float64), []
    for x_t in x:
        v = alpha * v + x_t @ layer.w_in.detach()
        trace.append(v)
    temporal = torch.stack(trace)[200:].var(0).mean()
    expected = FDI_FEEDFORWARD_FRACTION * 1.0 ** 2 * (1 - rate)
    assert float(temporal) == pytest.approx(expected, rel=0.1)


# ---------------------------------------------------------------- diagnosis

def _small():
    config = RunConfig(time_steps=24, hidden=12, seed=3)
    task, model, _, _ = setup(config)
    x, y = task.batch(task.train, np.arange(6))
    return task, model, x, y


def _loss(logits, y):
    return F.cross_entropy(logits.mean(0), y)


def test_diagnosis_agrees_with_autograd_through_the_models_own_forward():
    task, model, x, y = _small()
    result = diagnose(model, x, y, _loss, keep_gradients=True)
    model.zero_grad()
    _loss(model(x).logits, y).backward()  # the layers' fast implementation, not diagnose's steps
    layers = list(model.layers)
    for row, layer in zip(result["layers"], layers):
        direct = torch.linalg.vector_norm(torch.stack([p.grad.norm() for p in layer.parameters() if p.grad is not None]))
        assert row["grad_norm"] == pytest.approx(float(direct), rel=1e-4)
    # dL/dI_t = dL/dv_t for the subtractive reset, so the input weights' gradient is sum_t x_t^T dL/dv_t
    grads = torch.stack(result["gradients"][0])
    w_in_grad = torch.einsum("tbi,tbn->in", model.encoder(x), grads)
    torch.testing.assert_close(w_in_grad, layers[0].w_in.grad, rtol=1e-4, atol=1e-7)
    np.testing.assert_allclose(result["profiles"][0], grads.flatten(1).norm(dim=1).numpy(), rtol=1e-6)


def test_diagnosis_rho_agrees_with_the_replayed_recursion():
    """diagnose's rho (autograd through the steps) equals the replayed backward recursion on the same
    readout: two code paths, one number."""
    from lifstab import measure

    task, model, x, y = _small()
    model, x = model.double(), x.double()
    layer = model.layers[0]
    row = diagnose(model, x, y, _loss, seed=7)["layers"][0]
    readout = measure.readout((x.shape[1], layer.n_rec), 7, x.dtype)
    g = measure.gradient_norms_over_sharpness(layer, measure.record(layer, x), [float(layer.surrogate.sharpness)], readout)
    assert row["rho"] == pytest.approx(float(measure.growth_factor(g[0])), rel=1e-6)


def test_diagnosis_predicted_rho_is_the_dmft_prediction_and_near_the_measured_one():
    """predicted_rho is lifstab's dmft prediction (current weights, one forward probe) at the layer's sharpness;
    on a 64-neuron network at T 100 it is within 5% of the rho measured by autograd."""
    from lifstab.stability import predicted_log_growth

    config = RunConfig(time_steps=100, hidden=64, seed=3)
    task, model, _, _ = setup(config)
    x, y = task.batch(task.train, np.arange(16))
    rows = diagnose(model, x, y, _loss)["layers"]
    first = predicted_log_growth(model.layers[0], model.encoder(x).detach(), [float(model.layers[0].surrogate.sharpness)])
    assert rows[0]["predicted_rho"] == pytest.approx(float(np.exp(first[0])), rel=1e-9)
    for row in rows:
        assert abs(np.log(row["predicted_rho"] / row["rho"])) < 0.05


def test_diagnosis_files_survive_each_epoch_and_plot(tmp_path):
    task, model, x, y = _small()
    doctor = Diagnosis(tmp_path, x, y, _loss)
    doctor(model, 0)
    doctor(model, 1)
    lines = (tmp_path / "diagnosis.csv").read_text().splitlines()
    assert len(lines) == 1 + 2 * len(model.layers) and "predicted_rho" in lines[0]
    assert plot_diagnosis(tmp_path).exists()


def test_train_with_diagnosis_and_kept_edge(tmp_path):
    config = RunConfig(task="memory", delay=8, epochs=1, hidden=16, max_samples=64, target_rho=0.95, keep_every=1)
    row = train(config, device="cpu", diagnose=str(tmp_path))
    assert row["epochs_run"] == 1
    import pandas as pd

    frame = pd.read_csv(tmp_path / "diagnosis.csv")
    assert sorted(frame.epoch.unique()) == [0, 1]
    assert (frame[frame.epoch == 1].sharpness != 1.0).all()  # the keeper re-set every layer
    assert (tmp_path / "diagnosis.png").exists()


def test_the_recommended_runs_keeper_follows_the_recipes_never_wider(monkeypatch):
    import dataclasses

    import lifstab.recipe
    from lifstab_experiments.training.training import edge_keeper

    config = RunConfig(time_steps=20, epochs=1, hidden=8, max_samples=64, target_rho=0.95, init="recommended",
                       sharpness=2.0)
    _, model, _, _ = setup(config)
    assert edge_keeper(model, config).sharpness_floor is None  # the recipe's default: never_wider off
    monkeypatch.setattr(lifstab.recipe, "RECIPE", dataclasses.replace(lifstab.recipe.RECIPE, never_wider=True))
    for init, floor in (("recommended", 2.0), ("default", None)):
        config = dataclasses.replace(config, init=init)
        assert edge_keeper(model, config).sharpness_floor == floor
    conditions = RunConfig(time_steps=20, hidden=8, target_rho=0.95, keep_knob="dampening", init="recommended")
    assert edge_keeper(setup(conditions)[1], conditions).sharpness_floor is None  # the floor is a sharpness


def test_recurrent_lr_scale_zero_freezes_the_recurrent_weights():
    config = RunConfig(time_steps=20, epochs=1, hidden=8, max_samples=64, recurrent_lr_scale=0.0)
    from lifstab_experiments.training.training import optimiser

    _, model, _, _ = setup(config)
    opt = optimiser(model, config)
    frozen = [layer.w_rec for layer in model.layers]
    assert all(not w.requires_grad for w in frozen)
    assert all(all(p is not w for w in frozen) for g in opt.param_groups for p in g["params"])


# ---------------------------------------------------------------- the study's plumbing

def test_long_horizon_configs_and_arm_names_round_trip():
    runs = long_horizon.configs(["digits:40", "memory:30"], seeds=2)
    assert len(runs) == 2 * 2 * len(long_horizon.ARMS)
    for run in runs:
        row = {k: "" if v is None else v for k, v in vars(run).items()}
        arm = long_horizon.arm_of(row)
        assert all(str(getattr(run, k)) == str(v) for k, v in long_horizon.ARMS[arm].items())
    with pytest.raises(ValueError, match="point"):
        long_horizon.parse_point("digits:zero")
    with pytest.raises(ValueError, match="arms"):
        long_horizon.configs(["digits:40"], arms=["nope"])
    with pytest.raises(ValueError, match="arms"):
        long_horizon.configs(["digits:40"], arms=["edge:-1"])
    (other,) = long_horizon.configs(["digits:40"], seeds=1, arms=["edge:0.92"])
    assert other.target_rho == 0.92 and long_horizon.arm_of(vars(other)) == "edge:0.92"
    (membrane,) = long_horizon.configs(["digits:40"], seeds=1, arms=["edge+membrane"])
    assert membrane.readout == "membrane" and long_horizon.arm_of(vars(membrane)) == "edge+membrane"
    (recommended,) = long_horizon.configs(["digits:40"], seeds=1, arms=["recommended"])
    assert (recommended.init, recommended.readout, recommended.target_rho) == ("recommended", "membrane", 0.95)
    assert long_horizon.arm_of(vars(recommended)) == "recommended"
    (linear,) = long_horizon.configs(["digits:40"], seeds=1, arms=["conditions+membrane"])
    assert long_horizon.arm_of(vars(linear)) == "conditions+membrane"
    with pytest.raises(ValueError, match="no arm"):
        long_horizon.arm_of({**vars(linear), "lr": 0.5})


def test_later_fields_keep_earlier_run_ids():
    """Fields added after results were committed leave a run's identifier as it was at their defaults."""
    import hashlib
    import json
    from dataclasses import asdict

    from lifstab_experiments.training.configs import LATER_FIELDS

    config = RunConfig(task="digits", seed=4)
    earlier = {k: v for k, v in asdict(config).items() if k not in LATER_FIELDS}
    assert config.run_id == hashlib.sha1(json.dumps(earlier, sort_keys=True).encode()).hexdigest()[:12]
    assert RunConfig(task="digits", seed=4, target_rho=0.95).run_id != config.run_id


def test_results_file_from_before_new_fields_keeps_its_header(tmp_path):
    from lifstab_experiments.training.runner import COLUMNS, append_row, read_rows

    path = tmp_path / "r.csv"
    old = [c for c in COLUMNS if c not in ("keep_knob",)]
    append_row(path, {"run_id": "a", "seed": 1}, old)
    append_row(path, {"run_id": "b", "seed": 2, "keep_knob": "sharpness"})  # the default: nothing lost
    rows = read_rows(path)
    assert [r["run_id"] for r in rows] == ["a", "b"] and rows[1]["seed"] == "2"
    with pytest.raises(ValueError, match="keep_knob"):
        append_row(path, {"run_id": "c", "keep_knob": "dampening"})


def test_paper_arm_builds_the_papers_neuron_and_applies_its_conditions():
    from lifstab_experiments.training.initialisation import PAPER_NEURON, initialise
    from lifstab_experiments.training.training import optimiser

    config = RunConfig(time_steps=20, hidden=16, init="paper", lr=3.16e-4)
    task, model, sample, _ = setup(config)
    layer = model.layers[0]
    assert layer.reset == PAPER_NEURON["reset"] and float(layer.threshold[0]) == pytest.approx(0.01)
    assert float(layer.decay[0]) == pytest.approx(math.exp(-10), rel=1e-5)
    assert model.encoder(sample).shape[0] == 2 * sample.shape[0]  # each frame twice
    initialise(model, "paper", None, sample, 0)
    rec = lifstab.recommend(layer.n_in, layer.n_rec, decay=float(layer.decay[0]), threshold=0.01,
                            reset=layer.reset, inputs=model.encoder(sample), family=layer.surrogate.family,
                            variant="paper")
    off = layer.w_rec.detach()[layer.rec_mask.bool()]
    assert float(off.mean()) == pytest.approx(rec.recurrent_mean, rel=1e-4)
    assert isinstance(optimiser(model, config), torch.optim.AdamW)


def test_membrane_readout_is_a_leaky_sum_of_the_linear_currents():
    from lifstab_experiments.training.models import LeakyReadout, build_model

    readout = LeakyReadout(5, 3, tau=10.0)
    z = (torch.rand(12, 2, 5) < 0.5).float()
    current = readout.linear(z)
    alpha = math.exp(-1 / 10.0)
    expected = torch.stack([sum(alpha ** (t - k) * current[k] for k in range(t + 1)) for t in range(12)])
    torch.testing.assert_close(readout(z), expected)
    model = build_model("lif", 4, 8, 3, readout="membrane", tau=10.0)
    assert isinstance(model.readout, LeakyReadout) and model(torch.zeros(6, 2, 4)).logits.shape == (6, 2, 3)
    with pytest.raises(ValueError, match="readout"):
        RunConfig(model="gru", readout="membrane")
    with pytest.raises(ValueError, match="readout"):
        build_model("lif", 4, 8, 3, readout="max")
