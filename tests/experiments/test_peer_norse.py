"""norse's recurrent network in the peer-training study (``--library norse``, issue 14)."""

import warnings

import pytest
import torch

import lifstab
import lifstab.adapters

pytest.importorskip("norse", reason="norse's network needs norse (pip install 'lifstab[interop]')")

from lifstab_experiments.training import peer_training  # noqa: E402
from lifstab_experiments.training.runner import read_rows  # noqa: E402
from lifstab_experiments.training.peer_norse import DT, TAU_SYN_INV, NorseNet, hidden_charges  # noqa: E402
from lifstab_experiments.training.tasks import load_task  # noqa: E402

TINY = ["--seeds", "1", "--points", "digits:20", "--epochs", "1", "--max-samples", "8", "--batch-size", "4",
        "--hidden", "8"]



def _task_and_batch(time_steps=20, batch=4):
    task = load_task("digits", time_steps=time_steps)
    return task, task.batch(task.train, list(range(batch)))[0]


def test_default_is_norse_s_tutorial_network_with_the_synaptic_current_emptied():
    task, x = _task_and_batch()
    default = peer_training.build(task, "default", 3, 8, x, "norse")
    torch.manual_seed(3)
    fresh = NorseNet(task.n_in, 8, task.n_out)
    assert all(torch.equal(a, b) for a, b in zip(default.state_dict().values(), fresh.state_dict().values()))
    p = default.l1.p
    assert (float(p.tau_mem_inv), float(p.v_th), float(p.alpha), p.method) == (100.0, 0.5, 100.0, "super")
    assert float(p.v_leak) == float(p.v_reset) == 0.0 and default.l1.dt == DT and not default.l1.autapses
    assert float(-DT * p.tau_syn_inv) == -1.0 and TAU_SYN_INV == 1 / DT
    assert default.fc_out.bias is None and float(default.out.p.tau_syn_inv) == 200.0, "the readout: norse's own"
    assert lifstab.edge_keeper_of(default.l1) is None
    mem, spikes = default(x)
    assert mem.shape == (20, 4, task.n_out) and spikes.shape == (20, 4, 8)
    again, _ = default(x[:, :2])  # another batch size: the states start at None in every forward pass
    assert torch.equal(again, mem[:, :2])


def test_the_untouched_tutorial_network_is_refused_naming_norse():
    task, x = _task_and_batch()
    torch.manual_seed(0)
    page = NorseNet(task.n_in, 8, task.n_out, tau_syn_inv=None)
    assert float(page.l1.p.tau_syn_inv) == 200.0
    with pytest.raises(ValueError, match=r"norse.*tau_syn_inv"):
        lifstab.adapters.stable_init_(page.pairs(), inputs=x, seed=0)
    with pytest.raises(ValueError, match="norse"):
        lifstab.adapters.adapt(page.l1).describe()


def test_stable_init_changes_the_recurrent_cell_s_surrogate_and_attaches_a_keeper():
    task, x = _task_and_batch(time_steps=100, batch=16)
    default, stable, edge_only = (peer_training.build(task, arm, 0, 64, x, "norse")
                                  for arm in ("default", "stable_init", "edge_only"))
    assert (default.l1.p.method, stable.l1.p.method) == ("super", "tanh"), "sigmoid, the adapter's family"
    assert stable.l1.p.alpha == edge_only.l1.p.alpha and float(stable.l1.p.alpha) != 100.0
    assert lifstab.edge_keeper_of(stable.pairs()[0]) is not None and lifstab.edge_keeper_of(edge_only.l1) is None
    # weights="keep": the input weights stay; the recurrent diagonal is 0 already (autapses=False)
    assert torch.equal(stable.l1.input_weights, default.l1.input_weights)
    assert torch.allclose(stable.l1.recurrent_weights, default.l1.recurrent_weights)
    assert torch.all(stable.l1.recurrent_weights.diagonal() == 0)
    assert torch.equal(stable.fc_out.weight, default.fc_out.weight), "the readout is not given to stable_init_"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.manual_seed(0)
        net = NorseNet(task.n_in, 64, task.n_out)
        (rec,) = lifstab.adapters.stable_init_(net.pairs(), inputs=x, seed=0, min_rate=0.02)
    assert any("min_rate=0.02 not applied" in c and "no bias" in c for c in rec.changes)
    assert any("never_wider not applied" in c for c in rec.changes)
    assert any(c.startswith("p.method = 'tanh'") for c in rec.changes)
    # so spikingjelly's no_lift (min_rate=None) and never_wider=True are stable_init run for run here
    for options in (dict(min_rate=None), dict(never_wider=True)):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            torch.manual_seed(0)
            other = NorseNet(task.n_in, 64, task.n_out)
            lifstab.adapters.stable_init_(other.pairs(), inputs=x, seed=0, **options)
        assert all(torch.equal(a, b) for a, b in zip(other.state_dict().values(), stable.state_dict().values()))
        assert (other.l1.p.method, float(other.l1.p.alpha)) == (stable.l1.p.method, float(stable.l1.p.alpha))


def test_hidden_charges_are_the_cell_s_threshold_argument():
    task, x = _task_and_batch()
    net = peer_training.build(task, "default", 1, 8, x, "norse")
    with torch.no_grad():
        net.l1.input_weights.mul_(20.0)  # make it fire, so that the reset and recurrence enter
        spikes = net(x)[1]
    z = hidden_charges(net, x)
    assert spikes.sum() > 0
    differ = spikes != (z > 0).to(spikes.dtype)
    assert torch.all(z[differ].abs() < 1e-5), "norse's v_dec, up to float32 rounding at the threshold"


def test_one_training_step_runs_and_moves_the_weights(tmp_path):
    seen = []

    def on_step(step, epoch, net, x, loss, spikes):
        grads = [net.l1.input_weights.grad, net.l1.recurrent_weights.grad, net.fc_out.weight.grad]
        seen.append((float(loss.detach()), [bool(torch.isfinite(g).all()) for g in grads],
                     float(net.l1.input_weights.grad.abs().sum())))

    row = peer_training.train_run("digits:20", "stable_init", 0, 1, 1e-3, 8, 4, 8, tmp_path, on_step, "norse")
    assert len(seen) == 2 and all(all(finite) and loss > 0 and g > 0 for loss, finite, g in seen)
    assert row["run_id"] == "norse-digits:20-stable_init-s0" and row["library"] == "norse"
    assert 0.0 <= row["test_accuracy"] <= 1.0 and not row["diverged"]


def test_the_study_runs_norse_through_the_cli(tmp_path):
    assert peer_training.main(["--out", str(tmp_path), *TINY, "--library", "norse"]) == 0
    rows = read_rows(tmp_path / "peer_training.csv")
    assert [r["run_id"] for r in rows] == [f"norse-digits:20-{arm}-s0" for arm in peer_training.LIBRARY_ARMS["norse"]]
    assert all(r["library"] == "norse" and 0 <= float(r["test_accuracy"]) <= 1 for r in rows)
    assert (tmp_path / "peer_training_summary.csv").exists()
    with pytest.raises(ValueError, match="one library"):
        peer_training.main(["--out", str(tmp_path), *TINY, "--library", "spikingjelly", "--arms", "default"])
    with pytest.raises(SystemExit):
        peer_training.main(["--out", str(tmp_path), *TINY, "--library", "norse", "--arms", "conditions"])


def test_initial_numbers_measure_rates_and_rho_through_norse():
    from lifstab_experiments.training.peer_norse import initial_numbers

    frame = initial_numbers("digits:20", 1, 8, 16, sharpness=(1.0,)).set_index("arm")
    assert list(frame.index) == ["default", "stable_init"]
    assert "super" in frame.loc["default", "hidden_surrogate"]
    assert all(0 <= frame.loc[arm, "rho_own"] < 10 for arm in frame.index)
    assert all(frame.loc[arm, "mean_surrogate_derivative"] > 0 for arm in frame.index)
