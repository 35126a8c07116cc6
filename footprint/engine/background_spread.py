"""Distributions of background exchanges: those the tables carry, and an opt-in default spread.

:func:`table_distributions` reads the optional stats_arrays columns that a loaded background's
technosphere and biosphere carry where its table files have them (see
:func:`footprint.background.store.read_table_dir`).

:func:`with_default_spread` (``--background-uncertainty default``, ``background_uncertainty=
"default"``) gives every background exchange that carries no valid distribution of its own a
lognormal whose geometric mean (median) is the exchange amount and whose σ follows the ecoinvent v3
pedigree approach (Weidema et al. 2013, section 10.2): σ² = basic variance (Table 10.4) + the
variances of the pedigree scores (Table 10.5). The default is off: a background without
distributions then has no spread, and the result says so.

The stated choice, for a national average database such as USLCI used for any product:

* pedigree :data:`PEDIGREE` = (2, 3, 4, 3, 3): reliability 2 (verified data partly based on
  assumptions: reviewed datasets that mix measurements and modelling), completeness 3
  (representative data from only some sites), temporal correlation 4 (less than 15 years of
  difference: the shipped USLCI datasets are valid from 2007 at the median, the grid factors from
  2021-2024), geographical correlation 3 (data from an area with similar production conditions:
  North American datasets also stand in for other countries), further technological correlation 3
  (processes of a different technology: averages, and datasets used as proxies).
* basic variance (Table 10.4, σ² of ln(amount)): 0.0006 for technosphere inputs (demand of energy,
  materials and services), 0.12 for transport services (a supplier whose unit is tkm or pkm),
  0.0006 for CO2 (combustion and process; also the CO2e of life-cycle grid factors) and 0.04 for
  every other greenhouse gas (the value for CH4 and N2O from combustion).

Every exchange is sampled independently, as ecoinvent's Monte Carlo does: errors common to many
datasets (an outdated grid mix, a shared modelling assumption) are not correlated, so the default
spread of a total over many exchanges is narrower than that of any one of them.
"""

from __future__ import annotations

import math
from dataclasses import replace
from typing import Any

import numpy as np
import pandas as pd

from footprint.background.store import UNCERTAINTY_COLUMNS, Background
from footprint.errors import FootprintError
from footprint.inventory.uncertainty import (
    LOGNORMAL,
    NORMAL,
    PEDIGREE_SOURCE,
    PEDIGREE_VARIANCES,
    TRIANGULAR,
    UNIFORM,
    Distribution,
    pedigree_sigma,
)

#: accepted values of ``background_uncertainty`` / ``--background-uncertainty``
CHOICES = ("none", "default")
#: reliability, completeness, temporal, geographical, further technological correlation
PEDIGREE = (2, 3, 4, 3, 3)
#: Weidema et al. (2013) Table 10.4: basic variance (σ² of ln(amount)) by kind of exchange
BASIC_VARIANCE = {
    "technosphere": 0.0006,
    "transport": 0.12,
    "CO2": 0.0006,
    "other greenhouse gases": 0.04,
}
TRANSPORT_UNITS = frozenset({"tkm", "t*km", "t km", "ton kilometer", "pkm", "p*km", "person*km"})


def wanted(choice: str | None) -> bool:
    """Whether ``choice`` (``"default"``, ``"none"`` or None) asks for the default spread.

    Raises:
        FootprintError: any other value.
    """
    if choice in (None, "none"):
        return False
    if choice == "default":
        return True
    raise FootprintError(
        f"background uncertainty {choice!r} is not one of {', '.join(CHOICES)}",
        where="--background-uncertainty",
        fix="use 'default' (a documented lognormal for background exchanges without a "
        "distribution) or 'none'",
    )


def sigmas() -> dict[str, float]:
    """σ of ln(amount) of the default lognormal, by kind of exchange."""
    return {
        kind: pedigree_sigma(PEDIGREE, basic_variance=variance)
        for kind, variance in BASIC_VARIANCE.items()
    }


def describe() -> dict[str, Any]:
    """The default spread as data (the ``background_default`` of a Monte Carlo result)."""
    return {
        "applies_to": "every background technosphere and biosphere exchange without a "
        "distribution of its own",
        "distribution": "lognormal, geometric mean (median) = the exchange amount",
        "pedigree": dict(zip(PEDIGREE_VARIANCES, PEDIGREE, strict=True)),
        "basic_variance": dict(BASIC_VARIANCE),
        "sigma": {kind: round(s, 6) for kind, s in sigmas().items()},
        "gsd": {kind: round(math.exp(s), 6) for kind, s in sigmas().items()},
        "transport_units": sorted(TRANSPORT_UNITS),
        "source": PEDIGREE_SOURCE,
        "note": "a generic default for a national average database, not the data's own "
        "uncertainty; exchanges are sampled independently",
    }


# --- reading the distributions of a table -----------------------------------------------------


def _number(column: pd.Series) -> np.ndarray:
    return np.asarray(pd.to_numeric(column.replace("", np.nan), errors="coerce"), dtype=float)


def table_distributions(frame: pd.DataFrame) -> tuple[np.ndarray, list[Distribution]]:
    """Positions and distributions of the rows of a technosphere/biosphere table that carry one.

    Rows whose parameters are not a valid distribution are skipped.
    """
    if "uncertainty_type" not in frame or not len(frame):
        return np.zeros(0, dtype=int), []
    kinds = _number(frame["uncertainty_type"])
    loc, scale = _number(frame["loc"]), _number(frame["scale"])
    low, high = _number(frame["minimum"]), _number(frame["maximum"])
    amount = np.asarray(frame["amount"], dtype=float)
    rows, found = [], []
    for i in np.flatnonzero(np.isin(kinds, [LOGNORMAL, NORMAL, UNIFORM, TRIANGULAR])):
        kind = int(kinds[i])
        if kind == LOGNORMAL and np.isfinite(loc[i]) and scale[i] > 0 and amount[i] != 0:
            item = Distribution(LOGNORMAL, loc=loc[i], scale=scale[i], negative=bool(amount[i] < 0))
        elif kind == NORMAL and np.isfinite(loc[i]) and scale[i] > 0:
            item = Distribution(NORMAL, loc=loc[i], scale=scale[i])
        elif kind == UNIFORM and low[i] < high[i]:
            item = Distribution(UNIFORM, loc=amount[i], minimum=low[i], maximum=high[i])
        elif kind == TRIANGULAR and low[i] < high[i] and low[i] <= loc[i] <= high[i]:
            item = Distribution(TRIANGULAR, loc=loc[i], minimum=low[i], maximum=high[i])
        else:
            continue
        rows.append(int(i))
        found.append(item)
    return np.asarray(rows, dtype=int), found


# --- the default spread -----------------------------------------------------------------------


def _filled(frame: pd.DataFrame, sigma: np.ndarray) -> pd.DataFrame:
    """``frame`` with a lognormal (σ per row) on each non-zero row that carries no distribution."""
    out = frame.copy()
    amount = np.asarray(out["amount"], dtype=float) if len(out) else np.zeros(0)
    bare = np.ones(len(out), dtype=bool)
    bare[table_distributions(out)[0]] = False
    bare &= (amount != 0) & np.isfinite(amount) & (sigma > 0)
    with np.errstate(divide="ignore"):
        values = {
            "uncertainty_type": np.full(len(out), LOGNORMAL, dtype=object),
            "loc": np.log(np.abs(amount)).astype(object),
            "scale": sigma.astype(object),
            "minimum": np.full(len(out), "", dtype=object),
            "maximum": np.full(len(out), "", dtype=object),
        }
    for column in UNCERTAINTY_COLUMNS:
        own = (
            np.asarray(out[column], dtype=object)
            if column in out
            else np.full(len(out), "", dtype=object)
        )
        out[column] = np.where(bare, values[column], own)
    return out.reset_index(drop=True)


def with_default_spread(background: Background) -> Background:
    """``background`` with the default lognormal on every exchange that carries no distribution.

    Technosphere rows take the transport or technosphere σ by the supplier's unit, biosphere rows
    the CO2 or other-gas σ by the flow's gas; flows without a GWP keep none (they add nothing).
    """
    sigma = sigmas()
    tech = background.technosphere
    units = dict(zip(background.activities["id"], background.activities["unit"], strict=True))
    transport = np.asarray(
        [str(units.get(s, "")).strip().lower() in TRANSPORT_UNITS for s in tech["supplier"]],
        dtype=bool,
    )
    tech_sigma = np.where(transport, sigma["transport"], sigma["technosphere"])
    bio = background.biosphere
    gases = {
        f: g
        for f, g in zip(background.flows["id"], background.flows["gas"], strict=True)
        if isinstance(g, str) and g.strip()
    }
    gas = np.asarray([gases.get(f, "") for f in bio["flow"]], dtype=object)
    bio_sigma = np.where(
        np.isin(gas, ["CO2", "CO2e"]),
        sigma["CO2"],
        np.where(gas != "", sigma["other greenhouse gases"], 0.0),
    )
    return replace(
        background,
        technosphere=_filled(tech, np.asarray(tech_sigma, dtype=float)),
        biosphere=_filled(bio, np.asarray(bio_sigma, dtype=float)),
    )
