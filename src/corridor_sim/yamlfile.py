"""Reading YAML input: UTF-8 text, one safe loader, problems located.

Every YAML the package reads from a user (scenario files, the files they
extend, ``--set`` values) goes through :func:`read_text` and :func:`load_yaml`:

- the file must be UTF-8; a byte that is not is reported with its offset, line
  and column (and a UTF-16, gzip or other binary file as such);
- the loader is PyYAML's safe loader (libyaml's when available) with three
  changes: dates stay strings (validation reports a bad one with its key path),
  a key written twice in one mapping is refused (YAML would keep the last one
  silently), and nesting deeper than :data:`MAX_DEPTH` is refused before it
  can exhaust the interpreter's recursion limit.

Problems are raised as :class:`YamlProblem` (a key path, possibly empty, and a
message); the caller adds the file or option name.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

MAX_DEPTH = 64  # a scenario nests about 8 levels deep; a resolved one 9
_MERGE = "tag:yaml.org,2002:merge"


class YamlProblem(Exception):
    """Why some YAML input cannot be read: at ``key_path`` (may be empty), ``message``."""

    def __init__(self, key_path: str, message: str):
        self.key_path = key_path
        self.message = message
        super().__init__(f"{key_path}: {message}" if key_path else message)


def read_text(path: Path) -> str:
    """A file's text, which must be UTF-8 (a UTF-8 byte-order mark is allowed).

    Raises:
        FileNotFoundError, IsADirectoryError, OSError: as ``open`` does.
        YamlProblem: the file is not UTF-8 text.
    """
    data = path.read_bytes()
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise YamlProblem("", _not_utf8(data, err)) from None


def _not_utf8(data: bytes, err: UnicodeDecodeError) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "not UTF-8 text: it is UTF-16 (it starts with a UTF-16 byte-order mark); save it as UTF-8"
    if data.startswith(b"\x1f\x8b"):
        return "not UTF-8 text: it is a gzip-compressed file; decompress it first"
    before = data[: err.start]
    line = before.count(b"\n") + 1
    column = len(before[before.rfind(b"\n") + 1 :].decode("utf-8", errors="replace")) + 1
    byte = data[err.start]
    if err.reason == "unexpected end of data":
        what = f"the file ends inside a multi-byte character (byte 0x{byte:02x} at offset {err.start})"
    else:
        what = f"byte 0x{byte:02x} at offset {err.start} is not UTF-8"
    hint = "; save the file as UTF-8" if b"\x00" not in data[:1024] else "; is it a text file?"
    return f"line {line}, column {column}: not UTF-8 text: {what}{hint}"


class _Checked:
    """The loader's checks, for either parser: duplicate keys and deep nesting refused."""

    _depth = 0

    def compose_node(self, parent: Any, index: Any) -> Any:
        # Only the pure-Python composer recurses here (libyaml's stops at 1,000 levels by itself).
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                raise YamlProblem("", f"{_where(self.peek_event().start_mark)}nested more than {MAX_DEPTH} levels deep")
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1

    def get_single_node(self) -> Any:
        node = super().get_single_node()
        if node is not None:
            self._check(node)
        return node

    def _check(self, root: yaml.Node) -> None:
        """Refuse nesting deeper than MAX_DEPTH and keys written twice, walking the tree without recursion."""
        stack: list[tuple[yaml.Node, tuple[str, ...]]] = [(root, ())]
        seen: set[int] = set()  # aliases share nodes: each is walked once
        while stack:
            node, path = stack.pop()
            if id(node) in seen:
                continue
            seen.add(id(node))
            if len(path) > MAX_DEPTH:
                raise YamlProblem(
                    ".".join(path[:3]) + "...", f"{_where(node.start_mark)}nested more than {MAX_DEPTH} levels deep"
                )
            if isinstance(node, yaml.SequenceNode):
                stack.extend((child, (*path, str(i))) for i, child in enumerate(node.value))
            elif isinstance(node, yaml.MappingNode):
                first: dict[Any, yaml.Node] = {}
                for key, value in node.value:
                    name = self._key(key)
                    if key.tag != _MERGE and name in first:
                        where = ".".join((*path, str(name)))
                        raise YamlProblem(
                            where,
                            f"{_where(key.start_mark)}key written twice (first at line "
                            f"{first[name].start_mark.line + 1}); YAML would silently keep the last one",
                        )
                    first[name] = key
                    stack.append((value, (*path, str(name))))

    def _key(self, node: yaml.Node) -> Any:
        if node.tag == "tag:yaml.org,2002:str":  # nearly every key: its text is its value
            return node.value
        if isinstance(node, yaml.ScalarNode):
            try:
                return self.construct_object(node)
            except (yaml.YAMLError, ValueError, OverflowError):
                pass
        return (node.tag, repr(node.value) if not isinstance(node, yaml.ScalarNode) else node.value)


class _Loader(_Checked, getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # libyaml's parser when available
    """PyYAML's safe loader; dates stay strings, duplicate keys and deep nesting are refused."""


_Loader.yaml_implicit_resolvers = {
    key: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for key, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _where(mark: Any) -> str:
    return f"line {mark.line + 1}, column {mark.column + 1}: " if mark is not None else ""


def load_yaml(text: str) -> Any:
    """Parse YAML text with the package's loader.

    Raises:
        YamlProblem: not valid YAML (with line and column), a key written twice (with its key path),
            nesting deeper than :data:`MAX_DEPTH`, or a tag the safe loader does not know.
    """
    try:
        return yaml.load(text, Loader=_Loader)  # noqa: S506 - _Loader is a SafeLoader
    except yaml.reader.ReaderError as exc:  # a character YAML does not allow, located by its position
        before = text[: exc.position]
        where = f"line {before.count(chr(10)) + 1}, column {len(before) - before.rfind(chr(10))}: "
        raise YamlProblem("", f"{where}not valid YAML: character #x{exc.character:04x} is not allowed") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problem = getattr(exc, "problem", None) or str(exc)
        raise YamlProblem("", f"{_where(mark)}not valid YAML: {problem}") from None
    except RecursionError:  # a guard only: the loader's own depth checks come first
        raise YamlProblem("", f"nested more than {MAX_DEPTH} levels deep") from None
