"""Forward + backward time and peak memory of one LIF layer: lifstab's fast path against its reference
loop, snntorch and spikingjelly, measured interleaved in one run.

    python benchmarks/lif_speed.py                      # B=64, n_in=700, n_rec=256, T=250 (SHD-sized)
    python benchmarks/lif_speed.py --repeats 9 --threads 2

Every implementation gets the same input spikes, the same weights (copied from the lifstab layer), the
same surrogate gradient (logistic derivative with peak 1: lifstab ``sigmoid`` dampening 1 sharpness 1 =
snntorch ``surrogate.sigmoid(slope=4)`` = spikingjelly ``surrogate.Sigmoid(alpha=4)``) and the same loss,
``spikes.sum()``; the input projection of every implementation is one ``(T*B, n_in) @ (n_in, n)`` product
(x itself needs no gradient). Time: median over ``--repeats`` rounds; each round runs every
implementation once, in a rotated order, after one untimed warm-up each. Peak memory: on CPU the peak
resident set size during one forward + backward minus the resident size before it (Linux: VmHWM after
resetting it through ``/proc/self/clear_refs``; elsewhere the growth of ``ru_maxrss``; glibc's
``MALLOC_MMAP_THRESHOLD_`` fixed at 128 KiB so that freed tensors leave the resident set), median over
``--memory-repeats`` fresh subprocesses per implementation, each after a tiny warm-up; on CUDA ``torch.cuda.max_memory_allocated``
above what was allocated before the call. The floor is the matrix products' arithmetic
(forward and backward) at the throughput of one ``(T*B, n_in) @ (n_in, n)`` product measured in the same
run; the per-step recurrent products are smaller and run below that throughput, so the floor is optimistic.
The sparse floor counts only the nonzero entries of the spike factors (the input's, and lifstab's spike
rate for ``z``) at that same throughput: the arithmetic a product that skips zeros still has to do (gathers
of rows run well below matmul throughput, so it is optimistic too).

Peers that are not installed are skipped with a message (``pip install 'lifstab[bench]'``).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import resource
import statistics
import subprocess
import sys
import time
from dataclasses import asdict, dataclass
from typing import Callable

import torch
from tqdm import tqdm

import lifstab


@dataclass(frozen=True)
class Size:
    batch: int = 64
    n_in: int = 700
    n_rec: int = 256
    steps: int = 250
    tau: float = 20.0
    threshold: float = 1.0
    input_rate: float = 0.05


def matmul_flops(size: Size, recurrent: bool) -> float:
    """Arithmetic of the matrix products of forward + backward (x needs no gradient): the input projection
    and its weight gradient; recurrent: per step z @ w_rec, its input gradient, and the w_rec gradient."""
    rows = size.steps * size.batch
    flops = 2 * (2 * rows * size.n_in * size.n_rec)
    if recurrent:
        flops += 3 * (2 * rows * size.n_rec * size.n_rec)
    return flops


def sparse_flops(size: Size, recurrent: bool, input_density: float, spike_rate: float) -> float:
    """The same products counting only the nonzero entries of the spike factors: the input projection
    and its weight gradient visit the input's nonzeros; recurrent: z @ w_rec and the w_rec gradient visit
    the spikes, while the input gradient dL/dI @ w_rec^T stays dense."""
    rows = size.steps * size.batch
    flops = 2 * (2 * rows * size.n_in * input_density * size.n_rec)
    if recurrent:
        flops += 2 * (2 * rows * size.n_rec * spike_rate * size.n_rec) + 2 * rows * size.n_rec * size.n_rec
    return flops


# ---- implementations: each builder returns (one forward + backward, spike rate of the last run) ----

def _inputs(size: Size, device: torch.device) -> torch.Tensor:
    gen = torch.Generator().manual_seed(0)
    x = torch.rand(size.steps, size.batch, size.n_in, generator=gen) < size.input_rate
    return x.float().to(device)


def _lifstab_layer(size: Size, recurrent: bool, device, implementation: str = "fast") -> lifstab.RecurrentLIF:
    return lifstab.RecurrentLIF(
        size.n_in, size.n_rec, tau=size.tau, threshold=size.threshold, reset="subtractive",
        detach_reset=True, surrogate=lifstab.Surrogate("sigmoid", dampening=1.0, sharpness=1.0),
        recurrent=recurrent, seed=0, device=device, implementation=implementation,
    )


def _runner(params: list[torch.Tensor], forward: Callable[[], torch.Tensor]):
    last = {}

    def run() -> None:
        for p in params:
            p.grad = None
        spikes = forward()
        spikes.sum().backward()
        last["rate"] = float(spikes.detach().mean())

    return run, last


def build_lifstab(implementation: str, recurrent: bool):
    def build(size: Size, device):
        layer = _lifstab_layer(size, recurrent, device, implementation)
        x = _inputs(size, device)
        return _runner(list(layer.parameters()), lambda: layer(x))
    return build


def build_snntorch(recurrent: bool):
    def build(size: Size, device):
        import snntorch
        from snntorch import surrogate

        ref = _lifstab_layer(size, recurrent, device)
        fc = torch.nn.Linear(size.n_in, size.n_rec).to(device)
        common = dict(beta=math.exp(-1 / size.tau), threshold=size.threshold, reset_mechanism="subtract",
                      spike_grad=surrogate.sigmoid(slope=4.0))
        if recurrent:
            neuron = snntorch.RLeaky(all_to_all=True, linear_features=size.n_rec, **common).to(device)
        else:
            neuron = snntorch.Leaky(**common).to(device)
        with torch.no_grad():
            fc.weight.copy_(ref.w_in.T)
            fc.bias.zero_()
            if recurrent:
                neuron.recurrent.weight.copy_(ref.recurrent_weight().T)
                neuron.recurrent.bias.zero_()
        x = _inputs(size, device)

        def forward():
            currents = fc(x)
            if recurrent:
                spk, mem = neuron.init_rleaky()
                out = []
                for current in currents:
                    spk, mem = neuron(current, spk, mem)
                    out.append(spk)
            else:
                mem = neuron.init_leaky()
                out = []
                for current in currents:
                    spk, mem = neuron(current, mem)
                    out.append(spk)
            return torch.stack(out)

        return _runner(list(fc.parameters()) + list(neuron.parameters()), forward)
    return build


def build_spikingjelly(size: Size, device):
    from spikingjelly.activation_based import functional, neuron, surrogate

    ref = _lifstab_layer(size, False, device)
    fc = torch.nn.Linear(size.n_in, size.n_rec).to(device)
    # decay_input=False: H_t = V_{t-1} (1 - 1/tau') + X_t, so tau' = 1 / (1 - alpha) gives lifstab's decay
    node = neuron.LIFNode(tau=1 / (1 - math.exp(-1 / size.tau)), decay_input=False, v_threshold=size.threshold,
                          v_reset=None, detach_reset=True, surrogate_function=surrogate.Sigmoid(alpha=4.0),
                          step_mode="m").to(device)
    with torch.no_grad():
        fc.weight.copy_(ref.w_in.T)
        fc.bias.zero_()
    x = _inputs(size, device)

    def forward():
        functional.reset_net(node)
        return node(fc(x))

    return _runner(list(fc.parameters()), forward)


@dataclass(frozen=True)
class Implementation:
    name: str
    layer: str  # "recurrent" or "feed-forward"
    peer: str | None  # module that must be importable
    build: Callable
    differs: str = ""


#: (layer, name) -> implementation; the order is the print order
IMPLEMENTATIONS: dict[tuple[str, str], Implementation] = {(i.layer, i.name): i for i in (
    Implementation("lifstab fast", "recurrent", None, build_lifstab("fast", True)),
    Implementation("lifstab reference", "recurrent", None, build_lifstab("reference", True)),
    Implementation("snntorch RLeaky", "recurrent", "snntorch", build_snntorch(True),
                   "recurrent nn.Linear keeps a trainable diagonal and bias (both start at 0); the reset "
                   "re-evaluates the spike function on the previous voltage; beta is clamped every step"),
    Implementation("lifstab fast", "feed-forward", None, build_lifstab("fast", False)),
    Implementation("lifstab reference", "feed-forward", None, build_lifstab("reference", False)),
    Implementation("spikingjelly LIFNode", "feed-forward", "spikingjelly", build_spikingjelly,
                   "soft reset right after the spike (v -= theta z_t), so the reset is not decayed: "
                   "lifstab's v_t = a v + I - theta z_{t-1} has it multiplied by decay a; spikes when v >= theta"),
    Implementation("snntorch Leaky", "feed-forward", "snntorch", build_snntorch(False),
                   "the reset re-evaluates the spike function on the previous voltage"),
)}


def available(impl: Implementation) -> str | None:
    """None when the implementation can run, else why not."""
    if impl.peer is None:
        return None
    try:
        __import__(impl.peer)
    except ImportError as err:
        return f"{impl.peer} is not installed ({err}); pip install 'lifstab[bench]'"
    return None


def _sync(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize(device)


def matmul_throughput(size: Size, device: torch.device, repeats: int) -> float:
    """FLOP/s of one (T*B, n_in) @ (n_in, n) product, median of ``repeats``."""
    gen = torch.Generator().manual_seed(1)
    a = torch.randn(size.steps * size.batch, size.n_in, generator=gen).to(device)
    b = torch.randn(size.n_in, size.n_rec, generator=gen).to(device)
    a @ b
    times = []
    for _ in range(repeats):
        _sync(device)
        start = time.perf_counter()
        a @ b
        _sync(device)
        times.append(time.perf_counter() - start)
    return 2 * a.shape[0] * a.shape[1] * b.shape[1] / statistics.median(times)


def input_density(size: Size, device: torch.device) -> float:
    return float((_inputs(size, device) != 0).float().mean())


def projection_choice(size: Size, device: torch.device) -> str:
    """Which input projection lifstab's fast path takes for these inputs (lifstab/sparse_projection.py)."""
    from lifstab import native, sparse_projection

    x = _inputs(size, device).reshape(-1, size.n_in)
    w_in = _lifstab_layer(size, False, device).w_in
    route = sparse_projection.choose_route(x, w_in)
    kernels = "compiled" if native.kernels() is not None else "unavailable (no C compiler, or LIFSTAB_NATIVE=0)"
    return (f"lifstab fast input projection: {route} route (input density {input_density(size, device):.4f}; "
            f"native kernels {kernels}; native limit for {x.dtype}: "
            f"{sparse_projection.NATIVE_MAX_DENSITY.get(x.dtype)})")


def peak_memory_cuda(run: Callable[[], None], device: torch.device) -> int:
    _sync(device)
    torch.cuda.reset_peak_memory_stats(device)
    base = torch.cuda.memory_allocated(device)
    run()
    _sync(device)
    return torch.cuda.max_memory_allocated(device) - base


def _reset_peak_rss() -> bool:
    """Linux: reset the peak RSS (VmHWM) to the current RSS, so that imports do not count; False elsewhere."""
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
        return True
    except OSError:
        return False


def _rss_bytes(field: str) -> int:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1]) * 1024
    raise OSError(f"{field} not in /proc/self/status")


def memory_child(layer: str, name: str, size: Size) -> None:
    """In a fresh process: peak RSS growth over one forward + backward, printed as JSON."""
    impl = IMPLEMENTATIONS[(layer, name)]
    tiny = Size(**{**asdict(size), "steps": 2, "batch": 2})
    impl.build(tiny, torch.device("cpu"))[0]()  # load lazy modules and kernels before measuring
    run, _ = impl.build(size, torch.device("cpu"))
    if _reset_peak_rss():
        before = _rss_bytes("VmRSS")
        run()
        peak = _rss_bytes("VmHWM") - before
    else:  # ru_maxrss is a high-water mark since start: only growth above earlier peaks shows
        scale = 1 if sys.platform == "darwin" else 1024
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * scale
        run()
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * scale - before
    print(json.dumps({"peak_bytes": peak}))


def peak_memory_cpu(layer: str, name: str, size: Size, threads: int) -> int | None:
    cmd = [sys.executable, os.path.abspath(__file__), "--memory-child", layer, name, "--threads", str(threads)]
    for field, value in asdict(size).items():
        cmd += [f"--{field.replace('_', '-')}", str(value)]
    # glibc: allocations above 128 KiB get their own mapping, returned on free, so the resident size
    # follows the live tensors instead of what the heap happens to keep (stable across runs)
    env = {**os.environ, "MALLOC_MMAP_THRESHOLD_": "131072"}
    done = subprocess.run(cmd, capture_output=True, text=True, env=env)
    if done.returncode != 0:
        print(f"memory of {layer} {name} not measured: {done.stderr.strip().splitlines()[-1:]}", file=sys.stderr)
        return None
    return json.loads(done.stdout.strip().splitlines()[-1])["peak_bytes"]


def _positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be a positive integer, got {text}")
    return value


def parse(argv=None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    defaults = Size()
    p.add_argument("--batch", type=_positive_int, default=defaults.batch)
    p.add_argument("--n-in", type=_positive_int, default=defaults.n_in)
    p.add_argument("--n-rec", type=_positive_int, default=defaults.n_rec)
    p.add_argument("--steps", type=_positive_int, default=defaults.steps)
    p.add_argument("--tau", type=float, default=defaults.tau)
    p.add_argument("--threshold", type=float, default=defaults.threshold)
    p.add_argument("--input-rate", type=float, default=defaults.input_rate)
    p.add_argument("--repeats", type=_positive_int, default=7, help="timed rounds (median reported)")
    p.add_argument("--threads", type=_positive_int, default=torch.get_num_threads(),
                   help="torch CPU threads (default: torch's own choice)")
    p.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    p.add_argument("--no-memory", action="store_true", help="skip the peak-memory measurements")
    p.add_argument("--memory-repeats", type=_positive_int, default=3,
                   help="CPU: fresh processes per implementation for the peak memory (median reported)")
    p.add_argument("--json", help="also write the results to this file")
    p.add_argument("--memory-child", nargs=2, metavar=("LAYER", "NAME"), help=argparse.SUPPRESS)
    return p.parse_args(argv)


def _mb(n: int | None) -> str:
    return "-" if n is None else f"{n / 2**20:8.1f}"


def main(argv=None) -> int:
    args = parse(argv)
    torch.set_num_threads(args.threads)
    size = Size(args.batch, args.n_in, args.n_rec, args.steps, args.tau, args.threshold, args.input_rate)
    if args.memory_child:
        memory_child(*args.memory_child, size)
        return 0
    device = torch.device(args.device)
    print(f"lif_speed: {size}  device={device}  torch={torch.__version__}  threads={torch.get_num_threads()}  "
          f"repeats={args.repeats}")
    runners, skipped = {}, {}
    for key in IMPLEMENTATIONS:
        why = available(IMPLEMENTATIONS[key])
        if why:
            skipped[key] = why
            print(f"SKIPPED {key[0]} {key[1]}: {why}")
            continue
        runners[key] = IMPLEMENTATIONS[key].build(size, device)
        runners[key][0]()  # warm-up, untimed
    times = {key: [] for key in runners}
    order = list(runners)
    for r in tqdm(range(args.repeats), desc="rounds", file=sys.stderr):
        for key in order[r % len(order):] + order[:r % len(order)]:
            _sync(device)
            start = time.perf_counter()
            runners[key][0]()
            _sync(device)
            times[key].append(time.perf_counter() - start)
    throughput = matmul_throughput(size, device, repeats=max(5, args.repeats))
    density = input_density(size, device)
    print(projection_choice(size, device))
    memory = {}
    if not args.no_memory:
        for key in tqdm(runners, desc="peak memory", file=sys.stderr):
            if device.type == "cuda":
                memory[key] = peak_memory_cuda(runners[key][0], device)
            else:  # the resident size depends on what the C allocator keeps, so take a median of probes
                probes = [peak_memory_cpu(*key, size, args.threads) for _ in range(args.memory_repeats)]
                probes = [p for p in probes if p is not None]
                memory[key] = int(statistics.median(probes)) if probes else None
    how = ("torch.cuda.max_memory_allocated above the allocation before the call" if device.type == "cuda"
           else "peak resident set size (Linux VmHWM, reset via /proc/self/clear_refs) minus the resident size "
                f"before one forward+backward, median of {args.memory_repeats} fresh subprocesses per implementation, "
                "MALLOC_MMAP_THRESHOLD_=131072")
    print(f"matmul throughput: {throughput / 1e9:.1f} GFLOP/s ((T*B, n_in) @ (n_in, n_rec), median)")
    rows = []
    for layer in ("recurrent", "feed-forward"):
        keys = [k for k in runners if k[0] == layer]
        if not keys:
            continue
        recurrent = layer == "recurrent"
        floor = matmul_flops(size, recurrent) / throughput
        spikes = sparse_flops(size, recurrent, density, runners[(layer, "lifstab fast")][1]["rate"])
        sparse_floor = spikes / throughput
        fast = statistics.median(times[(layer, "lifstab fast")])
        print(f"\n{layer} layer: forward + backward, median of {args.repeats} "
              f"(floor: {matmul_flops(size, recurrent) / 1e9:.2f} GFLOP of dense matmuls = {floor * 1e3:.1f} ms; "
              f"sparse floor: {spikes / 1e9:.2f} GFLOP counting only the spikes' nonzeros = {sparse_floor * 1e3:.1f} ms)")
        print(f"  {'implementation':22s} {'median ms':>10s} {'min ms':>8s} {'max ms':>8s} {'x fast':>7s} "
              f"{'x floor':>8s} {'x sparse':>8s} {'peak MB':>8s} {'spike rate':>10s}")
        for key in keys:
            t = times[key]
            med = statistics.median(t)
            print(f"  {key[1]:22s} {med * 1e3:10.1f} {min(t) * 1e3:8.1f} {max(t) * 1e3:8.1f} {med / fast:7.2f} "
                  f"{med / floor:8.2f} {med / sparse_floor:8.2f} {_mb(memory.get(key))} {runners[key][1]['rate']:10.4f}")
            rows.append({"layer": layer, "implementation": key[1], "median_s": med, "times_s": t,
                         "floor_s": floor, "sparse_floor_s": sparse_floor, "peak_bytes": memory.get(key),
                         "spike_rate": runners[key][1]["rate"]})
        for key in keys:
            if IMPLEMENTATIONS[key].differs:
                print(f"  note, {key[1]}: {IMPLEMENTATIONS[key].differs}")
    print(f"\npeak memory: {how}")
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"size": asdict(size), "device": str(device), "threads": torch.get_num_threads(),
                       "matmul_flops_per_s": throughput, "results": rows,
                       "skipped": {f"{k[0]} {k[1]}": v for k, v in skipped.items()}}, f, indent=1)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
