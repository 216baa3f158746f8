"""lifstab.testing assertions: they fail on exploding and vanishing layers, pass on stable ones, explain
themselves, and refuse bad arguments."""

import time

import pytest
import torch
from hypothesis import find, settings
from torch import nn

import lifstab
from lifstab import RecurrentLIF, Surrogate, measure
from lifstab.testing import (
    assert_gradient_stable,
    gradient_norms,
    growth_factor,
    layer_configs,
    layer_statistics,
    surrogates,
)

N_IN, N_REC, T = 20, 64, 100


def layer(sharpness, family="exponential", dampening=1.0, **kwargs):
    args = dict(tau=20.0, threshold=0.5, seed=0, dtype=torch.float64)
    args.update(kwargs)
    return RecurrentLIF(N_IN, N_REC, surrogate=Surrogate(family, dampening, sharpness), **args)


@pytest.fixture(scope="module")
def spikes():
    gen = torch.Generator().manual_seed(0)
    return (torch.rand(T, 4, N_IN, generator=gen, dtype=torch.float64) < 0.2).double()


class StepLoop(nn.Module):
    """A user's own module: a hand-written loop that stacks its voltages."""

    def __init__(self, inner: RecurrentLIF):
        super().__init__()
        self.inner = inner

    def forward(self, x, return_voltages=False):
        v = torch.zeros(x.shape[1], self.inner.n_rec, dtype=x.dtype)
        z = torch.zeros_like(v)
        w_rec = self.inner.recurrent_weight()
        surrogate = self.inner.surrogate
        from lifstab import spike

        vs, zs = [], []
        for x_t in x:
            v = self.inner.decay * v + x_t @ self.inner.w_in + z @ w_rec - self.inner.threshold * z.detach()
            z = spike(v - self.inner.threshold, surrogate)
            vs.append(v)
            zs.append(z)
        return (torch.stack(zs), torch.stack(vs)) if return_voltages else torch.stack(zs)


def test_user_module_gradient_norms_equal_lifstab_measurement(spikes):
    lif = layer(1.0, dampening=0.3)
    lif.bias = None
    g_user = gradient_norms(StepLoop(lif), spikes)
    g_lifstab = measure.gradient_norms(lif, spikes)
    torch.testing.assert_close(g_user, g_lifstab, rtol=1e-10, atol=0)


def test_fails_on_exploding_layer_with_advice(spikes):
    with pytest.raises(AssertionError, match="explode") as info:
        assert_gradient_stable(layer(sharpness=0.01), spikes)
    assert "raise sharpness" in str(info.value) and "rho =" in str(info.value)


def test_fails_on_vanishing_layer_with_advice(spikes):
    with pytest.raises(AssertionError, match="vanish") as info:
        assert_gradient_stable(layer(sharpness=1e3), spikes)
    assert "lower sharpness" in str(info.value)


def test_each_check_is_fast(spikes):
    lif = layer(1.0)
    start = time.perf_counter()
    growth_factor(lif, spikes)
    layer_statistics(lif, spikes)
    elapsed = time.perf_counter() - start
    # recorded, not asserted tightly (machines are noisy): a generous bound catches order-of-magnitude slips
    assert elapsed < 10.0, f"checks took {elapsed:.2f} s"


def test_shrinking_gives_a_readable_minimal_exploding_configuration(spikes):
    """Hypothesis finds and shrinks a layer whose gradients explode: the minimal example is small and
    printable, the kind of configuration a user sees in a failing property test."""

    def explodes(config):
        x = spikes[:40, :2, : config.n_in]
        try:
            assert_gradient_stable(config.build(), x, band=(1e-3, 1e3))
        except AssertionError as err:
            return "explode" in str(err)
        return False

    configs = layer_configs(n_in=(2, 20), n_rec=(2, 32), tau=(5.0, 50.0), threshold=(0.05, 1.0),
                            resets=["subtractive"], w_rec_scale=(0.5, 8.0),
                            surrogate=surrogates(families=["exponential"], dampening=(0.5, 2.0),
                                                 sharpness=(0.01, 10.0)))
    minimal = find(configs, explodes, settings=settings(max_examples=300, database=None, derandomize=True))
    text = repr(minimal)
    assert "LayerConfig(" in text and "exponential" in text
    assert explodes(minimal)
    assert minimal.n_in <= 4 and minimal.seed <= 16  # shrunk towards the smallest sizes and seeds


@pytest.mark.parametrize(
    "call, argument",
    [
        (lambda x: assert_gradient_stable(nn.Linear(20, 3), x), "module must expose voltages"),
        (lambda x: assert_gradient_stable(layer(1.0), x[:0]), "inputs"),
        (lambda x: assert_gradient_stable(layer(1.0), x, band=(2.0, 1.0)), "band"),
        (lambda x: assert_gradient_stable(layer(1.0), x, band=(1.0, 1.0)), "band"),
        (lambda x: assert_gradient_stable(layer(1.0), x, horizon=0), "horizon"),
        (lambda x: growth_factor(layer(1.0), x[:10]), "16 time steps"),
    ],
)
def test_bad_arguments_raise_value_error(spikes, call, argument):
    with pytest.raises(ValueError, match=argument):
        call(spikes)


def test_module_whose_voltages_are_not_stacked_is_refused(spikes):
    class Cat(StepLoop):
        def forward(self, x, return_voltages=False):
            z, v = super().forward(x, return_voltages=True)
            return z, v * 1.0

    with pytest.raises(ValueError, match="torch.stack"):
        gradient_norms(Cat(layer(1.0)), spikes)


def test_alif_layers_measured_through_the_reference_loop(spikes):
    from lifstab import RecurrentALIF

    alif = RecurrentALIF(N_IN, N_REC, threshold=0.5, seed=0, dtype=torch.float64, implementation="reference")
    g = gradient_norms(alif, spikes)
    assert g.shape == (T,) and torch.all(g > 0)
    fused = RecurrentALIF(N_IN, N_REC, threshold=0.5, seed=0, dtype=torch.float64)
    with pytest.raises(ValueError, match="reference"):
        gradient_norms(fused, spikes)


def test_passes_on_a_layer_initialised_by_stable_init(spikes):
    lif = layer(1.0, threshold=0.1)
    lifstab.stable_init_(lif, inputs=spikes, seed=0)
    rho = assert_gradient_stable(lif, spikes, band=(0.01, 100.0))
    assert 0.9 < rho < 1.1


def _sparse_layer():
    from lifstab.testing import LayerConfig

    config = LayerConfig(n_in=20, n_rec=64, tau=10.75, threshold=1.0, reset="subtractive", detach_reset=True,
                         surrogate=Surrogate("exponential"), w_in_scale=1.0, w_rec_scale=1.0, seed=0)
    x = (torch.rand((100, 4, 20), generator=torch.Generator().manual_seed(0), dtype=torch.float64) < 0.125).double()
    return config.build(), x


def test_stable_init_on_a_sparsely_firing_layer():
    """The default edge route measures the edge (replay), so a sparsely firing layer lands on it too."""
    lif, x = _sparse_layer()
    rec = lifstab.stable_init_(lif, inputs=x, seed=0)
    assert rec.edge.method == "replay"
    rho = assert_gradient_stable(lif, x)
    assert 0.9 < rho < 1.1


@pytest.mark.xfail(strict=True, reason="measured: dmft underestimates beta_c 3-4x on this small sparsely firing "
                                       "layer (n 64, T 100, rate 0.5-5 %), so its edge route leaves it exploding")
def test_stable_init_dmft_route_on_a_sparsely_firing_layer():
    lif, x = _sparse_layer()
    lifstab.stable_init_(lif, inputs=x, seed=0, edge_method="dmft")
    assert_gradient_stable(lif, x)  # measured rho about 1.09-1.10: the norm grows about 100-fold
