"""The measurement behind the dmft edge route's margin (``lifstab.conditions.EDGE_MARGINS["dmft"]``)
and the edge route's dampening 1 (docs/guide/conditions.md): for the quick digits networks (64 LIF
units, seeds 0-2), each layer initialised by ``stable_init_`` on its actual inputs; measured rho
(4 readouts) at ``factor x`` the dmft-predicted critical sharpness, at dampening 1 and at Condition
III's dampening.

    python -m lifstab_experiments.verification.edge_margin [--sg fast_sigmoid,exponential]
"""

from __future__ import annotations

import argparse
import copy

import numpy as np
import torch

import lifstab
from lifstab.measure import gradient_norms_over_sharpness, log_growth_factor, readout, record
from lifstab.stability import critical_sharpness

from ..training.configs import RunConfig
from ..training.initialisation import spiking_layers
from ..training.training import setup

FACTORS = (0.5, 0.8, 1.0, 1.25, 1.5, 2.0)


def measured_rho(layer, x, sharpness, readouts: int = 4) -> np.ndarray:
    """Measured rho for each sharpness, ln rho averaged over ``readouts`` random readouts."""
    trajectory = record(layer, x)
    logs = [log_growth_factor(gradient_norms_over_sharpness(
        layer, trajectory, sharpness, readout(trajectory.voltages.shape[1:], r, trajectory.voltages.dtype))).numpy()
        for r in range(readouts)]
    return np.exp(np.mean(logs, axis=0))


def rows(sg: str, seed: int):
    _, model, sample, _ = setup(RunConfig(task="digits", model="lif", sg=sg, seed=seed, hidden=64, batch_size=64))
    model = model.double()
    with torch.no_grad():
        x = model.encoder(sample.double())
    for i, layer in enumerate(spiking_layers(model)):
        rec = lifstab.stable_init_(layer, inputs=x if i == 0 else None, probe_inputs=x, seed=seed + i)
        for source, damp in (("unit", 1.0), ("condition_iii", torch.as_tensor(rec.dampening))):
            probe = copy.deepcopy(layer)
            probe.surrogate = probe.surrogate.replace(dampening=damp)
            edge = critical_sharpness(probe, x)
            rho = (measured_rho(probe, x, [edge.critical_sharpness * f for f in FACTORS])
                   if edge.feasible else None)
            yield dict(sg=sg, seed=seed, layer=i + 1, dampening=source, beta_c=edge.critical_sharpness,
                       reason=edge.reason, rho=rho)
        with torch.no_grad():
            x = layer(x)


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sg", default="fast_sigmoid,exponential")
    args = parser.parse_args(argv)
    torch.set_num_threads(1)
    print("rho at beta_c x " + ", ".join(f"{f:g}" for f in FACTORS))
    for sg in args.sg.split(","):
        for seed in (0, 1, 2):
            for r in rows(sg, seed):
                head = f"{r['sg']:<13} seed {r['seed']} layer {r['layer']} dampening {r['dampening']:<13}"
                if r["rho"] is None:
                    print(f"{head} no edge: {r['reason']}")
                else:
                    print(f"{head} beta_c {r['beta_c']:.4g}: " + " ".join(f"{v:.3f}" for v in r["rho"]))


if __name__ == "__main__":
    main()
