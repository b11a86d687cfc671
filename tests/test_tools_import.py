"""`ach import x.json`: other ACH tools' exports (Intel Workbench, ArkhamMirror), found by content.

The files are written here in the layouts the tools' own code writes
(docs/FORMATS-TOOLS.md says where each was learnt): good ones, broken ones,
and random ones, which must never give anything but a located CaseError.
"""

from __future__ import annotations

import copy
import json
import subprocess

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ach import io
from ach.casefile import check_text, dump_case
from ach.errors import CaseError
from ach.io.tools import parse_tool_export, read_tool_export

from .conftest import ACH_COMMAND, K1


def intel_workbench() -> dict:
    """A project as Intel Workbench's Export page writes it (JSON.stringify of the stored project)."""
    return {
        "id": "0b7e2a52-7c1d-4d3e-9a51-2f4f7f0c1a10",
        "name": "K-1 rocket attack",
        "description": "Who fired on K-1 air base on 27 December 2019",
        "achMatrices": [
            {
                "id": "5d0c4a8e-1111-4c2b-8f00-3a9e55b0c001",
                "name": "Attribution",
                "hypotheses": [
                    {
                        "id": "h-kh",
                        "name": "Kataib Hezbollah",
                        "description": "KH fired the rockets.",
                        "confidence": "Moderate",
                        "confidenceJustification": "US claims, not shared",
                        "probabilityBand": "likely",
                        "attackTechniques": ["T1059"],
                    },
                    {"id": "h-isis", "name": "ISIS remnants", "description": ""},
                    {"id": "h-other", "name": "Another actor", "description": ""},
                ],
                "evidence": [
                    {
                        "id": "e-intercepts",
                        "description": "US officials say intercepts show KH took part.",
                        "source": "US officials",
                        "credibility": "Medium",
                        "relevance": "High",
                    },
                    {
                        "id": "e-site",
                        "description": "The launch site lies where ISIS is active.",
                        "source": "Iraqi officials",
                        "credibility": "High",
                        "relevance": "Medium",
                        "attackTechniques": ["T1190"],
                    },
                    {
                        "id": "e-claim",
                        "description": "No group claimed the attack.",
                        "source": "us officials",  # the same source, spelt in another case
                        "credibility": "Low",
                        "relevance": "Low",
                    },
                    {
                        "id": "e-truck",
                        "description": "The launcher truck was found burnt.",
                        "source": "",
                        "credibility": "High",
                        "relevance": "High",
                    },
                ],
                "ratings": {
                    "e-intercepts": {"h-kh": "C", "h-isis": "I", "h-other": "N"},
                    "e-site": {"h-kh": "I", "h-isis": "C", "h-other": "NA"},
                    "e-claim": {"h-kh": "N", "h-isis": "I"},  # one cell left unrated
                    "e-truck": {"h-kh": "C", "h-isis": "C", "h-other": "I"},
                },
                "createdAt": "2026-01-02T10:00:00.000Z",
                "updatedAt": "2026-01-02T11:00:00.000Z",
            }
        ],
        "biasChecklists": [],
        "createdAt": "2026-01-02T10:00:00.000Z",
        "updatedAt": "2026-01-02T11:00:00.000Z",
    }


def arkham_mirror() -> dict:
    """A matrix as ArkhamMirror's GET /api/ach/export/{id}?format=json writes it (MatrixExporter.export_json)."""
    return {
        "metadata": {
            "id": "c6a1e0d2",
            "title": "K-1 rocket attack",
            "description": "Who fired the rockets at K-1 air base on 27 December 2019?",
            "status": "active",
            "created_at": "2026-01-02T10:00:00",
            "updated_at": "2026-01-02T11:00:00",
            "created_by": None,
            "project_id": None,
            "tags": ["iraq"],
        },
        "hypotheses": [  # written in column order; shuffled here to check the reader sorts
            {"id": "hb", "title": "ISIS", "description": "Islamic State remnants", "column_index": 1, "is_lead": False},
            {"id": "ha", "title": "Kataib Hezbollah", "description": "", "column_index": 0, "is_lead": True},
            {"id": "hc", "title": "Someone else", "description": "", "column_index": 2, "is_lead": False},
        ],
        "evidence": [
            {
                "id": "ea",
                "description": "US officials say intercepts show KH took part.",
                "source": "US officials",
                "type": "testimony",
                "credibility": 0.7,
                "relevance": 1.0,
                "row_index": 0,
            },
            {
                "id": "eb",
                "description": "The launch site lies where ISIS is active.",
                "source": "Iraqi officials",
                "type": "fact",
                "credibility": 0.85,
                "relevance": 0.4,
                "row_index": 1,
            },
        ],
        "ratings": [
            {
                "evidence_id": "ea",
                "hypothesis_id": "ha",
                "rating": "++",
                "reasoning": "a direct claim",
                "confidence": 1.0,
            },
            {"evidence_id": "ea", "hypothesis_id": "hb", "rating": "--", "reasoning": "", "confidence": 0.6},
            {"evidence_id": "ea", "hypothesis_id": "hc", "rating": "N", "reasoning": "", "confidence": 1.0},
            {"evidence_id": "eb", "hypothesis_id": "ha", "rating": "-", "reasoning": "", "confidence": 1.0},
            {"evidence_id": "eb", "hypothesis_id": "hb", "rating": "+", "reasoning": "", "confidence": 1.0},
            {"evidence_id": "eb", "hypothesis_id": "hc", "rating": "N/A", "reasoning": "", "confidence": 1.0},
        ],
        "scores": [
            {
                "hypothesis_id": "ha",
                "consistency_score": 1.0,
                "inconsistency_count": 1,
                "weighted_score": -0.5,
                "normalized_score": 50.0,
                "rank": 1,
            }
        ],
    }


def parse(doc, warnings=None, **kw):
    raw = doc if isinstance(doc, bytes) else json.dumps(doc).encode("utf-8")
    return parse_tool_export(raw, "x.json", warnings, **kw)


def refused(doc, **kw) -> list:
    with pytest.raises(CaseError) as info:
        parse(doc, **kw)
    errors = [d for d in info.value.diagnostics if d.is_error]
    assert errors and all(d.field and d.file == "x.json" for d in errors)
    return errors


def fields(errors) -> set[str]:
    return {d.field for d in errors}


def valid(data: dict, header: str) -> None:
    _, found = check_text(dump_case(data, header).encode("utf-8"), "case.yaml")
    assert not [d for d in found if d.is_error], found


# -- Intel Workbench -----------------------------------------------------------------


def test_an_intel_workbench_project_becomes_a_case():
    warnings = []
    data, header = parse(intel_workbench(), warnings)
    valid(data, header)
    assert data["title"] == "K-1 rocket attack: Attribution"
    assert data["question"]  # made up from the title: the header says so
    assert "no question" in header
    assert [(h["id"], h["title"]) for h in data["hypotheses"]] == [
        ("H1", "Kataib Hezbollah"),
        ("H2", "ISIS remnants"),
        ("H3", "Another actor"),
    ]
    assert data["hypotheses"][2]["catch_all"] is True
    about = data["hypotheses"][0]["description"]
    assert "Moderate" in about and "likely" in about and "T1059" in about
    assert "prior" not in data["hypotheses"][0]  # a likelihood band is a conclusion, never a prior
    e1, e2, e3, e4 = data["evidence"]
    assert e1["likelihood"] == {"H1": "C", "H2": "I", "H3": "N"}
    assert e2["likelihood"] == {"H1": "I", "H2": "C", "H3": "NA"}
    assert e3["likelihood"] == {"H1": "N", "H2": "I", "H3": "NA"}  # unrated: NA, with a warning
    assert (e1["credibility"], e1["relevance"], e3["credibility"]) == ("medium", "high", "low")
    assert "T1190" in e2["notes"]
    # one source per distinct text, whatever its case; an item with none is its own source
    assert [s["title"] for s in data["sources"]] == ["US officials", "Iraqi officials"]
    assert e1["source"] == e3["source"] == "us-officials" and "source" not in e4
    assert all(s["reliability"] == 1 and s["notes"].startswith("TODO") for s in data["sources"])
    unrated = [w for w in warnings if w.code == "tool-unrated"]
    assert len(unrated) == 1 and "E3 × H3" in unrated[0].message
    assert unrated[0].field == "achMatrices[0].ratings"
    assert "E3 × H3" in header  # the warnings are summarised in the file too


def test_the_saved_browser_state_and_a_bare_matrix_read_the_same():
    project = intel_workbench()
    first, _ = parse(project)
    state = {"state": {"projects": [project], "activeProjectId": project["id"]}, "version": 0}
    assert parse(state)[0]["evidence"] == first["evidence"]
    assert parse([project])[0]["evidence"] == first["evidence"]
    bare, _ = parse(project["achMatrices"][0])
    assert bare["evidence"] == first["evidence"] and bare["title"] == "Attribution"


def test_of_several_matrices_one_is_imported_and_the_others_are_named():
    project = intel_workbench()
    other = copy.deepcopy(project["achMatrices"][0]) | {"id": "m2", "name": "Motive"}
    other["hypotheses"][0]["name"] = "KH, for revenge"
    empty = {"id": "m0", "name": "Empty", "hypotheses": [], "evidence": [], "ratings": {}}
    project["achMatrices"] = [empty, project["achMatrices"][0], other]
    warnings = []
    data, _ = parse(project, warnings)
    assert data["title"].endswith("Attribution")  # the first with content
    said = [w for w in warnings if w.code == "tool-matrices"]
    assert said and "'Empty'" in said[0].message and "'Motive'" in said[0].message
    data, _ = parse(project, matrix="Motive")
    assert data["hypotheses"][0]["title"] == "KH, for revenge"
    assert "Motive" in refused(project, matrix="Nope")[0].hint


def test_a_broken_intel_workbench_export_is_refused_with_every_problem_at_its_path():
    project = intel_workbench()
    mx = project["achMatrices"][0]
    mx["hypotheses"][1]["id"] = "h-kh"  # a repeated id
    mx["hypotheses"].append({"name": "No id"})
    mx["evidence"][0]["credibility"] = "Very high"
    mx["evidence"][1]["relevance"] = 3
    mx["evidence"].insert(2, "not an item")
    mx["ratings"]["e-intercepts"]["h-other"] = "Consistent"
    mx["ratings"]["e-truck"]["h-other"] = 2
    errors = refused(project)
    assert fields(errors) == {
        "achMatrices[0].hypotheses[1].id",
        "achMatrices[0].hypotheses[3].id",
        "achMatrices[0].evidence[0].credibility",
        "achMatrices[0].evidence[1].relevance",
        "achMatrices[0].evidence[2]",
        "achMatrices[0].ratings.e-intercepts.h-other",
        "achMatrices[0].ratings.e-truck.h-other",
    }
    rating = next(d for d in errors if d.field.endswith("e-intercepts.h-other"))
    assert "'Consistent'" in rating.message and "C (consistent)" in rating.hint


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (lambda p: p["achMatrices"].clear(), "achMatrices"),
        (lambda p: p["achMatrices"][0]["hypotheses"].pop() and p["achMatrices"][0]["hypotheses"].pop(), "hypotheses"),
        (lambda p: p["achMatrices"][0]["evidence"].clear(), "evidence"),
        (lambda p: p["achMatrices"][0].update(ratings=["C"]), "ratings"),
        (lambda p: p["achMatrices"][0]["ratings"].update({"e-site": "C"}), "ratings.e-site"),
        (lambda p: p["achMatrices"][0]["hypotheses"][0].update(name=None), "hypotheses[0].name"),
    ],
)
def test_an_empty_or_misshapen_part_is_said(change, field):
    project = intel_workbench()
    change(project)
    assert any(d.field.endswith(field) for d in refused(project))


def test_a_matrix_too_large_to_be_real_is_refused_before_it_is_read():
    project = intel_workbench()
    project["achMatrices"][0]["hypotheses"] = [{"id": f"h{j}", "name": f"H {j}"} for j in range(101)]
    (error,) = refused(project)
    assert error.code == "tool-size" and error.field == "achMatrices[0].hypotheses"


def test_what_intel_workbench_reads_loosely_is_read_with_a_warning():
    project = intel_workbench()
    mx = project["achMatrices"][0]
    del mx["evidence"][0]["credibility"]  # Intel Workbench reads Medium
    mx["ratings"]["gone"] = {"h-kh": "C"}  # a deleted item's ratings
    mx["evidence"][1]["colour"] = "red"  # a field of no layout
    warnings = []
    data, _ = parse(project, warnings)
    assert data["evidence"][0]["credibility"] == "medium"
    codes = {w.code for w in warnings}
    assert {"tool-default", "tool-orphan", "tool-unread"} <= codes
    assert any("colour" in w.message for w in warnings)


# -- ArkhamMirror ---------------------------------------------------------------------


def test_an_arkham_mirror_matrix_becomes_a_case():
    warnings = []
    data, header = parse(arkham_mirror(), warnings)
    valid(data, header)
    assert data["question"] == "Who fired the rockets at K-1 air base on 27 December 2019?"
    assert [h["title"] for h in data["hypotheses"]] == ["Kataib Hezbollah", "ISIS", "Someone else"]
    assert data["hypotheses"][2]["catch_all"] is True
    assert "lead hypothesis was H1" in header
    e1, e2 = data["evidence"]
    assert e1["likelihood"] == {"H1": "CC", "H2": "II", "H3": "N"}
    assert e2["likelihood"] == {"H1": "I", "H2": "C", "H3": "NA"}
    assert (e1["credibility"], e1["relevance"], e2["credibility"], e2["relevance"]) == ("medium", "high", "high", "low")
    assert e1["type"] == "testimony"
    assert "Reasoning under H1: a direct claim" in e1["notes"] and "H2 0.6" in e1["notes"]
    assert "0.85" in e2["notes"]  # a weight its form does not offer is kept
    assert {s["title"] for s in data["sources"]} == {"US officials", "Iraqi officials"}
    assert not [w for w in warnings if w.code.startswith("tool-")]


def test_the_downloaded_string_and_the_api_answer_read_the_same():
    doc = arkham_mirror()
    first, _ = parse(doc)
    text = json.dumps(doc, indent=2)
    assert parse(json.dumps(text).encode())[0] == first  # Export JSON: JSON.stringify of the content string
    answer = {"matrix_id": "c6a1e0d2", "format": "json", "content_type": "application/json", "content": text}
    assert parse(answer)[0] == first
    flat = doc["metadata"] | {k: v for k, v in doc.items() if k != "metadata"}  # GET /api/ach/matrix/{id}
    assert parse(flat)[0] == first


def test_a_broken_arkham_mirror_export_is_refused_with_every_problem_at_its_path():
    doc = arkham_mirror()
    doc["hypotheses"][0]["title"] = ""
    doc["evidence"][0]["credibility"] = 1.5
    doc["evidence"][1]["id"] = "ea"
    doc["ratings"][0]["rating"] = "+++"
    doc["ratings"][1]["rating"] = "N"
    doc["ratings"].append({"evidence_id": "ea", "hypothesis_id": "hb", "rating": "+"})  # rated twice, differently
    doc["ratings"].append({"hypothesis_id": "hb", "rating": "N"})
    doc["ratings"].append(7)
    errors = refused(doc)
    assert fields(errors) == {
        "hypotheses[0].title",
        "evidence[0].credibility",
        "evidence[1].id",
        "ratings[0].rating",
        "ratings[6]",
        "ratings[7].evidence_id",
        "ratings[8]",
    }
    assert "1.5" in next(d for d in errors if d.field == "evidence[0].credibility").message


def test_arkham_mirror_spellings_and_gaps():
    doc = arkham_mirror()
    doc["ratings"][0]["rating"] = "\u2212\u2212"  # minus signs, as typed in a word processor
    doc["ratings"][1]["rating"] = "NA"
    doc["ratings"].pop()  # eb × hc unrated
    doc["ratings"].append({"evidence_id": "gone", "hypothesis_id": "ha", "rating": "+"})
    doc["evidence"][1]["credibility"] = "0.4"
    warnings = []
    data, _ = parse(doc, warnings)
    assert data["evidence"][0]["likelihood"]["H1"] == "II" and data["evidence"][0]["likelihood"]["H2"] == "NA"
    assert data["evidence"][1]["likelihood"]["H3"] == "NA" and data["evidence"][1]["credibility"] == "low"
    assert {"tool-unrated", "tool-orphan"} <= {w.code for w in warnings}


# -- neither: said in words -----------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "says"),
    [
        (b'{"foo": 1, "bar": []}', "keys foo, bar"),
        (b"[1, 2]", "a list"),
        (b'"just text"', "text"),
        (b"{}", "an empty object"),
        (b'{"question": "Q?", "hypotheses": [], "evidence": []}', "none of the layouts"),
    ],
)
def test_a_json_file_of_no_known_layout_is_said(raw, says):
    (error,) = refused(raw)
    assert error.code == "unknown-layout" and says in error.message
    assert "Intel Workbench" in error.hint or "rename it to .yaml" in error.hint


def test_an_ach_case_written_as_json_is_told_to_be_renamed():
    case = yaml.safe_load(K1.read_text())
    (error,) = refused(json.dumps(case, default=str).encode())
    assert error.code == "unknown-layout" and "rename it to .yaml" in error.hint


@pytest.mark.parametrize(
    ("raw", "code", "line"),
    [
        (b'{\n  "id": "p",\n  "achMatrices": [1,}\n', "json-syntax", 3),
        (b"", "json-empty", None),
        (b'{"a": "\xff"}', "json-encoding", None),
        (b'{"a": NaN}', "json-syntax", None),
        (b"[" * 100_000, "json-depth", None),
        (b'{"a": 1}{"b": 2}', "json-syntax", 1),
    ],
)
def test_text_that_is_not_json_is_refused_where_it_breaks(raw, code, line):
    (error,) = refused(raw)
    assert error.code == code and error.line == line


def test_a_byte_order_mark_or_utf16_is_read():
    text = json.dumps(arkham_mirror())
    assert parse(b"\xef\xbb\xbf" + text.encode())[0] == parse(arkham_mirror())[0]
    assert parse(text.encode("utf-16"))[0] == parse(arkham_mirror())[0]


def test_io_read_dispatches_json_by_content(tmp_path):
    path = tmp_path / "export.json"
    path.write_text(json.dumps(intel_workbench()))
    data, header, warnings = io.read(path)
    assert header.startswith("Imported from the Intel Workbench project export export.json")
    assert data["default_reliability"] == 1  # the item that names no source, said in the file
    assert {w.code for w in warnings} >= {"tool-unrated", "unsourced"}
    assert read_tool_export(path)[0]["evidence"] == data["evidence"]


# -- through the command --------------------------------------------------------------


def ach(*args) -> subprocess.CompletedProcess:
    proc = subprocess.run([*ACH_COMMAND, *map(str, args)], capture_output=True, text=True, timeout=300)
    assert "Traceback" not in proc.stderr, proc.stderr
    return proc


@pytest.mark.parametrize("export", [intel_workbench, arkham_mirror], ids=["intel-workbench", "arkham-mirror"])
def test_ach_import_writes_a_case_that_validates(export, tmp_path):
    source = tmp_path / "export.json"
    source.write_text(json.dumps(export(), indent=2))
    case = tmp_path / "case.yaml"
    proc = ach("import", source, "-o", case)
    assert proc.returncode == 0, proc.stderr
    assert "written from" in proc.stdout and "2 sources" in proc.stdout
    text = case.read_text()
    assert "Imported from the" in text and "What to do now" in text
    assert yaml.safe_load(text)["sources"][0]["notes"].startswith("TODO reliability")
    proc = ach("validate", case)
    assert proc.returncode == 0, proc.stderr
    assert "placeholder left: 'TODO reliability" in proc.stderr  # not called finished until the analyst says


@pytest.mark.parametrize(
    "raw",
    [b'{"id": "p", "name": "P", "achMatrices": [{"hypotheses": [1], "evidence": {}}]}', b"{", b'{"x": 1}'],
)
def test_ach_import_refuses_a_broken_export_and_writes_nothing(raw, tmp_path):
    source = tmp_path / "export.json"
    source.write_bytes(raw)
    case = tmp_path / "case.yaml"
    proc = ach("import", source, "-o", case)
    assert proc.returncode == 1 and not case.exists()
    assert f"{source}" in proc.stderr and "error" in proc.stderr and "nothing was written" in proc.stderr


# -- fuzz: random JSON never gives a traceback ----------------------------------------

OURS = ("tool-", "json-", "unknown-layout")

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False)
    | st.sampled_from([10**400, -(2**63), 1e308, -0.0, 0.7, "++", "N/A", "High", "C"])  # edges, and near misses
    | st.text(max_size=12),
    lambda inner: st.lists(inner, max_size=5) | st.dictionaries(st.text(max_size=12), inner, max_size=5),
    max_leaves=30,
)


def survives(raw: bytes) -> None:
    """The importer returns a valid case or refuses with located errors of its own; nothing else."""
    try:
        data, header = parse_tool_export(raw, "x.json", [])
    except CaseError as exc:
        errors = [d for d in exc.diagnostics if d.is_error]
        assert errors
        for d in errors:
            assert d.field and d.message, d
            assert d.code.startswith(OURS), d  # never the loader refusing what the importer made
        return
    valid(data, header)


def mutate(doc, data):
    """``doc`` with one value somewhere in it replaced by random JSON, or deleted."""
    doc = copy.deepcopy(doc)
    node, steps = doc, data.draw(st.integers(0, 5))
    for _ in range(steps):
        keys = list(node) if isinstance(node, dict) else list(range(len(node))) if isinstance(node, list) else []
        if not keys:
            break
        key = data.draw(st.sampled_from(keys))
        if not isinstance(node[key], (dict, list)) or data.draw(st.booleans()):
            if isinstance(node, dict) and data.draw(st.booleans()):
                del node[key]
            else:
                node[key] = data.draw(json_values)
            return doc
        node = node[key]
    return doc


@given(json_values)
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_random_json_never_gives_a_traceback(value):
    survives(json.dumps(value).encode("utf-8"))


@given(st.sampled_from([intel_workbench, arkham_mirror]), st.data())
@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_a_mutated_export_imports_or_is_refused_in_words(export, data):
    doc = export()
    for _ in range(data.draw(st.integers(1, 3))):
        doc = mutate(doc, data)
    survives(json.dumps(doc).encode("utf-8"))


@given(st.binary(max_size=200) | st.text(max_size=200).map(lambda t: t.encode("utf-8", "surrogatepass")))
@settings(max_examples=150, deadline=None)
def test_random_bytes_never_give_a_traceback(raw):
    survives(raw)


@pytest.mark.parametrize("export", [intel_workbench, arkham_mirror], ids=["intel-workbench", "arkham-mirror"])
def test_an_export_given_where_a_case_belongs_is_told_the_way_in(export, tmp_path):
    source = tmp_path / "export.json"
    source.write_text(json.dumps(export()))
    for command in ("validate", "analyze"):
        proc = ach(command, source)
        assert proc.returncode == 1
        assert "this JSON file is not a case file" in proc.stderr
        assert f"ach import {source} -o export.yaml" in proc.stderr
        assert "missing required field" not in proc.stderr  # not the schema's complaints about a foreign layout


def test_a_case_written_as_json_is_still_a_case(tmp_path):
    path = tmp_path / "k1.json"
    path.write_text(json.dumps(yaml.safe_load(K1.read_text()), default=str))
    proc = ach("validate", path)
    assert proc.returncode == 0, proc.stderr
