"""The kernels' C source: the files next to this module (``header.h``, ``products.c``, ``forward.c``,
``backward.c``, shipped as package data), written once for ``REAL`` (float and double) and, for the LIF
loops, ``RESET``, with the reset's update and its partial derivatives printed as C by ``lifstab derive``
(lifstab/_generated/lif_c.py, lif_grad_c.py) filled in."""

from __future__ import annotations

from importlib import resources

import torch

from .._generated import lif_c, lif_grad_c

#: C types of the supported dtypes, and the suffix of their kernels
DTYPES: dict[torch.dtype, str] = {torch.float32: "float", torch.float64: "double"}


def _read(name: str) -> str:
    return resources.files(__package__).joinpath(name).read_text()


#: shared part of the C source: the vector nonzero test of a block of entries, where the CPU has AVX2
HEADER = _read("header.h")
#: the kernels, written once for ``REAL`` (replaced by float and double)
TEMPLATE = _read("products.c")
#: the fused forward loop of a LIF layer, written once for ``REAL`` and ``RESET``; ``UPDATE`` is the
#: reset's voltage update printed as C by ``lifstab derive`` (lifstab/_generated/lif_c.py)
FORWARD_TEMPLATE = _read("forward.c")
#: one step of the LIF backward pass, written once for ``REAL`` and ``RESET``; the partial derivatives
#: ``d_<argument>`` of the reset's update are ``sympy.diff`` of it printed as C by ``lifstab derive``
#: (lifstab/_generated/lif_grad_c.py)
BACKWARD_TEMPLATE = _read("backward.c")
#: the arguments whose partials the backward step reads
PARTIAL_ARGUMENTS = ("voltage", "current", "reset_spikes", "decay", "threshold")


def _forward_source(reset: str, ctype: str) -> str:
    parameters = ", ".join(f"REAL {name}" for name in lif_c.ARGUMENTS[reset])
    return (FORWARD_TEMPLATE.replace("PARAMETERS", parameters).replace("UPDATE", lif_c.EXPRESSIONS[reset])
            .replace("RESET", reset).replace("REAL", ctype))


def _backward_source(reset: str, ctype: str) -> str:
    parameters = ", ".join(f"REAL {name}" for name in lif_c.ARGUMENTS[reset])
    partials = "".join(
        f"static inline REAL d_{argument}_RESET({parameters}) "
        f"{{ return {lif_grad_c.EXPRESSIONS[f'{reset}_d_{argument}']}; }}\n"
        for argument in PARTIAL_ARGUMENTS)
    return BACKWARD_TEMPLATE.replace("PARTIALS", partials).replace("RESET", f"{reset}_{ctype}").replace("REAL", ctype)


SOURCE = HEADER + "".join(TEMPLATE.replace("REAL", ctype)
                          + "".join(_forward_source(reset, ctype) + _backward_source(reset, ctype)
                                    for reset in lif_c.EXPRESSIONS)
                          for ctype in ("float", "double"))
