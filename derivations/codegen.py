"""Generate the runtime's NumPy and torch kernels from the SymPy expressions.

Run ``lifstab derive`` (or ``python -m lifstab_derivations.codegen``) to rewrite ``lifstab/_generated/``;
``lifstab derive --check`` exits non-zero when the checked-in files differ from what the
derivations give. Generation is deterministic: the same derivations give the same bytes.

A kernel is a :class:`Kernel` (name, arguments, expression, docstring); a generated module is a
named group of kernels. Each group becomes ``<group>_numpy.py`` and ``<group>_torch.py``.
"""

from __future__ import annotations

import argparse
import difflib
import functools
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
    #: print repeated subexpressions once, as local variables (for kernels evaluated over large arrays,
    #: where every repeated term is another pass over memory)
    common_subexpressions: bool = False


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
    #: special functions, fully qualified (scipy.special for NumPy, torch.special for torch)
    special = {"erf": "scipy.special.erf", "erfc": "scipy.special.erfc", "erfcx": "scipy.special.erfcx"}

    def __init__(self) -> None:
        super().__init__({"fully_qualified_modules": True, "inline": True, "strict": True})

    def _call(self, fname: str, *args: sp.Expr) -> str:
        return f"{self.module}.{fname}({', '.join(self._print(a) for a in args)})"

    def doprint(self, expr, assign_to=None):
        # irrational constants (pi, sqrt(2), ...) become float literals: torch functions take no numbers
        expr = expr.replace(lambda e: e.is_number and not e.is_Rational and not e.is_Float,
                            lambda e: e.evalf(17))
        return super().doprint(expr, assign_to)

    def _print_Function(self, expr: sp.Function) -> str:
        name = type(expr).__name__
        if name in self.special:
            return f"{self.special[name]}({', '.join(self._print(a) for a in expr.args)})"
        if name not in self.functions:
            raise NotImplementedError(f"no {self.module} translation for {name}")
        return self._call(self.functions[name], *expr.args)

    _print_exp = _print_Abs = _print_sign = _print_log = _print_Function
    _print_erf = _print_erfc = _print_expm1 = _print_log1p = _print_tanh = _print_Function

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

    def _print_Or(self, expr: sp.Or) -> str:
        return self._fold("logical_or", expr.args)

    def _print_And(self, expr: sp.And) -> str:
        return self._fold("logical_and", expr.args)

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
    special = {"erf": "torch.special.erf", "erfc": "torch.special.erfc", "erfcx": "torch.special.erfcx"}

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
    expr, lines = kernel.expr, ""
    if kernel.common_subexpressions:
        # temporaries named x0, x1, ... print after the parameters, so that products of scalar parameters
        # (4*dampening) fold before they meet an array
        shared, (expr,) = sp.cse(kernel.expr, symbols=sp.numbered_symbols("x"))
        clash = {a.name for a in kernel.args} & {str(symbol) for symbol, _ in shared}
        if clash:
            raise ValueError(f"kernel {kernel.name}: arguments {sorted(clash)} clash with the temporaries' names")
        lines = "".join(f"    {symbol} = {printer.doprint(value)}\n" for symbol, value in shared)
    body = printer.doprint(expr)
    doc = kernel.doc.strip().replace('"""', "'''")
    return f'def {kernel.name}({args}):\n    """{doc}"""\n{lines}    return {body}\n'


def render_module(group: str, kernels: Sequence[Kernel], backend: str) -> str:
    """Source of one generated module: header, import, functions and a name -> function table."""
    functions = [render_function(k, backend) for k in kernels]
    imports = f"import {backend}\n"
    if any("scipy.special." in f for f in functions):
        imports += "import scipy.special\n"
    parts = [HEADER, f'"""Generated {backend} kernels: {group}."""\n', imports, *functions]
    table = "".join(f"    {k.name!r}: {k.name},\n" for k in kernels)
    parts.append(f"KERNELS = {{\n{table}}}\n")
    return "\n\n".join(parts)


def surrogate_kernels() -> list[Kernel]:
    """One kernel per SG family: SG(u) in the family's floating-point form."""
    from .surrogates import FAMILIES

    return [
        Kernel(f.name, f.parameters, f.expr, f"SG(u) of the {f.name} family: {f.description}.",
               common_subexpressions=True)
        for f in FAMILIES.values()
    ]


def lif_kernels() -> list[Kernel]:
    """One kernel per reset variant: the voltage update v_t(v_{t-1}, I_t, z_{t-1}, alpha, theta)."""
    from .lif import UPDATE_ARGS, VOLTAGE_UPDATES

    return [
        Kernel(name, UPDATE_ARGS, expr, f"LIF voltage update, {name} reset: v_t = {expr}.")
        for name, expr in VOLTAGE_UPDATES.items()
    ]


def _with_shape_derivatives(name: str, args: tuple, expr: sp.Expr, doc: str, family: str) -> list[Kernel]:
    """The kernel plus its derivatives in sharpness (and tail) for the solvers."""
    from .expectations import shape_symbols

    out = [Kernel(name, args, expr, doc)]
    for sym in shape_symbols(family):
        out.append(Kernel(f"{name}_d{sym.name}", args, sp.diff(expr, sym), f"d/d{sym.name} of {name}."))
    return out


def expectation_kernels() -> list[Kernel]:
    """E[SG^m] (m = 1, 2) per family under uniform and Gaussian voltages, with shape derivatives."""
    return list(_expectation_kernels())


@functools.lru_cache(maxsize=None)  # the SymPy work is deterministic; derive it once per process
def _expectation_kernels() -> tuple[Kernel, ...]:
    from . import expectations as ex
    from .surrogates import FAMILIES

    kernels = []
    for family in FAMILIES:
        shape_args = ex.parameters(family)
        for m in ex.MOMENTS:
            kernels += _with_shape_derivatives(
                f"uniform_{family}_m{m}", (ex.y_min, ex.y_max, ex.theta, *shape_args),
                ex.uniform_moment(family, m),
                f"E[SG^{m}] of the {family} family for a voltage uniform on [y_min, y_max].", family)
            if family in ex.GAUSSIAN_CLOSED_FAMILIES:
                kernels += _with_shape_derivatives(
                    f"gaussian_{family}_m{m}", (ex.mean, ex.std, ex.theta, *shape_args),
                    ex.gaussian_moment(family, m),
                    f"E[SG^{m}] of the {family} family for a voltage N(mean, std^2), closed form.", family)
            else:
                kernels += _with_shape_derivatives(
                    f"gaussian_integrand_{family}_m{m}", (ex.t, ex.mean, ex.std, ex.theta, *shape_args),
                    ex.gaussian_integrand(family, m),
                    f"Integrand on t = |v - threshold| >= 0 whose integral is E[SG^{m}] of the {family} "
                    "family for a voltage N(mean, std^2) (no closed form; lifstab.expectations integrates it).",
                    family)
    first, second = ex.uniform_voltage_moments()
    kernels.append(Kernel("uniform_voltage_mean", (ex.y_min, ex.y_max), first, "E[v], v ~ U[y_min, y_max]."))
    kernels.append(Kernel("uniform_voltage_square_mean", (ex.y_min, ex.y_max), second,
                          "E[v^2], v ~ U[y_min, y_max]."))
    return tuple(kernels)


def condition_kernels() -> list[Kernel]:
    """Conditions I-IV per reset and variant, the voltage bounds and IV's partial derivatives."""
    return list(_condition_kernels())


@functools.lru_cache(maxsize=None)
def _condition_kernels() -> tuple[Kernel, ...]:
    from . import conditions as c
    from . import lif
    from .lif import RESETS

    kernels = []
    for reset in RESETS:
        for variant in c.VARIANTS:
            kernels.append(Kernel(f"condition_i_{reset}_{variant}", (c.n_rec, c.alpha, c.theta),
                                  c.condition_i(reset, variant),
                                  f"Condition I ({variant}), {reset} reset: recurrent weight mean."))
            balance = c.mean_balance(reset, variant)
            kernels.append(Kernel(f"mean_balance_{reset}_{variant}", (c.n_rec, c.alpha, c.theta, c.mu_w),
                                  balance.rhs - balance.lhs,
                                  f"Residual of Condition I's mean balance ({variant}), {reset} reset."))
    for variant in c.VARIANTS:
        kernels.append(Kernel(f"condition_ii_{variant}",
                              (c.n_in, c.n_rec, c.input_second_moment, c.input_weight_variance, c.mu_w),
                              c.condition_ii(variant),
                              f"Condition II ({variant}): recurrent weight variance (negative: infeasible)."))
        balance = c.variance_balance(variant)
        kernels.append(Kernel(f"variance_balance_{variant}",
                              (c.n_in, c.n_rec, c.input_second_moment, c.input_weight_variance, c.mu_w, c.var_w),
                              balance.lhs - balance.rhs,
                              f"Residual of Condition II's variance balance ({variant}): recurrent - input."))
    bound_args = (c.alpha, c.theta, c.positive_sum, c.negative_sum, c.input_positive_sum, c.input_negative_sum)
    for reset in RESETS:
        kernels.append(Kernel(f"condition_iii_{reset}", (c.alpha, c.theta, c.positive_sum, c.negative_sum),
                              c.condition_iii(reset), f"Condition III, {reset} reset: per-neuron dampening."))
        gain = c.gain_balance(reset)
        kernels.append(Kernel(f"gain_balance_{reset}",
                              (c.alpha, c.theta, c.positive_sum, c.negative_sum, c.gamma_sym),
                              gain.lhs - gain.rhs, f"Residual of Condition III's gain equation, {reset} reset."))
        y_min, y_max = c.voltage_bounds(reset)
        kernels.append(Kernel(f"voltage_min_{reset}", bound_args, y_min,
                              f"The paper's worst-case lowest voltage, {reset} reset."))
        kernels.append(Kernel(f"voltage_max_{reset}", bound_args, y_max,
                              f"The paper's worst-case highest voltage, {reset} reset."))
        forms = {"paper": c.condition_iv(reset, "paper"),
                 "exact_detached": c.condition_iv(reset, "exact", detached=True),
                 "exact_attached": c.condition_iv(reset, "exact", detached=False)}
        for form, expr in forms.items():
            name = f"condition_iv_{reset}_{form}"
            doc = f"Condition IV residual ({form}), {reset} reset: zero at the solution."
            kernels.append(Kernel(name, c.CONDITION_IV_ARGS, expr, doc))
            for sym in (c.sg_mean, c.sg_square_mean):
                kernels.append(Kernel(f"{name}_d{sym.name}", c.CONDITION_IV_ARGS, sp.diff(expr, sym),
                                      f"d/d{sym.name} of {name} (the residual is linear in it)."))
    chain_args = (lif.v, lif.z, c.alpha, c.theta)
    for reset in RESETS:
        shift, gain = c.rate_chain(reset)
        kernels.append(Kernel(f"rate_chain_shift_{reset}", chain_args, shift,
                              f"Condition I (exact), {reset} reset: v_t = shift + gain * I_t, z = H(v - theta)."))
        kernels.append(Kernel(f"rate_chain_gain_{reset}", chain_args, gain,
                              f"Condition I (exact), {reset} reset: the gain of the current in v_t."))
    statistics_args = (c.n_in, c.n_rec, c.input_mean, c.input_var, c.input_weight_variance, c.mu_w, c.var_w,
                       c.rate, c.rate_square_mean)
    for part, expr in zip(("mean", "quenched_variance", "temporal_variance"), c.current_statistics()):
        kernels.append(Kernel(f"current_{part}", statistics_args, expr,
                              f"Condition I (exact): the input current's {part.replace('_', ' ')}."))
    positive, negative = c.gaussian_part_means()
    mean, std = sorted(positive.free_symbols, key=lambda s: s.name)
    kernels.append(Kernel("gaussian_positive_part", (mean, std), positive, "E[max(W, 0)], W ~ N(mean, std^2)."))
    kernels.append(Kernel("gaussian_negative_part", (mean, std), negative, "E[min(W, 0)], W ~ N(mean, std^2)."))
    return tuple(kernels)


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


def edge_kernels() -> list[Kernel]:
    """The edge of stability (derivations/edge.py): the mean-field backward step's closed-form second
    moments over the Gaussian recurrent field, and the lag-weighted prototype (a baseline)."""
    from . import edge

    return [
        Kernel("backward_step_variance", edge.VARIANCE_ARGS, edge.backward_step_variance(),
               "E[delta_{t-1}^2] of one neuron, delta_{t-1} = leak delta_t + SG sqrt(field_scale) h_t, h_t Gaussian."),
        Kernel("backward_step_covariance", edge.COVARIANCE_ARGS, edge.backward_step_covariance(),
               "E[delta_{t-1} Z] of one neuron for a Gaussian Z of its past, from E[delta_t Z] and E[h_t Z]."),
        *[Kernel(f"backward_step_{name}_weight", edge.COVARIANCE_ARGS[:3], sp.diff(edge.backward_step_covariance(), sym),
                 f"d/d{sym.name} of backward_step_covariance (it is linear in {sym.name}): the {name}'s weight.")
          for name, sym in (("signal", edge.signal_other), ("field", edge.field_other))],
        Kernel("attached_backward_step_variance", edge.ATTACHED_VARIANCE_ARGS, edge.backward_step_variance(True),
               "E[delta_{t-1}^2], reset attached: delta_{t-1} = (leak + reset_slope SG) delta_t + SG sqrt(field_scale) h_t."),
        Kernel("attached_backward_step_covariance", edge.ATTACHED_COVARIANCE_ARGS, edge.backward_step_covariance(True),
               "E[delta_{t-1} Z], reset attached, from E[delta_t Z] and E[h_t Z]."),
        *[Kernel(f"attached_backward_step_{name}_weight", edge.ATTACHED_COVARIANCE_ARGS[:4],
                 sp.diff(edge.backward_step_covariance(True), sym),
                 f"d/d{sym.name} of attached_backward_step_covariance (linear in {sym.name}): the {name}'s weight.")
          for name, sym in (("signal", edge.signal_other), ("field", edge.field_other))],
        *_alif_edge_kernels(),
        Kernel("field_covariance_term", edge.FIELD_TERM_ARGS, edge.FIELD_COVARIANCE_TERM,
               "One neuron's term g_i(t) g_i(s) E[delta_i(t) delta_i(s)] of the field covariance R(t, s)."),
        Kernel("lagged_growth", edge.LAGGED_ARGS, edge.LAGGED_GROWTH,
               "Prototype growth factor abar^2 + (n-1) E[W^2] (E[SG^2] + 2 sum_k abar^k E[SG_t SG_t-k])."),
    ]


def _alif_edge_kernels() -> list[Kernel]:
    """The ALIF backward step's second moments (derivations/edge.py): E[delta'^2], E[eps'^2], E[delta'
    eps'], and the weights of (delta_t, eps_t, h_t) in each component."""
    from . import edge

    moments = [Kernel(f"alif_step_{a}_{b}_moment", (*edge.ALIF_COEFFICIENT_ARGS, *edge.ALIF_MOMENT_ARGS),
                      edge.alif_step_moment(a, b), f"E[{a}' {b}'] of the ALIF backward step (delta' = dL/dv_t-1, "
                      "adaptation' = eps_t-1), from the moments of (delta_t, eps_t, h_t).")
               for a, b in (("signal", "signal"), ("adaptation", "adaptation"), ("signal", "adaptation"))]
    weights = [Kernel(f"alif_step_{component}_{name}_weight", edge.ALIF_COEFFICIENT_ARGS,
                      sp.diff(edge.alif_step_covariance(component), sym),
                      f"d/d{sym.name} of E[{component}' Z] (linear in it): the weight of the {name} in {component}'.")
               for component in edge.ALIF_STEPS
               for name, sym in (("signal", edge.signal_other), ("adaptation", edge.adaptation_other),
                                 ("field", edge.field_other))]
    return moments + weights


#: group name -> function returning its kernels; later derivations register here
GROUPS: dict[str, Callable[[], list[Kernel]]] = {
    "surrogates": surrogate_kernels, "lif": lif_kernels,
    "expectations": expectation_kernels, "conditions": condition_kernels,
    "lif_grad": lif_grad_kernels,
    "edge": edge_kernels,
}


#: groups also printed as C expressions (``<group>_c.py``), for the compiled kernels of lifstab/native/
C_GROUPS: dict[str, Callable[[], list[Kernel]]] = {"lif": lif_kernels, "lif_grad": lif_grad_kernels}


def render_c_module(group: str, kernels: Sequence[Kernel]) -> str:
    """Source of a module holding each kernel as a C99 expression string in its arguments' names
    (``EXPRESSIONS``, name -> expression; ``ARGUMENTS``, name -> argument names), for C templates."""
    expressions = "".join(f"    {k.name!r}: {sp.ccode(k.expr, standard='c99')!r},\n" for k in kernels)
    arguments = "".join(f"    {k.name!r}: {tuple(a.name for a in k.args)!r},\n" for k in kernels)
    return "\n\n".join([HEADER, f'"""Generated C99 expressions: {group}."""\n',
                         f"EXPRESSIONS = {{\n{expressions}}}\n", f"ARGUMENTS = {{\n{arguments}}}\n"])


def generated_files() -> dict[str, str]:
    """File name -> contents of every generated file."""
    files = {"__init__.py": HEADER + '"""Kernels generated from derivations/; see `lifstab derive`."""\n'}
    for group, make in GROUPS.items():
        kernels = make()
        for backend in PRINTERS:
            files[f"{group}_{backend}.py"] = render_module(group, kernels, backend)
    for group, make in C_GROUPS.items():
        files[f"{group}_c.py"] = render_c_module(group, make())
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
