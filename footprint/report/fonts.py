"""The fonts of the reports: a bundled CJK font for PDF and charts, font stacks for HTML.

Chinese text needs a font with CJK glyphs. HTML pages name the CJK fonts that common systems
have (PingFang SC, Microsoft YaHei, Noto Sans CJK SC, …) and load none. PDF output embeds Noto
Sans SC (SIL Open Font License 1.1), installed from PyPI with the ``pylopdf-fonts-zh-cn`` package
(a data-only wheel of the Noto CJK project's files with their licence), so that Chinese never
prints as empty boxes, whichever fonts the machine has. Matplotlib measures chart labels with it.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

#: the family name of the bundled CJK font
CJK_FAMILY = "Noto Sans SC"
#: the PyPI package that ships it
CJK_PACKAGE = "pylopdf-fonts-zh-cn"
#: CJK fonts common on desktops and servers, most specific first (CSS family names)
SYSTEM_CJK = (
    "PingFang SC",
    "Hiragino Sans GB",
    "Microsoft YaHei",
    "Noto Sans CJK SC",
    "Noto Sans SC",
    "Source Han Sans SC",
    "WenQuanYi Micro Hei",
)


def css_families(names: tuple[str, ...] | list[str]) -> str:
    """``names`` as a CSS font-family list (quoted)."""
    return ", ".join(f"'{name}'" for name in names)


def cjk_font() -> Path | None:
    """The bundled CJK font file (Noto Sans SC, OpenType), or None when it is not installed."""
    try:
        import pylopdf_fonts_zh_cn
    except ImportError:
        return None
    path = Path(pylopdf_fonts_zh_cn.sans_path())
    return path if path.is_file() else None


def cjk_licence() -> str | None:
    """The text of the bundled CJK font's licence (from its package), or None."""
    from importlib import metadata

    try:
        files = metadata.distribution(CJK_PACKAGE).files or []
    except metadata.PackageNotFoundError:
        return None
    for file in files:
        if file.name.upper().startswith(("LICENSE", "LICENCE", "OFL")):
            return file.read_text(encoding="utf-8")
    return None


@cache
def matplotlib_fallbacks() -> tuple[str, ...]:
    """Register the bundled CJK font with matplotlib (once) and return the families to fall back on."""
    path = cjk_font()
    if path is None:
        return ()
    from matplotlib import font_manager

    font_manager.fontManager.addfont(str(path))
    return (CJK_FAMILY,)
