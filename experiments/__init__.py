"""lifstab's experiments: simulations and training runs that check the theory.

Installed as ``lifstab_experiments`` (see docs/guide/layout.md: the folder name is generic, the installed name is not).
Depends on ``lifstab``; nothing in ``lifstab`` imports it except the CLI, lazily.
"""
