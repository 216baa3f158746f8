"""snntorch's RLeaky network as its docstring writes it (``snntorch.RLeaky``: fc1 -> RLeaky all-to-all ->
fc2 -> RLeaky one-to-one), before and after ``lifstab.stable_init_``: rho per layer (docs/theory.md section 7's
growth factor of the squared BPTT gradient norm), measured by autograd through snntorch's own forward pass.

Sizes are smaller than the docstring's 784-300-10 so that it runs in seconds on a CPU; float64 throughout.
Run: python docs/examples/stabilise_snntorch.py
"""

import warnings

import snntorch as snn
import torch

import lifstab
from lifstab import measure

T, BATCH, NUM_INPUTS, NUM_HIDDEN, NUM_OUTPUTS = 300, 8, 100, 64, 10


def float64_atan(u):  # snntorch's surrogates return float32 spikes, which a float64 RLeaky rejects
    return snn.surrogate.atan()(u).to(u.dtype)


def network(threshold: float):
    torch.manual_seed(0)
    fc1 = torch.nn.Linear(NUM_INPUTS, NUM_HIDDEN).double()
    lif1 = snn.RLeaky(beta=0.9, linear_features=NUM_HIDDEN, threshold=threshold, spike_grad=float64_atan).double()
    fc2 = torch.nn.Linear(NUM_HIDDEN, NUM_OUTPUTS).double()
    lif2 = snn.RLeaky(beta=0.9, all_to_all=False, V=torch.rand(NUM_OUTPUTS, dtype=torch.float64),
                      threshold=threshold, spike_grad=float64_atan)
    return [(fc1, lif1), (fc2, lif2)]


def rhos(layers, x):
    out = []
    for layer in layers:
        out.append(float(torch.exp(measure.log_growth_factor(measure.gradient_norms(layer, x)))))
        with torch.no_grad():
            x = lifstab.adapters.adapt(layer).run(x)[0].double()
    return out


def main() -> None:
    x = (torch.rand(T, BATCH, NUM_INPUTS, generator=torch.Generator().manual_seed(1), dtype=torch.float64) < 0.1).double()
    for threshold in (0.1, 1.0):
        for family in ("fast_sigmoid", "exponential"):
            layers = network(threshold)
            before = rhos(layers, x)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                recs = lifstab.stable_init_(layers, inputs=x, seed=0, family=family)
            after = rhos(layers, x)
            print(f"threshold {threshold:g}, {family}: rho per layer before "
                  + ", ".join(f"{r:.4f}" for r in before) + "; after " + ", ".join(f"{r:.4f}" for r in after))
    print("\nwhat stable_init_ changed (last run):")
    for rec in recs:
        print(f"  {rec.layer}: " + "; ".join(rec.changes))


if __name__ == "__main__":
    main()
