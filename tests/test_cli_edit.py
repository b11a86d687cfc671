"""The editing commands and `ach diff`, run as the installed `ach` command on copies of real files."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

import ach

from .conftest import ACH_COMMAND
from .test_editing import (
    COMMENTED,
    K1,
    MINI,
    assert_only,
    hunks,
    line_of,
    no_temporary_files,
)

ROOT = Path(__file__).resolve().parents[1]


ACH = ACH_COMMAND


def ach_(*args, cwd: Path) -> subprocess.CompletedProcess:
    proc = subprocess.run([*ACH, *map(str, args)], capture_output=True, timeout=300, cwd=cwd)
    proc.out = proc.stdout.decode("utf-8")
    proc.err = proc.stderr.decode("utf-8")
    assert "Traceback" not in proc.err, proc.err
    return proc


@pytest.fixture(params=[K1, COMMENTED], ids=["k1", "commented"])
def case(request, tmp_path):
    """A copy of the file in a fresh folder, and the ids to edit in it."""
    path = tmp_path / request.param.name
    shutil.copyfile(request.param, path)
    ids = (
        {"item": "E07", "hyp": "KH", "source": "us-gov", "other_hyp": "ISIS"}
        if request.param == K1
        else {"item": "E1", "hyp": "KID", "source": "crumbs", "other_hyp": "DOG"}
    )
    return path, ids


def test_rate(case):
    path, ids = case
    before = path.read_text()
    old = line_of(before, rf"^      {ids['hyp']}: ", after=f"id: {ids['item']}")
    proc = ach_("rate", path.name, ids["item"], ids["hyp"], "very", "unlikely", cwd=path.parent)
    assert proc.returncode == 0, proc.err
    assert f"{path.name}: {ids['item']} under {ids['hyp']}:" in proc.out and "posterior now" in proc.out
    new_value = old.split(":", 1)[1].lstrip().split("#")[0].rstrip()
    assert_only(before, path.read_text(), [old], [hunks(before, path.read_text())[1][0].rstrip("\n")])
    changed = hunks(before, path.read_text())[1][0]
    assert "very unlikely" in changed and changed[changed.index("#") :] == old[old.index("#") :] + "\n"
    assert new_value not in changed
    assert ach.load(path).item(ids["item"]).likelihood[ids["hyp"]].label == "very unlikely"
    assert no_temporary_files(path.parent)


def test_rate_why(case):
    path, ids = case
    before = path.read_text()
    proc = ach_("rate", path.name, ids["item"], ids["hyp"], "0.25", "--why", "re-read the report", cwd=path.parent)
    assert proc.returncode == 0, proc.err
    removed, added = hunks(before, path.read_text())
    assert len(removed) == len(added) == 1 and added[0].rstrip().endswith("# re-read the report")
    assert ach.load(path).item(ids["item"]).likelihood[ids["hyp"]].mean == 0.25


def test_set(case):
    path, ids = case
    before = path.read_text()
    proc = ach_("set", path.name, ids["item"], "--credibility", "high", "--relevance", "medium", cwd=path.parent)
    assert proc.returncode == 0, proc.err
    removed, added = hunks(before, path.read_text())
    assert [x.split("#")[0].strip() for x in removed] == [
        re.sub(r"\s+#.*", "", line_of(before, r"^    credibility:", after=f"id: {ids['item']}")).strip()
    ] + (["relevance: low"] if path.name == "k1.yaml" else [])
    assert any("credibility: high" in x for x in added) and any("relevance: medium" in x for x in added)
    item = ach.load(path).item(ids["item"])
    assert item.relevance == "medium" and item.credibility.mean == 0.9
    proc = ach_("set", path.name, ids["source"], "--reliability", "B", cwd=path.parent)
    assert proc.returncode == 0, proc.err
    assert ach.load(path).source(ids["source"]).reliability.mean == 0.8


def test_rm_item_and_hypothesis(case):
    path, ids = case
    before = path.read_text()
    proc = ach_("rm", path.name, ids["item"], cwd=path.parent)
    assert proc.returncode == 0, proc.err
    removed, added = hunks(before, path.read_text())
    assert not added and removed[0] == f"  - id: {ids['item']}\n"
    assert ids["item"] not in [e.id for e in ach.load(path).evidence]
    before = path.read_text()
    proc = ach_("rm", path.name, ids["other_hyp"], cwd=path.parent)
    assert proc.returncode == 0, proc.err
    removed, added = hunks(before, path.read_text())
    assert all(ids["other_hyp"] in x or not x.lstrip().startswith(("KH", "DOG", "KID", "OTHER")) for x in removed)
    assert ids["other_hyp"] not in ach.load(path).hypothesis_ids


def test_add_hypothesis_source_evidence(case):
    path, ids = case
    before = path.read_text()
    prior = ["--prior", "5"]
    proc = ach_(
        "add",
        "hypothesis",
        path.name,
        "--id",
        "STATE",
        "--title",
        "A state service",
        *prior,
        "--default-rating",
        "N",
        cwd=path.parent,
    )
    assert proc.returncode == 0, proc.err
    assert "to do:" in proc.out and "TODO rate" in proc.out
    removed, added = hunks(before, path.read_text())
    # only one-line likelihoods (and per-hypothesis if_false) gain a cell in place
    assert all(x.startswith(("    likelihood: {", "    if_false: {")) for x in removed)
    assert any(x == "  - id: STATE\n" for x in added)
    before = path.read_text()
    proc = ach_(
        "add", "source", path.name, "--id", "cctv", "--reliability", "B", "--title", "A camera", cwd=path.parent
    )
    assert proc.returncode == 0, proc.err
    proc = ach_(
        "add",
        "evidence",
        path.name,
        "--text",
        "The camera saw it",
        "--source",
        "cctv",
        "--rate",
        f"{ids['hyp']}=likely",
        "--rate",
        f"{ids['other_hyp']}=very unlikely",
        "--credibility",
        "2",
        cwd=path.parent,
    )
    assert proc.returncode == 0, proc.err
    removed, added = hunks(before, path.read_text())
    assert not removed
    case_ = ach.load(path)
    item = case_.evidence[-1]
    assert item.source == "cctv" and item.likelihood[ids["other_hyp"]].label == "very unlikely"
    assert item.likelihood["STATE"] is None  # not rated: NA with a TODO comment
    assert "TODO rate" in proc.out


@pytest.mark.parametrize(
    "args, message",
    [
        (["rate", "{case}", "{item}", "{hyp}", "CCC"], r"rating 'CCC' is not"),
        (["rate", "{case}", "{item}", "NOPE", "likely"], r"'NOPE' is not a hypothesis"),
        (["rm", "{case}", "{source}"], r"is used by"),
        (["set", "{case}", "{source}", "--reliability", "Z"], r"reliability 'Z' is not understood"),
        (["set", "{case}", "{item}", "--date", "2020-13-01"], r"not in the expected form|not a calendar date"),
        (["add", "evidence", "{case}", "--text", "x", "--rate", "NOPE=likely"], r"'NOPE' is not a hypothesis"),
        (["add", "source", "{case}", "--id", "{source}", "--reliability", "B"], r"there is already a source"),
        (["add", "hypothesis", "{case}", "--id", "X", "--title", "x"], r"needs one too|cannot take NA"),
    ],
    ids=[
        "bad-rating",
        "unknown-hypothesis",
        "source-in-use",
        "bad-reliability",
        "bad-date",
        "add-unknown-hyp",
        "duplicate-source",
        "hypothesis-without-prior",
    ],
)
def test_invalid_edits_exit_1_located_and_leave_the_file_alone(case, args, message):
    path, ids = case
    original = path.read_bytes()
    proc = ach_(*[a.format(case=path.name, **ids) for a in args], cwd=path.parent)
    assert proc.returncode == 1, (proc.out, proc.err)
    assert re.search(message, proc.err), proc.err
    assert re.search(rf"^{re.escape(path.name)}:\d+: error:", proc.err, re.M), proc.err  # file:line
    assert f"{path.name} was not changed" in proc.err
    assert path.read_bytes() == original
    assert no_temporary_files(path.parent)


def test_dry_run_shows_the_diff_and_writes_nothing(case):
    path, ids = case
    original = path.read_bytes()
    proc = ach_("rate", path.name, ids["item"], ids["hyp"], "likely", "--dry-run", cwd=path.parent)
    assert proc.returncode == 0, proc.err
    assert proc.out.startswith(f"--- a/{path.name}\n+++ b/{path.name}\n") and "dry run" in proc.err
    assert path.read_bytes() == original


def test_ambiguous_id_asks_for_kind(tmp_path):
    path = tmp_path / "c.yaml"
    path.write_text(COMMENTED.read_text().replace("  - id: C1\n", "  - id: E3\n"))
    proc = ach_("rm", path.name, "E3", cwd=tmp_path)
    assert proc.returncode == 1 and "--kind" in proc.err
    proc = ach_("rm", path.name, "E3", "--kind", "candidate", cwd=tmp_path)
    assert proc.returncode == 0, proc.err
    assert not ach.load(path).collection


def test_bad_command_line_is_exit_2(tmp_path):
    path = tmp_path / "m.yaml"
    shutil.copyfile(MINI, path)
    proc = ach_("add", "evidence", path.name, "--text", "x", "--rate", "DOG", cwd=tmp_path)
    assert proc.returncode == 2 and "HYP=RATING" in proc.err
    assert path.read_bytes() == MINI.read_bytes()


def test_new(tmp_path):
    proc = ach_(
        "new",
        "cake.yaml",
        "--question",
        "Who ate the cake?",
        "-H",
        "DOG: The dog",
        "-H",
        "KID: The child",
        "-H",
        "OTHER: Someone else",
        "--catch-all",
        "OTHER",
        cwd=tmp_path,
    )
    assert proc.returncode == 0, proc.err
    path = tmp_path / "cake.yaml"
    case = ach.load(path)
    assert case.question == "Who ate the cake?" and case.hypothesis_ids == ["DOG", "KID", "OTHER"]
    validate = ach_("validate", path.name, cwd=tmp_path)
    assert validate.returncode == 0, validate.err
    text = path.read_text()
    proc = ach_("new", "cake.yaml", "--question", "Again?", cwd=tmp_path)
    assert proc.returncode == 1 and "exists already" in proc.err
    assert path.read_text() == text
    # the scaffold is then grown by the other commands, its comments kept
    proc = ach_("rate", "cake.yaml", "E1", "DOG", "likely", cwd=tmp_path)
    assert proc.returncode == 0, proc.err
    removed, added = hunks(text, path.read_text())
    assert len(removed) == 1 and added == ["      DOG: likely\n"]


def test_diff_text_and_json(tmp_path):
    path = tmp_path / "k1.yaml"
    shutil.copyfile(K1, path)
    assert ach_("rate", path.name, "E07", "KH", "likely", cwd=tmp_path).returncode == 0
    proc = ach_("diff", K1, path.name, cwd=tmp_path)
    assert proc.returncode == 0, proc.err
    assert "1 change" in proc.out and "E07 under KH: 0.4 → likely" in proc.out and "total" in proc.out
    proc = ach_("diff", K1, path.name, "--json", cwd=tmp_path)
    data = json.loads(proc.out)
    [change] = data["changes"]
    assert change["kind"] == "item re-rated" and change["field"] == "likelihood.KH"
    old = ach.analyze(K1, sample=False)
    new = ach.analyze(path, sample=False)
    for j, h in enumerate(old.hypotheses):
        assert change["move"][h] == pytest.approx(new.posterior[j] - old.posterior[j], abs=1e-9)
    proc = ach_("diff", K1, K1, cwd=tmp_path)
    assert proc.returncode == 0 and "no changes" in proc.out


def test_diff_reads_stdin_and_reports_invalid_files(tmp_path):
    proc = subprocess.run([*ACH, "diff", "-", str(K1)], input=K1.read_bytes(), capture_output=True, timeout=300)
    assert proc.returncode == 0 and b"no changes" in proc.stdout
    bad = tmp_path / "bad.yaml"
    bad.write_text("question: [\n")
    proc = ach_("diff", K1, bad.name, cwd=tmp_path)
    assert proc.returncode == 1 and re.search(r"^bad\.yaml:\d+: error:", proc.err, re.M)
