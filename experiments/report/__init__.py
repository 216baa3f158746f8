"""What turns predictions and results into the report a researcher reads.

- ``figures``: the shared figure style (palette, one way to save PNG and PDF), used by every study's plots;
- ``theory_figures``: figures from the generated kernels alone (``lifstab plots``);
- ``analysis``: tables and plots of the experiment families from the result CSVs (the sensitivity score);
- ``report``: ``report.md`` and ``report.html`` from sections;
- ``suite``: every experiment family at one preset, then its tables (``lifstab experiment all``, and the
  training step of the main job);
- ``reproduce``: the main job behind ``lifstab reproduce``, cached step by step, drawing on
  :mod:`lifstab_experiments.verification` and :mod:`lifstab_experiments.training`.
"""
