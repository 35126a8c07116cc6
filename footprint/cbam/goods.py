"""CBAM goods: CN codes, sectors, which goods count indirect emissions, and the cited rules.

Every rule the calculation applies is listed in :data:`RULES` with its source and a status.
``unconfirmed`` means the rule was read in a secondary source (one that quotes or transcribes the
Official Journal), not in the act itself; check it against EUR-Lex before relying on it.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from typing import Any, Literal

from footprint.errors import FootprintError

Status = Literal["confirmed", "unconfirmed"]


class CbamError(FootprintError):
    """An installation file, a CN code or a country is not usable for a CBAM calculation."""


@dataclass(frozen=True)
class Rule:
    """A rule of the CBAM methodology as encoded here, with where it was read."""

    id: str
    text: str
    status: Status
    source: str
    locator: str

    def to_dict(self) -> dict[str, Any]:
        """The rule as plain data."""
        return asdict(self)


_S1 = (
    "Research note 'EU CBAM - which emissions count, for iron/steel and hydrogen' (2026-09-07), "
    "quoting the Official Journal texts"
)
_S2 = "'CBAM Calculation Rule Register', quoting Reg. 2023/956 Annex IV and IR 2025/2547 Annex II"
_ANNEX_III = (
    "Reg. (EU) 2023/956 Annex III point 1 (text of the original act), read verbatim in a "
    "third-party mirror, https://www.fantasticsearch.net/law/eu/en?article=1&id=r20lZpsB1anJoctMn0x_ "
    "(CELEX 32023R0956), not on EUR-Lex, later amendments not checked; the same list at "
    "https://www.cbam-services.com/cbam-applicability"
)
_S3 = (
    "GitHub Ddscully/dlt-dbt-duckdb-evidence dbt/seeds/cbam_default_values.csv "
    "(commit c68a320d57085a9e2813b01d4e18c844ab3123f0), ADR 0009 and 0010"
)

RULES: dict[str, Rule] = {
    rule.id: rule
    for rule in (
        Rule(
            "see-equation",
            "SEE = attributed emissions / activity level + sum over precursors of "
            "(mass consumed / activity level) x SEE of the precursor, for the direct and the "
            "indirect channel separately, applied recursively",
            "unconfirmed",
            _S1,
            "IR (EU) 2025/2547 Annex III point B, equations 59-62 (S1 section 3.1)",
        ),
        Rule(
            "eu-precursors-zero",
            "precursors produced in the EU count zero",
            "unconfirmed",
            _S1,
            "IR (EU) 2025/2547 Annex III point B (S1 section 3.1); Reg. 2023/956 Annex IV point 3 "
            "(S2 RULE-EE-003)",
        ),
        Rule(
            "annex-iii-precursors-zero",
            "goods originating in Iceland, Liechtenstein, Norway and Switzerland, and in the "
            "territories Büsingen, Heligoland, Livigno, Ceuta and Melilla, are outside the scope "
            "of CBAM; as precursors they count zero, like precursors produced in the EU",
            "unconfirmed",
            _ANNEX_III + "; the zero rule for precursors: " + _S1,
            "Reg. 2023/956 Art. 2 and Annex III point 1; IR (EU) 2025/2547 Annex III point B "
            "(S1 sections 2.2, 3.1)",
        ),
        Rule(
            "indirect-only-non-annex-ii",
            "indirect emissions count only for goods not listed in Annex II of Reg. 2023/956: "
            "cement, fertilisers and agglomerated iron ore (CN 2601 12 00); iron and steel, "
            "aluminium, hydrogen and electricity count direct emissions only",
            "unconfirmed",
            _S1,
            "Reg. 2023/956 Art. 7(1) and Annex II as amended by Reg. 2025/2083 (S1 sections "
            "1.1-1.6; S2 RULE-EE-004)",
        ),
        Rule(
            "precursor-indirect",
            "a precursor's indirect emissions are included where the precursor is not an Annex II "
            "good; they are not included where an Annex II precursor feeds a good that is not in "
            "Annex II",
            "unconfirmed",
            _S1,
            "IR (EU) 2025/2547 Annex I point 3.1, last paragraph (S1 section 2.2)",
        ),
        Rule(
            "mass-balance-factor",
            "mass balance: emissions = 3.664 t CO2/t C x sum of activity data x carbon content, "
            "outputs counted negative",
            "unconfirmed",
            _S1,
            "IR (EU) 2025/2547 Annex II B.3.2 (S1 section 2.8)",
        ),
        Rule(
            "attribution",
            "directly attributed emissions = direct emissions + heat imported - heat exported + "
            "waste gases imported - waste gases exported (both as corrected by rule "
            "waste-gas-correction) - emissions of electricity exported; indirect attributed "
            "emissions = electricity consumed x its emission factor. Heat carries the operator's "
            "factor: no default factor for measurable heat was found",
            "unconfirmed",
            "Korean secondary transcription of the communication template / IR 2023/1773 "
            "Annex III (low confidence on notation)",
            "cbam.md section A2.3, 'Heat, waste gases, electricity'",
        ),
        Rule(
            "waste-gas-correction",
            "waste gases (as read here): the process that produced a waste gas keeps the "
            "emissions of its carbon, wherever the gas is burnt; a process exporting waste gas "
            "deducts WG_corr,exp = E_exp x EF_NG x Corr_eta (equation 54) and a process "
            "importing it adds WG_corr,imp = E_imp x EF_NG (equation 53, no efficiency "
            "correction), with E = volume x net calorific value, "
            "EF_NG = 56.1 t CO2/TJ (natural gas) and Corr_eta = 0.667 (the efficiency of using "
            "waste gas rather than natural gas); the gas's own factor is not used",
            "unconfirmed",
            "CarbonGlance help pages, 'Waste gas' and 'Equations' "
            "(https://help.carbonglance.com/waste-gas)",
            "IR (EU) 2023/1773 Annex III, equations 53-54 (transitional period; the definitive "
            "act's notation was not verified) (cbam.md section A2.3, S8)",
        ),
        Rule(
            "functional-unit",
            "the functional unit is the tonne of goods, except for cement (tonnes of clinker "
            "contained) and fertilisers (tonnes of nitrogen contained; the supplementary unit of "
            "some fertilisers is not encoded): for those goods the SEE is also given per tonne "
            "of the functional unit, the SEE per tonne of good divided by the declared content",
            "unconfirmed",
            "CarbonChain help article 'Interpreting the emissions methodology implementing act', "
            "quoting recital (6) of IR (EU) 2025/2547",
            "IR (EU) 2025/2547 recital (6) (cbam.md section A2.2, S7)",
        ),
        Rule(
            "precursor-verification",
            "a third-country precursor's actual emissions may be used only with a verification "
            "report from an accredited verifier; otherwise its default value applies",
            "unconfirmed",
            _S2,
            "IR (EU) 2025/2547 Annex II A.1(4)-(5) (S2 RULE-EE-003; S1 section 3.4)",
        ),
        Rule(
            "rounding",
            "specific embedded emissions in t CO2e/t with at most 5 digits after the decimal "
            "point; the act names no rounding method: footprint rounds half up (half away from "
            "zero) on the decimal value",
            "unconfirmed",
            _S2,
            "IR (EU) 2025/2547 Annex II A.1(6)-(8) (S2 RULE-EE-006)",
        ),
        Rule(
            "default-fallback",
            "where a country has no default value for a good, the whole row (direct, indirect, "
            "total) of 'Other countries and territories' applies",
            "unconfirmed",
            _S1,
            "Annex I of IR (EU) 2025/2621 as replaced by IR (EU) 2026/1740 (S1 section 4.3; S3)",
        ),
        Rule(
            "default-markup",
            "the total default value is marked up by the year of import: cement, iron and steel, "
            "aluminium and hydrogen +10 % in 2026, +20 % in 2027, +30 % from 2028; fertilisers "
            "+1 % from 2026",
            "unconfirmed",
            _S1 + "; " + _S3,
            "opening paragraph of Annex I of IR (EU) 2025/2621 as replaced by IR (EU) 2026/1740 "
            "(S1 sections 4.1-4.2; S3 ADR 0010)",
        ),
        Rule(
            "carbon-price",
            "a carbon price paid in the country of origin is reported, not deducted: the "
            "implementing act under Art. 9(5) was a draft (Ares(2026)4841230); in the draft, the "
            "effective price = (emissions - rebated emissions) x price, free allocation counting "
            "as a rebate; a deduction with actual evidence is possible only for actual embedded "
            "emissions, effectively paid, certified by an independent person",
            "unconfirmed",
            _S1,
            "Reg. 2023/956 Art. 9 as replaced by Reg. 2025/2083; draft IR under Art. 9(5), "
            "Art. 6, Art. 8(1), Annex I eq. 12a/b (S1 sections 8.2-8.4)",
        ),
    )
}

#: EU member states (ISO 3166-1 alpha-2): precursors made there count zero.
EU_MEMBERS = frozenset(
    "AT BE BG HR CY CZ DK EE FI FR DE GR IE IT LV LT LU MT NL PL PT RO SK SI ES SE HU".split()
)

#: Third countries of Annex III point 1 of Reg. 2023/956 (ISO 3166-1 alpha-2 → name): goods
#: originating there are outside CBAM, so precursors made there count zero (rule
#: ``annex-iii-precursors-zero``, unconfirmed).
ANNEX_III_COUNTRIES: dict[str, str] = {
    "IS": "Iceland",
    "LI": "Liechtenstein",
    "NO": "Norway",
    "CH": "Switzerland",
}
#: Territories of Annex III point 1. They have no ISO 3166-1 alpha-2 code of their own: a precursor
#: from one of them carries the code of the member state they belong to, which counts zero already.
ANNEX_III_TERRITORIES = ("Büsingen", "Heligoland", "Livigno", "Ceuta", "Melilla")


def zero_origin(country: str) -> tuple[str, Rule] | None:
    """Why a precursor made in ``country`` (alpha-2) counts zero, with the rule; None if it counts.

    >>> zero_origin("NO")[0]
    'Annex III country (Norway, outside the scope of CBAM): counts zero'
    """
    key = country.strip().upper()
    if key in EU_MEMBERS:
        return "EU origin: counts zero", RULES["eu-precursors-zero"]
    if key in ANNEX_III_COUNTRIES:
        name = ANNEX_III_COUNTRIES[key]
        return (
            f"Annex III country ({name}, outside the scope of CBAM): counts zero",
            RULES["annex-iii-precursors-zero"],
        )
    return None


Sector = Literal["cement", "fertilisers", "iron_steel", "aluminium", "hydrogen", "electricity"]

#: CN code heads of the goods in Annex I of Reg. 2023/956, by sector (cbam.md A1, [S]).
_HEADS: dict[str, tuple[str, ...]] = {
    "cement": ("250700", "2523"),
    "fertilisers": ("2808", "2814", "283421", "3102", "3105"),
    "iron_steel": (
        "260112",
        "7201",
        "720211",
        "720219",
        "720241",
        "720249",
        "720260",
        "7203",
        *(f"72{n:02d}" for n in range(5, 30)),
        *(f"73{n:02d}" for n in range(1, 12)),
        "7318",
        "7326",
    ),
    "aluminium": ("7601", *(f"76{n:02d}" for n in range(3, 15)), "7616"),
    "hydrogen": ("280410",),
    "electricity": ("2716",),
}

#: Aggregated goods categories as named in the communication template (cbam.md A1, [S]).
CATEGORIES: dict[str, Sector] = {
    "cement": "cement",
    "cement clinker": "cement",
    "calcined clays": "cement",
    "aluminous cement": "cement",
    "iron or steel products": "iron_steel",
    "crude steel": "iron_steel",
    "direct reduced iron": "iron_steel",
    "pig iron": "iron_steel",
    "alloys (femn, fecr, feni)": "iron_steel",
    "sintered ore": "iron_steel",
    "hydrogen": "hydrogen",
    "ammonia": "fertilisers",
    "nitric acid": "fertilisers",
    "urea": "fertilisers",
    "mixed fertilisers": "fertilisers",
    "aluminium products": "aluminium",
    "unwrought aluminium": "aluminium",
    "electricity": "electricity",
}

_CN = re.compile(r"[0-9]{4,10}")


def normalise_cn(text: object, *, where: str | None = None) -> str:
    """The digits of a CN code (``"7208 10 00"`` → ``"72081000"``).

    Raises:
        CbamError: not 4 to 10 digits.
    """
    if not isinstance(text, str):
        raise CbamError(
            f"CN code {text!r} is not quoted text",
            where=where,
            fix="write the CN code in quotes, e.g. cn: '7208' (unquoted, YAML reads it as a number "
            "and drops leading zeros)",
        )
    digits = re.sub(r"[\s.]", "", text)
    if not _CN.fullmatch(digits):
        raise CbamError(
            f"CN code {text!r} is not 4 to 10 digits",
            where=where,
            fix="write a Combined Nomenclature code such as '7208', '2523 10 00' or '7601'",
        )
    return digits


def sector_of(cn: str, *, where: str | None = None) -> Sector:
    """The CBAM sector of a CN code (digits).

    Raises:
        CbamError: the code is not a good of Annex I of Reg. 2023/956 as encoded here.
    """
    for sector, heads in _HEADS.items():
        if any(cn.startswith(head) for head in heads):
            return sector  # type: ignore[return-value]
    raise CbamError(
        f"CN code {cn!r} is not a CBAM good (Annex I of Regulation (EU) 2023/956 covers cement, "
        "fertilisers, iron and steel, aluminium, hydrogen and electricity)",
        where=where,
        fix="check the code against Annex I, e.g. '7208' hot-rolled flat steel, '2523 10 00' "
        "clinker, '7601' unwrought aluminium",
    )


def counts_indirect(cn: str) -> bool:
    """Whether indirect emissions count for a good (it is not an Annex II good), from 2026."""
    return sector_of(cn) in ("cement", "fertilisers") or cn.startswith("260112")


def markup_rate(sector: Sector, year: int) -> float:
    """The mark-up on the total default value for an import in ``year``, as a fraction.

    Raises:
        CbamError: a year before the definitive period (2026).
    """
    if year < 2026:
        raise CbamError(
            f"year {year} is before the definitive period; the default values and mark-ups "
            "encoded here apply from 2026",
            where="--year",
            fix="give a year from 2026",
        )
    if sector == "fertilisers":
        return 0.01
    return {2026: 0.10, 2027: 0.20}.get(year, 0.30)
