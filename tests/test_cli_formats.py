"""`ach import` and `ach export`, run as the installed command: round trips, refusals, no tracebacks."""

from __future__ import annotations

import gzip
import json
import subprocess
import tempfile
from pathlib import Path

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from .conftest import ACH_COMMAND

ROOT = Path(__file__).resolve().parents[1]
K1 = ROOT / "cases" / "k1.yaml"
MINI = ROOT / "tests" / "data" / "mini.yaml"
SHEETS = ROOT / "tests" / "data" / "sheets"
PLACE_KEYS = {"case", "ach_version", "provenance", "path", "sha256", "file", "line", "generated"}


ACH = ACH_COMMAND


def ach(*args, cwd: Path | None = None) -> subprocess.CompletedProcess:
    proc = subprocess.run([*ACH, *map(str, args)], capture_output=True, timeout=600, cwd=cwd or ROOT)
    proc.out = proc.stdout.decode("utf-8")
    proc.err = proc.stderr.decode("utf-8")
    assert "Traceback" not in proc.err, proc.err
    assert "internal error" not in proc.err, proc.err
    return proc


def numbers(case: Path) -> dict:
    """`ach analyze --no-sample --json`, less where the case was read from, when and by which ach."""
    proc = ach("analyze", case, "--no-sample", "--json")
    assert proc.returncode == 0, proc.err

    def strip(node):
        if isinstance(node, dict):
            return {k: strip(v) for k, v in node.items() if k not in PLACE_KEYS}
        if isinstance(node, list):
            return [strip(v) for v in node]
        return node

    return strip(json.loads(proc.out))


@pytest.mark.parametrize("suffix", [".xlsx", ".csv"])
@pytest.mark.parametrize("case", [K1, MINI], ids=lambda p: p.name)
def test_export_then_import_gives_the_same_numbers(case, suffix, tmp_path):
    sheet = tmp_path / f"case{suffix}"
    proc = ach("export", case, "--to", sheet)
    assert proc.returncode == 0, proc.err
    assert proc.out.startswith(f"{sheet}: ")
    back = tmp_path / "back.yaml"
    proc = ach("import", sheet, "-o", back)
    assert proc.returncode == 0, proc.err
    assert proc.out.startswith(f"{back}: written from {sheet}: ")
    text = back.read_text()
    assert text.startswith("# yaml-language-server:")
    assert f"# Written by `ach import case{suffix}` on " in text  # where from, and when
    assert numbers(back) == numbers(case)
    assert ach("validate", back).returncode == 0


def test_csv_export_lists_its_companions(tmp_path):
    proc = ach("export", K1, "--to", tmp_path / "k1.csv")
    assert proc.returncode == 0, proc.err
    for name in ("k1.hypotheses.csv", "k1.sources.csv", "k1.case.csv", "k1.collection.csv"):
        assert (tmp_path / name).exists() and name in proc.out


def test_export_refuses_to_overwrite_without_force(tmp_path):
    target = tmp_path / "mini.xlsx"
    target.write_bytes(b"precious")
    proc = ach("export", MINI, "--to", target)
    assert proc.returncode == 1
    assert f"{target}: error: the file exists already; nothing was written" in proc.err
    assert target.read_bytes() == b"precious"
    proc = ach("export", MINI, "--to", target, "--force")
    assert proc.returncode == 0, proc.err
    assert target.read_bytes().startswith(b"PK")


def test_import_refuses_to_overwrite_without_force(tmp_path):
    out = tmp_path / "case.yaml"
    out.write_text("precious")
    proc = ach("import", SHEETS / "cake.xlsx", "-o", out)
    assert proc.returncode == 1 and "exists already" in proc.err and out.read_text() == "precious"
    proc = ach("import", SHEETS / "cake.xlsx", "-o", out, "--force")
    assert proc.returncode == 0, proc.err
    assert "Who ate the cake?" in out.read_text()


def test_an_invalid_sheet_is_refused_with_located_errors_and_nothing_written(tmp_path):
    sheet = tmp_path / "mini.xlsx"
    assert ach("export", MINI, "--to", sheet).returncode == 0
    wb = openpyxl.load_workbook(sheet)
    wb["Evidence"]["K4"] = "probablyy"
    wb["Sources"]["C2"] = "Z"
    wb.save(sheet)
    out = tmp_path / "out.yaml"
    proc = ach("import", sheet, "-o", out)
    assert proc.returncode == 1
    assert f"{sheet}: error: Evidence!K4 (KID): rating 'probablyy' is not one of" in proc.err
    assert f"{sheet}: error: Sources!C2 (reliability): reliability 'Z' is not understood" in proc.err
    assert proc.err.rstrip().endswith("2 errors: nothing was written")
    assert not out.exists() and list(tmp_path.iterdir()) == [sheet]


def test_warnings_are_shown_and_the_case_is_written(tmp_path):
    csv_file = tmp_path / "bare.csv"
    csv_file.write_text("id,text,A,B\nE1,x,CC,I\n")
    (tmp_path / "bare.case.csv").write_text("question,Which?\n")
    proc = ach("import", csv_file, "-o", tmp_path / "bare.yaml")
    assert proc.returncode == 0, proc.err
    assert f"{csv_file}: warning: row 1: no bare.hypotheses.csv: the hypotheses are the rating columns A, B" in proc.err
    assert "warning" in proc.out and (tmp_path / "bare.yaml").exists()


def test_one_unsourced_item_names_no_source(tmp_path):
    for n, said in ((1, "1 item names no source"), (2, "2 items name no source")):
        csv_file = tmp_path / f"s{n}.csv"
        csv_file.write_text("id,text,A,B\n" + "".join(f"E{i},x,CC,I\n" for i in range(1, n + 1)))
        proc = ach("import", csv_file, "-o", tmp_path / f"s{n}.yaml")
        assert proc.returncode == 0 and f"warning: default_reliability: {said}: " in proc.err, proc.err


def test_import_json_lists_every_problem_the_terminal_cuts(tmp_path):
    """Past 50 problems the terminal says which command lists them all, and that command does."""
    csv_file = tmp_path / "many.csv"
    csv_file.write_text("id,text,A,B\n" + "".join(f"E{i},x,zz{i},C\n" for i in range(1, 71)))
    out = tmp_path / "many.yaml"
    proc = ach("import", csv_file, "-o", out)
    assert proc.returncode == 1 and not out.exists()
    assert f"...and 23 more not shown (20 errors, 3 warnings): `ach import {csv_file} --json` lists all" in proc.err
    listed = ach("import", csv_file, "--json")
    assert listed.returncode == 1 and not out.exists()
    (report,) = json.loads(listed.out)
    validated = json.loads(ach("validate", "--json", MINI).out)[0]
    assert set(report) == set(validated) and report["path"] == str(csv_file) and report["valid"] is False
    bad = [d for d in report["diagnostics"] if d["level"] == "error"]
    assert sorted(d["field"] for d in bad) == sorted(f"row {i + 1}, column C (A)" for i in range(1, 71))
    assert all(d["file"] == str(csv_file) and "'zz" in d["message"] and d["hint"] for d in bad)


def test_import_json_writes_a_valid_case_and_says_so_on_stderr(tmp_path):
    csv_file = tmp_path / "ok.csv"
    csv_file.write_text("id,text,A,B\nE1,x,CC,I\n")
    out = tmp_path / "ok.yaml"
    proc = ach("import", csv_file, "--json", "-o", out)
    assert proc.returncode == 0 and out.exists(), proc.err
    (report,) = json.loads(proc.out)
    assert report["valid"] is True and report["diagnostics"] and f"{out}: written from {csv_file}" in proc.err
    checked = ach("import", csv_file, "--json")  # no --out: only checked
    assert checked.returncode == 0 and json.loads(checked.out) == [report]
    again = ach("import", csv_file, "--json", "-o", out)  # a refusal is JSON too
    assert again.returncode == 1 and [d["code"] for d in json.loads(again.out)[0]["diagnostics"]] == ["exists"]
    proc = ach("import", csv_file)
    assert proc.returncode == 2 and "--out" in proc.err and "--json" in proc.err


def test_unknown_kinds_of_file_are_a_usage_error(tmp_path):
    (tmp_path / "x.ods").write_bytes(b"PK")
    proc = ach("import", tmp_path / "x.ods", "-o", tmp_path / "x.yaml")
    assert proc.returncode == 2 and "save it as an Excel workbook (.xlsx)" in proc.err
    proc = ach("export", MINI, "--to", tmp_path / "x.json")
    assert proc.returncode == 2 and "must end in .xlsx or .csv" in proc.err
    proc = ach("import", SHEETS / "cake.xlsx", "-o", tmp_path / "x.xlsx")
    assert proc.returncode == 2 and "is not a .yaml file" in proc.err
    assert not (tmp_path / "x.yaml").exists() and not (tmp_path / "x.xlsx").exists()


def test_export_of_an_invalid_case_writes_nothing(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("question: Q\nhypotheses: []\nevidence: []\n")
    proc = ach("export", bad, "--to", tmp_path / "bad.xlsx")
    assert proc.returncode == 1 and "nothing was written" in proc.err
    assert not (tmp_path / "bad.xlsx").exists()


def test_a_missing_file(tmp_path):
    proc = ach("import", tmp_path / "nope.xlsx", "-o", tmp_path / "nope.yaml")
    assert proc.returncode == 1 and "no such file" in proc.err


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(raw=st.binary(max_size=2000), suffix=st.sampled_from([".xlsx", ".csv"]))
def test_random_bytes_exit_1_without_a_traceback_or_an_output_file(raw, suffix):
    with tempfile.TemporaryDirectory() as folder:
        folder = Path(folder)
        (folder / f"junk{suffix}").write_bytes(raw)
        (folder / "junk.case.csv").write_text("question,Q?\n")
        proc = ach("import", folder / f"junk{suffix}", "-o", folder / "out.yaml")
        assert proc.returncode == 1, proc.err
        assert "nothing was written" in proc.err
        assert not (folder / "out.yaml").exists()
        assert not [p for p in folder.iterdir() if p.name.startswith(".out.yaml")]  # no temporary file left


def test_a_truncated_workbook(tmp_path):
    sheet = tmp_path / "mini.xlsx"
    assert ach("export", MINI, "--to", sheet).returncode == 0
    raw = sheet.read_bytes()
    sheet.write_bytes(raw[: len(raw) // 2])
    proc = ach("import", sheet, "-o", tmp_path / "out.yaml")
    assert proc.returncode == 1 and f"{sheet}: error: the workbook is damaged or truncated" in proc.err
    assert not (tmp_path / "out.yaml").exists()


# -- .achz files go to ach.io.achz ----------------------------------------------------


ACHZ = """<?xml version="1.0" encoding="utf-16"?>
<ACHProject version="2.0.5">
  <Title>The missing cake</Title>
  <Hypotheses>
    <Hypothesis><Name>The dog</Name></Hypothesis>
    <Hypothesis><Name>Someone else</Name></Hypothesis>
  </Hypotheses>
  <Evidence>
    <Item><Name>Crumbs on the dog bed</Name><Consistency>C,I</Consistency></Item>
    <Item><Name>The child says the dog did it</Name><Consistency>CC,N</Consistency></Item>
  </Evidence>
</ACHProject>
"""


def test_achz_is_imported_through_its_reader(tmp_path):
    achz = tmp_path / "cake.achz"
    achz.write_bytes(gzip.compress(ACHZ.encode("utf-16")))
    out = tmp_path / "cake.yaml"
    proc = ach("import", achz, "-o", out)
    assert proc.returncode == 0, proc.err
    text = out.read_text()
    assert "# Written by `ach import cake.achz` on " in text and "PARC ACH" in text
    assert ach("validate", out).returncode == 0


def test_a_broken_achz_is_refused(tmp_path):
    achz = tmp_path / "junk.achz"
    achz.write_bytes(b"\x1f\x8b not really gzip")
    proc = ach("import", achz, "-o", tmp_path / "junk.yaml")
    assert proc.returncode == 1 and f"{achz}: error:" in proc.err and "nothing was written" in proc.err
    assert not (tmp_path / "junk.yaml").exists()
