"""Editing case files in place (ach.editing): only the intended lines change, byte for byte.

Every edit runs on copies of cases/k1.yaml (the richly commented example) and
tests/data/edit/commented.yaml (a comment in every position a YAML file can
hold one); the test then compares the line lists of the file before and after:
the lines removed and the lines added must be exactly the intended ones, and
every other line must be the same string. Refused edits leave the file
byte-identical and no temporary file behind.
"""

from __future__ import annotations

import difflib
import random
import re
import shutil
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

import ach
from ach.casefile import check_text
from ach.editing import (
    TODO,
    CaseText,
    EditError,
    add_evidence,
    add_hypothesis,
    add_source,
    new_case,
    rate,
    remove,
    set_fields,
)
from ach.errors import CaseError

ROOT = Path(__file__).resolve().parents[1]
K1 = ROOT / "cases" / "k1.yaml"
MINI = ROOT / "tests" / "data" / "mini.yaml"
COMMENTED = ROOT / "tests" / "data" / "edit" / "commented.yaml"


# -- helpers ---------------------------------------------------------------------------


def copy(tmp_path: Path, source: Path, name: str | None = None) -> Path:
    target = tmp_path / (name or source.name)
    shutil.copyfile(source, target)
    return target


def hunks(before: str, after: str) -> tuple[list[str], list[str]]:
    """(old lines removed, new lines added), every other line being equal and in order."""
    old, new = before.splitlines(True), after.splitlines(True)
    removed, added = [], []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, old, new, autojunk=False).get_opcodes():
        if tag != "equal":
            removed += old[i1:i2]
            added += new[j1:j2]
    return removed, added


def assert_only(before: str, after: str, removed: list[str], added: list[str]) -> None:
    """The edit removed exactly ``removed`` and added exactly ``added`` (lines without their ends)."""
    got_removed, got_added = hunks(before, after)
    assert Counter(x.rstrip("\r\n") for x in got_removed) == Counter(removed), (got_removed, removed)
    assert Counter(x.rstrip("\r\n") for x in got_added) == Counter(added), (got_added, added)


def _is_subsequence(small: list[str], big: list[str]) -> bool:
    it = iter(big)
    return all(any(x == y for y in it) for x in small)


def line_of(text: str, pattern: str, after: str = "") -> str:
    """The first line matching ``pattern`` (a regex) after the first line containing ``after``."""
    lines = text.splitlines()
    start = next(i for i, ln in enumerate(lines) if after in ln) if after else 0
    return next(ln for ln in lines[start:] if re.search(pattern, ln))


def no_temporary_files(folder: Path) -> bool:
    return not [p for p in folder.iterdir() if p.name.endswith(".tmp")]


def loaded(path: Path):
    return ach.load(path)


# -- ach rate ----------------------------------------------------------------------------


def test_rate_changes_one_cell_and_keeps_its_comment_column(tmp_path):
    path = copy(tmp_path, K1)
    before = path.read_text()
    old = line_of(before, r"^      KH: 0\.4 ", after="id: E07")
    edit = rate(path, "E07", "KH", "likely")
    after = path.read_text()
    assert edit.written
    new = old.replace("KH: 0.4   ", "KH: likely", 1)
    assert new.index("#") == old.index("#")  # the comment stays in its column
    assert_only(before, after, [old], [new])
    assert loaded(path).item("E07").likelihood["KH"].label == "likely"
    assert no_temporary_files(tmp_path)


def test_rate_why_replaces_only_the_comment(tmp_path):
    path = copy(tmp_path, COMMENTED)
    before = path.read_text()
    rate(path, "E1", "KID", "unlikely", why="the child was at school")
    after = path.read_text()
    assert_only(
        before,
        after,
        ["      KID: 0.3             # the child could have planted them"],
        ["      KID: unlikely        # the child could have planted them".split("#")[0] + "# the child was at school"],
    )
    rate(path, "E1", "KID", "unlikely", why="")
    assert "      KID: unlikely\n" in path.read_text()


def test_rate_adds_a_comment_in_the_column_of_its_neighbours(tmp_path):
    path = copy(tmp_path, COMMENTED)
    before = path.read_text()
    rate(path, "E3", "DOG", 0.75, why="it sounds rehearsed")
    assert_only(before, path.read_text(), ["      DOG: 0.8"], ["      DOG: 0.75            # it sounds rehearsed"])


@pytest.mark.parametrize(
    "item, hyp, rating, old, new",
    [
        (
            "E2",
            "KID",
            "likely",
            "    likelihood: {DOG: II, KID: CC, OTHER: C}   # flow likelihoods with a comment",
            "    likelihood: {DOG: II, KID: likely, OTHER: C}  # flow likelihoods with a comment",
        ),
        (
            "E3",
            "OTHER",
            "C",
            '      OTHER: "N"           # quoted rating',
            '      OTHER: "C"           # quoted rating',
        ),
        (
            "C1",
            "DOG",
            "likely",
            "    likelihood: {DOG: very likely, KID: unlikely, OTHER: unlikely}",
            "    likelihood: {DOG: likely, KID: unlikely, OTHER: unlikely}",
        ),
    ],
)
def test_rate_flow_quoted_and_candidate_cells(tmp_path, item, hyp, rating, old, new):
    path = copy(tmp_path, COMMENTED)
    before = path.read_text()
    rate(path, item, hyp, rating)
    assert_only(before, path.read_text(), [old], [new])


def test_rating_a_todo_cell_removes_the_todo(tmp_path):
    path = copy(tmp_path, COMMENTED)
    add_hypothesis(path, "CAT", "The cat", prior=1, default_rating="N")
    assert path.read_text().count(TODO) == 4  # E1, E3 (block), E2, C1 (a line above the flow likelihood)
    rate(path, "E1", "CAT", "unlikely")
    rate(path, "E2", "CAT", "II")  # a flow likelihood: its TODO line above goes
    text = path.read_text()
    assert "      CAT: unlikely\n" in text
    assert f"{TODO} CAT" in text and text.count(TODO) == 2
    case = loaded(path)
    assert case.item("E2").likelihood["CAT"].label == "II"


# -- ach set -----------------------------------------------------------------------------------


def test_set_replaces_and_inserts_fields_in_the_usual_place(tmp_path):
    path = copy(tmp_path, COMMENTED)
    before = path.read_text()
    set_fields(path, "E1", credibility="high", relevance="low", date="2024-03-02")
    after = path.read_text()
    assert_only(
        before,
        after,
        ["    credibility: 2   # probably true"],
        ["    credibility: high  # probably true", "    relevance: low", "    date: 2024-03-02"],
    )
    lines = after.splitlines()
    assert lines.index("    date: 2024-03-02") == lines.index("    source: crumbs", lines.index("  - id: E1")) + 1
    e1 = loaded(path).item("E1")
    assert (e1.relevance, e1.date, round(e1.credibility.mean, 2)) == ("low", "2024-03-02", 0.9)


def test_set_on_k1_source_and_hypothesis(tmp_path):
    path = copy(tmp_path, K1)
    before = path.read_text()
    set_fields(path, "us-gov", reliability="B")
    set_fields(path, "KH", prior=30)
    prior_line = line_of(before, r"^    prior: 35 ")
    assert_only(
        before,
        path.read_text(),
        ["    reliability: C", prior_line],
        ["    reliability: B", prior_line.replace("prior: 35", "prior: 30")],
    )
    # the first 'reliability: C' in the file is us-gov's
    assert before.index("    reliability: C\n") > before.index("  - id: us-gov")
    case = loaded(path)
    assert case.source("us-gov").reliability.mean == 0.8 and case.hypothesis("KH").prior == 30


def test_set_rewraps_a_folded_block_and_keeps_its_header(tmp_path):
    path = copy(tmp_path, K1)
    before = path.read_text()
    note = "Rewritten: " + " ".join(["the officials never showed the intelligence"] * 4) + "."
    set_fields(path, "E06", notes=note)
    removed, added = hunks(before, path.read_text())
    assert all(line.startswith("      ") for line in added) and len(added) >= 3
    assert "    notes: >-\n" not in removed  # the header line is untouched
    assert all(len(line.rstrip("\n")) <= 79 for line in added)
    assert loaded(path).item("E06").notes == note


def test_set_literal_block_keeps_the_header_comment(tmp_path):
    path = copy(tmp_path, COMMENTED)
    before = path.read_text()
    set_fields(path, "kid", notes="One line.\nAnother line.")
    assert_only(
        before,
        path.read_text(),
        ["    notes: |   # literal block with a comment", "      Children say things.", "      Some are true."],
        ["    notes: |-   # literal block with a comment", "      One line.", "      Another line."],
    )
    assert loaded(path).source("kid").notes == "One line.\nAnother line."


def test_set_quotes_what_yaml_would_misread(tmp_path):
    path = copy(tmp_path, COMMENTED)
    set_fields(path, "DOG", title="The dog: a suspect")
    set_fields(path, "E1", text="no")  # a yes/no word in YAML 1.1
    set_fields(path, "E3", text="0.5")
    text = path.read_text()
    assert '    title: "The dog: a suspect"\n' in text and '    text: "no"\n' in text and '    text: "0.5"\n' in text
    case = loaded(path)
    assert (case.hypothesis("DOG").title, case.item("E1").text, case.item("E3").text) == (
        "The dog: a suspect",
        "no",
        "0.5",
    )


def test_set_unset_removes_an_optional_field(tmp_path):
    path = copy(tmp_path, COMMENTED)
    before = path.read_text()
    set_fields(path, "kid", unset=["confidence"])
    assert_only(before, path.read_text(), ["    confidence: low"], [])


def test_set_the_same_value_writes_nothing(tmp_path):
    path = copy(tmp_path, K1)
    stat = path.stat()
    edit = set_fields(path, "E07", relevance="low")
    assert not edit.written and path.stat().st_mtime_ns == stat.st_mtime_ns


def test_set_infers_the_kind_and_refuses_when_ambiguous(tmp_path):
    path = copy(tmp_path, COMMENTED)
    # 'kid' is a source; 'KID' a hypothesis (ids are case-sensitive): no ambiguity
    set_fields(path, "kid", title="The child, speaking")
    text = path.read_text().replace("  - id: C1\n", "  - id: E3\n")  # a candidate sharing an item's id
    path.write_text(text)
    with pytest.raises(EditError, match="names an evidence item and a candidate observation"):
        set_fields(path, "E3", text="x")
    set_fields(path, "E3", kind="candidate", text="The dog is sick")
    assert loaded(path).collection[0].text == "The dog is sick"
    # a field only one kind has decides
    set_fields(path, "E3", relevance="low")
    assert loaded(path).item("E3").relevance == "low"


# -- ach rm ---------------------------------------------------------------------------------------


def test_rm_item_takes_its_lines_and_the_blank_line_that_set_it_apart(tmp_path):
    path = copy(tmp_path, K1)
    before = path.read_text()
    lines = before.splitlines()
    start = lines.index("  - id: E06")
    end = lines.index("  # -------------------------------------------------------- iraqi-security") - 1
    assert lines[start - 1] == "" and lines[end] == ""
    remove(path, "E06")
    assert path.read_text().splitlines() == lines[: start - 1] + lines[end:]  # the group's comment keeps its blank


K1_LINES = K1.read_text().splitlines(True)
K1_ITEMS = [i for i, line in enumerate(K1_LINES) if line.startswith("  - id: E")]
BOUNDARIES = [i for i, line in enumerate(K1_LINES) if not line.startswith("    ")]  # not inside an entry


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.sampled_from(K1_ITEMS),
    st.lists(
        st.tuples(st.sampled_from(BOUNDARIES), st.sampled_from(["\n", "  \n", "  # a note\n", "\n\n"])), max_size=6
    ),
)
@example(item=K1_ITEMS[10], inserted=[(0, "\n"), (K1_ITEMS[10], "\n\n")])  # CI: two blank lines right above an item
def test_rm_changes_only_the_lines_of_the_entry(item, inserted):
    """Blank lines and comments around an entry, wherever the analyst put them, survive its
    removal, but for one blank line where two would otherwise meet."""
    lines = list(K1_LINES)
    for at, text in sorted(inserted, reverse=True):
        added = text.splitlines(True)  # one element per line: "\n\n" is two blank lines
        lines[at:at] = added
        item += len(added) * (at <= item)
    ident, end = lines[item].split(":")[1].strip(), item + 1
    while end < len(lines) and lines[end].startswith("    ") and lines[end].strip():
        end += 1  # the entry's own lines: deeper than its dash, up to the first blank or shallower line
    if not lines[item - 1].strip() and (end == len(lines) or not lines[end].strip()):
        item -= 1  # and of two blank lines it would leave together, the one above it
    doc = CaseText("".join(lines), "k1.yaml")
    doc.remove(ident)
    assert doc.text == "".join(lines[:item] + lines[end:])


def test_rm_item_keeps_the_comments_above_it(tmp_path):
    path = copy(tmp_path, COMMENTED)
    before = path.read_text()
    remove(path, "E3")
    after = path.read_text()
    assert "  # ------------------------------------------------------------- kid\n" in after
    assert "  # a comment after the last entry, at dash column\n" in after
    removed, added = hunks(before, after)
    assert not added and removed[0] == "  - id: E3\n" and removed[-1] == "    confidence: low\n"


def test_rm_hypothesis_removes_its_cells_everywhere(tmp_path):
    path = copy(tmp_path, COMMENTED)
    before = path.read_text()
    remove(path, "KID")
    assert_only(
        before,
        path.read_text(),
        [
            "  - id: KID",
            "    title: 'The child'   # single-quoted title",
            "    prior: 2",
            "      KID: 0.3             # the child could have planted them",
            "    likelihood: {DOG: II, KID: CC, OTHER: C}   # flow likelihoods with a comment",
            "      KID: 0.7             # a guilty child blames the dog",
            "    if_false: {DOG: 0.9, KID: 0.9, OTHER: 0.5}   # a flow if_false",
            "    likelihood: {DOG: very likely, KID: unlikely, OTHER: unlikely}",
        ],
        [
            "    likelihood: {DOG: II, OTHER: C}            # flow likelihoods with a comment",
            "    if_false: {DOG: 0.9, OTHER: 0.5}             # a flow if_false",
            "    likelihood: {DOG: very likely, OTHER: unlikely}",
        ],
    )
    case = loaded(path)
    assert case.hypothesis_ids == ["DOG", "OTHER"]


def test_rm_hypothesis_on_k1(tmp_path):
    path = copy(tmp_path, K1)
    before = path.read_text()
    remove(path, "SUNNI")
    removed, added = hunks(before, path.read_text())
    assert not added
    assert all(
        "SUNNI" in line
        or line.startswith(("    title: Baathist", "    description: Baathist", "    prior: 10 "))
        or line == "  - id: SUNNI\n"
        for line in removed
    )
    case = ach.load(K1)
    cells = (
        len(case.evidence)
        + len(case.collection)
        + sum(isinstance(e.if_false, dict) and "SUNNI" in e.if_false for e in case.evidence)
    )
    assert sum(line.lstrip().startswith("SUNNI:") for line in removed) == cells  # items, candidates, if_false
    assert "SUNNI" not in loaded(path).hypothesis_ids


def test_add_then_rm_gives_back_the_same_bytes(tmp_path):
    for source in (K1, COMMENTED):
        path = copy(tmp_path, source)
        original = path.read_bytes()
        add_source(path, "cctv", "B", title="A camera")
        remove(path, "cctv")
        source = ach.load(source).sources[0].id  # (an item without one would also write default_reliability)
        ident = add_evidence(path, "Paw prints on the table", {}, source=source).case.evidence[-1].id
        remove(path, ident)
        assert path.read_bytes() == original
    path = copy(tmp_path, K1)
    add_hypothesis(path, "X", "Someone else again", prior=5, default_rating="N")
    remove(path, "X")
    assert path.read_bytes() == K1.read_bytes()


# -- ach add --------------------------------------------------------------------------------------


def test_add_hypothesis_fills_every_item_with_todo_cells(tmp_path):
    path = copy(tmp_path, K1)
    before = path.read_text()
    edit = add_hypothesis(path, "X", "A state intelligence service", prior=5, default_rating="N")
    after = path.read_text()
    removed, added = hunks(before, after)
    assert not removed
    n_items, n_candidates = len(ach.load(K1).evidence), len(ach.load(K1).collection)
    cells = [line for line in added if line.lstrip().startswith("X: ") and "if_false" not in line]
    assert len(cells) == n_items + n_candidates
    assert all(line.rstrip("\n").endswith(TODO) and '"N"' in line for line in cells)
    deceptive = [e for e in ach.load(K1).evidence if isinstance(e.if_false, dict)]  # their if_false needs X too
    filled = [line for line in added if "# TODO if_false" in line]
    assert len(filled) == len(deceptive) and any("if_false" in t for t in edit.todo)
    assert "  - id: X\n" in added and "    prior: 5\n" in added
    assert any(f"{n_items} items" in t for t in edit.todo) and any(f"{n_candidates} candidates" in t for t in edit.todo)
    assert loaded(path).hypothesis_ids[-1] == "X"


def test_add_hypothesis_na_by_default_and_refused_with_candidates(tmp_path):
    path = copy(tmp_path, MINI)
    add_hypothesis(path, "CAT", "The cat", prior=1)
    text = path.read_text()
    assert "      CAT: NA  # TODO rate\n" in text and text.count(f"    {TODO} CAT\n") == 2
    assert loaded(path).item("E1").likelihood["CAT"] is None
    path = copy(tmp_path, K1)
    with pytest.raises(EditError, match="candidate observations cannot take NA"):
        add_hypothesis(path, "X", "x", prior=5)
    with pytest.raises(EditError, match="needs one too"):
        add_hypothesis(path, "X", "x", default_rating="N")
    assert path.read_bytes() == K1.read_bytes()


def test_add_source_and_evidence(tmp_path):
    path = copy(tmp_path, COMMENTED)
    before = path.read_text()
    add_source(path, "cctv", "B", title="Kitchen camera", confidence="high")
    edit = add_evidence(
        path,
        "The camera shows the dog near the table",
        {"DOG": "very likely", "KID": 0.3},
        source="cctv",
        credibility=2,
        date="2024-03-01",
        report="cam.mp4",
        quote="14:03",
    )
    after = path.read_text()
    removed, added = hunks(before, after)
    assert not removed
    assert [x.rstrip("\n") for x in added if x.strip()] == [
        "  - id: cctv",
        "    title: Kitchen camera",
        "    reliability: B",
        "    confidence: high",
        "  - id: E4",
        "    text: The camera shows the dog near the table",
        "    source: cctv",
        "    date: 2024-03-01",
        "    likelihood:",
        "      DOG: very likely",
        "      KID: 0.3",
        "      OTHER: NA            # TODO rate",
        "    credibility: 2",
        "    citation:",
        "      report: cam.mp4",
        '      quote: "14:03"',  # YAML 1.1 reads 14:03 as 843
    ]
    assert any("OTHER" in t for t in edit.todo)
    case = loaded(path)
    assert case.item("E4").source == "cctv" and case.item("E4").likelihood["OTHER"] is None


def test_add_evidence_to_k1_gets_the_next_id_and_the_layout(tmp_path):
    path = copy(tmp_path, K1)
    edit = add_evidence(
        path,
        "A new report.",
        {"KH": "likely", "IAM": "likely", "ISIS": "unlikely", "SUNNI": "unlikely", "OTHER": "N"},
        source="nyt",
    )
    text = path.read_text()
    assert "\n\n  - id: E32\n    text: A new report.\n    source: nyt\n    likelihood:\n      KH: likely\n" in text
    assert '      OTHER: "N"\n' in text and not edit.todo
    assert loaded(path).evidence[-1].id == "E32"


def test_add_evidence_creates_the_sources_list_when_there_is_none(tmp_path):
    path = tmp_path / "nosources.yaml"
    path.write_text(
        "question: Q?\nhypotheses:\n  - id: A\n    title: a\n  - id: B\n    title: b\n    catch_all: true\n"
        "\nevidence:\n  - id: E1\n    text: t\n    likelihood: {A: likely, B: unlikely}\n"
    )
    add_source(path, "s1", "C")
    assert "    catch_all: true\n\nsources:\n  - id: s1\n    reliability: C\n\nevidence:" in path.read_text()
    assert loaded(path).source("s1").reliability.mean == 0.65


# -- refused edits ------------------------------------------------------------------------------


@pytest.mark.parametrize("source", [K1, COMMENTED], ids=["k1", "commented"])
@pytest.mark.parametrize(
    "edit, message",
    [
        (lambda p, ids: rate(p, ids["item"], ids["hyp"], "CCC"), r"rating 'CCC' is not"),
        (lambda p, ids: rate(p, ids["item"], "NOPE", "likely"), r"'NOPE' is not a hypothesis"),
        (lambda p, ids: rate(p, "E999", ids["hyp"], "likely"), r"no evidence item or candidate observation 'E999'"),
        (lambda p, ids: remove(p, ids["used_source"]), r"is used by"),
        (lambda p, ids: set_fields(p, ids["used_source"], reliability="Z"), r"reliability 'Z' is not understood"),
        (lambda p, ids: set_fields(p, ids["item"], credibility=7), r"credibility"),
        (lambda p, ids: set_fields(p, ids["item"], reliability="B"), r"has no reliability"),
        (lambda p, ids: set_fields(p, ids["item"], date="2020-02-31"), r"not a calendar date"),
        (lambda p, ids: set_fields(p, ids["item"], source="nobody"), r"source 'nobody' is not listed"),
        (lambda p, ids: add_source(p, ids["used_source"], "B"), r"there is already a source"),
        (lambda p, ids: add_evidence(p, "x", {"NOPE": "likely"}), r"'NOPE' is not a hypothesis"),
        (lambda p, ids: set_fields(p, ids["hyp"], prior="lots"), r"should be a number"),
    ],
    ids=[
        "bad-rating",
        "unknown-hyp",
        "unknown-item",
        "source-in-use",
        "bad-reliability",
        "bad-credibility",
        "wrong-field",
        "bad-date",
        "unknown-source",
        "duplicate-id",
        "add-unknown-hyp",
        "bad-prior",
    ],
)
def test_refused_edits_leave_the_file_byte_identical(tmp_path, source, edit, message):
    path = copy(tmp_path, source)
    original = path.read_bytes()
    ids = (
        {"item": "E07", "hyp": "KH", "used_source": "us-gov"}
        if source == K1
        else {"item": "E1", "hyp": "KID", "used_source": "crumbs"}
    )
    with pytest.raises(CaseError, match=message) as info:
        edit(path, ids)
    assert path.read_bytes() == original
    assert no_temporary_files(tmp_path)
    located = [d for d in info.value.diagnostics if d.line]
    assert located or "E999" in str(info.value), info.value.diagnostics
    for d in located:  # lines point into the file as it is on disk
        assert 1 <= d.line <= len(original.splitlines())


def test_refused_rating_points_at_the_cell_line(tmp_path):
    path = copy(tmp_path, K1)
    with pytest.raises(CaseError) as info:
        rate(path, "E07", "KH", "CCC")
    [d] = info.value.diagnostics
    lines = K1.read_text().splitlines()
    assert lines[d.line - 1].startswith("      KH: 0.4")


def test_rm_refuses_to_leave_fewer_than_two_hypotheses(tmp_path):
    path = copy(tmp_path, COMMENTED)
    remove(path, "KID")
    with pytest.raises(EditError, match="at least two"):
        remove(path, "DOG")


def test_an_edit_may_fix_an_invalid_file(tmp_path):
    path = tmp_path / "broken.yaml"
    path.write_text(MINI.read_text().replace("KID: 0.3", "KID: 0.3x"))
    with pytest.raises(CaseError):
        ach.load(path)
    edit = rate(path, "E1", "KID", 0.3)
    assert edit.written and edit.case is not None
    fixed = "    likelihood: {DOG: likely, KID: 0.3, OTHER: I}    # crumbs point at the dog"  # comment column kept
    assert_only(
        MINI.read_text().replace("KID: 0.3", "KID: 0.3x"),
        path.read_text(),
        ["    likelihood: {DOG: likely, KID: 0.3x, OTHER: I}   # crumbs point at the dog"],
        [fixed],
    )


def test_unparsable_file_is_refused(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text("question: [unclosed\n")
    with pytest.raises(EditError, match="not closed"):
        rate(path, "E1", "A", "likely")
    assert path.read_text() == "question: [unclosed\n"


# -- line endings, BOM, modes -----------------------------------------------------------------------


def test_crlf_and_bom_survive(tmp_path):
    path = tmp_path / "crlf.yaml"
    original = ("\ufeff" + COMMENTED.read_text()).replace("\n", "\r\n").encode("utf-8")
    path.write_bytes(original)
    rate(path, "E1", "KID", "unlikely")
    add_source(path, "cctv", "B")
    remove(path, "cctv")
    data = path.read_bytes()
    assert data.startswith("\ufeff".encode()) and b"\n" not in data.replace(b"\r\n", b"")
    removed, added = hunks(original.decode("utf-8"), data.decode("utf-8"))
    assert [x.rstrip("\r\n") for x in removed] == ["      KID: 0.3             # the child could have planted them"]
    assert [x.rstrip("\r\n") for x in added] == ["      KID: unlikely        # the child could have planted them"]


def test_the_file_mode_is_kept(tmp_path):
    path = copy(tmp_path, MINI)
    path.chmod(0o640)
    rate(path, "E1", "KID", "unlikely")
    assert path.stat().st_mode & 0o777 == 0o640


def test_a_symlink_edits_its_target(tmp_path):
    target = copy(tmp_path, MINI)
    link = tmp_path / "link.yaml"
    link.symlink_to(target)
    rate(link, "E1", "KID", "unlikely")
    assert link.is_symlink() and "KID: unlikely" in target.read_text()


# -- ach new ------------------------------------------------------------------------------------------


def test_new_writes_a_valid_commented_scaffold_and_never_overwrites(tmp_path):
    path = tmp_path / "cases" / "cake.yaml"
    edit = new_case(
        path,
        "Who ate the cake?",
        [("DOG", "The dog"), ("KID", "The child"), ("OTHER", "Someone else")],
        catch_all="OTHER",
        title="The missing cake",
    )
    text = path.read_text()
    case = loaded(path)
    assert case.hypothesis_ids == ["DOG", "KID", "OTHER"] and case.hypothesis("OTHER").catch_all
    assert len(case.evidence) == 1 and "TODO" in text and text.startswith("# yaml-language-server: $schema=")
    schema = text.splitlines()[0].split("=", 1)[1]
    assert (path.parent / schema).resolve().exists()  # the schema reference works from where the file is
    assert sum(line.lstrip().startswith("#") for line in text.splitlines()) >= 5
    assert edit.written
    with pytest.raises(EditError, match="exists already"):
        new_case(path, "Another question?", [])
    assert path.read_text() == text
    assert no_temporary_files(path.parent)


def test_new_with_no_hypotheses_has_placeholders(tmp_path):
    path = tmp_path / "x.yaml"
    new_case(path, "Q?", [])
    assert loaded(path).hypothesis_ids == ["H1", "H2"]


def test_the_scaffold_can_be_edited(tmp_path):
    path = tmp_path / "x.yaml"
    new_case(path, "Q?", [("A", "a"), ("B", "b")], catch_all="B")
    before = path.read_text()
    rate(path, "E1", "A", "likely")
    assert_only(before, path.read_text(), [line_of(before, r"^      A: NA +# TODO rate")], ["      A: likely"])


# -- a property: random valid edits never lose a comment ------------------------------------------------

COMMENTED_TEXT = COMMENTED.read_text()
COMMENT_LINES = [ln for ln in COMMENTED_TEXT.splitlines() if ln.lstrip().startswith("#")]
EOL_COMMENTS = [
    ln[ln.index(" #") + 1 :]
    for ln in COMMENTED_TEXT.splitlines()
    if " #" in ln and not ln.lstrip().startswith("#") and "not a comment" not in ln
]

KINDS = ["rate", "set-item", "set-source", "set-hyp", "add-ev", "add-src", "add-hyp", "rm-added"]


def apply_random(doc: CaseText, kind: str, rnd: random.Random, added: dict, serial: int) -> None:
    """One valid edit of the given kind, its details drawn from ``rnd``."""
    case, _ = check_text(doc.full_text.encode(), "x")
    items = [e.id for e in case.evidence] + [c.id for c in case.collection]
    hyps = case.hypothesis_ids
    sources = [s.id for s in case.sources if not s.implicit]
    if kind == "rate":
        item = rnd.choice(items)
        rating = rnd.choice(["likely", "unlikely", "very likely", "CC", "N", "II", 0.1, 0.35, 0.9])
        doc.rate(item, rnd.choice(hyps), rating)
    elif kind == "set-item":
        item = rnd.choice([e.id for e in case.evidence])
        doc.set_fields(
            item,
            credibility=rnd.choice(["low", "high", 2, 0.7]),
            relevance=rnd.choice(["low", "medium", "high"]),
            text=rnd.choice(["A plain text", "Text: with a colon", "yes", "# hash", "It's 'quoted'", "ünïcode ✓"]),
        )
    elif kind == "set-source":
        doc.set_fields(
            rnd.choice(sources),
            reliability=rnd.choice(["A", "C", "F", 0.4, "medium"]),
            notes=rnd.choice(["Short note.", "A note\nover two lines", "A longer note " * 8]),
        )
    elif kind == "set-hyp":
        doc.set_fields(rnd.choice(hyps), prior=rnd.choice([1, 2, 0.5, 3]), title=rnd.choice(["Title", "A: b", "'q'"]))
    elif kind == "add-ev":
        ratings = {h: rnd.choice(["likely", "unlikely", 0.2]) for h in hyps if rnd.random() < 0.6}
        added.setdefault("evidence", []).append(doc.add_evidence("New item", ratings, source=rnd.choice(sources)))
    elif kind == "add-src":
        doc.add_source(f"src{serial}", rnd.choice(["A", "B", 0.3]), title="A new source")
        added.setdefault("source", []).append(f"src{serial}")
    elif kind == "add-hyp":
        doc.add_hypothesis(f"H{serial}", "A new hypothesis", prior=1, default_rating="N")
        added.setdefault("hypothesis", []).append(f"H{serial}")
    elif kind == "rm-added":
        for what in ("evidence", "hypothesis", "source"):
            if added.get(what):
                ident = added[what].pop(rnd.randrange(len(added[what])))
                doc.remove(ident, kind=what)
                return


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.sampled_from(KINDS), st.integers(0, 2**16)), min_size=1, max_size=6))
def test_random_valid_edits_keep_every_comment(sequence):
    doc = CaseText(COMMENTED_TEXT, "commented.yaml")
    added: dict = {}
    for serial, (kind, seed) in enumerate(sequence):
        apply_random(doc, kind, random.Random(seed), added, serial)
        case, diagnostics = check_text(doc.full_text.encode(), "commented.yaml")
        assert case is not None, [str(d) for d in diagnostics]
    lines = doc.full_text.splitlines()
    assert _is_subsequence(COMMENT_LINES, lines), "a comment line was lost or moved"
    for comment in EOL_COMMENTS:  # every end-of-line comment is still on some line
        assert comment in doc.full_text, comment


def test_why_on_a_one_line_likelihood_is_refused(tmp_path):
    path = copy(tmp_path, COMMENTED)
    with pytest.raises(EditError, match="written on one line"):
        rate(path, "E2", "KID", "likely", why="a reason")
    assert path.read_bytes() == COMMENTED.read_bytes()


def test_removing_the_last_entry_leaves_an_empty_list_that_adding_fills(tmp_path):
    path = copy(tmp_path, COMMENTED)
    before = path.read_text()
    remove(path, "C1")
    assert_only(
        before,
        path.read_text(),
        [
            "collection:",
            "  - id: C1",
            "    text: The dog is sick on the carpet",
            "    likelihood: {DOG: very likely, KID: unlikely, OTHER: unlikely}",
            "    credibility: high   # we would see it ourselves",
        ],
        ["collection: []"],
    )
    assert loaded(path).collection == ()
    path.write_text(path.read_text().replace("collection: []", "collection: []   # none yet"))
    add_source(path, "s2", "C")  # unrelated list: still fine
    text = path.read_text().replace("sources:\n", "sources: []   # none yet\n", 1)
    text = text[: text.index("  - id: crumbs")] + text[text.index("evidence:") :]
    text = text.replace("    source: crumbs\n", "").replace("    source: kid\n", "")
    path.write_text(text)
    add_source(path, "cctv", "B")
    assert "sources:   # none yet\n  - id: cctv\n    reliability: B\n" in path.read_text()
    assert [s.id for s in loaded(path).sources if not s.implicit] == ["cctv"]
