"""Dense against sparse (CSR and native) input projection, forward + weight gradient, over input densities:
the measurement behind ``lifstab.sparse_projection.SPARSE_MAX_DENSITY`` and ``NATIVE_MAX_DENSITY``.

    python benchmarks/sparse_projection.py --threads 1
    python benchmarks/sparse_projection.py --threads 2

Inputs are Bernoulli spikes of shape (T, B, n_in); ``w_in`` and the bias need gradients, ``x`` does not;
the loss gradient is a fixed random (T, B, n_rec) tensor. Median over ``--repeats`` after one warm-up.
"""

from __future__ import annotations

import argparse
import statistics
import time

import torch

from lifstab.sparse_projection import input_projection


def median_ms(fn, repeats: int) -> float:
    fn()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1e3


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--steps", type=int, default=250)
    p.add_argument("--batch", type=int, default=64)
    p.add_argument("--n-in", type=int, default=700)
    p.add_argument("--n-rec", type=int, default=256)
    p.add_argument("--densities", type=float, nargs="+", default=[0.01, 0.03, 0.05, 0.08, 0.12, 0.2])
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--repeats", type=int, default=5)
    args = p.parse_args(argv)
    if min(args.steps, args.batch, args.n_in, args.n_rec, args.threads, args.repeats) < 1:
        raise ValueError("--steps, --batch, --n-in, --n-rec, --threads and --repeats must be positive")
    torch.set_num_threads(args.threads)
    print(f"sparse_projection: T={args.steps} B={args.batch} n_in={args.n_in} n_rec={args.n_rec} "
          f"threads={torch.get_num_threads()} repeats={args.repeats} torch={torch.__version__}")
    from lifstab import native

    routes = ("dense", "csr") + (("native",) if native.kernels() is not None else ())
    print(f"  {'dtype':14s} {'density':>8s}" + "".join(f" {route + ' ms':>10s}" for route in routes)
          + "".join(f" {'dense/' + route:>12s}" for route in routes[1:]) + f" {'max |dW| diff':>14s}")
    for dtype in (torch.float32, torch.float64):
        gen = torch.Generator().manual_seed(0)
        w_in = torch.randn(args.n_in, args.n_rec, generator=gen, dtype=dtype, requires_grad=True)
        bias = torch.zeros(args.n_rec, dtype=dtype, requires_grad=True)
        grad = torch.randn(args.steps, args.batch, args.n_rec, generator=gen, dtype=dtype)
        for density in args.densities:
            x = (torch.rand(args.steps, args.batch, args.n_in, generator=gen) < density).to(dtype)

            def run(route: str) -> torch.Tensor:
                w_in.grad = bias.grad = None
                input_projection(x, w_in, bias, route=route).backward(grad)
                return w_in.grad

            ms = {route: median_ms(lambda: run(route), args.repeats) for route in routes}
            diff = max(float((run(route) - run("dense")).abs().max()) for route in routes[1:])
            print(f"  {str(dtype):14s} {density:8.3f}" + "".join(f" {ms[route]:10.1f}" for route in routes)
                  + "".join(f" {ms['dense'] / ms[route]:12.2f}" for route in routes[1:]) + f" {diff:14.1e}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
