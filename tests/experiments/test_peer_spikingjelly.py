"""spikingjelly's recurrent network in the peer-training study (``--library spikingjelly``, issue 14)."""

from pathlib import Path

import pytest
import torch

import lifstab
import lifstab.adapters

pytest.importorskip("snntorch", reason="the peer-training study needs snntorch (pip install 'lifstab[interop]')")
pytest.importorskip("spikingjelly", reason="spikingjelly's network needs spikingjelly (pip install 'lifstab[interop]')")

from lifstab_experiments.training import peer_training  # noqa: E402
from lifstab_experiments.training.runner import read_rows  # noqa: E402
from lifstab_experiments.training.peer_spikingjelly import JellyNet, charge  # noqa: E402
from lifstab_experiments.training.tasks import load_task  # noqa: E402

RESULTS = Path(__file__).resolve().parents[2] / "experiments" / "peer_training_results"
TINY = ["--seeds", "1", "--points", "digits:20", "--epochs", "1", "--max-samples", "8", "--batch-size", "4",
        "--hidden", "8"]



def _task_and_batch():
    task = load_task("digits", time_steps=20)
    return task, task.batch(task.train, list(range(4)))[0]


def test_default_is_spikingjelly_s_own_network_and_stable_init_rewrites_it():
    task, x = _task_and_batch()
    default, stable, never = (peer_training.build(task, arm, 3, 8, x, "spikingjelly")
                              for arm in ("default", "stable_init", "never_wider"))
    torch.manual_seed(3)
    fresh = JellyNet(task.n_in, 8, task.n_out)
    assert all(torch.equal(a, b) for a, b in zip(default.state_dict().values(), fresh.state_dict().values()))
    node = default.lif1.sub_module
    assert (node.tau, node.v_threshold, node.v_reset, node.decay_input, node.detach_reset) == (2.0, 1.0, 0.0, True,
                                                                                            False)
    assert lifstab.edge_keeper_of(default.pairs()[0]) is None
    rc, rc0 = stable.lif1.rc.weight, fresh.lif1.rc.weight
    assert torch.equal(rc[:, :8], torch.eye(8)) and torch.all(rc[:, 8:].diagonal() == 0)
    off = ~torch.eye(8, dtype=torch.bool)
    assert torch.allclose(rc[:, 8:][off], rc0[:, 8:][off]), "the recipe keeps the recurrent weights"
    assert torch.allclose(stable.fc1.weight, rc0[:, :8] @ fresh.fc1.weight, atol=1e-6), "A P, folded into fc1"
    # the recurrent layer (tau 2) has no edge of stability: it keeps spikingjelly's own Sigmoid, and no keeper
    # is attached (one would write stable_init_'s family for this adapter, fast_sigmoid, into it); never_wider
    # changes nothing: the two arms are one network
    assert lifstab.edge_keeper_of(stable.pairs()[0]) is None and lifstab.edge_keeper_of(never.pairs()[0]) is None
    assert lifstab.adapters.adapt(default.pairs()[0]).surrogate().family == "sigmoid"
    assert [repr(lifstab.adapters.adapt(p).surrogate()) for p in never.pairs()] == [
        repr(lifstab.adapters.adapt(p).surrogate()) for p in stable.pairs()]
    assert repr(lifstab.adapters.adapt(stable.pairs()[0]).surrogate()) == repr(
        lifstab.adapters.adapt(default.pairs()[0]).surrogate())
    assert all(torch.equal(a, b) for a, b in zip(never.state_dict().values(), stable.state_dict().values()))
    with pytest.raises(ValueError, match="arm"):
        peer_training.build(task, "tutorial_sg", 0, 8, x, "spikingjelly")
    with pytest.raises(ValueError, match="library"):
        peer_training.build(task, "default", 0, 8, x, "brian2")


def test_the_readout_is_the_output_node_s_charged_membrane_and_batches_reset():
    from spikingjelly.activation_based import neuron

    node = neuron.LIFNode()
    currents = [torch.tensor([[0.5, 3.0, -1.0]]), torch.tensor([[0.5, 0.2, 2.5]])]
    h1 = charge(node, currents[0])
    assert torch.allclose(h1, torch.tensor([[0.25, 1.5, -0.5]]))
    assert torch.equal(node.v, torch.tensor([[0.25, 0.0, -0.5]])), "the neuron that crossed 1 was reset to 0"
    h2 = charge(node, currents[1])
    assert torch.allclose(h2, torch.tensor([[0.375, 0.1, 1.0]]))  # V_{t-1} + (X_t - V_{t-1}) / 2
    task, x = _task_and_batch()
    net = peer_training.build(task, "default", 0, 8, x, "spikingjelly")
    mem, spikes = net(x)
    assert mem.shape == (20, 4, task.n_out) and spikes.shape == (20, 4, 8)
    again, _ = net(x[:, :2])  # another batch size: the forward resets the network's state first
    assert torch.equal(again, mem[:, :2])


def test_one_training_step_runs_and_moves_the_weights(tmp_path):
    seen = []

    def on_step(step, epoch, net, x, loss, spikes):
        grads = [net.fc1.weight.grad, net.lif1.rc.weight.grad, net.fc2.weight.grad]
        seen.append((float(loss.detach()), [bool(torch.isfinite(g).all()) for g in grads],
                     float(net.fc2.weight.grad.abs().sum())))

    row = peer_training.train_run("digits:20", "stable_init", 0, 1, 1e-3, 8, 4, 8, tmp_path, on_step, "spikingjelly")
    assert len(seen) == 2 and all(all(finite) and loss > 0 and g > 0 for loss, finite, g in seen)
    assert row["run_id"] == "spikingjelly-digits:20-stable_init-s0" and row["library"] == "spikingjelly"
    assert 0.0 <= row["test_accuracy"] <= 1.0 and not row["diverged"]


def test_the_study_writes_spikingjelly_rows_apart_and_snntorch_run_ids_are_unchanged(tmp_path):
    assert peer_training.main(["--out", str(tmp_path), *TINY, "--library", "spikingjelly", "--arms", "default"]) == 0
    (row,) = read_rows(tmp_path / "peer_training.csv")
    assert row["run_id"] == "spikingjelly-digits:20-default-s0" and row["library"] == "spikingjelly"
    assert peer_training.columns("snntorch") == peer_training.COLUMNS and "library" not in peer_training.COLUMNS
    with pytest.raises(ValueError, match="one library"):
        peer_training.main(["--out", str(tmp_path), *TINY, "--arms", "default"])
    with pytest.raises(SystemExit):
        peer_training.main(["--out", str(tmp_path), *TINY, "--library", "spikingjelly", "--arms", "conditions"])
    committed = [r for name in ("peer_training.csv", "memory300.csv", "ablation/peer_training.csv")
                 for r in read_rows(RESULTS / name)]
    assert len(committed) > 20
    for r in committed:
        point = f"{r['task']}:{r['horizon']}"
        expected = f"{point}-{r['arm']}-s{r['seed']}"
        assert peer_training.run_id(point, r["arm"], int(r["seed"])) == r["run_id"] == expected


def test_initial_numbers_measure_the_rate_lift_and_rho_through_spikingjelly():
    from lifstab_experiments.training.peer_spikingjelly import initial_numbers

    frame = initial_numbers("digits:20", 1, 8, 16, sharpness=(1.0,)).set_index("arm")
    assert list(frame.index) == ["default", "stable_init"]
    assert frame.loc["stable_init", "hidden_rate"] == pytest.approx(0.02, abs=0.01), "min_rate's bias lift"
    assert "'sigmoid'" in frame.loc["default", "hidden_surrogate"]
    assert frame.loc["stable_init", "hidden_surrogate"] == frame.loc["default", "hidden_surrogate"], "no edge: kept"
    assert all(0 < frame.loc[arm, "rho_own"] < 10 for arm in frame.index)
    assert all(frame.loc[arm, "mean_surrogate_derivative"] > 0 for arm in frame.index)


def test_per_pair_arm_lifts_the_hidden_layer_only():
    task, x = _task_and_batch()
    stable, hidden_lift, no_lift = (peer_training.build(task, arm, 3, 8, x, "spikingjelly")
                                    for arm in ("stable_init", "hidden_lift", "no_lift"))
    hidden = [dict(net.lif1.named_parameters())["rc.bias"] for net in (stable, hidden_lift, no_lift)]
    assert torch.equal(hidden[0], hidden[1]) and not torch.equal(hidden[1], hidden[2]), "the hidden pair is lifted"
    assert torch.equal(hidden_lift.fc2.bias, no_lift.fc2.bias), "the output pair is not"
    assert not torch.equal(stable.fc2.bias, no_lift.fc2.bias), "stable_init lifts the output pair too"
