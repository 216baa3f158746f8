"""The theory checked against simulation, with no training: each module sets a prediction of the conditions or
the edge-of-stability predictor (``lifstab``) against what a simulated network at initialisation measures.

- ``probes``: forward-pass statistics (firing rate, voltage law, current variances) against the conditions'
  assumptions;
- ``conditions_i_ii``, ``conditions_table``: Conditions I-IV, predicted against measured, per reset and variant;
- ``edge``, ``edge_study``: the measured critical sharpness against each method's prediction on a random grid;
- ``edge_margin``: measured rho at multiples of the predicted critical sharpness on the training experiments'
  networks (built with :mod:`lifstab_experiments.training`, not trained): the edge route's margin.

Modules with a command line: ``python -m lifstab_experiments.verification.<module> --help``.
"""
