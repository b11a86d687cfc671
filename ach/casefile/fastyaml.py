"""Case files read by libyaml (PyYAML's C parser) under the round-trip parser's YAML 1.2 rules.

:func:`fast_parse` gives the plain values and a ``line(path)`` locator;
:func:`fast_compose` the composed nodes too, whose kinds, styles and marks are
ruamel's character for character (tests/test_fast_yaml.py), so the loader and
the editor read a plain file ten times sooner. Anything unusual (tags,
anchors, directives, duplicate keys, a YAML error) answers None, and the
round-trip parser (:mod:`ach.casefile.yaml`) reads the file and explains.
"""

from __future__ import annotations

from functools import lru_cache

__all__ = ["fast_compose", "fast_parse"]


@lru_cache(maxsize=1)
def _fast_loader():
    """PyYAML's C composer resolving plain scalars as ruamel's round-trip parser does (YAML 1.2:
    ``yes`` is text, ``0o17`` octal, ``017`` decimal; dates stay text). A scalar's tag is looked
    up once per distinct text: a large case repeats the same few hundred numbers and keys."""
    import re
    import typing

    import yaml
    from ruamel.yaml import resolver as ruamel_resolver

    class Loader(yaml.CSafeLoader):
        yaml_implicit_resolvers: typing.ClassVar[dict] = {}
        tags: typing.ClassVar[dict] = {}

        def resolve(self, kind, value, implicit):
            if kind is not yaml.ScalarNode or not implicit[0]:
                return super().resolve(kind, value, implicit)
            tag = self.tags.get(value)
            if tag is None:
                tag = self.tags[value] = super().resolve(kind, value, implicit)
            return tag

    for versions, tag, regexp, first in ruamel_resolver.implicit_resolvers:
        if (1, 2) in versions and not tag.endswith("timestamp"):  # `=` and `<<` resolve to tags we decline
            Loader.add_implicit_resolver(tag, re.compile(regexp.pattern, regexp.flags), first)
    return Loader


def _int(text: str) -> int:
    text = text.replace("_", "")
    sign = -1 if text[0] == "-" else 1
    text = text.lstrip("+-")
    for prefix, base in (("0b", 2), ("0x", 16), ("0o", 8)):
        if text.startswith(prefix):
            return sign * int(text[2:], base)
    return sign * int(text)


def _float(text: str) -> float:
    text = text.replace("_", "").lower()
    if text.endswith("inf"):
        return float("-inf") if text[0] == "-" else float("inf")
    return float("nan") if text.endswith("nan") else float(text)


_SCALARS = {
    "tag:yaml.org,2002:str": str,
    "tag:yaml.org,2002:int": _int,
    "tag:yaml.org,2002:float": _float,
    "tag:yaml.org,2002:bool": lambda text: text.lower() == "true",
    "tag:yaml.org,2002:null": lambda text: None,
}


class _NotPlain(Exception):
    """Something the round-trip parser should judge: a duplicate key, a key that is not text."""


def _plain(node):
    """A composed node as plain values: every scalar by its resolved tag, duplicate keys refused."""
    import yaml

    if isinstance(node, yaml.ScalarNode):
        return _SCALARS[node.tag](node.value)
    if isinstance(node, yaml.SequenceNode):
        return [_plain(v) for v in node.value]
    out = {}
    for k, v in node.value:
        key = _plain(k) if isinstance(k, yaml.ScalarNode) else _NotPlain
        if key is _NotPlain or key in out:
            raise _NotPlain
        out[key] = _plain(v)
    return out


def _line_of(root, path: tuple, keys: dict[int, dict]) -> int | None:
    """The 1-based line of the value at ``path`` in a composed document (the deepest that exists).

    ``keys`` indexes each mapping met once, so a file with many problems in one
    mapping is located in linear time.
    """
    import yaml

    node, line = root, root.start_mark.line
    for key in path:
        if isinstance(node, yaml.MappingNode):
            if id(node) not in keys:
                keys[id(node)] = {}
                for k, v in node.value:
                    keys[id(node)].setdefault(str(_plain(k)), (k, v))
            found = keys[id(node)].get(str(key))
            if found is None:
                break
            line, node = found[0].start_mark.line, found[1]
        elif isinstance(node, yaml.SequenceNode) and isinstance(key, int) and 0 <= key < len(node.value):
            node = node.value[key]
            line = node.start_mark.line
        else:
            break
    return line + 1


def fast_parse(text: str):
    """(plain values, ``line(path)``) read by libyaml, or None when the round-trip parser should
    read the file: no C parser here, a YAML error, a duplicate key, tags, anchors or directives."""
    found = fast_compose(text)
    if found is None:
        return None
    root, data = found
    keys: dict[int, dict] = {}
    return data, lambda path: _line_of(root, path, keys)


def fast_compose(text: str):
    """(root node, plain values) composed by libyaml, or None as for :func:`fast_parse`.

    The nodes have the round-trip composer's kinds (``node.id``), tags, styles
    and marks, character for character (tests/test_fast_yaml.py), so the
    editor's splices can be planned on them."""
    if "!" in text or "&" in text or text.lstrip().startswith("%"):  # the careful parser's job
        return None
    try:
        import yaml

        loader = _fast_loader()(text)
    except (ImportError, AttributeError):  # PyYAML without libyaml
        return None
    try:
        root = loader.get_single_node()
        if root is None:
            return None
        data = _plain(root)
    except (yaml.YAMLError, _NotPlain, RecursionError, ValueError, TypeError, KeyError):  # KeyError: a tag we decline
        return None
    finally:
        loader.dispose()
    return root, data
