"""norse's recurrent LIF layer (``norse.torch.LIFRecurrent``, as its docs build it), before and after
``lifstab.stable_init_``: rho (docs/theory.md section 7) measured by autograd through norse's own forward pass.

norse's default parameters keep a synaptic current (``dt * tau_syn_inv = 0.2``), which lifstab's LIF does
not have: the adapter refuses them, and this script shows the message, then sets ``tau_syn_inv = 1 / dt``.
The surrogate written is norse's ``tanh`` (lifstab's ``sigmoid`` family at unit dampening).
Run: python docs/examples/stabilise_norse.py
"""

import norse.torch as norse
import torch

import lifstab
from lifstab import measure

T, BATCH, N_IN, N = 300, 8, 100, 64


def rho(layer, x) -> float:
    return float(torch.exp(measure.log_growth_factor(measure.gradient_norms(layer, x))))


def main() -> None:
    x = (torch.rand(T, BATCH, N_IN, generator=torch.Generator().manual_seed(1), dtype=torch.float64) < 0.1).double()
    try:
        lifstab.stable_init_(norse.LIFRecurrent(N_IN, N).double(), inputs=x, seed=0)
    except ValueError as why:
        print(f"default parameters: {why}\n")
    for threshold in (0.1, 1.0):
        torch.manual_seed(0)
        p = norse.LIFParameters(tau_syn_inv=torch.as_tensor(1000.0), v_th=torch.as_tensor(threshold))
        layer = norse.LIFRecurrent(N_IN, N, p=p).double()
        before = rho(layer, x)
        rec = lifstab.stable_init_(layer, inputs=x, seed=0)
        print(f"threshold {threshold:g}: rho before {before:.4f}, after {rho(layer, x):.4f}; changed: "
              + "; ".join(rec.changes))


if __name__ == "__main__":
    main()
