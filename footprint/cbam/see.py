"""Specific embedded emissions (SEE) per channel, and their rounding to 5 decimals."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

DECIMALS = 5


def round_see(value: float) -> float:
    """``value`` rounded half up (away from zero) to 5 decimals, on its shortest decimal form."""
    return float(Decimal(repr(value)).quantize(Decimal(1).scaleb(-DECIMALS), ROUND_HALF_UP))


@dataclass(frozen=True)
class See:
    """Specific embedded emissions in t CO2e per t, per channel, and the part from default values."""

    direct: float
    indirect: float
    from_defaults: float = 0.0

    @property
    def total(self) -> float:
        """Direct + indirect, t CO2e/t."""
        return self.direct + self.indirect

    @property
    def default_share(self) -> float:
        """Percent of the total that comes from default values (0 for a zero total)."""
        return 100.0 * self.from_defaults / self.total if self.total > 0 else 0.0

    def to_dict(self) -> dict[str, Any]:
        """Rounded to 5 decimals, with the unrounded values alongside."""
        return {
            "direct": round_see(self.direct),
            "indirect": round_see(self.indirect),
            "total": round_see(self.total),
            "unit": "t CO2e/t",
            "default_share_percent": round(self.default_share, 2),
            "unrounded": {"direct": self.direct, "indirect": self.indirect, "total": self.total},
        }
