"""`lifstab train --json` and `lifstab experiment`."""

import json

from lifstab.cli import main


def test_train_json_has_the_documented_keys(capsys):
    assert main(["train", "--task", "digits", "--model", "lif", "--sg", "fast_sigmoid", "--epochs", "1",
                 "--hidden", "8", "--max-samples", "64", "--seed", "3", "--json"]) == 0
    row = json.loads(capsys.readouterr().out)
    assert {"test_accuracy", "val_accuracy", "firing_rate", "epochs", "seconds"} <= set(row)
    assert row["epochs"] == 1 and row["seed"] == 3 and row["device"] in ("cpu", "cuda")


def test_train_gru_baseline_json(capsys):
    assert main(["train", "--model", "gru", "--epochs", "1", "--hidden", "8", "--max-samples", "64", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["firing_rate"] is None


def test_train_bad_input_is_one_line(capsys):
    assert main(["train", "--model", "transformer", "--json"]) == 2
    err = capsys.readouterr().err
    assert "model='transformer'" in err and err.count("\n") == 1


def test_experiment_full_preset_asks_for_data(capsys, tmp_path):
    assert main(["experiment", "sg_lr", "--preset", "full", "--out", str(tmp_path)]) == 2
    assert "--data" in capsys.readouterr().err


def test_init_recommended_brings_the_training_recipe_and_explicit_flags_win(capsys):
    import json

    from lifstab.recipe import RECIPE

    common = ["train", "--task", "digits", "--time-steps", "20", "--epochs", "1", "--hidden", "8",
              "--max-samples", "64", "--json"]
    assert main([*common, "--init", "recommended"]) == 0
    row = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert (row["target_rho"], row["recurrent_lr_scale"], row["readout"]) == (
        RECIPE.target_rho, RECIPE.recurrent_lr_scale, RECIPE.readout)
    assert main([*common, "--init", "recommended", "--readout", "linear", "--recurrent-lr-scale", "1"]) == 0
    row = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert (row["target_rho"], row["recurrent_lr_scale"], row["readout"]) == (RECIPE.target_rho, 1.0, "linear")
    assert main([*common, "--init", "default"]) == 0
    row = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert (row["target_rho"], row["recurrent_lr_scale"], row["readout"]) == (None, 1.0, "linear")
