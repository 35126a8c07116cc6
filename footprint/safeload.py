"""Read user files safely: UTF-8 text, YAML and JSON within stated limits, errors as FootprintError.

Every reader of a user file (inventories, claims, scenarios, label schemes, PACT JSON) goes through
here, so that a malformed or hostile file gives a message naming the file and line, never a
traceback, a hang or a memory blow-up:

* files larger than :data:`MAX_FILE_BYTES` (50 MB) are refused before they are read;
* text must be UTF-8 (a byte-order mark is allowed);
* YAML is read with the safe loader (libyaml's parser when available); mappings may not repeat a
  key; nesting is limited to :data:`MAX_DEPTH` levels, checked while the document is composed,
  before anything recursive walks it; a document may use at most :data:`MAX_ALIASES` aliases, an
  alias may not contain itself, and aliases may repeat at most :data:`MAX_ALIAS_NODES` nodes in
  all (so a "billion laughs" file is refused, not expanded); ``.inf`` and ``.nan`` are refused;
* JSON has the same depth limit and refuses ``NaN``, ``Infinity`` and numbers too large for a float.
"""

from __future__ import annotations

import json
import math
import re
from itertools import accumulate
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

import yaml
import yaml.reader
from yaml.composer import Composer
from yaml.constructor import ConstructorError, SafeConstructor
from yaml.events import AliasEvent, CollectionStartEvent, Event
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode
from yaml.resolver import Resolver

from footprint.errors import FootprintError, locate

__all__ = [
    "MAX_ALIASES",
    "check_archive",
    "MAX_ALIAS_NODES",
    "MAX_DEPTH",
    "MAX_FILE_BYTES",
    "load_json",
    "decode_utf8",
    "load_yaml",
    "node_lines",
    "read_bytes",
    "read_text",
]

#: Largest user file read (inventories, claims, scenarios, schemes, PACT JSON), in bytes.
MAX_FILE_BYTES = 50_000_000
#: Deepest nesting of mappings and lists accepted in YAML and JSON.
MAX_DEPTH = 64
#: Most YAML aliases (``*name``) accepted in one document.
MAX_ALIASES = 100
#: Most nodes that aliases may repeat in all (the growth of a document by its aliases).
MAX_ALIAS_NODES = 100_000

_MERGE = "tag:yaml.org,2002:merge"


def read_bytes(
    path: Path,
    *,
    error: type[FootprintError] = FootprintError,
    max_bytes: int = MAX_FILE_BYTES,
) -> bytes:
    """The bytes of ``path``, refused before reading if it is larger than ``max_bytes``.

    Raises:
        FootprintError: (of class ``error``) missing, unreadable or too large.
    """
    source = str(path)
    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise error(
                f"the file is {size / 1e6:,.1f} MB; files over {max_bytes / 1e6:,.0f} MB are "
                "refused",
                where=source,
                fix="split it into smaller files, or check that this is the file you meant",
            )
        with path.open("rb") as handle:
            raw = handle.read(max_bytes + 1)
    except FileNotFoundError:
        raise error("file not found", where=source, fix="check the path") from None
    except OSError as exc:
        raise error(
            f"cannot read the file: {exc.strerror or exc}", where=source, fix="check the path"
        ) from None
    if len(raw) > max_bytes:  # grew since stat, or a special file
        raise error(
            f"the file is over {max_bytes / 1e6:,.0f} MB",
            where=source,
            fix="split it into smaller files",
        )
    return raw


def read_text(
    path: Path,
    *,
    error: type[FootprintError] = FootprintError,
    max_bytes: int = MAX_FILE_BYTES,
) -> tuple[bytes, str]:
    """The bytes of ``path`` and their text, decoded as UTF-8 (a leading byte-order mark dropped).

    Raises:
        FootprintError: (of class ``error``) the file cannot be read, is larger than ``max_bytes``,
            or is not UTF-8, naming the byte offset and line of the first bad byte.
    """
    raw = read_bytes(path, error=error, max_bytes=max_bytes)
    return raw, decode_utf8(raw, source=str(path), error=error)


def decode_utf8(raw: bytes, *, source: str, error: type[FootprintError] = FootprintError) -> str:
    """``raw`` decoded as UTF-8, a leading byte-order mark dropped.

    Raises:
        FootprintError: (of class ``error``) not UTF-8, naming the offset and line of the bad byte.
    """
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        raise error(
            f"not UTF-8 text: byte 0x{raw[exc.start]:02X} at offset {exc.start} cannot be decoded",
            where=locate(source, line),
            fix="re-save the file as UTF-8 (in Excel: 'CSV UTF-8'; a Latin-1 or Windows-1252 file "
            "must be converted, e.g. `iconv -f latin1 -t utf-8`)",
        ) from None


#: Most bytes the members of a zip archive (an .xlsx workbook) may expand to, in all.
MAX_UNCOMPRESSED_BYTES = 200_000_000
#: Highest compression ratio accepted for a member larger than 4 MiB (zip bombs reach thousands).
MAX_COMPRESSION_RATIO = 100
MAX_MEMBERS = 10_000


def check_archive(raw: bytes, *, source: str, error: type[FootprintError] = FootprintError) -> None:
    """Check that ``raw`` is a zip archive that expands to a reasonable size, before opening it.

    Python's :mod:`zipfile` never inflates a member past the size its header declares, so checking
    the declared sizes bounds what reading the archive can use.

    Raises:
        FootprintError: (of class ``error``) not a zip archive, more than :data:`MAX_MEMBERS`
            members, more than :data:`MAX_UNCOMPRESSED_BYTES` in all, or a member compressed more
            than :data:`MAX_COMPRESSION_RATIO` times.
    """
    import io
    import zipfile

    from footprint.archive import check_zip

    fix = "save it from Excel as 'Excel Workbook (.xlsx)'"
    try:
        with zipfile.ZipFile(io.BytesIO(raw)) as archive:
            check_zip(
                archive,
                source,
                max_total=MAX_UNCOMPRESSED_BYTES,
                max_member=MAX_UNCOMPRESSED_BYTES,
                max_members=MAX_MEMBERS,
                max_ratio=MAX_COMPRESSION_RATIO,
                error=error,
                fix=fix + ", keeping only the sheets the inventory needs",
            )
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError) as exc:
        raise error(
            f"cannot read it as an Excel workbook: it is not a zip archive ({exc})",
            where=source,
            fix=fix + "; .xls, .ods, .csv and password-protected files cannot be read as .xlsx",
        ) from None


# ------------------------------------------------------------------------------------------ YAML


def _short(value: object, limit: int = 60) -> str:
    """``repr`` of a user's value, cut to ``limit`` characters."""
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 4] + "...'"


class _Refused(yaml.MarkedYAMLError):
    """A document this module refuses (too deep, too many aliases, a repeated key...)."""


def _refuse(problem: str, mark: Any, fix: str) -> _Refused:
    refused = _Refused(problem=problem, problem_mark=mark)
    refused.fix = fix  # type: ignore[attr-defined]
    return refused


class _Limits(Composer):
    """A composer that enforces the nesting, alias and repeated-key rules as it builds nodes.

    Composition recurses one level per nesting level, so the depth check comes before any deep
    recursion. Each node's height and expanded size (aliases counted each time they are used) are
    computed from its children's, so checking them costs one pass.
    """

    if TYPE_CHECKING:  # provided by the parser the composer is combined with

        def peek_event(self) -> Event: ...

    def _init_limits(self) -> None:
        self._depth = 0
        self._aliases = 0
        self._nodes = 0
        self._open: set[str] = set()
        self._height: dict[int, int] = {}
        self._size: dict[int, int] = {}

    def compose_node(self, parent: Node | None, index: Any) -> Node:
        event = self.peek_event()
        if isinstance(event, AliasEvent):
            self._aliases += 1
            if self._aliases > MAX_ALIASES:
                raise _refuse(
                    f"more than {MAX_ALIASES} aliases (*name)",
                    event.start_mark,
                    "write the repeated parts out; aliases are limited so that a small file "
                    "cannot expand into a huge one",
                )
            if event.anchor in self._open:
                raise _refuse(
                    f"alias *{event.anchor} refers to a mapping or list that contains it",
                    event.start_mark,
                    "an alias may only repeat something defined before it, not its own parent",
                )
            return cast(Node, super().compose_node(parent, index))
        self._depth += 1
        if self._depth > MAX_DEPTH:
            raise _refuse(
                f"nested more than {MAX_DEPTH} levels deep",
                event.start_mark,
                "check the indentation and brackets; no valid file nests this deep",
            )
        anchor = event.anchor if isinstance(event, CollectionStartEvent) else None
        if anchor is not None:
            self._open.add(anchor)
        try:
            node = cast(Node, super().compose_node(parent, index))
        finally:
            self._depth -= 1
            if anchor is not None:
                self._open.discard(anchor)
        self._measure(node)
        return node

    def _measure(self, node: Node) -> None:
        children: list[Node] = []
        if isinstance(node, SequenceNode):
            children = list(node.value)
        elif isinstance(node, MappingNode):
            children = [part for pair in node.value for part in pair]
        self._nodes += 1
        height = 1 + max((self._height[id(c)] for c in children), default=0)
        size = 1 + sum(self._size[id(c)] for c in children)
        self._height[id(node)], self._size[id(node)] = height, size
        if height > MAX_DEPTH:
            raise _refuse(
                f"nested more than {MAX_DEPTH} levels deep once its aliases are expanded",
                node.start_mark,
                "write the repeated parts out instead of nesting aliases",
            )
        if size - self._nodes > MAX_ALIAS_NODES:
            raise _refuse(
                f"its aliases expand to more than {MAX_ALIAS_NODES:,} repeated entries",
                node.start_mark,
                "write the repeated parts out; aliases of aliases grow exponentially",
            )

    def compose_mapping_node(self, anchor: Any) -> MappingNode:
        node: MappingNode = super().compose_mapping_node(anchor)
        seen: dict[tuple[str, str], int] = {}
        for key, _ in node.value:
            if not isinstance(key, ScalarNode) or key.tag == _MERGE:
                continue
            line = key.start_mark.line + 1
            first = seen.setdefault((key.tag, key.value), line)
            if first != line:
                raise _refuse(
                    f"key {key.value!r} appears twice in the same mapping (lines {first} and "
                    f"{line}); the second would silently replace the first",
                    key.start_mark,
                    "delete or rename one of the two",
                )
        return node


class _Constructor(SafeConstructor):
    """The safe constructor, refusing non-finite floats and giving bad scalars their line and key."""

    def construct_mapping(self, node: MappingNode, deep: bool = False) -> dict[Any, Any]:
        keys = self.__dict__.setdefault("_key_of", {})
        for key, value in node.value:
            if isinstance(key, ScalarNode):
                keys[id(value)] = str(key.value)
        return super().construct_mapping(node, deep)

    def _named(self, node: Node, text: str) -> str:
        """``text`` prefixed with the key of ``node``'s value, where it has one."""
        key = self.__dict__.get("_key_of", {}).get(id(node))
        return f"{key}: {text}" if key else text

    def construct_object(self, node: Node, deep: bool = False) -> Any:
        try:
            return super().construct_object(node, deep)
        except (ValueError, TypeError, OverflowError) as exc:
            raise _refuse(
                self._named(node, f"cannot read {_short(node.value)}: {exc}"),
                node.start_mark,
                "correct that value, or quote it to keep it as text",
            ) from None

    def construct_yaml_float(self, node: ScalarNode) -> float:
        value = super().construct_yaml_float(node)
        if not math.isfinite(value):
            raise _refuse(
                self._named(node, f"{_short(node.value)} is not a finite number"),
                node.start_mark,
                "write a finite number (.inf, .nan and numbers beyond 1.8e308 are not accepted)",
            )
        return value

    def construct_yaml_int(self, node: ScalarNode) -> int:
        if sum(c.isdigit() for c in str(node.value)) > 308:
            raise _refuse(
                f"{_short(node.value)} is too large a number",
                node.start_mark,
                "write a number below 1.8e308, or quote it to keep it as text",
            )
        return int(super().construct_yaml_int(node))


_Constructor.add_constructor(  # type: ignore[type-var]
    "tag:yaml.org,2002:float", _Constructor.construct_yaml_float
)
_Constructor.add_constructor(  # type: ignore[type-var]
    "tag:yaml.org,2002:int", _Constructor.construct_yaml_int
)

if yaml.__with_libyaml__:  # libyaml's parser, with the composer and constructor above
    from yaml._yaml import CParser

    class _Loader(_Limits, CParser, _Constructor, Resolver):
        def __init__(self, stream: str) -> None:
            CParser.__init__(self, stream)
            _Constructor.__init__(self)
            Resolver.__init__(self)
            _Limits.__init__(self)
            self._init_limits()

else:  # pragma: no cover - pure-Python PyYAML
    from yaml.parser import Parser
    from yaml.reader import Reader
    from yaml.scanner import Scanner

    class _Loader(Reader, Scanner, Parser, _Limits, _Constructor, Resolver):  # type: ignore[no-redef]
        def __init__(self, stream: str) -> None:
            Reader.__init__(self, stream)
            Scanner.__init__(self)
            Parser.__init__(self)
            _Limits.__init__(self)
            _Constructor.__init__(self)
            Resolver.__init__(self)
            self._init_limits()


def load_yaml(
    text: str, *, source: str, error: type[FootprintError] = FootprintError
) -> tuple[Node | None, Any]:
    """The node tree (for line numbers) and the data of the single YAML document in ``text``.

    Raises:
        FootprintError: (of class ``error``) a syntax error, a repeated key, nesting deeper than
            :data:`MAX_DEPTH`, too many or self-containing aliases, a non-finite number or an
            unreadable value, naming the file and line.
    """
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = str(exc.problem or exc.context or exc)
        if isinstance(exc, _Refused):
            what, fix = problem, str(getattr(exc, "fix", ""))
        elif isinstance(exc, ConstructorError):
            what = f"cannot read this YAML value: {problem}"
            fix = "only plain YAML is read (mappings, lists, text, numbers, dates): remove the tag"
        else:
            what = f"YAML syntax error (not valid YAML): {problem}"
            fix = (
                "check indentation and quoting near that line (a colon inside a value needs quotes)"
            )
        raise error(
            what, where=locate(source, mark.line + 1 if mark is not None else None), fix=fix
        ) from None
    except yaml.reader.ReaderError as exc:
        line = text.count("\n", 0, exc.position) + 1 if isinstance(exc.position, int) else None
        code = ord(exc.character) if isinstance(exc.character, str) else int(exc.character)
        raise error(
            f"not valid YAML: character U+{code:04X} is not allowed in a YAML file",
            where=locate(source, line),
            fix="remove the control character (or write it escaped in double quotes)",
        ) from None
    except (yaml.YAMLError, ValueError, TypeError, OverflowError, RecursionError) as exc:
        raise error(
            f"not valid YAML ({exc})", where=source, fix="check the file's YAML syntax"
        ) from None
    finally:
        loader.dispose()
    return node, data


Path_ = tuple[str | int, ...]


def node_lines(node: Node | None) -> dict[Path_, int]:
    """The line (1-based) of every key and item in a node tree, by path, e.g.
    ``("processes", 0, "inputs", 1) → 14``; a key's line for mapping entries."""
    lines: dict[Path_, int] = {}
    stack: list[tuple[Node, Path_]] = [] if node is None else [(node, ())]
    while stack:
        current, path = stack.pop()
        lines.setdefault(path, current.start_mark.line + 1)
        if isinstance(current, MappingNode):
            for key, value in current.value:
                child = (*path, str(key.value))
                lines[child] = key.start_mark.line + 1
                stack.append((value, child))
        elif isinstance(current, SequenceNode):
            stack.extend((item, (*path, index)) for index, item in enumerate(current.value))
    return lines


# ------------------------------------------------------------------------------------------ JSON

_JSON_STRING = re.compile(r'"(?:[^"\\]|\\.)*"', re.DOTALL)
_JSON_BRACKETS = re.compile(r"[^\[\]{}]+")


def _json_depth(text: str) -> int:
    """How deeply ``text`` nests arrays and objects (strings skipped), without recursing."""
    brackets = _JSON_BRACKETS.sub("", _JSON_STRING.sub("", text))
    return max(accumulate(1 if c in "[{" else -1 for c in brackets), default=0)


def load_json(text: str, *, source: str, error: type[FootprintError] = FootprintError) -> Any:
    """The JSON value in ``text``.

    Raises:
        FootprintError: (of class ``error``) a syntax error (with its line), nesting deeper than
            :data:`MAX_DEPTH`, ``NaN``/``Infinity``, or a number too large for a float.
    """
    depth = _json_depth(text)
    if depth > MAX_DEPTH:
        raise error(
            f"nested {depth} levels deep; at most {MAX_DEPTH} are accepted",
            where=source,
            fix="check the file; no valid document nests this deep",
        )

    def constant(name: str) -> Any:
        raise ValueError(f"{name} is not a number JSON allows")

    def number(text: str) -> float:
        value = float(text)
        if not math.isfinite(value):
            raise ValueError(f"{text} is too large for a number")
        return value

    def integer(text: str) -> int:
        if len(text.lstrip("-")) > 308:
            raise ValueError(f"{text[:20]}... is too large for a number")
        return int(text)

    try:
        return json.loads(text, parse_constant=constant, parse_float=number, parse_int=integer)
    except json.JSONDecodeError as exc:
        raise error(
            f"not valid JSON: {exc.msg}",
            where=locate(source, exc.lineno),
            fix="check the JSON syntax near that line",
        ) from None
    except (ValueError, RecursionError) as exc:
        raise error(
            f"not valid JSON: {exc}",
            where=source,
            fix="write finite numbers (NaN and Infinity are not JSON) within the float range",
        ) from None
