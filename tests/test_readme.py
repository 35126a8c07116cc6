"""The README's examples run as written and print what the library computes for them.

Each `footprint ...` line of a `console` block runs in-process; a check per command derives what
the output must say from the library (a total, a verdict, a count), never from a printed number.
"""

from __future__ import annotations

import csv
import datetime as dt
import html
import json
import re
import shlex
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner, Result

import footprint
from footprint.cli.app import app
from footprint.engine.batch import BatchResult
from footprint.report.format import sig

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")
GROUPS = {"background", "label", "schema", "export", "template", "clients", "cbam"}
SLOW_COMMANDS = ("--format pdf", ".pdf ")  # WeasyPrint renders for seconds: run with the slow set


def blocks(language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", README, flags=re.S)


class Command:
    """One README command line: its command words, positional arguments and options."""

    def __init__(self, line: str, out_dir: Path) -> None:
        words = shlex.split(line)
        assert words[0] == "footprint", line
        self.argv = words[1:]
        self.files: dict[str, Path] = {}
        for i, word in enumerate(self.argv[:-1]):
            if word in ("--out", "--html", "--report"):
                self.files[word] = out_dir / self.argv[i + 1]
                self.argv[i + 1] = str(self.files[word])
        first = next((i for i, w in enumerate(self.argv) if w.startswith("--")), len(self.argv))
        head = self.argv[:first]
        depth = 2 if head and head[0] in GROUPS else 1
        self.name = " ".join(head[:depth])
        self.args = head[depth:]
        self.options: dict[str, list[str]] = {}
        rest = self.argv[first:]
        for i, word in enumerate(rest):
            if word.startswith("--"):
                value = (
                    rest[i + 1] if i + 1 < len(rest) and not rest[i + 1].startswith("--") else ""
                )
                self.options.setdefault(word, []).append(value)

    def option(self, name: str, default: str | None = None) -> str | None:
        return self.options.get(name, [default])[-1]

    def on(self) -> dt.date | None:
        day = self.option("--on")
        return dt.date.fromisoformat(day) if day else None

    def evidence(self) -> dict[str, str]:
        return dict(pair.split("=", 1) for pair in self.options.get("--evidence", []))


@cache
def batch_of(catalogue: str) -> BatchResult:
    """The library's batch of a catalogue (three README commands run the same one)."""
    return footprint.run_batch(catalogue)


def _parameters(cmd: Command) -> dict[str, float | str] | None:
    from footprint.inventory.scenarios import parse_assignments

    sets = cmd.options.get("--set")
    return parse_assignments(sets) if sets else None


def check_calc(cmd: Command, result: Result) -> None:
    (path,) = cmd.args
    gwp = cmd.option("--gwp", "ar6") or "ar6"
    scenario = cmd.option("--scenario")
    if scenario:
        from footprint.engine.calculate import calculate_scenarios
        from footprint.inventory.scenarios import read_scenarios

        results = calculate_scenarios(path, read_scenarios(Path(scenario)), gwp=gwp)
        assert len(results) > 1
        for each in results.values():
            assert f"│ {sig(each.total)} │" in result.output
        return
    expected = footprint.calculate(path, gwp=gwp, parameters=_parameters(cmd))
    fmt = cmd.option("--format", "table")
    if fmt == "json":
        data = json.loads(result.output)
        assert data["product"] == expected.product.name
        assert data["total"]["value"] == pytest.approx(expected.total, rel=1e-12)
        assert data["by_stage"] == pytest.approx(expected.by_stage, rel=1e-12)
    elif fmt == "csv":
        with cmd.files["--out"].open(encoding="utf-8", newline="") as handle:
            rows = list(csv.DictReader(handle))
        assert {row["product"] for row in rows} == {expected.product.name}
        assert sum(float(row["kg_co2e"]) for row in rows) == pytest.approx(expected.total, rel=1e-4)
    else:
        assert f"{sig(expected.total)} kg CO2e per" in result.output
    iterations = cmd.option("--uncertainty")
    if iterations:
        mc = footprint.monte_carlo(
            path,
            iterations=int(iterations),
            seed=int(cmd.option("--seed", "0") or 0),
            gwp=gwp,
            background_uncertainty=cmd.option("--background-uncertainty"),
        )
        for label, value in (("mean", mc.mean), ("97.5th percentile", mc.percentiles["97.5"])):
            assert re.search(
                rf"│ {re.escape(label)}\s+│\s+{re.escape(sig(value))} │", result.output
            )
        assert f"P(meeting {cmd.option('--scheme')})" in result.output


def check_background_list(cmd: Command, result: Result) -> None:
    background = footprint.load_background()
    found = background.search(cmd.option("--search", "") or "", cmd.option("--location"))
    assert len(found) > 0
    assert f"{len(found)} of {len(background.activities)} activities" in result.output
    for activity_id in found["id"]:
        assert activity_id in result.output


def check_background_show(cmd: Command, result: Result) -> None:
    background = footprint.load_background()
    if not cmd.args:
        assert json.loads(result.output) == json.loads(json.dumps(background.describe()))
        return
    from footprint.engine.explain import explain_activity

    (name,) = cmd.args
    explained = explain_activity(background, name, location=cmd.option("--location"))
    assert f"id {explained['activity']['id']}" in result.output
    unit = explained["unit"]
    assert f"{sig(explained['kg_co2e'])} kg CO2e per {unit}" in result.output


def check_background_intensities(cmd: Command, result: Result) -> None:
    background = footprint.load_background()
    with cmd.files["--out"].open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == len(background.activities)
    assert f"{len(background.activities)} activities" in result.output


def check_schema_inventory(cmd: Command, result: Result) -> None:
    from footprint.inventory import inventory_schema

    assert json.loads(result.output) == json.loads(json.dumps(inventory_schema()))


def check_version(cmd: Command, result: Result) -> None:
    assert result.output.strip() == f"footprint {footprint.__version__}"


def check_label_list(cmd: Command, result: Result) -> None:
    from footprint.labels.scheme import load_schemes

    schemes = load_schemes()
    assert f"{len(schemes)} label schemes" in result.output
    assert all(scheme.id[:20] in result.output for scheme in schemes)


def check_label_show(cmd: Command, result: Result) -> None:
    from footprint.labels import get_scheme

    (scheme_id,) = cmd.args
    expected = get_scheme(scheme_id).model_dump(mode="json", exclude_none=True)
    assert json.loads(result.output) == expected


def check_label_check(cmd: Command, result: Result) -> None:
    (path,) = cmd.args
    schemes = cmd.options["--scheme"]
    report = footprint.check_labels(path, schemes, evidence=cmd.evidence(), on=cmd.on())
    assert report.verdicts
    assert result.exit_code == (0 if report.all_met else 1)
    for verdict in report.verdicts:
        row = rf"│ {re.escape(verdict.scheme)}\s+│ {re.escape(verdict.verdict.value)}\s+│"
        assert re.search(row, result.output), verdict.scheme


def check_verify(cmd: Command, result: Result) -> None:
    (claim,) = cmd.args
    tolerance = cmd.option("--tolerance")
    report = footprint.verify(claim, tolerance_pct=float(tolerance) if tolerance else None)
    status = "VERIFIED" if report.verified else "NOT VERIFIED"
    assert result.exit_code == (0 if report.verified else 1)
    fmt = cmd.option("--format", "table")
    if fmt == "json":
        assert json.loads(result.output) == json.loads(json.dumps(report.to_dict()))
        return
    text = cmd.files["--out"].read_text(encoding="utf-8") if "--out" in cmd.files else ""
    if fmt == "markdown":
        assert text.startswith(f"# Claim verification: {status}\n")
        assert f"±{tolerance} %" in text
    else:
        assert result.output.startswith(f"{status} — claim {report.claim['id']}")
    if "--html" in cmd.files:
        page = cmd.files["--html"].read_text(encoding="utf-8")
        assert html.escape(report.claim["id"]) in page
        assert re.search(rf">\s*{status}\s*<", page), status


def check_export_pact(cmd: Command, result: Result) -> None:
    (path,) = cmd.args
    expected = footprint.calculate(path)
    data = json.loads(cmd.files["--out"].read_text(encoding="utf-8"))
    assert data["productNameCompany"] == expected.product.name
    assert float(data["pcf"]["pcfExcludingBiogenicUptake"]) == pytest.approx(
        expected.total_excluding_biogenic_removals, rel=1e-9
    )


def check_batch(cmd: Command, result: Result) -> None:
    (catalogue,) = cmd.args
    batch = batch_of(catalogue)
    rows = batch.rows
    with cmd.files["--out"].open(encoding="utf-8", newline="") as handle:
        written = list(csv.DictReader(handle))
    assert len(written) == len(rows) > 0
    assert f"{len(rows)} products, {len(rows)} computed, 0 failed" in result.output
    totals = {row["file"]: float(row["kg_co2e"]) for row in written}
    assert totals == pytest.approx(dict(zip(rows["file"], rows["kg_co2e"], strict=True)))
    if "--scheme" in cmd.options:
        rebar = "inventories/examples/steel-rebar-eaf.yaml"
        labels = footprint.check_labels(rebar, cmd.options["--scheme"], on=cmd.on())
        (row,) = (row for row in written if row["file"] == rebar)
        for verdict in labels.verdicts:
            assert row[f"verdict:{verdict.scheme}"] == verdict.verdict.value
    if "--report" in cmd.files:
        page = cmd.files["--report"].read_text(encoding="utf-8")
        for product in rows["product"]:
            assert html.escape(product, quote=False) in page


def check_report(cmd: Command, result: Result) -> None:
    (path,) = cmd.args
    out = cmd.files["--out"]
    assert str(out) in result.output
    if cmd.option("--format") == "pdf":
        assert out.read_bytes().startswith(b"%PDF")
        return
    expected = footprint.calculate(path)
    page = out.read_text(encoding="utf-8")
    assert html.escape(expected.product.name, quote=False) in page
    assert sig(expected.total) in page
    if "--scheme" in cmd.options:
        labels = footprint.check_labels(path, cmd.options["--scheme"], on=cmd.on())
        for verdict in labels.verdicts:
            assert verdict.scheme in page


def _cbam(path: str) -> Any:
    from footprint.cbam.calc import calculate
    from footprint.cbam.model import read_installation

    return calculate(read_installation(Path(path)))


def check_cbam_calc(cmd: Command, result: Result) -> None:
    from footprint.cbam.benchmarks import for_good, import_year, see_with_adjustments

    (path,) = cmd.args
    expected = _cbam(path)
    assert expected.goods
    end = expected.installation.reporting_period.end.year
    year = import_year(end, int(y) if (y := cmd.option("--year")) else None)
    cscf = float(c) if (c := cmd.option("--cscf")) else None
    if cmd.option("--format") == "json":
        data = see_with_adjustments(expected, year, cscf=cscf)
        assert json.loads(result.output) == json.loads(json.dumps(data))
        return
    assert f"FAA {year}" in result.output
    for good in expected.goods:
        assert good.cn in result.output
        assert f"{good.to_dict()['total']:.5f}" in result.output
        faa = for_good(good.cn, good.route, year, cscf=cscf)
        if faa.per_tonne is not None:
            assert f"{faa.per_tonne:.5f}" in result.output


def check_cbam_defaults(cmd: Command, result: Result) -> None:
    from footprint.cbam.defaults import lookup

    year = int(cmd.option("--year") or dt.date.today().year)
    rows = lookup(cmd.option("--country") or "", cmd.option("--cn"), year=year)
    data = json.loads(result.output)
    assert [v["total"] for v in data["values"]] == [r.total for r in rows]
    assert [v["total_with_markup"] for v in data["values"]] == [r.total_with_markup for r in rows]
    from footprint.cbam.benchmarks import free_allocation_adjustment

    faas = [free_allocation_adjustment(r.row.cn, year, route=r.row.route) for r in rows]
    assert [v["free_allocation_adjustment"] for v in data["values"]] == [f.to_dict() for f in faas]


def check_cbam_grid_factors(cmd: Command, result: Result) -> None:
    from footprint.cbam.electricity import china_alternatives, grid_factor, grid_factors

    country = cmd.option("--country")
    rows = list(grid_factors()) if country is None else [grid_factor(country)]
    data = json.loads(result.output)
    assert data["factors"] == [r.to_dict() for r in rows]
    if any(r.code == "CN" for r in rows):
        assert data["china"]["shipped_grid_factors"] == china_alternatives()


def check_cbam_communicate(cmd: Command, result: Result) -> None:
    import openpyxl

    (path,) = cmd.args
    expected = _cbam(path)
    book = openpyxl.load_workbook(cmd.files["--out"], read_only=True)
    cells = {
        str(c)
        for sheet in book.worksheets
        for row in sheet.iter_rows(values_only=True)
        for c in row
        if c is not None
    }
    for good in expected.goods:
        assert good.cn in cells
        assert any(c.startswith(f"{good.to_dict()['total']}") for c in cells) or (
            str(good.to_dict()["total"]) in cells
        )


def check_cbam_reconcile(cmd: Command, result: Result) -> None:
    from footprint.cbam.reconcile import reconcile

    (path,) = cmd.args
    cn = cmd.option("--cn") or ""
    installation = _cbam(path)
    product = footprint.calculate(
        cmd.option("--inventory") or "", gwp=installation.installation.gwp
    )
    table = reconcile(installation, cn, product)
    assert table.good.cn in result.output
    assert f"{table.good.see.total:.5f}"[:6] in result.output


def check_cbam_report(cmd: Command, result: Result) -> None:
    (path,) = cmd.args
    out = cmd.files["--out"]
    if out.suffix == ".pdf":
        assert out.read_bytes().startswith(b"%PDF")
        return
    page = out.read_text(encoding="utf-8")
    for good in _cbam(path).goods:
        assert f"{good.to_dict()['total']:.5f}" in page


def check_schema_installation(cmd: Command, result: Result) -> None:
    from footprint.cbam.model import installation_schema

    assert json.loads(result.output) == json.loads(json.dumps(installation_schema()))


CHECKS: dict[str, Callable[[Command, Result], None]] = {
    "": check_version,
    "calc": check_calc,
    "background list": check_background_list,
    "background show": check_background_show,
    "background intensities": check_background_intensities,
    "schema inventory": check_schema_inventory,
    "label list": check_label_list,
    "label show": check_label_show,
    "label check": check_label_check,
    "verify": check_verify,
    "export pact": check_export_pact,
    "batch": check_batch,
    "report": check_report,
    "cbam calc": check_cbam_calc,
    "cbam defaults": check_cbam_defaults,
    "cbam grid-factors": check_cbam_grid_factors,
    "cbam communicate": check_cbam_communicate,
    "cbam reconcile": check_cbam_reconcile,
    "cbam report": check_cbam_report,
    "schema installation": check_schema_installation,
}
CLI_LINES = [line for block in blocks("console") for line in block.strip().splitlines()]


def slow(line: str) -> bool:
    return any(words in line for words in SLOW_COMMANDS)


def test_two_setup_commands_come_first() -> None:
    first, second = (b.strip() for b in blocks("sh")[:2])
    assert "footprint calc inventories/examples/" in first
    assert 'python -m pytest -q -m "not slow"' in second
    assert (ROOT / first.split("footprint calc ")[1].split()[0]).is_file()


def test_every_readme_command_has_a_check(tmp_path: Path) -> None:
    names = {Command(line, tmp_path).name for line in CLI_LINES}
    assert names <= set(CHECKS), f"add a check to CHECKS for {sorted(names - set(CHECKS))}"


@pytest.mark.parametrize(
    "line",
    [
        pytest.param(line, id=line, marks=[pytest.mark.slow] if slow(line) else [])
        for line in CLI_LINES
    ],
)
def test_cli_example_prints_what_the_library_computes(
    line: str, tmp_path: Path, runner: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(ROOT)
    cmd = Command(line, tmp_path)
    result = runner.invoke(app, cmd.argv)
    allowed = {0, 1} if cmd.name in ("label check", "verify") else {0}  # 1: not met / verified
    assert result.exit_code in allowed, result.output
    assert "Traceback" not in result.output
    for path in cmd.files.values():
        assert path.is_file(), path
    CHECKS[cmd.name](cmd, result)


def test_python_example_runs(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from footprint.labels import evaluate

    monkeypatch.chdir(ROOT)
    (code,) = blocks("python")
    namespace: dict[str, Any] = {}
    exec(compile(code, "README.md", "exec"), namespace)  # noqa: S102 - the README's own example
    out = capsys.readouterr().out.splitlines()
    result = footprint.calculate("inventories/examples/pet-bottle.yaml", gwp="ar6")
    assert out[0] == f"{result.total:.4f} kg CO2e per 1 piece"
    glass = footprint.calculate("inventories/examples/float-glass.yaml")
    verdict = evaluate(glass, "gsa-lec-2023-flat-glass")
    assert out[1].split()[0] == str(verdict.verdict).split()[0]
    assert namespace["verdict"].verdict == verdict.verdict


def test_csv_example_reads(tmp_path: Path) -> None:
    from footprint.inventory import read_inventory

    (text,) = [b for b in blocks("text") if b.startswith("# name:")]
    path = tmp_path / "bom.csv"
    path.write_text(text, encoding="utf-8")
    inventory = read_inventory(path)
    assert len(inventory.processes[0].inputs) == 2
    assert inventory.processes[0].emissions[0].gas == "CO2"
