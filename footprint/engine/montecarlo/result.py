"""The statistics of a Monte Carlo run (kg CO2e for the declared amount) and its notes."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

PERCENTILES = (2.5, 50.0, 97.5)
UNIT = "kg CO2e"
NO_SPREAD = (
    "nothing in this inventory or its background carries a distribution: the spread is zero; "
    "declare `uncertainty:` on amounts, or use --background-uncertainty default"
)
NO_SPREAD_FOREGROUND = (
    "nothing in this inventory carries a distribution and the background was not sampled: the "
    "spread is zero; declare `uncertainty:` on amounts, or sample the background"
)
NO_EFFECT = "the distributions sampled do not change the footprint: the spread is zero"
NO_PROBABILITY = "no probability: every sample is the same footprint (the spread is zero)"


def differ(samples: np.ndarray) -> bool:
    """Whether ``samples`` differ by more than rounding (a relative 1e-9 of the largest)."""
    samples = np.asarray(samples, dtype=float)
    if samples.size < 2:
        return False
    return bool(np.ptp(samples) > 1e-9 * float(np.max(np.abs(samples))))


@dataclass(frozen=True)
class UncertaintyResult:
    """Monte Carlo samples of the footprint (kg CO2e for the declared amount) and their statistics.

    ``std`` is the sample standard deviation (n − 1); ``percentiles`` are keyed "2.5", "50" and
    "97.5" (linear interpolation between order statistics, numpy's default).
    """

    iterations: int
    seed: int
    samples: np.ndarray
    mean: float
    median: float
    std: float
    percentiles: dict[str, float]
    #: distributions sampled: inventory, background_technosphere, background_biosphere
    sampled: dict[str, int] = field(default_factory=dict)
    solver: dict[str, Any] = field(default_factory=dict)
    seconds: float = 0.0  # wall time of the sampling (not in ``to_dict``: it varies between runs)
    #: why there is no spread (nothing sampled carries a distribution), else ""
    note: str = ""
    #: the default spread given to background exchanges without a distribution, when asked
    background_default: dict[str, Any] | None = None

    @classmethod
    def from_samples(
        cls,
        samples: np.ndarray,
        seed: int,
        sampled: dict[str, int] | None = None,
        solver: dict[str, Any] | None = None,
        seconds: float = 0.0,
        *,
        note: str = "",
        background_default: dict[str, Any] | None = None,
    ) -> UncertaintyResult:
        """Statistics of ``samples`` (kg CO2e)."""
        samples = np.asarray(samples, dtype=float)
        if samples.size == 0:
            raise ValueError("no samples")
        values = np.percentile(samples, PERCENTILES)
        shifted = samples - samples[0]  # exact statistics when every sample is the same
        return cls(
            iterations=int(samples.size),
            seed=int(seed),
            samples=samples,
            mean=float(samples[0] + np.mean(shifted)),
            median=float(np.median(samples)),
            std=float(np.std(shifted, ddof=1)) if samples.size > 1 else 0.0,
            percentiles={f"{p:g}": float(v) for p, v in zip(PERCENTILES, values, strict=True)},
            sampled=dict(sampled or {}),
            solver=dict(solver or {}),
            seconds=seconds,
            note=note,
            background_default=background_default,
        )

    @property
    def sources(self) -> str:
        """What was sampled: ``inventory``, ``background``, ``inventory and background`` or ``none``."""
        inventory = self.sampled.get("inventory", 0) > 0
        background = (
            self.sampled.get("background_technosphere", 0)
            + self.sampled.get("background_biosphere", 0)
            > 0
        )
        if inventory and background:
            return "inventory and background"
        return "inventory" if inventory else ("background" if background else "none")

    @property
    def has_spread(self) -> bool:
        """Whether the samples differ beyond rounding (else nothing sampled changes the footprint)."""
        return differ(self.samples)

    def probability_at_most(self, threshold: float) -> float:
        """Share of the samples at or below ``threshold`` (kg CO2e for the declared amount)."""
        return float(np.count_nonzero(self.samples <= threshold) / self.samples.size)

    def chance_at_most(self, threshold: float) -> float | None:
        """:meth:`probability_at_most`, or None when there is no spread to give a probability."""
        return self.probability_at_most(threshold) if self.has_spread else None

    def to_dict(
        self, *, threshold: float | None = None, include_samples: bool = False
    ) -> dict[str, Any]:
        """JSON-ready statistics (kg CO2e); with ``threshold``, the probability of meeting it
        (null, with ``probability_note``, when nothing sampled carries a distribution)."""
        out: dict[str, Any] = {
            "method": "Monte Carlo",
            "iterations": self.iterations,
            "seed": self.seed,
            "unit": UNIT,
            "mean": self.mean,
            "median": self.median,
            "std": self.std,
            "p2_5": self.percentiles["2.5"],
            "p50": self.percentiles["50"],
            "p97_5": self.percentiles["97.5"],
            "sources": self.sources,
            "note": self.note or None,
            "sampled_distributions": dict(self.sampled),
            "background_default": self.background_default,
            "solver": dict(self.solver),
        }
        if threshold is not None:
            out["threshold"] = {"value": float(threshold), "unit": UNIT}
            out["probability_meeting_threshold"] = self.chance_at_most(threshold)
            if not self.has_spread:
                out["probability_note"] = NO_PROBABILITY
        if include_samples:
            out["samples"] = [float(v) for v in self.samples]
        return out
