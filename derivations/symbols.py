"""The symbols every derivation shares, named as in docs/theory.md.

Short names mirror the equations; the generated code uses the long public names
(``dampening``, ``sharpness``, ``tail``) given as each symbol's name.
"""

import sympy as sp

#: centred voltage u = v - theta
u = sp.Symbol("u", real=True)
#: dampening gamma: the surrogate's peak height SG(0)
gamma = sp.Symbol("dampening", positive=True)
#: sharpness beta: the surrogate's area is gamma / beta
beta = sp.Symbol("sharpness", positive=True)
#: tail q of the q-PseudoSpike family (q > 1)
q = sp.Symbol("tail", positive=True)
