"""The ``Recommendation``: Conditions I-IV for one layer, its surrogate, summary and JSON."""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field

import numpy as np
import torch

from ..recipe import RECIPE
from ..surrogates import FAMILIES, Surrogate
from .common import _as_array
from .weights_i_ii import TARGET_RATE
from .edge import DEFAULT_EDGE_TAIL, EdgeChoice


@dataclass(frozen=True, eq=False)
class Recommendation:
    """Conditions I-IV for one layer. Arrays are per neuron; ``residuals`` and ``feasible`` are keyed
    by condition ``"I"`` .. ``"IV"`` (residuals: the largest |residual| over neurons)."""

    n_in: int
    n_rec: int
    decay: float
    threshold: float
    reset: str
    detach_reset: bool
    family: str
    variant: str
    input_mean: float
    input_var: float
    input_weight_variance: float
    recurrent_mean: float
    recurrent_std: float
    dampening: np.ndarray
    sharpness: np.ndarray
    tail: float | None
    tail_per_neuron: np.ndarray | None
    voltage_min: np.ndarray
    voltage_max: np.ndarray
    residuals: dict = field(default_factory=dict)
    feasible: dict = field(default_factory=dict)
    reasons: dict = field(default_factory=dict)
    from_weights: bool = False
    #: per neuron: Condition IV has a root
    iv_feasible: np.ndarray | None = None
    #: per neuron: Condition III has a positive dampening (elsewhere ``dampening`` holds the fill value)
    dampening_feasible: np.ndarray | None = None
    #: "condition_iv" (``sharpness``/``tail`` from Condition IV) or "edge" (``sharpness`` from ``edge``)
    sharpness_method: str = "condition_iv"
    #: the edge route's choice (None on the Condition IV route)
    edge: EdgeChoice | None = None
    #: the dampening the surrogate gets, per neuron (None: Condition III's ``dampening``)
    applied_dampening: np.ndarray | None = None
    #: Condition I's target firing rate, and its form ("closed_form" or "firing_rate")
    target_rate: float = TARGET_RATE
    condition_i_form: str = "closed_form"

    @property
    def surrogate_dampening(self) -> np.ndarray:
        """The dampening :meth:`surrogate` uses: Condition III's, or 1 on the edge route by default."""
        return self.dampening if self.applied_dampening is None else self.applied_dampening

    @property
    def dampening_mean(self) -> float:
        return float(np.nanmean(self.dampening)) if np.isfinite(self.dampening).any() else float("nan")

    @property
    def sharpness_mean(self) -> float | None:
        """Mean sharpness over neurons where Condition IV has a root (None where none has); on the
        edge route, the edge's sharpness (``sharpness`` keeps Condition IV's solution there)."""
        if self.sharpness_method == "edge":
            return float(self.edge.sharpness)
        if self.tail_per_neuron is not None:
            return float(np.mean(self.sharpness))
        ok = np.asarray(self.iv_feasible, dtype=bool)
        return float(np.mean(self.sharpness[ok])) if ok.any() else None

    def surrogate(self, fallback: Surrogate | None = None, dtype=torch.float64, device=None) -> Surrogate:
        """The recommended surrogate: per-neuron dampening and sharpness, the layer's tail.

        Where Condition IV has no root, the sharpness (or tail) of ``fallback`` (default: the
        family's default shape) is kept instead of the |residual| minimiser, with a warning. On the
        edge route: the edge's sharpness and :attr:`surrogate_dampening`.
        """
        damp = self.surrogate_dampening
        if not np.all(np.isfinite(damp)) or not np.all(damp > 0):  # recommend() fills these; a hand-made one may not
            raise ValueError(f"dampening must be finite and > 0 for every neuron: {self.reasons.get('III')}")
        has_tail = FAMILIES[self.family].has_tail
        if fallback is None or fallback.family != self.family:
            fallback = Surrogate(self.family, tail=DEFAULT_EDGE_TAIL if has_tail else None)
        if self.sharpness_method == "edge":
            return Surrogate(self.family, torch.as_tensor(damp, dtype=dtype, device=device),
                             float(self.edge.sharpness), tail=self.edge.tail)
        ok = np.asarray(self.iv_feasible, dtype=bool)
        sharpness, tail = self.sharpness, self.tail
        if self.tail_per_neuron is None and not ok.all():
            sharpness = np.where(ok, self.sharpness, _as_array(fallback.sharpness, self.n_rec))
        if has_tail and tail is None:
            tail = fallback.tail
        if not ok.all():
            warnings.warn(f"lifstab: {self.reasons.get('IV')}; those neurons keep sharpness/tail of {fallback!r}",
                          stacklevel=3)
        return Surrogate(self.family, torch.as_tensor(self.dampening, dtype=dtype, device=device),
                         torch.as_tensor(sharpness, dtype=dtype, device=device), tail=tail)

    def summary(self) -> str:
        lines = [
            f"lifstab conditions ({self.variant} variant): n_in={self.n_in}, n_rec={self.n_rec}, "
            f"decay={self.decay:.6g}, threshold={self.threshold:g}, reset={self.reset}"
            f"{' (detached)' if self.detach_reset else ''}, family={self.family}",
            f"  inputs: mean {self.input_mean:.4g}, variance {self.input_var:.4g}; input weight variance "
            f"{self.input_weight_variance:.4g}; per-neuron results from "
            f"{'the given weights' if self.from_weights else 'the recommended weight statistics'}",
            f"  I   recurrent weight mean      {self.recurrent_mean:.6g}  (target rate {self.target_rate:g}, "
            f"{self.condition_i_form.replace('_', ' ')})",
            f"  II  recurrent weight std       {self.recurrent_std:.6g}",
            f"  III dampening (mean)           {self.dampening_mean:.6g}  "
            f"[min {np.nanmin(self.dampening):.4g}, max {np.nanmax(self.dampening):.4g}]",
        ]
        if self.tail_per_neuron is not None:
            tail = (f"{self.tail:.6g}" if self.tail is not None
                    else f"none: the surrogate keeps the fallback's tail (default {DEFAULT_EDGE_TAIL:g})")
            lines.append(f"  IV  tail (mean)                {tail}  at sharpness {self.sharpness.mean():.4g}")
        else:
            ok = np.asarray(self.iv_feasible, dtype=bool)
            s = float(np.mean(self.sharpness[ok])) if ok.any() else None
            kept = Surrogate(self.family, tail=DEFAULT_EDGE_TAIL if FAMILIES[self.family].has_tail else None).sharpness
            fallback = ("none: the surrogate takes the edge route's sharpness (below)" if self.sharpness_method == "edge"
                        else f"none: the surrogate keeps the family's default {kept:g}")
            lines.append(f"  IV  sharpness (mean)           " + (f"{s:.6g}" if s is not None else fallback))
        for key in ("I", "II", "III", "IV"):
            state = "ok" if self.feasible[key] else "INFEASIBLE"
            lines.append(f"  {key:<3} {state:<10} residual {self.residuals[key]:.3g}"
                         + (f"  ({self.reasons[key]})" if self.reasons.get(key) else ""))
        lines.append(f"  surrogate: {self.route_summary()}")
        lines.append("  training: this stability holds at initialisation only; the " + RECIPE.summary()
                     + " (lifstab.recipe, docs/long_horizon.md)")
        for key in ("weights", "rate", "keep_edge"):
            if self.reasons.get(key):
                lines.append(f"  {key}: {self.reasons[key]}")
        return "\n".join(lines)

    def route_summary(self) -> str:
        """Which route of ``stable_init_`` set the surrogate's shape, and rho there on the edge route
        (measured by replay, predicted by dmft)."""
        damp = self.surrogate_dampening
        d = f"dampening {'Condition III' if self.applied_dampening is None else 'unit'} (mean {np.mean(damp):.4g})"
        if self.sharpness_method != "edge":
            note = f"; edge route not used: {self.reasons['edge']}" if self.reasons.get("edge") else ""
            return (f"route condition_iv: sharpness from Condition IV "
                    f"({'has a root' if self.feasible['IV'] else 'no root'}), {d}{note}")
        e = self.edge
        crit = "none" if e.critical_sharpness is None else f"{e.critical_sharpness:.4g}"
        return (f"route edge: sharpness {e.sharpness:.4g} from the edge of stability ({e.method}: {e.kind} "
                f"beta_c {crit}, margin {e.margin:g}, {e.kind} rho {e.rho:.4g}"
                + ("" if e.feasible else f"; no edge: {e.reason}") + f"), {d}")

    def to_json(self) -> dict:
        return {
            "n_in": self.n_in, "n_rec": self.n_rec, "decay": self.decay, "threshold": self.threshold,
            "reset": self.reset, "detach_reset": self.detach_reset, "family": self.family,
            "variant": self.variant,
            "recurrent_mean": self.recurrent_mean, "recurrent_std": self.recurrent_std,
            "target_rate": self.target_rate, "condition_i_form": self.condition_i_form,
            "dampening": self.dampening_mean,
            "sharpness": self.sharpness_mean if (self.feasible["IV"] or self.tail_per_neuron is None
                                                 or self.sharpness_method == "edge") else None,
            "tail": self.tail,
            "feasible": {k: bool(v) for k, v in self.feasible.items()},
            "residuals": {k: float(v) for k, v in self.residuals.items()},
            "reasons": dict(self.reasons),
            "sharpness_method": self.sharpness_method,
            "surrogate_dampening": float(np.mean(self.surrogate_dampening)),
            "edge": None if self.edge is None else self.edge.to_json(),
        }
