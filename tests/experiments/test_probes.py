"""lifstab_experiments.verification.probes: forward statistics against known cases."""

import math

import pytest
import torch

from lifstab import measure
from lifstab.protocol import build, config_from_dict
from lifstab_experiments.verification import probes

CFG = dict(sg="gaussian", dampening=1.0, q=None, n_in=50, n_rec=60, tau=10.0, thr=0.5, input_rate=0.2,
           w_in_std=1 / math.sqrt(50), w_rec_std=1 / math.sqrt(60), w_rec_mean=0.0, reset="subtractive",
           T=80, batch=4)


def test_current_variances_split_the_total_current():
    layer, x, _ = build(config_from_dict(CFG), 0)
    traj = measure.record(layer, x)
    cs = probes.current_stats(layer, x, traj, burn_in=10)
    w_rec = layer.recurrent_weight().detach()
    z_prev = torch.cat([torch.zeros_like(traj.spikes[:1]), traj.spikes[:-1]])
    assert cs.recurrent_variance == pytest.approx(float((z_prev @ w_rec)[10:].var()), rel=1e-10)
    # Bernoulli(p) inputs through N(0, s^2) weights: variance n_in p s^2 = 0.2 on average
    assert cs.input_variance == pytest.approx(0.2, rel=0.25)
    assert cs.firing_rate == measure.firing_rate(traj.spikes[10:])


def test_voltage_stats_of_a_feed_forward_leaky_integrator_is_close_to_gaussian():
    # no recurrence and no spikes (huge threshold): v is a leaky sum of many inputs, close to Gaussian
    layer, x, _ = build(config_from_dict({**CFG, "w_rec_std": 0.0, "thr": 100.0, "T": 120}), 0)
    vs = probes.voltage_stats(layer, measure.record(layer, x), burn_in=60)
    assert vs.ks_gaussian < 0.05 < vs.ks_uniform
    assert vs.inside == pytest.approx(0.998, abs=1e-3)
    with pytest.raises(ValueError, match="burn_in"):
        probes.voltage_stats(layer, measure.record(layer, x), burn_in=500)
