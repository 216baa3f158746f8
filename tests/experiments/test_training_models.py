"""Models and the training loop: one tiny training step per model, configs, bias pre-training, sparsity ramp."""

import math

import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st

from lifstab_experiments.training.configs import RunConfig
from lifstab_experiments.training.models import ANN_MODELS, MODELS, build_model
from lifstab_experiments.training.training import METRICS, pretrain_bias, setup, sparsity_weight, train


@pytest.mark.parametrize("name", sorted(MODELS))
@pytest.mark.parametrize("language", [False, True])
def test_one_training_step_per_model(name, language):
    torch.manual_seed(0)
    n_in, n_out, T, B = (12, 12, 6, 4) if language else (10, 3, 6, 4)
    model = build_model(name, n_in, 16, n_out, surrogate="fast_sigmoid", threshold=0.3,
                        vocabulary=language, seed=0)
    x = torch.randint(0, n_in, (T, B)) if language else (torch.rand(T, B, n_in) < 0.5).float()
    out = model(x)
    assert out.logits.shape == (T, B, n_out)
    assert (out.firing_rate is None) == (name in ANN_MODELS)
    loss = torch.nn.functional.cross_entropy(out.logits.mean(0), torch.randint(0, n_out, (B,)))
    loss.backward()
    trainable = [(n, p) for n, p in model.named_parameters() if p.requires_grad]
    assert all(p.grad is not None and torch.isfinite(p.grad).all() for _, p in trainable)
    # gradient reaches the first layer through the spikes (the SG), not only the readout
    first = next(p for n, p in trainable if not n.startswith("readout"))
    assert first.grad.abs().sum() > 0
    before = [p.detach().clone() for _, p in trainable]
    torch.optim.SGD(model.parameters(), lr=0.1).step()
    assert any(not torch.equal(b, p) for b, (_, p) in zip(before, trainable))


def test_build_model_is_seeded_and_refuses_unknown_names():
    a, b = (build_model("gru", 4, 8, 2, seed=5) for _ in range(2))
    assert all(torch.equal(p, q) for p, q in zip(a.parameters(), b.parameters()))
    with pytest.raises(ValueError, match="model='transformer'"):
        build_model("transformer", 4, 8, 2)


@given(st.integers(1, 200))
def test_sparsity_ramp_is_off_then_linear_then_on(epochs):
    weights = [sparsity_weight(e, epochs) for e in range(epochs)]
    assert all(w == 0 for e, w in enumerate(weights) if e <= epochs / 5)
    assert all(w == 1 for e, w in enumerate(weights) if e >= 3 * epochs / 5)
    assert all(b >= a for a, b in zip(weights, weights[1:]))


def test_run_config_validates_and_hashes():
    a = RunConfig()
    assert a.run_id == RunConfig().run_id and a.run_id != a.replace(seed=1).run_id
    assert RunConfig(sg="q_pseudo_spike").tail == 2.0
    for bad, name in ((dict(lr=0), "lr"), (dict(sg="nope"), "sg"), (dict(epochs=0), "epochs"),
                      (dict(target_rate=1.5), "target_rate"), (dict(model="gru", sparsity_loss=True), "sparsity_loss"),
                      (dict(conditions="V"), "conditions")):
        with pytest.raises(ValueError, match=name):
            RunConfig(**bad)


@pytest.mark.parametrize("target", [0.05, 0.5, 0.95])
def test_bias_pretraining_reaches_the_target_rate(target):
    task, model, sample, _ = setup(RunConfig(max_samples=64, hidden=16))
    pretrain_bias(model, task, target, 64, "cpu", seed=0)
    with torch.no_grad():
        rates = model(sample).layer_rates
    assert all(abs(float(r) - target) < 0.03 for r in rates)


def test_train_returns_a_full_row_and_is_reproducible():
    config = RunConfig(epochs=1, hidden=8, max_samples=64, batch_size=32)
    a, b = train(config, device="cpu"), train(config, device="cpu")
    assert set(METRICS) <= set(a) and a["run_id"] == config.run_id
    assert 0 <= a["test_accuracy"] <= 1 and 0 <= a["firing_rate"] <= 1 and a["epochs_run"] == 1
    for key in ("test_accuracy", "val_accuracy", "firing_rate", "test_loss"):
        assert a[key] == b[key]
    gru = train(config.replace(model="gru"), device="cpu")
    assert math.isnan(gru["firing_rate"])


def test_train_with_sparsity_loss_and_initial_rate():
    row = train(RunConfig(epochs=2, hidden=8, max_samples=64, target_rate=0.9, sparsity_loss=True), device="cpu")
    assert row["initial_firing_rate"] > 0.5  # pre-trained high (measured on validation data)
    assert np.isfinite(row["test_loss"])


def test_train_on_user_path_tasks(tmp_path):
    """The language path (per-step next-word loss) and a dense spike task train end to end."""
    text = "the cat sat on the mat\nthe dog sat\n" * 8
    for name in ("ptb.train.txt", "ptb.valid.txt", "ptb.test.txt"):
        (tmp_path / name).write_text(text)
    row = train(RunConfig(task="ptb", data_path=str(tmp_path), epochs=1, hidden=8, time_steps=4), device="cpu")
    assert 0 <= row["test_accuracy"] <= 1 and np.isfinite(row["test_loss"])
    mnist = tmp_path / "mnist.npz"
    rng = np.random.default_rng(0)
    np.savez(mnist, x_train=rng.integers(0, 256, (40, 28, 28)).astype(np.uint8), y_train=rng.integers(0, 10, 40),
             x_test=rng.integers(0, 256, (8, 28, 28)).astype(np.uint8), y_test=rng.integers(0, 10, 8))
    row = train(RunConfig(task="slmnist", data_path=str(mnist), epochs=1, hidden=8, time_steps=10), device="cpu")
    assert 0 <= row["test_accuracy"] <= 1


def test_train_records_a_non_finite_gradient_as_diverged_and_takes_no_step(monkeypatch):
    """A finite loss whose gradient is not finite (it would write NaN into the weights, and the next
    forward pass would refuse them) ends training before the step: the row says diverged, nothing raises."""
    from lifstab_experiments.training import training

    made = []

    def poisoned_setup(config, device="cpu"):
        task, model, sample, rng = setup(config, device)
        layer = model.layers[0]
        layer.w_in.register_hook(lambda g: torch.full_like(g, float("inf")))
        made.append((model, layer.w_in.detach().clone()))
        return task, model, sample, rng

    monkeypatch.setattr(training, "setup", poisoned_setup)
    row = train(RunConfig(epochs=2, hidden=8, max_samples=64, batch_size=32), device="cpu")
    model, w_in = made[0]
    assert row["diverged"] is True and row["epochs_run"] == 0
    assert torch.equal(model.layers[0].w_in.detach(), w_in)  # no optimiser step was taken
    assert np.isfinite(row["test_loss"])
    assert training.gradients_finite(torch.nn.Linear(2, 2)) is True  # no gradient yet: nothing non-finite
