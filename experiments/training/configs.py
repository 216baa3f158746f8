"""One training run, described declaratively: a frozen dataclass with a stable identifier."""

from __future__ import annotations

import hashlib
import json
import math
from dataclasses import asdict, dataclass, fields, replace

from lifstab.edge_keeping import KNOBS, check_target_rho
from lifstab.recipe import RECIPE
from lifstab.surrogates import FAMILIES

from .initialisation import CONDITION_SETS, INITS
from .models import ANN_MODELS, MODELS, READOUTS
from .tasks import LOADERS


#: fields added after results were committed, left out of ``run_id`` at these defaults so that
#: earlier rows keep their identifiers
LATER_FIELDS = {"target_rho": None, "keep_every": 5, "keep_knob": "sharpness", "recurrent_lr_scale": 1.0,
                "delay": None, "readout": "linear"}


#: the fields of a run with lifstab's recommendation: stable_init_ and the training recipe (lifstab.recipe)
RECOMMENDED = {"init": "recommended", **RECIPE.run_fields()}


@dataclass(frozen=True)
class RunConfig:
    """Everything that defines one training run (the runner's unit of work).

    ``experiment`` names the family a run belongs to (it is part of the identity, so two families
    may hold the same network without sharing a row). ``conditions`` (a key of ``CONDITION_SETS``)
    applies a subset of Conditions I-IV for the ablation; ``target_rate`` pre-trains the biases to
    that initial firing rate; ``sparsity_loss`` adds ``s(epoch) (mean rate - 0.01)^2`` ramped on
    from E/5 to 3E/5. ``target_rho`` keeps the edge during training (:class:`lifstab.EdgeKeeper`: every
    ``keep_every`` steps each layer's ``keep_knob`` (sharpness or dampening) is re-set to measured rho = ``target_rho``);
    ``recurrent_lr_scale`` multiplies the learning rate of the recurrent weights; ``readout`` is
    ``"linear"`` or ``"membrane"`` (a leaky output layer); ``delay`` is the memory task's.
    """

    experiment: str = "single"
    task: str = "digits"
    model: str = "lif"
    sg: str = "fast_sigmoid"
    dampening: float = 1.0
    sharpness: float = 1.0
    tail: float | None = None
    lr: float = 1e-3
    epochs: int = 5
    batch_size: int = 64
    hidden: int = 64
    layers: int = 2
    tau: float = 20.0
    threshold: float = 1.0
    init: str = "default"
    conditions: str | None = None
    target_rate: float | None = None
    sparsity_loss: bool = False
    target_rho: float | None = None
    keep_every: int = 5
    keep_knob: str = "sharpness"
    recurrent_lr_scale: float = 1.0
    readout: str = "linear"
    seed: int = 0
    time_steps: int | None = None
    delay: int | None = None
    max_samples: int | None = None
    data_path: str | None = None

    def __post_init__(self) -> None:
        choices = {"task": LOADERS, "model": MODELS, "sg": FAMILIES, "init": INITS}
        for name, allowed in choices.items():
            if getattr(self, name) not in allowed:
                raise ValueError(f"{name}={getattr(self, name)!r} is unknown; choose one of {sorted(allowed)}")
        if self.conditions is not None and self.conditions not in CONDITION_SETS:
            raise ValueError(f"conditions={self.conditions!r} is unknown; choose one of {list(CONDITION_SETS)}")
        if self.conditions is not None and self.init != "default":
            raise ValueError(f"conditions (the ablation) and init={self.init!r} are exclusive; pick one")
        if FAMILIES[self.sg].has_tail and self.tail is None:
            object.__setattr__(self, "tail", 2.0)
        for name in ("dampening", "sharpness", "lr", "tau", "threshold"):
            if not getattr(self, name) > 0:
                raise ValueError(f"{name} must be > 0, got {getattr(self, name)!r}")
        for name in ("epochs", "batch_size", "hidden", "layers"):
            if not isinstance(getattr(self, name), int) or getattr(self, name) < 1:
                raise ValueError(f"{name} must be a positive integer, got {getattr(self, name)!r}")
        if self.target_rate is not None and not 0 < self.target_rate < 1:
            raise ValueError(f"target_rate must lie in (0, 1), got {self.target_rate!r}")
        if (self.target_rate is not None or self.sparsity_loss or self.target_rho is not None) and self.model in ANN_MODELS:
            raise ValueError(f"target_rate, target_rho and sparsity_loss need a spiking model, not model={self.model!r}")
        if self.target_rho is not None:
            check_target_rho(self.target_rho)
        if self.readout not in READOUTS or (self.readout != "linear" and self.model not in ("lif", "alif")):
            raise ValueError(f"readout={self.readout!r} must be one of {list(READOUTS)} ('membrane' needs model "
                             f"lif or alif, got {self.model!r})")
        if self.keep_knob not in KNOBS:  # named as the config field, not as EdgeKeeper's argument
            raise ValueError(f"keep_knob={self.keep_knob!r} is unknown; choose one of {list(KNOBS)}")
        if not isinstance(self.keep_every, int) or self.keep_every < 1:
            raise ValueError(f"keep_every must be a positive integer, got {self.keep_every!r}")
        if not (math.isfinite(self.recurrent_lr_scale) and self.recurrent_lr_scale >= 0):
            raise ValueError(f"recurrent_lr_scale must be finite and >= 0, got {self.recurrent_lr_scale!r}")
        if self.delay is not None and (self.task != "memory" or not isinstance(self.delay, int) or self.delay < 0):
            raise ValueError(f"delay must be an integer >= 0 and needs task='memory', got delay={self.delay!r}, "
                             f"task={self.task!r}")

    @property
    def run_id(self) -> str:
        """A short hash of every field: the key a rerun uses to skip finished runs."""
        fields_ = {k: v for k, v in asdict(self).items() if k not in LATER_FIELDS or v != LATER_FIELDS[k]}
        text = json.dumps(fields_, sort_keys=True)
        return hashlib.sha1(text.encode()).hexdigest()[:12]

    def replace(self, **changes) -> "RunConfig":
        return replace(self, **changes)

    @classmethod
    def field_names(cls) -> list[str]:
        return [f.name for f in fields(cls)]
