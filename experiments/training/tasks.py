"""Tasks: loaders returning fixed train/validation/test splits, batched into time-major tensors.

Offline tasks (no download, ever): latency-coded scikit-learn digits, mnist1d from its package's own
generator, and a seeded random-manifold spike-timing task. The paper's datasets (SHD, sl-MNIST,
word-level PTB) load from a local path the user gives; a missing or malformed file raises
``FileNotFoundError`` / ``ValueError`` naming the path and what was expected.

Inputs are stored compactly per sample and turned into dense ``(T, B, channels)`` tensors only per
batch (sl-MNIST at full scale would not fit in memory as dense spikes):

- ``"latency"``: int16 spike step per channel, -1 for "no spike";
- ``"dense"``: float or bool values ``(N, T, channels)``;
- ``"tokens"``: int64 token ids ``(N, T)`` (labels are the next tokens, ``(N, T)``).
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Callable, NamedTuple

import numpy as np
import torch

#: the seed of every fixed split: splits never depend on the run's seed
SPLIT_SEED = 0
ENCODINGS = ("latency", "dense", "tokens")


class Split(NamedTuple):
    inputs: np.ndarray
    labels: np.ndarray


@dataclass(frozen=True, eq=False)
class TaskData:
    """One task: three splits plus what a model needs to know about it."""

    name: str
    train: Split
    val: Split
    test: Split
    n_in: int
    n_out: int
    time_steps: int
    encoding: str
    #: the readout pools the logits of the last ``readout_steps`` steps (None: every step)
    readout_steps: int | None = None

    @property
    def is_language(self) -> bool:
        return self.encoding == "tokens"

    def batch(self, split: Split, index: np.ndarray, device: torch.device | str = "cpu",
              dtype: torch.dtype = torch.float32) -> tuple[torch.Tensor, torch.Tensor]:
        """Time-major inputs ``(T, B, n_in)`` (or token ids ``(T, B)``) and labels ``(B,)`` (or ``(T, B)``)."""
        raw, labels = split.inputs[index], split.labels[index]
        if self.encoding == "latency":
            x = latency_to_spikes(raw, self.time_steps, dtype)
        elif self.encoding == "dense":
            x = torch.as_tensor(np.ascontiguousarray(raw.transpose(1, 0, 2)), dtype=dtype)
        else:
            x = torch.as_tensor(raw.T.copy(), dtype=torch.long)
        y = torch.as_tensor(labels.T.copy() if self.is_language else labels, dtype=torch.long)
        return x.to(device), y.to(device)


def latency_times(intensity: np.ndarray, time_steps: int) -> np.ndarray:
    """sl-MNIST latency code: each channel spikes once, brighter earlier; zero intensity never spikes.

    ``intensity`` in [0, 1]; the spike step is ``round((1 - intensity) * (time_steps - 1))``.
    """
    if time_steps < 1:
        raise ValueError(f"time_steps must be >= 1, got {time_steps}")
    intensity = np.clip(np.asarray(intensity, dtype=np.float64), 0.0, 1.0)
    steps = np.rint((1.0 - intensity) * (time_steps - 1)).astype(np.int16)
    return np.where(intensity > 0, steps, np.int16(-1)).astype(np.int16)


def latency_to_spikes(times: np.ndarray, time_steps: int, dtype: torch.dtype = torch.float32) -> torch.Tensor:
    """Spike steps ``(B, C)`` (-1: none) to a dense time-major tensor ``(T, B, C)``."""
    t = torch.as_tensor(times.astype(np.int64))
    spikes = torch.zeros(time_steps + 1, *t.shape, dtype=dtype)
    # -1 lands in the extra last row, which is dropped: no branch for "no spike"
    spikes.scatter_(0, t.remainder(time_steps + 1).unsqueeze(0), 1.0)
    return spikes[:time_steps]


def _split_indices(n: int, fractions: tuple[float, float]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    order = np.random.default_rng(SPLIT_SEED).permutation(n)
    a, b = int(round(fractions[0] * n)), int(round((fractions[0] + fractions[1]) * n))
    return order[:a], order[a:b], order[b:]


def _three_way(inputs: np.ndarray, labels: np.ndarray, fractions=(0.6, 0.2)) -> tuple[Split, Split, Split]:
    return tuple(Split(inputs[i], labels[i]) for i in _split_indices(len(labels), fractions))


def _limit(split: Split, max_samples: int | None) -> Split:
    return split if max_samples is None else Split(split.inputs[:max_samples], split.labels[:max_samples])


# ---------------------------------------------------------------- offline tasks

def load_digits(time_steps: int | None = None, max_samples: int | None = None, **_) -> TaskData:
    """scikit-learn's bundled 8x8 digits (1797 images), latency coded, 64 channels, split 60/20/20."""
    from sklearn.datasets import load_digits as sk_digits

    time_steps = time_steps or 20
    data = sk_digits()
    times = latency_times(data.data / 16.0, time_steps)
    train, val, test = _three_way(times, data.target.astype(np.int64))
    return TaskData("digits", _limit(train, max_samples), val, test, 64, 10, time_steps, "latency")


def load_mnist1d(time_steps: int | None = None, max_samples: int | None = None, **_) -> TaskData:
    """mnist1d from the package's local generator (never its download): 40 steps of one current
    channel; the generator's own 80/20 train/test split, the last 20% of train held out for validation."""
    try:
        from mnist1d.data import get_dataset_args, make_dataset
    except ImportError as exc:
        raise ValueError("task='mnist1d' needs the mnist1d package: pip install 'lifstab[experiments]'") from exc
    if time_steps not in (None, 40):
        raise ValueError(f"time_steps for task='mnist1d' is fixed at 40 by the generator, got {time_steps}")
    args = get_dataset_args()
    # the generator makes num_samples // 10 per class; train is 64% of them after the two splits
    args.num_samples = 5000 if max_samples is None else 10 * max(10, math.ceil(max_samples / 0.64 / 10))
    state = np.random.get_state()  # make_dataset seeds NumPy's global generator: leave it as found
    try:
        data = make_dataset(args)
    finally:
        np.random.set_state(state)
    x = data["x"].astype(np.float32)[:, :, None]
    n_val = len(x) // 5
    train = Split(x[:-n_val], data["y"][:-n_val].astype(np.int64))
    val = Split(x[-n_val:], data["y"][-n_val:].astype(np.int64))
    test = Split(data["x_test"].astype(np.float32)[:, :, None], data["y_test"].astype(np.int64))
    return TaskData("mnist1d", _limit(train, max_samples), val, test, 1, 10, 40, "dense")


def randman_times(n_classes: int, dim: int, n_channels: int, samples_per_class: int,
                  time_steps: int, seed: int, smoothness: float = 2.0, n_modes: int = 4) -> tuple[np.ndarray, np.ndarray]:
    """Random-manifold spike timing ("randman" style): each class is a smooth random map from
    ``[0, 1]^dim`` to one spike time per channel; samples are uniform points on the manifold.

    Each channel's time is a product over dimensions of random Fourier series whose mode amplitudes
    fall as ``1 / k^smoothness``, rescaled to [0, 1]. Higher ``dim`` and more classes are harder.
    """
    for name, value in (("n_classes", n_classes), ("dim", dim), ("n_channels", n_channels),
                        ("samples_per_class", samples_per_class), ("time_steps", time_steps)):
        if not isinstance(value, (int, np.integer)) or value < 1:
            raise ValueError(f"{name} must be a positive integer, got {value!r}")
    rng = np.random.default_rng(seed)
    k = np.arange(1, n_modes + 1)
    times, labels = [], []
    for label in range(n_classes):
        amp = rng.uniform(size=(n_channels, dim, n_modes)) / k**smoothness
        freq = rng.uniform(size=(n_channels, dim, n_modes)) * k
        phase = rng.uniform(size=(n_channels, dim, n_modes))
        points = rng.uniform(size=(samples_per_class, dim))
        # (samples, channels, dim, modes) -> product over dims of the per-dim series
        waves = amp * np.sin(2 * np.pi * (freq * points[:, None, :, None] + phase))
        value = np.prod(waves.sum(-1), axis=-1)
        times.append(value)
        labels.append(np.full(samples_per_class, label))
    values = np.concatenate(times)
    lo, hi = values.min(0), values.max(0)  # per channel over all classes: keeps classes comparable
    unit = (values - lo) / np.where(hi > lo, hi - lo, 1.0)
    steps = np.rint(unit * (time_steps - 1)).astype(np.int16)
    return steps, np.concatenate(labels).astype(np.int64)


def load_randman(time_steps: int | None = None, max_samples: int | None = None, n_classes: int = 10,
                 dim: int = 2, n_channels: int = 40, samples_per_class: int = 150, data_seed: int = 0,
                 **_) -> TaskData:
    """The random-manifold task with fixed data seed, split 60/20/20."""
    time_steps = time_steps or 30
    times, labels = randman_times(n_classes, dim, n_channels, samples_per_class, time_steps, data_seed)
    train, val, test = _three_way(times, labels)
    return TaskData("randman", _limit(train, max_samples), val, test, n_channels, n_classes, time_steps, "latency")


def load_randman700(time_steps: int | None = None, max_samples: int | None = None, **_) -> TaskData:
    """The random-manifold task at SHD's input size (700 channels, 20 classes, T 100 by default): the
    offline stand-in for SHD at long horizons (T up to 1000)."""
    task = load_randman(time_steps or 100, max_samples, n_classes=20, dim=2, n_channels=700, samples_per_class=60)
    return dataclasses.replace(task, name="randman700")


#: the memory task's layout: cue and go windows (steps), channels per group, spike rates
MEMORY_CUE_STEPS, MEMORY_GO_STEPS, MEMORY_GROUP = 10, 10, 10
MEMORY_SIGNAL_RATE, MEMORY_BACKGROUND_RATE = 0.5, 0.02
MEMORY_SAMPLES = (1000, 250, 250)


def memory_inputs(labels: np.ndarray, delay: int, n_classes: int, rng: np.random.Generator) -> np.ndarray:
    """Delayed-cue spike trains ``(N, T, channels)`` (bool), ``T = cue + delay + go`` steps.

    Channels: one group of :data:`MEMORY_GROUP` per class (the cue), one group for the go signal, one
    group of background-only channels. Every channel carries background spikes at
    :data:`MEMORY_BACKGROUND_RATE` throughout; the labelled class's group fires at
    :data:`MEMORY_SIGNAL_RATE` during the first :data:`MEMORY_CUE_STEPS` steps and the go group during the
    last :data:`MEMORY_GO_STEPS`. Only the cue depends on the label.
    """
    T, channels = MEMORY_CUE_STEPS + delay + MEMORY_GO_STEPS, (n_classes + 2) * MEMORY_GROUP
    x = rng.random((len(labels), T, channels)) < MEMORY_BACKGROUND_RATE
    cue = rng.random((len(labels), MEMORY_CUE_STEPS, MEMORY_GROUP)) < MEMORY_SIGNAL_RATE
    for k in range(n_classes):
        rows = labels == k
        x[rows, :MEMORY_CUE_STEPS, k * MEMORY_GROUP:(k + 1) * MEMORY_GROUP] |= cue[rows]
    go = slice(n_classes * MEMORY_GROUP, (n_classes + 1) * MEMORY_GROUP)
    x[:, T - MEMORY_GO_STEPS:, go] |= rng.random((len(labels), MEMORY_GO_STEPS, MEMORY_GROUP)) < MEMORY_SIGNAL_RATE
    return x


def load_memory(time_steps: int | None = None, max_samples: int | None = None, delay: int | None = None,
                n_classes: int = 2, data_seed: int = 0, **_) -> TaskData:
    """Delayed cue (Bellec et al. 2020 style): a class cue, ``delay`` steps of background spikes, a go
    signal; the answer is read from the logits of the go window alone, so the network must carry the
    cue across the delay. Splits of 1000/250/250 sequences, generated from a fixed seed."""
    delay = 100 if delay is None else delay
    if not isinstance(delay, (int, np.integer)) or delay < 0:
        raise ValueError(f"delay must be an integer >= 0, got {delay!r}")
    T = MEMORY_CUE_STEPS + delay + MEMORY_GO_STEPS
    if time_steps not in (None, T):
        raise ValueError(f"time_steps for task='memory' is cue + delay + go = {T} (set --delay), got {time_steps}")
    rng = np.random.default_rng([SPLIT_SEED, data_seed, delay])
    splits = []
    for n in MEMORY_SAMPLES:
        labels = rng.integers(0, n_classes, n).astype(np.int64)
        splits.append(Split(memory_inputs(labels, delay, n_classes, rng), labels))
    return TaskData("memory", _limit(splits[0], max_samples), splits[1], splits[2], (n_classes + 2) * MEMORY_GROUP,
                    n_classes, T, "dense", readout_steps=MEMORY_GO_STEPS)


# ---------------------------------------------------------------- user-path tasks

def _need_file(path: Path, what: str) -> Path:
    if not path.is_file():
        raise FileNotFoundError(f"{path}: not found; expected {what}")
    return path


def _read_shd(path: Path, time_steps: int, max_time: float) -> Split:
    try:
        import h5py
    except ImportError as exc:
        raise ValueError("task='shd' needs h5py: pip install 'lifstab[experiments]'") from exc
    expected = "an SHD file with datasets spikes/times, spikes/units and labels"
    try:
        with h5py.File(path, "r") as f:
            times, units, labels = f["spikes"]["times"][:], f["spikes"]["units"][:], f["labels"][:]
    except (OSError, KeyError) as exc:
        raise ValueError(f"{path}: malformed ({exc}); expected {expected}") from exc
    if not (len(times) == len(units) == len(labels)):
        raise ValueError(f"{path}: spikes/times, spikes/units and labels differ in length; expected {expected}")
    dense = np.zeros((len(labels), time_steps, 700), dtype=bool)
    for i, (t, u) in enumerate(zip(times, units)):
        step = np.minimum((np.asarray(t) / max_time * time_steps).astype(np.int64), time_steps - 1)
        dense[i, step, np.asarray(u, dtype=np.int64)] = True
    return Split(dense, np.asarray(labels, dtype=np.int64))


def load_shd(data_path: str | None = None, time_steps: int | None = None, max_samples: int | None = None,
             max_time: float = 1.4, **_) -> TaskData:
    """Spiking Heidelberg Digits from ``data_path`` (a folder with shd_train.h5 and shd_test.h5),
    700 channels binned into ``time_steps`` over ``max_time`` seconds; 10% of train held out."""
    folder = _data_folder(data_path, "shd")
    time_steps = time_steps or 100
    train = _read_shd(_need_file(folder / "shd_train.h5", "the SHD training file shd_train.h5"), time_steps, max_time)
    test = _read_shd(_need_file(folder / "shd_test.h5", "the SHD test file shd_test.h5"), time_steps, max_time)
    fit, held, _unused = _split_indices(len(train.labels), (0.9, 0.1))
    n_out = int(max(train.labels.max(), test.labels.max())) + 1
    return TaskData("shd", _limit(Split(train.inputs[fit], train.labels[fit]), max_samples),
                    Split(train.inputs[held], train.labels[held]), test, 700, n_out, time_steps, "dense")


def load_slmnist(data_path: str | None = None, time_steps: int | None = None, max_samples: int | None = None,
                 **_) -> TaskData:
    """sl-MNIST from ``data_path``: an ``mnist.npz`` (keys x_train, y_train, x_test, y_test; uint8
    images) or a folder holding one; latency coded over 784 channels; the last 10000 training
    images are the validation set."""
    path = Path(data_path) if data_path else _data_folder(None, "slmnist")
    path = path / "mnist.npz" if path.is_dir() else path
    _need_file(path, "mnist.npz with arrays x_train, y_train, x_test, y_test")
    try:
        with np.load(path) as f:
            arrays = {k: f[k] for k in ("x_train", "y_train", "x_test", "y_test")}
    except (KeyError, ValueError, OSError) as exc:
        raise ValueError(f"{path}: malformed ({exc}); expected arrays x_train, y_train, x_test, y_test") from exc
    time_steps = time_steps or 100
    flat = {k: arrays[k].reshape(len(arrays[k]), -1) for k in ("x_train", "x_test")}
    if flat["x_train"].shape[1] != 784 or flat["x_test"].shape[1] != 784:
        raise ValueError(f"{path}: images must be 28x28 (784 pixels), got {arrays['x_train'].shape[1:]}")
    train_t = latency_times(flat["x_train"] / 255.0, time_steps)
    test_t = latency_times(flat["x_test"] / 255.0, time_steps)
    n_val = min(10000, len(train_t) // 6)
    y_train = arrays["y_train"].astype(np.int64)
    return TaskData("slmnist", _limit(Split(train_t[:-n_val], y_train[:-n_val]), max_samples),
                    Split(train_t[-n_val:], y_train[-n_val:]),
                    Split(test_t, arrays["y_test"].astype(np.int64)), 784, 10, time_steps, "latency")


PTB_FILES = ("ptb.train.txt", "ptb.valid.txt", "ptb.test.txt")


def load_ptb(data_path: str | None = None, time_steps: int | None = None, max_samples: int | None = None,
             **_) -> TaskData:
    """Word-level Penn Treebank from ``data_path`` (a folder with ptb.train.txt, ptb.valid.txt,
    ptb.test.txt): vocabulary from the training file (plus ``<eos>`` per line, ``<unk>`` for unseen
    words), cut into windows of ``time_steps`` words; labels are the next words."""
    folder = _data_folder(data_path, "ptb")
    time_steps = time_steps or 35
    texts = [_need_file(folder / name, f"the word-level PTB file {name}").read_text().split("\n")
             for name in PTB_FILES]
    words = [[w for line in text for w in line.split() + ["<eos>"] if line.strip()] for text in texts]
    if not words[0]:
        raise ValueError(f"{folder / PTB_FILES[0]}: empty; expected whitespace-separated words")
    vocab = {w: i for i, w in enumerate(sorted(set(words[0]) | {"<unk>"}))}
    splits = []
    for seq in words:
        ids = np.array([vocab.get(w, vocab["<unk>"]) for w in seq], dtype=np.int64)
        n = (len(ids) - 1) // time_steps
        if n < 1:
            raise ValueError(f"{folder}: a PTB file has fewer than time_steps + 1 = {time_steps + 1} words")
        splits.append(Split(ids[: n * time_steps].reshape(n, time_steps),
                            ids[1: n * time_steps + 1].reshape(n, time_steps)))
    return TaskData("ptb", _limit(splits[0], max_samples), splits[1], splits[2], len(vocab), len(vocab),
                    time_steps, "tokens")


def _data_folder(data_path: str | None, task: str) -> Path:
    if not data_path:
        raise ValueError(f"task={task!r} reads local files: give data_path (--data PATH); nothing is downloaded")
    path = Path(data_path).expanduser()
    if not path.exists():
        raise FileNotFoundError(f"{path}: not found; expected the folder holding the {task} files")
    return path


#: task name -> loader(time_steps=None, max_samples=None, data_path=None, ...)
LOADERS: dict[str, Callable[..., TaskData]] = {
    "digits": load_digits,
    "mnist1d": load_mnist1d,
    "randman": load_randman,
    "randman700": load_randman700,
    "memory": load_memory,
    "shd": load_shd,
    "slmnist": load_slmnist,
    "ptb": load_ptb,
}


@lru_cache(maxsize=8)
def load_task(name: str, time_steps: int | None = None, max_samples: int | None = None,
              data_path: str | None = None, delay: int | None = None) -> TaskData:
    """Load (and cache per process) a task by name (``delay``: the memory task's only)."""
    if name not in LOADERS:
        raise ValueError(f"task={name!r} is unknown; choose one of {sorted(LOADERS)}")
    if max_samples is not None and max_samples < 1:
        raise ValueError(f"max_samples must be >= 1, got {max_samples}")
    if delay is not None and name != "memory":
        raise ValueError(f"delay is the memory task's setting; task={name!r} takes none")
    extra = {} if delay is None else {"delay": delay}
    return LOADERS[name](time_steps=time_steps, max_samples=max_samples, data_path=data_path, **extra)
