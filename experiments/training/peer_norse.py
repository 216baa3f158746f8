"""norse's recurrent LIF classifier for :mod:`.peer_training` (``--library norse``; issue 14: each library's own
network, before and after ``stable_init_``).

Built as norse's documentation page "Training a MNIST classifier" (norse/norse,
``docs/pages/training-an-mnist-classifier.ipynb``, section "Defining a Network", class ``SNN``) builds it::

    l1     = norse.torch.LIFRecurrentCell(n_in, hidden, p=LIFParameters(alpha=100, v_th=0.5), dt=0.001)
    fc_out = torch.nn.Linear(hidden, n_out, bias=False)
    out    = norse.torch.LICell(dt=0.001)

called step by step (``z, s1 = l1(x_t, s1); vo, so = out(fc_out(z), so)``), the states starting at None in
every forward pass. ``LIFRecurrentCell`` holds its own input weights (``input_weights``, no bias) and its
recurrent weights (``autapses=False``: zero diagonal), both norse's own initialisation; every other setting is
norse 1.1.0's default (``tau_mem_inv=100``: decay ``1 - dt tau_mem_inv = 0.9`` per step, ``v_leak = v_reset =
0``, ``method="super"``; ``alpha=100`` is the default too, the page states it). The readout ``LICell`` keeps
all of norse's defaults (a leaky integrator with its synaptic current; nothing spikes there).

**The one change: ``tau_syn_inv = 1 / dt = 1000``** (:data:`TAU_SYN_INV`; norse's default 200 gives
``dt tau_syn_inv = 0.2``). The default keeps a synaptic current across steps, a second state lifstab's LIF
has not, and lifstab's norse adapter refuses it with a ``ValueError`` (it maps only ``dt * tau_syn_inv == 1``
exactly, as norse computes it in float32: ``0.001 * 1000.0`` is 1 there). With it, the synaptic current is
emptied at every step and the input reaches the membrane in the same step with gain ``dt tau_mem_inv = 0.1``.
``NorseNet(..., tau_syn_inv=None)`` is the page's network untouched.

What ``stable_init_`` gets (:meth:`NorseNet.pairs`): ``[l1]``, the recurrent cell alone (norse's adapter takes
``LIFRecurrentCell`` by itself, its input weights inside). The readout pair ``(fc_out, LICell)`` is not a LIF
(the adapter accepts ``LIF``/``LIFCell`` only), so it keeps norse's initialisation in every arm. The cell has
no bias, so ``min_rate`` is not applied (``no_lift`` is ``stable_init`` run for run), and its own surrogate
(``super``, lifstab's fast_sigmoid at sharpness 0.5) is not of the adapter's family (sigmoid: norse's
``tanh``), so ``never_wider`` does not apply either.

Readout, kept as the snntorch and spikingjelly studies read theirs (not the page's max over time): the
``LICell``'s voltage averaged over the task's readout steps, cross-entropy on that average.
"""

from __future__ import annotations

import torch

DT = 0.001
#: ``1 / DT``, written as the float it is: the adapter's test is ``dt * tau_syn_inv == 1`` in norse's float32
TAU_SYN_INV = 1000.0
#: the page's settings of the recurrent cell (``alpha`` is norse's default too)
V_TH, ALPHA = 0.5, 100.0


def parameters(tau_syn_inv: float | None = TAU_SYN_INV):
    """The recurrent cell's ``LIFParameters``: the page's (``alpha=100, v_th=0.5``), ``tau_syn_inv`` set
    (None: norse's default, 200)."""
    from norse.torch import LIFParameters

    extra = {} if tau_syn_inv is None else {"tau_syn_inv": torch.as_tensor(tau_syn_inv)}
    return LIFParameters(alpha=torch.as_tensor(ALPHA), v_th=torch.as_tensor(V_TH), **extra)


class NorseNet(torch.nn.Module):
    """LIFRecurrentCell -> Linear(bias=False) -> LICell; returns the readout voltage ``(T, B, n_out)`` and the
    hidden spikes ``(T, B, hidden)`` (as :class:`.peer_training.TutorialNet`)."""

    def __init__(self, n_in: int, hidden: int, n_out: int, tau_syn_inv: float | None = TAU_SYN_INV) -> None:
        from norse.torch import LICell, LIFRecurrentCell

        super().__init__()
        self.l1 = LIFRecurrentCell(n_in, hidden, p=parameters(tau_syn_inv), dt=DT)
        self.fc_out = torch.nn.Linear(hidden, n_out, bias=False)
        self.out = LICell(dt=DT)

    def pairs(self):
        return [self.l1]

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        s1 = so = None
        voltages, spikes = [], []
        for step in range(x.shape[0]):
            z, s1 = self.l1(x[step], s1)
            vo, so = self.out(self.fc_out(z), so)
            voltages.append(vo)
            spikes.append(z)
        return torch.stack(voltages), torch.stack(spikes)


def hidden_charges(net: NorseNet, x: torch.Tensor) -> torch.Tensor:
    """The hidden cell's ``v_dec - v_th`` (the argument of its threshold) on ``x``, no gradient: with the
    synaptic current empty, ``v_dec = (1 - a) v_{t-1} + a (W x_t + R z_{t-1})``, ``a = dt tau_mem_inv``."""
    cell = net.l1
    a = cell.dt * cell.p.tau_mem_inv
    s, out = None, []
    with torch.no_grad():
        for step in range(x.shape[0]):
            v, z = (0.0, 0.0) if s is None else (s.v, s.z)
            i = x[step] @ cell.input_weights.T + (0.0 if s is None else z @ cell.recurrent_weights.T)
            out.append((1 - a) * v + a * i - cell.p.v_th)
            _, s = cell(x[step], s)
    return torch.stack(out)


def initial_numbers(point: str, seeds: int, hidden: int, batch_size: int, arms=("default", "stable_init"),
                    sharpness=(0.1, 1.0, 10.0, 100.0)):
    """Per seed and arm, at initialisation on the run's first training batch (the one ``stable_init_`` is
    given): input and hidden firing rates; the hidden cell's mean surrogate derivative at ``v_dec - v_th``
    (norse's own ``threshold``); rho of the cell by :func:`lifstab.adapters.gradient_norms` through norse's
    forward on the batch's first 16 sequences, at the arm's surrogate and (keeper off) at norse's ``tanh``
    (lifstab's sigmoid, the adapter's family) of each ``sharpness``; the surrogate. Returns a DataFrame."""
    import pandas as pd
    from norse.torch.functional.threshold import threshold

    import lifstab
    import lifstab.adapters

    from .peer_initial import first_batches, rho_by_sharpness
    from .peer_training import build

    name, horizon, task, batches = first_batches(point, seeds, batch_size)
    rows = []
    for seed, x in batches:
        for arm in arms:
            net = build(task, arm, seed, hidden, x, "norse")
            lifstab.detach_edge_keeper(net.l1)
            adapter = lifstab.adapters.adapt(net.l1)
            surrogate = f"{net.l1.p.method}(alpha={float(net.l1.p.alpha):.4g}) = {adapter.surrogate()!r}"
            z = hidden_charges(net, x).requires_grad_()
            threshold(z, net.l1.p.method, net.l1.p.alpha).sum().backward()
            with torch.no_grad():
                spikes = net(x)[1]
            rho = rho_by_sharpness(adapter, lambda: lifstab.adapters.gradient_norms(net.l1, x[:, :16]), "sigmoid",
                                   sharpness)
            rows.append(dict(task=name, horizon=horizon, seed=seed, arm=arm, input_rate=float(x.mean()),
                             hidden_rate=float(spikes.mean()), mean_surrogate_derivative=float(z.grad.mean()),
                             hidden_surrogate=surrogate, **rho))
    return pd.DataFrame(rows)


def main(argv=None) -> int:
    """``python -m lifstab_experiments.training.peer_norse --out DIR [--points digits:100] [--seeds 5]``:
    :func:`initial_numbers` (no training), printed and written to ``DIR/norse_initial.csv``."""
    from .peer_initial import main as initial_main

    return initial_main("norse", initial_numbers, argv)


if __name__ == "__main__":
    raise SystemExit(main())
