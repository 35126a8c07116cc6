"""The opt-in default spread of background exchanges without a distribution."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from scipy.special import ndtri
from typer.testing import CliRunner

from footprint.cli.app import app
from footprint.engine import background_spread as bs
from footprint.engine import montecarlo as mc
from footprint.engine.calculate import calculate
from footprint.engine.montecarlo import monte_carlo
from footprint.errors import FootprintError
from footprint.inventory.uncertainty import LOGNORMAL, PEDIGREE_VARIANCES
from footprint.paths import examples_dir
from tests.conftest import write
from tests.engine.test_montecarlo import BUY_A, loop_background

FLAT = examples_dir() / "rebar-flat-bom.csv"  # no distribution in it or in what it reaches


def test_the_stated_default_follows_the_pedigree_tables() -> None:
    sigma = bs.sigmas()
    variances = [
        table[score - 1]
        for table, score in zip(PEDIGREE_VARIANCES.values(), bs.PEDIGREE, strict=True)
    ]
    for kind, basic in bs.BASIC_VARIANCE.items():
        assert sigma[kind] == pytest.approx(np.sqrt(basic + sum(variances)), rel=1e-12)
    assert sigma["transport"] > sigma["other greenhouse gases"] > sigma["technosphere"]
    described = bs.describe()
    assert list(described["pedigree"].values()) == list(bs.PEDIGREE)
    assert described["gsd"]["CO2"] == pytest.approx(np.exp(sigma["CO2"]), rel=1e-6)
    json.dumps(described)


def test_off_unless_asked() -> None:
    for path in (FLAT, examples_dir() / "steel-rebar-eaf.yaml"):
        plain = monte_carlo(path, iterations=250, seed=3)
        none = monte_carlo(path, iterations=250, seed=3, background_uncertainty="none")
        assert np.array_equal(plain.samples, none.samples)
        assert plain.background_default is None
        assert plain.sampled["background_technosphere"] == 0
        assert plain.to_dict()["background_default"] is None


def test_asked_for_it_spreads_the_background_around_the_deterministic_value() -> None:
    result = monte_carlo(FLAT, iterations=1000, seed=7, background_uncertainty="default")
    total = calculate(FLAT).total
    assert result.sources == "background"
    assert result.note == ""
    assert result.sampled["background_technosphere"] > 0
    assert result.sampled["background_biosphere"] > 0
    assert result.std > 0.02 * total
    assert result.median == pytest.approx(total, rel=0.03)  # lognormals centred on the amounts
    assert result.percentiles["2.5"] < total < result.percentiles["97.5"]
    data = result.to_dict(threshold=total)
    assert data["background_default"] == bs.describe()
    assert 0 < data["probability_meeting_threshold"] < 1


def test_same_seed_same_result() -> None:
    first = monte_carlo(FLAT, iterations=300, seed=11, background_uncertainty="default")
    again = monte_carlo(FLAT, iterations=300, seed=11, background_uncertainty="default")
    other = monte_carlo(FLAT, iterations=300, seed=12, background_uncertainty="default")
    assert np.array_equal(first.samples, again.samples)
    assert first.to_dict() == again.to_dict()
    assert not np.array_equal(first.samples, other.samples)


def test_exact_on_a_loop(tmp_path: Path) -> None:
    """a uses p kg of b, b uses q kg of a, each emits e kg CO2 per kg: all four sampled."""
    loop_background(tmp_path, "plain", "0,,,,", "0,,,,")
    path = write(tmp_path, "a.yaml", BUY_A)
    result = monte_carlo(
        path,
        iterations=mc.CHUNK,
        seed=5,
        background="plain",
        data_dir=tmp_path,
        background_uncertainty="default",
    )
    assert result.sampled == {
        "inventory": 0,
        "background_technosphere": 2,
        "background_biosphere": 2,
    }
    rng = np.random.Generator(np.random.PCG64(np.random.SeedSequence(5).spawn(1)[0]))
    tech = np.maximum(rng.random((2, mc.CHUNK)), 2.0**-54)  # rows a→b, b→a
    bio = np.maximum(rng.random((2, mc.CHUNK)), 2.0**-54)  # rows a, b
    s_t, s_c = bs.sigmas()["technosphere"], bs.sigmas()["CO2"]
    p, q = 0.45 * np.exp(s_t * ndtri(tech[0])), 0.9 * np.exp(s_t * ndtri(tech[1]))
    e_a, e_b = np.exp(s_c * ndtri(bio[0])), np.exp(s_c * ndtri(bio[1]))
    assert result.samples == pytest.approx((e_a + p * e_b) / (1 - p * q), rel=1e-9)


def test_own_distributions_are_kept_and_defaults_follow_the_exchange_kind() -> None:
    from footprint.background.catalog import load_background

    own = load_background()
    filled = bs.with_default_spread(own)
    sigma = bs.sigmas()
    for stem in ("technosphere", "biosphere"):
        before_at, before = bs.table_distributions(getattr(own, stem))
        after_at, after = bs.table_distributions(getattr(filled, stem))
        assert set(before_at) < set(after_at)
        kept = dict(zip(after_at.tolist(), after, strict=True))
        assert [repr(kept[i]) for i in before_at.tolist()] == [repr(d) for d in before]
        new = sorted(set(after_at.tolist()) - set(before_at.tolist()))
        frame = getattr(filled, stem)
        amounts = np.asarray(frame["amount"], dtype=float)
        for i in new[:: max(1, len(new) // 200)]:
            assert kept[i].kind == LOGNORMAL
            assert np.exp(kept[i].loc) == pytest.approx(abs(amounts[i]), rel=1e-12)
            assert kept[i].negative == (amounts[i] < 0)
    units = dict(zip(own.activities["id"], own.activities["unit"], strict=True))
    tech = filled.technosphere
    scale = np.asarray(pd_numbers(tech["scale"]))
    by_tkm = np.asarray([units[s] == "tkm" for s in tech["supplier"]])
    own_at = set(bs.table_distributions(own.technosphere)[0].tolist())
    plain = np.asarray([i not in own_at for i in range(len(tech))])
    assert np.allclose(scale[by_tkm & plain], sigma["transport"])
    assert np.allclose(scale[~by_tkm & plain], sigma["technosphere"])
    gases = dict(zip(own.flows["id"], own.flows["gas"], strict=True))
    bio = filled.biosphere
    gas = [gases.get(f) if isinstance(gases.get(f), str) else "" for f in bio["flow"]]
    bio_scale = pd_numbers(bio["scale"])
    own_bio = set(bs.table_distributions(own.biosphere)[0].tolist())
    for i, g in enumerate(gas):
        if i in own_bio:
            continue
        if g in ("CO2", "CO2e"):
            assert bio_scale[i] == pytest.approx(sigma["CO2"])
        elif g:
            assert bio_scale[i] == pytest.approx(sigma["other greenhouse gases"])
        else:
            assert np.isnan(bio_scale[i])  # no GWP: nothing to spread


def pd_numbers(column: object) -> np.ndarray:
    import pandas as pd

    values = pd.Series(column).replace("", np.nan)
    return np.asarray(pd.to_numeric(values, errors="coerce"), dtype=float)


def test_bad_values(tmp_path: Path) -> None:
    with pytest.raises(FootprintError, match="'sometimes'"):
        monte_carlo(FLAT, iterations=10, seed=1, background_uncertainty="sometimes")
    with pytest.raises(FootprintError, match="include_background"):
        monte_carlo(
            FLAT,
            iterations=10,
            seed=1,
            background_uncertainty="default",
            include_background=False,
        )


def test_cli_calc_and_report(tmp_path: Path, runner: CliRunner) -> None:
    args = ["calc", str(FLAT), "--uncertainty", "200", "--seed", "4"]
    out = runner.invoke(app, [*args, "-f", "json", "--background-uncertainty", "default"])
    assert out.exit_code == 0, out.output
    u = json.loads(out.stdout)["uncertainty"]
    assert u["sources"] == "background"
    assert u["background_default"]["pedigree"] == bs.describe()["pedigree"]
    expected = monte_carlo(FLAT, iterations=200, seed=4, background_uncertainty="default")
    assert u["std"] == expected.std
    table = runner.invoke(app, [*args, "--background-uncertainty", "default"])
    assert f"default lognormal, pedigree ({', '.join(map(str, bs.PEDIGREE))})" in table.output
    page = tmp_path / "flat.html"
    report = ["report", str(FLAT), "--uncertainty", "200", "--out", str(page)]
    made = runner.invoke(app, [*report, "--background-uncertainty", "default"])
    assert made.exit_code == 0, made.output
    html = page.read_text()
    assert 'id="figure-uncertainty"' in html
    assert 'id="uncertainty-default"' in html
    plain = runner.invoke(app, report)
    assert plain.exit_code == 0, plain.output
    html = page.read_text()
    assert 'id="figure-uncertainty"' not in html
    assert 'id="uncertainty-note"' in html
    assert "--background-uncertainty default" in html
    assert f"note: {mc.NO_SPREAD}" in plain.stderr
