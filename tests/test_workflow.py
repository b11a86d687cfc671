"""The analyst's workflow (issue 10): placeholders said, percentages read, warnings
acknowledged, YAML mistakes in words, spreadsheets sent to `ach import`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

import ach as ach_lib
from ach.casefile import check, check_text, loads
from ach.exact import posterior_by_id
from ach.io.tabular import export_csv, export_xlsx, read_csv, read_xlsx

from .test_cli import K1, MINI, ach

ROOT = Path(__file__).resolve().parents[1]

MINI_TEXT = MINI.read_text()


def _check(text: str, name: str = "t.yaml"):
    return check_text(text.encode(), name)


# -- TODO placeholders -----------------------------------------------------------------


def test_each_placeholder_left_in_a_scaffold_is_a_warning_on_its_line(tmp_path):
    path = tmp_path / "t.yaml"
    assert ach("new", path, "-H", "A: Alpha", "-H", "B: Beta").returncode == 0
    text = path.read_text()
    expected = [n for n, line in enumerate(text.splitlines(), 1) if "TODO" in line and "every TODO" not in line]
    case, found = check(path)
    assert case is not None  # still a valid case: placeholders warn, they do not refuse
    assert [d.line for d in found if d.code == "todo"] == expected
    done = text.replace("TODO", "done")
    assert not [d for d in _check(done)[1] if d.code == "todo"]


def test_the_word_todo_in_a_sentence_is_not_a_placeholder():
    text = MINI_TEXT.replace("Crumbs on the dog bed", "Crumbs on the dog bed; nothing TODO with the cat")
    assert not [d for d in _check(text)[1] if d.code == "todo"]
    text = MINI_TEXT.replace("Crumbs on the dog bed", "TODO what was seen")
    line = next(n for n, text in enumerate(MINI_TEXT.splitlines(), 1) if "Crumbs on the dog bed" in text)
    assert [d.line for d in _check(text)[1] if d.code == "todo"] == [line]


# -- percentages ---------------------------------------------------------------------


@given(st.integers(0, 100), st.sampled_from(["%", " %"]))
def test_a_percentage_in_yaml_is_the_probability_it_names(share, sign):
    text = MINI_TEXT.replace("KID: 0.3", f"KID: {share}{sign}").replace("reliability: 0.95", f'reliability: "{share}%"')
    number = MINI_TEXT.replace("KID: 0.3", f"KID: {share / 100}").replace(
        "reliability: 0.95", f"reliability: {share / 100}"
    )
    assert posterior_by_id(loads(text)) == pytest.approx(posterior_by_id(loads(number)), abs=1e-12)


def test_a_percentage_outside_0_100_is_refused_with_its_line():
    line = next(n for n, text in enumerate(MINI_TEXT.splitlines(), 1) if "KID: 0.3" in text)
    case, found = _check(MINI_TEXT.replace("KID: 0.3", "KID: 130%"))
    assert case is None and [d.line for d in found if d.is_error] == [line]


# -- YAML mistakes in words ------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        ("a: 1\nb: x: y\n", 2, "a ': ' inside a value"),
        ("a:\n  b: 1\n c: 2\n", 3, "not lined up"),
        ('a: "open\nb: 2\n', 1, "never closed"),
        ("a: *bold*\n", 1, "alias"),
        ("a: @x\n", 1, "cannot start with '@'"),
        ("a: [1, 2\nb: 3\n", 1, "not closed"),
        ("a: 1\n\tb: 2\n", 2, "tab"),
    ],
)
def test_a_yaml_mistake_is_said_in_words_with_its_line(text, line, words):
    case, found = _check(text)
    assert case is None and len(found) == 1
    assert found[0].line == line and words in found[0].message and "YAML syntax" not in found[0].message
    assert found[0].hint


# -- a spreadsheet where a case file belongs ------------------------------------------------


@pytest.mark.parametrize("suffix", [".xlsx", ".csv"])
def test_a_spreadsheet_given_to_analyze_is_sent_to_import(suffix, tmp_path):
    out = tmp_path / f"k1{suffix}"
    (export_xlsx if suffix == ".xlsx" else export_csv)(check(MINI)[0], out)
    proc = ach("analyze", out, "--no-sample")
    assert proc.returncode != 0
    assert "not a case file" in proc.err and f"ach import {out} -o" in proc.err and "UTF-8" not in proc.err


# -- acknowledged warnings -------------------------------------------------------------


ACK = """
acknowledge:
  - warning: non-diagnostic
    at: E4
    why: kept to show the check was made
"""
FLAT = MINI_TEXT.replace("likelihood: {DOG: II, KID: CC, OTHER: C}", "likelihood: {DOG: N, KID: N, OTHER: N}")


def test_an_acknowledged_warning_is_kept_with_its_reason_and_not_printed():
    flat = FLAT.replace("  - id: E3\n", "  - id: E4\n", 1)
    _, plain = _check(flat)
    assert [d.code for d in plain] == ["non-diagnostic"]
    case, found = _check(flat + ACK)
    assert found == [] and case.warnings == ()
    [(warning, why)] = case.acknowledged
    assert warning.code == "non-diagnostic" and "E4" in warning.field and why == "kept to show the check was made"


def test_an_acknowledgement_names_one_item_not_its_neighbours():
    flat = FLAT.replace("  - id: E3\n", "  - id: E4\n", 1)
    other = flat.replace("likelihood: {DOG: likely, KID: 0.3, OTHER: I}", "likelihood: {DOG: N, KID: N, OTHER: N}")
    case, found = _check(other + ACK)
    assert [d.field.split(" ›")[0] for d in found] == ["evidence E1"] and len(case.acknowledged) == 1


def test_an_acknowledgement_that_matches_nothing_is_a_warning_of_its_own():
    case, found = _check(MINI_TEXT + ACK)
    assert case is not None and [d.code for d in found] == ["acknowledgement-unused"]
    assert found[0].line == len(MINI_TEXT.splitlines()) + 3


def test_the_example_cases_are_quiet_and_their_acknowledgements_reach_the_report(tmp_path):
    proc = ach("validate", *sorted(K1.parent.glob("*.yaml")))
    assert proc.returncode == 0 and proc.err == "" and "acknowledged" in proc.out
    data = json.loads(ach("validate", K1, "--json").out)[0]
    assert data["diagnostics"] == [] and {a["why"] for a in data["acknowledged"]}
    out = tmp_path / "r"
    assert ach("report", K1, "-o", out, "--no-sample").returncode == 0
    md = (out / "report.md").read_text()
    assert "acknowledged as expected" in md and "(acknowledged: the classic non-diagnostic item" in md


@pytest.mark.parametrize("kind", ["xlsx", "csv"])
def test_acknowledgements_survive_a_spreadsheet(kind, tmp_path):
    case = check(K1)[0]
    out = tmp_path / f"k1.{kind}"
    (export_xlsx if kind == "xlsx" else export_csv)(case, out)
    data, _ = (read_xlsx if kind == "xlsx" else read_csv)(out)
    assert data["acknowledge"] == case.document["acknowledge"]


# -- reports named in words (issue 10, part 9) ------------------------------------------------


def test_citations_name_a_listed_report_in_words_and_the_report_lists_them():
    case = ach_lib.load(ROOT / "cases" / "k1.yaml")
    cited = case.cited(case.item("E03").citation)
    assert (cited.publisher, cited.date) == ("The New York Times", "2020-02-06")
    text = ach_lib.analyze(case, sample=False, progress=False).report().to_markdown()
    row = next(line for line in text.splitlines() if line.startswith("| E03 |"))
    assert "The New York Times, 2020-02-06" in row and "2390cfa6678715c5" not in row
    listed = text.split("**Reports cited**", 1)[1].split("##", 1)[0]
    assert "- Rudaw, 2020-02-13: A second rocket attack on K-1 air base (001_21bded6551911335.txt)" in listed


def test_a_citation_of_a_report_not_listed_is_a_warning_with_a_suggestion(tmp_path):
    text = (ROOT / "cases" / "k1.yaml").read_text()
    path = tmp_path / "k1.yaml"
    path.write_text(text.replace("report: 001_21bded6551911335.txt", "report: 001_21bded6551911335.tx", 1))
    case = ach_lib.load(path)
    unknown = [w for w in case.warnings if w.code == "unknown-report"]
    assert len(unknown) == 1 and "001_21bded6551911335.tx" in unknown[0].message
    assert "did you mean '001_21bded6551911335.txt'" in unknown[0].hint
    assert unknown[0].field.endswith("citation › report") and unknown[0].line is not None


def test_a_report_listed_twice_is_an_error(tmp_path):
    text = (ROOT / "cases" / "k1.yaml").read_text()
    path = tmp_path / "k1.yaml"
    path.write_text(text + "  - id: 000_2390cfa6678715c5.txt\n    title: again\n")
    with pytest.raises(ach_lib.CaseError, match="listed twice"):
        ach_lib.load(path)


def test_export_takes_o_like_import(tmp_path):
    proc = ach("export", K1, "-o", tmp_path / "k1.xlsx")
    assert proc.returncode == 0, proc.err
    back = ach("import", tmp_path / "k1.xlsx", "-o", tmp_path / "k1.yaml")
    assert back.returncode == 0, back.err
    assert (tmp_path / "k1.yaml").exists()


def test_draws_sets_the_forward_draws_too():
    """--draws used to leave the forward draws at whatever the Monte Carlo target chose."""
    few = ach_lib.analyze(MINI, draws=500, seed=3, progress=False)
    assert len(few.forward.samples) == 500
    default = ach_lib.analyze(MINI, seed=3, progress=False)
    assert len(default.forward.samples) >= 20000 and default.forward.mc_error <= 0.005
