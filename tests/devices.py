"""The devices the layer, kernel and measurement tests run on: every device torch sees here (CPU, and
CUDA where available), so that the same tests run on a GPU machine and nothing is skipped on a CPU one."""

import torch

DEVICES = ["cpu"] + (["cuda"] if torch.cuda.is_available() else [])

