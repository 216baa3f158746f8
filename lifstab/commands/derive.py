"""`lifstab derive`: regenerate lifstab/_generated/ from derivations/ (needs SymPy)."""

from __future__ import annotations

import argparse


def run(args: argparse.Namespace) -> int:
    from derivations import codegen

    return codegen.main(["--check"] if args.check else [])


def register(sub) -> None:
    p = sub.add_parser("derive", help="regenerate lifstab/_generated/ from derivations/")
    p.add_argument("--check", action="store_true", help="exit 1 when the checked-in kernels are stale")
    p.set_defaults(func=run)
