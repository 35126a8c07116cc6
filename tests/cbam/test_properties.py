"""Properties of the SEE calculation (hypothesis, bounded)."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from footprint.cbam.calc import calculate
from footprint.cbam.goods import EU_MEMBERS
from tests.cbam.helpers import build, installation, process

positive = st.floats(min_value=0.01, max_value=1e5, allow_nan=False, allow_infinity=False)
factor = st.floats(min_value=0.0, max_value=200.0, allow_nan=False, allow_infinity=False)
SETTINGS = settings(max_examples=60, deadline=None)


def _see(data: dict[str, object], pid: str) -> tuple[float, float]:
    result = calculate(build(data))  # type: ignore[arg-type]
    (res,) = [p for p in result.processes if p.id == pid]
    return res.see.direct, res.see.indirect


@SETTINGS
@given(
    level=positive,
    a=st.tuples(positive, factor),
    b=st.tuples(positive, factor),
    k=st.floats(min_value=0.0, max_value=50.0),
)
def test_see_is_linear_in_the_emissions(
    level: float, a: tuple[float, float], b: tuple[float, float], k: float
) -> None:
    both = _see(installation([process("p", level=level, streams=[a, b])]), "p")[0]
    only_a = _see(installation([process("p", level=level, streams=[a])]), "p")[0]
    only_b = _see(installation([process("p", level=level, streams=[b])]), "p")[0]
    assert both == pytest.approx(only_a + only_b, rel=1e-12, abs=1e-12)
    scaled = _see(installation([process("p", level=level, streams=[(a[0] * k, a[1])])]), "p")[0]
    assert scaled == pytest.approx(k * only_a, rel=1e-12, abs=1e-12)


@SETTINGS
@given(chain=st.lists(st.tuples(positive, positive, factor, positive), min_size=1, max_size=5))
def test_recursion_equals_the_flattened_sum(
    chain: list[tuple[float, float, float, float]],
) -> None:
    # Process i makes level_i t from (TJ_i x EF_i) of fuel and mass_i t of process i-1's good.
    processes = []
    for i, (level, tj, ef, mass) in enumerate(chain):
        precursors = [(f"p{i - 1}", mass)] if i else []
        processes.append(process(f"p{i}", level=level, streams=[(tj, ef)], precursors=precursors))
    last = f"p{len(chain) - 1}"
    recursive = _see(installation(processes), last)[0]
    flattened = 0.0
    for i, (level, tj, ef, _) in enumerate(chain):
        carried = math.prod(chain[j][3] / chain[j][0] for j in range(i + 1, len(chain)))
        flattened += tj * ef / level * carried
    assert recursive == pytest.approx(flattened, rel=1e-9, abs=1e-12)


@SETTINGS
@given(
    country=st.sampled_from(sorted(EU_MEMBERS)),
    direct=factor,
    indirect=factor,
    mass=positive,
    verified=st.booleans(),
    level=positive,
    own=st.tuples(positive, factor),
)
def test_eu_precursors_contribute_zero(
    country: str,
    direct: float,
    indirect: float,
    mass: float,
    verified: bool,
    level: float,
    own: tuple[float, float],
) -> None:
    emissions: dict[str, object] = {
        "direct": f"{direct!r} t CO2e/t",
        "indirect": f"{indirect!r} t CO2e/t",
    }
    if verified:
        emissions["verification"] = {"verifier": "V"}
    bought = {
        "id": "x",
        "cn": "7207 11 14",
        "country": country,
        "quantity": f"{mass!r} t",
        "emissions": emissions,
    }
    with_eu = installation(
        [process("p", level=level, streams=[own], precursors=[("x", mass)])], [bought]
    )
    alone = installation([process("p", level=level, streams=[own])])
    assert _see(with_eu, "p") == _see(alone, "p")


@SETTINGS
@given(level=positive, mass=positive, own=st.tuples(positive, factor))
def test_an_annex_ii_good_does_not_take_the_indirect_emissions_of_its_own_electricity(
    level: float, mass: float, own: tuple[float, float]
) -> None:
    electricity = [
        {"amount": f"{mass!r} MWh", "emission_factor": "0.5 t CO2/MWh", "factor_source": "grid"}
    ]
    steel = installation(
        [process("p", level=level, streams=[own], electricity_consumed=electricity)]
    )
    assert _see(steel, "p")[1] == 0.0
    cement = installation(
        [
            process(
                "p",
                cn="25232900",
                category="Cement",
                level=level,
                streams=[own],
                electricity_consumed=electricity,
            )
        ]
    )
    assert _see(cement, "p")[1] == pytest.approx(mass * 0.5 / level, rel=1e-12)
