"""The Commission's CBAM default values (shipped table ``footprint/data/cbam_default_values.csv``).

The table holds the China block and the "Other countries and territories" block of the default-value
annex (IR (EU) 2025/2621 as replaced by IR (EU) 2026/1740), transcribed by a secondary source: every
value carries ``status: unconfirmed`` (see ``cbam_default_values.SOURCES.md``). Beside it, the few
Annex IV values encoded for precursors whose country of production is unknown (``country:
unknown``; ``footprint/data/cbam_annex_iv.csv``, also unconfirmed).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from functools import cache
from typing import Any

from footprint.cbam.goods import (
    ANNEX_III_COUNTRIES,
    EU_MEMBERS,
    RULES,
    CbamError,
    Sector,
    counts_indirect,
    markup_rate,
    normalise_cn,
    sector_of,
)
from footprint.paths import data_rows

OTHER = "Other countries and territories"
SOURCE = (
    "Annex I of Commission Implementing Regulation (EU) 2025/2621 as replaced by Implementing "
    "Regulation (EU) 2026/1740, transcribed in GitHub Ddscully/dlt-dbt-duckdb-evidence "
    "dbt/seeds/cbam_default_values.csv (commit c68a320d57085a9e2813b01d4e18c844ab3123f0)"
)
ANNEX_IV = "Annex IV, country unknown"
ANNEX_IV_SOURCE = (
    "Annex IV of Commission Implementing Regulation (EU) 2025/2621 (precursors whose country of "
    "production is unknown), read in the research note 'EU CBAM - which emissions count, for "
    "iron/steel and hydrogen' (2026-09-07), sections 4.4-4.5 (footprint/data/cbam_annex_iv.csv)"
)
#: The country of production of a precursor that is not known (Annex IV values).
UNKNOWN = "unknown"
#: Countries whose block is shipped: ISO 3166-1 alpha-2 and alpha-3 → the table's alpha-3.
_SHIPPED = {"CN": "CHN", "CHN": "CHN", "CHINA": "CHN"}
_OTHER_NAMES = {"OTHER", "OTHERS", "ROW", OTHER.upper()}


@dataclass(frozen=True)
class Row:
    """One row of the annex as transcribed: values in t CO2e per tonne, None where "–"."""

    area: str
    iso3: str
    cn: str
    description: str
    direct: Decimal | None
    indirect: Decimal | None
    total: Decimal | None
    route: str
    #: the annex the row belongs to: "I" (country values) or "IV" (country unknown)
    annex: str = "I"
    source: str = SOURCE

    @property
    def has_values(self) -> bool:
        """Whether the row gives a total (rows without one are headings or "–")."""
        return self.total is not None


@dataclass(frozen=True)
class DefaultValue:
    """The default value of one good for one country, after the row-level fallback."""

    country: str
    row: Row
    fallback: bool
    year: int | None

    @property
    def sector(self) -> Sector:
        """The good's CBAM sector."""
        return sector_of(self.row.cn)

    @property
    def direct(self) -> float:
        """Direct SEE, t CO2e/t."""
        return float(self.row.direct or 0)

    @property
    def indirect(self) -> float:
        """Indirect SEE, t CO2e/t (0 where the annex gives none)."""
        return float(self.row.indirect or 0)

    @property
    def total(self) -> float:
        """Total SEE as the annex gives it (never recomputed), t CO2e/t."""
        return float(self.row.total or 0)

    @property
    def markup(self) -> float | None:
        """The mark-up of the year as a fraction; None without a year, and for Annex IV values
        (the mark-up read in the sources is that of Annex I)."""
        if self.year is None or self.row.annex != "I":
            return None
        return markup_rate(self.sector, self.year)

    @property
    def total_with_markup(self) -> float | None:
        """Total × (1 + mark-up), rounded half up to 5 decimals; None without a year."""
        if self.markup is None or self.row.total is None:
            return None
        rate = Decimal(str(self.markup))
        marked = (self.row.total * (1 + rate)).quantize(Decimal("0.00001"), ROUND_HALF_UP)
        return float(marked)

    def to_dict(self) -> dict[str, Any]:
        """The value as plain data, with its source and status."""
        markup = self.markup
        return {
            "country": self.country,
            "cn": self.row.cn,
            "description": self.row.description,
            "sector": self.sector,
            "row": self.row.area,
            "fallback_to_other_countries": self.fallback,
            "route": self.row.route or None,
            "direct": float(self.row.direct) if self.row.direct is not None else None,
            "indirect": float(self.row.indirect) if self.row.indirect is not None else None,
            "total": self.total,
            "unit": "t CO2e/t",
            "indirect_counts": counts_indirect(self.row.cn),
            "year": self.year,
            "markup_percent": None if markup is None else round(markup * 100, 6),
            "total_with_markup": self.total_with_markup,
            "annex": self.row.annex,
            "status": "unconfirmed",
            "source": self.row.source,
        }


def _decimal(text: str) -> Decimal | None:
    return Decimal(text) if text.strip() else None


@cache
def table() -> tuple[Row, ...]:
    """Every row of the shipped default-value table."""
    rows = []
    for record in data_rows("cbam_default_values.csv"):
        code, _, description = record["good_key"].partition("-")
        rows.append(
            Row(
                area=record["country_or_territory"],
                iso3=record["country_iso3"],
                cn=code,
                description=description,
                direct=_decimal(record["default_direct_t_co2e_per_t"]),
                indirect=_decimal(record["default_indirect_t_co2e_per_t"]),
                total=_decimal(record["default_total_t_co2e_per_t"]),
                route=record["production_route_code"],
            )
        )
    return tuple(rows)


@cache
def annex_iv() -> tuple[Row, ...]:
    """The Annex IV values encoded (precursors whose country of production is unknown)."""
    return tuple(
        Row(
            area=ANNEX_IV,
            iso3="",
            cn=record["cn"],
            description=record["good"],
            direct=Decimal(record["t_co2e_per_t"]),
            indirect=None,
            total=Decimal(record["t_co2e_per_t"]),
            route="",
            annex="IV",
            source=ANNEX_IV_SOURCE,
        )
        for record in data_rows("cbam_annex_iv.csv")
    )


def is_unknown(country: str) -> bool:
    """Whether ``country`` says the country of production is unknown."""
    return country.strip().lower() == UNKNOWN


def _annex_iv_missing(cn: str, where: str | None) -> CbamError:
    encoded = ", ".join(f"{r.cn} ({r.description})" for r in annex_iv())
    return CbamError(
        f"no Annex IV default value (precursor whose country of production is unknown) is "
        f"encoded for CN code {cn!r}; encoded: {encoded}",
        where=where,
        fix="give the country of production (ISO 3166-1 alpha-2), or the supplier's verified "
        "actual SEE (emissions: direct, indirect, verification)",
    )


def _block(country: str, where: str | None) -> tuple[str, list[Row]]:
    """The table's name for ``country`` and its rows.

    Raises:
        CbamError: an EU country, or a country whose block is not shipped.
    """
    key = country.strip().upper()
    if is_unknown(country):
        return ANNEX_IV, list(annex_iv())
    if key in _OTHER_NAMES:
        return OTHER, [r for r in table() if r.area == OTHER]
    if key in EU_MEMBERS:
        raise CbamError(
            f"{country!r} is an EU member state: goods made there are not imported into the EU "
            "and have no CBAM default value (as precursors they count zero)",
            where=where,
            fix="give the third country where the good was produced",
        )
    if key in ANNEX_III_COUNTRIES:
        raise CbamError(
            f"{country!r} ({ANNEX_III_COUNTRIES[key]}) is listed in Annex III of Reg. (EU) "
            "2023/956: goods originating there are outside the scope of CBAM and have no default "
            "value (as precursors they count zero)",
            where=where,
            fix="give the third country where the good was produced, if it is another one",
        )
    iso3 = _SHIPPED.get(key)
    if iso3 is None:
        raise CbamError(
            f"the shipped default-value table holds only China (CN) and 'Other countries and "
            f"territories'; the annex may list {country!r} with values of its own",
            where=where,
            fix="look the value up in Annex I of IR (EU) 2025/2621 as replaced by IR (EU) "
            "2026/1740 (or add the country's rows to footprint/data/cbam_default_values.csv), or "
            "give 'OTHER' if the annex does not list the country",
        )
    return iso3, [r for r in table() if r.iso3 == iso3]


def _covering(rows: list[Row], cn: str) -> Row | None:
    """The most specific row whose code is a prefix of ``cn``."""
    found = [r for r in rows if cn.startswith(r.cn)]
    return max(found, key=lambda r: len(r.cn)) if found else None


def lookup(
    country: str,
    cn: str | None = None,
    *,
    year: int | None = None,
    where: str | None = None,
    country_where: str | None = None,
) -> list[DefaultValue]:
    """The default values for ``country`` (every good, or the goods under CN code ``cn``).

    A code covered by a row gives that row; a heading gives the rows under it. A row without a
    value is replaced, whole, by the row of "Other countries and territories" for the same code.

    Raises:
        CbamError: an EU or unshipped country, a malformed CN code, or a code with no row.
    """
    name, rows = _block(country, country_where or where)
    if year is not None:
        markup_rate("cement", year)  # refuses years before 2026
    if cn is None:
        chosen = [r for r in rows if r.has_values or not _children(rows, r.cn)]
    else:
        code = normalise_cn(cn, where=where)
        covering = _covering(rows, code)
        if covering is not None and (covering.has_values or not _children(rows, covering.cn)):
            chosen = [covering]
        else:
            chosen = [r for r in rows if r.cn.startswith(code) and r.cn != code]
            chosen = [r for r in chosen if r.has_values or not _children(rows, r.cn)]
        if not chosen:
            sector_of(code, where=where)  # a code outside CBAM says so
            if name == ANNEX_IV:
                raise _annex_iv_missing(cn, country_where or where)
            raise CbamError(
                f"CN code {cn!r} has no row in the default-value table",
                where=where,
                fix="give the code at the level the annex lists it (e.g. '7208', '72071114', "
                "'2523 10 00')",
            )
    others = [r for r in table() if r.area == OTHER]
    label = UNKNOWN if is_unknown(country) else country.strip().upper()
    out = []
    for row in chosen:
        if row.has_values or name in (OTHER, ANNEX_IV):
            out.append(DefaultValue(label, row, False, year))
            continue
        other = next((r for r in others if r.cn == row.cn and r.has_values), None)
        if other is None:
            other = _covering([r for r in others if r.has_values], row.cn)
        if other is not None:
            out.append(DefaultValue(label, other, True, year))
    return out


def _children(rows: list[Row], code: str) -> bool:
    return any(r.cn != code and r.cn.startswith(code) for r in rows)


def default_for(
    country: str, cn: str, *, year: int | None = None, where: str | None = None
) -> DefaultValue:
    """The single default value of good ``cn`` made in ``country``.

    Raises:
        CbamError: as :func:`lookup`, or the code is a heading covering several values.
    """
    found = lookup(country, cn, year=year, where=where)
    if not found:
        raise CbamError(
            f"CN code {cn!r} has no default value for {country!r} nor for 'Other countries and "
            "territories' in the shipped table",
            where=where,
            fix="give the supplier's verified actual emissions, or check the CN code",
        )
    if len(found) != 1:
        codes = ", ".join(v.row.cn for v in found[:8])
        raise CbamError(
            f"CN code {cn!r} covers {len(found)} default values ({codes}{', ...' if len(found) > 8 else ''})",
            where=where,
            fix="give the more specific CN code of the good",
        )
    return found[0]


__all__ = [
    "ANNEX_IV",
    "ANNEX_IV_SOURCE",
    "OTHER",
    "RULES",
    "UNKNOWN",
    "DefaultValue",
    "Row",
    "annex_iv",
    "default_for",
    "is_unknown",
    "lookup",
    "table",
]
