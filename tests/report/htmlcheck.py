"""Inspect report HTML with the standard library's html.parser."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

VOID = {
    "area",
    "base",
    "br",
    "col",
    "embed",
    "hr",
    "img",
    "input",
    "link",
    "meta",
    "source",
    "track",
    "wbr",
}
SECTIONING = {"section", "article"}
REMOTE = re.compile(r"https?://", re.I)
URL_IN_CSS = re.compile(r"url\(\s*['\"]?\s*https?://", re.I)


@dataclass
class Block:
    """A <section> or <article>: its id and how many charts and tables it holds directly."""

    tag: str
    id: str
    svgs: int = 0
    tables: int = 0


@dataclass
class Page:
    """What the parser found."""

    blocks: list[Block] = field(default_factory=list)
    remote: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    ids: dict[str, int] = field(default_factory=dict)
    texts: dict[str, str] = field(default_factory=dict)
    data_values: dict[str, str] = field(default_factory=dict)
    tables: dict[str, list[list[tuple[str, str | None]]]] = field(default_factory=dict)
    tags: dict[str, int] = field(default_factory=dict)

    def block(self, id_: str) -> Block:
        return next(b for b in self.blocks if b.id == id_)


class _Parser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.page = Page()
        self.stack: list[str] = []
        self.blocks: list[Block] = []
        self.capture: list[tuple[str, int]] = []  # (id, depth) of elements whose text is kept
        self.table: list[list[tuple[str, str | None]]] | None = None
        self.cell: list[str] | None = None
        self.cell_value: str | None = None
        self.in_style = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._element(tag, attrs)
        if tag not in VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._element(tag, attrs)
        self._closed(tag)

    def _element(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        self.page.tags[tag] = self.page.tags.get(tag, 0) + 1
        for name, value in attrs:
            if value is None:
                continue
            if name in (
                "src",
                "href",
                "xlink:href",
                "action",
                "data",
                "poster",
                "srcset",
            ) and REMOTE.search(value):
                self.page.remote.append(f"<{tag} {name}={value!r}>")
            if name == "style" and URL_IN_CSS.search(value):
                self.page.remote.append(f"<{tag} style={value!r}>")
        if "id" in values and values["id"]:
            self.page.ids[values["id"]] = self.page.ids.get(values["id"], 0) + 1
            self.capture.append((values["id"], len(self.stack)))
            self.page.texts.setdefault(values["id"], "")
            if values.get("data-value") is not None:
                self.page.data_values[values["id"]] = values["data-value"] or ""
        if tag in SECTIONING:
            self.blocks.append(Block(tag, values.get("id") or ""))
        if tag == "svg" and self.blocks:
            self.blocks[-1].svgs += 1
        if tag == "table":
            if self.blocks:
                self.blocks[-1].tables += 1
            self.table = []
            if values.get("id"):
                self.page.tables[values["id"] or ""] = self.table
        if tag == "tr" and self.table is not None:
            self.table.append([])
        if tag in ("td", "th") and self.table is not None:
            self.cell = []
            self.cell_value = values.get("data-value")
        if tag == "style":
            self.in_style = True

    def handle_endtag(self, tag: str) -> None:
        if tag in VOID:
            return
        if not self.stack or self.stack[-1] != tag:
            self.page.errors.append(f"</{tag}> closes <{self.stack[-1] if self.stack else None}>")
            if tag in self.stack:
                while self.stack and self.stack[-1] != tag:
                    self.stack.pop()
        if self.stack:
            self.stack.pop()
        self._closed(tag)

    def _closed(self, tag: str) -> None:
        while self.capture and self.capture[-1][1] >= len(self.stack):
            self.capture.pop()
        if tag in SECTIONING and self.blocks:
            self.page.blocks.append(self.blocks.pop())
        if tag in ("td", "th") and self.table is not None and self.cell is not None:
            if self.table:
                self.table[-1].append(("".join(self.cell).strip(), self.cell_value))
            self.cell = None
        if tag == "table":
            self.table = None
        if tag == "style":
            self.in_style = False

    def handle_data(self, data: str) -> None:
        if self.in_style and URL_IN_CSS.search(data):
            self.page.remote.append(f"<style> url(): {data[:80]!r}")
        for id_, _ in self.capture:
            self.page.texts[id_] += data
        if self.cell is not None:
            self.cell.append(data)


def parse(html: str) -> Page:
    """Parse ``html``; ``errors`` lists mismatched tags, ``remote`` any remote reference."""
    parser = _Parser()
    parser.feed(html)
    parser.close()
    if parser.stack:
        parser.page.errors.append(f"unclosed: {parser.stack}")
    return parser.page


def column(page: Page, table_id: str, index: int) -> list[tuple[str, str | None]]:
    """The cells of column ``index`` in the body and footer rows of table ``table_id``."""
    rows = page.tables[table_id][1:]
    return [row[index] for row in rows if len(row) > index]
