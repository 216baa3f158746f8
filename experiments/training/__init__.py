"""Everything that trains networks. A run is a frozen :class:`configs.RunConfig`; ``training`` trains one and
returns its row; ``runner`` executes a grid of them (locally or through submitit), one CSV row per finished run,
skipping runs already done; ``grids`` declares the experiment families at two presets.

- the parts of a run: ``tasks`` (datasets and the offline tasks), ``models``, ``configs``, ``initialisation``
  (the arms: default, the recommendation, the condition ablation, fdi, the paper's), ``training`` (the loop),
  ``diagnosis`` (rho, rates and gradients per layer and epoch during training);
- running many: ``runner``, ``grids``;
- the training studies: ``long_horizon`` (accuracy against the horizon per arm), ``plain_loop`` (a user's own
  loop with and without ``lifstab.stable_init_``), ``peer_training`` (snntorch's tutorial network; spikingjelly's
  and norse's networks in ``peer_spikingjelly``, ``peer_norse``), and ``edge_route`` (the edge route's
  method and margin, trained).

Studies with a command line: ``python -m lifstab_experiments.training.<module> --help``.
"""
