"""snntorch's tutorial network on the project's long-horizon tasks, with snntorch's default initialisation
and with ``lifstab.stable_init_`` (issue 14's "trains at least as well on every seed" check).

The network is built as snntorch's tutorials 5/6 build it (``fc1 = nn.Linear``, ``lif1``, ``fc2``, ``lif2``,
``beta = 0.95``, ``spike_grad = surrogate.fast_sigmoid(slope=25)``), with ``lif1`` an ``snn.RLeaky(beta,
linear_features=hidden)`` (all-to-all recurrence: the long-horizon question is about recurrence) and ``lif2``
an ``snn.Leaky``. Readout: the output layer's membrane potential averaged over the task's readout steps
(every step for digits, the last ``task.readout_steps`` for memory), as the tutorial's loss reads the output
membrane; cross-entropy on that average; accuracy is its argmax. Adam at the project's long-horizon rate
3.16e-3 for both arms (``long_horizon.BASE``: the lifstab layers' results in docs/long_horizon.md were
trained at it, so the two studies compare; the tutorial's 5e-4 moves little in 10 short epochs).

Arms: ``default`` (snntorch's and torch's own initialisation); ``stable_init`` (``lifstab.stable_init_``
on both ``(Linear, neuron)`` pairs with ``never_wider=False``: its peer defaults before the one-sided rule
became the default on peer layers, ``lifstab.recipe.RECIPE.peer_never_wider``; the ``never_wider`` arm is
the default now), inputs a training batch, seed the run's seed: the
recipe of :mod:`lifstab.recipe`, i.e. the tutorial's weights kept but for the recurrent diagonal, a silent
layer's bias lifted to ``min_rate``, the surrogate at the measured edge and, on the ``RLeaky`` pair, a
:class:`lifstab.adapters.keeping.PeerEdgeKeeper` holding rho at 0.95 during training);
``conditions`` (``stable_init_(..., weights="conditions", min_rate=None, keep_edge=None)``: Conditions
I-II's weights and no rate lift, the code path that this study's ``stable_init`` arm ran before
``stable_init_`` became the recipe; those rows were renamed, see the results' README). The keeper's
sharpness history is appended to ``DIR/peer_training_keeper.csv``. :data:`ABLATION` holds the arms that
take ``stable_init`` apart (run with ``--arms``; experiments/peer_training_results/README.md).

``--library spikingjelly`` (``norse``) trains spikingjelly's (norse's) recurrent network instead
(:mod:`.peer_spikingjelly`, :mod:`.peer_norse`; arms :data:`LIBRARY_ARMS`), its run_ids prefixed with the
library's name and its rows with a ``library`` column; the
default ``--library snntorch`` writes what it wrote before.

``python -m lifstab_experiments.training.peer_training --out DIR [--seeds 5] [--points digits:100 memory:100]``
appends one row per run to ``DIR/peer_training.csv`` (a rerun skips finished runs) and writes
``DIR/peer_training_summary.csv`` (mean and 95% t-interval of the test accuracy at the best-validation epoch).
"""

from __future__ import annotations

import argparse
import csv
import time
import warnings
from pathlib import Path

import numpy as np
import torch

from lifstab.recipe import RECIPE

from .long_horizon import BASE, parse_point, point_fields, seed_statistics
from .runner import append_row, append_rows
from .tasks import load_task
from .training import gradients_finite

#: the ablation of ``stable_init`` against ``default`` (results' README, "Why stable_init_ loses"): one
#: difference each. ``diagonal0``: the default network with only the RLeaky's recurrent diagonal set to 0;
#: ``edge_only``: ``stable_init_`` without the keeper (the surrogate stays at the edge of initialisation);
#: ``tutorial_sg``: ``edge_only`` with the tutorial's own surrogate written back (the weights' changes alone);
#: ``never_wider``: ``lifstab.adapters.stable_init_(..., never_wider=True)``, the one-sided surrogate rule;
#: ``no_lift``: ``never_wider`` without the bias lift (``min_rate=None``); ``no_keeper``: ``no_lift`` without the
#: edge keeper (``keep_edge=None``: the weights and surrogate ``stable_init_`` leaves, nothing during training)
ABLATION = ("diagonal0", "edge_only", "tutorial_sg", "never_wider", "no_lift", "no_keeper")
#: the study's arms, run unless ``--arms`` says otherwise
STUDY = ("default", "conditions", "stable_init")
ARMS = (*STUDY, *ABLATION)
#: the arms the must-show compares (stable_init >= default on every seed)
COMPARED = {"default", "stable_init"}
#: the bias lift every arm but ``conditions`` and ``no_lift`` ran with (``RECIPE.min_rate``)
LIFT = RECIPE.min_rate
#: stable_init_ options per arm. ``never_wider`` and then no bias lift on peer layers (``RECIPE.peer_min_rate``)
#: became stable_init_'s defaults after these arms were run: each arm pins what it ran with, so
#: ``stable_init`` is the recipe as it was first, ``never_wider`` as it was next, ``no_lift`` the recipe now
ARM_OPTIONS = {"conditions": dict(weights="conditions", min_rate=None, keep_edge=None, never_wider=False),
               "stable_init": dict(never_wider=False, min_rate=LIFT),
               "edge_only": dict(keep_edge=None, never_wider=False, min_rate=LIFT),
               "tutorial_sg": dict(keep_edge=None, never_wider=False, min_rate=LIFT),
               "never_wider": dict(never_wider=True, min_rate=LIFT), "no_lift": dict(min_rate=None),
               "no_keeper": dict(min_rate=None, keep_edge=None)}
BETA, SLOPE = 0.95, 25
#: the libraries whose network the study trains -> the arms it runs for each (the ablation's arms other
#: than never_wider take snntorch's network apart)
#: per-pair stable_init_ options of an arm (pair order): ``hidden_lift``: the defaults on the hidden pair, no
#: bias lift on the output pair (``min_rate=None``)
PAIR_OPTIONS = {"hidden_lift": (dict(min_rate=LIFT), dict(min_rate=None))}
#: (spikingjelly's ``no_lift``: ``stable_init_`` with its defaults but no bias lift, ``min_rate=None``)
#: (norse: only the recurrent cell is given to stable_init_, it has no bias and its own surrogate is not of the
#: adapter's family, so ``no_lift`` and ``never_wider`` would be ``stable_init`` run for run; ``edge_only``
#: tells the keeper's part)
LIBRARY_ARMS = {"snntorch": ARMS, "spikingjelly": ("default", "stable_init", "never_wider", "no_lift", "hidden_lift"),
                "norse": ("default", "stable_init", "edge_only")}
COLUMNS = ["run_id", "task", "horizon", "arm", "seed", "epochs", "lr", "hidden", "batch_size", "max_samples",
           "best_epoch", "val_accuracy", "test_accuracy", "final_train_loss", "firing_rate", "seconds", "diverged"]
#: a column added later (-> its value in a run without it): a results file written before keeps its header
#: while its new rows hold that value
LATER = {"diverged": False}


def default_arms(library: str = "snntorch") -> tuple[str, ...]:
    """The arms a study runs unless told: :data:`STUDY` for snntorch, every arm of another library."""
    return STUDY if library == "snntorch" else LIBRARY_ARMS[library]


def columns(library: str = "snntorch") -> list[str]:
    """A results file's columns: :data:`COLUMNS`, and ``library`` for a library other than snntorch."""
    return COLUMNS if library == "snntorch" else [*COLUMNS, "library"]


class TutorialNet(torch.nn.Module):
    """fc1 -> RLeaky (all-to-all) -> fc2 -> Leaky; returns the output membrane ``(T, B, n_out)`` and the
    hidden spikes ``(T, B, hidden)``."""

    def __init__(self, n_in: int, hidden: int, n_out: int) -> None:
        import snntorch as snn
        from snntorch import surrogate

        super().__init__()
        spike_grad = surrogate.fast_sigmoid(slope=SLOPE)
        self.fc1 = torch.nn.Linear(n_in, hidden)
        self.lif1 = snn.RLeaky(beta=BETA, linear_features=hidden, spike_grad=spike_grad)
        self.fc2 = torch.nn.Linear(hidden, n_out)
        self.lif2 = snn.Leaky(beta=BETA, spike_grad=spike_grad)

    def pairs(self):
        return [(self.fc1, self.lif1), (self.fc2, self.lif2)]

    def tutorial_surrogate_(self) -> None:
        """Both neurons' ``spike_grad`` back to the tutorial's ``fast_sigmoid(slope=25)``."""
        from snntorch import surrogate

        for neuron in (self.lif1, self.lif2):
            if "spike_grad" in neuron._modules:  # lifstab's SurrogateSpike (a module) where snntorch has none
                delattr(neuron, "spike_grad")
            neuron.spike_grad = surrogate.fast_sigmoid(slope=SLOPE)

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        spk1, mem1 = self.lif1.init_rleaky()
        mem2 = self.lif2.init_leaky()
        mems, spikes = [], []
        for step in range(x.shape[0]):
            spk1, mem1 = self.lif1(self.fc1(x[step]), spk1, mem1)
            _, mem2 = self.lif2(self.fc2(spk1), mem2)
            mems.append(mem2)
            spikes.append(spk1)
        return torch.stack(mems), torch.stack(spikes)


def logits(net: TutorialNet, x: torch.Tensor, readout_steps: int | None) -> tuple[torch.Tensor, torch.Tensor]:
    mem, spikes = net(x)
    return mem[-(readout_steps or mem.shape[0]):].mean(0), spikes


def evaluate(net: TutorialNet, task, split, batch_size: int) -> float:
    correct = 0
    with torch.no_grad():
        for start in range(0, len(split.labels), batch_size):
            x, y = task.batch(split, np.arange(start, min(start + batch_size, len(split.labels))))
            correct += int((logits(net, x, task.readout_steps)[0].argmax(-1) == y).sum())
    return correct / len(split.labels)


def build(task, arm: str, seed: int, hidden: int, init_batch: torch.Tensor, library: str = "snntorch"):
    """The library's network (snntorch's :class:`TutorialNet`, spikingjelly's
    :class:`.peer_spikingjelly.JellyNet`, norse's :class:`.peer_norse.NorseNet`) at the run's seed; the arms
    of :data:`ARM_OPTIONS` apply ``lifstab.adapters.stable_init_`` (what ``lifstab.stable_init_`` calls for peer
    layers) to it."""
    import lifstab.adapters

    if library not in LIBRARY_ARMS:
        raise ValueError(f"library={library!r} is unknown; choose one of {list(LIBRARY_ARMS)}")
    if arm not in LIBRARY_ARMS[library]:
        raise ValueError(f"arm={arm!r} is unknown for {library}; choose one of {list(LIBRARY_ARMS[library])}")
    torch.manual_seed(seed)
    if library == "spikingjelly":
        from .peer_spikingjelly import JellyNet
        net = JellyNet(task.n_in, hidden, task.n_out)
    elif library == "norse":
        from .peer_norse import NorseNet
        net = NorseNet(task.n_in, hidden, task.n_out)
    else:
        net = TutorialNet(task.n_in, hidden, task.n_out)
    if arm in ARM_OPTIONS:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # the recommendation's notes; what changed is in its .changes
            lifstab.adapters.stable_init_(net.pairs(), inputs=init_batch, seed=seed, **ARM_OPTIONS[arm])
    if arm in PAIR_OPTIONS:  # one stable_init_ call per pair, in order, each on the previous pair's spikes
        x = init_batch
        for i, (pair, options) in enumerate(zip(net.pairs(), PAIR_OPTIONS[arm])):
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                lifstab.adapters.stable_init_(pair, inputs=x, seed=seed + i, **options)
            with torch.no_grad():
                x = lifstab.adapters.adapt(pair).run(x)[0]
    if arm == "tutorial_sg":
        net.tutorial_surrogate_()
    if arm == "diagonal0":
        with torch.no_grad():
            net.lif1.recurrent.weight.fill_diagonal_(0.0)
    return net


def train_run(point: str, arm: str, seed: int, epochs: int, lr: float, hidden: int, batch_size: int,
              max_samples: int | None = None, keeper_dir: Path | None = None, on_step=None,
              library: str = "snntorch") -> dict:
    """One run: train, validate every epoch, test at the best-validation epoch. Returns its row (and, with
    ``keeper_dir``, appends the edge keeper's history to ``keeper_dir/peer_training_keeper.csv``).
    ``on_step(step, epoch, net, x, loss, spikes)``, if given, is called after every optimiser step
    (the gradients still in ``.grad``; :mod:`.peer_training_diagnosis`)."""
    import lifstab

    name, horizon = parse_point(point)
    fields = point_fields(name, horizon)
    task = load_task(name, time_steps=fields.get("time_steps"), max_samples=max_samples, delay=fields.get("delay"))
    rng = np.random.default_rng(seed)
    n_train, start = len(task.train.labels), time.time()
    orders = [rng.permutation(n_train) for _ in range(epochs)]
    net = build(task, arm, seed, hidden, task.batch(task.train, orders[0][:batch_size])[0], library)
    optimiser = torch.optim.Adam(net.parameters(), lr=lr)
    best = (-1.0, 0, float("nan"))  # (val accuracy, epoch, test accuracy)
    loss, rates, diverged = torch.tensor(float("nan")), [], False
    for epoch in range(epochs):
        for first in range(0, n_train, batch_size):
            x, y = task.batch(task.train, orders[epoch][first:first + batch_size])
            out, spikes = logits(net, x, task.readout_steps)
            loss = torch.nn.functional.cross_entropy(out, y)
            optimiser.zero_grad()
            loss.backward()
            if not gradients_finite(net):  # the step would write NaN into the weights: the run ends here
                diverged = True
                break
            optimiser.step()
            rates.append(float(spikes.detach().mean()))
            if on_step is not None:
                on_step(len(rates) - 1, epoch, net, x, loss, spikes)
        if diverged:
            break
        val = evaluate(net, task, task.val, 256)
        if val > best[0]:
            best = (val, epoch, evaluate(net, task, task.test, 256))
    if best[0] < 0:  # diverged within the first epoch: the last finite weights, evaluated once
        best = (evaluate(net, task, task.val, 256), 0, evaluate(net, task, task.test, 256))
    keeper = lifstab.edge_keeper_of(net.pairs()[0])
    if keeper is not None and keeper_dir is not None:
        append_rows(Path(keeper_dir) / "peer_training_keeper.csv",
                    [dict(run_id=run_id(point, arm, seed, library), step=step, sharpness=values[0])
                     for step, values in keeper.history], ["run_id", "step", "sharpness"])
    row = dict(run_id=run_id(point, arm, seed, library), task=name, horizon=horizon, arm=arm, seed=seed,
               epochs=epochs, lr=lr, hidden=hidden, batch_size=batch_size, max_samples=max_samples,
               best_epoch=best[1], val_accuracy=best[0], test_accuracy=best[2], final_train_loss=float(loss.detach()),
               firing_rate=float(np.mean(rates[-max(1, n_train // batch_size):])) if rates else float("nan"),
               seconds=round(time.time() - start, 1), diverged=diverged)
    return row if library == "snntorch" else {**row, "library": library}


def initial_rates(point: str, seeds: int, hidden: int = BASE.hidden, batch_size: int = BASE.batch_size,
                  max_samples: int | None = None, library: str = "snntorch"):
    """Per seed and arm (:data:`STUDY` for snntorch, :data:`LIBRARY_ARMS` for another library): the input
    rate and the hidden layer's firing rate at initialisation on the run's first training batch (the batch
    ``stable_init_`` is given)."""
    import pandas as pd

    name, horizon = parse_point(point)
    fields = point_fields(name, horizon)
    task = load_task(name, time_steps=fields.get("time_steps"), max_samples=max_samples, delay=fields.get("delay"))
    out = []
    for seed in range(seeds):
        order = np.random.default_rng(seed).permutation(len(task.train.labels))
        x = task.batch(task.train, order[:batch_size])[0]
        for arm in default_arms(library):
            with torch.no_grad():
                rate = float(build(task, arm, seed, hidden, x, library)(x)[1].mean())
            out.append(dict(task=name, horizon=horizon, seed=seed, arm=arm, input_rate=float(x.mean()),
                            initial_firing_rate=rate))
    return pd.DataFrame(out)


def run_id(point: str, arm: str, seed: int, library: str = "snntorch") -> str:
    return f"{point}-{arm}-s{seed}" if library == "snntorch" else f"{library}-{point}-{arm}-s{seed}"


def finished(path: Path) -> set[str]:
    if not path.exists():
        return set()
    with open(path, newline="") as f:
        return {r["run_id"] for r in csv.DictReader(f) if r.get("seconds")}


def summarise(rows: list[dict]):
    """Per (task, horizon, arm): mean test accuracy, 95% t-interval half-width, min, max; per (task,
    horizon) how many seeds have ``stable_init`` >= ``default`` (seeds with both arms); and per arm how many
    seeds have that arm >= ``default`` (``ge_default_seeds``)."""
    import pandas as pd

    frame = pd.DataFrame(rows).astype({"test_accuracy": float, "horizon": int, "seed": int})
    out = []
    for (task, horizon, arm), part in frame.groupby(["task", "horizon", "arm"]):
        paired = frame[(frame.task == task) & (frame.horizon == horizon)].pivot(index="seed", columns="arm",
                                                                              values="test_accuracy").dropna()
        at_least = int((paired["stable_init"] >= paired["default"]).sum()) if COMPARED <= set(paired) else None
        ge = int((paired[arm] >= paired["default"]).sum()) if {"default", arm} <= set(paired) else None
        out.append(dict(task=task, horizon=horizon, arm=arm, **seed_statistics(part),
                        stable_ge_default_seeds=at_least, paired_seeds=len(paired), ge_default_seeds=ge))
    return pd.DataFrame(out)


def paired(rows: list[dict]):
    """Per (task, horizon, seed): each arm's test accuracy side by side, ``stable_init - default``
    (``stable_minus_default``) and for an ablation arm ``<arm>_minus_default``."""
    import pandas as pd

    frame = pd.DataFrame(rows).astype({"test_accuracy": float, "horizon": int, "seed": int})
    table = frame.pivot_table(index=["task", "horizon", "seed"], columns="arm", values="test_accuracy").reset_index()
    if COMPARED <= set(table.columns):
        table["stable_minus_default"] = table["stable_init"] - table["default"]
    for arm in ABLATION:
        if {"default", arm} <= set(table.columns):
            table[f"{arm}_minus_default"] = table[arm] - table["default"]
    return table


def run_study(out: Path, points, seeds: int, arms=STUDY, epochs: int = BASE.epochs, lr: float = BASE.lr,
              hidden: int = BASE.hidden, batch_size: int = BASE.batch_size, max_samples: int | None = None,
              library: str = "snntorch"):
    """Run every (point, arm, seed) not yet in ``out/peer_training.csv``; write and return the summary."""
    from .runner import read_rows

    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    path = out / "peer_training.csv"
    others = {r.get("library") or "snntorch" for r in (read_rows(path) if path.exists() else [])} - {library}
    if others:
        raise ValueError(f"{path} holds {sorted(others)} runs: one library per results file")
    torch.set_num_threads(1)
    for point in points:
        for seed in range(seeds):
            for arm in arms:
                if run_id(point, arm, seed, library) in finished(path):
                    continue
                row = train_run(point, arm, seed, epochs, lr, hidden, batch_size, max_samples, out, library=library)
                append_row(path, row, columns(library), LATER)
                print(f"{row['run_id']}: test {row['test_accuracy']:.3f} (best epoch {row['best_epoch']}, "
                      f"{row['seconds']} s)", flush=True)
    summary = summarise(read_rows(path))
    summary.to_csv(out / "peer_training_summary.csv", index=False)
    paired(read_rows(path)).to_csv(out / "peer_training_paired.csv", index=False)
    return summary


def _rows(out: Path) -> list[dict]:
    from .runner import read_rows
    return read_rows(out / "peer_training.csv")


def main(argv=None) -> int:
    import pandas as pd

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", required=True)
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--points", nargs="+", default=["digits:100"])
    parser.add_argument("--arms", nargs="+", default=None, choices=sorted({a for arms in LIBRARY_ARMS.values() for a in arms}),
                        help=f"default: {' '.join(STUDY)} (snntorch), every arm of LIBRARY_ARMS (others)")
    parser.add_argument("--library", default="snntorch", choices=list(LIBRARY_ARMS),
                        help="whose network: snntorch's tutorial network, spikingjelly's or norse's recurrent one")
    parser.add_argument("--epochs", type=int, default=BASE.epochs)
    parser.add_argument("--lr", type=float, default=BASE.lr)
    parser.add_argument("--hidden", type=int, default=BASE.hidden)
    parser.add_argument("--batch-size", type=int, default=BASE.batch_size)
    parser.add_argument("--max-samples", type=int, default=None, help="training samples (tests: a few)")
    parser.add_argument("--initial-rates", action="store_true",
                        help="also write each run's hidden firing rate at initialisation (no training)")
    args = parser.parse_args(argv)
    arms = args.arms or list(default_arms(args.library))
    if set(arms) - set(LIBRARY_ARMS[args.library]):
        parser.error(f"--library {args.library} runs the arms {list(LIBRARY_ARMS[args.library])}")
    for point in args.points:
        parse_point(point)  # a bad point fails before any training
    summary = run_study(Path(args.out), args.points, args.seeds, arms, args.epochs, args.lr, args.hidden,
                        args.batch_size, args.max_samples, args.library)
    if args.initial_rates:
        rates = pd.concat([initial_rates(p, args.seeds, args.hidden, args.batch_size, args.max_samples, args.library)
                           for p in args.points])
        rates.to_csv(Path(args.out) / "peer_training_initial_rates.csv", index=False)
        print(rates.to_string(index=False))
    print(paired(_rows(Path(args.out))).to_string(index=False))
    print(summary.to_string(index=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
