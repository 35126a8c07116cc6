"""Chinese report pages: every message has a translation, pages say their language, names in Chinese."""

from __future__ import annotations

import ast
import re
import string
from pathlib import Path

import pandas as pd
import pytest

from footprint.background.store import Background
from footprint.errors import FootprintError
from footprint.labels.verify import verify
from footprint.report import (
    i18n,
    product,
    render_catalogue_html,
    render_html,
    render_verification_html,
)
from footprint.report.html import environment
from footprint.report.i18n import Translator, activity_name, catalogue, language
from footprint.report.verdicts import WORDS
from tests.report.conftest import CLAIM, EXAMPLES, example
from tests.report.htmlcheck import parse
from tests.report.test_catalogue import catalogue as synthetic_catalogue

REPORT = Path(__file__).resolve().parents[2] / "footprint" / "report"
CJK = re.compile(r"[\u4e00-\u9fff]")
WIDE = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")  # Han and CJK punctuation
CEMENT = next(p for p in EXAMPLES if p.stem == "cement-cn")


def template_messages() -> dict[str, str]:
    """Every ``t("…")`` message of the templates, with where it is used."""
    from jinja2.ext import extract_from_ast

    found: dict[str, str] = {}
    for path in sorted((REPORT / "templates").glob("*.j2")):
        tree = environment().parse(path.read_text(encoding="utf-8"))
        for line, _, message in extract_from_ast(tree, gettext_functions=("t",)):
            text = message[0] if isinstance(message, tuple) else message
            assert isinstance(text, str), f"{path.name}:{line}: t() needs a literal message"
            found.setdefault(text, f"{path.name}:{line}")
    return found


def code_messages() -> dict[str, str]:
    """Every literal ``t("…")`` and ``N_("…")`` message of the report code (charts included)."""
    found: dict[str, str] = {}
    for path in sorted(REPORT.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)):
                continue
            if node.func.id not in ("t", "N_") or not node.args:
                continue
            first = node.args[0]
            if isinstance(first, ast.Constant) and isinstance(first.value, str):
                found.setdefault(first.value, f"{path.name}:{node.lineno}")
            else:  # a message held elsewhere must be marked there with N_("…")
                assert node.func.id == "t", f"{path.name}:{node.lineno}: N_() needs a literal"
    return found


MESSAGES = {**template_messages(), **code_messages()}


def fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_messages_are_found_in_templates_and_charts() -> None:
    assert "By life-cycle stage" in template_messages()  # a heading
    code = code_messages()
    assert "higher is better" in code  # chart code
    assert "NOT MET" in code  # a verdict, marked with N_
    assert len(MESSAGES) > 150


def test_every_message_has_a_chinese_translation() -> None:
    zh = catalogue("zh-CN")
    missing = {m: where for m, where in MESSAGES.items() if m not in zh}
    assert not missing, f"no zh-CN translation in footprint/report/i18n/zh-CN.yaml for {missing}"


def test_the_chinese_catalogue_has_no_stale_messages() -> None:
    stale = set(catalogue("zh-CN")) - set(MESSAGES)
    assert not stale, f"zh-CN.yaml translates messages no page uses: {sorted(stale)}"


def test_translations_keep_their_fields_and_are_chinese() -> None:
    symbols_only = {"{co2e} per {amount} {unit}", "{rank} of {count}"}  # "kg CO₂e/1 t", "3/12"
    for english, chinese in catalogue("zh-CN").items():
        assert fields(chinese) == fields(english), (english, chinese)
        assert WIDE.search(chinese) or english in symbols_only, (english, chinese)
    zh = i18n.translator("zh-CN")
    assert zh("MET") == "达标"
    assert zh("NOT MET") == "未达标"
    assert zh("NOT COMPARABLE") == "不可比"
    assert zh("INSUFFICIENT EVIDENCE") == "证据不足"
    assert zh("NOT IN FORCE") == "未生效"
    assert zh("raw material supply") == "原材料获取"
    assert zh("Other {count} activities", count=17) == "其余 17 个活动"


@pytest.mark.parametrize(
    ("given", "lang"), [("en", "en"), ("zh-CN", "zh-CN"), ("zh_cn", "zh-CN"), ("zh", "zh-CN")]
)
def test_language_names(given: str, lang: str) -> None:
    assert language(given) == lang


def test_unknown_language_is_a_footprint_error() -> None:
    with pytest.raises(FootprintError) as error:
        language("fr")
    assert error.value.where == "--lang"
    assert "'fr'" in error.value.what
    assert error.value.fix is not None
    assert "zh-CN" in error.value.fix
    ex = example(CEMENT)
    with pytest.raises(FootprintError):
        render_html(ex.result, lang="de")


@pytest.fixture
def strict(monkeypatch: pytest.MonkeyPatch) -> None:
    """Pages render with a translator that fails on any message zh-CN.yaml lacks."""
    real = i18n.translator

    def translator(lang: str | None = "en") -> Translator:
        found = real(lang)
        return Translator(found.lang, found.messages, strict=True)

    monkeypatch.setattr(i18n, "translator", translator)


def headings(html: str) -> list[str]:
    return [
        re.sub(r"<[^>]+>", "", h).strip() for h in re.findall(r"<h[123][^>]*>(.*?)</h[123]>", html)
    ]


@pytest.mark.usefixtures("strict")
def test_chinese_product_page() -> None:
    ex = example(CEMENT)
    html = render_html(
        ex.result,
        labels=ex.labels,
        scenarios={"2023": ex.result, "again": ex.result},
        generated="2025-06-01",
        lang="zh-CN",
    )
    assert '<html lang="zh-CN">' in html
    page = parse(html)
    assert not page.errors
    assert page.texts["headline-title"] == "碳足迹"
    for heading in ("按生命周期阶段", "主要贡献项", "按温室气体", "标识判定结果", "数据来源"):
        assert f"<h2>{heading}</h2>" in html
    # every heading is Chinese but the product's name and the label schemes' names (data)
    names = {ex.result.product.name, *(v.scheme_name for v in ex.labels.verdicts)}
    assert [h for h in headings(html) if not CJK.search(h) and h not in names] == []
    assert len(headings(html)) > 2 * len(names)
    # verdicts in words, charts titled and labelled in Chinese
    for verdict in {v.outcome.verdict for v in ex.labels.verdicts}:
        assert i18n.translator("zh-CN")(WORDS[verdict]) in html
    assert "按生命周期阶段的排放" in html
    assert "A1 原材料获取" in html
    assert "越低越好" in html  # bullet chart axis
    assert "合计" in html
    for english_word in (">By life-cycle stage<", ">Top contributors<", ">Provenance<"):
        assert english_word not in html


def test_english_stays_the_default() -> None:
    ex = example(CEMENT)
    html = render_html(ex.result, labels=ex.labels, generated="2025-06-01")
    assert '<html lang="en">' in html
    assert "<h2>By life-cycle stage</h2>" in html
    assert not CJK.search("".join(headings(html)).replace(ex.result.product.name, ""))


def test_chinese_html_names_system_fonts_and_embeds_none() -> None:
    ex = example(CEMENT)
    en = render_html(ex.result, generated="2025-06-01")
    zh = render_html(ex.result, generated="2025-06-01", lang="zh-CN")
    assert "Microsoft YaHei" in zh
    assert "PingFang SC" in zh
    assert "@font-face" not in zh
    assert "base64" not in zh
    assert len(zh) < 1.2 * len(en)  # no font inlined


@pytest.mark.usefixtures("strict")
def test_chinese_verification_page() -> None:
    report = verify(CLAIM)
    html = render_verification_html(report, generated="2025-06-01", lang="zh-CN")
    assert '<html lang="zh-CN">' in html
    status = i18n.translator("zh-CN")("VERIFIED" if report.verified else "NOT VERIFIED")
    assert re.search(rf'class="banner-verdict">.*</span> {status}</p>', html)
    assert "<h2>检查项</h2>" in html
    assert "声明值与复算值对比" in html
    assert "VERIFIED" not in html


@pytest.mark.usefixtures("strict")
def test_chinese_catalogue_page() -> None:
    batch = synthetic_catalogue(60)
    html = render_catalogue_html(batch, generated="2025-06-01", lang="zh-CN")
    assert '<html lang="zh-CN">' in html
    assert "<h1>产品目录碳足迹</h1>" in html
    assert "<h2>标识通过率</h2>" in html
    assert "<h2>排名</h2>" in html
    column = batch.rows["verdict:gsa-lec-2023-rebar"].dropna()
    met = int((column == "MET").sum())
    rate = i18n.translator("zh-CN")("{met} of {judged} MET", met=met, judged=len(column))
    assert rate in parse(html).texts["figure-pass-rates"]


def background_with_chinese_name(activity: str, name: str, name_zh: str | None) -> Background:
    """A one-activity background whose activity has a Chinese name (or an empty cell)."""
    empty = Background.empty()
    activities = pd.DataFrame(
        {
            "id": [activity],
            "name": [name],
            "location": ["CN"],
            "unit": ["kWh"],
            "source": ["hand-made"],
            "name_zh": [name_zh],
        }
    )
    return Background(
        name="hand-made",
        version="1",
        activities=activities,
        technosphere=empty.technosphere,
        biosphere=empty.biosphere,
        flows=empty.flows,
    )


def test_chinese_names_of_background_activities() -> None:
    bg = background_with_chinese_name("grid:CN", "Electricity, grid, CN", "全国电网电力")
    assert activity_name(bg, "grid:CN", "Electricity, grid, CN", "zh-CN") == "全国电网电力"
    assert activity_name(bg, "grid:CN", "Electricity, grid, CN", "en") == "Electricity, grid, CN"
    assert activity_name(bg, "other", "Other", "zh-CN") == "Other"
    assert activity_name(None, "grid:CN", "Electricity", "zh-CN") == "Electricity"
    blank = background_with_chinese_name("grid:CN", "Electricity, grid, CN", None)
    assert (
        activity_name(blank, "grid:CN", "Electricity, grid, CN", "zh-CN") == "Electricity, grid, CN"
    )
    without = Background.empty()
    assert activity_name(without, "grid:CN", "Electricity", "zh-CN") == "Electricity"


def test_hotspots_show_the_chinese_name_where_the_background_has_it() -> None:
    result = example(CEMENT).result
    first = next(
        a for a in result.by_activity if not a.activity.startswith(("foreground:", "other"))
    )
    bg = background_with_chinese_name(first.activity, first.name, "测试用中文活动名")
    zh = product.hotspot_chart(result, t=i18n.translator("zh-CN"), background=bg)
    en = product.hotspot_chart(result, background=bg)
    assert zh is not None
    assert en is not None
    names = [row[1].text for row in zh.table.rows]
    assert "测试用中文活动名" in names
    assert first.name not in names
    assert "测试用中文活动名" in zh.svg
    assert first.name in [row[1].text for row in en.table.rows]
    assert "测试用中文活动名" not in en.svg
