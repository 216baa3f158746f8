# GENERATED FILE: do not edit by hand.
# Written by `lifstab derive` (derivations/codegen.py) from the SymPy expressions in derivations/.
# Change the derivations, then run `lifstab derive`; tests/test_generated_drift.py fails on drift.


"""Generated C99 expressions: lif."""


EXPRESSIONS = {
    'subtractive': 'current + decay*voltage - reset_spikes*threshold',
    'multiplicative_1': '(1 - reset_spikes)*(current + decay*voltage)',
    'multiplicative_2': 'current + decay*voltage*(1 - reset_spikes)',
    'none': 'current + decay*voltage',
}


ARGUMENTS = {
    'subtractive': ('voltage', 'current', 'reset_spikes', 'decay', 'threshold'),
    'multiplicative_1': ('voltage', 'current', 'reset_spikes', 'decay', 'threshold'),
    'multiplicative_2': ('voltage', 'current', 'reset_spikes', 'decay', 'threshold'),
    'none': ('voltage', 'current', 'reset_spikes', 'decay', 'threshold'),
}
