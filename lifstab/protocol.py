"""The edge-of-stability protocol's configuration (docs/theory.md section 7; the `lifstab edge` CONFIG):
validation, and the network, inputs and readout it describes.

CONFIG keys (exactly these; unknown extra keys are ignored): ``sg``, ``dampening``, ``q`` (tail, used by
``q_pseudo_spike``), ``n_in``, ``n_rec``, ``tau``, ``thr``, ``input_rate``, ``w_in_std``, ``w_rec_std``,
``w_rec_mean``, ``reset`` (``"subtractive"`` or ``"multiplicative"``, the latter meaning
``multiplicative_2``), ``T``, ``batch``. Optional: ``detach_reset`` (default ``true``: the reset
gradient is stopped; ``false`` keeps it, the attached reset); ``adaptation_tau`` (steps, > 0) and
``adaptation_strength`` (>= 0), given together, make the layer a :class:`~lifstab.RecurrentALIF`
(default ``null``: LIF).
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Mapping

import numpy as np
import torch

from .lif import RecurrentALIF, RecurrentLIF
from .surrogates import FAMILIES, Surrogate

#: CONFIG's reset names -> the layer's reset variants
RESET_NAMES: dict[str, str] = {"subtractive": "subtractive", "multiplicative": "multiplicative_2"}


@dataclass(frozen=True)
class EdgeConfig:
    """One network of the protocol: Bernoulli(input_rate) inputs, ``U ~ N(0, w_in_std^2)``,
    ``W ~ N(w_rec_mean, w_rec_std^2)`` with zero diagonal, no bias, state starting at 0, float64."""

    sg: str
    dampening: float
    q: float | None
    n_in: int
    n_rec: int
    tau: float
    thr: float
    input_rate: float
    w_in_std: float
    w_rec_std: float
    w_rec_mean: float
    reset: str
    T: int
    batch: int
    detach_reset: bool = True
    adaptation_tau: float | None = None
    adaptation_strength: float | None = None

    def to_dict(self) -> dict:
        return asdict(self)

    @property
    def adaptive(self) -> bool:
        """Whether the layer is ALIF (adaptive threshold)."""
        return self.adaptation_tau is not None

    @property
    def layer_reset(self) -> str:
        return RESET_NAMES[self.reset]

    def surrogate(self, sharpness: float = 1.0) -> Surrogate:
        tail = self.q if FAMILIES[self.sg].has_tail else None
        return Surrogate(self.sg, dampening=self.dampening, sharpness=sharpness, tail=tail)


#: CONFIG keys that may be left out, with their defaults
OPTIONAL_KEYS: dict[str, Any] = {"detach_reset": True, "adaptation_tau": None, "adaptation_strength": None}
#: the CONFIG keys every config must have
KEYS = tuple(k for k in EdgeConfig.__dataclass_fields__ if k not in OPTIONAL_KEYS)


def _number(cfg: Mapping[str, Any], key: str, low: float, high: float = math.inf, *, integer: bool = False,
            low_open: bool = False) -> float | int:
    value = cfg[key]
    ok_type = isinstance(value, int) if integer else isinstance(value, (int, float))
    if isinstance(value, bool) or not ok_type:
        kind = "an integer" if integer else "a number"
        raise ValueError(f"CONFIG key {key!r} must be {kind}, got {value!r}")
    if not math.isfinite(value) or value < low or value > high or (low_open and value == low):
        bound = f"{'(' if low_open else '['}{low:g}, {high:g}]"
        raise ValueError(f"CONFIG key {key!r} = {value!r} is out of range {bound}")
    return int(value) if integer else float(value)


def config_from_dict(cfg: Mapping[str, Any]) -> EdgeConfig:
    """Validate a CONFIG mapping; ``ValueError`` naming the key on a missing key, wrong type or value
    out of range. Unknown keys are ignored."""
    if not isinstance(cfg, Mapping):
        raise ValueError(f"CONFIG must be a JSON object, got {type(cfg).__name__}")
    missing = [k for k in KEYS if k not in cfg]
    if missing:
        raise ValueError(f"CONFIG is missing key(s) {missing}")
    if not isinstance(cfg["sg"], str) or cfg["sg"] not in FAMILIES:
        raise ValueError(f"CONFIG key 'sg' = {cfg['sg']!r} is not one of {list(FAMILIES)}")
    if not isinstance(cfg["reset"], str) or cfg["reset"] not in RESET_NAMES:
        raise ValueError(f"CONFIG key 'reset' = {cfg['reset']!r} is not one of {list(RESET_NAMES)}")
    if FAMILIES[cfg["sg"]].has_tail:
        q = _number(cfg, "q", 1.0, low_open=True)
    else:
        q = None if cfg["q"] is None else _number(cfg, "q", -math.inf)
    detach_reset = cfg.get("detach_reset", OPTIONAL_KEYS["detach_reset"])
    if not isinstance(detach_reset, bool):
        raise ValueError(f"CONFIG key 'detach_reset' must be true or false, got {detach_reset!r}")
    adaptation = _adaptation(cfg)
    return EdgeConfig(
        sg=cfg["sg"],
        dampening=_number(cfg, "dampening", 0.0, low_open=True),
        q=q,
        n_in=_number(cfg, "n_in", 1, integer=True),
        n_rec=_number(cfg, "n_rec", 2, integer=True),
        tau=_number(cfg, "tau", 0.0, low_open=True),
        thr=_number(cfg, "thr", 0.0, low_open=True),
        input_rate=_number(cfg, "input_rate", 0.0, 1.0),
        w_in_std=_number(cfg, "w_in_std", 0.0),
        w_rec_std=_number(cfg, "w_rec_std", 0.0),
        w_rec_mean=_number(cfg, "w_rec_mean", -math.inf),
        reset=cfg["reset"],
        T=_number(cfg, "T", 16, integer=True),
        batch=_number(cfg, "batch", 1, integer=True),
        detach_reset=detach_reset,
        adaptation_tau=adaptation[0],
        adaptation_strength=adaptation[1],
    )


def _adaptation(cfg: Mapping[str, Any]) -> tuple[float | None, float | None]:
    """The optional ALIF keys: both null (LIF) or both numbers."""
    given = [cfg.get(k) is not None for k in ("adaptation_tau", "adaptation_strength")]
    if not any(given):
        return None, None
    if not all(given):
        raise ValueError("CONFIG keys 'adaptation_tau' and 'adaptation_strength' must be given together (ALIF)")
    return _number(cfg, "adaptation_tau", 0.0, low_open=True), _number(cfg, "adaptation_strength", 0.0)


def load_weights(path: str | Path, config: EdgeConfig) -> tuple[np.ndarray, np.ndarray]:
    """``w_in`` (n_in x n_rec) and ``w_rec`` (n_rec x n_rec) from an ``.npz``, in the orientation
    ``current = x @ w_in + z @ w_rec``; ``ValueError`` when a key is missing or a shape does not match."""
    with np.load(path) as data:
        missing = [k for k in ("w_in", "w_rec") if k not in data]
        if missing:
            raise ValueError(f"--weights {path}: missing array(s) {missing}")
        w_in, w_rec = np.asarray(data["w_in"], dtype=float), np.asarray(data["w_rec"], dtype=float)
    for name, w, shape in (("w_in", w_in, (config.n_in, config.n_rec)), ("w_rec", w_rec, (config.n_rec, config.n_rec))):
        if w.shape != shape:
            raise ValueError(f"--weights {path}: {name} has shape {w.shape}, CONFIG needs {shape}")
        if not np.all(np.isfinite(w)):
            raise ValueError(f"--weights {path}: {name} contains NaN or inf")
    return w_in, w_rec


def build(config: EdgeConfig, seed: int = 0, weights: tuple[np.ndarray, np.ndarray] | None = None,
          sharpness: float = 1.0) -> tuple[RecurrentLIF, torch.Tensor, torch.Tensor]:
    """The protocol's ``(layer, x, r)`` for ``seed``: float64 layer (ALIF when the config is adaptive) without bias (weights drawn from the
    config unless ``weights = (w_in, w_rec)`` is given; the diagonal of ``w_rec`` is always zero),
    inputs ``x`` (``(T, batch, n_in)``, Bernoulli(input_rate)) and the readout ``r`` (``(batch, n_rec)``,
    standard normal). One generator seeded with ``seed`` draws U, W, x, r in that order."""
    gen = torch.Generator().manual_seed(int(seed))
    dtype = torch.float64
    cls, adaptation = RecurrentLIF, {}
    if config.adaptive:
        cls, adaptation = RecurrentALIF, dict(adaptation_tau=config.adaptation_tau,
                                              adaptation_strength=config.adaptation_strength)
    layer = cls(config.n_in, config.n_rec, tau=config.tau, threshold=config.thr, reset=config.layer_reset,
                detach_reset=config.detach_reset, surrogate=config.surrogate(sharpness), bias=False, dtype=dtype,
                **adaptation)
    u = torch.randn(config.n_in, config.n_rec, generator=gen, dtype=dtype) * config.w_in_std
    w = torch.randn(config.n_rec, config.n_rec, generator=gen, dtype=dtype) * config.w_rec_std + config.w_rec_mean
    if weights is not None:
        u, w = (torch.as_tensor(a, dtype=dtype) for a in weights)
    with torch.no_grad():
        layer.w_in.copy_(u)
        layer.w_rec.copy_(w * layer.rec_mask)
    x = (torch.rand(config.T, config.batch, config.n_in, generator=gen, dtype=dtype) < config.input_rate).to(dtype)
    r = torch.randn(config.batch, config.n_rec, generator=gen, dtype=dtype)
    return layer, x, r


__all__ = ["EdgeConfig", "KEYS", "OPTIONAL_KEYS", "RESET_NAMES", "config_from_dict", "load_weights", "build"]
