"""Analysts' own spreadsheets (ach.io.tabular.lenient, .matrix): the public template's layout, a
sheet typed from scratch in Excel, the same as CSV; other tools' rating notations; every problem in
one pass; never a convention applied without a warning."""

from __future__ import annotations

import csv
import io
import tempfile
from pathlib import Path

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ach.casefile import load, write_case
from ach.errors import CaseError
from ach.io.tabular import export_csv, export_xlsx, read_csv, read_xlsx
from ach.io.tabular.lenient import bare_zero, matrix_score, repaired_id, summary_label
from ach.scales import RATINGS, Scale

TEMPLATE_HEAD = ["Category", "Evidence", "Evidence Type", "Credibility", "Relevance", "H1", "H2", "H3"]
TEMPLATE_ITEMS = [
    ["Military", "Rockets found near the base", "Physical", "High", "High", "++", "-", "\u2212\u2212"],
    ["Military", "Claim of responsibility", "Statement", "Medium", "Low", "+", "N", None],
    ["Political", "The group denies it", "Statement", "Low", "Medium", "N/A", "+", "--"],
]


def workbook(path: Path, sheets: dict[str, list[list]]) -> Path:
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for title, rows in sheets.items():
        ws = wb.create_sheet(title)
        for row in rows:
            ws.append(row)
    wb.save(path)
    return path


def template(path: Path, totals_above_header: bool = False) -> Path:
    """The public ACH template's layout: ACH_matrix, a totals row of formulas, weight sheets."""
    totals = ["", "Weighted inconsistency score", None, None, None, "=SUM(F3:F9)", "=SUM(G3:G9)", "=SUM(H3:H9)"]
    rows = [totals, TEMPLATE_HEAD, *TEMPLATE_ITEMS] if totals_above_header else [TEMPLATE_HEAD, totals, *TEMPLATE_ITEMS]
    return workbook(
        path,
        {
            "ACH_matrix": rows,
            "Weights": [["Rating", "Weight"], ["CC", 2], ["C", 1], ["I", -1], ["II", -2]],
            "Credibility weights": [["Level", "Weight"], ["High", 1.41], ["Medium", 1], ["Low", 0.71]],
        },
    )


def messages(warnings) -> list[str]:
    return [f"{w.field}: {w.message}" for w in warnings if w.level == "warning"]


def errors(exc: CaseError) -> list[str]:
    return [f"{d.field}: {d.message}" for d in exc.diagnostics if d.level == "error"]


def write_csv(path: Path, rows: list[list]) -> Path:
    buffer = io.StringIO()
    csv.writer(buffer).writerows([["" if v is None else v for v in row] for row in rows])
    path.write_text(buffer.getvalue(), encoding="utf-8")
    return path


# -- the public template -----------------------------------------------------------------------


@pytest.mark.parametrize("above", [False, True], ids=["totals-below-header", "totals-above-header"])
def test_the_public_template_imports_without_edits(tmp_path, above):
    path = template(tmp_path / "template.xlsx", totals_above_header=above)
    warnings: list = []
    data, header = read_xlsx(path, warnings)
    assert [h["id"] for h in data["hypotheses"]] == ["H1", "H2", "H3"]
    assert data["question"] == "Which hypothesis best explains the evidence in 'template'?"
    assert "Check the question" in header
    e1, e2, e3 = data["evidence"]
    assert e1 == {
        "id": "E1",
        "text": "Rockets found near the base",
        "type": "Physical",
        "likelihood": {"H1": "CC", "H2": "I", "H3": "II"},
        "credibility": "High",
        "relevance": "high",
        "notes": "Category: Military",
    }
    assert e2["likelihood"] == {"H1": "C", "H2": "N", "H3": "NA"}
    assert e3["likelihood"] == {"H1": "NA", "H2": "C", "H3": "II"}
    said = "\n".join(messages(warnings))
    assert "'ACH_matrix' is read as the evidence matrix" in said
    assert (
        "Weights sheet: this sheet is not read" in said and "Credibility weights sheet: this sheet is not read" in said
    )
    assert "no id column: the items are numbered E1 to E3" in said
    assert "1 rating cell is empty, read as NA" in said and "H4 (H3)" in said
    assert "'++' as CC (1 cell)" in said and "'\u2212\u2212' as II (1 cell)" in said and "'N/A' as NA (1 cell)" in said
    if above:
        assert "ACH_matrix row 1: row 1 above the header row 2 is not read" in said
    else:
        assert "ACH_matrix row 2: not read as an item: a row of totals ('Weighted inconsistency score')" in said
    case = load(write_case(data, tmp_path / "template.yaml"))  # a valid case, as written
    assert case.item("E1").likelihood["H1"].mean == RATINGS["CC"]


def test_a_row_of_formulas_with_no_label_is_skipped(tmp_path):
    rows = [["#", "Evidence", "H1", "H2"], [1, "Rockets", "C", "I"], [None, None, '=COUNTIF(C2:C2,"I")', "=1+1"]]
    warnings: list = []
    data, _ = read_xlsx(workbook(tmp_path / "f.xlsx", {"Matrix": rows}), warnings)
    assert [e["id"] for e in data["evidence"]] == ["1"]
    assert "Matrix row 3: not read as an item: a row of formulas, not an item" in messages(warnings)


def test_the_matrix_is_found_among_helper_sheets_whatever_their_order(tmp_path):
    path = workbook(
        tmp_path / "helpers.xlsx",
        {
            "Lists": [["Ratings"], ["CC"], ["C"], ["N"], ["I"], ["II"]],
            "Weights": [["Rating", "Weight"], ["CC", 2], ["C", 1]],
            "ACH_matrix": [["Evidence", "H1", "H2"], ["Rockets", "C", "I"], ["Claim", "CC", "II"]],
        },
    )
    data, _ = read_xlsx(path, [])
    assert [e["text"] for e in data["evidence"]] == ["Rockets", "Claim"]


def test_no_sheet_looks_like_a_matrix(tmp_path):
    path = workbook(tmp_path / "none.xlsx", {"Weights": [["Rating", "Weight"], ["CC", 2]], "Notes": [["hello"]]})
    with pytest.raises(CaseError) as info:
        read_xlsx(path)
    (error,) = errors(info.value)
    assert "no sheet is called Evidence, and none looks like an evidence matrix" in error
    assert "Evidence, Item, Description or text" in info.value.diagnostics[0].hint


# -- a sheet typed from scratch in Excel ---------------------------------------------------------


SCRATCH = [
    ["#", "Evidence", "H1", "H2", "H3"],
    [1, "Rockets found near the base", "C", "I", "N"],
    [2, "Claim of responsibility", "CC", "II", "C"],
    [3, "The group denies it", "I", "C", "NA"],
]


def test_a_sheet_typed_from_scratch(tmp_path):
    path = workbook(tmp_path / "scratch.xlsx", {"Sheet": SCRATCH})
    warnings: list = []
    data, _ = read_xlsx(path, warnings)
    assert [e["id"] for e in data["evidence"]] == ["1", "2", "3"]  # the # column is the id
    assert [h["id"] for h in data["hypotheses"]] == ["H1", "H2", "H3"]  # '#' and 'Evidence' are no hypotheses
    assert data["evidence"][0]["text"] == "Rockets found near the base"
    assert "Sheet sheet: no sheet is called Evidence: 'Sheet' is read as the evidence matrix" in "\n".join(
        messages(warnings)
    )


def test_the_same_sheet_as_csv(tmp_path):
    warnings: list = []
    data, _ = read_csv(write_csv(tmp_path / "scratch.csv", SCRATCH), warnings)
    assert [e["id"] for e in data["evidence"]] == ["1", "2", "3"]
    assert [h["id"] for h in data["hypotheses"]] == ["H1", "H2", "H3"]
    said = "\n".join(messages(warnings))
    assert "no question: scratch.case.csv is missing" in said


def test_the_template_as_csv(tmp_path):
    rows = [TEMPLATE_HEAD, ["", "Total", "", "", "", "3", "-2", "-4"], *TEMPLATE_ITEMS]
    warnings: list = []
    data, _ = read_csv(write_csv(tmp_path / "template.csv", rows), warnings)
    assert [e["text"] for e in data["evidence"]] == [r[1] for r in TEMPLATE_ITEMS]
    assert "row 2: not read as an item: a row of totals ('Total')" in messages(warnings)
    assert data["evidence"][1]["likelihood"]["H3"] == "NA"


def test_ids_with_spaces_are_made_valid_with_one_warning(tmp_path):
    rows = [["ID", "Description", "H1", "H2"], ["Item 1", "Rockets", "C", "I"], ["Item #2", "Claim", "I", "C"]]
    warnings: list = []
    data, _ = read_xlsx(workbook(tmp_path / "ids.xlsx", {"Sheet": rows}), warnings)
    assert [e["id"] for e in data["evidence"]] == ["Item_1", "Item_2"]
    (said,) = [m for m in messages(warnings) if "ids made valid" in m]
    assert "A2 'Item 1' -> Item_1" in said and "A3 'Item #2' -> Item_2" in said


def test_hypothesis_headers_with_titles(tmp_path):
    rows = [["#", "Evidence", "H1: The militia", "H2 - Another actor", "Someone else"], [1, "Rockets", "C", "I", "N"]]
    warnings: list = []
    data, _ = read_xlsx(workbook(tmp_path / "h.xlsx", {"Sheet": rows}), warnings)
    assert data["hypotheses"] == [
        {"id": "H1", "title": "The militia"},
        {"id": "H2", "title": "Another actor"},
        {"id": "Someone_else", "title": "Someone else"},
    ]
    assert data["evidence"][0]["likelihood"] == {"H1": "C", "H2": "I", "Someone_else": "N"}
    assert any("ids made of the headers: 'H1: The militia' -> H1" in m for m in messages(warnings))


def test_common_headers_are_fields_not_hypotheses(tmp_path):
    head = ["#", "Item", "Description", "Evidence Type", "Category", "Source", "Credibility", "Relevance", "Notes"]
    rows = [
        [*head, "A", "B"],
        [1, "Rockets", "Found at dawn", "Physical", "Military", "Police report", 2, "high", "seen", "C", "I"],
        [2, "Claim", None, "Statement", None, "police  report", "low", "low", None, "I", "C"],
        [3, "Denial", None, "Statement", None, "Telegram", "low", "low", None, "N", "N"],
    ]
    warnings: list = []
    data, _ = read_xlsx(workbook(tmp_path / "h.xlsx", {"Sheet": rows}), warnings)
    assert [h["id"] for h in data["hypotheses"]] == ["A", "B"]
    e1, e2, e3 = data["evidence"]
    assert e1["text"] == "Rockets" and e1["type"] == "Physical" and e1["credibility"] == 2
    assert e1["notes"] == "seen\nDescription: Found at dawn\nCategory: Military"
    assert e1["source"] == e2["source"] == "Police_report" and e3["source"] == "Telegram"
    assert [s["id"] for s in data["sources"]] == ["Police_report", "Telegram"]
    assert all(s["reliability"] == 1 and s["notes"].startswith("TODO reliability") for s in data["sources"])
    assert any("the Source column names 2 sources, each taken as fully reliable" in m for m in messages(warnings))


# -- ratings -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "written, read",
    [
        ("++", "CC"),
        ("+", "C"),
        ("-", "I"),
        ("--", "II"),
        ("\u2212", "I"),
        ("\u2212\u2212", "II"),
        ("\u2013", "I"),
        ("+ +", "CC"),
        ("N/A", "NA"),
        ("n/a", "NA"),
        ("NA", "NA"),
        ("C C", "CC"),
        ("I I", "II"),
        ("70%", 0.7),
        ("0,7", 0.7),
        (0.7, 0.7),
        ("likely", "likely"),
    ],
)
@pytest.mark.parametrize("kind", ["xlsx", "csv"])
def test_every_rating_convention(tmp_path, written, read, kind):
    rows = [["Evidence", "A", "B"], ["Rockets", written, "C"]]
    if kind == "xlsx":
        data, _ = read_xlsx(workbook(tmp_path / "r.xlsx", {"Sheet": rows}), [])
    else:
        data, _ = read_csv(write_csv(tmp_path / "r.csv", rows), [])
    assert data["evidence"][0]["likelihood"]["A"] == read


def test_a_plus_zero_minus_scale_reads_zero_as_neutral(tmp_path):
    rows = [["Evidence", "A", "B"], ["Rockets", "+", "0"], ["Claim", 0, "\u2212"]]
    warnings: list = []
    data, _ = read_xlsx(workbook(tmp_path / "pzm.xlsx", {"Sheet": rows}), warnings)
    assert [e["likelihood"] for e in data["evidence"]] == [{"A": "C", "B": "N"}, {"A": "N", "B": "I"}]
    assert any("'0' as N (2 cells)" in m for m in messages(warnings))
    case = load(write_case(data, tmp_path / "pzm.yaml"))
    assert case.item("E1").likelihood["B"].mean == RATINGS["N"] == Scale().likelihood("N").mean  # the classic N


@pytest.mark.parametrize("zero", [0, "0", " 0 ", 0.0])
def test_a_bare_zero_is_refused_and_says_how_to_write_neutral_and_impossible(tmp_path, zero):
    rows = [["Evidence", "A", "B"], ["Rockets", "C", zero]]
    with pytest.raises(CaseError) as info:
        read_xlsx(workbook(tmp_path / "z.xlsx", {"Sheet": rows}))
    (d,) = [d for d in info.value.diagnostics if d.level == "error"]
    assert (d.file, d.field) == (str(tmp_path / "z.xlsx"), "Sheet!C2 (B)")
    assert d.message.startswith("a bare 0 is ambiguous")
    assert "neutral write N" in d.hint and "impossible write 0%" in d.hint


def test_a_bare_zero_in_csv_is_refused(tmp_path):
    with pytest.raises(CaseError) as info:
        read_csv(write_csv(tmp_path / "z.csv", [["Evidence", "A", "B"], ["Rockets", "C", "0"]]))
    assert errors(info.value) == [
        "row 2, column C (B): a bare 0 is ambiguous: some tools mean neutral by it, ach a probability of 0 "
        "(the item impossible under the hypothesis)"
    ]


def test_zero_percent_is_an_impossibility(tmp_path):
    wb = openpyxl.Workbook()
    wb.active.append(["Evidence", "A", "B"])
    wb.active.append(["Rockets", "C", 0])
    wb.active["C2"].number_format = "0%"  # typed 0% in Excel
    wb.save(tmp_path / "p.xlsx")
    data, _ = read_xlsx(tmp_path / "p.xlsx", [])
    assert data["evidence"][0]["likelihood"]["B"] == 0
    data, _ = read_csv(write_csv(tmp_path / "p.csv", [["Evidence", "A", "B"], ["Rockets", "C", "0%"]]), [])
    assert data["evidence"][0]["likelihood"]["B"] == 0


def test_blank_cells_are_not_rated_with_one_warning(tmp_path):
    rows = [["#", "Evidence", "A", "B", "C"]] + [
        [i, f"item {i}", None if i % 2 else "C", "I", None] for i in range(1, 7)
    ]
    warnings: list = []
    data, _ = read_xlsx(workbook(tmp_path / "b.xlsx", {"Sheet": rows}), warnings)
    (said,) = [m for m in messages(warnings) if "empty, read as NA" in m]
    assert said.startswith("Sheet sheet (empty ratings): 9 rating cells are empty, read as NA")
    assert "C2 (A), E2 (C), E3 (C), C4 (A)" in said
    assert data["evidence"][0]["likelihood"] == {"A": "NA", "B": "I", "C": "NA"}


def test_a_row_with_no_text_and_no_rating_is_a_heading(tmp_path):
    rows = [["Category", "Evidence", "A", "B"], ["Military", None, None, None], [None, "Rockets", "C", "I"]]
    warnings: list = []
    data, _ = read_xlsx(workbook(tmp_path / "hd.xlsx", {"Sheet": rows}), warnings)
    assert [e["text"] for e in data["evidence"]] == ["Rockets"]
    assert "Sheet row 2: not read as an item: no text and no rating (a heading?)" in messages(warnings)


# -- every problem in one pass -------------------------------------------------------------------


def test_every_problem_of_a_workbook_in_one_pass(tmp_path):
    path = workbook(
        tmp_path / "all.xlsx",
        {
            "ACH_matrix": [
                TEMPLATE_HEAD,
                ["", "Total", None, None, None, "=SUM(F3:F9)", "=SUM(G3:G9)", "=SUM(H3:H9)"],
                ["Military", "Rockets", "Physical", "High", "High", "CC", "probablyy", None],  # no + 0 - scale
                ["Military", "Claim", "Statement", "Medium", "Low", 0, "N", "C"],
                ["Political", "Denial", "Statement", 9, "middling", "I", None, 1.5],
            ],
            "Case": [["field", "value"], ["colour", "red"], ["prior_concentration", -2]],
        },
    )
    with pytest.raises(CaseError) as info:
        read_xlsx(path)
    found = errors(info.value)
    assert sorted(found) == sorted(
        [
            "Case!A2 (field): unknown field 'colour'",
            "Case!B3 (prior_concentration): -2 must be greater than 0",
            "ACH_matrix!F4 (H1): a bare 0 is ambiguous: some tools mean neutral by it, ach a probability of 0 "
            "(the item impossible under the hypothesis)",
            "ACH_matrix!G3 (H2): rating 'probablyy' is not one of CC, C, N, I, II, NA (or a probability in [0, 1], "
            "or an ICD 203 term such as 'likely')",
            "ACH_matrix!D5 (credibility): credibility 9 is outside [0, 1]",
            "ACH_matrix!E5 (relevance): 'middling' is not one of low, medium, high",
            "ACH_matrix!H5 (H3): likelihood 1.5 is outside [0, 1]",
        ]
    ), found
    warned = messages(info.value.diagnostics)
    assert any("2 rating cells are empty, read as NA" in m and "H3 (H3), G5 (H2)" in m for m in warned)
    for d in info.value.diagnostics:  # file, place, and a way out
        assert d.file == str(path) and d.field
        assert d.hint or d.level == "warning", d


def test_an_unknown_source_does_not_hide_the_rest_of_the_row(tmp_path):
    """A workbook with a Sources sheet: the unlisted source, the bad rating and the bad credibility at once."""
    path = workbook(
        tmp_path / "src.xlsx",
        {
            "Evidence": [["id", "text", "source", "credibility", "A", "B"], ["E1", "x", "nosuch", "qqq", "C", "zzz"]],
            "Hypotheses": [["id", "title"], ["A", "a"], ["B", "b"]],
            "Sources": [["id", "reliability"], ["s1", "B"]],
        },
    )
    with pytest.raises(CaseError) as info:
        read_xlsx(path)
    found = errors(info.value)
    assert sorted(f.split(":")[0] for f in found) == [
        "Evidence!C2 (source)",
        "Evidence!D2 (credibility)",
        "Evidence!F2 (B)",
    ]
    assert any("'zzz'" in f for f in found) and any("'nosuch' is not listed" in f for f in found), found


def test_a_refused_cell_does_not_hide_the_rest_of_its_row(tmp_path):
    """A bare 0 is refused at its cell; the duplicate id in the same row is said in the same run, and the
    missing rating the refusal leaves behind is not said twice."""
    rows = [["id", "text", "A", "B"], ["E1", "x", "C", "I"], ["E1", "dup", 0, "C"]]
    sheets = {"Evidence": rows, "Hypotheses": [["id", "title"], ["A", "a"], ["B", "b"]]}
    with pytest.raises(CaseError) as info:
        read_xlsx(workbook(tmp_path / "dup.xlsx", sheets))
    found = errors(info.value)
    assert [f.split(":")[0] for f in found] == ["Evidence!C3 (A)", "Evidence!A3 (id)"], found
    assert "a bare 0 is ambiguous" in found[0] and "evidence id 'E1' is used twice" in found[1]
    csv_found = []
    try:
        read_csv(write_csv(tmp_path / "dup.csv", [["id", "text", "A", "B"], *rows[1:]]))
    except CaseError as exc:
        csv_found = [d for d in exc.diagnostics if d.is_error]
    assert sorted(d.code or "" for d in csv_found).count("duplicate-id") == 1, csv_found


# -- round trips stay exact ----------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["xlsx", "csv"])
def test_an_exported_impossibility_reads_back(tmp_path, kind):
    (tmp_path / "z.yaml").write_text(
        "question: Q?\nhypotheses:\n  - {id: A, title: A}\n  - {id: B, title: B}\n"
        "evidence:\n  - {id: E1, text: x, likelihood: {A: 0, B: 0.5}}\n",
        encoding="utf-8",
    )
    case = load(tmp_path / "z.yaml")
    if kind == "xlsx":
        export_xlsx(case, tmp_path / "z.xlsx")
        assert openpyxl.load_workbook(tmp_path / "z.xlsx")["Evidence"]["J2"].number_format == "0%"
        data, _ = read_xlsx(tmp_path / "z.xlsx")
    else:
        export_csv(case, tmp_path / "z.csv")
        data, _ = read_csv(tmp_path / "z.csv")
    assert data["evidence"][0]["likelihood"]["A"] == 0


# -- the pieces ----------------------------------------------------------------------------------


def test_summary_labels():
    for label in ("Total", "TOTALS", "Inconsistency score", "Weighted inconsistency score", "Sum:", "Grand total"):
        assert summary_label(label), label
    for label in ("Total silence from the group", "Rockets", "", "Scores of fighters seen near the base"):
        assert not summary_label(label), label


def test_bare_zero_and_repaired_ids():
    assert all(bare_zero(v) for v in (0, 0.0, "0", " 0", "-0", "00"))
    assert not any(bare_zero(v) for v in (False, "0%", "0.0", "0,0", 0.5, "N", None))
    assert repaired_id("Item 1") == "Item_1" and repaired_id("#3") == "3" and repaired_id("E.1-a") == "E.1-a"
    assert repaired_id("???") == "" and repaired_id("  E 2  ") == "E_2"


def test_matrix_score_prefers_the_matrix():
    def rows(table):
        return list(enumerate(table, 1))

    matrix = rows([["#", "Evidence", "H1", "H2"], [1, "a", "C", "I"], [2, "b", "++", "-"]])
    weights = rows([["Rating", "Weight"], ["CC", 2], ["C", 1]])
    assert matrix_score(matrix) == 4 and matrix_score(weights) == 0 and matrix_score([]) == 0


# -- random analysts' sheets -------------------------------------------------------------------------

CONVENTIONS = {
    "CC": "CC",
    "++": "CC",
    "+": "C",
    "C": "C",
    "N": "N",
    "-": "I",
    "\u2212": "I",
    "--": "II",
    "\u2212\u2212": "II",
    "II": "II",
    "N/A": "NA",
    "NA": "NA",
    "": "NA",
}


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    cells=st.lists(st.lists(st.sampled_from(sorted(CONVENTIONS)), min_size=3, max_size=3), min_size=1, max_size=6),
    ids=st.booleans(),
    totals=st.sampled_from(["none", "above", "below"]),
    kind=st.sampled_from(["xlsx", "csv"]),
)
def test_random_sheets_in_other_tools_notations(cells, ids, totals, kind):
    """Whatever the mix of notations, blanks, ids and totals rows: each cell reads as its classic rating."""
    head = ["#", "Evidence", "H1", "H2", "H3"] if ids else ["Evidence", "H1", "H2", "H3"]
    items = [[*([i + 1] if ids else []), f"item {i}", *[v or None for v in row]] for i, row in enumerate(cells)]
    total = [*([None] if ids else []), "Total", 1, 2, 3]
    rows = {"none": [head, *items], "above": [total, head, *items], "below": [head, total, *items]}[totals]
    with tempfile.TemporaryDirectory() as folder:
        warnings: list = []
        if kind == "xlsx":
            data, _ = read_xlsx(workbook(Path(folder) / "r.xlsx", {"Sheet": rows}), warnings)
        else:
            data, _ = read_csv(write_csv(Path(folder) / "r.csv", rows), warnings)
    got = [[e["likelihood"][h] for h in ("H1", "H2", "H3")] for e in data["evidence"]]
    assert got == [[CONVENTIONS[v] for v in row] for row in cells]
    assert [e["id"] for e in data["evidence"]] == [str(i + 1) if ids else f"E{i + 1}" for i in range(len(cells))]
    said = "\n".join(messages(warnings))
    assert ("empty, read as NA" in said) == any(v == "" for row in cells for v in row)
    assert ("another notation" in said) == any(v not in ("CC", "C", "N", "II", "NA", "") for row in cells for v in row)
