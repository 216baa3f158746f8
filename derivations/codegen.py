"""Generate the runtime's NumPy and torch kernels from the SymPy expressions.

Run ``lifstab derive`` (or ``python -m derivations.codegen``) to rewrite ``lifstab/_generated/``;
``lifstab derive --check`` exits non-zero when the checked-in files differ from what the
derivations give. Generation is deterministic: the same derivations give the same bytes.

A kernel is a :class:`Kernel` (name, arguments, expression, docstring); a generated module is a
named group of kernels. Each group becomes ``<group>_numpy.py`` and ``<group>_torch.py``.
"""

from __future__ import annotations

import argparse
import difflib
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import sympy as sp
from sympy.printing.pycode import PythonCodePrinter

HEADER = '''\
# GENERATED FILE: do not edit by hand.
# Written by `lifstab derive` (derivations/codegen.py) from the SymPy expressions in derivations/.
# Change the derivations, then run `lifstab derive`; tests/test_generated_drift.py fails on drift.
'''

#: default location of the generated package inside the source tree
GENERATED_DIR = Path(__file__).resolve().parent.parent / "lifstab" / "_generated"


@dataclass(frozen=True)
class Kernel:
    """One generated function ``name(*args) = expr``."""

    name: str
    args: tuple[sp.Symbol, ...]
    expr: sp.Expr
    doc: str


class _ArrayPrinter(PythonCodePrinter):
    """Prints elementwise array code against one module (``numpy`` or ``torch``).

    Only the constructs the derivations use are supported; anything else raises, so that a new
    construct is handled on purpose rather than printed as invalid code.
    """

    module = "numpy"
    #: SymPy function name -> attribute of the array module
    functions = {
        "exp": "exp",
        "log": "log",
        "sqrt": "sqrt",
        "Abs": "abs",
        "sign": "sign",
        "expm1": "expm1",
        "log1p": "log1p",
        "tanh": "tanh",
    }

    def __init__(self) -> None:
        super().__init__({"fully_qualified_modules": True, "inline": True, "strict": True})

    def _call(self, fname: str, *args: sp.Expr) -> str:
        return f"{self.module}.{fname}({', '.join(self._print(a) for a in args)})"

    def _print_Function(self, expr: sp.Function) -> str:
        name = type(expr).__name__
        if name not in self.functions:
            raise NotImplementedError(f"no {self.module} translation for {name}")
        return self._call(self.functions[name], *expr.args)

    _print_exp = _print_Abs = _print_sign = _print_log = _print_Function

    def _print_Pi(self, expr: sp.Expr) -> str:
        return f"{self.module}.pi"

    def _print_Max(self, expr: sp.Max) -> str:
        return self._fold("maximum", expr.args)

    def _print_Min(self, expr: sp.Min) -> str:
        return self._fold("minimum", expr.args)

    def _fold(self, fname: str, args: Sequence[sp.Expr]) -> str:
        out = self._print(args[-1])
        for a in reversed(args[:-1]):
            out = f"{self.module}.{fname}({self._print(a)}, {out})"
        return out

    def _print_Piecewise(self, expr: sp.Piecewise) -> str:
        *pieces, (last_value, last_cond) = expr.args
        if last_cond != sp.true:
            raise NotImplementedError("Piecewise needs a final (value, True) branch")
        out = self._print(last_value)
        for value, cond in reversed(pieces):
            out = f"{self.module}.where({self._print(cond)}, {self._print(value)}, {out})"
        return out

    def _print_Relational(self, expr: sp.Expr) -> str:
        return f"({self._print(expr.lhs)} {expr.rel_op} {self._print(expr.rhs)})"

    def _print_Pow(self, expr: sp.Pow, rational: bool = False) -> str:
        base, exponent = expr.args
        if exponent == sp.S.Half:
            return self._call("sqrt", base)
        if exponent == -1:
            return f"1/{self.parenthesize(base, sp.printing.precedence.PRECEDENCE['Pow'])}"
        return super()._print_Pow(expr, rational=rational)


class _NumpyPrinter(_ArrayPrinter):
    module = "numpy"


class _TorchPrinter(_ArrayPrinter):
    module = "torch"

    def _print_Max(self, expr: sp.Max) -> str:
        # torch.maximum needs tensors on both sides; clamp takes a number
        numbers = [a for a in expr.args if a.is_Number]
        others = [a for a in expr.args if not a.is_Number]
        if len(numbers) == 1 and len(others) >= 1:
            return f"torch.clamp({self._fold('maximum', others)}, min={self._print(numbers[0])})"
        return self._fold("maximum", expr.args)

    def _print_Min(self, expr: sp.Min) -> str:
        numbers = [a for a in expr.args if a.is_Number]
        others = [a for a in expr.args if not a.is_Number]
        if len(numbers) == 1 and len(others) >= 1:
            return f"torch.clamp({self._fold('minimum', others)}, max={self._print(numbers[0])})"
        return self._fold("minimum", expr.args)


PRINTERS: dict[str, type[_ArrayPrinter]] = {"numpy": _NumpyPrinter, "torch": _TorchPrinter}


def render_function(kernel: Kernel, backend: str) -> str:
    """Source of one generated function."""
    printer = PRINTERS[backend]()
    args = ", ".join(a.name for a in kernel.args)
    body = printer.doprint(kernel.expr)
    doc = kernel.doc.strip().replace('"""', "'''")
    return f'def {kernel.name}({args}):\n    """{doc}"""\n    return {body}\n'


def render_module(group: str, kernels: Sequence[Kernel], backend: str) -> str:
    """Source of one generated module: header, import, functions and a name -> function table."""
    parts = [HEADER, f'"""Generated {backend} kernels: {group}."""\n', f"import {backend}\n"]
    parts += [render_function(k, backend) for k in kernels]
    table = "".join(f"    {k.name!r}: {k.name},\n" for k in kernels)
    parts.append(f"KERNELS = {{\n{table}}}\n")
    return "\n\n".join(parts)


def surrogate_kernels() -> list[Kernel]:
    """One kernel per SG family: SG(u) in the family's floating-point form."""
    from .surrogates import FAMILIES

    return [
        Kernel(f.name, f.parameters, f.expr, f"SG(u) of the {f.name} family: {f.description}.")
        for f in FAMILIES.values()
    ]


def lif_kernels() -> list[Kernel]:
    """One kernel per reset variant: the voltage update v_t(v_{t-1}, I_t, z_{t-1}, alpha, theta)."""
    from .lif import UPDATE_ARGS, VOLTAGE_UPDATES

    return [
        Kernel(name, UPDATE_ARGS, expr, f"LIF voltage update, {name} reset: v_t = {expr}.")
        for name, expr in VOLTAGE_UPDATES.items()
    ]


def lif_grad_kernels() -> list[Kernel]:
    """Partial derivatives of every reset's voltage update w.r.t. each of its arguments, for
    hand-written backward passes: ``<reset>_d_<argument>(voltage, current, reset_spikes, decay, threshold)``."""
    from .lif import UPDATE_ARGS, VOLTAGE_UPDATES

    return [
        Kernel(f"{name}_d_{arg.name}", UPDATE_ARGS, sp.diff(expr, arg),
               f"d v_t / d {arg.name} of the {name} reset, v_t = {expr}.")
        for name, expr in VOLTAGE_UPDATES.items()
        for arg in UPDATE_ARGS
    ]


#: group name -> function returning its kernels; later derivations register here
GROUPS: dict[str, Callable[[], list[Kernel]]] = {"surrogates": surrogate_kernels, "lif": lif_kernels,
                                                  "lif_grad": lif_grad_kernels}


def generated_files() -> dict[str, str]:
    """File name -> contents of every generated file."""
    files = {"__init__.py": HEADER + '"""Kernels generated from derivations/; see `lifstab derive`."""\n'}
    for group, make in GROUPS.items():
        kernels = make()
        for backend in PRINTERS:
            files[f"{group}_{backend}.py"] = render_module(group, kernels, backend)
    return files


def write(out_dir: Path = GENERATED_DIR) -> list[Path]:
    """Write every generated file into ``out_dir``; return the paths written."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, text in generated_files().items():
        path = out_dir / name
        path.write_text(text, encoding="utf-8")
        paths.append(path)
    return paths


def check(out_dir: Path = GENERATED_DIR) -> list[str]:
    """Differences between ``out_dir`` and what the derivations give, as unified diffs."""
    out_dir = Path(out_dir)
    problems = []
    expected = generated_files()
    for name, text in expected.items():
        path = out_dir / name
        current = path.read_text(encoding="utf-8") if path.exists() else ""
        if current != text:
            diff = difflib.unified_diff(
                current.splitlines(keepends=True), text.splitlines(keepends=True),
                fromfile=f"checked-in {name}", tofile=f"derived {name}",
            )
            problems.append("".join(diff) or f"{name} is missing")
    stale = sorted(p.name for p in out_dir.glob("*.py") if p.name not in expected)
    problems += [f"{name} is not generated by the derivations (stale file)" for name in stale]
    return problems


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="lifstab derive", description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 when lifstab/_generated/ is stale")
    parser.add_argument("--out", type=Path, default=GENERATED_DIR, help="output folder")
    args = parser.parse_args(argv)
    if args.check:
        problems = check(args.out)
        for p in problems:
            print(p, file=sys.stderr)
        print("generated kernels are up to date" if not problems else
              f"{len(problems)} generated file(s) differ; run `lifstab derive`")
        return 1 if problems else 0
    for path in write(args.out):
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
