"""Nothing more certain than the analyst said: ties, the prior's part, hindsight, unsourced items,
what-if edits that break a case, and edits that are never lost (issue 9)."""

from __future__ import annotations

import json
import multiprocessing
import os
import subprocess
import time

import numpy as np
import pytest

import ach
from ach import editing
from ach.casefile import loads
from ach.errors import CaseError, EditError

from .conftest import ACH_COMMAND, K1, MINI, ROOT

TIE = """\
question: Who?
hypotheses:
  - {id: A, title: Suspect A}
  - {id: B, title: Suspect B}
  - {id: X, title: Someone else, catch_all: true}
sources:
  - {id: s, reliability: 0.9}
evidence:
  - {id: E1, text: Seen near the door, source: s, likelihood: {A: likely, B: likely, X: unlikely}}
  - {id: E2, text: Motive, source: s, likelihood: {A: 0.6, B: 0.6, X: 0.3}}
"""


def run(*args, cwd=ROOT, stdin=None):
    proc = subprocess.run([*ACH_COMMAND, *map(str, args)], capture_output=True, text=True, cwd=cwd, input=stdin)
    assert "Traceback" not in proc.stderr, proc.stderr
    return proc


# -- ties ---------------------------------------------------------------------------------
def test_an_exact_tie_has_no_leader_anywhere():
    result = ach.analyze(loads(TIE), sample=False)
    assert result.leading is None and result.leaders == ["A", "B"]
    assert result.bottom_line().startswith("There is no single leading hypothesis: Suspect A (A) and Suspect B (B)")
    d = result.to_dict()
    assert d["leading"] is None and d["judgment"]["tied"] == ["A", "B"] and d["judgment"]["leading"] is None
    assert d["sensitivity"]["leave_one_out"]["linchpins"] == {"items": [], "sources": []}
    assert d["sensitivity"]["thresholds"]["items"] == [] and d["sensitivity"]["thresholds"]["prior"] is None
    markdown = result.report().to_markdown()
    assert "The judgment rests on" not in markdown and "No single hypothesis leads" in markdown
    assert "| prior | before any evidence | 33 % | 33 % | 33 % | tie |" in markdown  # a uniform prior leads nobody


def test_a_tie_is_drawn_as_a_tie():
    from ach import plots

    result = ach.analyze(loads(TIE), sample=False)
    ax = plots.plot_posterior(result)
    assert "tied" in ax.get_title(loc="left")
    colors = {bar.get_facecolor() for bar in ax.patches[:2]}
    assert len(colors) == 1  # both tied bars in the leader's colour


def test_the_tie_is_said_in_the_terminal_too():
    proc = run("analyze", "-", "--no-sample", stdin=TIE)
    assert proc.returncode == 0 and "no single leading hypothesis" in proc.stdout


# -- the prior, hindsight, unsourced items ---------------------------------------------------
def test_k1_says_the_prior_carries_the_lead_and_the_date_it_speaks_for():
    result = ach.analyze(K1, sample=False)
    j = result.to_dict()["judgment"]
    assert j["leading"] == "KH" and j["evidence_favours"] == "ISIS" and j["carried_by_prior"] is True
    assert j["as_of"] == "2020-02-06" and j["hindsight_items"] == ["E28", "E29", "E30", "E31"]
    assert set(j["with_later_reporting"]) == set(result.hypotheses)
    assert result.bottom_line().startswith("As of 2020-02-06, Kataib Hezbollah (KH) is the leading hypothesis")
    first = result.qualifications()[0]
    assert first.startswith("The evidence alone favours ISIS") and "KH leads on its prior (35 % against 20 %)" in first
    # the headline is the case as of its date: the same as the file without the later items
    text = K1.read_text()
    cut = loads(text.replace("as_of: 2020-02-06", "as_of: 2020-02-06\n# (as_of kept)", 1), "k1.yaml")
    assert len(result.case.evidence) == len(cut.evidence) - 4


def test_without_as_of_every_item_counts():
    text = K1.read_text()
    case = loads(text[: text.index("as_of:")] + text[text.index("\n", text.index("as_of:")) + 1 :], str(K1))
    result = ach.analyze(case, sample=False)
    assert result.hindsight == () and result.later is None and len(result.case.evidence) == 31
    assert result.judgment.as_of is None


def test_the_report_counts_the_items_taken_as_fully_reliable():
    case = loads(TIE.replace("source: s, ", ""))
    result = ach.analyze(case, sample=False)
    assert result.unsourced == ["E1", "E2"]
    assert any("2 items of 2 name no source and are taken as fully reliable" in q for q in result.qualifications())
    one = ach.analyze(loads(TIE.replace("text: Motive, source: s, ", "text: Motive, ")), sample=False)
    assert any("1 item of 2 names no source and is taken as fully reliable" in q for q in one.qualifications())
    stated = ach.analyze(loads(TIE.replace("source: s, ", "") + "default_reliability: 0.8\n"), sample=False)
    assert stated.unsourced == [] and stated.case.sources[-1].reliability.mean == pytest.approx(0.8)


def test_confidence_is_never_high_when_independence_is_only_assumed(k1_sampled):
    unsourced = loads(TIE.replace("source: s, ", "").replace("0.6, B: 0.6", "0.9, B: 0.1"))
    result = ach.analyze(unsourced, progress=False)
    level, reasons = result.confidence
    assert level != "high" and any("name no source" in r for r in reasons)


# -- what-if checks ---------------------------------------------------------------------------
def test_whatif_refuses_what_the_loader_refuses():
    case = ach.load(MINI)
    with pytest.raises(CaseError, match="prior weights are all zero"):
        ach.whatif(case, prior=dict.fromkeys(case.hypothesis_ids, 0))
    with pytest.raises(CaseError, match="impossible under every hypothesis"):
        ach.whatif(case, set={f"E1.{h}": 0 for h in case.hypothesis_ids})
    proc = run("whatif", MINI, "--set", "E1.DOG=0", "--set", "E1.KID=0", "--set", "E1.OTHER=0")
    assert proc.returncode == 1 and "impossible under every hypothesis" in proc.stderr and "nan" not in proc.stdout


# -- ach sensitivity leaves the report's figures alone -------------------------------------------
def test_sensitivity_figures_never_replace_a_reports(tmp_path):
    (tmp_path / "cases").mkdir()
    case = tmp_path / "cases" / "mini.yaml"
    case.write_bytes(MINI.read_bytes())
    assert run("report", case, "--no-sample", "-q", cwd=tmp_path).returncode == 0
    figures = tmp_path / "reports" / "mini" / "figures"
    before = {p.name: p.read_bytes() for p in figures.iterdir()}
    assert run("sensitivity", case, "--no-sample", cwd=tmp_path).returncode == 0
    assert {p.name: p.read_bytes() for p in figures.iterdir()} == before
    assert any((tmp_path / "reports" / "mini" / "sensitivity").iterdir())


# -- edits are never lost --------------------------------------------------------------------------
def _rate(args):
    path, item, hyp, value = args
    editing.rate(path, item, hyp, value)
    return item


def test_concurrent_edits_through_the_api_are_all_kept(tmp_path):
    path = tmp_path / "k1.yaml"
    path.write_bytes(K1.read_bytes())
    items = [e.id for e in ach.load(K1).evidence][:12]
    with multiprocessing.get_context("fork").Pool(6) as pool:
        done = pool.map(_rate, [(path, eid, "SUNNI", 0.123) for eid in items])
    assert sorted(done) == sorted(items)
    case = ach.load(path)
    assert all(case.item(eid).likelihood["SUNNI"].mean == pytest.approx(0.123) for eid in items)


def test_concurrent_edits_through_the_cli_are_all_kept(tmp_path):
    path = tmp_path / "k1.yaml"
    path.write_bytes(K1.read_bytes())
    items = [e.id for e in ach.load(K1).evidence][:8]
    procs = [
        subprocess.Popen(
            [*ACH_COMMAND, "rate", str(path), eid, "OTHER", "0.0123"], stdout=subprocess.PIPE, stderr=subprocess.PIPE
        )
        for eid in items
    ]
    assert all(p.wait(timeout=300) == 0 for p in procs)
    case = ach.load(path)
    assert all(case.item(eid).likelihood["OTHER"].mean == pytest.approx(0.0123) for eid in items)


def test_a_change_made_on_disk_during_an_edit_is_never_overwritten(tmp_path, monkeypatch):
    path = tmp_path / "mini.yaml"
    path.write_bytes(MINI.read_bytes())
    original = editing.apply.__globals__["_edit"]

    def meanwhile(p, before, edit):  # another program saves the file while ach works
        path.write_text(before.replace("Who ate the cake?", "Who really ate the cake?"))
        return original(p, before, edit)

    monkeypatch.setitem(editing.apply.__globals__, "_edit", meanwhile)
    with pytest.raises(EditError, match="changed on disk"):
        editing.rate(path, "E1", "DOG", 0.9)
    assert "Who really ate the cake?" in path.read_text()


def test_a_read_only_file_is_not_edited(tmp_path):
    path = tmp_path / "mini.yaml"
    path.write_bytes(MINI.read_bytes())
    path.chmod(0o444)
    before = path.read_bytes()
    proc = run("rate", path, "E1", "DOG", "0.9")
    assert proc.returncode == 1 and "read-only" in proc.stderr and path.read_bytes() == before


def test_a_folder_that_cannot_be_written_gives_a_message(tmp_path, monkeypatch):
    path = tmp_path / "mini.yaml"
    path.write_bytes(MINI.read_bytes())

    def refuse(*_args, **_kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setitem(editing.apply.__globals__, "write_atomic", refuse)
    with pytest.raises(EditError, match="cannot write in the file's folder"):
        editing.rate(path, "E1", "DOG", 0.9)


def test_a_killed_edits_temporary_file_is_cleaned_up(tmp_path):
    path = tmp_path / "mini.yaml"
    path.write_bytes(MINI.read_bytes())
    stale, fresh = tmp_path / ".mini.yaml.abc123.tmp", tmp_path / ".mini.yaml.def456.tmp"
    stale.write_text("half")
    fresh.write_text("in progress")
    old = time.time() - 3600
    os.utime(stale, (old, old))
    editing.rate(path, "E1", "DOG", 0.9)
    assert not stale.exists() and fresh.exists()


# -- what new files say about unsourced items --------------------------------------------------------
def test_importers_and_add_write_the_default_reliability_they_assume(tmp_path):
    from ach import io

    data, _, warnings = io.read(ROOT / "tests" / "data" / "achz" / "small.achz")
    assert data["default_reliability"] == 1 and any(w.code == "unsourced" for w in warnings)
    path = tmp_path / "case.yaml"
    path.write_text(TIE)
    edit = editing.add_evidence(path, "A footprint", {"A": "likely", "B": "unlikely", "X": "N"})
    assert "default_reliability: 1" in path.read_text() and any("default_reliability" in c for c in edit.changes)


def test_json_numbers_keep_their_precision():
    case = loads(TIE.replace("{A: 0.6, B: 0.6, X: 0.3}", "{A: 1.0e-11, B: 2.0e-11, X: 3.0e-11}"))
    d = json.loads(json.dumps(ach.analyze(case, sample=False).to_dict()))
    assert d["inputs"]["evidence"]["E2"]["likelihood"]["A"] == 1e-11
    assert np.isclose(sum(d["exact"]["posterior"].values()), 1.0)
