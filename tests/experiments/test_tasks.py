"""Loaders: shapes, fixed splits, determinism, offline generation, clear errors on missing or malformed files."""

import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from lifstab_experiments.training import tasks


def _check_splits(task, n_in, n_out):
    for split in (task.train, task.val, task.test):
        index = np.arange(min(5, len(split.labels)))
        x, y = task.batch(split, index)
        assert x.shape == (task.time_steps, len(index), n_in) and x.dtype == torch.float32
        assert y.shape == (len(index),) and y.dtype == torch.long
        assert int(y.min()) >= 0 and int(y.max()) < n_out
    assert (task.n_in, task.n_out) == (n_in, n_out)


def test_digits_shapes_fixed_split_and_determinism():
    a, b = tasks.load_digits(), tasks.load_digits()
    _check_splits(a, 64, 10)
    assert len(a.train.labels) + len(a.val.labels) + len(a.test.labels) == 1797
    for sa, sb in zip((a.train, a.val, a.test), (b.train, b.val, b.test)):
        np.testing.assert_array_equal(sa.inputs, sb.inputs)
        np.testing.assert_array_equal(sa.labels, sb.labels)
    x, _ = a.batch(a.train, np.arange(32))
    assert float(x.sum(0).max()) <= 1.0  # each pixel spikes at most once


def test_digits_max_samples_caps_only_the_training_set():
    full, capped = tasks.load_digits(), tasks.load_digits(max_samples=50)
    assert len(capped.train.labels) == 50
    np.testing.assert_array_equal(full.test.labels, capped.test.labels)


@given(arrays(np.float64, st.integers(1, 30), elements=st.floats(0, 1)), st.integers(2, 50))
def test_latency_code_brighter_spikes_earlier_and_zero_never(intensity, time_steps):
    times = tasks.latency_times(intensity, time_steps)
    assert np.all((times == -1) == (intensity == 0))
    on = intensity > 0
    order = np.argsort(intensity[on], kind="stable")
    assert np.all(np.diff(times[on][order].astype(int)) <= 0)
    spikes = tasks.latency_to_spikes(times[None, :], time_steps)
    np.testing.assert_array_equal(spikes.sum(0)[0].numpy(), on.astype(np.float32))


def test_randman_is_seeded_and_has_balanced_classes():
    a = tasks.randman_times(4, 2, 20, 30, 25, seed=3)
    b = tasks.randman_times(4, 2, 20, 30, 25, seed=3)
    c = tasks.randman_times(4, 2, 20, 30, 25, seed=4)
    np.testing.assert_array_equal(a[0], b[0])
    assert not np.array_equal(a[0], c[0])
    assert a[0].shape == (120, 20) and a[0].min() >= 0 and a[0].max() <= 24
    assert np.bincount(a[1]).tolist() == [30] * 4
    _check_splits(tasks.load_randman(), 40, 10)


def test_randman_rejects_bad_sizes():
    with pytest.raises(ValueError, match="dim"):
        tasks.randman_times(2, 0, 10, 10, 10, seed=0)


def test_mnist1d_is_generated_locally_and_leaves_numpy_state(monkeypatch):
    pytest.importorskip("mnist1d")
    import requests

    def no_network(*args, **kwargs):
        raise AssertionError("mnist1d tried to download")

    monkeypatch.setattr(requests, "get", no_network)
    before = np.random.get_state()[1].copy()
    a, b = tasks.load_mnist1d(max_samples=200), tasks.load_mnist1d(max_samples=200)
    np.testing.assert_array_equal(np.random.get_state()[1], before)
    _check_splits(a, 1, 10)
    assert a.time_steps == 40 and len(a.train.labels) == 200
    np.testing.assert_array_equal(a.train.inputs, b.train.inputs)


def _write_shd(path, n, seed=0, drop=None):
    h5py = pytest.importorskip("h5py")
    rng = np.random.default_rng(seed)
    with h5py.File(path, "w") as f:
        vt, vu = h5py.vlen_dtype(np.float32), h5py.vlen_dtype(np.uint16)
        times = f.create_dataset("spikes/times", (n,), dtype=vt)
        units = f.create_dataset("spikes/units", (n,), dtype=vu)
        for i in range(n):
            k = rng.integers(5, 40)
            times[i] = np.sort(rng.uniform(0, 1.4, k)).astype(np.float32)
            units[i] = rng.integers(0, 700, k).astype(np.uint16)
        if drop != "labels":
            f.create_dataset("labels", data=rng.integers(0, 20, n).astype(np.uint16))


def test_shd_from_local_files(tmp_path):
    _write_shd(tmp_path / "shd_train.h5", 30)
    _write_shd(tmp_path / "shd_test.h5", 10, seed=1)
    task = tasks.load_shd(str(tmp_path), time_steps=50)
    _check_splits(task, 700, task.n_out)
    assert len(task.train.labels) + len(task.val.labels) == 30 and len(task.test.labels) == 10
    # the first test sample's events land in the right bins and channels
    import h5py

    with h5py.File(tmp_path / "shd_test.h5") as f:
        t, u = f["spikes/times"][0], f["spikes/units"][0]
    x, _ = task.batch(task.test, np.array([0]))
    expected = np.zeros((50, 700), bool)
    expected[np.minimum((t / 1.4 * 50).astype(int), 49), u.astype(int)] = True
    np.testing.assert_array_equal(x[:, 0].numpy().astype(bool), expected)


def test_shd_missing_and_malformed_files_name_the_path(tmp_path):
    with pytest.raises(FileNotFoundError, match="nowhere"):
        tasks.load_shd(str(tmp_path / "nowhere"))
    _write_shd(tmp_path / "shd_train.h5", 5)
    with pytest.raises(FileNotFoundError, match="shd_test.h5"):
        tasks.load_shd(str(tmp_path))
    _write_shd(tmp_path / "shd_test.h5", 5, drop="labels")
    with pytest.raises(ValueError, match="shd_test.h5.*malformed"):
        tasks.load_shd(str(tmp_path))
    with pytest.raises(ValueError, match="data_path"):
        tasks.load_shd(None)


def test_slmnist_from_local_npz(tmp_path):
    rng = np.random.default_rng(0)
    images = {k: rng.integers(0, 256, (n, 28, 28)).astype(np.uint8) for k, n in (("x_train", 60), ("x_test", 12))}
    np.savez(tmp_path / "mnist.npz", y_train=rng.integers(0, 10, 60), y_test=rng.integers(0, 10, 12), **images)
    task = tasks.load_slmnist(str(tmp_path), time_steps=16)
    _check_splits(task, 784, 10)
    assert len(task.val.labels) == 10 and len(task.train.labels) == 50
    x, _ = task.batch(task.test, np.array([0]))
    brightest = images["x_test"][0].reshape(-1).argmax()
    assert x[0, 0, brightest] == 1  # the brightest pixel spikes at step 0 (when it is 255)
    np.savez(tmp_path / "bad.npz", x_train=images["x_train"])
    with pytest.raises(ValueError, match="bad.npz"):
        tasks.load_slmnist(str(tmp_path / "bad.npz"))
    with pytest.raises(FileNotFoundError, match="missing.npz"):
        tasks.load_slmnist(str(tmp_path / "missing.npz"))


def test_ptb_words_and_next_word_labels(tmp_path):
    text = "the cat sat on the mat\nthe dog sat\n"
    for name in tasks.PTB_FILES:
        (tmp_path / name).write_text(text * 5 + ("an unseen word\n" if "test" in name else ""))
    task = tasks.load_ptb(str(tmp_path), time_steps=4)
    x, y = task.batch(task.train, np.arange(3))
    assert x.shape == (4, 3) and y.shape == (4, 3) and x.dtype == torch.long
    np.testing.assert_array_equal(x[1:].numpy(), y[:-1].numpy())  # labels are the next word
    assert task.is_language and task.n_in == task.n_out == 8  # 6 words, <eos>, <unk>
    (tmp_path / "ptb.valid.txt").unlink()
    with pytest.raises(FileNotFoundError, match="ptb.valid.txt"):
        tasks.load_ptb(str(tmp_path))


def test_unknown_task_is_refused():
    with pytest.raises(ValueError, match="task='imagenet'"):
        tasks.load_task("imagenet")
