"""The snntorch tutorial-network study (issue 14): runs, writes one row per run, skips finished runs."""

import csv

import pytest
import torch

import lifstab

pytest.importorskip("snntorch", reason="the peer-training study needs snntorch (pip install 'lifstab[interop]')")

from lifstab_experiments.training import peer_training  # noqa: E402
from lifstab_experiments.training.runner import read_rows  # noqa: E402
from lifstab_experiments.training.tasks import load_task  # noqa: E402

TINY = ["--seeds", "1", "--points", "digits:20", "--epochs", "1", "--max-samples", "8", "--batch-size", "4",
        "--hidden", "8"]



def test_study_writes_a_row_per_run_and_a_rerun_skips_them(tmp_path, monkeypatch):
    assert peer_training.main(["--out", str(tmp_path), *TINY]) == 0
    rows = read_rows(tmp_path / "peer_training.csv")
    assert sorted(r["run_id"] for r in rows) == ["digits:20-conditions-s0", "digits:20-default-s0",
                                                  "digits:20-stable_init-s0"]
    assert all(0.0 <= float(r["test_accuracy"]) <= 1.0 and r["best_epoch"] == "0" for r in rows)
    summary = read_rows(tmp_path / "peer_training_summary.csv")
    assert {r["arm"] for r in summary} == set(peer_training.STUDY)
    (pair,) = read_rows(tmp_path / "peer_training_paired.csv")
    assert float(pair["stable_minus_default"]) == pytest.approx(float(pair["stable_init"]) - float(pair["default"]))

    def no_training(*args, **kwargs):
        raise AssertionError("a finished run was trained again")

    monkeypatch.setattr(peer_training, "train_run", no_training)
    assert peer_training.main(["--out", str(tmp_path), *TINY, "--initial-rates"]) == 0
    assert len(read_rows(tmp_path / "peer_training.csv")) == 3
    keeper = read_rows(tmp_path / "peer_training_keeper.csv")
    assert keeper and {r["run_id"] for r in keeper} == {"digits:20-stable_init-s0"} and keeper[0]["step"] == "0"
    rates = read_rows(tmp_path / "peer_training_initial_rates.csv")
    assert [r["arm"] for r in rates] == list(peer_training.STUDY)
    assert all(0.0 <= float(r["initial_firing_rate"]) <= 1.0 and float(r["input_rate"]) > 0 for r in rates)


def test_stable_init_arm_changes_the_tutorial_network_and_default_keeps_it():
    task = load_task("digits", time_steps=20)
    x = task.batch(task.train, list(range(4)))[0]
    default, conditions, stable = (peer_training.build(task, arm, 3, 8, x) for arm in peer_training.STUDY)
    torch.manual_seed(3)
    fresh = peer_training.TutorialNet(task.n_in, 8, task.n_out)
    assert torch.equal(default.fc1.weight, fresh.fc1.weight) and lifstab.edge_keeper_of(default.pairs()[0]) is None
    assert not torch.equal(conditions.fc1.weight, fresh.fc1.weight), "Conditions I-II's weights"
    assert lifstab.edge_keeper_of(conditions.pairs()[0]) is None
    assert torch.equal(stable.fc1.weight, fresh.fc1.weight), "the recipe keeps the tutorial's weights"
    assert torch.all(stable.lif1.recurrent.weight.diagonal() == 0)
    assert lifstab.edge_keeper_of(stable.pairs()[0]) is not None and lifstab.edge_keeper_of(stable.pairs()[1]) is None
    with pytest.raises(ValueError, match="arm"):
        peer_training.build(task, "edge", 0, 8, x)


def test_ablation_arms_each_change_one_thing():
    import lifstab.adapters

    task = load_task("digits", time_steps=20)
    x = task.batch(task.train, list(range(4)))[0]
    default, stable = (peer_training.build(task, arm, 3, 8, x) for arm in ("default", "stable_init"))
    arms = {arm: peer_training.build(task, arm, 3, 8, x) for arm in peer_training.ABLATION}
    sharpness = {arm: float(lifstab.adapters.adapt(net.pairs()[0]).surrogate().sharpness) for arm, net in arms.items()}
    diagonal0 = arms["diagonal0"]
    off = ~torch.eye(8, dtype=torch.bool)
    assert torch.all(diagonal0.lif1.recurrent.weight.diagonal() == 0) and torch.equal(
        diagonal0.lif1.recurrent.weight[off], default.lif1.recurrent.weight[off])
    assert torch.equal(diagonal0.fc1.weight, default.fc1.weight) and sharpness["diagonal0"] == peer_training.SLOPE / 2
    assert lifstab.edge_keeper_of(diagonal0.pairs()[0]) is None
    edge = float(lifstab.adapters.adapt(stable.pairs()[0]).surrogate().sharpness)
    assert sharpness["edge_only"] == edge and lifstab.edge_keeper_of(arms["edge_only"].pairs()[0]) is None
    tutorial = arms["tutorial_sg"]
    assert torch.equal(tutorial.lif1.recurrent.weight, stable.lif1.recurrent.weight)
    assert all(float(lifstab.adapters.adapt(pair).surrogate().sharpness) == peer_training.SLOPE / 2
               for pair in tutorial.pairs()) and lifstab.edge_keeper_of(tutorial.pairs()[0]) is None
    keeper = lifstab.edge_keeper_of(arms["never_wider"].pairs()[0])
    assert keeper.sharpness_floor == peer_training.SLOPE / 2 and keeper.target_rho == 0.95
    assert sharpness["never_wider"] == max(edge, peer_training.SLOPE / 2)
    no_lift = arms["no_lift"]  # never_wider but for the bias lift: same weights and surrogate, biases untouched
    assert sharpness["no_lift"] == sharpness["never_wider"]
    assert torch.equal(no_lift.lif1.recurrent.weight, arms["never_wider"].lif1.recurrent.weight)
    assert torch.equal(no_lift.fc2.bias, default.fc2.bias) and torch.equal(no_lift.fc2.weight, default.fc2.weight)
    lift = (arms["never_wider"].fc1.bias - no_lift.fc1.bias).detach()  # this silent hidden layer is lifted
    assert float(lift.min()) > 0 and torch.allclose(lift, lift[0].expand_as(lift)), "one shared offset"
    no_keeper = arms["no_keeper"]  # no_lift but for the keeper: every parameter and the surrogate equal
    assert lifstab.edge_keeper_of(no_keeper.pairs()[0]) is None and lifstab.edge_keeper_of(no_lift.pairs()[0]) is not None
    assert sharpness["no_keeper"] == sharpness["no_lift"]
    assert all(torch.equal(a, b) for a, b in zip(no_keeper.parameters(), no_lift.parameters()))


def test_the_diagnosis_records_every_step_without_changing_the_run(tmp_path):
    from lifstab_experiments.training import peer_training_diagnosis as diagnosis

    settings = dict(epochs=1, hidden=8, batch_size=4, max_samples=12)
    row = diagnosis.diagnose(tmp_path, "digits:20", "default", 0, every=1, **settings)
    plain = peer_training.train_run("digits:20", "default", 0, 1, diagnosis.BASE.lr, 8, 4, 12)
    assert {k: v for k, v in row.items() if k != "seconds"} == {k: v for k, v in plain.items() if k != "seconds"}
    rows = read_rows(tmp_path / "peer_training_diagnosis.csv")
    assert [int(r["step"]) for r in rows] == [0, 1, 2]
    assert all(float(r["sharpness"]) == 12.5 and r["rho"] == r["rho_tutorial"] and float(r["rho"]) > 0 for r in rows)
    stable = diagnosis.diagnose(tmp_path, "digits:20", "stable_init", 0, every=2, **settings)
    rows = [r for r in read_rows(tmp_path / "peer_training_diagnosis.csv") if r["run_id"] == stable["run_id"]]
    assert [int(r["step"]) for r in rows] == [0, 2] and float(rows[0]["sharpness"]) != 12.5
    with pytest.raises(ValueError, match="every"):
        diagnosis.diagnose(tmp_path, "digits:20", "default", 0, every=0, **settings)


def test_the_lifstab_keeper_history_starts_at_stable_init_s_sharpness(tmp_path, monkeypatch):
    from lifstab_experiments.training import long_horizon, peer_training_diagnosis as diagnosis

    monkeypatch.setattr(diagnosis, "BASE", long_horizon.BASE.replace(epochs=1, hidden=8, batch_size=4, max_samples=12))
    diagnosis.lifstab_keeper_history(tmp_path, "digits:20", 0)
    rows = read_rows(tmp_path / "recommended_keeper.csv")
    layers = sorted({int(r["layer"]) for r in rows})
    assert [int(r["step"]) for r in rows] == [-1] * len(layers) + [0] * len(layers), "3 steps: one re-set, at 0"
    assert all(float(r["sharpness"]) > 0 for r in rows)


def test_a_step_with_a_non_finite_gradient_ends_the_run_as_diverged(monkeypatch):
    """The step is not taken (no NaN reaches the weights, which the edge keeper would refuse); the run is
    evaluated on its last finite weights and its row says diverged."""
    monkeypatch.setattr(peer_training, "gradients_finite", lambda net: False)
    row = peer_training.train_run("digits:20", "stable_init", 0, epochs=2, lr=1e-3, hidden=8, batch_size=4,
                                  max_samples=8)
    assert row["diverged"] is True and row["best_epoch"] == 0
    assert 0.0 <= row["test_accuracy"] <= 1.0
    assert row["diverged"] is not None and set(row) == set(peer_training.COLUMNS)


def test_a_results_file_from_before_the_diverged_column_takes_new_runs(tmp_path):
    """A study written before ``diverged`` existed is resumed: its header is kept while no run diverges."""
    old = [c for c in peer_training.COLUMNS if c != "diverged"]
    (tmp_path / "peer_training.csv").write_text(",".join(old) + "\n")
    assert peer_training.main(["--out", str(tmp_path), *TINY, "--arms", "default"]) == 0
    with open(tmp_path / "peer_training.csv") as f:
        assert next(csv.reader(f)) == old
    assert [r["run_id"] for r in read_rows(tmp_path / "peer_training.csv")] == ["digits:20-default-s0"]
