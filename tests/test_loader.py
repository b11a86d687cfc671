"""Reading case files: every mistake gets a located, helpful diagnostic; nothing raises."""

from __future__ import annotations

import textwrap
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ach.casefile import check, check_text, load, loads
from ach.errors import CaseError, Diagnostic

ROOT = Path(__file__).resolve().parents[1]
K1 = ROOT / "cases" / "k1.yaml"
MINI = ROOT / "tests" / "data" / "mini.yaml"
BAD = ROOT / "tests" / "data" / "bad"

# A valid case; the line numbers in the tests below refer to it.
GOOD = textwrap.dedent(
    """\
    title: Test case
    question: Who did it?
    hypotheses:
      - id: KH
        title: Kataib Hezbollah
      - id: ISIS
        title: The Islamic State
      - id: OTHER
        title: Someone else
        catch_all: true
    sources:
      - id: us-gov
        title: US government
        reliability: C
      - id: nyt
        reliability: B
    evidence:
      - id: E1
        text: US officials blame KH
        source: us-gov
        likelihood:
          KH: likely
          ISIS: very unlikely
          OTHER: 0.15
      - id: E2
        text: No group claimed it
        source: nyt
        likelihood: {KH: CC, ISIS: I, OTHER: C}
    """
)
LINE = {text.strip(): n for n, text in enumerate(GOOD.splitlines(), start=1) if text.strip()}


def edit(*changes: tuple[str, str], text: str = GOOD) -> str:
    """GOOD with each (old, new) replaced once; fails loudly if old is absent."""
    for old, new in changes:
        assert text.count(old) == 1, f"{old!r} should occur once"
        text = text.replace(old, new)
    return text


def run(text: str | bytes, name: str = "case.yaml"):
    raw = text if isinstance(text, bytes) else text.encode()
    return check_text(raw, name)


def only(diagnostics: list[Diagnostic], level: str, field: str | None = None) -> Diagnostic:
    """The single diagnostic of that level (and field); fails if there are more or none."""
    found = [d for d in diagnostics if d.level == level and (field is None or d.field == field)]
    assert len(found) == 1, "\n".join(map(str, diagnostics))
    return found[0]


def levels(diagnostics) -> list[str]:
    return [d.level for d in diagnostics]


# -- the good case ------------------------------------------------------------------


def test_the_template_is_valid_and_silent():
    case, diagnostics = run(GOOD)
    assert diagnostics == []
    assert case.hypothesis_ids == ["KH", "ISIS", "OTHER"]
    assert [e.id for e in case.evidence] == ["E1", "E2"]
    assert case.evidence[0].line == LINE["- id: E1"]
    assert case.path == "case.yaml" and len(case.sha256) == 64


# -- ratings and likelihoods -------------------------------------------------------------


def test_unknown_rating_suggests_the_nearest():
    case, diagnostics = run(edit(("KH: likely", "KH: CCC")))
    assert case is None
    d = only(diagnostics, "error")
    assert (d.line, d.field) == (LINE["KH: likely"], "evidence E1 › likelihood › KH")
    assert "'CCC'" in d.message and "CC, C, N, I, II, NA" in d.message
    assert d.hint == "did you mean 'CC'?"
    assert diagnostics == [d]  # no echo such as a non-diagnostic warning


def test_missing_hypothesis_in_a_likelihood():
    _, diagnostics = run(edit(("      OTHER: 0.15\n", "")))
    d = only(diagnostics, "error")
    assert (d.line, d.field) == (LINE["likelihood:"], "evidence E1 › likelihood")
    assert "no likelihood for hypothesis 'OTHER'" in d.message
    assert "OTHER: <rating>" in d.hint and "NA" in d.hint


def test_likelihood_for_a_misspelt_hypothesis():
    _, diagnostics = run(edit(("ISIS: very unlikely", "ISSI: very unlikely")))
    d = only(diagnostics, "error", "evidence E1 › likelihood › ISSI")
    assert d.line == LINE["ISIS: very unlikely"]
    assert "'ISSI' is not a hypothesis" in d.message
    assert "did you mean 'ISIS'?" in d.hint and "ISIS, KH, OTHER" in d.hint
    missing = only(diagnostics, "error", "evidence E1 › likelihood")
    assert "'ISIS'" in missing.message


def test_a_hypothesis_id_in_the_wrong_case_suggests_the_right_spelling():
    _, diagnostics = run(edit(("KH: likely", "kh: likely")))
    d = only(diagnostics, "error", "evidence E1 › likelihood › kh")
    assert d.hint.startswith("did you mean 'KH'?")


def test_likelihood_for_an_unknown_hypothesis_lists_the_hypotheses():
    _, diagnostics = run(edit(("OTHER: 0.15", "OTHER: 0.15\n      ZZZZZZ: 0.5")))
    d = only(diagnostics, "error")
    assert (d.line, d.field) == (LINE["OTHER: 0.15"] + 1, "evidence E1 › likelihood › ZZZZZZ")
    assert d.hint == "the hypotheses are ISIS, KH, OTHER"


@pytest.mark.parametrize("value", ["1.5", "-0.1", "2", ".nan", ".inf"])
def test_probability_outside_0_1(value):
    _, diagnostics = run(edit(("OTHER: 0.15", f"OTHER: {value}")))
    d = only(diagnostics, "error")
    assert (d.line, d.field) == (LINE["OTHER: 0.15"], "evidence E1 › likelihood › OTHER")
    if value in (".nan", ".inf"):
        assert "not a finite number" in d.message
    else:
        assert "outside [0, 1]" in d.message and "between 0 and 1" in d.hint


def test_empty_likelihood_value():
    _, diagnostics = run(edit(("OTHER: 0.15", "OTHER:")))
    d = only(diagnostics, "error")
    assert (d.line, d.field) == (LINE["OTHER: 0.15"], "evidence E1 › likelihood › OTHER")
    assert "null should be a number or text" in d.message
    assert "missing" in d.hint
    assert diagnostics == [d]  # not also "no likelihood for hypothesis 'OTHER'"


def test_true_is_not_a_rating():
    _, diagnostics = run(edit(("KH: likely", "KH: true")))
    d = only(diagnostics, "error")
    assert d.line == LINE["KH: likely"] and "quotes" in d.hint


# -- fields and types ----------------------------------------------------------------


def test_unknown_top_level_field_suggests_the_right_name():
    _, diagnostics = run(edit(("hypotheses:", "hypothesis:")))
    unknown = only(diagnostics, "error", "hypothesis")
    assert unknown.line == LINE["hypotheses:"]
    assert "unknown field 'hypothesis'" in unknown.message
    assert "did you mean 'hypotheses'?" in unknown.hint
    assert (
        "allowed: acknowledge, analyst, as_of, collection, date, default_reliability, description, evidence, handling, hypotheses"
        in unknown.hint
    )
    missing = only(diagnostics, "error", "")
    assert missing.line == 1 and "missing required field 'hypotheses'" in missing.message


def test_unknown_evidence_field():
    _, diagnostics = run(edit(("    likelihood:\n      KH", "    likelyhood:\n      KH")))
    d = only(diagnostics, "error", "evidence E1 › likelyhood")
    assert d.line == LINE["likelihood:"]
    assert "unknown field 'likelyhood'" in d.message
    assert d.hint.startswith("did you mean 'likelihood'?")
    missing = only(diagnostics, "error", "evidence E1")
    assert missing.line == LINE["- id: E1"] and "'likelihood'" in missing.message


def test_every_unknown_field_of_an_item_is_reported():
    _, diagnostics = run(edit(("source: us-gov", "sorce: us-gov\n    notez: x")))
    fields = sorted(d.field for d in diagnostics if "unknown field" in d.message)
    assert fields == ["evidence E1 › notez", "evidence E1 › sorce"]
    assert "did you mean 'source'?" in only(diagnostics, "error", "evidence E1 › sorce").hint


def test_missing_required_field():
    _, diagnostics = run(edit(("    text: US officials blame KH\n", "")))
    d = only(diagnostics, "error")
    assert (d.line, d.field) == (LINE["- id: E1"], "evidence E1")
    assert d.message == "missing required field 'text'" and d.hint.startswith("add `text: ...`")


def test_missing_question():
    _, diagnostics = run(edit(("question: Who did it?\n", "")))
    d = only(diagnostics, "error")
    assert (d.line, d.field) == (1, "")
    assert "missing required field 'question'" in d.message


@pytest.mark.parametrize(
    "old, new, field, words, hint",
    [
        ("text: US officials blame KH", "text: [1, 2]", "evidence E1 › text", "should be text", ""),
        ("question: Who did it?", "question: 42", "question", "42 should be text", 'put it in quotes: "42"'),
        ("- id: E1", "- id: 1", "evidence[0] › id", "1 should be text", 'put it in quotes: "1"'),
        ("reliability: C", "reliability: [C]", "sources us-gov › reliability", "should be a number or text", ""),
    ],
)
def test_wrong_type(old, new, field, words, hint):
    _, diagnostics = run(edit((old, new)))
    d = only(diagnostics, "error", field)
    assert d.line == LINE[old]
    assert words in d.message and hint in d.hint


def test_hypotheses_must_be_a_list():
    text = GOOD.split("hypotheses:")[0] + "hypotheses: KH, ISIS\nsources:" + GOOD.split("sources:")[1]
    _, diagnostics = run(text)
    d = only(diagnostics, "error")
    assert (d.line, d.field) == (3, "hypotheses")
    assert "should be a list" in d.message and "- " in d.hint
    # the likelihoods cannot be checked against an unreadable list: no echoes
    assert levels(diagnostics) == ["error"]


@pytest.mark.parametrize(
    "level, hint", [("mid", "write one of low, medium, high"), ("medum", "did you mean 'medium'?")]
)
def test_bad_level(level, hint):
    _, diagnostics = run(GOOD + f"    confidence: {level}\n")
    d = only(diagnostics, "error")
    assert (d.line, d.field) == (len(GOOD.splitlines()) + 1, "evidence E2 › confidence")
    assert d.message == f"'{level}' is not one of low, medium, high"
    assert d.hint == hint


def test_bad_reliability():
    _, diagnostics = run(edit(("reliability: C", "reliability: G")))
    d = only(diagnostics, "error")
    assert (d.line, d.field) == (LINE["reliability: C"], "sources us-gov › reliability")
    assert "'G'" in d.message
    assert "A, B, C, D, E, F" in d.hint and "low, medium, high" in d.hint


def test_reliability_number_out_of_range_mentions_the_codes():
    _, diagnostics = run(edit(("reliability: C", "reliability: 1.5")))
    d = only(diagnostics, "error")
    assert "1.5" in d.message and "outside [0, 1]" in d.message
    assert "Admiralty code (A, B, C, D, E, F)" in d.hint


def test_credibility_out_of_range_mentions_the_codes():
    _, diagnostics = run(GOOD + "    credibility: 7\n")
    d = only(diagnostics, "error")
    assert (d.line, d.field) == (len(GOOD.splitlines()) + 1, "evidence E2 › credibility")
    assert "credibility 7" in d.message
    assert "Admiralty code (1, 2, 3, 4, 5, 6)" in d.hint


def test_if_false_out_of_range_points_at_the_hypothesis():
    _, diagnostics = run(GOOD + "    if_false: {KH: 1.5, ISIS: 0.2}\n")
    d = only(diagnostics, "error")
    assert d.field == "evidence E2 › if_false › KH"
    assert "1.5 is above the maximum 1" in d.message and d.hint == "write a number from 0 to 1"


def test_if_false_for_an_unknown_hypothesis():
    _, diagnostics = run(GOOD + "    if_false: {KH: 0.5, ISSI: 0.2}\n")
    d = only(diagnostics, "error")
    assert d.field == "evidence E2 › if_false › ISSI" and "did you mean 'ISIS'?" in d.hint


def test_impossible_calendar_date():
    _, diagnostics = run(GOOD + "    date: 2020-02-30\n")
    d = only(diagnostics, "error")
    assert (d.line, d.field) == (len(GOOD.splitlines()) + 1, "evidence E2 › date")
    assert "'2020-02-30' is not a calendar date" in d.message and "YYYY-MM-DD" in d.hint


def test_dates_are_kept_as_text():
    case, _ = run(GOOD + "    date: 2020-02-06\n")
    assert case.evidence[1].date == "2020-02-06"


def test_bad_scale_band():
    _, diagnostics = run(GOOD + "scale:\n  terms: {likely: [0.8, 0.55]}\n")
    d = only(diagnostics, "error")
    assert d.field == "scale › terms › likely" and "0 < low < high < 1" in d.message


# -- ids and sources ------------------------------------------------------------------


def test_duplicate_hypothesis_id_is_an_error():
    _, diagnostics = run(edit(("- id: ISIS\n    title: The Islamic State", "- id: KH\n    title: The Islamic State")))
    d = only(diagnostics, "error", "hypotheses KH › id")
    assert d.line == LINE["- id: ISIS"]
    assert "hypothesis id 'KH' is used twice" in d.message


def test_duplicate_source_id_is_an_error():
    _, diagnostics = run(edit(("- id: nyt", "- id: us-gov")))
    d = only(diagnostics, "error", "sources us-gov › id")
    assert d.line == LINE["- id: nyt"]
    assert "source id 'us-gov' is used twice" in d.message
    lost = only(diagnostics, "error", "evidence E2 › source")  # the item that named the renamed source
    assert "'nyt' is not listed" in lost.message


def test_duplicate_evidence_id_is_an_error():
    """Counted twice with only a warning before: now refused."""
    case, diagnostics = run(edit(("- id: E2", "- id: E1")))
    d = only(diagnostics, "error")
    assert (d.line, d.field, d.code) == (LINE["- id: E2"], "evidence E1 › id", "duplicate-id")
    assert "used twice" in d.message and "counted twice" in d.message
    assert case is None


def test_unknown_source_is_an_error_with_a_suggestion():
    """An unlisted source became a fully reliable source of its own, with a warning: now an error."""
    case, diagnostics = run(edit(("source: us-gov", "source: us-gv")))
    d = only(diagnostics, "error")
    assert d.field == "evidence E1 › source" and d.code == "unknown-source"
    assert "'us-gv' is not listed under sources" in d.message and "did you mean 'us-gov'?" in d.hint
    assert case is None


def test_an_unknown_source_does_not_hide_the_rest_of_the_item():
    """Every problem in one pass: the item's ratings, credibility and if_false are still checked."""
    case, diagnostics = run(
        edit(
            ("source: us-gov", "source: nosuch\n    credibility: qqq\n    if_false: {KH: 0.5, XX: 0.2}"),
            ("ISIS: very unlikely", "ISIS: zzz"),
        )
    )
    found = {(d.field, d.code) for d in diagnostics if d.is_error}
    assert found == {
        ("evidence E1 › source", "unknown-source"),
        ("evidence E1 › likelihood › ISIS", "bad-rating"),
        ("evidence E1 › credibility", "bad-credibility"),
        ("evidence E1 › if_false › XX", "unknown-hypothesis"),
    }, "\n".join(map(str, diagnostics))
    assert "'zzz'" in only(diagnostics, "error", "evidence E1 › likelihood › ISIS").message
    assert case is None


def test_half_a_character_is_refused_at_its_line_with_the_escape_that_writes_the_whole_one():
    """YAML's \\u escapes one UTF-16 unit; a lone half cannot be printed (it crashed `ach analyze`)."""
    text = edit(
        ("title: Test case", 'title: "Rockets \\ud83d\\ude80"'), ("text: No group claimed it", 'text: "a\\udc00"')
    )
    case, diagnostics = run(text)
    title = only(diagnostics, "error", "title")
    assert (title.line, title.code) == (LINE["title: Test case"], "not-a-character")
    assert "\\ud83d\\ude80" in title.message and "(🚀) or \\U0001F680" in title.hint
    lone = only(diagnostics, "error", "evidence E2 › text")
    assert "\\udc00" in lone.message and lone.hint == "write the character itself, or delete the escape"
    assert case is None
    for d in diagnostics:
        str(d).encode("utf-8")  # printable, as the JSON is
    assert run(edit(("title: Test case", 'title: "Rockets \\U0001F680"')))[0].title == "Rockets 🚀"


def test_zero_likelihood_through_an_unreliable_source_says_what_keeps_it_possible():
    case, diagnostics = run(edit(("OTHER: 0.15", "OTHER: 0")))
    d = only(diagnostics, "warning")
    assert (d.line, d.field) == (LINE["OTHER: 0.15"], "evidence E1 › likelihood › OTHER")
    assert "keeps 'OTHER' possible" in d.message and "reliability (0.65)" in d.message
    assert "rules out" not in d.message and "almost no chance" in d.hint
    assert case is not None


def test_zero_likelihood_from_a_fully_reliable_item_rules_the_hypothesis_out():
    _, diagnostics = run(edit(("OTHER: 0.15", "OTHER: 0"), ("reliability: C", "reliability: 1")))
    d = only(diagnostics, "warning")
    assert "likelihood 0 rules out 'OTHER' on this item alone" in d.message


def test_a_source_of_reliability_zero_is_said_to_silence_its_items():
    case, diagnostics = run(edit(("reliability: C", "reliability: 0")))
    d = only(diagnostics, "warning", "sources us-gov › reliability")
    assert "silences" in d.message and "E1" in d.message and case is not None


def test_impossible_evidence_through_a_silenced_source_names_the_cause():
    case, diagnostics = run(
        edit(("reliability: C", "reliability: 0"), ("      OTHER: 0.15\n", "      OTHER: 0.15\n    if_false: 0\n"))
    )
    errors = [d for d in diagnostics if d.level == "error"]
    assert case is None and errors and "reliability 0" in errors[0].message and "if_false is 0" in errors[0].message


def test_an_incomplete_per_hypothesis_if_false_is_an_error_naming_the_missing():
    _, diagnostics = run(GOOD + "    if_false: {KH: 0.5}\n")
    d = only(diagnostics, "error")
    assert d.code == "if-false-incomplete" and "'ISIS', 'OTHER'" in d.message


def test_two_catch_alls_are_an_error():
    _, diagnostics = run(
        GOOD.replace("    title: Kataib Hezbollah\n", "    title: Kataib Hezbollah\n    catch_all: true\n")
    )
    d = only(diagnostics, "error")
    assert d.code == "two-catch-alls" and "second catch-all" in d.message


@pytest.mark.parametrize(
    "row",
    ["{KH: N, ISIS: N, OTHER: N}", "{KH: 0.5, ISIS: N, OTHER: roughly even chance}", "{KH: NA, ISIS: NA, OTHER: NA}"],
)
def test_non_diagnostic_item_is_a_warning(row):
    case, diagnostics = run(edit(("{KH: CC, ISIS: I, OTHER: C}", row)))
    d = only(diagnostics, "warning")
    assert (d.line, d.field) == (LINE["likelihood: {KH: CC, ISIS: I, OTHER: C}"], "evidence E2 › likelihood")
    assert "non-diagnostic" in d.message
    assert case is not None


def test_a_flat_item_with_a_deceptive_if_false_is_diagnostic():
    _, diagnostics = run(
        edit(("{KH: CC, ISIS: I, OTHER: C}", "{KH: N, ISIS: N, OTHER: N}"))
        + "    if_false: {KH: 0.9, ISIS: 0.2, OTHER: 0.2}\n"
    )
    assert diagnostics == []


def test_missing_catch_all_is_a_warning():
    case, diagnostics = run(edit(("    catch_all: true\n", "")))
    d = only(diagnostics, "warning")
    assert (d.line, d.field) == (LINE["hypotheses:"], "hypotheses")
    assert "catch_all" in d.message and "catch_all: true" in d.hint
    assert case is not None and case.warnings == (d,)


# -- priors ------------------------------------------------------------------------------


def test_priors_for_some_hypotheses_only():
    _, diagnostics = run(edit(("title: Kataib Hezbollah", "title: Kataib Hezbollah\n    prior: 2")))
    errors = [d for d in diagnostics if d.level == "error"]
    assert [d.field for d in errors] == ["hypotheses ISIS", "hypotheses OTHER"]
    assert [d.line for d in errors] == [LINE["- id: ISIS"] + 1, LINE["- id: OTHER"] + 1]
    assert "no prior while others do" in errors[0].message
    assert "every hypothesis a prior" in errors[0].hint


def test_all_zero_priors():
    text = GOOD
    for title in ("Kataib Hezbollah", "The Islamic State", "Someone else"):
        text = edit((f"title: {title}", f"title: {title}\n    prior: 0"), text=text)
    _, diagnostics = run(text)
    d = only(diagnostics, "error")
    assert (d.line, d.field) == (LINE["hypotheses:"], "hypotheses") and "all zero" in d.message


def test_a_zero_prior_cannot_be_uncertain():
    text = "prior_concentration: 10\n" + edit(
        ("title: Kataib Hezbollah", "title: Kataib Hezbollah\n    prior: 0"),
        ("title: The Islamic State", "title: The Islamic State\n    prior: 1"),
        ("title: Someone else", "title: Someone else\n    prior: 1"),
    )
    _, diagnostics = run(text)
    d = only(diagnostics, "error")
    assert (d.line, d.field) == (LINE["title: Kataib Hezbollah"] + 2, "hypotheses KH › prior")
    assert "Dirichlet" in d.message and "remove prior_concentration" in d.hint
    case, diagnostics = run(text.replace("prior_concentration: 10\n", ""))
    assert diagnostics == [] and case.inputs.prior[0] == 0  # a fixed prior may be 0


def test_negative_prior():
    _, diagnostics = run(edit(("title: Kataib Hezbollah", "title: Kataib Hezbollah\n    prior: -1")))
    d = only(diagnostics, "error", "hypotheses KH › prior")
    assert "-1 is below the minimum 0" in d.message


# -- impossible evidence ------------------------------------------------------------------


def test_evidence_impossible_under_every_hypothesis():
    case, diagnostics = run(edit(("{KH: CC, ISIS: I, OTHER: C}", "{KH: 0, ISIS: 0, OTHER: 0}")))
    assert case is None
    d = only(diagnostics, "error")
    assert (d.line, d.field) == (LINE["likelihood: {KH: CC, ISIS: I, OTHER: C}"], "evidence E2 › likelihood")
    assert "impossible under every hypothesis" in d.message
    assert "almost no chance" in d.hint
    assert not any("non-diagnostic" in x.message for x in diagnostics)


def test_items_that_together_rule_out_everything():
    text = edit(
        ("KH: likely", "KH: 0"),
        ("ISIS: very unlikely", "ISIS: 0"),
        ("{KH: CC, ISIS: I, OTHER: C}", "{KH: CC, ISIS: I, OTHER: 0}"),
        ("    source: us-gov\n", ""),
        ("    source: nyt\n", ""),  # fully reliable: a zero is a zero
    )
    case, diagnostics = run(text)
    assert case is None
    d = only(diagnostics, "error")
    assert (d.line, d.field) == (LINE["evidence:"], "evidence")
    assert "E1" in d.message and "E2" in d.message


# -- broken files ---------------------------------------------------------------------------


def test_yaml_syntax_error_names_the_line():
    _, diagnostics = run(edit(("KH: likely", "KH: likely: very")))
    d = only(diagnostics, "error")
    assert d.line == LINE["KH: likely"] and d.message.startswith("a ': ' inside a value")
    assert "double quotes" in d.hint and "line it up" in d.hint  # said in words, not the parser's


def test_unclosed_bracket():
    _, diagnostics = run(edit(("{KH: CC, ISIS: I, OTHER: C}", "{KH: CC, ISIS: I, OTHER: C")))
    d = only(diagnostics, "error")
    assert d.line == LINE["likelihood: {KH: CC, ISIS: I, OTHER: C}"]  # the line the bracket opens on
    assert "not closed" in d.message and "close the bracket" in d.hint


def test_duplicate_yaml_key():
    _, diagnostics = run(edit(("source: us-gov", "source: us-gov\n    text: again")))
    d = only(diagnostics, "error")
    assert d.line == LINE["source: us-gov"] + 1
    assert "duplicate key" in d.message and "only once" in d.hint


def test_tab_indentation():
    _, diagnostics = run(edit(("    text: US officials blame KH", "\ttext: US officials blame KH")))
    d = only(diagnostics, "error")
    assert d.line == LINE["text: US officials blame KH"]
    assert "a tab in the indentation" in d.message and d.hint == "replace the tab with spaces"


@pytest.mark.parametrize("text", ["", "\n\n", "# only a comment\n", "---\n"])
def test_empty_file(text):
    case, diagnostics = run(text)
    d = only(diagnostics, "error")
    assert case is None and "empty" in d.message and "FORMAT.md" in d.hint


@pytest.mark.parametrize("text, found", [("- a\n- b\n", "a list"), ("just words\n", "'just words'"), ("42\n", "42")])
def test_a_case_must_be_a_mapping(text, found):
    _, diagnostics = run(text)
    d = only(diagnostics, "error")
    assert d.line == 1 and found in d.message and "question, hypotheses and evidence" in d.message


def test_non_utf8_bytes_name_the_line():
    raw = edit(("text: No group claimed it", "text: No group claim\xe9d it")).encode("latin-1")
    _, diagnostics = run(raw)
    d = only(diagnostics, "error")
    assert d.line == LINE["text: No group claimed it"]
    assert "0xe9" in d.message and "UTF-8" in d.hint


def test_a_utf8_byte_order_mark_is_fine():
    case, diagnostics = run(b"\xef\xbb\xbf" + GOOD.encode())
    assert case is not None and diagnostics == []


def test_control_character_names_the_line():
    _, diagnostics = run(edit(("text: No group claimed it", "text: No group\x07 claimed it")))
    d = only(diagnostics, "error")
    assert d.line == LINE["text: No group claimed it"] and "#x0007" in d.message


def test_a_value_its_tag_cannot_hold():
    _, diagnostics = run(edit(("OTHER: 0.15", "OTHER: !!float abc")))
    d = only(diagnostics, "error")
    assert d.line == LINE["OTHER: 0.15"] and "'abc'" in d.message and "tag" in d.hint


def test_a_self_referencing_alias():
    case, diagnostics = run("&x {question: *x}\n")
    assert case is None and "alias" in only(diagnostics, "error").message


def test_exponential_aliases_are_refused_quickly():
    rows = ["a: &a [" + ", ".join(["x"] * 20) + "]"]
    for i, name in enumerate("bcdefg"):
        prev = "abcdefg"[i]
        rows.append(f"{name}: &{name} [" + ", ".join([f"*{prev}"] * 20) + "]")
    case, diagnostics = run("\n".join(rows) + "\n")
    assert case is None and "more than" in diagnostics[0].message


@pytest.mark.parametrize("depth", [70, 400])  # past our limit; past what ruamel can recurse
def test_deep_nesting(depth):
    case, diagnostics = run("question: " + "[" * depth + "]" * depth + "\n")
    assert case is None and "nested" in only(diagnostics, "error").message


def test_a_directory(tmp_path):
    case, diagnostics = check(tmp_path)
    d = only(diagnostics, "error")
    assert case is None and d.file == str(tmp_path) and "folder" in d.message


def test_a_missing_file(tmp_path):
    case, diagnostics = check(tmp_path / "nope.yaml")
    d = only(diagnostics, "error")
    assert case is None and d.message == "no such file" and d.file.endswith("nope.yaml")


# -- all problems at once -------------------------------------------------------------------


def test_several_errors_in_one_file_are_all_reported_top_to_bottom():
    text = edit(
        ("reliability: C", "reliability: G"),  # source
        ("KH: likely", "KH: CCC"),  # rating
        ("ISIS: very unlikely", "ISIS: 1.5"),  # probability
        ("    source: nyt\n", "    source: nyt\n    relevance: mid\n"),  # schema enum
        ("{KH: CC, ISIS: I, OTHER: C}", "{KH: CC, ISIS: I}"),  # missing hypothesis
    )
    case, diagnostics = run(text)
    assert case is None
    errors = [d for d in diagnostics if d.level == "error"]
    assert [d.field for d in errors] == [
        "sources us-gov › reliability",
        "evidence E1 › likelihood › KH",
        "evidence E1 › likelihood › ISIS",
        "evidence E2 › relevance",
        "evidence E2 › likelihood",
    ]
    assert [d.line for d in errors] == sorted(d.line for d in errors)
    with pytest.raises(CaseError) as info:
        loads(text, "many.yaml")
    assert len(info.value.diagnostics) == len(diagnostics)
    assert str(info.value).count("many.yaml:") == 5


def test_a_schema_error_does_not_hide_a_bad_rating_in_the_same_item():
    _, diagnostics = run(
        edit(("KH: likely", "KH: CCC")).replace("    source: us-gov\n", "    source: us-gov\n    confidence: mid\n")
    )
    fields = {d.field for d in diagnostics if d.level == "error"}
    assert fields == {"evidence E1 › confidence", "evidence E1 › likelihood › KH"}


def test_diagnostic_format():
    _, diagnostics = run(edit(("KH: likely", "KH: CCC")), name="cases/x.yaml")
    assert str(diagnostics[0]) == (
        f"cases/x.yaml:{LINE['KH: likely']}: error: evidence E1 › likelihood › KH: rating 'CCC' is not one of CC, C, N, I, "
        "II, NA (or a probability in [0, 1], or an ICD 203 term such as 'likely')\n    hint: did you mean 'CC'?"
    )
    assert Diagnostic("warning", "m", "f").__str__() == "f: warning: m"
    assert diagnostics[0].to_dict()["line"] == LINE["KH: likely"]


@pytest.mark.parametrize("path", sorted(BAD.glob("*.yaml")), ids=lambda p: p.name)
def test_bad_example_files_fail_with_located_errors(path):
    case, diagnostics = check(path)
    assert case is None
    errors = [d for d in diagnostics if d.level == "error"]
    assert errors and all(d.file == str(path) and d.hint for d in errors)
    assert all(d.line for d in errors if "empty" not in d.message)


# -- the real cases ----------------------------------------------------------------------------


def test_k1_loads_with_exactly_its_two_intended_warnings_acknowledged():
    case = load(K1)
    assert not case.warnings
    acknowledged = [(d.level, d.field) for d, _ in case.acknowledged]
    assert acknowledged == [("warning", "evidence E13 › likelihood"), ("warning", "evidence E18 › likelihood")]
    assert all(d.code == "non-diagnostic" and why for d, why in case.acknowledged)
    assert len(case.evidence) == 31 and len(case.hypotheses) == 5


def _k1_yaml():
    from ruamel.yaml import YAML

    return YAML(typ="rt").load(K1.read_text())


def test_every_k1_quote_is_verbatim_in_its_report(seeds):
    items = _k1_yaml()["evidence"]
    for item in items:
        citation = item["citation"]
        report = " ".join((seeds / citation["report"]).read_text(encoding="utf-8").split())
        quote = " ".join(citation["quote"].split())
        assert quote and quote in report, f"{item['id']}: quote not found in {citation['report']}"


def test_every_k1_likelihood_has_a_rationale_comment():
    lines = K1.read_text().splitlines()
    checked = 0
    for item in _k1_yaml()["evidence"]:
        likelihood = item["likelihood"]
        for hypothesis in likelihood:
            row = lines[likelihood.lc.key(hypothesis)[0]]
            comment = row.split("#", 1)[1].strip() if "#" in row else ""
            assert comment, f"{item['id']} {hypothesis}: no rationale in {row!r}"
            checked += 1
    assert checked == 31 * 5


def test_mini_loads_silently():
    case = load(MINI)
    assert case.warnings == () and case.hypothesis_ids == ["DOG", "KID", "OTHER"]


# -- fuzz: check_text never raises --------------------------------------------------------------

MINI_TEXT = MINI.read_text()
TOKENS = [
    "question: ",
    "hypotheses:",
    "evidence:",
    "sources:",
    "scale:",
    "likelihood: ",
    "- id: ",
    "title: x",
    "text: t",
    "reliability: ",
    "credibility: ",
    "if_false: ",
    "prior: ",
    "catch_all: ",
    "confidence: ",
    "date: ",
    "citation: ",
    "CC",
    "CCC",
    "NA",
    "likely",
    "0",
    "1",
    "1.5",
    "-1",
    ".nan",
    "null",
    "true",
    "2020-02-30",
    "E1",
    "DOG",
    "KID",
    "&a ",
    "*a",
    "!!int ",
    "!!binary ",
    "!foo ",
    "<<: ",
    "? ",
    "[",
    "]",
    "{",
    "}",
    ", ",
    ": ",
    "- ",
    "#",
    "'",
    '"',
    "|",
    ">",
    "%YAML 1.1",
    "---",
    "...",
    "\t",
    "  ",
    "    ",
    "\n",
    "\n  ",
    "\n    ",
    "\x00",
    "\u00e9",
    "\ufeff",
]
yamlish = st.lists(st.sampled_from(TOKENS), max_size=60).map("".join)


@st.composite
def mutated_mini(draw):
    lines = MINI_TEXT.splitlines(keepends=True)
    for _ in range(draw(st.integers(1, 4))):
        if not lines:
            break
        i = draw(st.integers(0, len(lines) - 1))
        op = draw(st.sampled_from(["delete", "duplicate", "swap", "token", "indent", "truncate"]))
        if op == "delete":
            del lines[i]
        elif op == "duplicate":
            lines.insert(i, lines[i])
        elif op == "swap":
            j = draw(st.integers(0, len(lines) - 1))
            lines[i], lines[j] = lines[j], lines[i]
        elif op == "token":
            row = lines[i]
            at = draw(st.integers(0, len(row)))
            lines[i] = row[:at] + draw(st.sampled_from(TOKENS)) + row[at + draw(st.integers(0, 6)) :]
        elif op == "indent":
            lines[i] = draw(st.sampled_from(["", " ", "  ", "      ", "\t"])) + lines[i].lstrip(" ")
        else:
            lines = lines[:i]
    return "".join(lines)


def _never_raises(raw: bytes) -> None:
    case, diagnostics = check_text(raw, "fuzz.yaml")
    n_lines = raw.count(b"\n") + 1
    for d in diagnostics:
        assert d.level in ("error", "warning")
        assert d.file == "fuzz.yaml" and d.message
        assert d.line is None or 1 <= d.line <= n_lines + 1
        assert str(d).startswith("fuzz.yaml")
    if case is None:
        assert any(d.level == "error" for d in diagnostics)
    else:
        assert not any(d.level == "error" for d in diagnostics)
        posterior = __import__("ach.exact", fromlist=["posterior"]).posterior(case.inputs)
        assert np.isclose(posterior.sum(), 1.0)


FUZZ = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FUZZ
@given(st.binary(max_size=600))
def test_fuzz_random_bytes(raw):
    _never_raises(raw)


@FUZZ
@given(yamlish)
def test_fuzz_yaml_like_text(text):
    _never_raises(text.encode("utf-8", "surrogatepass"))


@FUZZ
@given(mutated_mini())
def test_fuzz_mutations_of_mini(text):
    _never_raises(text.encode("utf-8", "surrogatepass"))


json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-3, 10)
    | st.floats(allow_nan=True)
    | st.sampled_from(TOKENS)
    | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(st.sampled_from(["id", "DOG", "KID", "x", "E1", "kid"]), inner, max_size=3)
    ),
    max_leaves=6,
)


def _paths(node, prefix=()):
    yield prefix
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _paths(value, (*prefix, key))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _paths(value, (*prefix, i))


@st.composite
def restructured_mini(draw):
    """mini.yaml with values swapped for values of any type, at any depth:
    well-formed YAML that exercises the checks after the schema."""
    from ruamel.yaml import YAML

    data = YAML(typ="safe").load(MINI_TEXT)
    for _ in range(draw(st.integers(1, 3))):
        paths = [p for p in _paths(data) if p]
        path = draw(st.sampled_from(paths))
        parent = data
        for key in path[:-1]:
            parent = parent[key]
        if draw(st.booleans()) and isinstance(parent, dict):
            del parent[path[-1]]
        else:
            parent[path[-1]] = draw(json_values)
    return data


@FUZZ
@given(restructured_mini())
def test_fuzz_wrong_values_anywhere_in_mini(data):
    import io

    from ruamel.yaml import YAML

    out = io.StringIO()
    YAML(typ="safe").dump(data, out)
    _never_raises(out.getvalue().encode())


@pytest.mark.parametrize("text", ["question: !!int\n", "%YAML 1.10\n---\na: 1\n", "? {a: 1}\n: x\n", "? - q\n"])
def test_corners_of_the_yaml_reader(text):
    case, diagnostics = run(text)
    errors = [d for d in diagnostics if d.level == "error"]
    assert case is None and errors and all(d.hint for d in errors)


@pytest.mark.parametrize("value", [".inf", ".nan"])
def test_non_finite_numbers_are_refused_where_they_stand(value):
    """A prior of .inf used to pass and end in a misleading 'impossible evidence'."""
    text = MINI_TEXT.replace("    prior: 2\n", f"    prior: {value}\n", 1)
    case, diagnostics = check_text(text.encode(), "case.yaml")
    assert case is None
    (d,) = [d for d in diagnostics if d.level == "error"]
    assert "not a finite number" in d.message and d.field == "hypotheses KID › prior"
    assert d.line == text.splitlines().index(f"    prior: {value}") + 1
