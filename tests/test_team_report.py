"""The team's section: in the case's report (``ach report --team``) and on a page of its own (``ach team report``)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

import ach
from ach.cli import main
from ach.report import Report
from ach.team import analyze_team
from ach.team.report import team_section, write_report
from ach.team.text import rows

ROOT = Path(__file__).resolve().parents[1]
K1 = ROOT / "cases" / "k1.yaml"
TEAM = sorted((ROOT / "cases" / "k1-team").glob("*.yaml"))
SMALL = {"draws": 150, "tune": 150, "chains": 2, "seed": 3}
HOSTILE = "**Bold** [x](javascript:alert(1)) <script>alert(2)</script>"


@pytest.fixture(scope="module")
def team():
    return analyze_team(TEAM, **SMALL)


def test_the_team_report_page_markdown_figures_and_json(team, tmp_path):
    page = write_report(team, tmp_path).read_text(encoding="utf-8")
    markdown = (tmp_path / "report.md").read_text(encoding="utf-8")
    for name in ("posteriors", "disagreement", "bias"):
        assert (tmp_path / "figures" / f"team-{name}.png").stat().st_size > 10_000
        assert f"(figures/team-{name}.png)" in markdown
    assert page.count('src="data:image/png;base64,') == 3  # self-contained
    assert json.loads((tmp_path / "team.json").read_text(encoding="utf-8")) == team.to_dict()
    d = team.to_dict()
    lead = max(d["hypotheses"], key=lambda h: d["pooled"]["posterior"][h])
    assert f"<strong>{lead}</strong> leads at {100 * d['pooled']['posterior'][lead]:.1f}" in page
    for text in (page, markdown):
        assert "Mandel, Karvetski" in text and "Disagreements to discuss first" in text
        for name in d["analysts"]:
            assert text.count(f"{100 * d['each'][name]['posterior'][lead]:.1f}") >= 1
    # every cell listed to discuss is one the analysts rate differently, highest impact first
    listed = re.findall(r"\| (E\d+) \| [^|]+ \| (\w+) \| ([\d.]+) pp \|", markdown)
    assert listed and [float(x) for *_, x in listed] == sorted((float(x) for *_, x in listed), reverse=True)
    spread = {(x["item"], x["hypothesis"]): x for x in d["disagreement"]}
    assert all(spread[e, h]["high"] > spread[e, h]["low"] for e, h, _ in listed)


def test_the_terminal_table_says_the_same(team):
    table = rows(team.to_dict())
    assert table[0].split()[2:] == team.team.hypotheses
    team_row = next(line for line in table if line.startswith("team model")).split()[2:]
    assert [float(x) for x in team_row] == pytest.approx(100 * team.pooled.posterior, abs=0.051)
    assert any(("healthy" in line) or ("FAILED" in line) for line in table)


def test_the_case_report_gains_a_team_section_numbered_on(team):
    report = Report(ach.analyze(K1, sample=False), sections=[team_section(team)])
    own = len(report.context["figures"]) + len(report.context["fig"])
    html, markdown = report.to_html(), report.to_markdown()
    assert '<a href="#team">Team analysis</a>' in html and '<section id="team">' in html
    assert html.index('id="change-our-mind"') < html.index('id="team"') < html.index('id="classic"')
    assert f"Figure {own + 1}. Each analyst's posterior" in markdown
    assert f"Figure {own + 3}. Analysts' tendencies" in markdown
    assert "(figures/team-disagreement.png)" in markdown
    assert set(report.figures()) >= {"team-posteriors", "team-disagreement", "team-bias"}


def test_the_section_says_whether_the_team_and_the_case_share_a_leader(team):
    pooled = dict(zip(team.team.hypotheses, team.pooled.posterior))
    leader = max(pooled, key=pooled.get)
    other = next(h for h in pooled if h != leader)
    same = {h: (0.9 if h == leader else 0.1 / (len(pooled) - 1)) for h in pooled}
    differ = {h: (0.9 if h == other else 0.1 / (len(pooled) - 1)) for h in pooled}
    assert team_section(team).data["case"] is None
    shown = Report(ach.analyze(K1, sample=False), sections=[team_section(team, case_posterior=same)]).to_markdown()
    assert f"The case's own analysis also puts {leader} first (90.0 %)" in shown
    assert "differ on the leader" not in shown
    shown = Report(ach.analyze(K1, sample=False), sections=[team_section(team, case_posterior=differ)]).to_html()
    assert "The team and the case differ on the leader" in shown and f"puts {other} first" in shown


def test_analyst_names_and_item_texts_stay_text(tmp_path):
    files = []
    for n, path in enumerate(TEAM[:2]):
        text = path.read_text(encoding="utf-8")
        text = re.sub(r"(?m)^analyst: .*$", f"analyst: '{HOSTILE} {n}'", text)
        files.append(tmp_path / path.name)
        files[-1].write_text(text, encoding="utf-8")
    result = analyze_team(files, **SMALL)
    page = write_report(result, tmp_path / "out").read_text(encoding="utf-8")
    markdown = (tmp_path / "out" / "report.md").read_text(encoding="utf-8")
    assert "<script>" not in page and "&lt;script&gt;" in page
    assert not re.search(r"(?<!\\)\]\(javascript:", markdown) and "\\*\\*Bold\\*\\*" in markdown


def test_ach_report_team_option(tmp_path):
    out = CliRunner().invoke(
        main,
        ["report", str(K1), "--no-sample", "-q", "-o", str(tmp_path), "--team", str(TEAM[0].parent)]
        + ["--draws", "100", "--tune", "100", "--chains", "2"],
    )
    assert out.exit_code == 0, out.output
    assert '<section id="team">' in (tmp_path / "report.html").read_text(encoding="utf-8")
    assert (tmp_path / "figures" / "team-bias.png").exists()


def test_ach_report_refuses_a_team_of_another_question(tmp_path):
    other = tmp_path / "other.yaml"
    text = TEAM[0].read_text(encoding="utf-8")
    other.write_text(text.replace("  - id: SUNNI\n", "  - id: BAATH\n").replace("SUNNI:", "BAATH:"), encoding="utf-8")
    out = CliRunner().invoke(
        main,
        ["report", str(K1), "--no-sample", "-q", "-o", str(tmp_path / "r"), "--team", str(other)]
        + ["--draws", "60", "--tune", "60", "--chains", "1"],
    )
    assert out.exit_code == 1 and "Traceback" not in out.output
    assert "k1.yaml" in out.stderr and "hypotheses" in out.stderr and "BAATH" in out.stderr
    assert "--team" in out.stderr
    assert not (tmp_path / "r" / "report.html").exists()
