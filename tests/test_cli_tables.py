"""What the terminal shows: `ach analyze`'s table, `ach sensitivity`'s tables, `ach matrix`'s matrix.

Each is run as the installed command (stdout a pipe, as in `ach … > file`) and
read back against the library's own numbers and the case file as written.
"""

from __future__ import annotations

import math
import os
import re
import subprocess

import pytest
import yaml

import ach as library

from .test_cli import ACH, BAD, K1, MINI, ach, located

ESCAPE = re.compile(r"\x1b\[")


@pytest.fixture(scope="module")
def k1():
    return library.analyze(library.load(K1), sample=False)


@pytest.fixture(scope="module")
def k1_summary():
    proc = ach("analyze", K1, "--no-sample")
    assert proc.returncode == 0, proc.err
    return proc.out


def table(text: str, first: str) -> list[list[str]]:
    """The rows of the table whose header line starts with ``first`` (split on runs of 2+ spaces), header first."""
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.strip().startswith(first))
    rows = []
    for line in lines[start:]:
        if not line.strip():
            break
        rows.append(re.split(r"\s{2,}", line.strip()))
    return rows


# -- ach analyze ------------------------------------------------------------------------


def test_analyze_names_its_columns(k1_summary):
    header = table(k1_summary, "id")[0]
    assert header == ["id", "posterior", "ICD 203 term", "prior", "weighted inconsistency", "hypothesis"]
    assert "weighted inconsistency: classic ACH's score" in k1_summary  # and says what it is


def test_analyze_prior_column_is_the_exact_prior(k1, k1_summary):
    rows = table(k1_summary, "id")[1:]
    assert [r[0] for r in rows] == [k1.hypotheses[j] for j in k1.order]
    for row in rows:
        j = k1.hypotheses.index(row[0])
        assert row[3] == f"{100 * k1.inputs.prior[j]:.1f}%"
        assert row[1] == f"{100 * k1.posterior[j]:.1f}%"
        assert float(row[4]) == pytest.approx(k1.heuer.weighted_inconsistency[j], abs=0.005)
        assert row[5] == k1.case.hypothesis(row[0]).title


def test_analyze_prior_of_a_case_without_priors_is_a_uniform_share():
    text = ach("analyze", MINI, "--no-sample").out
    result = library.analyze(library.load(MINI), sample=False)
    got = {r[0]: r[3] for r in table(text, "id")[1:]}
    assert got == {h: f"{100 * p:.1f}%" for h, p in zip(result.hypotheses, result.inputs.prior)}
    assert math.isclose(sum(result.inputs.prior), 1.0)


# -- ach sensitivity --------------------------------------------------------------------


@pytest.fixture(scope="module")
def k1_sensitivity(tmp_path_factory):
    proc = ach("sensitivity", K1, "--no-sample", "--out", tmp_path_factory.mktemp("figures"))
    assert proc.returncode == 0, proc.err
    return proc.out


def test_sensitivity_tables_have_headers(k1, k1_sensitivity):
    lead = k1.reference
    tornado = table(k1_sensitivity, "input")
    assert tornado[0] == ["input", "5 %", "95 %", f"P({lead}) at 5 %", "at 95 %"]
    first = k1.sensitivity.tornado[0]
    assert tornado[1][0] == first.label and float(tornado[1][1]) == pytest.approx(first.low, abs=5e-4)
    thresholds = table(k1_sensitivity, "cell")
    assert thresholds[0][:2] == ["cell", "edit"] and thresholds[0][-1] == "then leads"
    assert all(re.fullmatch(r"E\d+\.[A-Z]+", row[0]) for row in thresholds[1:])
    timeline = table(k1_sensitivity, "date")
    assert timeline[0] == ["date", *k1.hypotheses]
    assert [r[0] for r in timeline[1:]] == list(k1.sensitivity.timeline.dates)


def test_sensitivity_words_the_prior_threshold_as_the_report_does(k1, k1_sensitivity):
    from ach.report import narrative

    sentence = narrative.prior(k1.sensitivity.prior, k1.reference)
    assert sentence.startswith("For ISIS to lead on this evidence, you would need to believe beforehand")
    assert f"Prior: {sentence}" in k1_sensitivity.splitlines()
    assert sentence in k1.report().to_markdown()


# -- ach matrix -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def k1_matrix():
    proc = ach("matrix", K1)
    assert proc.returncode == 0, proc.err
    return proc.out


def written_ratings(path) -> dict[str, dict[str, str]]:
    """Each item's ratings as the YAML file spells them, read without ach."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return {e["id"]: {h: str(v) for h, v in e["likelihood"].items()} for e in data["evidence"]}


def test_matrix_shows_every_item_and_hypothesis(k1, k1_matrix):
    rows = table(k1_matrix, "id")
    assert rows[0] == ["id", "item", "source", *k1.hypotheses]
    items = [e.id for e in k1.full_case.evidence]
    assert [r[0] for r in rows[2:]] == items  # rows[1] is the rule under the header
    assert len(items) == 31 and {"E28", "E31"} <= set(items)  # the later reporting is in the matrix too
    for h in k1.hypotheses:  # the legend names each column
        assert re.search(rf"^  {h}\s+{re.escape(k1.case.hypothesis(h).title)} \(prior ", k1_matrix, re.M)
    assert "E28, E29, E30, E31" in k1_matrix


def test_matrix_cells_are_the_ratings_as_written(k1, k1_matrix):
    written = written_ratings(K1)
    rows = {r[0]: r for r in table(k1_matrix, "id")[2:]}
    sources = {e.id: e.source for e in k1.full_case.evidence}
    for item, ratings in written.items():
        row = rows[item]
        assert row[2] == sources[item]
        assert dict(zip(k1.hypotheses, row[3:])) == ratings, item
    assert rows["E01"][3:] == ["likely", "unlikely", "very unlikely", "very unlikely", "0.15"]


def run_as_on_a_terminal(*args, **env) -> str:
    """stdout of ``ach *args`` as Rich writes it to a colour terminal 120 columns wide."""
    env = {**os.environ, "FORCE_COLOR": "1", "COLUMNS": "120", **env}
    return subprocess.run([*ACH, *map(str, args)], capture_output=True, text=True, env=env, check=True).stdout


def test_matrix_is_plain_text_on_a_pipe_and_with_no_color(k1_matrix):
    assert not ESCAPE.search(k1_matrix)
    assert all(line == line.rstrip() for line in k1_matrix.splitlines())  # no padding left at line ends
    assert "Colour is off" in k1_matrix
    coloured = run_as_on_a_terminal("matrix", K1)
    assert ESCAPE.search(coloured) and "strong against ≤ −3" in coloured
    for plain in (run_as_on_a_terminal("matrix", K1, "--no-color"), run_as_on_a_terminal("matrix", K1, NO_COLOR="1")):
        assert not ESCAPE.search(plain), plain[:400]
        assert "Colour is off" in plain and "E31" in plain


def test_matrix_db_prints_each_weight_of_evidence(k1):
    from ach.formatting import db

    text = ach("matrix", K1, "--db").out
    row = next(r for r in table(text, "id")[2:] if r[0] == "E01")
    woe = (k1.later or k1).item_woe[0]
    assert row[3:] == [
        f"{r} {db(w)}" for r, w in zip(["likely", "unlikely", "very unlikely", "very unlikely", "0.15"], woe)
    ]


def test_matrix_with_hypotheses_as_rows(k1):
    text = ach("matrix", K1, "--hypotheses-as-rows").out
    rows = table(text, "hypothesis")
    assert rows[0] == ["hypothesis", *(e.id for e in k1.full_case.evidence)]
    assert [r[0] for r in rows[2:]] == k1.hypotheses
    written = written_ratings(K1)
    for r in rows[2:]:
        assert r[1:] == [written[e.id][r[0]] for e in k1.full_case.evidence]


@pytest.mark.parametrize("db", [0.1, 0.5, 1.0, 2.9, 3.0, 12.0, math.inf])
def test_a_cells_colour_follows_the_sign_of_its_weight_of_evidence(db):
    from ach.cli.matrix import woe_band, woe_style

    assert "blue" in woe_style(db) and "red" not in woe_style(db)
    assert "red" in woe_style(-db) and "blue" not in woe_style(-db)
    assert woe_band(db)[1] == woe_band(-db)[1]  # as strong against as for
    assert woe_band(db) == (1, "strong" if db >= 3 else "moderate" if db >= 1 else "weak")


@pytest.mark.parametrize("db", [0.0, 0.09, -0.09, -0.0, math.nan])
def test_a_cell_that_hardly_matters_is_not_coloured(db):
    from ach.cli.matrix import woe_band, woe_style

    assert woe_style(db) == "" and woe_band(db) == (0, "neutral")


def test_k1_cells_are_coloured_by_their_own_weight(k1):
    from ach.cli.matrix import woe_style

    full = k1.later or k1
    styles = [[woe_style(w) for w in row] for row in full.item_woe]
    for row, woe in zip(styles, full.item_woe):
        for style, w in zip(row, woe):
            assert ("blue" in style) == (w >= 0.1) and ("red" in style) == (w <= -0.1)
    e01 = [e.id for e in full.case.evidence].index("E01")
    assert full.item_woe[e01, full.hypotheses.index("KH")] > 0 and "blue" in styles[e01][0]  # the US claim: for KH


@pytest.mark.parametrize("name", ["many_errors.yaml", "syntax.yaml", "impossible.yaml"])
def test_matrix_of_a_bad_file_fails_as_the_other_commands_do(name):
    path = BAD / name
    matrix, analyze = ach("matrix", path), ach("analyze", path, "--no-sample")
    assert matrix.returncode == 1 and matrix.out == ""
    assert located(matrix.err, path) == located(analyze.err, path) != []
    assert "no matrix was printed" in matrix.err


def test_the_cli_starts_without_rich():
    import sys

    code = "import sys, ach.cli; print('rich' in sys.modules)"
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert proc.stdout.strip() == "False"
