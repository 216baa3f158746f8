"""The compiled kernels (lifstab/native/): the same numbers as torch's products and as the reference loop
in float64, with every native route forced (input projection, fused forward loop, per-step recurrent
product, recurrent weight gradient) for every layer kind, reset, detach setting and SG family; the
fallbacks (a dense step in the middle of a sequence, kernels unavailable, a compiler that fails)."""

import os
import shutil
import stat
import subprocess
import sys
import warnings

import pytest
import torch

import lifstab.lif_sequence as lif_sequence_module
from lifstab import FAMILIES, RESETS, native, sparse_projection
from lifstab.lif import LIFState
from lifstab.sparse_projection import input_projection

from test_fast_lif import LAYERS, N, N_IN, B, T, assert_same, inputs, make_layer, run

# only the tests that run the kernels need a compiler: the fallbacks are tested everywhere
needs_kernels = pytest.mark.skipif(native.kernels() is None, reason="no C compiler: the native kernels are optional")


@pytest.fixture
def native_calls(monkeypatch):
    """Forces every native route (density limits 1) and counts the calls of each."""
    monkeypatch.setitem(sparse_projection.NATIVE_MAX_DENSITY, torch.float64, 1.0)
    monkeypatch.setitem(lif_sequence_module.FUSED_MAX_DENSITY, torch.float64, 1.0)
    monkeypatch.setitem(lif_sequence_module.STEP_MAX_DENSITY, torch.float64, 1.0)
    monkeypatch.setitem(lif_sequence_module.GRAD_MAX_DENSITY, torch.float64, 1.0)
    calls = {"projection": 0, "forward": [], "step": 0, "grad": 0, "backward": 0}

    def counting(name, function):
        def wrapper(*args, **kwargs):
            result = function(*args, **kwargs)
            if isinstance(calls[name], list):
                calls[name].append(result)
            else:
                calls[name] += 1
            return result
        return wrapper

    monkeypatch.setattr(native, "sparse_rows_times_matrix", counting("projection", native.sparse_rows_times_matrix))
    monkeypatch.setattr(native, "lif_forward", counting("forward", native.lif_forward))
    monkeypatch.setattr(native, "transposed_times", counting("grad", native.transposed_times))
    step_product = native.step_product

    def counting_step_product(*args):
        product = step_product(*args)

        def counted(*step_args):
            calls["step"] += 1
            return product(*step_args)
        return counted

    monkeypatch.setattr(native, "step_product", counting_step_product)
    backward_step = native.backward_step

    def counting_backward_step(*args):
        step = backward_step(*args)

        def counted(*step_args):
            calls["backward"] += 1
            return step(*step_args)
        return counted

    monkeypatch.setattr(native, "backward_step", counting_backward_step)
    return calls


def spikes(rate, shape, seed=0, dtype=torch.float64):
    gen = torch.Generator().manual_seed(seed)
    return (torch.rand(*shape, generator=gen) < rate).to(dtype)


@needs_kernels
@pytest.mark.parametrize("dtype", [torch.float64, torch.float32])
@pytest.mark.parametrize("binary", [True, False])
@pytest.mark.parametrize("with_bias", [True, False])
def test_native_projection_equals_dense(native_calls, dtype, binary, with_bias):
    gen = torch.Generator().manual_seed(1)
    x = spikes(0.2, (7, 6, 33), dtype=dtype)
    if not binary:  # graded values: the kernels multiply by them
        x = x * torch.randn(x.shape, generator=gen, dtype=dtype)
    results = []
    for route in ("dense", "native"):
        x_, w_in = x.clone().requires_grad_(True), torch.randn(33, 9, generator=torch.Generator().manual_seed(2),
                                                                dtype=dtype, requires_grad=True)
        bias = torch.linspace(-1, 1, 9, dtype=dtype, requires_grad=True) if with_bias else None
        out = input_projection(x_, w_in, bias, route=route)
        leaves = [x_, w_in] + ([bias] if with_bias else [])
        grads = torch.autograd.grad((out * torch.cos(torch.arange(out.numel(), dtype=dtype)).view_as(out)).sum(), leaves)
        results.append((out.detach(), grads))
    assert native_calls["projection"] == 1
    tol = dict(rtol=1e-12, atol=1e-12) if dtype == torch.float64 else dict(rtol=1e-5, atol=1e-5)
    torch.testing.assert_close(results[1][0], results[0][0], **tol)
    for got, want in zip(results[1][1], results[0][1]):
        torch.testing.assert_close(got, want, **tol)


@needs_kernels
def test_row_blocks_on_two_threads_and_a_capacity_rescan(monkeypatch):
    """Row blocks run on threads and sum their weight gradients; an underestimated density makes the
    compressed-row arrays too small, and the block is scanned again."""
    monkeypatch.setattr(native.threads, "PARALLEL_MIN_ENTRIES", 0)
    threads = torch.get_num_threads()
    torch.set_num_threads(2)
    try:
        x = spikes(0.6, (300, 50))
        assert len(native._row_blocks(300, 50)) == 2
        rows = native.sparse_rows(x, density=0.0)  # room for 4096 entries per block; each block has ~4500
        assert sum(len(block.index) for block in rows) == int(x.count_nonzero())
        w, g = torch.randn(50, 7, dtype=torch.float64), torch.randn(300, 7, dtype=torch.float64)
        torch.testing.assert_close(native.sparse_rows_times_matrix(rows, w), x @ w, rtol=1e-12, atol=1e-12)
        torch.testing.assert_close(native.sparse_rows_transposed_times(rows, g, 50), x.T @ g, rtol=1e-12, atol=1e-12)
        torch.testing.assert_close(native.transposed_times(x, g), x.T @ g, rtol=1e-12, atol=1e-12)
    finally:
        torch.set_num_threads(threads)


@needs_kernels
@pytest.mark.parametrize("kind", LAYERS)
@pytest.mark.parametrize("family", FAMILIES)
@pytest.mark.parametrize("detach", [True, False])
@pytest.mark.parametrize("reset", RESETS)
def test_fast_layer_with_every_native_route_matches_reference(native_calls, kind, reset, detach, family):
    x = spikes(0.3, (T, B, N_IN)) * 2.5  # spike inputs strong enough to drive spikes
    _, weights = inputs()
    reference = run(make_layer(kind, "reference", reset, detach, family), x, weights)
    assert native_calls == {"projection": 0, "forward": [], "step": 0, "grad": 0, "backward": 0}  # all torch
    fast = run(make_layer(kind, "fast", reset, detach, family), x, weights)
    assert 0 < reference[0].mean() < 1, "the test needs some spikes and some silence"
    assert native_calls["projection"] == 1
    recurrent = kind != "feedforward"
    if kind == "alif":  # the adaptive threshold stays in the Python loops, with the native step product
        assert native_calls["forward"] == [] and native_calls["step"] == T and native_calls["backward"] == 0
    else:
        assert native_calls["forward"] == [T] and native_calls["step"] == 0 and native_calls["backward"] == T
    assert native_calls["grad"] == recurrent
    assert_same(reference, fast)


@needs_kernels
@pytest.mark.parametrize("kind", ["recurrent", "feedforward"])
def test_fused_forward_from_a_given_state_matches_reference(native_calls, kind):
    x, weights = inputs(1)
    gen = torch.Generator().manual_seed(2)
    fields = {"v": torch.rand(B, N, generator=gen, dtype=torch.float64),
              "z": (torch.rand(B, N, generator=gen) < 0.5).double()}
    results = []
    for implementation in ("reference", "fast"):
        state = LIFState(**{k: v.clone().requires_grad_(True) for k, v in fields.items()})
        layer = make_layer(kind, implementation, "subtractive", False, "exponential", trainable=False)
        results.append(run(layer, x, weights, state=state, use_voltages=False))
    assert native_calls["forward"] == [T] and native_calls["backward"] == T
    assert "state.z" in results[0][2]
    assert_same(*results)


@needs_kernels
def test_dense_steps_leave_the_fused_loop_for_the_python_loop(monkeypatch, native_calls):
    """Below the step density limit the fused loop runs; at the first step whose previous spikes are denser,
    it returns and the Python loop (with addmm) finishes the sequence: same numbers."""
    x = spikes(0.3, (T, B, N_IN)) * 2.5
    _, weights = inputs()
    reference = run(make_layer("recurrent", "reference", "subtractive", True, "sigmoid"), x, weights)
    densities = reference[0].flatten(1).mean(1)
    limit = float(densities[:-1].max()) - 1e-9  # the densest step but the last exceeds it
    first_dense = int((densities > limit).nonzero()[0]) + 1  # the step that reads those spikes
    monkeypatch.setitem(lif_sequence_module.FUSED_MAX_DENSITY, torch.float64, limit)
    fast = run(make_layer("recurrent", "fast", "subtractive", True, "sigmoid"), x, weights)
    assert 0 < first_dense < T and native_calls["forward"] == [first_dense]
    assert native_calls["step"] == T - first_dense  # the Python loop's steps (native product: limit 1)
    assert_same(reference, fast)


def test_switched_off_or_unavailable_kernels_fall_back_to_torch(monkeypatch, native_calls):
    x = spikes(0.3, (T, B, N_IN)) * 2.5
    _, weights = inputs()
    reference = run(make_layer("recurrent", "reference", "subtractive", True, "sigmoid"), x, weights)
    monkeypatch.setattr(native.build, "kernels", lambda: None)
    assert not native.available(x)
    fast = run(make_layer("recurrent", "fast", "subtractive", True, "sigmoid"), x, weights)
    assert native_calls == {"projection": 0, "forward": [], "step": 0, "grad": 0, "backward": 0}
    assert_same(reference, fast)
    with pytest.raises(ValueError, match="route='native' needs the compiled kernels"):
        input_projection(x, torch.zeros(N_IN, 3, dtype=torch.float64), None, route="native")


def test_a_failing_compiler_warns_once_and_returns_none(monkeypatch, tmp_path):
    monkeypatch.setenv("LIFSTAB_CACHE_DIR", str(tmp_path))
    monkeypatch.setenv("CC", "false")  # exits 1 without compiling
    native.kernels.cache_clear()
    try:
        with pytest.warns(RuntimeWarning, match="compiled sparse kernels are unavailable"):
            assert native.kernels() is None
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            assert native.kernels() is None  # cached: no second warning
        assert not list(tmp_path.glob("*.so"))
    finally:
        native.kernels.cache_clear()


def test_switch_off_by_environment():
    code = "from lifstab import native; print(native.kernels())"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120,
                          env={**__import__("os").environ, "LIFSTAB_NATIVE": "0"})
    assert done.returncode == 0 and done.stdout.strip() == "None"


@needs_kernels
def test_compiled_file_is_cached_by_source_and_cpu(monkeypatch, tmp_path):
    monkeypatch.setenv("LIFSTAB_CACHE_DIR", str(tmp_path))
    native.kernels.cache_clear()
    try:
        assert native.kernels() is not None
        first = sorted(tmp_path.glob("lifstab_kernels_*.so"))
        assert len(first) == 1
        native.kernels.cache_clear()
        assert native.kernels() is not None
        assert sorted(tmp_path.glob("lifstab_kernels_*.so")) == first  # reused, not compiled again
        monkeypatch.setattr(native.source, "SOURCE", native.SOURCE + "\n/* changed */\n")
        native.kernels.cache_clear()
        assert native.kernels() is not None
        assert len(list(tmp_path.glob("lifstab_kernels_*.so"))) == 2
    finally:
        native.kernels.cache_clear()


@needs_kernels
@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
@pytest.mark.parametrize("inner", [1, 7, 15, 16, 17, 33, 64])
def test_row_scan_finds_every_nonzero_in_order(dtype, inner):
    """Vector blocks (16 floats with AVX-512 compression, 8 or 4 with AVX2) and the scalar tail: NaN counts
    as an entry (it does in a dense product), zeros (-0.0 too) do not; capacities near full."""
    x = spikes(0.3, (9, inner), seed=inner, dtype=dtype) * torch.randn(9, inner, dtype=dtype)
    x[0, -1], x[1, 0] = float("nan"), -0.0
    expected = (x != 0) | torch.isnan(x)
    nnz = int(expected.sum())
    for capacity in (nnz, nnz + 16, 9 * inner + 16):
        rows = native._sparse_block(x, 0, 9, capacity)
        starts = torch.cat([torch.zeros(1, dtype=torch.int64), expected.sum(1).cumsum(0)])
        assert torch.equal(rows.row_start, starts)
        assert torch.equal(rows.index.long(), expected.nonzero()[:, 1])
        torch.testing.assert_close(rows.value, x[expected], equal_nan=True, rtol=0, atol=0)


def _cpu_has(flag: str) -> bool:
    try:
        with open("/proc/cpuinfo") as f:
            return flag in f.read().split()
    except OSError:
        return False


@needs_kernels
@pytest.mark.parametrize("isa", ["baseline", "avx2"])
def test_other_instruction_sets_give_the_same_numbers(monkeypatch, tmp_path, native_calls, isa):
    """The kernels built without AVX-512 (the AVX2 scan) and without any vector extension (the scalar
    scan) find the same nonzeros and give the same layer as the reference loop."""
    if isa == "avx2" and not _cpu_has("avx2"):
        pytest.skip("this CPU has no AVX2")
    flags = {"baseline": (), "avx2": ("-mavx2", "-mfma")}[isa]
    monkeypatch.setattr(native.build, "FLAGS", ("-O3", *flags, "-std=c99", "-ffp-contract=off", "-shared", "-fPIC"))
    monkeypatch.setenv("LIFSTAB_CACHE_DIR", str(tmp_path))
    native.kernels.cache_clear()
    try:
        assert native.kernels() is not None
        test_row_scan_finds_every_nonzero_in_order(torch.float32, 37)
        test_row_scan_finds_every_nonzero_in_order(torch.float64, 37)
        x = spikes(0.3, (T, B, N_IN)) * 2.5
        _, weights = inputs()
        reference = run(make_layer("recurrent", "reference", "subtractive", False, "sigmoid"), x, weights)
        fast = run(make_layer("recurrent", "fast", "subtractive", False, "sigmoid"), x, weights)
        assert native_calls["forward"] == [T] and native_calls["projection"] == 1
        assert_same(reference, fast)
    finally:
        native.kernels.cache_clear()


@pytest.fixture
def fresh_kernels(monkeypatch, tmp_path):
    """A kernel cache in a fresh directory, and ``kernels()`` asked again (and forgotten afterwards)."""
    cache = tmp_path / "cache"
    monkeypatch.setenv("LIFSTAB_CACHE_DIR", str(cache))
    native.kernels.cache_clear()
    yield cache
    native.kernels.cache_clear()


def test_a_missing_cache_directory_is_created_private(fresh_kernels):
    assert native.private_cache_dir() == fresh_kernels
    assert stat.S_IMODE(fresh_kernels.stat().st_mode) == 0o700


@pytest.mark.parametrize("mode", [0o770, 0o707, 0o722])
def test_a_cache_directory_others_can_write_is_refused_with_one_warning(fresh_kernels, mode):
    fresh_kernels.mkdir()
    fresh_kernels.chmod(mode)
    with pytest.raises(OSError, match="writable by group or others"):
        native.private_cache_dir()
    with pytest.warns(RuntimeWarning, match="writable by group or others") as caught:
        assert native.kernels() is None
    assert len(caught) == 1
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert native.kernels() is None  # remembered: no second warning
    assert not list(fresh_kernels.iterdir())


def test_a_cache_directory_of_another_user_is_refused(fresh_kernels, monkeypatch):
    fresh_kernels.mkdir(mode=0o700)
    monkeypatch.setattr(os, "getuid", lambda: fresh_kernels.stat().st_uid + 1)
    with pytest.raises(OSError, match="not by this user"):
        native.private_cache_dir()


@needs_kernels
def test_a_compiled_library_others_can_write_is_not_loaded(fresh_kernels):
    assert native.kernels() is not None
    (library,) = fresh_kernels.glob("lifstab_kernels_*.so")
    assert stat.S_IMODE(library.stat().st_mode) & 0o077 == 0
    library.chmod(0o766)
    native.kernels.cache_clear()
    with pytest.warns(RuntimeWarning, match="file .* writable by group or others"):
        assert native.kernels() is None


def test_the_cache_key_follows_the_compiler_version(monkeypatch):
    monkeypatch.setattr(native.build, "compiler_version", lambda command: "cc 12.2")
    before = native.cache_key(["cc"])
    monkeypatch.setattr(native.build, "compiler_version", lambda command: "cc 13.1")
    assert native.cache_key(["cc"]) != before
    assert native.cache_key(["ccache", "cc"]) != native.cache_key(["cc"])


@pytest.mark.parametrize("value, command", [("ccache gcc", ["ccache", "gcc"]),
                                            ("'/opt/my tools/cc' -O2", ["/opt/my tools/cc", "-O2"])])
def test_a_compiler_with_arguments_is_split_as_a_shell_would(monkeypatch, value, command):
    monkeypatch.setenv("CC", value)
    assert native.compiler_command() == command


@needs_kernels
def test_kernels_compile_with_a_compiler_given_with_arguments(fresh_kernels, monkeypatch, tmp_path):
    """``CC`` with arguments (as ``ccache gcc``), the compiler's path holding a space."""
    compiler = tmp_path / "my tools" / "cc"
    compiler.parent.mkdir()
    compiler.symlink_to(native.compiler_command()[0] if not os.environ.get("CC") else shutil.which("cc"))
    monkeypatch.setenv("CC", f"'{compiler}' -DLIFSTAB_CC_ARGUMENT=1")
    assert native.kernels() is not None
    assert len(list(fresh_kernels.glob("lifstab_kernels_*.so"))) == 1


def test_a_replaced_worker_pool_is_shut_down():
    with native.threads._POOL_LOCK:
        old = native._pool(2)
        assert native._pool(2) is old
        new = native._pool(3)
    assert new is not old
    with pytest.raises(RuntimeError, match="shutdown"):
        old.submit(int)
    assert new.submit(int).result() == 0
