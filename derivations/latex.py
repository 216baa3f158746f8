"""Every result as LaTeX: one ``.tex`` fragment per result plus one combined document. Each fragment
says how the result was obtained: *derived* (by ``sympy.integrate``, ``sympy.solve`` or ``sympy.diff``
in derivations/) or *stated* (typed: a model definition, the authors' equation, a floating-point-safe
form) and how it is checked.

``lifstab derive --latex DIR`` (or :func:`write_latex`) writes ``DIR/<name>.tex`` fragments and
``DIR/lifstab_derivations.tex``, a standalone article that compiles with a plain LaTeX
(amsmath only).
"""

from __future__ import annotations

from pathlib import Path

import sympy as sp

from . import conditions as c
from . import expectations as ex
from . import jacobians as jac
from .lif import RESETS, VOLTAGE_UPDATES
from .surrogates import FAMILIES

COMBINED = "lifstab_derivations.tex"


def _tex(expr: sp.Expr) -> str:
    return sp.latex(expr, ln_notation=True)


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
}


def _fragment(title: str, body: str, how: str) -> str:
    return f"\\subsection*{{{title}}}\n\\noindent\\emph{{{PROVENANCE[how]}}}\n{body}\n"


def _equation(lhs: str, rhs: sp.Expr) -> str:
    # long closed forms overflow the line; LaTeX still compiles them (overfull box warning only)
    return f"\\begin{{equation*}}\n{lhs} = {_tex(rhs)}\n\\end{{equation*}}\n"


def fragments() -> dict[str, tuple[str, str]]:
    """File stem -> (section, LaTeX body) for every derived result, in document order."""
    out: dict[str, tuple[str, str]] = {}
    for reset in RESETS:
        out[f"update_{reset}"] = ("LIF voltage updates", _fragment(
            f"Voltage update, {reset.replace('_', ' ')} reset", _equation("v_t", VOLTAGE_UPDATES[reset]), "update"))
    for (reset, detached), entries in jac.JACOBIANS.items():
        how = "detached" if detached else "attached"
        body = _equation(r"M_{ii}", entries.diagonal) + _equation(r"M_{ij}", entries.off_diagonal)
        out[f"jacobian_{reset}_{how}"] = ("One-step Jacobians", _fragment(
            f"Jacobian, {reset.replace('_', ' ')} reset, reset gradient {how}", body, "jacobian"))
    for family in FAMILIES:
        for m in ex.MOMENTS:
            head, tail = ex.STABLE_PRIMITIVES[(family, m)]
            body = _equation(f"F_{m}(X)", head) + _equation(f"T_{m}(X)", tail)
            out[f"primitive_{family}_m{m}"] = ("Primitives of the SG shapes", _fragment(
                f"{family.replace('_', ' ')}, $m = {m}$", body, "primitive"))
            if family in ex.GAUSSIAN_CLOSED_FAMILIES:
                out[f"gaussian_{family}_m{m}"] = ("Moments under a Gaussian voltage", _fragment(
                    f"{family.replace('_', ' ')}, $m = {m}$",
                    _equation(rf"\mathbb{{E}}[\mathrm{{SG}}^{m}]", ex.gaussian_moment(family, m)),
                    "gaussian_rewritten" if family in ex.GAUSSIAN_REWRITTEN_FAMILIES else "gaussian_derived"))
    for reset in RESETS:
        for variant in c.VARIANTS:
            out[f"condition_i_{reset}_{variant}"] = ("Condition I (recurrent mean)", _fragment(
                f"{reset.replace('_', ' ')} reset, {variant}", _equation(r"\mu_W", c.condition_i(reset, variant)),
                "condition_i"))
    for reset in RESETS:
        shift, gain = c.rate_chain(reset)
        body = (_equation(r"v_t", shift + gain * sp.Symbol("I_t"))
                + "\\begin{equation*}\nreset_{spikes} = H(voltage - threshold)\n\\end{equation*}\n")
        out[f"rate_chain_{reset}"] = ("Condition I, firing-rate form: the voltage chain", _fragment(
            f"{reset.replace('_', ' ')} reset", body, "rate_chain"))
    mean, quenched, temporal = c.current_statistics()
    out["current_statistics"] = ("Condition I, firing-rate form: the current", _fragment(
        "mean, quenched and temporal variance",
        _equation(r"\mathbb{E}[I]", mean) + _equation(r"\sigma_q^2", quenched) + _equation(r"\sigma_t^2", temporal),
        "current_statistics"))
    for variant in c.VARIANTS:
        out[f"condition_ii_{variant}"] = ("Condition II (recurrent variance)", _fragment(
            variant, _equation(r"\sigma_W^2", c.condition_ii(variant)), f"condition_ii_{variant}"))
    for reset in RESETS:
        out[f"condition_iii_{reset}"] = ("Condition III (dampening)", _fragment(
            f"{reset.replace('_', ' ')} reset", _equation(r"\gamma_i", c.condition_iii(reset)), "condition_iii"))
    for reset in RESETS:
        forms = {"paper": c.condition_iv(reset, "paper"),
                 "exact, reset detached": c.condition_iv(reset, "exact", True),
                 "exact, reset attached": c.condition_iv(reset, "exact", False)}
        for form, expr in forms.items():
            stem = f"condition_iv_{reset}_{form.replace(', reset ', '_').replace(' ', '_')}"
            out[stem] = ("Condition IV (sharpness or tail): residual $=0$", _fragment(
                f"{reset.replace('_', ' ')} reset, {form}", _equation(r"0", expr),
                "condition_iv_paper" if form == "paper" else "condition_iv_exact"))
    return out


def document(parts: dict[str, tuple[str, str]]) -> str:
    """The combined, standalone document."""
    lines = [
        r"\documentclass{article}", r"\usepackage{amsmath,amssymb,graphicx}",
        r"\usepackage[margin=2cm]{geometry}",
        r"\title{lifstab: derived stability results}", r"\date{}", r"\begin{document}", r"\maketitle",
        "Generated by \\texttt{lifstab derive --latex} from the SymPy derivations.",
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
