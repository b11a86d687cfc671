"""The fast libyaml path reads a case exactly as the round-trip parser does: same values, same lines.

Large case files are read by :func:`~ach.casefile.yaml.fast_parse`; everything
else by ruamel. A difference between them would make a case mean one thing at
10,000 items and another at 10, so every scalar the YAML 1.2 rules treat
specially, and random documents built from them, are read both ways.
"""

from __future__ import annotations

import dataclasses
import importlib
import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ach.casefile import quickyaml
from ach.casefile.load import FAST_FROM, check_text
from ach.casefile.quickyaml import Lines, quick_values
from ach.casefile.yaml import fast_compose, fast_parse, line_of, parse_yaml, plain_data

from .conftest import ROOT

load_module = importlib.import_module("ach.casefile.load")  # the module, not its load()

# plain scalars whose meaning differs between YAML 1.1 and 1.2, or between parsers
TRICKY = [
    "yes",
    "no",
    "on",
    "off",
    "y",
    "n",
    "True",
    "FALSE",
    "null",
    "Null",
    "~",
    "",
    "017",
    "0o17",
    "0x1F",
    "0b101",
    "-0x1F",
    "+12",
    "1_000",
    "1e3",
    "1.5e-11",
    "-.inf",
    ".NaN",
    ".5",
    "1.",
    "6.8523015e+5",
    "0.",
    "2019-12-27",
    "2019-12-27T10:00:00Z",
    "12:30",
    "1:20:30",
    "3.14",
    "-0",
    "0",
    "=",
    "<<",
    "0.000",
    "1e400",
    "'quoted'",
    '"0.5"',
    "two words",
]


def both(text: str):
    fast = fast_parse(text)
    doc, problem = parse_yaml(text, "x")
    assert problem is None
    return fast or (None, None), doc


def same(a, b) -> bool:
    if isinstance(a, float) and isinstance(b, float):
        return (math.isnan(a) and math.isnan(b)) or a == b
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return list(a) == list(b) and all(same(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    return a == b


@pytest.mark.parametrize("scalar", TRICKY)
def test_every_tricky_scalar_reads_the_same(scalar):
    text = f"key: {scalar}\nlist: [{scalar or 'x'}, 1]\nflow: {{a: {scalar or 'x'}}}\n"
    (data, _), doc = both(text)
    if scalar in ("=", "<<"):  # tagged by the round-trip parser (a value key, a merge key): declined
        assert data is None
    else:
        assert same(plain_data(data), plain_data(doc)), (scalar, data, plain_data(doc))
    quick = quick_values(text, minimum=0)  # rapidyaml's reading: the same, or declined
    assert quick is None or same(quick, plain_data(doc)), (scalar, quick)


def test_the_quick_path_reads_the_plain_scalars_and_declines_the_ambiguous_ones():
    """Declining is always safe, so a test must show the quick path takes the common cases."""
    plain = "a: 0.937\nb: likely\nc: [1, 2.5e-3, x y]\nd: null\ne: 2020-01-05\nf: 'quoted'\ng:\n  - id: E1\n"
    assert quick_values(plain, minimum=0) == plain_data(parse_yaml(plain, "x")[0])
    declined = ["a: 0x1F\n", "a: True\n", "a: '0.5'\n", "a: ~\n", "a: 1\na: 2\n", "a: *x\n", "a: 1\n---\nb: 2\n"]
    broken = ["a: 1\n  b: 2\n", "notes: >-\n      Trap\n ISIS\n      more\n", "a: b: c\n", "a: 'x\n", "a: x\x00\n"]
    for text in declined + broken:  # broken: libyaml refuses what rapidyaml would read its own way
        assert quick_values(text, minimum=0) is None, text


def paths(value, prefix=()):
    yield prefix
    if isinstance(value, dict):
        for k, v in value.items():
            yield from paths(v, (*prefix, k))
        yield (*prefix, "no-such-key")
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from paths(v, (*prefix, i))
        yield (*prefix, len(value))


keys = st.sampled_from(["id", "text", "likelihood", "H1", "H2", "source", "a b", "0", "yes", "1.5"])
scalars = st.sampled_from([s for s in TRICKY if s])
leaf = scalars.map(lambda s: ("scalar", s))


def render(tree, indent=0) -> list[str]:
    pad = " " * indent
    kind, body = tree
    if kind == "map":
        lines = []
        for k, v in body:
            if v[0] == "scalar":
                lines.append(f"{pad}{k}: {v[1]}")
            elif v[0] == "flow":
                lines.append(f"{pad}{k}: {{{', '.join(f'{a}: {b}' for a, b in v[1])}}}")
            else:
                lines += [f"{pad}{k}:", *render(v, indent + 2)]
        return lines or [f"{pad}{{}}"]
    if kind == "seq":
        lines = []
        for v in body:
            inner = render(v, indent + 2) if v[0] != "scalar" else [f"{pad}  {v[1]}"]
            first = inner[0].lstrip()
            lines += [f"{pad}- {first}", *inner[1:]]
        return lines or [f"{pad}[]"]
    return [f"{pad}{body}"]


def unique(pairs):
    seen, out = set(), []
    for k, v in pairs:
        if k not in seen:
            seen.add(k)
            out.append((k, v))
    return out


flow = st.lists(st.tuples(st.sampled_from(["H1", "H2", "H3"]), scalars), max_size=3).map(lambda p: ("flow", unique(p)))
trees = st.recursive(
    leaf | flow,
    lambda inner: (
        st.lists(st.tuples(keys, inner), min_size=1, max_size=4).map(lambda p: ("map", unique(p)))
        | st.lists(inner.filter(lambda t: t[0] != "flow"), min_size=1, max_size=3).map(lambda v: ("seq", v))
    ),
    max_leaves=12,
)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(keys, trees), min_size=1, max_size=4).map(lambda p: ("map", unique(p))))
def test_random_documents_read_the_same_with_the_same_lines(tree):
    text = "\n".join(render(tree)) + "\n"
    fast = fast_parse(text)
    doc, problem = parse_yaml(text, "x")
    if fast is None or problem is not None:  # the fast path may decline; it must never differ
        return
    data, line = fast
    data = plain_data(data)  # as the loader does: keys become text
    assert same(data, plain_data(doc)), text
    for path in paths(data):
        assert line(path) == line_of(doc, path), (text, path)
    quick = quick_values(text, minimum=0)
    if quick is not None:  # rapidyaml's reading, with lines found by scanning or composing on demand
        assert same(quick, data), text
        lines = Lines(text, "x", quick)
        for path in paths(quick):
            assert lines(path) == line_of(doc, path), (text, path)


def test_mutated_case_files_read_the_same_quickly_or_not_at_all():
    """Five hundred mutated case files: wherever rapidyaml's reading is taken, the round-trip
    parser reads the file too, to the same values, and every entry is at the same line."""
    import random

    from tests.fuzz.campaign import mutate_text, yaml_seeds

    rng, seeds, taken = random.Random(11), yaml_seeds(), 0
    for _ in range(500):
        text = mutate_text(rng, rng.choice(seeds))
        quick = quick_values(text, minimum=0)
        if quick is None:
            continue
        doc, problem = parse_yaml(text, "x")
        assert problem is None, (problem, text)
        assert same(quick, plain_data(doc)), text
        lines = Lines(text, "x", quick)
        for key, value in quick.items() if isinstance(quick, dict) else ():
            for i in range(len(value) if isinstance(value, list) else 0):
                assert lines((key, i)) == line_of(doc, (key, i)), (key, i)
        taken += 1
    assert taken > 50, taken  # the quick path was exercised


@pytest.mark.parametrize(
    "text",
    [
        "a: 1\na: 2\n",  # a duplicate key: the round-trip parser says where
        "a: &x 1\nb: *x\n",  # anchors
        "a: !!int 1\n",  # tags
        "%YAML 1.1\n---\na: yes\n",  # a directive changes the rules
        "? [1, 2]\n: x\n",  # a key that is not text
        "a: [1,\n",  # not YAML
        "",
    ],
)
def test_the_fast_path_declines_what_the_careful_parser_must_judge(text):
    assert fast_parse(text) is None


def test_what_libyaml_refuses_is_never_read_quickly():
    """rapidyaml reads some broken files its own way (a line out of its block, inside a larger
    document): libyaml's verdict must decline them, or a broken file would load instead of being
    refused at its line. Found among mutated case files, where every other guard lets them pass."""
    import json
    import random

    import ryml
    import yaml

    from tests.fuzz.campaign import mutate_text, yaml_seeds

    rng, seeds, caught = random.Random(11), yaml_seeds(), 0
    for _ in range(300):
        text = mutate_text(rng, rng.choice(seeds))
        try:
            yaml.CSafeLoader(text).raw_parse()
            continue  # libyaml reads it: not the case in point
        except yaml.YAMLError:
            pass
        try:
            tree = ryml.parse_in_arena(text.encode())
            quickyaml._check_texts(
                json.loads(ryml.emit_json_malloc(tree, tree.root_id()), object_pairs_hook=quickyaml._mapping)
            )
        except Exception:  # noqa: BLE001 - rapidyaml or a guard declines it anyway
            continue
        if any(mark in text for mark in quickyaml.DECLINED):
            continue
        assert quick_values(text, minimum=0) is None, text
        caught += 1
    assert caught >= 2, caught


def test_a_large_case_gives_the_same_case_and_diagnostics_both_ways(monkeypatch):
    items = "\n".join(
        f"  - id: E{i}\n    text: Item {i} {'x' * 200}\n    source: {'S1' if i % 7 else 'S9'}\n"
        f"    likelihood: {{KH: 0.{i % 9 + 1}, ISIS: 0.5}}"
        for i in range(1200)
    )
    text = (
        "question: Who?\nhypotheses:\n  - id: KH\n    title: KH\n  - id: ISIS\n    title: ISIS\n"
        f"sources:\n  - id: S1\n    title: One\n    reliability: 0.8\nevidence:\n{items}\n"
    )
    fine = text.replace("source: S9", "source: S1")
    assert len(text) >= FAST_FROM and fast_parse(text) is not None
    assert len(text) >= quickyaml.QUICK_FROM and quick_values(text) is not None  # read by the quick path
    fast = [check_text(t.encode(), "big.yaml") for t in (text, fine)]
    monkeypatch.setattr(load_module, "FAST_FROM", 10**12)  # now the round-trip parser reads them
    monkeypatch.setattr(quickyaml, "QUICK_FROM", 10**12)
    careful = [check_text(t.encode(), "big.yaml") for t in (text, fine)]

    (no_case, fast_found), (case, fine_found) = fast
    assert no_case is None and fast_found == careful[0][1]
    assert sum(d.code == "unknown-source" for d in fast_found) == len(range(0, 1200, 7))  # S9: no such source
    fields = [f.name for f in dataclasses.fields(case)]  # a Case compares by identity
    assert [getattr(case, f) for f in fields] == [getattr(careful[1][0], f) for f in fields]
    assert fine_found == careful[1][1]
    assert [e.line for e in case.evidence] == [12 + 4 * i for i in range(1200)]  # 11 lines of head, 4 per item


def test_the_compiled_schema_check_accepts_exactly_what_jsonschema_accepts():
    """fastjsonschema decides whether jsonschema's full walk runs at all: on three hundred mutated
    case files the two must agree on every one, or a complaint could go unsaid."""
    import random

    from jsonschema import Draft202012Validator

    from ach.casefile.schema import accepted, schema
    from tests.fuzz.campaign import mutate_text, yaml_seeds

    validator, rng, seeds = Draft202012Validator(schema()), random.Random(5), yaml_seeds()
    seen = {True: 0, False: 0}
    for _ in range(300):
        doc, problem = parse_yaml(mutate_text(rng, rng.choice(seeds)), "x")
        if problem or not isinstance(doc, dict):
            continue
        try:
            data = plain_data(doc)
        except Exception:  # noqa: BLE001 - refused before the schema: nothing to compare
            continue
        fast = accepted(data)
        assert fast == (next(validator.iter_errors(data), None) is None), data
        seen[fast] += 1
    assert min(seen.values()) > 20, seen  # both verdicts were exercised


def _nodes(node, path=()):
    """Every node's kind, tag, style and marks, by path: what the editor's splices are planned on."""
    style = getattr(node, "style", None) or None  # libyaml writes a plain scalar's style '', ruamel None
    value = node.value.replace("\x07", "") if isinstance(node.value, str) else None  # ruamel marks folds with \a
    marks = (node.start_mark.index, node.start_mark.line, node.start_mark.column, node.end_mark.index)
    yield path, (node.id, style, getattr(node, "flow_style", None), marks, value)
    if isinstance(node.value, list):
        for i, child in enumerate(node.value):
            for j, part in enumerate(child if isinstance(child, tuple) else (child,)):
                yield from _nodes(part, (*path, i, j))


EDITED = sorted((ROOT / "cases").glob("*.yaml")) + sorted((ROOT / "tests" / "data" / "edit").glob("*.yaml"))


@pytest.mark.parametrize("path", EDITED, ids=[p.name for p in EDITED])
def test_libyaml_composes_the_nodes_and_marks_ruamel_composes(path):
    from ruamel.yaml import YAML

    text = path.read_text(encoding="utf-8")
    fast = fast_compose(text)
    if fast is None:
        pytest.skip("a file the careful parser reads (tags, anchors)")
    careful = dict(_nodes(YAML(typ="rt").compose(text)))
    quick = dict(_nodes(fast[0]))
    assert quick == careful
