"""Report languages: English (the messages as written in the code) and Simplified Chinese.

Every word a report page shows goes through a :class:`Translator`: ``t("By greenhouse gas")``
returns the message in the page's language, and ``t("Top {shown} of {count} line items",
shown=8, count=12)`` fills in the fields after translating. The catalogue of a language is a
YAML file beside this module (``zh-CN.yaml``), keyed by the English message; English needs none.
Messages built elsewhere (held in a table, say) are marked with :func:`N_` so that the test of
the catalogue finds them. Data (product, process and flow names, reasons written by the label
rules, warnings) is shown as given, except background activities that carry a Chinese name
(:func:`activity_name`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING

from footprint.errors import FootprintError

if TYPE_CHECKING:
    from footprint.background.store import Background

#: the report languages, as BCP 47 tags (the page's ``<html lang>``)
LANGUAGES = ("en", "zh-CN")
_ALIASES = {
    "en": "en",
    "en-gb": "en",
    "en-us": "en",
    "zh": "zh-CN",
    "zh-cn": "zh-CN",
    "zh-hans": "zh-CN",
    "zh-hans-cn": "zh-CN",
}
#: the column of a background's activities holding their names in a language
NAME_COLUMNS = {"zh-CN": "name_zh"}


def language(lang: str | None, where: str = "--lang") -> str:
    """The report language ``lang`` stands for (``zh_CN``, ``zh-cn``, ``zh`` → ``zh-CN``).

    Raises:
        FootprintError: a language the reports are not written in.
    """
    key = (lang or "en").strip().lower().replace("_", "-")
    if key in _ALIASES:
        return _ALIASES[key]
    raise FootprintError(
        f"reports are written in {' or '.join(LANGUAGES)}, not {lang!r}",
        where=where,
        fix="use en (English, the default) or zh-CN (Simplified Chinese)",
    )


def N_(message: str) -> str:  # noqa: N802 - the usual name of a gettext no-op marker
    """``message`` unchanged: marks it for the catalogue where it is held before being shown."""
    return message


@dataclass(frozen=True)
class Translator:
    """Translates report messages into ``lang``; a message the catalogue lacks stays English.

    ``strict`` makes a missing message a ``KeyError`` instead (for tests).
    """

    lang: str
    messages: Mapping[str, str]
    strict: bool = False

    def __call__(self, message: str, /, **fields: object) -> str:
        """``message`` in the page's language, with ``fields`` filled in (``str.format``)."""
        text = self.messages.get(message)
        if text is None:
            if self.strict and self.lang != "en":
                raise KeyError(f"no {self.lang} translation of {message!r}")
            text = message
        return text.format(**fields) if fields else text


ENGLISH = Translator("en", {})


@cache
def catalogue(lang: str) -> dict[str, str]:
    """The messages of ``lang`` (English message → translation); empty for English."""
    import yaml

    lang = language(lang)
    if lang == "en":
        return {}
    text = resources.files(__name__).joinpath(f"{lang}.yaml").read_text(encoding="utf-8")
    data = yaml.safe_load(text) or {}
    return {str(key): str(value) for key, value in data.items()}


def translator(lang: str | None = "en") -> Translator:
    """The translator into ``lang`` (see :func:`language` for the names accepted).

    Raises:
        FootprintError: an unknown language.
    """
    lang = language(lang)
    return ENGLISH if lang == "en" else Translator(lang, catalogue(lang))


def activity_name(background: Background | None, activity: str, default: str, lang: str) -> str:
    """The name of background ``activity`` in ``lang`` when the background has one, else ``default``.

    A background may carry names in other languages in extra columns of its activities
    (``name_zh`` for zh-CN); an empty or missing cell falls back to ``default``.
    """
    column = NAME_COLUMNS.get(lang)
    if background is None or column is None or column not in background.activities.columns:
        return default
    row = background.index.get(activity)
    if row is None:
        return default
    value = background.activities[column].iloc[row]
    if value is None or (isinstance(value, float) and value != value):  # None or NaN
        return default
    return str(value).strip() or default
