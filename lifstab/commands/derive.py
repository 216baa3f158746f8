"""`lifstab derive`: regenerate lifstab/_generated/ from derivations/ (needs SymPy);
`lifstab derive --latex DIR` writes every derived result as LaTeX instead."""

from __future__ import annotations

import argparse
from pathlib import Path


def run(args: argparse.Namespace) -> int:
    if args.latex is not None:
        from lifstab_derivations.latex import COMBINED, write_latex

        paths = write_latex(args.latex)
        print(f"wrote {len(paths)} LaTeX files; combined document: {Path(args.latex) / COMBINED}")
        return 0
    from lifstab_derivations import codegen

    return codegen.main(["--check"] if args.check else [])


def register(sub) -> None:
    p = sub.add_parser("derive", help="regenerate lifstab/_generated/ from derivations/")
    p.add_argument("--check", action="store_true", help="exit 1 when the checked-in kernels are stale")
    p.add_argument("--latex", type=Path, metavar="DIR", default=None,
                   help="write every derived result as .tex files and DIR/lifstab_derivations.tex")
    p.set_defaults(func=run)
