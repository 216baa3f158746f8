"""Tutorial: put lifstab's derivations in a paper (LaTeX).

``python docs/tutorials/latex_paper.py OUT_DIR`` writes every derived result as a fragment
(``OUT_DIR/<name>.tex``, what ``lifstab derive --latex OUT_DIR`` writes), then a small paper that
``\\input``s three of them next to one equation typeset from Python, and compiles it when pdflatex is
installed. tests/test_tutorials.py runs this file.
"""

import shutil
import subprocess
import sys
from pathlib import Path

from lifstab_derivations import condition_i, condition_iv
from lifstab_derivations.latex import COMBINED, NOTATION, equation, tex, write_latex

out = Path(sys.argv[1] if len(sys.argv) > 1 else "paper")

# 1. Every result as a fragment, plus the combined document (its notation section defines every symbol).
paths = write_latex(out)
print(f"wrote {len(paths)} files; the combined document is {out / COMBINED}")

# 2. Any expression in the paper's notation, straight from the SymPy derivations.
mu_w = condition_i("multiplicative_2", "exact")
print("Condition I, multiplicative-2 reset, inline:", f"${tex(mu_w)}$")
residual = condition_iv("subtractive", "exact", detached=True)  # long: broken over lines (multline*)
custom = equation(r"0", residual)

# 3. A paper that uses them: \input the fragments you cite; keep the notation section once.
paper = out / "paper.tex"
paper.write_text("\n".join([
    r"\documentclass{article}", r"\usepackage{amsmath,amssymb}", r"\begin{document}",
    NOTATION,
    r"\section{Initialisation}",
    r"We set the recurrent mean by Condition I and the recurrent variance by Condition II:",
    r"\input{condition_i_subtractive_exact}", r"\input{condition_ii_exact}",
    r"The sharpness solves Condition IV, with the reset gradient detached:", custom,
    r"\input{jacobian_multiplicative_2_detached}",
    r"\end{document}", ""]))
print("wrote", paper)

# 4. Compile it, if pdflatex is installed (Debian: apt-get install texlive-latex-base).
if shutil.which("pdflatex") is None:
    print("pdflatex is not installed: paper.tex not compiled")
else:
    subprocess.run(["pdflatex", "-interaction=nonstopmode", "-halt-on-error", "paper.tex"],
                   cwd=out, check=True, capture_output=True)
    overfull = (out / "paper.log").read_text(errors="replace").count("Overfull")
    print(f"compiled {out / 'paper.pdf'}; overfull boxes: {overfull}")
