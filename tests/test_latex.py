"""The LaTeX of the derivations reads like a paper: paper notation, lines that fit, standard math."""

import re

import sympy as sp
from sympy.codegen.cfunctions import expm1, log1p

from lifstab_derivations import latex
from lifstab_derivations.latex import PAPER_NOTATION, fragments, results, split_lines, tex, width


def test_every_symbol_of_every_result_has_a_paper_name():
    for stem, result in results().items():
        for _, expr in result.equations:
            missing = {s.name for s in sp.sympify(expr).free_symbols} - set(PAPER_NOTATION)
            assert not missing, (stem, missing)


def test_no_code_name_reaches_the_latex():
    """Multi-letter code names (decay, reset_spikes, sharpness, std, ...) never appear as italic runs."""
    code_names = [name for name, paper in PAPER_NOTATION.items() if len(name) > 2 and paper != name]
    for stem, (_, fragment) in fragments().items():
        title, how, body = fragment.split("\n", 2)  # the equations, without the title and the provenance line
        assert how.startswith("\\noindent\\emph{") and ("Derived" in how or "Stated" in how), (stem, how)
        for name in code_names + ["reset_{spikes}", "expm", "log1p"]:
            assert not re.search(rf"(?<![\\A-Za-z]){re.escape(name)}(?![A-Za-z])", body), (stem, name)


def test_stable_helpers_print_as_standard_math():
    x = sp.Symbol("X", nonnegative=True)
    assert tex(-expm1(-2 * x) / 2) == tex((1 - sp.exp(-2 * x)) / 2)
    q = sp.Symbol("tail", positive=True)
    assert "q - 1" in tex(sp.exp((1 - q) * log1p(2 * x / (q - 1))))
    assert r"\ln" not in tex(sp.exp((1 - q) * log1p(2 * x / (q - 1))))  # exp(a ln b) -> b^a


def test_split_lines_keeps_every_term_and_fits_where_a_sum_allows():
    a, b = sp.symbols("sharpness dampening", positive=True)
    long_sum = sum(sp.erf(a * k + b) / (k + a) for k in range(1, 30))
    lines = split_lines(long_sum, budget=40)
    assert len(lines) > 5
    assert all(width(line) <= 40 for line in lines)
    assert " ".join(lines).count(r"\operatorname{erf}") == 29
    product = b * long_sum  # a product with a long sum: the factor stays outside the delimiters
    lines = split_lines(product, budget=40)
    assert lines[0].startswith(r"\gamma \Bigl(") and lines[-1].endswith(r"\Bigr)")


def test_long_results_are_multline():
    body = fragments()["gaussian_triangular_m2"][1]
    assert r"\begin{multline*}" in body and body.count(r"\\") >= 3
