"""spikingjelly's recurrent LIF network for :mod:`.peer_training` (``--library spikingjelly``; issue 14: each
library's own network, before and after ``stable_init_``).

Built as spikingjelly (2.0.0) documents a recurrent LIF layer: ``fc1 = torch.nn.Linear(n_in, hidden)`` ->
``layer.LinearRecurrentContainer(neuron.LIFNode(), in_features=hidden, out_features=hidden)`` (the container's
``rc = Linear(2 hidden, hidden)`` mixes ``[x_t, y_{t-1}]``: all-to-all recurrence, its diagonal included) ->
``fc2 = torch.nn.Linear(hidden, n_out)`` -> ``neuron.LIFNode()``, single-step mode (``step_mode="s"``, the
default, called in a loop as the container's docstring calls it), ``functional.reset_net`` at the start of
every forward pass (between batches). Every ``LIFNode`` setting is spikingjelly's default: ``tau=2.0``
(decay 1 - 1/tau = 0.5, against snntorch's tutorial beta 0.95), ``decay_input=True``, ``v_threshold=1.0``,
``v_reset=0.0`` (hard reset), ``surrogate.Sigmoid(alpha=4.0)``, ``detach_reset=False``; lifstab's
spikingjelly adapter maps each of them exactly (it refuses only a soft reset, ``v_reset=None``, a non-zero
``v_reset``, other neuron classes and a precision setting; none is a default), so no setting is changed.

Readout, kept comparable to the snntorch study (whose ``snn.Leaky`` output returns its membrane after the
step's charge, before that step's reset): the output ``LIFNode``'s charged membrane ``H_t = V_{t-1} +
(X_t - V_{t-1}) / tau`` (spikingjelly's own charge equation with ``v_reset = 0``), read at every step and
averaged over the task's readout steps, cross-entropy on that average. ``H_t`` rather than the node's
stored ``v`` (``V_t``, after the hard reset to 0): ``V_t`` is 0 exactly where the class's evidence crosses
the threshold, so it would not rise with the evidence. The output node still spikes and resets as
spikingjelly runs it (its reset shapes the next ``H``, as snntorch's reset shapes its next membrane), and
``(fc2, LIFNode)`` is a pair ``stable_init_`` is given, as ``(fc2, Leaky)`` is in the snntorch study.
spikingjelly's ``NonSpikingLIFNode`` would read a membrane too, but no reset and no pair for ``stable_init_``.
"""

from __future__ import annotations

import torch


class JellyNet(torch.nn.Module):
    """fc1 -> LinearRecurrentContainer(LIFNode) -> fc2 -> LIFNode; returns the output node's charged membrane
    ``(T, B, n_out)`` and the hidden spikes ``(T, B, hidden)`` (as :class:`.peer_training.TutorialNet`)."""

    def __init__(self, n_in: int, hidden: int, n_out: int) -> None:
        from spikingjelly.activation_based import layer, neuron

        super().__init__()
        self.fc1 = torch.nn.Linear(n_in, hidden)
        self.lif1 = layer.LinearRecurrentContainer(neuron.LIFNode(), in_features=hidden, out_features=hidden)
        self.fc2 = torch.nn.Linear(hidden, n_out)
        self.lif2 = neuron.LIFNode()

    def pairs(self):
        return [(self.fc1, self.lif1), (self.fc2, self.lif2)]

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        from spikingjelly.activation_based import functional

        functional.reset_net(self)
        mems, spikes = [], []
        for step in range(x.shape[0]):
            spk1 = self.lif1(self.fc1(x[step]))
            mems.append(charge(self.lif2, self.fc2(spk1)))
            spikes.append(spk1)
        return torch.stack(mems), torch.stack(spikes)


def charge(node, current: torch.Tensor) -> torch.Tensor:
    """Step ``node`` (a single-step ``LIFNode``, ``v_reset = 0``) on ``current``; return its ``H_t``."""
    if node.v_reset != 0 or node.step_mode != "s":
        raise ValueError("the readout reads H_t of a single-step LIFNode with v_reset = 0")
    before = node.v
    node(current)
    if node.decay_input:
        return before + (current - before) / node.tau
    return before - before / node.tau + current


def _hidden_charges(net: JellyNet, x: torch.Tensor) -> torch.Tensor:
    """The hidden node's ``H_t - v_threshold`` on ``x`` (no gradient)."""
    from spikingjelly.activation_based import functional

    node, seen = net.lif1.sub_module, []
    hook = node.register_forward_pre_hook(lambda module, args: seen.append((module.v, args[0])))
    functional.reset_net(net)
    try:
        with torch.no_grad():
            for step in range(x.shape[0]):
                net.lif1(net.fc1(x[step]))
    finally:
        hook.remove()
    return torch.stack([v + (c - v) / node.tau for v, c in seen]) - node.v_threshold


def initial_numbers(point: str, seeds: int, hidden: int, batch_size: int, arms=("default", "stable_init"),
                    sharpness=(0.01, 0.1, 1.0, 10.0, 100.0, 1000.0)):
    """Per seed and arm, at initialisation on the run's first training batch (the one ``stable_init_`` is
    given): input, hidden and output firing rates; the mean surrogate derivative of the hidden node at its
    ``H_t - v_threshold``; rho of ``(fc1, container)`` measured by :func:`lifstab.measure.gradient_norms`
    through spikingjelly's forward on the batch's first 16 sequences, at the arm's surrogate and (keeper off)
    at a fast_sigmoid of each ``sharpness``; the surrogates. Returns a DataFrame."""
    import pandas as pd

    import lifstab.adapters
    from lifstab import measure

    from .peer_initial import first_batches, rho_by_sharpness
    from .peer_training import build

    name, horizon, task, batches = first_batches(point, seeds, batch_size)
    rows = []
    for seed, x in batches:
        for arm in arms:
            net = build(task, arm, seed, hidden, x, "spikingjelly")
            lifstab.detach_edge_keeper(net.fc1)
            adapters = [lifstab.adapters.adapt(pair) for pair in net.pairs()]
            z = _hidden_charges(net, x).requires_grad_()
            net.lif1.sub_module.surrogate_function(z).sum().backward()
            with torch.no_grad():
                mem, spikes = net(x)
            surrogate = repr(adapters[0].surrogate())
            rho = rho_by_sharpness(adapters[0], lambda: measure.gradient_norms(net.pairs()[0], x[:, :16]),
                                   "fast_sigmoid", sharpness)
            rows.append(dict(task=name, horizon=horizon, seed=seed, arm=arm, input_rate=float(x.mean()),
                             hidden_rate=float(spikes.mean()),
                             output_rate=float((mem >= net.lif2.v_threshold).float().mean()),  # spikes at H >= 1
                             mean_surrogate_derivative=float(z.grad.mean()), hidden_surrogate=surrogate, **rho))
    return pd.DataFrame(rows)


def main(argv=None) -> int:
    """``python -m lifstab_experiments.training.peer_spikingjelly --out DIR [--points digits:100] [--seeds 5]``:
    :func:`initial_numbers` (no training), printed and written to ``DIR/spikingjelly_initial.csv``."""
    from .peer_initial import main as initial_main

    return initial_main("spikingjelly", initial_numbers, argv, hide=("hidden_surrogate",))


if __name__ == "__main__":
    raise SystemExit(main())
