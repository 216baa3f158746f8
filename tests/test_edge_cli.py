"""lifstab.protocol (the edge CONFIG) and `lifstab edge`: validation, network construction, JSON output."""

import json
import math

import numpy as np
import pytest
import torch

from lifstab.cli import main
from lifstab.protocol import KEYS, build, config_from_dict, load_weights

CONFIG = dict(sg="exponential", dampening=1.0, q=None, n_in=12, n_rec=40, tau=10.0, thr=0.2, input_rate=0.2,
              w_in_std=1.5 / math.sqrt(12), w_rec_std=1.5 / math.sqrt(40), w_rec_mean=0.0, reset="subtractive",
              T=40, batch=3)


def test_keys_are_the_contracts():
    assert set(KEYS) == {"sg", "dampening", "q", "n_in", "n_rec", "tau", "thr", "input_rate", "w_in_std",
                         "w_rec_std", "w_rec_mean", "reset", "T", "batch"}


@pytest.mark.parametrize("change, match", [
    ({"n_rec": None}, "n_rec"),
    ({"n_rec": 3.5}, "n_rec"),
    ({"n_rec": True}, "n_rec"),
    ({"tau": -1.0}, "tau"),
    ({"thr": 0}, "thr"),
    ({"input_rate": 1.5}, "input_rate"),
    ({"w_rec_std": float("nan")}, "w_rec_std"),
    ({"reset": "multiplicative_1"}, "reset"),
    ({"sg": "boxcar"}, "sg"),
    ({"sg": "q_pseudo_spike", "q": 1.0}, "q"),
    ({"sg": "q_pseudo_spike", "q": None}, "q"),
    ({"T": 8}, "T"),
    ({"batch": "16"}, "batch"),
    ({"detach_reset": "no"}, "detach_reset"),
    ({"detach_reset": 0}, "detach_reset"),
    ({"adaptation_tau": 100.0}, "adaptation_strength"),
    ({"adaptation_strength": 0.2}, "adaptation_tau"),
    ({"adaptation_tau": -1.0, "adaptation_strength": 0.2}, "adaptation_tau"),
    ({"adaptation_tau": 100.0, "adaptation_strength": -0.2}, "adaptation_strength"),
])
def test_bad_config_raises_naming_the_key(change, match):
    with pytest.raises(ValueError, match=match):
        config_from_dict({**CONFIG, **change})


def test_missing_key_and_extra_keys():
    cfg = dict(CONFIG)
    del cfg["w_in_std"]
    with pytest.raises(ValueError, match="w_in_std"):
        config_from_dict(cfg)
    assert config_from_dict({**CONFIG, "comment": "ignored"}) == config_from_dict(CONFIG)
    assert config_from_dict({**CONFIG, "reset": "multiplicative"}).layer_reset == "multiplicative_2"


def test_build_follows_the_protocol():
    cfg = config_from_dict({**CONFIG, "w_rec_mean": 0.01})
    layer, x, r = build(cfg, seed=4)
    assert x.shape == (40, 3, 12) and r.shape == (3, 40)
    assert set(torch.unique(x).tolist()) <= {0.0, 1.0}
    assert torch.all(layer.recurrent_weight().diagonal() == 0)
    assert float(layer.threshold[0]) == 0.2 and float(layer.tau[0]) == 10.0  # exact, not float32-rounded
    assert layer.bias is None and layer.detach_reset and layer.w_in.dtype == torch.float64
    off = layer.recurrent_weight().detach()[~torch.eye(40, dtype=torch.bool)]
    assert float(off.mean()) == pytest.approx(0.01, abs=4 * 1.5 / math.sqrt(40) / 40)
    again = build(cfg, seed=4)
    assert torch.equal(again[1], x) and torch.equal(again[0].w_rec, layer.w_rec)
    assert not torch.equal(build(cfg, seed=5)[1], x)


def test_weights_file_shapes_are_checked(tmp_path):
    cfg = config_from_dict(CONFIG)
    good = tmp_path / "w.npz"
    np.savez(good, w_in=np.ones((12, 40)), w_rec=np.ones((40, 40)))
    w_in, w_rec = load_weights(good, cfg)
    layer, _, _ = build(cfg, 0, (w_in, w_rec))
    assert torch.all(layer.w_in == 1) and float(layer.recurrent_weight().detach().sum()) == 40 * 39
    bad = tmp_path / "bad.npz"
    np.savez(bad, w_in=np.ones((40, 12)), w_rec=np.ones((40, 40)))
    with pytest.raises(ValueError, match="w_in"):
        load_weights(bad, cfg)


def run_cli(capsys, *args):
    code = main(["edge", *args])
    out = capsys.readouterr()
    return code, out.out, out.err


def test_cli_prints_the_json_contract(tmp_path, capsys):
    path = tmp_path / "cfg.json"
    path.write_text(json.dumps(CONFIG))
    code, out, _ = run_cli(capsys, str(path), "--json", "--method", "lagged")
    assert code == 0
    result = json.loads(out)
    assert set(result) == {"critical_sharpness", "method", "feasible", "kind"}
    assert result["kind"] == "predicted"
    assert result["method"] == "lagged" and result["feasible"] is True and result["critical_sharpness"] > 0


def test_cli_text_says_how_well_the_edge_is_conditioned(tmp_path, capsys):
    """The text output adds d ln rho / d ln beta at the edge; it agrees with the curve a step away."""
    from lifstab.stability import edge_slope, predicted_log_growth

    path = tmp_path / "cfg.json"
    path.write_text(json.dumps(CONFIG))
    code, out, _ = run_cli(capsys, str(path))
    assert code == 0 and "d ln rho / d ln beta there" in out
    beta = float(out.split("critical sharpness ")[1].split()[0])
    layer, x, _ = build(config_from_dict(CONFIG), seed=0)
    slope = edge_slope(layer, x, beta)
    assert f"{slope:.3g}" in out and f"factor {math.exp(0.01 / abs(slope)):.3g}" in out
    assert slope < 0, "rho falls as the surrogate narrows"
    ln_rho = predicted_log_growth(layer, x, [beta, beta * math.exp(0.02)])
    assert abs(ln_rho[0]) < 1e-3, "the printed edge is a root"
    assert ln_rho[1] - ln_rho[0] == pytest.approx(0.02 * slope, rel=0.1)
    with pytest.raises(ValueError, match="step"):
        edge_slope(layer, x, beta, step=0.0)


def test_cli_predicts_the_attached_reset(tmp_path, capsys):
    """``detach_reset: false`` (optional key) builds the layer with the reset attached, and `lifstab edge`
    predicts its edge (dmft: the reset's term changes the prediction, so the two differ)."""
    assert config_from_dict(CONFIG).detach_reset and not build(config_from_dict({**CONFIG, "detach_reset": False}))[0].detach_reset
    results = {}
    for detach in (True, False):
        path = tmp_path / f"cfg_{detach}.json"
        path.write_text(json.dumps({**CONFIG, "detach_reset": detach}))
        code, out, _ = run_cli(capsys, str(path), "--json")
        results[detach] = json.loads(out)
        assert code == 0 and results[detach]["feasible"] and results[detach]["method"] == "dmft"
    assert results[True]["critical_sharpness"] != pytest.approx(results[False]["critical_sharpness"], rel=0.01)


def test_cli_with_weights_and_default_method(tmp_path, capsys):
    path = tmp_path / "cfg.json"
    path.write_text(json.dumps({**CONFIG, "T": 30}))
    rng = np.random.default_rng(0)
    weights = tmp_path / "w.npz"
    np.savez(weights, w_in=rng.normal(0, 0.4, (12, 40)), w_rec=rng.normal(0, 0.25, (40, 40)))
    code, out, _ = run_cli(capsys, str(path), "--weights", str(weights), "--json")
    assert code == 0
    result = json.loads(out)
    assert result["method"] == "dmft"
    assert result["feasible"] == (result["critical_sharpness"] is not None)


@pytest.mark.parametrize("content, match", [
    ({k: v for k, v in CONFIG.items() if k != "tau"}, "tau"),
    ({**CONFIG, "n_in": "twelve"}, "n_in"),
    ({**CONFIG, "input_rate": -0.1}, "input_rate"),
    ("not json", "JSON"),
])
def test_cli_bad_config_is_one_line_and_exit_2(tmp_path, capsys, content, match):
    path = tmp_path / "cfg.json"
    path.write_text(content if isinstance(content, str) else json.dumps(content))
    code, out, err = run_cli(capsys, str(path), "--json")
    assert code == 2 and out == ""
    assert len(err.strip().splitlines()) == 1 and match in err


def test_cli_bad_weights_and_method(tmp_path, capsys):
    path = tmp_path / "cfg.json"
    path.write_text(json.dumps(CONFIG))
    weights = tmp_path / "w.npz"
    np.savez(weights, w_in=np.ones((12, 40)), w_rec=np.ones((39, 39)))
    code, _, err = run_cli(capsys, str(path), "--weights", str(weights), "--json")
    assert code == 2 and "w_rec" in err and len(err.strip().splitlines()) == 1
    code, _, err = run_cli(capsys, str(path), "--method", "oracle", "--json")
    assert code == 2 and "method" in err
    code, _, err = run_cli(capsys, str(tmp_path / "missing.json"), "--json")
    assert code == 2 and "missing.json" in err


def test_cli_measures_and_predicts_an_alif_config(tmp_path, capsys):
    """The optional keys ``adaptation_tau``/``adaptation_strength`` build a RecurrentALIF; `lifstab edge`
    predicts (dmft) and measures (replay) its edge; methods without the adaptation refuse it by name."""
    import lifstab

    alif = {**CONFIG, "adaptation_tau": 100.0, "adaptation_strength": 0.5}
    layer = build(config_from_dict(alif))[0]
    assert isinstance(layer, lifstab.RecurrentALIF) and float(layer.adaptation_strength[0]) == 0.5
    assert not isinstance(build(config_from_dict(CONFIG))[0], lifstab.RecurrentALIF)
    path = tmp_path / "alif.json"
    path.write_text(json.dumps(alif))
    results = {}
    for method in ("dmft", "replay"):
        code, out, _ = run_cli(capsys, str(path), "--json", "--method", method)
        results[method] = json.loads(out)
        assert code == 0 and results[method]["feasible"] and results[method]["method"] == method
    assert abs(math.log(results["dmft"]["critical_sharpness"] / results["replay"]["critical_sharpness"])) < 0.5
    code, _, err = run_cli(capsys, str(path), "--method", "lagged")
    assert code != 0 and "ALIF" in err


def test_cli_edge_of_a_stack_is_its_layers_largest(tmp_path, capsys):
    """Two CONFIG files make a stack: layer 1 is driven by layer 0's spikes and drawn with seed + 1; the
    result is lifstab.edge_stack's on the same layers, with each layer's edge and the limiting one."""
    from lifstab.edge_stack import stack_critical_sharpness

    lower, upper = tmp_path / "lower.json", tmp_path / "upper.json"
    lower.write_text(json.dumps(CONFIG))
    upper.write_text(json.dumps({**CONFIG, "n_in": 40, "n_rec": 32, "w_in_std": 1.5 / math.sqrt(40), "thr": 0.1}))
    code, out, _ = run_cli(capsys, str(lower), str(upper), "--json", "--method", "replay", "--seed", "3")
    assert code == 0
    result = json.loads(out)
    layers = [build(config_from_dict(json.loads(p.read_text())), 3 + k)[0] for k, p in enumerate((lower, upper))]
    expected = stack_critical_sharpness(layers, build(config_from_dict(CONFIG), 3)[1], method="replay")
    assert result["kind"] == "measured" and len(result["layers"]) == 2 and result["limiting"] == expected.limiting
    assert result["critical_sharpness"] == pytest.approx(expected.critical_sharpness, rel=1e-12)
    assert result["critical_sharpness"] == max(layer["critical_sharpness"] for layer in result["layers"])
    code, out, _ = run_cli(capsys, str(lower), str(upper))
    assert code == 0 and "set by layer" in out


def test_cli_stack_bad_input_names_it(tmp_path, capsys):
    lower, upper = tmp_path / "lower.json", tmp_path / "upper.json"
    lower.write_text(json.dumps(CONFIG))
    upper.write_text(json.dumps({**CONFIG, "n_in": 39}))
    code, _, err = run_cli(capsys, str(lower), str(upper), "--json")
    assert code == 2 and "n_in=39" in err and "upper.json" in err
    weights = tmp_path / "w.npz"
    np.savez(weights, w_in=np.ones((12, 40)), w_rec=np.ones((40, 40)))
    upper.write_text(json.dumps({**CONFIG, "n_in": 40}))
    code, _, err = run_cli(capsys, str(lower), str(upper), "--weights", str(weights), "--json")
    assert code == 2 and "--weights" in err
