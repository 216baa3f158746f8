"""`lifstab edge CONFIG.json [--weights W.npz] [--method NAME] [--seed S] --json`: predict the critical
sharpness of one protocol network (docs/theory.md section 7) without any backward pass, or, with
``--method replay``, measure it (the layer's backward recursion replayed on the network's inputs).

Prints ``{"critical_sharpness": <float or null>, "method": <str>, "feasible": <bool>}``.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path


def _read_config(path: str) -> dict:
    p = Path(path)
    if not p.is_file():
        raise FileNotFoundError(f"CONFIG file {path!r} does not exist")
    try:
        return json.loads(p.read_text())
    except json.JSONDecodeError as exc:
        raise ValueError(f"CONFIG {path!r} is not valid JSON: {exc.msg} (line {exc.lineno})") from None


def run(args: argparse.Namespace) -> int:
    from ..protocol import build, config_from_dict, load_weights
    from ..conditions import MEASURED_EDGE_METHODS
    from ..stability import METHODS, critical_sharpness

    if args.method not in METHODS:
        raise ValueError(f"--method {args.method!r} is unknown; choose one of {sorted(METHODS)}")
    config = config_from_dict(_read_config(args.config))
    weights = None
    if args.weights is not None:
        if not Path(args.weights).is_file():
            raise FileNotFoundError(f"--weights file {args.weights!r} does not exist")
        weights = load_weights(args.weights, config)
    layer, x, _ = build(config, args.seed, weights)
    prediction = critical_sharpness(layer, x, method=args.method)
    result = {"critical_sharpness": prediction.critical_sharpness, "method": prediction.method,
              "feasible": prediction.feasible}
    if args.json:
        print(json.dumps(result))
    elif prediction.feasible:
        kind = "measured" if prediction.method in MEASURED_EDGE_METHODS else "predicted"
        print(f"{kind} critical sharpness {prediction.critical_sharpness:.6g} (method {prediction.method})")
    else:
        print(f"no critical sharpness in range (method {prediction.method}): {prediction.reason}")
    return 0


def register(sub) -> None:
    p = sub.add_parser("edge", help="predict (or measure, --method replay) the critical sharpness (edge of "
                                    "stability) of a LIF or ALIF network")
    p.add_argument("config", help="CONFIG.json with the protocol's keys (see lifstab.protocol; optional "
                                  "adaptation_tau and adaptation_strength: ALIF)")
    p.add_argument("--weights", default=None, help=".npz with w_in (n_in x n_rec) and w_rec (n_rec x n_rec)")
    p.add_argument("--method", default="dmft", help="prediction method (default: dmft)")
    p.add_argument("--seed", type=int, default=0, help="seed of the drawn weights, inputs and probe")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.set_defaults(func=run)
