"""lifstab.testing.assert_conditions_hold checks what each route of stable_init_ aims at, passes where
that holds and fails where it does not: Condition IV never on the leak term alone, Condition III on a
dampening that is not Condition III's, the edge route on a rho away from the one it chose."""

import math

import pytest
import torch
from scipy.optimize import brentq

import lifstab
from lifstab import RecurrentLIF, Surrogate
from lifstab.testing import assert_conditions_hold, layer_statistics

N_IN, N_REC, T = 20, 64, 200


@pytest.fixture(scope="module")
def spikes():
    """Bernoulli(1/2) inputs: the spikes the conditions assume."""
    gen = torch.Generator().manual_seed(0)
    return (torch.rand(T, 8, N_IN, generator=gen, dtype=torch.float64) < 0.5).double()


def fresh(reset="none", family="exponential"):
    return RecurrentLIF(N_IN, N_REC, tau=20.0, threshold=0.5, reset=reset, seed=0, dtype=torch.float64,
                        surrogate=Surrogate(family))


@pytest.fixture(scope="module")
def edge_layer(spikes):
    layer = fresh()
    recommendation = lifstab.stable_init_(layer, inputs=spikes, sharpness_method="edge", seed=1, weights="conditions")
    return layer, recommendation


def test_kept_weights_are_checked_on_the_edge_only(spikes):
    layer = fresh()
    recommendation = lifstab.stable_init_(layer, inputs=spikes, sharpness_method="edge", seed=1)
    assert recommendation.reasons["weights"]
    assert_conditions_hold(layer, spikes, recommendation=recommendation)  # the edge holds
    with pytest.raises(AssertionError, match="Condition II"):  # asked for, II is not what the kept weights give
        assert_conditions_hold(layer, spikes, recommendation=recommendation, conditions=("II",))


def test_the_edge_route_passes_its_own_checks_and_says_so(edge_layer, spikes):
    layer, recommendation = edge_layer
    assert recommendation.sharpness_method == "edge" and recommendation.edge.method == "replay"
    stats = assert_conditions_hold(layer, spikes, recommendation=recommendation)
    assert abs(stats.firing_rate - 0.5) < 0.125 and abs(stats.variance_ratio - 1) < 0.25


def test_the_edge_route_fails_at_another_sharpness(edge_layer, spikes):
    layer, recommendation = edge_layer
    for factor, why in ((0.5, "edge route: rho measured"), (2.0, "edge route: rho measured")):
        moved = RecurrentLIF(N_IN, N_REC, tau=20.0, threshold=0.5, reset="none", dtype=torch.float64)
        moved.load_state_dict(layer.state_dict())
        moved.surrogate = layer.surrogate.replace(sharpness=layer.surrogate.sharpness * factor)
        with pytest.raises(AssertionError, match=why) as info:
            assert_conditions_hold(moved, spikes, recommendation=recommendation)
        assert "edge route" in str(info.value) and "Condition I:" not in str(info.value)


def test_condition_iv_does_not_pass_on_the_leak_term_alone(spikes):
    """Issue 16: a surrogate too small to matter left the row second moment at alpha^2 = 0.905, which
    passed a 25% check of 'row second moment = 1'."""
    layer = fresh()
    layer.surrogate = Surrogate("exponential", dampening=1e-3, sharpness=1.0)
    stats = layer_statistics(layer, spikes)
    alpha_squared = math.exp(-2 / 20)
    assert stats.leak_row_second_moment == pytest.approx(alpha_squared, rel=1e-6)
    assert abs(stats.row_second_moment - 1) < 0.25  # what the old check accepted
    with pytest.raises(AssertionError, match="Condition IV: .* the leak alone gives 0.9048"):
        assert_conditions_hold(layer, spikes, conditions=["IV"])


def test_condition_iv_passes_at_a_measured_root_and_fails_away_from_it(spikes):
    """The sharpness at which the measured row second moment is 1 (found here by a root search on the
    measurement, independently of Condition IV's mean-field solver) passes; four times it fails."""
    layer = fresh()

    def excess(log_sharpness):
        layer.surrogate = Surrogate("exponential", dampening=1.0, sharpness=math.exp(log_sharpness))
        return layer_statistics(layer, spikes).row_second_moment - 1

    root = brentq(excess, math.log(1e-2), math.log(1e2), xtol=1e-4)
    layer.surrogate = Surrogate("exponential", dampening=1.0, sharpness=math.exp(root))
    assert_conditions_hold(layer, spikes, conditions=["IV"], tolerance=0.05)
    layer.surrogate = Surrogate("exponential", dampening=1.0, sharpness=4 * math.exp(root))
    with pytest.raises(AssertionError, match="Condition IV"):
        assert_conditions_hold(layer, spikes, conditions=["IV"], tolerance=0.05)


def test_condition_iv_route_passes_i_to_iii_and_fails_iv_without_a_root(spikes):
    layer = fresh()
    recommendation = lifstab.stable_init_(layer, inputs=spikes, sharpness_method="condition_iv", seed=1, weights="conditions")
    assert not recommendation.feasible["IV"]
    assert_conditions_hold(layer, spikes, conditions=["I", "II", "III"], recommendation=recommendation)
    with pytest.raises(AssertionError, match="condition_iv route: Condition IV: no root"):
        assert_conditions_hold(layer, spikes, recommendation=recommendation)


def test_condition_iii_fails_on_a_dampening_that_is_not_condition_iiis(spikes):
    layer = fresh()
    recommendation = lifstab.stable_init_(layer, inputs=spikes, sharpness_method="condition_iv", seed=1)
    layer.surrogate = layer.surrogate.replace(dampening=1.0)
    with pytest.raises(AssertionError, match="Condition III: the surrogate's dampening"):
        assert_conditions_hold(layer, spikes, conditions=["III"], recommendation=recommendation)


def test_condition_i_aims_at_the_recommendations_target_rate(edge_layer, spikes):
    layer, recommendation = edge_layer
    assert_conditions_hold(layer, spikes, conditions=["I"], recommendation=recommendation)
    other = recommendation.__class__(**{**recommendation.__dict__, "target_rate": 0.2})
    with pytest.raises(AssertionError, match="expected the target rate 0.2"):
        assert_conditions_hold(layer, spikes, conditions=["I"], recommendation=other)


@pytest.mark.parametrize("kwargs, match", [
    (dict(tolerance=0), "tolerance"), (dict(rho_tolerance=math.nan), "rho_tolerance"), (dict(conditions=["V"]), "conditions"), (dict(conditions=[]), "conditions"),
    (dict(conditions=["edge"]), "edge"), (dict(recommendation="edge"), "recommendation")])
def test_bad_arguments(spikes, kwargs, match):
    with pytest.raises(ValueError, match=match):
        assert_conditions_hold(fresh(), spikes, **kwargs)
