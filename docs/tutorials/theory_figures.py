"""Tutorial: regenerate the theory figures from the derivations alone (no simulation, no training).

``python docs/tutorials/theory_figures.py OUT_DIR [NAME ...]`` draws every theory figure (or the named
ones) as PNG and PDF into OUT_DIR (default ``results/figures/theory``); ``lifstab plots --out OUT_DIR
[--only NAME ...]`` is the same from the shell.
The figures use only the generated kernels in ``lifstab/_generated/``: after you change a formula in
``derivations/``, run ``lifstab derive`` and then this script. tests/test_tutorials.py runs this file.
"""

import sys
from pathlib import Path

from lifstab_experiments.report.theory_figures import FIGURES, draw_all

out = Path(sys.argv[1] if len(sys.argv) > 1 else "results/figures/theory")
names = sys.argv[2:] or None  # None: all of them
print("figures:", ", ".join(FIGURES))
for path in draw_all(out, names):
    print("wrote", path)
