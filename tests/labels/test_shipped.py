"""The shipped label schemes, the label CLI, and the shipped example claim."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from footprint.cli.app import app
from footprint.labels import Verdict, load_schemes
from footprint.labels.scheme import labels_dir
from footprint.paths import examples_dir

SCHEMES = load_schemes()
EXAMPLES = sorted(p for p in examples_dir().glob("*.yaml"))
CLAIM = examples_dir().parent / "claims" / "rebar-buy-clean-california-2022.yaml"


def test_at_least_fifteen_schemes() -> None:
    assert len(SCHEMES) >= 15
    assert len(list(labels_dir().glob("*.yaml"))) == len(SCHEMES)


@pytest.mark.parametrize("scheme", SCHEMES, ids=lambda s: s.id)
def test_every_scheme_cites_every_number(scheme: object) -> None:
    from footprint.labels.scheme import Scheme

    assert isinstance(scheme, Scheme)
    assert scheme.citations
    assert scheme.cited_keys(), "every threshold carries a citation key"
    for citation in scheme.citations.values():
        assert citation.publisher
        assert citation.document
    if scheme.status == "unconfirmed":
        assert scheme.status_note


def test_label_list_shows_every_scheme(runner: CliRunner) -> None:
    result = runner.invoke(app, ["label", "list", "--format", "json"])
    assert result.exit_code == 0
    rows = json.loads(result.output)
    assert {r["id"] for r in rows} == {s.id for s in SCHEMES}
    assert all(r["issuer"] and r["valid_from"] for r in rows)


def test_label_show(runner: CliRunner) -> None:
    result = runner.invoke(app, ["label", "show", SCHEMES[0].id])
    assert result.exit_code == 0
    assert json.loads(result.output)["id"] == SCHEMES[0].id


def test_unknown_scheme_is_bad_input(runner: CliRunner) -> None:
    result = runner.invoke(app, ["label", "check", str(EXAMPLES[0]), "--scheme", "no-such-scheme"])
    assert result.exit_code == 2
    assert "footprint label list" in result.output


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.name)
def test_examples_get_verdicts_from_applicable_schemes(example: Path, runner: CliRunner) -> None:
    result = runner.invoke(
        app,
        [
            "label",
            "check",
            str(example),
            "--scheme",
            "all",
            "--on",
            "2025-06-01",
            "--format",
            "json",
        ],
    )
    assert result.exit_code in (0, 1), result.output
    report = json.loads(result.output)
    verdicts = {v["verdict"] for v in report["verdicts"]}
    assert verdicts <= {v.value for v in Verdict}
    assert report["verdicts"], f"no scheme applies to {example.name}"
    assert result.exit_code == (0 if report["all_met"] else 1)


def test_shipped_claim_is_verified_and_reproducible() -> None:
    first = subprocess.run(
        [sys.executable, "-m", "footprint", "verify", str(CLAIM), "--format", "json"],
        capture_output=True,
        text=True,
        check=False,
    )
    second = subprocess.run(
        [sys.executable, "-m", "footprint", "verify", str(CLAIM), "--format", "json"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert first.returncode == 0, first.stdout + first.stderr
    assert first.stdout == second.stdout
    assert json.loads(first.stdout)["verified"] is True
