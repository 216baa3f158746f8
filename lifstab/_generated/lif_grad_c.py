# GENERATED FILE: do not edit by hand.
# Written by `lifstab derive` (derivations/codegen.py) from the SymPy expressions in derivations/.
# Change the derivations, then run `lifstab derive`; tests/test_generated_drift.py fails on drift.


"""Generated C99 expressions: lif_grad."""


EXPRESSIONS = {
    'subtractive_d_voltage': 'decay',
    'subtractive_d_current': '1',
    'subtractive_d_reset_spikes': '-threshold',
    'subtractive_d_decay': 'voltage',
    'subtractive_d_threshold': '-reset_spikes',
    'multiplicative_1_d_voltage': 'decay*(1 - reset_spikes)',
    'multiplicative_1_d_current': '1 - reset_spikes',
    'multiplicative_1_d_reset_spikes': '-current - decay*voltage',
    'multiplicative_1_d_decay': 'voltage*(1 - reset_spikes)',
    'multiplicative_1_d_threshold': '0',
    'multiplicative_2_d_voltage': 'decay*(1 - reset_spikes)',
    'multiplicative_2_d_current': '1',
    'multiplicative_2_d_reset_spikes': '-decay*voltage',
    'multiplicative_2_d_decay': 'voltage*(1 - reset_spikes)',
    'multiplicative_2_d_threshold': '0',
    'none_d_voltage': 'decay',
    'none_d_current': '1',
    'none_d_reset_spikes': '0',
    'none_d_decay': 'voltage',
    'none_d_threshold': '0',
}


ARGUMENTS = {
    'subtractive_d_voltage': ('voltage', 'current', 'reset_spikes', 'decay', 'threshold'),
    'subtractive_d_current': ('voltage', 'current', 'reset_spikes', 'decay', 'threshold'),
    'subtractive_d_reset_spikes': ('voltage', 'current', 'reset_spikes', 'decay', 'threshold'),
    'subtractive_d_decay': ('voltage', 'current', 'reset_spikes', 'decay', 'threshold'),
    'subtractive_d_threshold': ('voltage', 'current', 'reset_spikes', 'decay', 'threshold'),
    'multiplicative_1_d_voltage': ('voltage', 'current', 'reset_spikes', 'decay', 'threshold'),
    'multiplicative_1_d_current': ('voltage', 'current', 'reset_spikes', 'decay', 'threshold'),
    'multiplicative_1_d_reset_spikes': ('voltage', 'current', 'reset_spikes', 'decay', 'threshold'),
    'multiplicative_1_d_decay': ('voltage', 'current', 'reset_spikes', 'decay', 'threshold'),
    'multiplicative_1_d_threshold': ('voltage', 'current', 'reset_spikes', 'decay', 'threshold'),
    'multiplicative_2_d_voltage': ('voltage', 'current', 'reset_spikes', 'decay', 'threshold'),
    'multiplicative_2_d_current': ('voltage', 'current', 'reset_spikes', 'decay', 'threshold'),
    'multiplicative_2_d_reset_spikes': ('voltage', 'current', 'reset_spikes', 'decay', 'threshold'),
    'multiplicative_2_d_decay': ('voltage', 'current', 'reset_spikes', 'decay', 'threshold'),
    'multiplicative_2_d_threshold': ('voltage', 'current', 'reset_spikes', 'decay', 'threshold'),
    'none_d_voltage': ('voltage', 'current', 'reset_spikes', 'decay', 'threshold'),
    'none_d_current': ('voltage', 'current', 'reset_spikes', 'decay', 'threshold'),
    'none_d_reset_spikes': ('voltage', 'current', 'reset_spikes', 'decay', 'threshold'),
    'none_d_decay': ('voltage', 'current', 'reset_spikes', 'decay', 'threshold'),
    'none_d_threshold': ('voltage', 'current', 'reset_spikes', 'decay', 'threshold'),
}
