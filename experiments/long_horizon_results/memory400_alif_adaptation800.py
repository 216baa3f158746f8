"""Provenance of memory400_alif_adaptation800.csv (run once; not part of the package or the tests).

ALIF layers whose adaptation tau is set to TAU_A (the layer's default is 200) after the model is built, on
the memory task at delay D, 30 epochs, 5 seeds, arms recommended and default of the long-horizon study:

    python experiments/long_horizon_results/memory400_alif_adaptation800.py 800 400

It writes ``alif_tau{TAU_A}_D{D}.csv`` here; the committed CSV is that file with an ``adaptation_tau``
column added. ``run_grid`` runs in this process with one worker, so the patched constructor is used.
"""
import sys
from pathlib import Path

import lifstab_experiments.training.models as models
from lifstab_experiments.training.long_horizon import BASE, configs
from lifstab_experiments.training.runner import run_grid

TAU_A, D = float(sys.argv[1]), int(sys.argv[2])
alif = models.MODELS["alif"]


def slow_alif(**kw):
    net = alif(**kw)
    for layer in net.layers:
        layer.adaptation_tau.fill_(TAU_A)
    return net


models.MODELS["alif"] = slow_alif
runs = [c.replace(model="alif") for c in configs([f"memory:{D}"], 5, ("recommended", "default"), BASE.replace(epochs=30))]
report = run_grid(runs, Path(__file__).parent / f"alif_tau{int(TAU_A)}_D{D}.csv", workers=1)
print(report.failed)
