"""Team files (docs/MODEL.md §8): what team mode accepts that one case does not, and every mismatch located.

A cell left out is not rated (not NA), a cell no analyst rates is an error; a
judgment that does not sum to 1 is coherentized with a warning; an item only
one file has, or whose text differs, is a warning; mismatched hypotheses and
sources are errors at their lines. No sampling here: alignment only.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from ach import exact
from ach.casefile import check, load
from ach.cli import main
from ach.errors import CaseError
from ach.team import align, load_team
from ach.team.coherence import coherence
from ach.team.model import readings_of

ROOT = Path(__file__).resolve().parents[1]
TEAM = sorted((ROOT / "cases" / "k1-team").glob("*.yaml"))
K1 = ROOT / "cases" / "k1.yaml"
E07_ISIS = "      ISIS: 0.55               # a cell scraping together rockets fits a half-loaded launcher\n"


@pytest.fixture
def team_dir(tmp_path):
    for p in TEAM:
        shutil.copy(p, tmp_path / p.name)
    return tmp_path


def _edit(path: Path, old: str, new: str, after: str = "") -> None:
    text = path.read_text(encoding="utf-8")
    start = text.index(after) if after else 0
    assert old in text[start:], (path, old)
    path.write_text(text[:start] + text[start:].replace(old, new, 1), encoding="utf-8")


def _drop_cell(path: Path, item: str, hyp: str) -> None:
    """Remove the item's likelihood line for ``hyp`` (block style, one cell per line)."""
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    start = lines.index(f"  - id: {item}\n")
    row = next(n for n in range(start, len(lines)) if lines[n].lstrip().startswith(f"{hyp}:"))
    path.write_text("".join(lines[:row] + lines[row + 1 :]), encoding="utf-8")


def _line(path: Path, text: str, after: str = "") -> int:
    lines = path.read_text(encoding="utf-8").splitlines()
    start = lines.index(after) if after else 0
    return next(n for n in range(start, len(lines)) if lines[n].startswith(text)) + 1


def test_a_cell_left_out_is_not_rated_not_na(team_dir):
    chen = team_dir / "chen.yaml"
    _edit(chen, E07_ISIS, "", after="  - id: E07\n")
    case, diagnostics = check(chen)  # a single case still refuses it
    assert case is None and [d.code for d in diagnostics if d.is_error] == ["missing-rating"]
    team = load_team(sorted(team_dir.glob("*.yaml")))
    a, i, j = team.analysts.index("Chen"), team.items.index("E07"), team.hypotheses.index("ISIS")
    assert team.rated[a, i] and team.left_out[a, i, j] and not team.na[a, i, j] and np.isnan(team.m[a, i, j])
    assert team.left_out.sum() == 1
    assert np.isfinite(team.m[[x for x in range(4) if x != a], i, j]).all()  # the others still read it
    rd = readings_of(team)
    q = next(x for x, (kind, ix) in enumerate(zip(rd.kind, rd.index)) if kind == "cell" and ix == (i, j))
    assert sorted(rd.analyst[rd.quantity == q]) == [x for x in range(4) if x != a]
    # Chen's own posterior reads the cell as saying nothing: the file with ISIS: NA written there
    written = team_dir / "chen-na.yaml"
    written.write_text(
        (ROOT / "cases" / "k1-team" / "chen.yaml")
        .read_text(encoding="utf-8")
        .replace(E07_ISIS, "      ISIS: NA\n", 1)
        .replace("analyst: Chen", "analyst: Chen NA"),
        encoding="utf-8",
    )
    assert exact.posterior(team.each[a]) == pytest.approx(exact.posterior(load(written).headline().inputs), abs=1e-15)


def test_a_cell_no_analyst_rates_is_an_error_at_its_line(team_dir):
    for p in sorted(team_dir.glob("*.yaml")):
        _drop_cell(p, "E07", "ISIS")
    with pytest.raises(CaseError) as err:
        load_team(sorted(team_dir.glob("*.yaml")))
    (problem,) = err.value.diagnostics
    adams = team_dir / "adams.yaml"
    assert problem.code == "team-cell-unrated" and problem.file == str(adams)
    assert problem.line == _line(adams, "    likelihood:", after="  - id: E07")
    assert "E07" in problem.message and "ISIS" in problem.message and "chen.yaml:" in problem.message
    assert problem.field == "evidence E07 › likelihood"


def test_a_candidate_observation_must_still_rate_every_hypothesis(team_dir):
    chen = team_dir / "chen.yaml"
    _edit(chen, "      OTHER: very unlikely     # a false flag could plant KH material\n", "", after="  - id: C1\n")
    with pytest.raises(CaseError) as err:
        load_team(sorted(team_dir.glob("*.yaml")))
    assert [(d.code, d.path[0]) for d in err.value.diagnostics if d.is_error] == [("missing-rating", "collection")]


def test_a_judgment_that_does_not_sum_to_one_is_coherentized_with_a_warning(team_dir):
    chen = team_dir / "chen.yaml"
    old = "judgment: {KH: 0.45, IAM: 0.15, ISIS: 0.3, SUNNI: 0.05, OTHER: 0.05}"
    _edit(chen, old, "judgment: {KH: 45%, IAM: 0.15, ISIS: 0.2, SUNNI: 0.05}")  # sums to 0.85; OTHER not given
    case, diagnostics = check(chen)  # a single case still refuses it
    assert case is None and [d.code for d in diagnostics if d.is_error] == ["judgment-sum"]
    team = load_team(sorted(team_dir.glob("*.yaml")))
    (warning,) = [d for d in team.warnings if d.code == "team-judgment-sum"]
    assert (warning.file, warning.line, warning.level) == (str(chen), _line(chen, "judgment:"), "warning")
    assert "0.85" in warning.message and "Mandel" in warning.message
    c = coherence(team, np.array([exact.posterior(inp) for inp in team.each]))
    assert c.judgment["Chen"] == {"KH": 0.45, "IAM": 0.15, "ISIS": 0.2, "SUNNI": 0.05, "OTHER": 0.0}  # as written
    # by hand: each divided by 0.85 = 17/20
    assert c.coherentized["Chen"] == pytest.approx(
        {"KH": 9 / 17, "IAM": 3 / 17, "ISIS": 4 / 17, "SUNNI": 1 / 17, "OTHER": 0}
    )
    adams = {"KH": 0.6, "IAM": 0.15, "ISIS": 0.2, "SUNNI": 0.03, "OTHER": 0.02}
    baker = {"KH": 0.3, "IAM": 0.1, "ISIS": 0.5, "SUNNI": 0.07, "OTHER": 0.03}
    chen_c = {"KH": 9 / 17, "IAM": 3 / 17, "ISIS": 4 / 17, "SUNNI": 1 / 17, "OTHER": 0}
    assert c.team == pytest.approx({h: (adams[h] + baker[h] + chen_c[h]) / 3 for h in adams})
    assert c.team["KH"] == pytest.approx((0.6 + 0.3 + 0.45 / 0.85) / 3)
    _edit(chen, "judgment: {KH: 45%, IAM: 0.15, ISIS: 0.2, SUNNI: 0.05}", "judgment: {KH: 0, IAM: 0}")
    with pytest.raises(CaseError) as err:  # nothing to coherentize
        load_team(sorted(team_dir.glob("*.yaml")))
    assert [d.code for d in err.value.diagnostics] == ["judgment-sum"]


def test_an_item_only_one_file_has_is_a_located_warning_with_the_closest_id(team_dir):
    baker = team_dir / "baker.yaml"
    _edit(baker, "  - id: E07\n", "  - id: E7\n")
    team = load_team(sorted(team_dir.glob("*.yaml")))
    (warning,) = team.warnings
    assert (warning.code, warning.file, warning.line) == ("team-item-alone", str(baker), _line(baker, "  - id: E7"))
    assert "E7" in warning.message and "'E07'" in warning.hint and "Baker alone" in warning.message
    b = team.analysts.index("Baker")
    assert team.rated[:, team.items.index("E7")].tolist() == [x == b for x in range(4)]
    assert team.rated[:, team.items.index("E07")].tolist() == [x != b for x in range(4)]
    # an item that is new, with no id close to it, is still said, without a guess
    _edit(baker, "  - id: E7\n", "  - id: ROCKETS\n")
    (warning,) = load_team(sorted(team_dir.glob("*.yaml"))).warnings
    assert "ROCKETS" in warning.message and "did you mean" not in warning.hint
    # an item every file but one has is a left-out item: no warning
    assert not load_team(TEAM).warnings


def test_an_item_whose_text_differs_is_a_located_warning(team_dir):
    diaz = team_dir / "diaz.yaml"
    _edit(diaz, "    text: General Adnan, first at the truck,", "    text: General Adnan, second at the truck,")
    (warning,) = load_team(sorted(team_dir.glob("*.yaml"))).warnings
    assert (warning.code, warning.file) == ("team-item-text", str(diaz))
    assert warning.line == _line(diaz, "    text: General Adnan")
    adams = team_dir / "adams.yaml"
    assert f"{adams}:{_line(adams, '    text: General Adnan')}" in warning.message


def _copy(tmp_path, name, analyst, text=None):
    text = K1.read_text(encoding="utf-8") if text is None else text
    path = tmp_path / name
    path.write_text(text.replace("analyst: ach example case (teaching file)", f"analyst: {analyst}"), encoding="utf-8")
    return path


def test_mismatch_errors_name_the_line_and_blame_the_odd_file_out(tmp_path):
    text = K1.read_text(encoding="utf-8")
    renamed = text.replace("  - id: OTHER\n", "  - id: OTHERS\n").replace("OTHER:", "OTHERS:")
    ann = _copy(tmp_path, "ann.yaml", "Ann", renamed)  # first by name, and the odd one out
    bob, cy = _copy(tmp_path, "bob.yaml", "Bob"), _copy(tmp_path, "cy.yaml", "Cy")
    with pytest.raises(CaseError) as err:
        align([load(p) for p in (bob, ann, cy)])
    (problem,) = err.value.diagnostics
    assert (problem.file, problem.line) == (str(ann), _line(ann, "  - id: OTHERS"))
    assert "missing OTHER" in problem.message and "unknown OTHERS" in problem.message
    assert f"{bob}:{_line(bob, 'hypotheses:')}" in problem.message
    assert "did you mean 'OTHER'?" in problem.hint and problem.field == "hypotheses OTHERS"
    # an item's source differs: at this file's `source:` line, naming the other file's
    start = text.index("  - id: E01\n")
    dan = _copy(
        tmp_path, "dan.yaml", "Dan", text[:start] + text[start:].replace("    source: us-gov\n", "    source: nyt\n", 1)
    )
    with pytest.raises(CaseError) as err:
        align([load(bob), load(dan)])
    (problem,) = err.value.diagnostics
    assert problem.code == "team-item-source" and problem.file == str(dan)
    assert problem.line == _line(dan, "    source: nyt", after="  - id: E01")
    assert f"{bob}:{_line(bob, '    source: us-gov', after='  - id: E01')}" in problem.message
    # two files of one analyst: at the second's `analyst:` line
    with pytest.raises(CaseError) as err:
        align([load(bob), load(_copy(tmp_path, "bob2.yaml", "Bob"))])
    (problem,) = err.value.diagnostics
    assert problem.code == "team-duplicate-analyst" and problem.line == _line(tmp_path / "bob2.yaml", "analyst:")


def test_ach_team_analyze_prints_the_warnings_at_their_lines_and_the_json_has_them(team_dir):
    baker, chen = team_dir / "baker.yaml", team_dir / "chen.yaml"
    _edit(baker, "  - id: E07\n", "  - id: E7\n")
    _edit(
        chen, "judgment: {KH: 0.45, IAM: 0.15, ISIS: 0.3, SUNNI: 0.05, OTHER: 0.05}", "judgment: {KH: 0.5, ISIS: 0.3}"
    )
    _edit(chen, E07_ISIS, "", after="  - id: E07\n")
    files = [str(p) for p in sorted(team_dir.glob("*.yaml"))]
    out = CliRunner().invoke(
        main, ["team", "analyze", *files, "--json", "--draws", "50", "--tune", "50", "--chains", "2"]
    )
    assert out.exit_code == 0, out.output
    assert f"{baker}:{_line(baker, '  - id: E7')}: warning: evidence E7:" in out.stderr
    assert f"{chen}:{_line(chen, 'judgment:')}: warning: judgment:" in out.stderr
    d = json.loads(out.stdout)
    assert [w["code"] for w in d["warnings"]] == ["team-judgment-sum", "team-item-alone"]
    assert d["not_rated"] == {"Chen": [["E07", "ISIS"]]}
    assert d["coherence"]["coherentized"]["Chen"] == pytest.approx(
        {"KH": 0.625, "IAM": 0, "ISIS": 0.375, "SUNNI": 0, "OTHER": 0}
    )
