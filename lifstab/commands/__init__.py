"""One module per ``lifstab`` subcommand, each with ``register(subparsers)``.

Modules import their heavy dependencies inside ``run`` so that ``lifstab --help`` stays fast.
"""

#: subcommand modules, in the order ``lifstab --help`` lists them
COMMANDS = ("reproduce", "derive", "plots", "families", "edge")
