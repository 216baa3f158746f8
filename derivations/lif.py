"""The LIF voltage update of every reset variant (docs/theory.md section 1), defined once.

``z`` here is the spike of the previous step as it enters the *reset* term; when the reset gradient
is detached, the runtime passes a stop-gradient copy of it. The recurrent current (inside ``I``)
always keeps its gradient.
"""

import sympy as sp

#: voltage v_{t-1}, input current I_t, previous spikes z_{t-1} (reset term), decay alpha, threshold theta
v = sp.Symbol("voltage", real=True)
I = sp.Symbol("current", real=True)
z = sp.Symbol("reset_spikes", real=True)
alpha = sp.Symbol("decay", positive=True)
theta = sp.Symbol("threshold", positive=True)

#: reset name -> v_t as a function of (v, I, z, alpha, theta)
VOLTAGE_UPDATES: dict[str, sp.Expr] = {
    "subtractive": alpha * v + I - theta * z,
    "multiplicative_1": (alpha * v + I) * (1 - z),
    "multiplicative_2": alpha * v * (1 - z) + I,
    "none": alpha * v + I,
}

RESETS = tuple(VOLTAGE_UPDATES)
UPDATE_ARGS = (v, I, z, alpha, theta)
