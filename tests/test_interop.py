"""lifstab.interop against the real snntorch, spikingjelly and norse.

Each mapped family is compared on a voltage grid with ``lifstab.spike``'s gradient. Tolerance: the
absolute difference must stay within 16 units in the last place of the peak (``16 eps dampening``),
in float64 and in float32. A wrong parametrisation is off by a sizeable fraction of the peak. Two
known exceptions: norse's ``heavi_erfc`` computes its constant sqrt(pi) in float32, so it gets the
float32 eps even in float64; and the grid skips points within 1e-6 of the edge of the rectangular
box, where two ways of rounding the edge may disagree by one ulp of u.
"""

from __future__ import annotations

import math
import sys
from pathlib import Path

import pytest
import torch

from lifstab import FAMILIES, Surrogate, spike
from lifstab.interop import (
    EQUIVALENTS,
    LIBRARIES,
    MODULES,
    NO_EQUIVALENT,
    convert,
    equivalence_table,
    mapping_for,
    to_norse,
    to_snntorch,
    to_spikingjelly,
)

SHARPNESSES = (0.25, 0.75, 1.5)
FREE_DAMPENINGS = (0.2, 1.25)
TAILS = (1.01, 1.9, 16.85)


def _shapes(family: str, mapping) -> list[Surrogate]:
    """Several lifstab shapes that satisfy ``mapping``'s constraint."""
    sharpnesses = SHARPNESSES if mapping.sharpness is None else (mapping.sharpness,)
    tails = TAILS if FAMILIES[family].has_tail else (None,)
    shapes = []
    for sharpness in sharpnesses:
        if mapping.dampening == "sharpness":
            dampenings = (sharpness,)
        elif mapping.dampening is None:
            dampenings = FREE_DAMPENINGS
        else:
            dampenings = (mapping.dampening,)
        shapes += [Surrogate(family, dampening=d, sharpness=sharpness, tail=q)
                   for d in dampenings for q in tails]
    return shapes


CASES = [
    pytest.param(library, sg, id=f"{library}-{mapping.target}-{sg!r}")
    for family, by_library in EQUIVALENTS.items()
    for library, mappings in by_library.items()
    for mapping in mappings
    for sg in _shapes(family, mapping)
]
UNMAPPED = [(family, library) for family, by_library in EQUIVALENTS.items()
            for library, mappings in by_library.items() if not mappings]


def _grid(sg: Surrogate, dtype: torch.dtype) -> torch.Tensor:
    u = torch.linspace(-4.0, 4.0, 801, dtype=torch.float64) / sg.sharpness
    off_box_edge = (2 * sg.sharpness * u.abs() - 1).abs() > 1e-6
    return u[off_box_edge].to(dtype).requires_grad_()


def _gradient(fn, u: torch.Tensor) -> torch.Tensor:
    (grad,) = torch.autograd.grad(fn(u).sum(), u)
    return grad


def _assert_same_gradient(peer_grad, sg, u, eps):
    ours = _gradient(lambda v: spike(v, sg), u)
    assert peer_grad.dtype == u.dtype
    worst = (peer_grad - ours).abs().max().item()
    assert worst <= 16 * eps * sg.dampening, f"max |difference| {worst:.3g} for {sg!r}"


@pytest.mark.parametrize("dtype", [torch.float64, torch.float32])
@pytest.mark.parametrize("library, sg", CASES)
def test_gradient_matches_library(library, sg, dtype):
    pytest.importorskip(MODULES[library])
    peer = convert(sg, library)
    u = _grid(sg, dtype)
    peer_dtype = torch.float32 if (library, sg.family) == ("norse", "gaussian") else dtype
    _assert_same_gradient(_gradient(peer, u), sg, u, torch.finfo(peer_dtype).eps)


@pytest.mark.parametrize("family, library", UNMAPPED)
def test_family_without_equivalent_raises_naming_library_and_family(family, library):
    with pytest.raises(ValueError, match=f"{library} has no surrogate equivalent to lifstab family='{family}'"):
        convert(Surrogate(family, tail=2.0 if FAMILIES[family].has_tail else None), library)


CONSTRAINED = [
    pytest.param(family, library, mapping, id=f"{library}-{mapping.target}")
    for family, by_library in EQUIVALENTS.items()
    for library, mappings in by_library.items()
    for mapping in mappings if mapping.constraint()
]


@pytest.mark.parametrize("family, library, mapping", CONSTRAINED)
def test_shape_outside_the_constraint_raises(family, library, mapping):
    """Move the constrained parameter off its required value: no option may accept it."""
    (sg,) = _shapes(family, mapping)[:1]
    field = "sharpness" if mapping.sharpness is not None else "dampening"
    off = sg.replace(**{field: getattr(sg, field) * 1.1})
    if any(m.admits(off.dampening, off.sharpness) for m in EQUIVALENTS[family][library]):
        pytest.skip("another option of this library covers the moved shape")
    with pytest.raises(ValueError, match=f"{library} matches lifstab family='{family}' exactly only when"):
        mapping_for(off, library)


def test_fast_sigmoid_in_spikingjelly_picks_the_option_that_fits():
    assert mapping_for(Surrogate("fast_sigmoid", dampening=0.7, sharpness=0.7), "spikingjelly").target == "SoftSign"
    assert mapping_for(Surrogate("fast_sigmoid", dampening=0.7, sharpness=0.5), "spikingjelly").target == "SuperSpike"
    # dampening == sharpness == 0.5 fits both; the first listed wins
    assert mapping_for(Surrogate("fast_sigmoid", dampening=0.5, sharpness=0.5), "spikingjelly").target == "SoftSign"


def test_per_neuron_parameters_are_refused():
    sg = Surrogate("fast_sigmoid", dampening=1.0, sharpness=torch.tensor([0.5, 1.0]))
    with pytest.raises(ValueError, match="sharpness must be a scalar"):
        mapping_for(sg, "snntorch")
    # a one-element tensor is a scalar
    assert mapping_for(sg.replace(sharpness=torch.tensor([0.5])), "snntorch").target == "fast_sigmoid"


def test_bad_arguments_raise():
    with pytest.raises(ValueError, match="library='brian2'"):
        convert(Surrogate("fast_sigmoid"), "brian2")
    with pytest.raises(ValueError, match="library='brian2'"):
        mapping_for(Surrogate("fast_sigmoid"), "brian2")
    with pytest.raises(ValueError, match="surrogate must be a lifstab.Surrogate"):
        to_snntorch("fast_sigmoid")


def test_missing_library_says_how_to_install(monkeypatch):
    monkeypatch.setitem(sys.modules, MODULES["snntorch"], None)  # makes the import fail
    with pytest.raises(ImportError, match=r"lifstab\[interop\]"):
        to_snntorch(Surrogate("fast_sigmoid"))


def test_table_covers_every_family_and_library_and_explains_every_gap():
    assert list(EQUIVALENTS) == list(FAMILIES)
    for family, by_library in EQUIVALENTS.items():
        assert tuple(by_library) == LIBRARIES
        for library, mappings in by_library.items():
            assert bool(mappings) != ((family, library) in NO_EQUIVALENT)


def test_docs_show_the_equivalence_table():
    page = (Path(__file__).resolve().parents[1] / "docs" / "guide" / "interop.md").read_text()
    assert equivalence_table() in page, "docs/guide/interop.md's table is stale: paste lifstab.interop.equivalence_table()"


# The libraries' own neurons evaluate the surrogate at v - threshold, as lifstab does: from rest, one
# step with input x gives v = x, so d spike / d x must be lifstab's SG(x - threshold).
THRESHOLD = 0.7


def _input_grid():
    return (torch.linspace(-3.0, 3.0, 601) + THRESHOLD).requires_grad_()


def _assert_neuron_matches(spikes_of, sg):
    x = _input_grid()
    peer_grad = _gradient(spikes_of, x)
    ours = _gradient(lambda v: spike(v - THRESHOLD, sg), x)
    assert (peer_grad - ours).abs().max().item() <= 16 * torch.finfo(torch.float32).eps * sg.dampening
    # the shift matters: the same SG at v instead of v - threshold differs
    assert (peer_grad - _gradient(lambda v: spike(v, sg), x)).abs().max().item() > 0.1 * sg.dampening


def test_snntorch_leaky_neuron_uses_the_same_gradient():
    snntorch = pytest.importorskip("snntorch")
    sg = Surrogate("fast_sigmoid", dampening=1.0, sharpness=0.75)
    neuron = snntorch.Leaky(beta=0.9, threshold=THRESHOLD, spike_grad=to_snntorch(sg))
    _assert_neuron_matches(lambda x: neuron(x, torch.zeros_like(x))[0], sg)


def test_spikingjelly_if_neuron_uses_the_same_gradient():
    pytest.importorskip(MODULES["spikingjelly"])
    from spikingjelly.activation_based import neuron

    sg = Surrogate("sigmoid", dampening=0.75, sharpness=0.75)
    node = neuron.IFNode(v_threshold=THRESHOLD, surrogate_function=to_spikingjelly(sg))

    def spikes_of(x):
        node.reset()
        return node(x)

    _assert_neuron_matches(spikes_of, sg)


def test_norse_lif_step_uses_the_same_gradient():
    pytest.importorskip(MODULES["norse"])
    from norse.torch import LIFParameters
    from norse.torch.functional.lif import LIFFeedForwardState, lif_feed_forward_step

    sg = Surrogate("triangular", dampening=0.6, sharpness=1.0)
    dt = 1e-3
    # tau_mem_inv = 1/dt makes one Euler step from rest land exactly on the input
    params = LIFParameters(tau_mem_inv=torch.tensor(1 / dt), v_th=torch.tensor(THRESHOLD), **to_norse(sg)._asdict())

    def spikes_of(x):
        rest = LIFFeedForwardState(v=torch.zeros_like(x), i=torch.zeros_like(x))
        return lif_feed_forward_step(x, rest, params, dt=dt)[0]

    _assert_neuron_matches(spikes_of, sg)


def test_norse_gaussian_needs_its_fixed_peak():
    """norse's heavi_erfc peak is 2/sqrt(pi) whatever alpha; other dampenings have no equivalent."""
    assert to_norse(Surrogate("gaussian", dampening=2 / math.sqrt(math.pi), sharpness=0.5)).method == "heavi_erfc"
    with pytest.raises(ValueError, match=r"dampening == 2/sqrt\(pi\)"):
        to_norse(Surrogate("gaussian", dampening=1.0, sharpness=0.5))
