"""Every result as LaTeX in the paper's notation: one ``.tex`` fragment per result plus one combined
document. Each fragment says how the result was obtained: *derived* (by ``sympy.integrate``,
``sympy.solve`` or ``sympy.diff`` in derivations/) or *stated* (typed: a model definition, the authors'
equation, a floating-point-safe form) and how it is checked.

``lifstab derive --latex DIR`` (or :func:`write_latex`) writes ``DIR/<name>.tex`` fragments and
``DIR/lifstab_derivations.tex``, a standalone article that compiles with a plain LaTeX (amsmath,
geometry) and has no overfull box (tests/test_derivations.py reads the log when pdflatex is present).

The symbols keep their long names in the code (they become the generated kernels' argument names);
:data:`PAPER_NOTATION` gives each its paper name, which :func:`tex` hands to SymPy's own printer
(``latex(expr, symbol_names=...)``). The numerically stable helpers the kernels use are printed in
standard math: ``expm1(x)`` as ``e^x - 1``, ``log1p(x)`` as ``ln(1 + x)``, and ``erfcx`` is defined
once in the document's notation section. Equations longer than a line are broken at their top-level
sums (:func:`split_lines`).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import NamedTuple

import sympy as sp
from sympy.codegen.cfunctions import expm1, log1p

from . import conditions as c
from . import edge
from . import expectations as ex
from . import jacobians as jac
from .lif import RESETS, VOLTAGE_UPDATES
from .surrogates import FAMILIES

COMBINED = "lifstab_derivations.tex"

#: SymPy symbol name -> its name in the paper's notation (LaTeX)
PAPER_NOTATION: dict[str, str] = {
    # LIF update (derivations/lif.py): v_t = f(v_{t-1}, I_t, z_{t-1})
    "voltage": r"v_{t-1}", "current": r"I_t", "reset_spikes": r"z_{t-1}",
    "decay": r"\alpha", "threshold": r"\vartheta",
    # SG shape (derivations/symbols.py)
    "u": "u", "dampening": r"\gamma", "sharpness": r"\beta", "tail": "q",
    # one-step Jacobian (derivations/jacobians.py)
    "v_i": "v_i", "v_j": "v_j", "z_i": "z_i", "SG_i": r"\mathrm{SG}_i", "SG_j": r"\mathrm{SG}_j",
    "W_ji": "W_{ji}", "I_i": "I_i",
    # Conditions I-IV (derivations/conditions.py)
    "n_in": r"n_{\mathrm{in}}", "n_rec": "n", "recurrent_mean": r"\mu_W",
    "recurrent_variance": r"\sigma_W^2", "input_second_moment": r"\mathbb{E}[x^2]",
    "input_weight_variance": r"\operatorname{Var}(U)", "positive_sum": "P_i", "negative_sum": "N_i",
    "recurrent_square_sum": r"S_W", "sg_mean": r"\mathbb{E}[\mathrm{SG}]",
    "sg_square_mean": r"\mathbb{E}[\mathrm{SG}^2]", "voltage_mean": r"\mathbb{E}[v]",
    "voltage_square_mean": r"\mathbb{E}[v^2]", "pre_reset_voltage": r"\tilde v",
    "input_positive_sum": "P^U_i", "input_negative_sum": "N^U_i",
    "rate": "r", "rate_square_mean": r"\mathbb{E}[r_j^2]", "input_mean": r"\mathbb{E}[x]",
    "input_var": r"\operatorname{Var}(x)",
    # voltage models (derivations/expectations.py)
    "y_min": r"y_{\min}", "y_max": r"y_{\max}", "mean": r"\mu", "std": r"\sigma", "X": "X", "t": "t",
    "delta": r"\delta",
    # the edge of stability (derivations/edge.py)
    "lag_weighted_sg": r"\Lambda", "leak": "d_t", "surrogate_gradient": r"\mathrm{SG}_{t-1}",
    "field_scale": "S_j", "reset_slope": "r_t", "delta_t": r"\delta_t", "h_t": "h_t", "Z": "Z",
    "signal_variance": r"\mathbb{E}[\delta_t^2]", "field_variance": "R(t, t)",
    "signal_field": r"\mathbb{E}[\delta_t h_t]", "signal_other": r"\mathbb{E}[\delta_t Z]",
    "field_other": r"\mathbb{E}[h_t Z]", "gain_t": "g_i(t)", "gain_s": "g_i(s)",
    "signal_covariance": r"\mathbb{E}[\delta_i(t) \delta_i(s)]", "N": "N", "t_1": "t_1", "t_2": "t_2",
    # ALIF (derivations/edge.py)
    "epsilon_t": r"\varepsilon_t", "threshold_slope": "k_t", "adaptation_decay": r"\rho_a",
    "adaptation_strength": "b",
}

#: the notation section of the combined document: every symbol and helper, defined once
NOTATION = r"""\section*{Notation}
Neuron $i$ of a layer of $n$ neurons receives $I_t = \sum_k x_{t,k} U_{ki} + \sum_{j \ne i} z_{t-1,j} W_{ji}
+ b_i$; $v_t$ is its voltage, $z_t = H(v_t - \vartheta)$ its spike ($H$ the Heaviside step, whose
derivative the backward pass replaces by the surrogate gradient $\mathrm{SG}(v_t - \vartheta)$),
$\alpha = e^{-1/\tau}$ the decay, $\vartheta$ the threshold. The surrogate has dampening (peak)
$\gamma$, sharpness $\beta$ (area $\gamma/\beta$) and, for the $q$-PseudoSpike family, tail $q > 1$;
$u = v - \vartheta$. Weights: $U$ input ($n_{\mathrm{in}} \times n$, zero mean), $W$ recurrent
($W_{ii} = 0$) with mean $\mu_W$ and variance $\sigma_W^2$; $P_i = \sum_j \max(W_{ji}, 0)$,
$N_i = \sum_j \min(W_{ji}, 0)$, $P^U_i, N^U_i$ the same for $U$, and $S_W = \sum_j W_{ji}^2 = (n - 1)
\mathbb{E}[W^2]$. $M = \partial v_t / \partial v_{t-1}$ is the one-step Jacobian, $\mathrm{SG}_i$ the
surrogate of neuron $i$ at the previous step. $\mathbb{E}[v]$, $\mathbb{E}[v^2]$ are moments of the
voltage; $r$ is the firing rate ($r_j$ of neuron $j$),
$x$ the input with mean $\mathbb{E}[x]$ and variance $\operatorname{Var}(x)$. A uniform voltage lies on
$[y_{\min}, y_{\max}]$; $F_m(X) = \int_0^X f^m$ is the primitive of the surrogate's shape $f$ (peak 1) and
$T_m = F_m(\infty) - F_m$ its tail; a Gaussian voltage has mean $\mu$ and standard deviation $\sigma$,
and $\delta = \vartheta - \mu$.
The scaled complementary error function is
\begin{equation*}
\operatorname{erfcx}(x) = e^{x^2} \operatorname{erfc}(x),
\end{equation*}
which the kernels evaluate without overflow; where $e^{x} - 1$ and $\ln(1 + x)$ appear, the kernels
use \texttt{expm1} and \texttt{log1p}.
"""

#: a rough budget, in glyphs (see :func:`width`), of one line of a displayed equation at 2 cm margins
LINE_BUDGET = 62


#: how each kind of result was obtained (printed under its title)
PROVENANCE = {
    "update": "Stated: the LIF model.",
    "jacobian": "Derived: \\texttt{sympy.diff} of the voltage update (derivations/jacobians.py).",
    "primitive": "Stated in a floating-point-safe form; checked equal to \\texttt{sympy.integrate}'s $F_m$ "
                 "(tests/test\\_derivations.py).",
    "gaussian_derived": "Derived: \\texttt{sympy.integrate} against the normal density, term by term.",
    "gaussian_rewritten": "Derived by \\texttt{sympy.integrate} (\\texttt{derived\\_gaussian\\_moment}); printed "
                          "in an equal overflow-free form, checked equal to it to 30 digits (tests/test\\_derivations.py).",
    "condition_i": "Derived: \\texttt{sympy.solve} of the mean balance.",
    "rate_chain": "Derived: the voltage update split by \\texttt{sympy.diff} in the current.",
    "current_statistics": "Derived: \\texttt{sympy.stats} moments of one input's term, summed over the inputs.",
    "condition_ii_exact": "Derived: \\texttt{sympy.solve} of the variance balance.",
    "condition_ii_paper": "Stated: the authors' coded formula (the balance it solves is typed to reproduce it); "
                          "tests/test\\_derivations.py checks how it differs from the derived exact form.",
    "condition_iii": "Derived: \\texttt{sympy.solve} of the paper's gain balance (the balance is stated).",
    "condition_iv_paper": "Stated: the authors' equation; tests/test\\_derivations.py checks how it differs from "
                          "the derived exact form.",
    "condition_iv_exact": "Derived: the mean-field expectation of the derived Jacobian row's second moment.",
    "surrogate": "Stated: the family's definition (peak $\\gamma$, area $\\gamma/\\beta$, checked numerically in "
                 "tests/test\\_surrogates.py).",
    "edge_dmft_step": "Stated: the BPTT step of one neuron with its recurrent field (the layer's backward pass).",
    "edge_dmft_moments": "Derived: the product expanded and each Gaussian second moment taken term by term "
                         "(derivations/edge.py); tests/test\\_edge\\_derivation.py checks it against "
                         "\\texttt{sympy.stats}.",
    "edge_dmft_attached": "Derived: the attached reset's diagonal is \\texttt{sympy.diff} of the update (its "
                          "reset term through $z_{t-1} = H(v_{t-1} - \\vartheta)$), the moments as above; "
                          "tests/test\\_edge\\_derivation.py checks both.",
    "edge_dmft_alif": "Stated: the ALIF BPTT step (tests/test\\_stability.py checks its replay against autograd "
                      "through the layer); its second moments are derived as above and generated "
                      "(tests/test\\_edge\\_derivation.py checks them against \\texttt{sympy.stats}).",
    "edge_dmft_condition": "Stated: the field's covariance (mean field, large $n$) and the protocol's $\\rho$; "
                           "$\\beta_c$ solves $\\ln \\rho = 0$. tests/test\\_stability.py compares it with "
                           "measured edges.",
    "edge_lagged": "Stated: the lagged prototype of the edge predictor, a baseline; tests/test\\_stability.py "
                   "compares it with measured edges.",
}


class Result(NamedTuple):
    """One result: its section, its title, its equations as (left side, expression) and how it was
    obtained (a key of :data:`PROVENANCE`)."""

    section: str
    title: str
    equations: tuple[tuple[str, sp.Expr], ...]
    how: str


def _exp_of_log(arg: sp.Expr) -> sp.Expr:
    """``exp(a log b)`` as ``b^a`` (how a paper writes q-PseudoSpike's power)."""
    logs = [f for f in sp.Mul.make_args(arg) if isinstance(f, sp.log)]
    if len(logs) != 1:
        return sp.exp(arg)
    return logs[0].args[0] ** sp.cancel(arg / logs[0])


def standard_math(expr: sp.Expr) -> sp.Expr:
    """The kernels' numerically stable helpers (``expm1``, ``log1p``) written as standard math."""
    expr = expr.replace(expm1, lambda a: sp.exp(a) - 1).replace(log1p, lambda a: sp.log(1 + a))
    return expr.replace(sp.exp, _exp_of_log)


def tex(expr: sp.Expr) -> str:
    """``expr`` as LaTeX in the paper's notation (SymPy's ``symbol_names``)."""
    expr = standard_math(sp.sympify(expr))
    names = {s: PAPER_NOTATION[s.name] for s in expr.free_symbols if s.name in PAPER_NOTATION}
    return sp.latex(expr, symbol_names=names, ln_notation=True)


_COMMAND = re.compile(r"\\(left|right|operatorname|mathrm|mathbb|frac|sqrt|text|Bigl|Bigr|:)")


def width(latex: str) -> int:
    """Rough printed width of ``latex`` in glyphs (a fraction counts both its parts: conservative)."""
    bare = _COMMAND.sub("", latex)
    bare = re.sub(r"\\[A-Za-z]+", "x", bare)  # one glyph per Greek letter or function name
    return len(re.sub(r"[{}\s^_]", "", bare))


def _terms(expr: sp.Add) -> list[sp.Expr]:
    from sympy.printing.latex import LatexPrinter

    return list(LatexPrinter()._as_ordered_terms(expr))


def _signed(latex: str, first: bool) -> str:
    if first or latex.startswith("-"):
        return latex
    return "+ " + latex


def split_lines(expr: sp.Expr, budget: int = LINE_BUDGET) -> list[str]:
    """``expr`` as LaTeX pieces, each at most ``budget`` wide where a top-level sum allows it.

    A sum is packed term by term; a product with a long sum among its factors is written as the other
    factors times the sum in ``\\Bigl( \\Bigr)`` delimiters, broken the same way (``\\left ... \\right``
    cannot span lines). Anything else stays whole.
    """
    whole = tex(expr)
    if width(whole) <= budget:
        return [whole]
    if isinstance(expr, sp.Add):
        lines: list[str] = []
        for k, term in enumerate(_terms(expr)):
            pieces = split_lines(term, budget)
            pieces[0] = _signed(pieces[0], k == 0)
            if lines and width(lines[-1] + pieces[0]) <= budget:
                lines[-1] += " " + pieces.pop(0)
            lines.extend(pieces)
        return lines
    if isinstance(expr, sp.Mul):
        sums = [f for f in expr.args if isinstance(f, sp.Add)]
        if sums:
            inner = max(sums, key=lambda f: width(tex(f)))
            rest = expr / inner
            outer = tex(rest)
            if isinstance(rest, sp.Add):
                outer = rf"\left({outer}\right)"
            outer = "-" if outer == "-1" else ("" if outer == "1" else outer)
            pieces = split_lines(inner, budget)
            pieces[0] = rf"{outer} \Bigl( {pieces[0]}"
            pieces[-1] += r" \Bigr)"
            return pieces
    return [whole]


def equation_lines(lhs: str, rhs: sp.Expr, condition: sp.Expr | None = None) -> list[list[str]]:
    """``lhs = rhs`` as displayed equations, each a list of lines that fit (:func:`split_lines`); a
    ``Piecewise`` too wide for a line becomes one equation per piece, its condition on the last line."""
    if isinstance(rhs, sp.Piecewise) and width(tex(rhs)) > LINE_BUDGET - width(lhs):
        return [eq for piece, cond in rhs.args for eq in equation_lines(lhs, piece, cond)]
    lines = split_lines(rhs, LINE_BUDGET - width(lhs))
    lines[0] = f"{lhs} = {lines[0]}"
    if condition is not None:
        lines.append(r"\text{otherwise}" if condition is sp.true else rf"\text{{if }} {tex(condition)}")
    return [lines]


def equation(lhs: str, rhs: sp.Expr) -> str:
    """``lhs = rhs`` for a LaTeX document: ``equation*``, or ``multline*`` when it needs more lines."""
    out = []
    for lines in equation_lines(lhs, rhs):
        env = "equation*" if len(lines) == 1 else "multline*"
        body = " \\\\\n".join(lines)
        out.append(f"\\begin{{{env}}}\n{body}\n\\end{{{env}}}\n")
    return "".join(out)


def _fragment(result: Result) -> str:
    body = "".join(equation(lhs, rhs) for lhs, rhs in result.equations)
    return f"\\subsection*{{{result.title}}}\n\\noindent\\emph{{{PROVENANCE[result.how]}}}\n{body}\n"


def _name(key: str) -> str:
    return key.replace("_", " ")


def _dynamics() -> dict[str, Result]:
    out: dict[str, Result] = {}
    for reset in RESETS:
        out[f"update_{reset}"] = Result("LIF voltage updates", f"Voltage update, {_name(reset)} reset",
                                        (("v_t", VOLTAGE_UPDATES[reset]),), "update")
    for (reset, detached), entries in jac.JACOBIANS.items():
        how = "detached" if detached else "attached"
        out[f"jacobian_{reset}_{how}"] = Result(
            "One-step Jacobians", f"Jacobian, {_name(reset)} reset, reset gradient {how}",
            ((r"M_{ii}", entries.diagonal), (r"M_{ij}", entries.off_diagonal)), "jacobian")
    for family in FAMILIES:
        out[f"surrogate_{family}"] = Result("Surrogate-gradient families", _name(family),
                                            ((r"\mathrm{SG}(u)", FAMILIES[family].definition),), "surrogate")
    return out


def _moments() -> dict[str, Result]:
    out: dict[str, Result] = {}
    for family in FAMILIES:
        for m in ex.MOMENTS:
            head, tail = ex.STABLE_PRIMITIVES[(family, m)]
            out[f"primitive_{family}_m{m}"] = Result(
                "Primitives of the SG shapes", f"{_name(family)}, $m = {m}$",
                ((f"F_{m}(X)", head), (f"T_{m}(X)", tail)), "primitive")
    delta = sp.Symbol("delta", real=True)
    for family in ex.GAUSSIAN_CLOSED_FAMILIES:
        for m in ex.MOMENTS:
            # the moment depends on the mean only through delta = theta - mean
            moment = ex.gaussian_moment(family, m).subs({ex.theta: 0, ex.mean: -delta}, simultaneous=True)
            out[f"gaussian_{family}_m{m}"] = Result(
                r"Moments under a Gaussian voltage $v \sim \mathcal{N}(\mu, \sigma^2)$, $\delta = \vartheta - \mu$",
                f"{_name(family)}, $m = {m}$", ((rf"\mathbb{{E}}[\mathrm{{SG}}^{m}]", moment),),
                "gaussian_rewritten" if family in ex.GAUSSIAN_REWRITTEN_FAMILIES else "gaussian_derived")
    return out


def _conditions() -> dict[str, Result]:
    out: dict[str, Result] = {}
    for reset in RESETS:
        for variant in c.VARIANTS:
            out[f"condition_i_{reset}_{variant}"] = Result(
                "Condition I (recurrent mean)", f"{_name(reset)} reset, {variant}",
                ((r"\mu_W", c.condition_i(reset, variant)),), "condition_i")
    spike = sp.Function("H")(c.lif.v - c.lif.theta)
    for reset in RESETS:
        shift, gain = c.rate_chain(reset)
        out[f"rate_chain_{reset}"] = Result(
            "Condition I, firing-rate form: the voltage chain", f"{_name(reset)} reset",
            (("v_t", shift + gain * c.lif.I), ("z_{t-1}", spike)), "rate_chain")
    mean, quenched, temporal = c.current_statistics()
    out["current_statistics"] = Result(
        "Condition I, firing-rate form: the current", "mean, quenched and temporal variance",
        ((r"\mathbb{E}[I]", mean), (r"\sigma_q^2", quenched), (r"\sigma_t^2", temporal)), "current_statistics")
    for variant in c.VARIANTS:
        out[f"condition_ii_{variant}"] = Result("Condition II (recurrent variance)", variant,
                                                ((r"\sigma_W^2", c.condition_ii(variant)),), f"condition_ii_{variant}")
    for reset in RESETS:
        out[f"condition_iii_{reset}"] = Result("Condition III (dampening)", f"{_name(reset)} reset",
                                               ((r"\gamma_i", c.condition_iii(reset)),), "condition_iii")
    for reset in RESETS:
        forms = {"paper": c.condition_iv(reset, "paper"),
                 "exact, reset detached": c.condition_iv(reset, "exact", True),
                 "exact, reset attached": c.condition_iv(reset, "exact", False)}
        for form, expr in forms.items():
            stem = f"condition_iv_{reset}_{form.replace(', reset ', '_').replace(' ', '_')}"
            out[stem] = Result("Condition IV (sharpness or tail): residual $=0$", f"{_name(reset)} reset, {form}",
                               (("0", expr),), "condition_iv_paper" if form == "paper" else "condition_iv_exact")
    out.update(_edge())
    out["edge_lagged"] = Result(
        "Edge of stability", r"the lagged prototype (a baseline), $\Lambda = \mathbb{E}[\mathrm{SG}_t^2]"
        r" + 2 \sum_{k \ge 1} \alpha^k \mathbb{E}[\mathrm{SG}_t \mathrm{SG}_{t-k}]$",
        ((r"\rho", edge.LAGGED_GROWTH),), "edge_lagged")
    return out


def _edge() -> dict[str, Result]:
    """The edge-of-stability condition (derivations/edge.py): the backward step, its Gaussian moments,
    the field covariance and the protocol's growth factor."""
    section = "Edge of stability (the mean-field condition)"
    i, count = sp.Symbol("i", integer=True), sp.Symbol("N", positive=True, integer=True)
    field_covariance = sp.Sum(edge.FIELD_COVARIANCE_TERM, (i, 1, count)) / count
    return {
        "edge_dmft_step": Result(section, "the backward step of neuron $j$, $h_t$ its normalised Gaussian field",
                                 ((r"\delta_{t-1}", edge.BACKWARD_STEP),), "edge_dmft_step"),
        "edge_dmft_moments": Result(section, "its second moments, $Z$ any Gaussian variable of the neuron's past",
                                    ((r"\mathbb{E}[\delta_{t-1}^2]", edge.backward_step_variance()),
                                     (r"\mathbb{E}[\delta_{t-1} Z]", edge.backward_step_covariance())),
                                    "edge_dmft_moments"),
        "edge_dmft_attached": Result(
            section, r"reset attached: $r_t = \partial v_t / \partial z_{t-1}$ adds $r_t \mathrm{SG}_{t-1}$ to the "
                     r"diagonal, the same $\mathrm{SG}_{t-1}$ as the field's",
            ((r"\delta_{t-1}", edge.ATTACHED_BACKWARD_STEP),
             (r"\mathbb{E}[\delta_{t-1}^2]", edge.backward_step_variance(True)),
             (r"\mathbb{E}[\delta_{t-1} Z]", edge.backward_step_covariance(True))), "edge_dmft_attached"),
        "edge_dmft_alif": Result(
            section, r"ALIF (threshold $A_t = \vartheta + b a_t$, $a_t = \rho_a a_{t-1} + (1 - \rho_a) z_{t-1}$): "
                     r"the adaptation's adjoint $\varepsilon_t$ is a second backward variable, $k_t = \partial v_t / "
                     r"\partial A_t$, $\mathrm{SG}_{t-1}$ at $v_{t-1} - A_{t-1}$; only $\delta$ feeds the field",
            ((r"\delta_{t-1}", edge.ALIF_BACKWARD_STEP), (r"\varepsilon_{t-1}", edge.ALIF_ADAPTATION_STEP)),
            "edge_dmft_alif"),
        "edge_dmft_condition": Result(
            section, r"field covariance and growth, $\Gamma_t = \frac{1}{N}\sum_j \mathbb{E}[\delta_j(t-1)^2]$ "
                     r"(signals normalised to $\frac{1}{N}\sum_j \mathbb{E}[\delta_j(t)^2] = 1$)",
            ((r"R(t, s)", field_covariance), (r"\ln \rho", edge.LOG_GROWTH)), "edge_dmft_condition"),
    }


def results() -> dict[str, Result]:
    """File stem -> :class:`Result` for every derived result, in document order."""
    return {**_dynamics(), **_moments(), **_conditions()}


def fragments() -> dict[str, tuple[str, str]]:
    """File stem -> (section, LaTeX body) for every derived result, in document order."""
    return {stem: (r.section, _fragment(r)) for stem, r in results().items()}


def document(parts: dict[str, tuple[str, str]]) -> str:
    """The combined, standalone document."""
    lines = [
        r"\documentclass{article}", r"\usepackage{amsmath,amssymb}",
        r"\usepackage[margin=2cm]{geometry}",
        r"\title{lifstab: derived stability results}", r"\date{}", r"\begin{document}", r"\maketitle",
        "Generated by \\texttt{lifstab derive --latex} from the SymPy derivations.", NOTATION,
    ]
    section = None
    for _, (sec, body) in parts.items():
        if sec != section:
            lines.append(f"\\section*{{{sec}}}")
            section = sec
        lines.append(body)
    lines.append(r"\end{document}")
    return "\n".join(lines) + "\n"


def write_latex(out_dir: Path) -> list[Path]:
    """Write every fragment and the combined document into ``out_dir``; return the paths."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    parts = fragments()
    paths = []
    for stem, (_, body) in parts.items():
        path = out_dir / f"{stem}.tex"
        path.write_text(body, encoding="utf-8")
        paths.append(path)
    combined = out_dir / COMBINED
    combined.write_text(document(parts), encoding="utf-8")
    return [*paths, combined]
