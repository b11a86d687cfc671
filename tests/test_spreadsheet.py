"""Spreadsheets (ach.io.tabular): lossless round trips, located errors, no crash on any input."""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import io
import re
import tempfile
import zipfile
from pathlib import Path

import openpyxl
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

import ach
from ach.casefile import check_text, dump_case, load, write_case
from ach.errors import CaseError
from ach.io.tabular import companion, export_csv, export_xlsx, read_csv, read_xlsx
from ach.io.tabular import layout as ss
from ach.io.tabular import read as tabular_read

ROOT = Path(__file__).resolve().parents[1]
MINI = ROOT / "tests" / "data" / "mini.yaml"
WARNINGS = ROOT / "tests" / "data" / "warnings.yaml"
SHEETS = ROOT / "tests" / "data" / "sheets"
REAL = sorted({*ROOT.glob("cases/*.yaml"), MINI, WARNINGS})


# -- helpers --------------------------------------------------------------------------


def content(case) -> tuple:
    """Everything a Case holds except where it was read from (and the file's own text: values, comment)."""
    d = dataclasses.asdict(case)
    for key in ("path", "sha256", "warnings", "document", "comment"):
        d.pop(key)
    for e in d["evidence"]:
        e.pop("line")
    d["acknowledged"] = [(w["level"], w["message"], w["field"], why) for w, why in d["acknowledged"]]
    return d, [(w.level, w.message, w.field) for w in case.warnings]


PLACE_KEYS = {"case", "ach_version", "provenance", "path", "sha256", "file", "line", "generated"}


def without_place(node):
    """A result's JSON without where the case was read from, when and by which ach."""
    if isinstance(node, dict):
        return {k: without_place(v) for k, v in node.items() if k not in PLACE_KEYS}
    if isinstance(node, list):
        return [without_place(v) for v in node]
    return node


def numbers(case) -> dict:
    """`ach analyze --no-sample --json`, less the case's path, the time and the version."""
    return without_place(ach.analyze(case, sample=False, progress=False).to_dict())


def roundtrip(case, folder: Path, kind: str):
    """case -> workbook or CSV -> case file -> loaded case (and the warnings on the way)."""
    warnings: list = []
    if kind == "xlsx":
        export_xlsx(case, folder / "case.xlsx", overwrite=True)
        data, header = read_xlsx(folder / "case.xlsx", warnings)
    else:
        export_csv(case, folder / "case.csv", overwrite=True)
        data, header = read_csv(folder / "case.csv", warnings)
    out = write_case(data, folder / "back.yaml", header=header, overwrite=True)
    return load(out), warnings


def errors_of(exc: CaseError) -> list[str]:
    return [f"{d.field}: {d.message}" for d in exc.diagnostics if d.level == "error"]


@pytest.fixture
def mini_xlsx(tmp_path) -> Path:
    path = tmp_path / "mini.xlsx"
    export_xlsx(load(MINI), path)
    return path


def edit(path: Path, change) -> Path:
    """Open a workbook as an analyst would, change it, save it."""
    wb = openpyxl.load_workbook(path)
    change(wb)
    wb.save(path)
    return path


def failure(path: Path, reader=read_xlsx) -> list[str]:
    with pytest.raises(CaseError) as info:
        reader(path)
    for d in info.value.diagnostics:
        assert d.file.startswith(str(path.with_suffix(""))), d
    return errors_of(info.value)


# -- round trips of the real cases --------------------------------------------------------


@pytest.mark.parametrize("kind", ["xlsx", "csv"])
@pytest.mark.parametrize("path", REAL, ids=lambda p: p.name)
def test_real_cases_round_trip(path, kind, tmp_path):
    case = load(path)
    back, warnings = roundtrip(case, tmp_path, kind)
    assert content(back) == content(case)
    assert numbers(back) == numbers(case)
    assert [w.message for w in warnings] == [w.message for w in case.warnings]


@pytest.mark.parametrize("kind", ["xlsx", "csv"])
@pytest.mark.parametrize("path", REAL, ids=lambda p: p.name)
def test_a_case_with_no_file_behind_it_is_rebuilt_from_its_labels(path, kind, tmp_path):
    case = load(path).replace(path="<case>")  # forces rebuild(): no YAML to read again
    back, _ = roundtrip(case, tmp_path, kind)
    assert content(back) == content(case)


def test_the_opening_comment_travels_in_the_case_sheet(tmp_path):
    k1 = ROOT / "cases" / "k1.yaml"
    export_xlsx(load(k1), tmp_path / "k1.xlsx")
    _, header = read_xlsx(tmp_path / "k1.xlsx")
    assert "K-1 AIR BASE, KIRKUK, 27 DECEMBER 2019: WHO FIRED THE ROCKETS?" in header
    assert "yaml-language-server" not in header


def test_a_changed_file_is_not_trusted(tmp_path):
    """Export reads the YAML again only when it is still the file that was loaded."""
    path = tmp_path / "mini.yaml"
    path.write_text(MINI.read_text())
    case = load(path)
    path.write_text(MINI.read_text().replace("likely", "unlikely"))
    back, _ = roundtrip(case, tmp_path, "xlsx")
    assert content(back) == content(case)


def test_workbook_layout(mini_xlsx):
    wb = openpyxl.load_workbook(mini_xlsx)
    assert wb.sheetnames == ["Evidence", "Hypotheses", "Sources", "Case", "Collection", "Rationales", "Help"]
    ev = wb["Evidence"]
    header = [c.value for c in ev[1]]
    assert header == [
        "id",
        "text",
        "source",
        "type",
        "date",
        "credibility",
        "credibility_confidence",
        "relevance",
        "confidence",
        "DOG",
        "KID",
        "OTHER",
        "if_false",
        "citation_report",
        "citation_quote",
        "citation_url",
        "notes",
    ]
    assert ev.freeze_panes == "B2" and ev["A1"].font.bold
    assert [ev.cell(2, c).value for c in (1, 10, 11, 12)] == ["E1", "likely", 0.3, "I"]
    assert ev["M3"].value == "DOG=0.9; KID=0.9; OTHER=0.5"
    assert ev["E4"].value == dt.datetime(2024, 3, 1) and ev["E4"].number_format == "yyyy-mm-dd"
    assert ev["F2"].value == 2 and ev["J1"].comment is not None
    ratings = [dv for dv in ev.data_validations.dataValidation if "J2" in str(dv.sqref)]
    assert ratings and "almost no chance" in ratings[0].formula1
    hyp = wb["Hypotheses"]
    assert [c.value for c in hyp[1]] == ["id", "title", "description", "prior", "catch_all"]
    assert [c.value for c in hyp[4]] == ["OTHER", "Someone else", None, 1, True]
    assert [c.value for c in wb["Sources"][2]][:3] == ["kid", "The child's own account", "D"]
    case_rows = {r[0].value: r[1].value for r in wb["Case"].iter_rows(min_row=2)}
    assert case_rows["question"] == "Who ate the cake?"


def test_csv_layout(tmp_path):
    paths = export_csv(load(MINI), tmp_path / "mini.csv")
    assert [p.name for p in paths] == [
        "mini.csv",
        "mini.hypotheses.csv",
        "mini.sources.csv",
        "mini.case.csv",
        "mini.rationales.csv",  # its one comment, the why of E1's ratings
    ]
    rows = list(csv.reader(io.StringIO((tmp_path / "mini.csv").read_text("utf-8-sig"))))
    assert rows[0][9:12] == ["DOG", "KID", "OTHER"] and rows[1][9:12] == ["likely", "0.3", "I"]
    assert (tmp_path / "mini.csv").read_bytes().startswith(b"\xef\xbb\xbf")  # Excel needs the BOM to see UTF-8


def test_csv_export_removes_a_stale_collection_only_with_force(tmp_path):
    export_csv(load(ROOT / "cases" / "k1.yaml"), tmp_path / "c.csv")
    assert (tmp_path / "c.collection.csv").exists()
    with pytest.raises(CaseError, match="exists already"):
        export_csv(load(MINI), tmp_path / "c.csv")
    export_csv(load(MINI), tmp_path / "c.csv", overwrite=True)
    assert not (tmp_path / "c.collection.csv").exists()
    assert content(load(write_case(read_csv(tmp_path / "c.csv")[0], tmp_path / "m.yaml")))[0] == content(load(MINI))[0]


def test_an_invalid_case_dict_is_not_exported(tmp_path):
    with pytest.raises(CaseError, match="missing required field 'evidence'"):
        export_xlsx(
            {"question": "Q", "hypotheses": [{"id": "A", "title": "a"}, {"id": "B", "title": "b"}]}, tmp_path / "x.xlsx"
        )
    assert not (tmp_path / "x.xlsx").exists()


def test_export_refuses_to_overwrite(mini_xlsx):
    before = mini_xlsx.read_bytes()
    with pytest.raises(CaseError, match="exists already"):
        export_xlsx(load(MINI), mini_xlsx)
    assert mini_xlsx.read_bytes() == before


def test_text_excel_cannot_hold_is_refused_before_writing(tmp_path):
    text = MINI.read_text().replace("Crumbs on the dog bed", "x" * 40_000)
    (tmp_path / "long.yaml").write_text(text)
    with pytest.raises(CaseError) as info:
        export_xlsx(load(tmp_path / "long.yaml"), tmp_path / "long.xlsx")
    assert "evidence E1 › text" in str(info.value) and not (tmp_path / "long.xlsx").exists()
    export_csv(load(tmp_path / "long.yaml"), tmp_path / "long.csv")  # CSV has no such limit


# -- property-based round trip ----------------------------------------------------------

ids = st.from_regex(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,5}", fullmatch=True)
hyp_ids = st.one_of(
    ids,
    st.sampled_from(
        [
            "id",
            "ID",
            "text",
            "notes",
            "Notes",
            "date",
            "source",
            "type",
            "confidence",
            "if_false",
            "citation_report",
            "report",
            "1",
            "0.5",
            "TRUE",
            "NA",
        ]
    ),
)
chars = st.characters(blacklist_categories=("Cs",), blacklist_characters="\x85")
texts = st.one_of(
    st.text(chars, max_size=25),
    st.sampled_from(
        ["=1+1", "#N/A", "_x000D_", "a\r\nb", " lead", "0.3", "TRUE", "2020-01-01", "1", "x\x00y", "\ufffe"]
        + ["'=1", "''+2", "@SUM(A1)", "-x", "+44", "'", "'plain", '=HYPERLINK("http://evil.example","x")']
    ),
)
words = st.text(chars, min_size=1, max_size=25)  # where an empty text and no text differ (titles, reports)
levels = st.sampled_from(["low", "medium", "high"])
probability = st.one_of(st.floats(0, 1), st.sampled_from([0, 1, 0.5, 1e-300, 0.30000000000000004, 1 / 3]))
ratings = st.one_of(
    probability,
    st.sampled_from(
        [
            "CC",
            "C",
            "N",
            "I",
            "II",
            "NA",
            "na",
            "cc",
            " likely",
            "Likely",
            "almost no chance",
            "very unlikely",
            "unlikely",
            "roughly even chance",
            "likely",
            "very likely",
            "almost certain",
            "remote",
            "probable",
            "highly improbable",
        ]
    ),
)
credibilities = st.one_of(st.integers(1, 6), probability, st.just(1.0), st.sampled_from(["low", "Medium", "high", "3"]))
reliabilities = st.one_of(probability, st.sampled_from(["A", "B", "C", "D", "E", "F", "c", "low", "medium", "high"]))
dates = st.dates().map(dt.date.isoformat)


def optional(draw, spec: dict, key: str, strategy) -> None:
    if draw(st.booleans()):
        spec[key] = draw(strategy)


@st.composite
def case_dicts(draw) -> dict:
    hyps = draw(st.lists(hyp_ids, min_size=2, max_size=4, unique=True))
    data: dict = {}
    optional(draw, data, "title", texts)
    data["question"] = draw(texts)
    optional(draw, data, "description", texts)
    optional(draw, data, "analyst", texts)
    optional(draw, data, "date", dates)
    priors = draw(st.booleans())
    if priors and draw(st.booleans()):
        data["prior_concentration"] = draw(st.one_of(st.integers(1, 50), st.floats(0.1, 100)))
    data["hypotheses"] = []
    for h in hyps:
        spec = {"id": h, "title": draw(words)}
        optional(draw, spec, "description", texts)
        if priors:
            spec["prior"] = draw(st.one_of(st.integers(1, 9), st.floats(0.01, 50)))
        optional(draw, spec, "catch_all", st.booleans())
        data["hypotheses"].append(spec)
    sources = draw(st.lists(ids, max_size=3, unique=True))
    if sources or draw(st.booleans()):
        data["sources"] = []
    for s in sources:
        spec = {"id": s}
        optional(draw, spec, "title", words)
        spec["reliability"] = draw(reliabilities)
        optional(draw, spec, "confidence", levels)
        optional(draw, spec, "notes", texts)
        data["sources"].append(spec)
    data["evidence"] = []
    for eid in draw(st.lists(ids, min_size=1, max_size=4)):  # repeated ids allowed: the loader renames them
        spec = {"id": eid, "text": draw(texts)}
        if draw(st.booleans()):
            spec["source"] = draw(st.sampled_from(sources) if sources and draw(st.booleans()) else ids)
        optional(draw, spec, "date", dates)
        optional(draw, spec, "type", texts)
        spec["likelihood"] = {h: draw(ratings) for h in hyps}
        optional(draw, spec, "confidence", levels)
        optional(draw, spec, "credibility", credibilities)
        optional(draw, spec, "credibility_confidence", levels)
        if draw(st.booleans()):
            spec["if_false"] = draw(st.one_of(probability, st.fixed_dictionaries(dict.fromkeys(hyps, probability))))
        optional(draw, spec, "relevance", levels)
        if draw(st.booleans()):
            spec["citation"] = {"report": draw(words)}
            optional(draw, spec["citation"], "quote", texts)
            optional(draw, spec["citation"], "url", texts)
        optional(draw, spec, "notes", texts)
        data["evidence"].append(spec)
    if draw(st.booleans()):
        data["collection"] = []
        for cid in draw(st.lists(ids, min_size=1, max_size=2, unique=True)):
            spec = {
                "id": cid,
                "text": draw(texts),
                "likelihood": {h: draw(ratings.filter(lambda r: str(r).strip().upper() != "NA")) for h in hyps},
            }
            optional(draw, spec, "credibility", credibilities)
            optional(draw, spec, "notes", texts)
            data["collection"].append(spec)
    if draw(st.integers(0, 4)) == 0:
        data["scale"] = {"ratings": {"CC": draw(st.floats(0.5, 0.99))}}
        if draw(st.booleans()):
            data["scale"]["terms"] = {"likely": [0.55, 0.8], "Plausible": [0.4, 0.7]}
    return data


def _valid_case(data: dict, folder: Path):
    text = dump_case(data)
    case, _ = check_text(text.encode("utf-8"), "generated.yaml")
    assume(case is not None)
    path = folder / "generated.yaml"
    path.write_text(text, encoding="utf-8")
    return load(path)


@pytest.mark.parametrize("kind", ["xlsx", "csv"])
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(data=case_dicts())
def test_any_case_round_trips(kind, data):
    with tempfile.TemporaryDirectory() as folder:
        folder = Path(folder)
        case = _valid_case(data, folder)
        back, _ = roundtrip(case, folder, kind)
        assert content(back) == content(case)
        written = ss.case_data(back).data  # what a Case does not keep, the file still does
        for key in ("analyst", "date", "title", "description"):
            assert (written.get(key) or None) == (data.get(key) or None)
        if kind == "xlsx":  # and through the labels, with no YAML to read again
            again, _ = roundtrip(case.replace(path="<case>"), folder, kind)
            assert content(again)[0] == content(case)[0]


# -- a sheet filled in by hand ----------------------------------------------------------------


def hand_made(path: Path, evidence: list[list], hypotheses=None, case=None, sources=None) -> Path:
    wb = openpyxl.Workbook()
    wb.active.title = "Evidence"
    for row in evidence:
        wb["Evidence"].append(row)
    for title, rows in (("Hypotheses", hypotheses), ("Case", case), ("Sources", sources)):
        if rows is not None:
            ws = wb.create_sheet(title)
            for row in rows:
                ws.append(row)
    wb.save(path)
    return path


QUESTION = [["field", "value"], ["question", "Who ate the cake?"]]


def test_a_hand_made_matrix_with_every_kind_of_rating(tmp_path):
    path = hand_made(
        tmp_path / "hand.xlsx",
        [
            ["ID", "Text", "Date", "Credibility", "Dog", "Kid", "Other", "If false"],
            ["E1", "Crumbs", dt.datetime(2024, 3, 1), 2, "likely", 0.3, "I", None],
            [None] * 8,  # an empty row is skipped
            [" E2 ", "Sleeve", "2024-03-02", "medium", "CC", "30%", "probable", "Dog=0.9; Kid=0.9; Other=0.5"],
            ["E3", "Nothing", None, "1.0", "NA", "almost no chance", 0.5, 0.4],
        ],
        hypotheses=[
            ["id", "title", "prior", "catch_all"],
            ["Dog", "The dog", 1, "no"],
            ["Kid", "The child", 2, None],
            ["Other", "Someone else", 1, "yes"],
        ],
        case=QUESTION,
    )
    warnings: list = []
    data, _ = read_xlsx(path, warnings)
    assert warnings == []
    e1, e2, e3 = data["evidence"]
    assert e1 == {
        "id": "E1",
        "text": "Crumbs",
        "date": "2024-03-01",
        "likelihood": {"Dog": "likely", "Kid": 0.3, "Other": "I"},
        "credibility": 2,
    }
    assert e2["id"] == "E2" and e2["likelihood"]["Kid"] == 0.3 and e2["credibility"] == "medium"
    assert e2["if_false"] == {"Dog": 0.9, "Kid": 0.9, "Other": 0.5}
    assert e3["credibility"] == 1.0 and isinstance(e3["credibility"], float)  # '1.0 as text: certainty, not Admiralty 1
    assert [h["catch_all"] for h in data["hypotheses"] if "catch_all" in h] == [False, True]
    case = load(write_case(data, tmp_path / "hand.yaml"))
    assert case.item("E3").credibility.mean == 1.0 and case.item("E1").credibility.mean == 0.8


def test_hypotheses_are_inferred_without_a_hypotheses_sheet(tmp_path):
    path = hand_made(
        tmp_path / "h.xlsx", [["id", "text", "DOG", "KID"], ["E1", "Crumbs", "likely", "unlikely"]], case=QUESTION
    )
    warnings: list = []
    data, _ = read_xlsx(path, warnings)
    assert data["hypotheses"] == [{"id": "DOG", "title": "DOG"}, {"id": "KID", "title": "KID"}]
    assert (
        "Evidence row 1",
        "no Hypotheses sheet: the hypotheses are the rating columns DOG, KID, each titled with its id",
    ) in [(w.field, w.message) for w in warnings]


def test_the_only_sheet_is_the_evidence_matrix(tmp_path):
    wb = openpyxl.Workbook()
    wb.active.title = "Matrix"
    wb.active.append(["id", "text", "A", "B"])
    wb.active.append(["E1", "x", "CC", "I"])
    wb.save(tmp_path / "one.xlsx")
    warnings: list = []
    data, header = read_xlsx(tmp_path / "one.xlsx", warnings)
    assert data["question"] == "Which hypothesis best explains the evidence in 'one'?"
    assert "Check the question" in header
    assert sorted((d.level, d.field, d.message) for d in warnings if d.code != "no-catch-all") == [
        (
            "warning",
            "Case sheet",
            "no question: the workbook has no Case sheet; the question is made up from the title: "
            "Which hypothesis best explains the evidence in 'one'?",
        ),
        (
            "warning",
            "Matrix row 1",
            "no Hypotheses sheet: the hypotheses are the rating columns A, B, each titled with its id",
        ),
        (
            "warning",
            "Matrix sheet",
            "no sheet is called Evidence: 'Matrix' is read as the evidence matrix: "
            "its header names the items' column, and ratings are below it",
        ),
    ]


# -- errors name the sheet, row and column ------------------------------------------------------


def test_a_bad_rating_names_its_cell(mini_xlsx):
    edit(mini_xlsx, lambda wb: wb["Evidence"].__setitem__("K4", "probablyy"))
    (error,) = failure(mini_xlsx)
    assert error.startswith("Evidence!K4 (KID): rating 'probablyy' is not one of")


def test_a_bad_credibility_names_its_cell(mini_xlsx):
    edit(mini_xlsx, lambda wb: wb["Evidence"].__setitem__("F4", 7))
    with pytest.raises(CaseError) as info:
        read_xlsx(mini_xlsx)
    (d,) = [d for d in info.value.diagnostics if d.level == "error"]
    assert d.file == str(mini_xlsx) and d.field == "Evidence!F4 (credibility)" and "7" in d.message
    assert "Admiralty" in d.hint
    assert str(d).startswith(f"{mini_xlsx}: error: Evidence!F4 (credibility): ")


@pytest.mark.parametrize(
    "sheet, cell, value, expected",
    [
        ("Evidence", "E3", "2020-02-30", "Evidence!E3 (date): '2020-02-30' is not a calendar date"),
        ("Evidence", "E3", "6 Feb 2020", "Evidence!E3 (date): '6 Feb 2020' is not in the expected form"),
        ("Evidence", "I2", "mid", "Evidence!I2 (confidence): 'mid' is not one of low, medium, high"),
        ("Evidence", "J2", 0, "Evidence!J2 (DOG): a bare 0 is ambiguous"),
        ("Evidence", "J2", "0", "Evidence!J2 (DOG): a bare 0 is ambiguous"),
        ("Evidence", "J2", 1.5, "Evidence!J2 (DOG): likelihood 1.5 is outside [0, 1]"),
        ("Evidence", "J2", True, "Evidence!J2 (DOG): true should be a number or text"),
        ("Evidence", "M3", "DOG=0.9; CAT=0.2", "Evidence!M3 (if_false): 'CAT' is not a hypothesis"),
        ("Evidence", "M3", "half", "Evidence!M3 (if_false): 'half' is neither a number nor one per hypothesis"),
        ("Evidence", "A3", None, "Evidence!A3 (id): no id"),
        ("Evidence", "A3", "???", "Evidence!A3 (id): '???' is not in the expected form"),
        ("Sources", "C2", "Z", "Sources!C2 (reliability): reliability 'Z' is not understood"),
        ("Sources", "C2", None, "Sources!C2 (reliability): missing required field 'reliability'"),
        ("Hypotheses", "D3", None, "Hypotheses row 3 (KID): hypothesis 'KID' has no prior while others do"),
        ("Hypotheses", "D3", -1, "Hypotheses!D3 (prior): -1 is below the minimum 0"),
        ("Hypotheses", "D3", "1e999", "Hypotheses!D3 (prior): '1e999' is not a finite number"),
        ("Hypotheses", "E4", "maybe", "Hypotheses!E4 (catch_all): 'maybe' is not yes or no"),
        ("Hypotheses", "A3", "DOG", "Hypotheses!A3 (id): hypothesis id 'DOG' is used twice (also on row 2)"),
        ("Sources", "A3", "kid", "Sources!A3 (id): source id 'kid' is used twice"),
        ("Case", "B3", None, None),  # an empty question is still a question: no error
        ("Case", "B10", -2, "Case!B10 (prior_concentration): -2 must be greater than 0"),
        ("Case", "A8", "colour", "Case!A8 (field): unknown field 'colour'"),
        ("Evidence", "R1", "cat", "Evidence!R1 (cat): unknown column 'cat'"),
        ("Evidence", "L1", "OTHR", "Evidence!L1 (OTHR): unknown column 'OTHR'"),
        ("Evidence", "R2", "stray", "Evidence!R2: a value in a column with no header"),
    ],
)
def test_every_mistake_is_located(mini_xlsx, sheet, cell, value, expected):
    edit(mini_xlsx, lambda wb: wb[sheet].__setitem__(cell, value))
    if expected is None:
        read_xlsx(mini_xlsx)
        return
    errors = failure(mini_xlsx)
    assert any(e.startswith(expected) for e in errors), errors


def test_a_missing_hypothesis_column(mini_xlsx):
    edit(mini_xlsx, lambda wb: wb["Evidence"].delete_cols(11))
    assert any(
        e.startswith("Evidence row 1 (no column for KID): no column for the hypothesis 'KID'")
        for e in failure(mini_xlsx)
    )


def test_repeated_columns_and_repeated_items(mini_xlsx):
    edit(mini_xlsx, lambda wb: wb["Evidence"].__setitem__("N1", "notes"))
    assert any(e.startswith("Evidence!Q1 (notes): the column 'notes' appears twice") for e in failure(mini_xlsx))


def test_a_repeated_item_id_is_an_error_at_its_cell(mini_xlsx):
    edit(mini_xlsx, lambda wb: wb["Evidence"].__setitem__("A3", "E1"))
    assert failure(mini_xlsx) == ["Evidence!A3 (id): evidence id 'E1' is used twice: the item would be counted twice"]


def test_missing_sheets(tmp_path, mini_xlsx):
    def drop(name):
        return lambda wb: wb.remove(wb[name])

    edit(mini_xlsx, drop("Case"))
    warnings: list = []
    data, _ = read_xlsx(mini_xlsx, warnings)  # the question is optional, as in a PARC ACH file: made up
    assert data["question"] == "Which hypothesis best explains the evidence in 'mini'?"
    assert any(w.message.startswith("no question: the workbook has no Case sheet") for w in warnings)
    edit(mini_xlsx, drop("Evidence"))
    assert failure(mini_xlsx)[0].startswith(
        ": no sheet is called Evidence, and none looks like an evidence matrix (the sheets: 'Hypotheses', 'Sources'"
    )


def test_hypotheses_sheet_missing_means_inferred_and_warned(mini_xlsx):
    edit(mini_xlsx, lambda wb: wb.remove(wb["Hypotheses"]))
    warnings: list = []
    data, _ = read_xlsx(mini_xlsx, warnings)
    assert [h["id"] for h in data["hypotheses"]] == ["DOG", "KID", "OTHER"]
    assert "no Hypotheses sheet: the hypotheses are the rating columns DOG, KID, OTHER, each titled with its id" in [
        w.message for w in warnings
    ]


def test_empty_workbook_and_empty_sheets(tmp_path):
    openpyxl.Workbook().save(tmp_path / "empty.xlsx")
    assert failure(tmp_path / "empty.xlsx") == ["Sheet sheet: the evidence matrix is empty: no header row, no items"]
    hand_made(tmp_path / "header.xlsx", [["id", "text", "A", "B"]], case=QUESTION)
    assert failure(tmp_path / "header.xlsx") == ["Evidence sheet: needs at least 1 entry, has 0"]


def _with_formula(path: Path, cell: str, formula: str, saved: str | None) -> Path:
    """A workbook whose cell holds a formula, with Excel's saved result or none (as openpyxl leaves it)."""
    edit(path, lambda wb: wb["Evidence"].__setitem__(cell, formula))
    with zipfile.ZipFile(path) as z:
        parts = {n: z.read(n) for n in z.namelist()}
    name = "xl/worksheets/sheet1.xml"
    xml = parts[name].decode()
    pattern = rf'(<c r="{cell}"[^>]*>)<f>([^<]*)</f><v\s*/>'
    assert re.search(pattern, xml)
    if saved is not None:
        xml = re.sub(pattern, rf"\1<f>\2</f><v>{saved}</v>", xml)
    parts[name] = xml.encode()
    with zipfile.ZipFile(path, "w") as z:
        for n, b in parts.items():
            z.writestr(n, b)
    return path


def test_a_formula_with_no_saved_value(mini_xlsx):
    _with_formula(mini_xlsx, "K2", "=0.1+0.2", None)
    (error,) = failure(mini_xlsx)
    assert error == "Evidence!K2 (KID): a formula with no saved value"


def test_a_formula_with_a_saved_value_is_read(mini_xlsx):
    _with_formula(mini_xlsx, "K2", "=0.1+0.2", "0.35")
    data, _ = read_xlsx(mini_xlsx)
    assert data["evidence"][0]["likelihood"]["KID"] == 0.35


def test_an_error_cell(mini_xlsx):
    edit(mini_xlsx, lambda wb: wb["Evidence"].__setitem__("K2", "#N/A"))
    assert failure(mini_xlsx) == ["Evidence!K2 (KID): the cell shows the error #N/A"]


@pytest.mark.parametrize(
    "raw, expected",
    [
        (b"", "not an Excel workbook"),
        (b"id,text\nE1,x\n", "not an Excel workbook"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(500), "old-style .xls"),
        (b"PK\x03\x04garbage", "damaged or truncated"),
    ],
)
def test_files_that_are_not_workbooks(tmp_path, raw, expected):
    (tmp_path / "x.xlsx").write_bytes(raw)
    (error,) = failure(tmp_path / "x.xlsx")
    assert expected in error


def test_other_zip_files(tmp_path):
    with zipfile.ZipFile(tmp_path / "x.xlsx", "w") as z:
        z.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        z.writestr("content.xml", "<x/>")
    assert "OpenDocument" in failure(tmp_path / "x.xlsx")[0]
    with zipfile.ZipFile(tmp_path / "y.xlsx", "w") as z:
        z.writestr("hello.txt", "hi")
    assert "not an Excel workbook" in failure(tmp_path / "y.xlsx")[0]


def test_truncated_workbooks(mini_xlsx, tmp_path):
    raw = mini_xlsx.read_bytes()
    for n in sorted({1, 2, 10, 100, len(raw) // 3, len(raw) // 2, len(raw) - 200, len(raw) - 22, len(raw) - 1}):
        (tmp_path / "cut.xlsx").write_bytes(raw[:n])
        with pytest.raises(CaseError):
            read_xlsx(tmp_path / "cut.xlsx")


def test_damaged_parts(mini_xlsx, tmp_path):
    with zipfile.ZipFile(mini_xlsx) as z:
        parts = {n: z.read(n) for n in z.namelist()}
    for victim in ("xl/workbook.xml", "xl/worksheets/sheet1.xml", "xl/styles.xml", "[Content_Types].xml"):
        broken = dict(parts)
        broken[victim] = parts[victim][: len(parts[victim]) // 2]
        with zipfile.ZipFile(tmp_path / "bad.xlsx", "w") as z:
            for n, b in broken.items():
                z.writestr(n, b)
        with pytest.raises(CaseError):
            read_xlsx(tmp_path / "bad.xlsx")


def test_size_limits(mini_xlsx, tmp_path, monkeypatch):
    monkeypatch.setattr(tabular_read, "MAX_UNZIPPED", 1000)
    assert "unpacks to" in failure(mini_xlsx)[0]
    monkeypatch.setattr(tabular_read, "MAX_UNZIPPED", 250 * 2**20)
    monkeypatch.setattr(tabular_read, "MAX_CELLS", 50)
    assert "more than 50 cells" in failure(mini_xlsx)[0]
    monkeypatch.setattr(tabular_read, "MAX_BYTES", 100)
    assert "ach reads an Excel workbook of up to" in failure(mini_xlsx)[0]


def test_missing_file_and_folder(tmp_path):
    assert failure(tmp_path / "nope.xlsx") == [": no such file"]
    (tmp_path / "dir.xlsx").mkdir()
    assert "is a folder" in failure(tmp_path / "dir.xlsx")[0]


def test_a_large_case_within_reason(tmp_path):
    """1,000 items by 8 hypotheses, there and back (most of the time goes into checking the YAML)."""
    import time

    hyps = [f"H{j}" for j in range(8)]
    rows = [["id", "text", "source", *hyps]] + [
        [f"E{i}", f"item {i}", f"s{i % 40}", *[("likely", "CC", 0.3, "unlikely")[(i + j) % 4] for j in range(8)]]
        for i in range(1000)
    ]
    path = tmp_path / "big.csv"
    with path.open("w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows(rows)
    companion(path, "Case").write_text("field,value\nquestion,Which?\n")
    companion(path, "Sources").write_text("id,reliability\n" + "".join(f"s{k},0.{k % 9 + 1}\n" for k in range(40)))
    start = time.perf_counter()
    data, _ = read_csv(path)
    assert len(data["evidence"]) == 1000
    export_xlsx(data, tmp_path / "big.xlsx")
    data2, _ = read_xlsx(tmp_path / "big.xlsx", [])
    assert data2["evidence"][999]["likelihood"] == data["evidence"][999]["likelihood"]
    assert time.perf_counter() - start < 60


# -- CSV --------------------------------------------------------------------------------


def write_csv(path: Path, rows: list[list], encoding="utf-8", delimiter=",") -> Path:
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter).writerows(rows)
    path.write_bytes(buffer.getvalue().encode(encoding))
    return path


def test_csv_errors_name_the_file_row_and_column(tmp_path):
    export_csv(load(MINI), tmp_path / "m.csv")
    rows = list(csv.reader(io.StringIO((tmp_path / "m.csv").read_text("utf-8-sig"))))
    rows[3][10] = "probablyy"
    write_csv(tmp_path / "m.csv", rows)
    with pytest.raises(CaseError) as info:
        read_csv(tmp_path / "m.csv")
    (d,) = info.value.diagnostics
    assert (d.file, d.field) == (str(tmp_path / "m.csv"), "row 4, column K (KID)")
    hyp = list(csv.reader(io.StringIO(companion(tmp_path / "m.csv", "Hypotheses").read_text("utf-8-sig"))))
    hyp[2][3] = "-1"
    write_csv(companion(tmp_path / "m.csv", "Hypotheses"), hyp)
    rows[3][10] = "likely"
    write_csv(tmp_path / "m.csv", rows)
    with pytest.raises(CaseError) as info:
        read_csv(tmp_path / "m.csv")
    (d,) = info.value.diagnostics
    assert (d.file, d.field) == (str(tmp_path / "m.hypotheses.csv"), "row 3, column D (prior)")


def test_csv_without_companions(tmp_path):
    path = write_csv(tmp_path / "bare.csv", [["id", "text", "A", "B"], ["E1", "x", "CC", "I"]])
    warnings: list = []
    data, _ = read_csv(path, warnings)
    (d,) = [d for d in warnings if d.message.startswith("no question")]
    assert d.file == str(tmp_path / "bare.case.csv") and d.message.startswith("no question: bare.case.csv is missing")
    assert data["question"] == "Which hypothesis best explains the evidence in 'bare'?"
    companion(path, "Case").write_text("question,Which?\n")
    warnings: list = []
    data, _ = read_csv(path, warnings)
    assert [h["id"] for h in data["hypotheses"]] == ["A", "B"]
    assert any("no bare.hypotheses.csv" in w.message for w in warnings)


def test_a_companion_is_not_the_matrix(tmp_path):
    export_csv(load(MINI), tmp_path / "m.csv")
    with pytest.raises(CaseError, match=r"import the evidence file m\.csv"):
        read_csv(tmp_path / "m.hypotheses.csv")


def test_csv_in_windows_1252_is_read_with_a_warning(tmp_path):
    path = write_csv(tmp_path / "w.csv", [["id", "text", "A", "B"], ["E1", "Café – “quoted”", "CC", "I"]], "cp1252")
    companion(path, "Case").write_text("question,Qui a mangé le gâteau?\n", encoding="cp1252")
    warnings: list = []
    data, _ = read_csv(path, warnings)
    assert data["evidence"][0]["text"] == "Café – “quoted”" and data["question"] == "Qui a mangé le gâteau?"
    assert sum("read as Windows-1252" in w.message for w in warnings) == 2


def test_csv_in_no_known_encoding_is_refused(tmp_path):
    path = tmp_path / "x.csv"
    path.write_bytes(b"id,text,A,B\nE1,\x81\x8d,CC,I\n")
    (error,) = failure(path, read_csv)
    assert "not UTF-8 text (byte 0x81 on line 2), nor Windows-1252" in error


def test_csv_in_utf16_and_with_semicolons(tmp_path):
    path = write_csv(tmp_path / "u.csv", [["id", "text", "A", "B"], ["E1", "ü", "0,3", "I"]], "utf-16", ";")
    companion(path, "Case").write_text("question;Which?\n", encoding="utf-8")
    data, _ = read_csv(path, [])
    assert data["evidence"][0] == {"id": "E1", "text": "ü", "likelihood": {"A": 0.3, "B": "I"}}


def test_csv_with_a_broken_quote(tmp_path):
    path = tmp_path / "q.csv"
    path.write_text('id,text,A,B\nE1,"unterminated,CC,I\n')
    companion(path, "Case").write_text("question,Which?\n")
    with pytest.raises(CaseError):
        read_csv(path)


def test_csv_size_limits(tmp_path, monkeypatch):
    export_csv(load(MINI), tmp_path / "m.csv")
    monkeypatch.setattr(tabular_read, "MAX_ROWS", 2)
    assert "more than 2 rows" in failure(tmp_path / "m.csv", read_csv)[0]


# -- fuzzing: nothing but CaseError, whatever the bytes -------------------------------------------


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(raw=st.one_of(st.binary(max_size=3000), st.binary(max_size=300).map(lambda b: b"PK\x03\x04" + b)))
def test_random_bytes_as_xlsx(raw):
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "x.xlsx"
        path.write_bytes(raw)
        with pytest.raises(CaseError):
            read_xlsx(path)


@pytest.fixture(scope="module")
def mini_bytes(tmp_path_factory) -> bytes:
    path = tmp_path_factory.mktemp("fuzz") / "m.xlsx"
    export_xlsx(load(MINI), path)
    return path.read_bytes()


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_mutated_workbooks(mini_bytes, data):
    """A real workbook with bytes flipped, cut or inserted: read, or refused with a CaseError."""
    raw = bytearray(mini_bytes)
    for _ in range(data.draw(st.integers(1, 8))):
        at = data.draw(st.integers(0, len(raw) - 1))
        action = data.draw(st.sampled_from(["flip", "cut", "insert"]))
        if action == "flip":
            raw[at] = data.draw(st.integers(0, 255))
        elif action == "cut":
            del raw[at : at + data.draw(st.integers(1, 200))]
        else:
            raw[at:at] = data.draw(st.binary(min_size=1, max_size=20))
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "x.xlsx"
        path.write_bytes(bytes(raw))
        try:
            read_xlsx(path)
        except CaseError:
            pass


def _mutated_xml_workbook(mini: bytes, part: str, xml: bytes) -> bytes:
    with zipfile.ZipFile(io.BytesIO(mini)) as z:
        parts = {n: z.read(n) for n in z.namelist()}
    parts[part] = xml
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        for n, b in parts.items():
            z.writestr(n, b)
    return out.getvalue()


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_mutated_sheet_xml(mini_bytes, data):
    """Damage inside the compressed parts (where byte flips rarely reach): still only CaseError."""
    with zipfile.ZipFile(io.BytesIO(mini_bytes)) as z:
        names = sorted(n for n in z.namelist() if n.endswith((".xml", ".rels")))
        part = data.draw(st.sampled_from(names))
        xml = bytearray(z.read(part))
    for _ in range(data.draw(st.integers(1, 5))):
        at = data.draw(st.integers(0, len(xml) - 1))
        xml[at : at + data.draw(st.integers(0, 30))] = data.draw(
            st.sampled_from(
                [
                    b"",
                    b"<",
                    b">",
                    b'"',
                    b'r="ZZZZ9"',
                    b'<c r="XFD1048576"><v>1</v></c>',
                    b't="e"',
                    b't="s"',
                    b"<v>99999999</v>",
                    b"&#0;",
                    b"\xff",
                    b"<f>1/0</f>",
                ]
            )
        )
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "x.xlsx"
        path.write_bytes(_mutated_xml_workbook(mini_bytes, part, bytes(xml)))
        try:
            read_xlsx(path)
        except CaseError:
            pass


cell_values = st.one_of(
    st.none(),
    st.text(chars, max_size=12),
    st.floats(allow_nan=False, allow_infinity=False),
    st.integers(-10, 10),
    st.booleans(),
    st.datetimes(min_value=dt.datetime(1900, 3, 1), max_value=dt.datetime(2100, 1, 1)),
    st.sampled_from(
        [
            "id",
            "text",
            "source",
            "credibility",
            "if_false",
            "DOG",
            "KID",
            "likely",
            "NA",
            "question",
            "field",
            "=1+1",
            "#N/A",
            "H=0.2; K=x",
            "scale.terms.x",
            "scale.ratings.cc",
            "catch_all",
            "prior",
        ]
    ),
)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    sheets=st.dictionaries(
        st.sampled_from(["Evidence", "Hypotheses", "Sources", "Case", "Collection", "Other", "evidence "]),
        st.lists(st.lists(cell_values, max_size=6), max_size=6),
        max_size=5,
    )
)
def test_random_cells(sheets):
    """Any cells in any of the sheets: a case, or a CaseError; never anything else."""
    assume(sheets)  # a workbook needs a sheet
    _read_or_refuse(sheets)


def _read_or_refuse(sheets: dict) -> None:
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for title, rows in sheets.items():
        ws = wb.create_sheet(title)
        for row in rows:
            ws.append([openpyxl.cell.cell.ILLEGAL_CHARACTERS_RE.sub("", v) if isinstance(v, str) else v for v in row])
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "x.xlsx"
        wb.save(path)
        try:
            data, _ = read_xlsx(path)
        except CaseError as exc:
            assert exc.diagnostics and all(d.file == str(path) for d in exc.diagnostics)
            return
        write_case(data, Path(folder) / "ok.yaml")  # what the reader accepts, the loader accepts


headers = st.lists(
    st.sampled_from([*ss.EVIDENCE_HEAD, *ss.EVIDENCE_TAIL, "DOG", "KID", "CAT", "dog", None, "x"]),
    min_size=2,
    max_size=8,
)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    evidence=headers.flatmap(
        lambda h: st.lists(st.lists(cell_values, max_size=len(h)), min_size=1, max_size=4).map(lambda rows: [h, *rows])
    ),
    hypotheses=st.one_of(
        st.none(),
        st.lists(st.lists(cell_values, max_size=5), max_size=3).map(
            lambda rows: [["id", "title", "prior", "catch_all"], ["DOG", "d"], ["KID", "k"], *rows]
        ),
    ),
)
def test_random_cells_under_real_headers(evidence, hypotheses):
    """Headers ach knows, random values beneath: deeper into the reader than random sheets get."""
    sheets = {"Evidence": evidence, "Case": [["question", "Q?"]]}
    if hypotheses is not None:
        sheets["Hypotheses"] = hypotheses
    _read_or_refuse(sheets)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    changes=st.lists(
        st.tuples(
            st.sampled_from(["Evidence", "Hypotheses", "Sources", "Case"]),
            st.integers(1, 5),
            st.integers(1, 18),
            cell_values,
        ),
        min_size=1,
        max_size=4,
    )
)
def test_random_edits_of_a_real_workbook(mini_bytes, changes):
    """An analyst's random edits to an exported workbook: a case the loader accepts, or located errors."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "m.xlsx"
        path.write_bytes(mini_bytes)
        wb = openpyxl.load_workbook(path)
        sheets = {}
        for title in wb.sheetnames:
            sheets[title] = [[c.value for c in row] for row in wb[title].iter_rows()]
        for title, r, c, value in changes:
            rows = sheets[title]
            while len(rows) < r:
                rows.append([])
            rows[r - 1] = list(rows[r - 1]) + [None] * max(0, c - len(rows[r - 1]))
            rows[r - 1][c - 1] = value
        _read_or_refuse(sheets)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    main=st.one_of(st.binary(max_size=2000), st.text(max_size=500).map(lambda t: t.encode("utf-8"))),
    case=st.sampled_from([b"", b"question,Q?\n", b"\xff\xfe\x00", None]),
    hyps=st.one_of(st.none(), st.binary(max_size=200), st.just(b"id,title\nA,a\nB,b\n")),
)
def test_random_csv(main, case, hyps):
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "x.csv"
        path.write_bytes(main)
        if case is not None:
            companion(path, "Case").write_bytes(case)
        if hyps is not None:
            companion(path, "Hypotheses").write_bytes(hyps)
        try:
            data, _ = read_csv(path)
        except CaseError as exc:
            assert exc.diagnostics
            return
        write_case(data, Path(folder) / "ok.yaml")


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    rows=st.lists(
        st.lists(
            st.one_of(
                st.text(chars, max_size=10),
                st.sampled_from(["id", "text", "A", "B", "likely", "0.3", "NA", "1", "E1", "x=1", "30%", ""]),
            ),
            max_size=7,
        ),
        max_size=8,
    )
)
def test_random_csv_tables(rows):
    """Well-formed CSV, random content: a case or a located CaseError."""
    with tempfile.TemporaryDirectory() as folder:
        path = write_csv(Path(folder) / "t.csv", rows)
        companion(path, "Case").write_text("question,Q?\n")
        try:
            data, _ = read_csv(path)
        except CaseError as exc:
            assert all(d.field or d.message for d in exc.diagnostics)
            return
        write_case(data, Path(folder) / "ok.yaml")


@pytest.mark.parametrize("name, reader", [("cake.xlsx", read_xlsx), ("cake.csv", read_csv)])
def test_hand_made_examples_are_the_mini_case(name, reader, tmp_path):
    """tests/data/sheets/ (make_examples.py) holds mini.yaml typed by hand: Title Case headers, only
    the columns needed, 30%, an Excel date, yes/no. Both import to exactly mini.yaml's case."""
    warnings: list = []
    data, header = reader(SHEETS / name, warnings)
    assert warnings == []
    assert header.endswith("A small case for tests: who ate the cake?")
    assert content(load(write_case(data, tmp_path / "cake.yaml", header=header))) == content(load(MINI))


# -- one owner of the format ------------------------------------------------------------------


def test_the_sheets_columns_are_the_case_formats_fields():
    """Every field of the schema has its column, and no column names a field the schema lacks."""
    from ach.casefile.fields import KINDS, top_order

    citation = {f"citation_{f}" for f in KINDS["evidence"].properties["citation"]["properties"]}
    assert (
        set(ss.EVIDENCE_HEAD + ss.EVIDENCE_TAIL) == set(KINDS["evidence"].order) - {"likelihood", "citation"} | citation
    )
    assert set(ss.CANDIDATE_HEAD + ss.CANDIDATE_TAIL) == set(KINDS["candidate"].order) - {"likelihood"}
    assert ss.HYPOTHESIS_COLUMNS == KINDS["hypothesis"].order and ss.SOURCE_COLUMNS == KINDS["source"].order
    assert set(ss.CASE_KEYS) | {"hypotheses", "sources", "evidence", "collection", "reports", "scale"} == set(
        top_order()
    )
    from ach.casefile.schema import schema

    assert ss.REPORT_COLUMNS == tuple(schema()["properties"]["reports"]["items"]["properties"])
    assert all(ss.ABOUT["Evidence"][c] for c in ss.EVIDENCE_HEAD + ss.EVIDENCE_TAIL)
