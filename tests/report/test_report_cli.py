"""`footprint report`, `verify --html` and `batch --report` write self-contained pages."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from footprint.cli.app import app
from footprint.labels.check import check_labels
from footprint.labels.verify import verify
from footprint.paths import examples_dir
from footprint.report.i18n import translator
from tests.report.htmlcheck import parse

CLAIM = examples_dir().parent / "claims" / "rebar-buy-clean-california-2022.yaml"
CEMENT = examples_dir() / "cement-cn.yaml"
ON = "2025-06-01"
REMOTE = re.compile(r"""(?:src|href)\s*=\s*["']https?://|url\(\s*["']?https?://""", re.I)


def expected_verdicts(inventory: Path, on: str) -> dict[str, str]:
    """Each applicable scheme's verdict, from the library."""
    report = check_labels(inventory, ["all"], on=dt.date.fromisoformat(on))
    assert report.verdicts
    return {v.scheme: v.verdict.value for v in report.verdicts}


def shown_verdicts(page: str) -> dict[str, str]:
    """The report's label summary: scheme id -> verdict (without its ✓/✗ mark)."""
    rows = parse(page).tables["table-label-summary"][1:]
    return {row[0][0]: row[1][0].split(" ", 1)[1] for row in rows}


def banner(page: str) -> str:
    """The verification page's verdict banner (without its ✓/✗ mark)."""
    found = re.search(r'class="banner-verdict"><span aria-hidden="true">.</span> ([^<]*)</p>', page)
    assert found is not None
    return found.group(1)


def test_report_html_with_labels_and_scenarios(tmp_path: Path, runner: CliRunner) -> None:
    out = tmp_path / "cement.html"
    result = runner.invoke(
        app,
        [
            "report",
            str(CEMENT),
            "--scheme",
            "all",
            "--on",
            ON,
            "--scenario",
            str(examples_dir().parent / "scenarios" / "cement-cn-grid.yaml"),
            "--out",
            str(out),
        ],
    )
    assert result.exit_code == 0, result.output
    page = out.read_text()
    assert page.count("<svg") >= 4
    assert not REMOTE.search(page)
    assert "mee-nbs-2022" in page
    assert shown_verdicts(page) == expected_verdicts(CEMENT, ON)


def test_report_with_labels_computes_and_links_the_inventory_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, runner: CliRunner
) -> None:
    import footprint.engine.calculate as calculate

    linked: list[object] = []
    link = calculate.link

    def counting_link(*args: object, **kwargs: object) -> object:
        linked.append(args[0])
        return link(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(calculate, "link", counting_link)
    out = tmp_path / "rebar.html"
    rebar = examples_dir() / "steel-rebar-eaf.yaml"
    args = ["report", str(rebar), "--scheme", "all", "--on", "2025-06-01", "--out", str(out)]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert len(linked) == 1
    assert "table-datasets" in out.read_text()


def test_report_pdf(tmp_path: Path, runner: CliRunner) -> None:
    from footprint.report.pdf import pdf_available

    if not pdf_available():
        pytest.skip("WeasyPrint or its Pango libraries are not installed")
    out = tmp_path / "bottle.pdf"
    result = runner.invoke(
        app,
        ["report", str(examples_dir() / "pet-bottle.yaml"), "--format", "pdf", "--out", str(out)],
    )
    assert result.exit_code == 0, result.output
    assert out.read_bytes().startswith(b"%PDF")


def test_verify_html(tmp_path: Path, runner: CliRunner) -> None:
    out = tmp_path / "verification.html"
    result = runner.invoke(app, ["verify", str(CLAIM), "--html", str(out)])
    assert result.exit_code == 0, result.output
    page = out.read_text()
    assert banner(page) == ("VERIFIED" if verify(CLAIM).verified else "NOT VERIFIED")
    assert not REMOTE.search(page)


def test_batch_report(tmp_path: Path, runner: CliRunner) -> None:
    out = tmp_path / "catalogue.html"
    result = runner.invoke(
        app,
        [
            "batch",
            str(examples_dir()),
            "--quiet",
            "--out",
            str(tmp_path / "r.csv"),
            "--report",
            str(out),
            "--data-dir",
            str(tmp_path),
        ],
    )
    assert result.exit_code == 0, result.output
    page = out.read_text()
    assert "Primary aluminium ingot" in page
    assert not REMOTE.search(page)


def test_report_in_chinese(tmp_path: Path, runner: CliRunner) -> None:
    out = tmp_path / "cement.html"
    args = ["report", str(CEMENT), "--scheme", "all", "--on"]
    result = runner.invoke(app, [*args, "2025-06-01", "--lang", "zh-CN", "--out", str(out)])
    assert result.exit_code == 0, result.output
    page = out.read_text(encoding="utf-8")
    assert '<html lang="zh-CN">' in page
    assert "<h2>按生命周期阶段</h2>" in page
    zh = translator("zh-CN")
    expected = {scheme: zh(verdict) for scheme, verdict in expected_verdicts(CEMENT, ON).items()}
    assert shown_verdicts(page) == expected
    assert not REMOTE.search(page)


def test_report_in_an_unknown_language_is_a_usage_error(tmp_path: Path, runner: CliRunner) -> None:
    out = tmp_path / "cement.html"
    args = ["report", str(CEMENT), "--lang", "fr", "--out", str(out)]
    result = runner.invoke(app, args)
    assert result.exit_code == 2
    assert "--lang" in result.output
    assert "zh-CN" in result.output
    assert "Traceback" not in result.output
    assert not out.exists()


def test_verify_html_and_batch_report_in_chinese(tmp_path: Path, runner: CliRunner) -> None:
    out = tmp_path / "verification.html"
    result = runner.invoke(app, ["verify", str(CLAIM), "--html", str(out), "--lang", "zh-CN"])
    assert result.exit_code == 0, result.output
    page = out.read_text(encoding="utf-8")
    assert '<html lang="zh-CN">' in page
    assert banner(page) == translator("zh-CN")(
        "VERIFIED" if verify(CLAIM).verified else "NOT VERIFIED"
    )
    catalog = tmp_path / "catalog.csv"
    catalog.write_text(f"path\n{examples_dir() / 'pet-bottle.yaml'}\n", encoding="utf-8")
    report = tmp_path / "catalogue.html"
    result = runner.invoke(
        app,
        [
            "batch",
            str(catalog),
            "--quiet",
            "--out",
            str(tmp_path / "r.csv"),
            "--report",
            str(report),
            "--data-dir",
            str(tmp_path),
            "--lang",
            "zh-CN",
        ],
    )
    assert result.exit_code == 0, result.output
    page = report.read_text(encoding="utf-8")
    assert '<html lang="zh-CN">' in page
    assert "<h1>产品目录碳足迹</h1>" in page
