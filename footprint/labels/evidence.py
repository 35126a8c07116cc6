"""Evidence offered to a label scheme, typed by what the scheme's rule does with it.

A sliding-scale parameter is a number (a fraction from 0 to 1 when its range is 0–1, e.g.
``scrap_share: 0.95``); a parameter that selects between two limits at 0.5 and an adjustment are
yes/no flags (``heavy_density: true``); a baseline or a category average is a footprint (or energy
use) per declared unit with its unit (``baseline_footprint: "900 kg CO2e/t"``). Keys no rule uses
are refused (most often a typo) unless the caller understands them: an inventory parameter (typed
like the inventory's own value) or, in ``footprint verify``, the scrap mass balance.
"""

from __future__ import annotations

import difflib
import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Literal, NoReturn

import pint

from footprint.errors import FootprintError, UnitError
from footprint.labels.scheme import Rule, Scheme
from footprint.units import parse_unit, quantity

Kind = Literal["number", "flag", "quantity", "text"]
Where = Callable[[str], str]
_TRUE = ("true", "yes", "1")
_FALSE = ("false", "no", "0")


class EvidenceError(FootprintError):
    """An evidence value is not of the type its scheme (or the verification) expects."""


@dataclass(frozen=True)
class Expected:
    """What one evidence key must hold.

    ``measure`` is ``"gwp"``, ``"energy"`` or ``"mass"`` for a quantity; ``low``/``high`` bound a
    number (both inclusive).
    """

    kind: Kind
    use: str
    low: float | None = None
    high: float | None = None
    measure: str | None = None
    sample: str | None = None

    @property
    def fraction(self) -> bool:
        """A share from 0 to 1."""
        return self.kind == "number" and (self.low, self.high) == (0.0, 1.0)

    def describe(self) -> str:
        """What is expected, for people."""
        if self.fraction:
            return "a fraction from 0 to 1"
        if self.kind == "number":
            if self.low is not None and self.high is not None:
                return f"a number from {self.low:g} to {self.high:g}"
            return "a finite number"
        if self.kind == "flag":
            return "true or false"
        if self.kind == "text":
            return "text"
        return {
            "gwp": "a positive footprint per declared unit, with its unit",
            "energy": "a positive energy use per declared unit, with its unit",
        }.get(self.measure or "", "a positive mass with its unit")

    def example(self) -> str:
        """A value of the expected type."""
        if self.sample is not None:
            return self.sample
        if self.fraction:
            return "0.95 (for 95 %)"
        if self.kind == "number":
            return f"{self.low:g}" if self.low is not None else "4000"
        if self.kind == "flag":
            return "true"
        if self.kind == "text":
            return "'text'"
        return {"gwp": "'900 kg CO2e/t'", "energy": "'4000 MJ/t'"}.get(
            self.measure or "", "'950 kg'"
        )


#: the scrap mass balance ``footprint verify`` checks against a claimed scrap share
MASS_BALANCE = {
    "scrap_mass": Expected("quantity", "the scrap mass balance", measure="mass"),
    "metallic_input_mass": Expected("quantity", "the scrap mass balance", measure="mass"),
}


def _rule_keys(rule: Rule, scheme: Scheme, found: dict[str, Expected]) -> None:
    name = f"{scheme.id} ({rule.name})" if rule.name else scheme.id
    if rule.kind == "sliding" and rule.parameter:
        low, high = rule.parameter_range or (None, None)
        found.setdefault(
            rule.parameter, Expected("number", f"the sliding-scale limits of {name}", low, high)
        )
    elif rule.kind == "relative_reduction" and rule.baseline:
        found.setdefault(
            rule.baseline, Expected("quantity", f"the baseline of {name}", measure=rule.indicator)
        )
    elif rule.kind == "category_average" and isinstance(rule.average, str):
        found.setdefault(
            rule.average,
            Expected("quantity", f"the category average of {name}", measure=rule.indicator),
        )
    for criterion in rule.criteria:
        _rule_keys(criterion, scheme, found)


def expected_evidence(scheme: Scheme) -> dict[str, Expected]:
    """The evidence keys ``scheme``'s rules use, each with its type."""
    found: dict[str, Expected] = {}
    if scheme.rule is not None:
        _rule_keys(scheme.rule, scheme, found)
    if scheme.select is not None:
        select = scheme.select
        bounds = [b for o in select.options for b in (o.min, o.max) if b is not None]
        use = f"choosing the limits of {scheme.id}"
        found[select.parameter] = (
            Expected("flag", use)
            if bounds and all(0 < b < 1 for b in bounds)  # a yes/no switch, e.g. heavy_density
            else Expected("number", use)
        )
        for adjustment in select.adjustments:
            found.setdefault(
                adjustment.parameter, Expected("flag", f"adjusting the limits of {scheme.id}")
            )
        for option in select.options:
            _rule_keys(option.rule, scheme, found)
    return found


def like_parameter(value: Any) -> Expected:
    """The type of evidence restating an inventory parameter whose value is ``value``."""
    use = f"the inventory parameter it restates ({value!r})"
    if isinstance(value, int | float) and not isinstance(value, bool):
        return Expected("number", use, sample=f"{value:g}")
    return Expected("text", use, sample=repr(str(value)))


def _fail(
    key: str, value: Any, expected: Expected, where: Where, sep: str, why: str = ""
) -> NoReturn:
    raise EvidenceError(
        f"evidence {key} = {value!r}{why}: expected {expected.describe()}, for {expected.use}",
        where=where(key),
        fix=f"give e.g. {key}{sep}{expected.example()}",
    )


def _number(key: str, value: Any, expected: Expected, where: Where, sep: str) -> float:
    if isinstance(value, bool):
        _fail(key, value, expected, where, sep, " (a yes/no value)")
    number = math.nan
    if isinstance(value, int | float):
        number = float(value)
    elif isinstance(value, str):
        try:
            number = float(value.strip())
        except ValueError:
            _fail(key, value, expected, where, sep, " (not a number)")
    else:
        _fail(key, value, expected, where, sep)
    if not math.isfinite(number):
        _fail(key, value, expected, where, sep, " (not a finite number)")
    if (expected.low is not None and number < expected.low) or (
        expected.high is not None and number > expected.high
    ):
        _fail(key, value, expected, where, sep, " (out of range)")
    return number


def _flag(key: str, value: Any, expected: Expected, where: Where, sep: str) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float) and value in (0, 1):
        return bool(value)
    if isinstance(value, str) and value.strip().lower() in (*_TRUE, *_FALSE):
        return value.strip().lower() in _TRUE
    _fail(key, value, expected, where, sep)


def _measures(value: pint.Quantity, measure: str | None) -> bool:  # type: ignore[type-arg]
    """Whether ``value`` is a footprint or an energy use per some unit, or a mass."""
    dims = value.dimensionality
    if measure == "gwp":  # kg CO2e per t, m3, piece…, not a bare kg CO2e
        return bool(dims["[co2e]"] == 1 and dims != parse_unit("kg CO2e").dimensionality)
    if measure == "energy":  # MJ per t, m3, piece…, not a bare MJ
        return bool(
            dims["[time]"] == -2 and dims["[co2e]"] == 0 and dims != parse_unit("MJ").dimensionality
        )
    return bool(dims == parse_unit("kg").dimensionality)


def _quantity(key: str, value: Any, expected: Expected, where: Where, sep: str) -> Any:
    if isinstance(value, bool):
        _fail(key, value, expected, where, sep, " (a yes/no value)")
    if isinstance(value, int | float):
        _fail(key, value, expected, where, sep, " (a number without its unit)")
    if isinstance(value, pint.Quantity):
        found = value
    elif isinstance(value, str) and value.strip():
        try:
            found = quantity(value)
        except UnitError as exc:
            _fail(key, value, expected, where, sep, f" ({exc.what})")
    else:
        _fail(key, value, expected, where, sep)
    if not math.isfinite(float(found.magnitude)) or float(found.magnitude) <= 0:
        _fail(key, value, expected, where, sep, " (not positive)")
    if not _measures(found, expected.measure):
        _fail(key, value, expected, where, sep, f" (in {found.units:~P})")
    return found


def typed(
    evidence: Mapping[str, Any],
    expected: Mapping[str, Expected],
    *,
    where: Where,
    sep: str = ": ",
) -> dict[str, Any]:
    """``evidence`` with every key in ``expected`` parsed: floats, bools and pint quantities.

    Keys not in ``expected`` are kept as given. ``where(key)`` locates a key for errors; ``sep``
    joins a key and a value in the fix (``": "`` as in YAML, ``"="`` as on the command line).

    Raises:
        EvidenceError: a value is empty, text where a number is expected, a boolean, not finite,
            out of range, a number without a unit, or a quantity of the wrong kind.
    """
    parse = {"number": _number, "flag": _flag, "quantity": _quantity}
    out = dict(evidence)
    for key, value in evidence.items():
        want = expected.get(key)
        if want is None:
            continue
        if value is None or (isinstance(value, str) and not value.strip()):
            _fail(key, value, want, where, sep, " (no value)")
        if want.kind in parse:
            out[key] = parse[want.kind](key, value, want, where, sep)
        elif not isinstance(value, str):
            _fail(key, value, want, where, sep)
    return out


def refuse_unknown(evidence: Iterable[str], understood: Iterable[str], *, where: Where) -> None:
    """Refuse evidence keys no scheme rule (or caller) uses: most often a typo.

    Raises:
        EvidenceError: naming the first unknown key, the nearest understood ones and all of them.
    """
    known = sorted(set(understood))
    for key in evidence:
        if key in known:
            continue
        near = difflib.get_close_matches(key, known, n=1, cutoff=0.6)
        listed = ", ".join(known) if known else "none"
        raise EvidenceError(
            f"evidence {key!r} is not used by the scheme(s) and names no inventory parameter",
            where=where(key),
            fix=(
                f"rename it to {near[0]!r} if that is meant, or remove it" if near else "remove it"
            )
            + f" (the evidence understood here: {listed})",
        )
