"""The case format's ``outcome`` (what really happened) and ``judgment`` (the analyst's own
probabilities): read, refused with a located message, written back, and round-tripped
through the spreadsheet."""

from __future__ import annotations

from pathlib import Path

import pytest

from ach.case import Outcome
from ach.casefile import check_text, dump_case, to_data
from ach.io import export, read

MINI = Path(__file__).resolve().parent / "data" / "mini.yaml"
BASE = MINI.read_text()
LAST = len(BASE.splitlines()) + 1  # the first line added


def run(extra: str):
    return check_text((BASE + extra + "\n").encode(), "case.yaml")


def errors(extra: str):
    case, diagnostics = run(extra)
    assert case is None
    return [d for d in diagnostics if d.level == "error"]


def test_an_outcome_is_read_with_its_fields():
    case, _ = run("outcome: {hypothesis: KID, date: 2024-03-05, source: confession, note: sorry}")
    assert case.outcome == Outcome("KID", "2024-03-05", "confession", "sorry")
    assert case.outcome.resolved and case.truth == "KID"


def test_unresolved_and_no_outcome_differ():
    case, _ = run("outcome: unresolved")
    assert case.outcome == Outcome(None) and not case.outcome.resolved and case.truth is None
    case, _ = run("")
    assert case.outcome is None and case.truth is None and case.judgment is None


@pytest.mark.parametrize(
    "extra, field, words",
    [
        ("outcome: {hypothesis: CAT}", "outcome › hypothesis", "'CAT', which the case does not list"),
        ("outcome: {hypothesis: DOG, date: 2024-02-31}", "outcome › date", "not a calendar date"),
        ("outcome: {hypothesis: DOG, when: later}", "outcome › when", "unknown field 'when'"),
        ("outcome: {date: 2024-03-01}", "outcome", "missing required field 'hypothesis'"),
        ("outcome: maybe", "outcome", "'maybe' is not one of unresolved"),
        ("outcome: [DOG]", "outcome", "should be a mapping or text"),
        ("judgment: {DOG: 0.2, KID: 0.5}", "judgment", "sum to 0.7, not 1"),
        ("judgment: {DOG: 0.2, KID: 0.5, CAT: 0.3}", "judgment › CAT", "'CAT', which the case does not list"),
        ("judgment: {DOG: 1.5}", "judgment › DOG", "above the maximum 1"),
        ("judgment: {DOG: 120%}", "judgment › DOG", "'120%' is not a probability"),
        ("judgment: {DOG: lots}", "judgment › DOG", "not in the expected form"),
        ("judgment: {}", "judgment", "is empty"),
        ("judgment_when: during", "judgment_when", "not one of before, after"),
    ],
)
def test_a_wrong_outcome_or_judgment_is_one_located_error(extra, field, words):
    [error] = errors(extra)
    assert error.field == field and words in error.message, str(error)
    assert error.line == LAST and error.hint


def test_an_outcome_written_as_an_id_is_told_how_to_write_it():
    [error] = errors("outcome: DOG")
    assert "outcome: {hypothesis: DOG}" in error.hint


def test_a_judgment_in_numbers_and_percentages_sums_to_one():
    case, diagnostics = run("judgment: {DOG: 20%, KID: 0.7, OTHER: 10 %}\njudgment_when: before")
    assert [d for d in diagnostics if d.level == "error"] == []
    assert case.judgment == pytest.approx({"DOG": 0.2, "KID": 0.7, "OTHER": 0.1})
    assert case.judgment_when == "before"
    case, _ = run("judgment: {DOG: 0.333, KID: 0.333, OTHER: 0.333}")  # within 0.01 of 1: rounding as written
    assert sum(case.judgment.values()) == pytest.approx(0.999)
    case, _ = run("judgment: {KID: 1}")  # a hypothesis left out counts as 0
    assert case.judgment == {"DOG": 0.0, "KID": 1.0, "OTHER": 0.0}


def test_the_rebuilt_case_writes_them_back():
    case, _ = run(
        "outcome: {hypothesis: KID, source: confession}\njudgment: {DOG: 0.3, KID: 0.7}\njudgment_when: after"
    )
    data, _ = to_data(case.replace())  # no document: rebuilt from the Case
    assert data["outcome"] == {"hypothesis": "KID", "source": "confession"}
    assert data["judgment"] == {"DOG": 0.3, "KID": 0.7, "OTHER": 0.0} and data["judgment_when"] == "after"
    again, _ = check_text(dump_case(data).encode(), "again.yaml")
    assert again.outcome == case.outcome and again.judgment == case.judgment
    case, _ = run("outcome: unresolved")
    assert to_data(case.replace())[0]["outcome"] == "unresolved"


@pytest.mark.parametrize("suffix", ["xlsx", "csv"])
@pytest.mark.parametrize(
    "extra",
    [
        'outcome: {hypothesis: DOG, date: 2024-03-05, source: "confession: signed", note: "one\\ntwo"}\n'
        "judgment: {DOG: 0.2, KID: 70%, OTHER: 0.1}\njudgment_when: after",
        "outcome: unresolved",
    ],
)
def test_the_spreadsheet_round_trips_them(tmp_path, suffix, extra):
    case, _ = run(extra)
    export(case, tmp_path / f"out.{suffix}")
    data, _, notes = read(tmp_path / f"out.{suffix}")
    assert [n for n in notes if n.level == "error"] == []
    again, diagnostics = check_text(dump_case(data).encode(), "again.yaml")
    assert again is not None, "\n".join(map(str, diagnostics))
    assert again.outcome == case.outcome and again.judgment == pytest.approx(case.judgment)
    assert again.judgment_when == case.judgment_when


def test_the_achz_export_says_it_leaves_them_out(tmp_path):
    case, _ = run("outcome: {hypothesis: KID}\njudgment: {DOG: 0.3, KID: 0.7}")
    warnings = []
    export(case, tmp_path / "out.achz", warnings=warnings)
    [lost] = [w for w in warnings if "PARC ACH has no place for these" in w.message]
    assert "the outcome" in lost.message and "the analyst's judgment" in lost.message
