"""The ``lifstab`` command line: the top floor, the one place that may import both lifstab and
lifstab_experiments (lazily, inside each subcommand's ``run``).

Each subcommand is a module of :mod:`lifstab.commands`. Errors in user input, and a command run
without the ``experiments`` extra it needs, print one line and exit 2, with no traceback.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Sequence

from .commands import COMMANDS

#: import names of the packages of the ``experiments`` extra (pyproject.toml)
EXPERIMENTS_EXTRA = ("pandas", "markdown", "tabulate", "sklearn", "h5py", "mnist1d", "submitit")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="lifstab", description="Stable LIF initialisation and surrogate gradients.")
    sub = parser.add_subparsers(dest="command", required=True)
    for name in COMMANDS:
        importlib.import_module(f".commands.{name}", __package__).register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except (ValueError, FileNotFoundError) as exc:
        print(f"lifstab {args.command}: error: {exc}", file=sys.stderr)
        return 2
    except ModuleNotFoundError as exc:
        if (exc.name or "").split(".")[0] not in EXPERIMENTS_EXTRA:
            raise
        print(f"lifstab {args.command}: error: this command needs the 'experiments' extra ({exc}); install it "
              "with: pip install 'lifstab[experiments]'", file=sys.stderr)
        return 2
    except BrokenPipeError:  # `lifstab conditions ... | head`: the reader left; no traceback
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())  # Python's final flush of stdout must not fail again
        return 0


if __name__ == "__main__":
    raise SystemExit(main())
