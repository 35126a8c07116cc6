"""Monte Carlo: reproducible, exact against closed forms, serial = Dask, and the CLI contract."""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from footprint.cli.app import app
from footprint.engine import montecarlo as mc
from footprint.engine.calculate import calculate
from footprint.engine.montecarlo import UncertaintyResult, monte_carlo
from footprint.engine.montecarlo import model as mc_model
from footprint.engine.montecarlo import sampling as mc_sampling
from footprint.errors import FootprintError
from footprint.paths import examples_dir
from footprint.report.format import sig
from tests.conftest import write

SCANNER = "426fb3f3-87cb-38a1-b4dd-9da869db0067"  # USLCI 'Scanner, department, i5800' (piece)
NATURAL_GAS = "5b81b61c-4d10-3bed-9926-8a5f868f5174"  # USLCI natural gas, industrial boiler (m3)


def scanner_kit(tmp_path: Path, amount: float = 1, name: str = "kit.yaml") -> Path:
    """A product on the shipped USLCI data, reaching background exchanges that carry a distribution."""
    return write(
        tmp_path,
        name,
        f"""\
product: {{name: Scanner kit, declared_unit: piece, declared_amount: {amount}, geography: US}}
processes:
  - id: kit
    output: 1 piece
    inputs:
      - background: {{id: {SCANNER}}}
        amount: 1 piece
      - background: {{id: {NATURAL_GAS}}}
        amount: 2 m3
        uncertainty: {{distribution: lognormal, gsd: 1.1}}
    emissions:
      - {{gas: CO2, amount: 10 kg, uncertainty: {{pedigree: [2, 3, 1, 2, 4], basic_gsd: 1.05}}}}
""",
    )


# A two-activity background with a loop: a uses p kg of b, b uses 0.9 kg of a; each emits 1 kg CO2
# per kg. One kg of a then costs (1 + p) / (1 - 0.9 p) kg CO2e.
ACTIVITIES = "id,name,location,unit\na,A,US,kg\nb,B,US,kg\n"
FLOWS = "id,name,compartment,unit,cas,gas,origin,kind\nco2,CO2,air,kg,,CO2,fossil,emission\n"
HEADER = "uncertainty_type,loc,scale,minimum,maximum"


def loop_background(data_dir: Path, name: str, p_row: str, b_co2_row: str) -> None:
    directory = data_dir / "backgrounds" / name
    directory.mkdir(parents=True)
    (directory / "activities.csv").write_text(ACTIVITIES)
    (directory / "flows.csv").write_text(FLOWS)
    (directory / "technosphere.csv").write_text(
        f"consumer,supplier,amount,{HEADER}\na,b,0.45,{p_row}\nb,a,0.9,0,,,,\n"
    )
    (directory / "biosphere.csv").write_text(
        f"activity,flow,amount,{HEADER}\na,co2,1.0,0,,,,\nb,co2,1.0,{b_co2_row}\n"
    )


BUY_A = """\
product: {name: A, declared_unit: kg, geography: US}
processes:
  - id: p
    output: 1 kg
    inputs:
      - {background: a, amount: 1 kg}
"""


def first_block_uniforms(seed: int, rows: int) -> np.ndarray:
    """The uniform numbers block 0 draws for ``rows`` sampled exchanges (the module's scheme)."""
    stream = np.random.SeedSequence(seed).spawn(1)[0]
    u = np.random.Generator(np.random.PCG64(stream)).random((rows, mc.CHUNK))
    return np.maximum(u, 2.0**-54)


def test_technosphere_sampling_is_exact_on_a_loop(tmp_path: Path) -> None:
    loop_background(tmp_path, "loop", "4,,,0.0,0.9", "0,,,,")
    path = write(tmp_path, "a.yaml", BUY_A)
    result = monte_carlo(path, iterations=mc.CHUNK, seed=11, background="loop", data_dir=tmp_path)
    p = 0.9 * first_block_uniforms(11, 1)[0]
    assert result.samples == pytest.approx((1 + p) / (1 - 0.9 * p), rel=1e-9)
    assert result.sampled == {
        "inventory": 0,
        "background_technosphere": 1,
        "background_biosphere": 0,
    }
    assert result.sources == "background"
    assert result.solver["gmres"] > 0  # wide draws leave the preconditioned iteration to GMRES
    assert result.solver["richardson_steps"] > 0


def test_biosphere_sampling_is_exact(tmp_path: Path) -> None:
    loop_background(tmp_path, "bio", "0,,,,", "2,0.0,0.5,,")
    path = write(tmp_path, "a.yaml", BUY_A)
    result = monte_carlo(path, iterations=150, seed=3, background="bio", data_dir=tmp_path)
    from scipy.special import ndtri

    s = np.exp(0.5 * ndtri(first_block_uniforms(3, 1)[0][:150]))
    x_a, x_b = 1 / (1 - 0.405), 0.45 / (1 - 0.405)
    assert result.samples == pytest.approx(x_a + x_b * s, rel=1e-12)
    assert result.solver["richardson_steps"] == 0  # A not sampled: no iterative solve


def test_both_background_matrices_sampled(tmp_path: Path) -> None:
    loop_background(tmp_path, "both", "5,0.45,,0.3,0.6", "3,1.0,0.1,,")
    path = write(tmp_path, "a.yaml", BUY_A)
    result = monte_carlo(path, iterations=mc.CHUNK, seed=5, background="both", data_dir=tmp_path)
    from scipy.special import ndtri

    u = first_block_uniforms(5, 2)
    low, mode, high = 0.3, 0.45, 0.6  # triangular inverse CDF
    cut = (mode - low) / (high - low)
    p = np.where(
        u[0] < cut,
        low + np.sqrt(u[0] * (high - low) * (mode - low)),
        high - np.sqrt((1 - u[0]) * (high - low) * (high - mode)),
    )
    s = 1.0 + 0.1 * ndtri(u[1])
    assert result.samples == pytest.approx((1 + p * s) / (1 - 0.9 * p), rel=1e-9)


def test_background_switch_and_examples_without_distributions(tmp_path: Path) -> None:
    loop_background(tmp_path, "loop", "4,,,0.0,0.9", "0,,,,")
    path = write(tmp_path, "a.yaml", BUY_A)
    off = monte_carlo(
        path, iterations=10, seed=1, background="loop", data_dir=tmp_path, include_background=False
    )
    assert off.sources == "none"
    assert np.all(off.samples == (1 + 0.45) / (1 - 0.405))
    assert off.note == mc.NO_SPREAD_FOREGROUND


NOTHING_UNCERTAIN = """\
product: {name: Gas burnt, declared_unit: m3, geography: US}
processes:
  - id: p
    output: 1 m3
    inputs:
      - {background: {id: 5b81b61c-4d10-3bed-9926-8a5f868f5174}, amount: 1 m3}
    emissions:
      - {gas: CO2, amount: 0.1 kg, origin: fossil}
"""


@pytest.mark.parametrize("name", ["rebar-flat-bom.csv", "gas.yaml"])
def test_nothing_uncertain_says_so_and_gives_no_probability(name: str, tmp_path: Path) -> None:
    path = (
        examples_dir() / name if name.endswith(".csv") else write(tmp_path, name, NOTHING_UNCERTAIN)
    )
    result = monte_carlo(path, iterations=300, seed=9)
    assert result.sources == "none"
    assert np.all(result.samples == result.samples[0])
    assert result.samples[0] == pytest.approx(calculate(path).total, rel=1e-9)
    assert result.std == 0.0
    assert result.percentiles["2.5"] == result.percentiles["97.5"] == result.median
    assert not result.has_spread
    assert result.note == mc.NO_SPREAD
    assert result.chance_at_most(1e9) is None
    data = result.to_dict(threshold=1e9)
    assert data["sources"] == "none"
    assert "--background-uncertainty default" in data["note"]
    assert data["probability_meeting_threshold"] is None
    assert data["probability_note"] == mc.NO_PROBABILITY
    assert data["background_default"] is None


def test_a_spread_has_no_note_and_a_probability(tmp_path: Path) -> None:
    result = monte_carlo(scanner_kit(tmp_path), iterations=200, seed=9)
    assert result.has_spread
    assert result.note == ""
    data = result.to_dict(threshold=result.median)
    assert data["note"] is None
    assert "probability_note" not in data
    assert 0 < data["probability_meeting_threshold"] < 1


def test_distributions_that_change_nothing_are_noted(tmp_path: Path) -> None:
    """a buys an uncertain amount of c, which emits nothing and buys nothing."""
    directory = tmp_path / "backgrounds" / "idle"
    directory.mkdir(parents=True)
    (directory / "activities.csv").write_text(ACTIVITIES + "c,C,US,kg\n")
    (directory / "flows.csv").write_text(FLOWS)
    (directory / "technosphere.csv").write_text(
        f"consumer,supplier,amount,{HEADER}\na,b,0.45,0,,,,\nb,a,0.9,0,,,,\na,c,2.0,2,0.69,0.2,,\n"
    )
    (directory / "biosphere.csv").write_text(
        f"activity,flow,amount,{HEADER}\na,co2,1.0,0,,,,\nb,co2,1.0,0,,,,\n"
    )
    path = write(tmp_path, "a.yaml", BUY_A)
    result = monte_carlo(path, iterations=50, seed=1, background="idle", data_dir=tmp_path)
    assert result.sources == "background"
    assert result.samples == pytest.approx((1 + 0.45) / (1 - 0.405), rel=1e-12)
    assert not result.has_spread
    assert result.note == mc.NO_EFFECT
    assert result.to_dict(threshold=2.0)["probability_meeting_threshold"] is None


def test_same_seed_same_samples_other_seeds_same_percentiles(tmp_path: Path) -> None:
    path = scanner_kit(tmp_path)
    first = monte_carlo(path, iterations=3000, seed=42)
    again = monte_carlo(path, iterations=3000, seed=42)
    assert np.array_equal(first.samples, again.samples)
    assert first.to_dict() == again.to_dict()
    other = monte_carlo(path, iterations=3000, seed=43)
    assert not np.array_equal(first.samples, other.samples)
    for key in ("2.5", "50", "97.5"):
        assert other.percentiles[key] == pytest.approx(first.percentiles[key], rel=0.02)
    assert other.mean == pytest.approx(first.mean, rel=0.01)


def test_more_iterations_extend_the_same_stream(tmp_path: Path) -> None:
    path = scanner_kit(tmp_path)
    short = monte_carlo(path, iterations=250, seed=4)
    long = monte_carlo(path, iterations=600, seed=4)
    assert np.array_equal(short.samples[: mc.CHUNK], long.samples[: mc.CHUNK])


def test_samples_scale_with_the_declared_amount(tmp_path: Path) -> None:
    one = monte_carlo(scanner_kit(tmp_path), iterations=500, seed=8)
    three = monte_carlo(scanner_kit(tmp_path, 3, "kit3.yaml"), iterations=500, seed=8)
    assert three.samples == pytest.approx(3 * one.samples, rel=1e-12)
    assert three.percentiles["2.5"] == pytest.approx(3 * one.percentiles["2.5"], rel=1e-12)


def test_background_uncertainty_widens_the_spread(tmp_path: Path) -> None:
    path = scanner_kit(tmp_path)
    inventory_only = monte_carlo(path, iterations=2000, seed=5, include_background=False)
    both = monte_carlo(path, iterations=2000, seed=5)
    assert inventory_only.sources == "inventory"
    assert both.sources == "inventory and background"
    assert both.sampled["background_technosphere"] > 0
    assert both.std > 1.2 * inventory_only.std
    width = both.percentiles["97.5"] - both.percentiles["2.5"]
    assert width > inventory_only.percentiles["97.5"] - inventory_only.percentiles["2.5"]
    assert both.median == pytest.approx(calculate(path).total, rel=0.05)


def test_matches_direct_solves_of_each_sampled_system(tmp_path: Path) -> None:
    """Rebuild each sampled technosphere and solve it directly (no preconditioned iteration)."""
    from scipy import sparse
    from scipy.sparse.linalg import spsolve

    from footprint.background.catalog import load_background
    from footprint.engine.system import link
    from footprint.inventory import read_inventory

    inventory = read_inventory(scanner_kit(tmp_path))
    background = load_background()
    system = link(inventory, background, with_background=False)
    problem = mc_model.problem(
        system, system.characterisation("ar6"), mc_model.background_model(background, "ar6")
    )
    assert problem.a is not None
    result = monte_carlo(inventory, iterations=60, seed=21)
    rng = np.random.Generator(np.random.PCG64(np.random.SeedSequence(21).spawn(1)[0]))
    draws = [mc_sampling.draw(d, rng, 60) for d in (problem.f_dist, problem.l_dist, problem.t_dist)]
    supply = mc_sampling.foreground(problem, draws[0], 60)
    for i in range(60):
        amounts = problem.l_amount.copy()
        amounts[problem.l_at] = draws[1][:, i]
        coef = supply[problem.l_process, i] * amounts
        w = np.zeros(problem.a.shape[0])
        for j in np.flatnonzero(problem.l_slot >= 0):
            w[problem.slots[problem.l_slot[j]]] += coef[j]
        delta = sparse.csc_matrix(
            (-(draws[2][:, i] - problem.t_amount), (problem.t_rows, problem.t_cols)),
            shape=problem.a.shape,
        )
        x = spsolve(sparse.csc_matrix(problem.a + delta), w)
        expected = float((coef * problem.l_cf).sum() + problem.g @ x)
        assert result.samples[i] == pytest.approx(expected, rel=1e-10)


def test_result_statistics_and_dict() -> None:
    result = UncertaintyResult.from_samples(np.arange(1.0, 101.0), seed=3)
    assert result.mean == 50.5
    assert result.median == 50.5
    assert result.percentiles == {
        "2.5": pytest.approx(3.475),
        "50": 50.5,
        "97.5": pytest.approx(97.525),
    }
    assert result.probability_at_most(10.0) == 0.1
    data = result.to_dict(threshold=25.0)
    assert data["probability_meeting_threshold"] == 0.25
    assert {"iterations", "seed", "mean", "median", "std", "p2_5", "p50", "p97_5"} <= set(data)
    assert "samples" not in data
    assert len(result.to_dict(include_samples=True)["samples"]) == 100
    json.dumps(data)


def test_bad_arguments(tmp_path: Path) -> None:
    path = scanner_kit(tmp_path)
    with pytest.raises(FootprintError, match="iterations"):
        monte_carlo(path, iterations=0, seed=1)
    with pytest.raises(FootprintError, match="seed"):
        monte_carlo(path, iterations=10, seed=-1)


# --- CLI --------------------------------------------------------------------------------------


def test_cli_json_reports_the_percentiles_and_the_threshold(
    tmp_path: Path, runner: CliRunner
) -> None:
    path = scanner_kit(tmp_path)
    args = ["calc", str(path), "--uncertainty", "400", "--seed", "42", "-f", "json"]
    first = runner.invoke(app, [*args, "--threshold", "0.14 t CO2e/piece"])
    assert first.exit_code == 0, first.output
    data = json.loads(first.output)
    u = data["uncertainty"]
    assert {"iterations", "seed", "mean", "median", "std", "p2_5", "p50", "p97_5"} <= set(u)
    assert u["method"] == "Monte Carlo"
    assert u["sources"] == "inventory and background"
    assert (u["iterations"], u["seed"]) == (400, 42)
    assert u["threshold"] == {"value": pytest.approx(140.0), "unit": "kg CO2e"}
    expected = monte_carlo(path, iterations=400, seed=42)
    assert u["p2_5"] == expected.percentiles["2.5"]
    assert u["probability_meeting_threshold"] == expected.probability_at_most(140.0)
    assert data["total"]["value"] == pytest.approx(calculate(path).total, rel=1e-12)
    again = runner.invoke(app, [*args, "--threshold", "0.14 t CO2e/piece"])
    assert again.output == first.output  # same seed: byte-identical JSON


def test_cli_table_shows_percentiles(tmp_path: Path, runner: CliRunner) -> None:
    path = scanner_kit(tmp_path)
    args = ["--uncertainty", "100", "--seed", "7", "--threshold", "130 kg CO2e/piece"]
    out = runner.invoke(app, ["calc", str(path), *args])
    assert out.exit_code == 0, out.output
    expected = monte_carlo(path, iterations=100, seed=7)
    for label, value in (
        ("2.5th", expected.percentiles["2.5"]),
        ("97.5th", expected.percentiles["97.5"]),
    ):
        assert re.search(rf"│ {label} percentile\s+│\s+{re.escape(sig(value))} │", out.output)
    chance = f"{100 * expected.probability_at_most(130.0):.1f} %"
    assert re.search(rf"│ P\(footprint <= 130 kg CO2e/piece\)\s+│\s+{chance} │", out.output)


def test_cli_without_a_spread_prints_a_note_and_no_probability(
    tmp_path: Path, runner: CliRunner
) -> None:
    rebar = examples_dir() / "rebar-flat-bom.csv"
    scheme = "buy-clean-california-2022-rebar"
    args = ["calc", str(rebar), "--uncertainty", "50", "--on", "2023-01-01", "--scheme", scheme]
    table = runner.invoke(app, [*args, "--threshold", "0.8 t CO2e/t"])
    assert table.exit_code == 0, table.output
    assert "P(meeting" not in table.output
    assert "P(footprint" not in table.output
    assert f"note: {mc.NO_SPREAD}" in table.output
    assert table.output.count(mc.NO_SPREAD) == 1  # once, below the table
    out = runner.invoke(app, [*args, "-f", "json", "--threshold", "0.8 t CO2e/t"])
    assert out.exit_code == 0, out.output
    u = json.loads(out.stdout)["uncertainty"]
    assert (u["sources"], u["note"]) == ("none", mc.NO_SPREAD)
    assert u["probability_meeting_threshold"] is None
    (chance,) = u["schemes"]
    assert chance["limit"] == pytest.approx(890.0)
    assert chance["probability_meeting"] is None
    assert chance["why"] == mc.NO_PROBABILITY
    (line,) = out.stderr.strip().splitlines()  # one line on the terminal
    assert line == f"note: {mc.NO_SPREAD}"


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--threshold", "1 kg CO2e"], "Monte Carlo options"),
        (["--background-uncertainty", "default"], "Monte Carlo options"),
        (["--uncertainty", "10", "--background-uncertainty", "some"], "'some'"),
        (["--uncertainty", "10", "--threshold", "1 t CO2e/t"], "--threshold"),
        (["--uncertainty", "10", "-f", "csv"], "--format table or json"),
    ],
)
def test_cli_option_errors(
    tmp_path: Path, extra: list[str], message: str, runner: CliRunner
) -> None:
    out = runner.invoke(app, ["calc", str(scanner_kit(tmp_path)), *extra])
    assert out.exit_code == 2
    assert message in out.output


@pytest.mark.slow
def test_dask_local_cluster_gives_the_serial_samples(tmp_path: Path) -> None:
    path = scanner_kit(tmp_path)
    serial = monte_carlo(path, iterations=900, seed=17)
    parallel = monte_carlo(path, iterations=900, seed=17, workers=2)
    assert np.array_equal(serial.samples, parallel.samples)
    assert serial.to_dict() == parallel.to_dict()


def test_cli_probability_of_meeting_a_label_scheme(tmp_path: Path, runner: CliRunner) -> None:
    from footprint.paths import examples_dir

    rebar = examples_dir() / "steel-rebar-eaf.yaml"
    scheme = "buy-clean-california-2022-rebar"  # 0.89 t CO2e per t, the rebar is declared per t
    args = ["calc", str(rebar), "--uncertainty", "200", "--seed", "5", "--on", "2023-01-01"]
    out = runner.invoke(app, [*args, "-f", "json", "--scheme", scheme])
    assert out.exit_code == 0, out.output
    (chance,) = json.loads(out.output)["uncertainty"]["schemes"]
    assert chance["scheme"] == scheme
    assert chance["limit"] == pytest.approx(890.0, rel=1e-12)
    expected = monte_carlo(rebar, iterations=200, seed=5).probability_at_most(890.0)
    assert chance["probability_meeting"] == expected
    table = runner.invoke(app, [*args, "--scheme", scheme])
    assert f"P(meeting {scheme})" in table.output
    assert f"{100 * expected:.1f} %" in table.output


def test_cli_scheme_without_uncertainty_points_at_label_check(
    tmp_path: Path, runner: CliRunner
) -> None:
    out = runner.invoke(app, ["calc", str(scanner_kit(tmp_path)), "--scheme", "all"])
    assert out.exit_code == 2
    assert "label check" in out.output
