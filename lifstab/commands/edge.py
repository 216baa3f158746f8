"""`lifstab edge CONFIG.json [CONFIG.json ...] [--weights W.npz ...] [--method NAME] [--seed S] --json`:
predict the critical sharpness of a protocol network (docs/theory.md section 7) without any backward pass,
or, with ``--method replay``, measure it (the layer's backward recursion replayed on the network's inputs).

Several CONFIG files make a stack: the first layer is driven by its Bernoulli inputs, layer ``k`` by the
spikes of layer ``k - 1`` (its ``n_in`` must be the ``n_rec`` below; its ``input_rate``, ``T`` and
``batch`` are not used). Layer ``k``'s weights are drawn with seed ``S + k``, or read from the ``k``-th
``--weights`` file. The stack's edge is the largest of its layers' (:mod:`lifstab.edge_stack`).

Prints ``{"critical_sharpness": <float or null>, "method": <str>, "feasible": <bool>, "kind": "predicted" |
"measured"}``; a stack adds ``"limiting"`` (the index of the layer that sets it) and ``"layers"`` (each
layer's ``critical_sharpness``, ``feasible`` and ``reason``).
"""

from __future__ import annotations

import argparse
import json
import math
from pathlib import Path


def _read_config(path: str) -> dict:
    p = Path(path)
    if not p.is_file():
        raise FileNotFoundError(f"CONFIG file {path!r} does not exist")
    try:
        return json.loads(p.read_text())
    except json.JSONDecodeError as exc:
        raise ValueError(f"CONFIG {path!r} is not valid JSON: {exc.msg} (line {exc.lineno})") from None


def _layers(args: argparse.Namespace):
    """The layers (layer ``k`` built with seed ``seed + k``) and the first layer's inputs."""
    from ..protocol import build, config_from_dict, load_weights

    configs = [config_from_dict(_read_config(path)) for path in args.config]
    weights = args.weights or []
    if weights and len(weights) != len(configs):
        raise ValueError(f"--weights: give one file per CONFIG ({len(configs)}), got {len(weights)}")
    for k in range(1, len(configs)):
        if configs[k].n_in != configs[k - 1].n_rec:
            raise ValueError(f"CONFIG {args.config[k]!r}: n_in={configs[k].n_in} must be the n_rec of the layer "
                             f"below ({configs[k - 1].n_rec}): it is driven by that layer's spikes")
    layers, x = [], None
    for k, config in enumerate(configs):
        loaded = None
        if weights:
            if not Path(weights[k]).is_file():
                raise FileNotFoundError(f"--weights file {weights[k]!r} does not exist")
            loaded = load_weights(weights[k], config)
        layer, inputs, _ = build(config, args.seed + k, loaded)
        layers.append(layer)
        x = inputs if x is None else x
    return layers, x


def _result(prediction, kind: str) -> dict:
    result = {"critical_sharpness": prediction.critical_sharpness, "method": prediction.method,
              "feasible": prediction.feasible, "kind": kind}
    if hasattr(prediction, "limiting"):  # a stack
        result["limiting"] = prediction.limiting
        result["layers"] = [{"critical_sharpness": p.critical_sharpness, "feasible": p.feasible, "reason": p.reason}
                            for p in prediction.layers]
    return result


def _conditioning(layer, x, sharpness: float, method: str) -> str:
    """How far an error in ln rho moves this edge (:func:`lifstab.stability.edge_slope`)."""
    from ..stability import edge_slope

    slope = edge_slope(layer, x, sharpness, method=method)
    if slope == 0:
        return "  d ln rho / d ln beta there: 0 (flat: the edge is not determined by the curve)"
    return (f"  d ln rho / d ln beta there: {slope:.3g}; an error of 0.01 in ln rho moves this edge by a "
            f"factor {math.exp(0.01 / abs(slope)):.3g}")


def run(args: argparse.Namespace) -> int:
    from ..conditions import MEASURED_EDGE_METHODS
    from ..stability import METHODS, critical_sharpness

    if args.method not in METHODS:
        raise ValueError(f"--method {args.method!r} is unknown; choose one of {sorted(METHODS)}")
    layers, x = _layers(args)
    prediction = critical_sharpness(layers if len(layers) > 1 else layers[0], x, method=args.method)
    kind = "measured" if prediction.method in MEASURED_EDGE_METHODS else "predicted"
    result = _result(prediction, kind)
    if args.json:
        print(json.dumps(result))
    elif prediction.feasible:
        where = "" if len(layers) == 1 else f", set by layer {prediction.limiting} of {len(layers)}"
        print(f"{kind} critical sharpness {prediction.critical_sharpness:.6g} (method {prediction.method}{where})")
        if len(layers) == 1:
            print(_conditioning(layers[0], x, prediction.critical_sharpness, args.method))
    else:
        print(f"no critical sharpness in range (method {prediction.method}): {prediction.reason}")
    return 0


def register(sub) -> None:
    p = sub.add_parser("edge", help="predict (or measure, --method replay) the critical sharpness (edge of "
                                    "stability) of a LIF or ALIF network, one layer or a stack")
    p.add_argument("config", nargs="+", help="CONFIG.json with the protocol's keys (see lifstab.protocol; optional "
                                             "adaptation_tau and adaptation_strength: ALIF, detach_reset); several "
                                             "make a stack, each layer driven by the spikes of the one before")
    p.add_argument("--weights", nargs="+", default=None,
                   help=".npz with w_in (n_in x n_rec) and w_rec (n_rec x n_rec), one per CONFIG")
    p.add_argument("--method", default="dmft", help="prediction method (default: dmft)")
    p.add_argument("--seed", type=int, default=0, help="seed of the drawn weights, inputs and probe (layer k: seed + k)")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.set_defaults(func=run)
