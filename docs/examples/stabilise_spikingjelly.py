"""spikingjelly's ``LinearRecurrentContainer`` example (its docstring: ``LinearRecurrentContainer(
nn.Sequential(nn.Linear(in, out), neuron.LIFNode()), in, out)``), before and after ``lifstab.stable_init_``:
rho (docs/theory.md section 7) measured by autograd through spikingjelly's own forward pass.

The docstring's LIFNode lets the reset gradient flow (``detach_reset=False``): lifstab's edge route measures
that layer with the reset's term; the second network sets ``detach_reset=True``. Neither has an edge with
its own weights (rho below 1 at every sharpness): the recommendation says so, and the layer keeps its own
surrogate (a peer layer without an edge is not given the range's end nearest rho = 1). Sizes are larger than the docstring's 4-2 so that rho means something.
Run: python docs/examples/stabilise_spikingjelly.py
"""

import warnings

import torch
from spikingjelly.activation_based import layer, neuron

import lifstab
from lifstab import measure

T, BATCH, IN_FEATURES, OUT_FEATURES = 300, 8, 100, 64


def container(threshold: float, detach_reset: bool):
    torch.manual_seed(0)
    node = neuron.LIFNode(v_threshold=threshold, detach_reset=detach_reset)
    return layer.LinearRecurrentContainer(torch.nn.Sequential(torch.nn.Linear(IN_FEATURES, OUT_FEATURES), node),
                                          IN_FEATURES, OUT_FEATURES).double()


def rho(net, x) -> float:
    return float(torch.exp(measure.log_growth_factor(measure.gradient_norms(net, x))))


def main() -> None:
    x = (torch.rand(T, BATCH, IN_FEATURES, generator=torch.Generator().manual_seed(1), dtype=torch.float64) < 0.1).double()
    for detach_reset in (False, True):
        for threshold in (0.1, 1.0):
            for family in ("fast_sigmoid", "sigmoid"):
                net = container(threshold, detach_reset)
                before = rho(net, x)
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    rec = lifstab.stable_init_(net, inputs=x, seed=0, family=family)
                print(f"detach_reset={detach_reset}, threshold {threshold:g}, {family}: rho before {before:.4f}, "
                      f"after {rho(net, x):.4f} (route: {rec.recommendation.sharpness_method})")
    print("changed (last run): " + "; ".join(rec.changes))


if __name__ == "__main__":
    main()
