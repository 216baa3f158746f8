"""lifstab's experiments: simulations and training runs that check the theory.

Installed as ``lifstab_experiments`` (see docs/guide/layout.md: the folder name is generic, the installed name is not).
Depends on ``lifstab``; nothing in ``lifstab`` imports it except the CLI, lazily.

Grouped into what the report is made of:

- :mod:`.verification`: the theory checked against simulation, with no training: forward-pass probes,
  Conditions I-IV predicted against measured, the measured critical sharpness and the edge-of-stability study,
  the edge route's margin;
- :mod:`.training`: everything that trains networks: tasks, models, run configurations, initialisations, the
  training loop and its diagnosis, the runner and the experiment grids, and the training studies (long horizons,
  a user's plain loop, peer libraries' networks, the edge route trained);
- :mod:`.report`: what turns results into the report: the figure style, the theory figures, tables and plots of
  the result CSVs, the report document, every family at one preset (``lifstab experiment all``) and the main job
  (``lifstab reproduce``).

Imports flow verification/training -> report, except the shared figure style (``report.figures``), which every
study's plots use, lazily; ``verification.edge_margin`` builds its networks with ``training``.
"""
