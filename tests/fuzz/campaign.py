"""A fuzzing campaign against every reader of user files: YAML, XLSX, CSV, PARC ACH (.achz) and other
tools' JSON exports (Intel Workbench, ArkhamMirror).

    python tests/fuzz/campaign.py --format yaml --inputs 400 --seed 1

Inputs are made by mutating real files (the cases, the test data, exported
workbooks, the .achz samples, the tools' exports of tests/test_tools_import.py)
with the mistakes and attacks real files carry: hostile values (1e400, a 400-digit number, .nan, lists where numbers go, long
text, control characters), broken structure (lines deleted, duplicated,
re-indented; elements dropped; YAML alias bombs; deep nesting), renamed keys
and flipped bytes. Each input runs under a time limit, in a process whose
address space is limited, and must end in one of two ways: accepted (and
then analysed, serialised and reported without error), or refused with a
CaseError whose every error says where (a line, a field, a cell or an
element), unless it is about the whole file. Anything else is a finding:
the input is saved under ``--findings`` and the campaign exits 1.
"""

from __future__ import annotations

import argparse
import csv
import gzip
import hashlib
import io
import json
import random
import re
import resource
import signal
import sys
import tempfile
import time
import traceback
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

# Problems about the file as a whole: they rightly name no line, field, cell or element.
WHOLE_FILE = {
    "unreadable",
    "not-utf8",
    "yaml",
    "empty",
    "not-a-mapping",
    "workbook",
    "file",
    "archive",
    "encoding",
    "exists",
}

HOSTILE = [
    "1e400",
    "-1e400",
    "1e-400",
    "9" * 400,
    "-" + "9" * 400,
    ".nan",
    ".inf",
    "-.inf",
    "[]",
    "{}",
    "[1, 2]",
    "{a: 1}",
    "true",
    "null",
    "''",
    "0x1F",
    "1_000",
    "!!int abc",
    "!!float x",
    "~",
    "-0",
    "0.5",
    "1.5",
    "-3",
    "x" * 5000,
    '"\\u0000"',
    '"\\t"',
    "2020-02-30",
    "2020-13-01",
    "CCC",
    "likely",
    "NA",
    "A",
    "7",
    "70%",
    "0,7",
    "{KH: 1.5}",
    "[[[[[[[[]]]]]]]]",
    "*undefined",
    "&a 1",
    "? x",
    "|\n  x",
    ">-\n  y",
    "'",
    '"',
    "#",
    "%",
]
KEYS = [
    "id",
    "title",
    "question",
    "hypotheses",
    "sources",
    "evidence",
    "likelihood",
    "reliability",
    "credibility",
    "if_false",
    "source",
    "date",
    "as_of",
    "prior",
    "catch_all",
    "confidence",
    "relevance",
    "citation",
    "scale",
    "collection",
    "prior_concentration",
    "default_reliability",
    "notes",
    "text",
    "ratings",
    "terms",
]
ALIAS_BOMB = "a: &a [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"{c}: &{c} [{', '.join(['*' + p] * 10)}]\n" for p, c in zip("abcdefgh", "bcdefghi")
)


class Timeout(Exception):
    pass


def _alarm(signum, frame):
    raise Timeout


# -- mutations -----------------------------------------------------------------------------
def mutate_text(rng: random.Random, text: str) -> str:
    """One to three mutations of a YAML, CSV or XML text."""
    for _ in range(rng.randint(1, 3)):
        lines = text.split("\n")
        op = rng.randrange(9)
        i = rng.randrange(len(lines)) if lines else 0
        if op == 0 and lines:  # a value replaced by a hostile one
            m = list(re.finditer(r"(:\s+|- |,\s*|>)([^,\n<{}\[\]#]+)", text))
            if m:
                hit = rng.choice(m)
                text = text[: hit.start(2)] + rng.choice(HOSTILE) + text[hit.end(2) :]
                continue
        if op == 1 and lines:
            del lines[i]
        elif op == 2 and lines:
            lines.insert(i, lines[i])
        elif op == 3 and lines:
            lines[i] = rng.choice(["", " ", "  ", "\t", "   "]) + lines[i]
        elif op == 4 and lines:
            lines[i] = lines[i].lstrip()
        elif op == 5:  # a key renamed
            keys = list(re.finditer(r"\b([a-z_]+):", text))
            if keys:
                hit = rng.choice(keys)
                text = text[: hit.start(1)] + rng.choice([*KEYS, "sorce", "hypothesis", "x" * 300]) + text[hit.end(1) :]
                continue
        elif op == 6:  # bytes flipped or inserted
            chars = list(text)
            for _ in range(rng.randint(1, 8)):
                if chars:
                    chars[rng.randrange(len(chars))] = chr(
                        rng.choice([0, 7, 9, 10, 13, 27, 0x85, 0xFEFF, 0xD7FF, rng.randrange(32, 0x2FFF)])
                    )
            text = "".join(chars)
            continue
        elif op == 7:
            text = text[: rng.randrange(len(text) + 1)]  # truncated
            continue
        elif op == 8 and lines:
            lines.insert(i, rng.choice([ALIAS_BOMB, "x: " + "[" * 200 + "]" * 200, "question: " + "q" * 20000]))
        text = "\n".join(lines)
    return text


def mutate_bytes(rng: random.Random, raw: bytes) -> bytes:
    data = bytearray(raw)
    for _ in range(rng.randint(1, 20)):
        if not data:
            break
        op = rng.randrange(3)
        if op == 0:
            data[rng.randrange(len(data))] = rng.randrange(256)
        elif op == 1:
            del data[rng.randrange(len(data))]
        else:
            data.insert(rng.randrange(len(data) + 1), rng.randrange(256))
    return bytes(data)


# -- the formats -----------------------------------------------------------------------------
def yaml_seeds() -> list[str]:
    paths = [
        *sorted((ROOT / "cases").glob("*.yaml")),
        *sorted((ROOT / "tests" / "data").glob("*.yaml")),
        ROOT / "tests" / "data" / "edit" / "commented.yaml",
    ]
    return [p.read_text() for p in paths]


def run_yaml(rng, seeds, check):
    text = mutate_text(rng, rng.choice(seeds))
    raw = (
        text.encode("utf-8", "surrogatepass")
        if rng.random() < 0.9
        else mutate_bytes(rng, text.encode("utf-8", "replace"))
    )
    return raw, lambda: check.yaml(raw)


# Cells of other tools' notations and the mistakes around them (a bare 0, blanks, ids with spaces).
NOTATIONS = ["++", "+", "-", "--", "\u2212", "\u2212\u2212", "N/A", "0", "0%", "0,7", "", " ", "C C", "E 1", "#N/A"]


def xlsx_seeds(folder: Path) -> list[Path]:
    from ach.casefile import load
    from ach.io.tabular import export_xlsx

    out = []
    for name in ("mini.yaml", "warnings.yaml"):
        out.append(export_xlsx(load(ROOT / "tests" / "data" / name), folder / f"{name}.xlsx", overwrite=True))
    out.append(export_xlsx(load(ROOT / "cases" / "warmup.yaml"), folder / "warmup.xlsx", overwrite=True))
    import openpyxl

    for title, rows, helpers in LENIENT:  # analysts' own sheets: the matrix found by content
        wb = openpyxl.Workbook()
        wb.active.title = title
        for row in rows:
            wb.active.append(row)
        for name, cells in helpers.items():
            ws = wb.create_sheet(name)
            for row in cells:
                ws.append(row)
        wb.save(folder / f"{title}.xlsx")
        out.append(folder / f"{title}.xlsx")
    return out


# Analysts' own matrices (docs/FORMATS-SPREADSHEET.md, "Analysts' own sheets"): the public template's
# layout (a totals row of formulas, weight sheets, + - notation, blank cells) and a sheet typed from
# scratch (#, Evidence, H columns, ids with spaces, Excel's default sheet name).
LENIENT = [
    (
        "ACH_matrix",
        [
            ["Category", "Evidence", "Evidence Type", "Credibility", "Relevance", "H1", "H2", "H3"],
            ["", "Weighted inconsistency score", None, None, None, "=SUM(F3:F6)", "=SUM(G3:G6)", "=SUM(H3:H6)"],
            ["Military", "Rockets found", "Physical", "High", "High", "++", "-", "\u2212\u2212"],
            ["Military", "A claim", "Statement", "Medium", "Low", "+", "0", None],
            ["Political", "A denial", "Statement", "Low", "Medium", "N/A", "+", "--"],
            ["Political", None, None, None, None, None, None, None],
        ],
        {"Weights": [["Rating", "Weight"], ["CC", 2], ["C", 1]], "Lists": [["High"], ["Medium"], ["Low"]]},
    ),
    (
        "Sheet",
        [
            ["ID", "Evidence", "Source", "H1: The militia", "H2", "Other"],
            ["Item 1", "Rockets found", "Police report", "C", "I", "70%"],
            ["Item 2", "A claim", "Telegram", "CC", "0,7", "NA"],
            ["Item 3", "A denial", "police report", "I", None, "0%"],
        ],
        {},
    ),
]


def run_xlsx(rng, seeds, check, folder: Path):
    import openpyxl

    source = rng.choice(seeds)
    target = folder / "fuzz.xlsx"
    if rng.random() < 0.25:
        raw = mutate_bytes(rng, source.read_bytes())
        target.write_bytes(raw)
        return raw, lambda: check.xlsx(target)
    wb = openpyxl.load_workbook(source)
    for _ in range(rng.randint(1, 4)):
        ws = rng.choice(wb.worksheets)
        op = rng.randrange(6)
        r, c = rng.randint(1, max(ws.max_row, 1) + 1), rng.randint(1, max(ws.max_column, 1) + 1)
        if op == 0:
            ws.cell(
                r, c, rng.choice([*HOSTILE, *NOTATIONS, 1e308, -1e308, 10**30, 0, 1, 6, 7, True, None, "=1/0", "=A1"])
            )
        elif op == 1:
            ws.delete_rows(r)
        elif op == 2:
            ws.delete_cols(c)
        elif op == 3 and len(wb.worksheets) > 1:
            wb.remove(ws)
        elif op == 4:
            ws.title = (
                rng.choice(["Sheet", "evidence", "Evidence ", "x" * 31, "Hypotheses"])[:31]
                if ws.title not in wb.sheetnames[1:]
                else ws.title
            )
        else:
            ws.insert_rows(r)
            ws.cell(r, rng.randint(1, 3), rng.choice(["id", "#", "Total", "=SUM(A1:A3)", "Evidence", "Category"]))
    buffer = io.BytesIO()
    wb.save(buffer)
    target.write_bytes(buffer.getvalue())
    return buffer.getvalue(), lambda: check.xlsx(target)


def csv_seeds(folder: Path) -> list[dict[str, str]]:
    from ach.casefile import load
    from ach.io.tabular import export_csv

    out = []
    for name in ("mini.yaml", "warnings.yaml"):
        paths = export_csv(load(ROOT / "tests" / "data" / name), folder / f"{name}.csv", overwrite=True)
        out.append({p.name.replace(f"{name}.", "x.", 1): p.read_text(encoding="utf-8-sig") for p in paths})
    for _, rows, _ in LENIENT:  # a matrix with no companions: no Hypotheses, Sources or Case file
        buffer = io.StringIO()
        csv.writer(buffer).writerows([["" if v is None else v for v in row] for row in rows])
        out.append({"x.csv": buffer.getvalue()})
    return out


def run_csv(rng, seeds, check, folder: Path):
    files = dict(rng.choice(seeds))
    name = rng.choice(list(files))
    files[name] = mutate_text(rng, files[name])
    if rng.random() < 0.2:
        files.pop(rng.choice(list(files)), None)
    target = folder / "case"
    target.mkdir(exist_ok=True)
    for old in target.iterdir():
        old.unlink()
    for n, text in files.items():
        (target / n).write_bytes(text.encode("utf-8", "surrogatepass"))
    raw = json.dumps(files).encode("utf-8", "surrogatepass")
    return raw, lambda: check.csv(target / "x.csv")


def achz_seeds() -> list[str]:
    out = []
    for p in sorted((ROOT / "tests" / "data" / "achz").glob("*.achz")):
        xml = gzip.decompress(p.read_bytes())
        out.append(xml.decode("utf-16") if xml[:2] in (b"\xff\xfe", b"\xfe\xff") else xml.decode("utf-8", "replace"))
    return out


def run_achz(rng, seeds, check):
    xml = mutate_text(rng, rng.choice(seeds))
    if rng.random() < 0.1:
        xml = re.sub(r"<(?=[A-Za-z])", '<!DOCTYPE x [<!ENTITY a "aaaa">]><', xml, count=1)  # before the root
    encoded = xml.encode(rng.choice(["utf-16", "utf-8", "utf-16-be"]), "surrogatepass")
    raw = gzip.compress(encoded) if rng.random() < 0.85 else mutate_bytes(rng, gzip.compress(encoded))
    return raw, lambda: check.achz(raw)


def json_seeds() -> list:
    """The tests' Intel Workbench and ArkhamMirror exports (tests/test_tools_import.py), in every wrapping
    the importers read: the saved browser state, a list, a bare matrix, the API's answer, the flat matrix."""
    from tests.test_tools_import import arkham_mirror, intel_workbench

    project, matrix = intel_workbench(), arkham_mirror()
    answer = {"matrix_id": "c6a1e0d2", "format": "json", "content": json.dumps(matrix, indent=2)}
    return [
        project,
        matrix,
        {"state": {"projects": [project], "activeProjectId": project["id"]}, "version": 0},
        [project],
        project["achMatrices"][0],
        answer,
        matrix["metadata"] | {k: v for k, v in matrix.items() if k != "metadata"},
    ]


JSON_HOSTILE = [
    None,
    True,
    0,
    -1,
    0.5,
    1.5,
    1e308,
    float("inf"),
    float("nan"),
    10**400,
    -(2**63),
    "",
    " ",
    "x" * 5000,
    "++",
    "--",
    "\u2212",
    "N/A",
    "NA",
    "C C",
    "High",
    "moderate",
    "0",
    "70%",
    "\x00",
    "\ud800",
    "\u202e",
    "javascript:alert(1)",
    [],
    {},
    [[[[[[[[]]]]]]]],
    {"id": "h-kh"},
    ["C", "I"],
]
JSON_KEYS = ["id", "name", "title", "description", "hypotheses", "evidence", "ratings", "achMatrices", "x" * 300]


def mutate_json(rng: random.Random, doc):
    """One value somewhere in ``doc`` replaced by a hostile one, deleted, copied, renamed or nested deeper."""
    doc = json.loads(json.dumps(doc))
    node = doc
    for _ in range(rng.randint(0, 6)):
        keys = list(node) if isinstance(node, dict) else list(range(len(node))) if isinstance(node, list) else []
        if not keys:
            break
        key = rng.choice(keys)
        if isinstance(node[key], (dict, list)) and rng.random() < 0.7:
            node = node[key]
            continue
        op = rng.randrange(5)
        if op == 0 or not isinstance(node, (dict, list)):
            node[key] = rng.choice(JSON_HOSTILE)
        elif op == 1 and isinstance(node, dict):
            del node[key]
        elif op == 1:
            node.pop(key)
        elif op == 2 and isinstance(node, list):
            node.insert(key, json.loads(json.dumps(node[key])))  # a copy: ids used twice
        elif op == 2:
            node[rng.choice(JSON_KEYS)] = node.pop(key)
        elif op == 3:
            node[key] = [node[key]] if rng.random() < 0.5 else {"value": node[key]}
        else:
            node[key] = rng.choice(JSON_HOSTILE)
        break
    return doc


def run_json(rng, seeds, check):
    doc = rng.choice(seeds)
    for _ in range(rng.randint(1, 3)):
        doc = mutate_json(rng, doc)
    text = json.dumps(doc, indent=rng.choice([None, 2]), ensure_ascii=rng.random() < 0.5)
    if rng.random() < 0.1:  # the export downloaded as one JSON string
        text = json.dumps(text)
    if rng.random() < 0.3:  # broken as text: lines deleted or repeated, hostile values, truncated, deep nesting
        text = mutate_text(rng, text)
    if rng.random() < 0.05:
        text = "[" * 100_000 + "]" * 100_000
    raw = text.encode(rng.choice(["utf-8", "utf-8-sig", "utf-16"]), "surrogatepass")
    if rng.random() < 0.1:
        raw = mutate_bytes(rng, raw)
    return raw, lambda: check.json(raw)


class Check:
    """Run one reader on one input; accepted cases are analysed, serialised and reported too."""

    def __init__(self):
        from ach.analysis import analyze
        from ach.casefile import check_text, dump_case
        from ach.errors import CaseError
        from ach.io.achz import parse_achz
        from ach.io.tabular import read_csv, read_xlsx
        from ach.io.tools import parse_tool_export

        self.analyze, self.check_text, self.dump_case, self.CaseError = analyze, check_text, dump_case, CaseError
        self.parse_achz, self.read_csv, self.read_xlsx = parse_achz, read_csv, read_xlsx
        self.parse_tool_export = parse_tool_export

    def accepted(self, case) -> str:
        result = self.analyze(case, sample=False)
        json.dumps(result.to_dict(), allow_nan=False)
        result.report().to_markdown()
        return "accepted"

    def refused(self, diagnostics) -> str:
        vague = [d for d in diagnostics if d.is_error and not (d.line or d.field) and d.code not in WHOLE_FILE]
        if vague:
            raise AssertionError(f"an error that says not where: {vague[0]!r}")
        return "refused"

    def yaml(self, raw: bytes) -> str:
        case, diagnostics = self.check_text(raw, "fuzz.yaml")
        return self.accepted(case) if case is not None else self.refused(diagnostics)

    def imported(self, read) -> str:
        try:
            data, header = read()
        except self.CaseError as exc:
            return self.refused(exc.diagnostics)
        case, diagnostics = self.check_text(self.dump_case(data, header).encode("utf-8"), "imported.yaml")
        if case is None:
            raise AssertionError(f"an import the loader refuses: {diagnostics[0]}")
        return self.accepted(case)

    def xlsx(self, path: Path) -> str:
        return self.imported(lambda: self.read_xlsx(path))

    def csv(self, path: Path) -> str:
        return self.imported(lambda: self.read_csv(path))

    def achz(self, raw: bytes) -> str:
        return self.imported(lambda: self.parse_achz(raw, "fuzz.achz"))

    def json(self, raw: bytes) -> str:
        return self.imported(lambda: self.parse_tool_export(raw, "fuzz.json"))


def campaign(fmt: str, inputs: int, seed: int, time_limit: float, findings: Path) -> dict:
    rng = random.Random(f"{fmt}-{seed}")
    check = Check()
    signal.signal(signal.SIGALRM, _alarm)
    outcomes: Counter = Counter()
    slowest, found = 0.0, []
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        seeds = {"yaml": yaml_seeds, "achz": achz_seeds, "json": json_seeds}.get(fmt, lambda: None)()
        if fmt == "xlsx":
            seeds = xlsx_seeds(folder)
        elif fmt == "csv":
            seeds = csv_seeds(folder)
        runner = {"yaml": run_yaml, "achz": run_achz, "json": run_json}.get(fmt)
        for _ in range(inputs):
            raw, run = (
                runner(rng, seeds, check)
                if runner
                else {"xlsx": run_xlsx, "csv": run_csv}[fmt](rng, seeds, check, folder)
            )
            start = time.perf_counter()
            signal.setitimer(signal.ITIMER_REAL, time_limit)
            try:
                outcomes[run()] += 1
            except Timeout:
                found.append(("over the time limit", raw, ""))
            except MemoryError:
                found.append(("over the memory limit", raw, ""))
            except Exception as exc:  # noqa: BLE001 - every other ending is a finding
                found.append((f"{type(exc).__name__}: {str(exc)[:200]}", raw, traceback.format_exc()))
            finally:
                signal.setitimer(signal.ITIMER_REAL, 0)
            slowest = max(slowest, time.perf_counter() - start)
    for what, raw, trace in found:
        findings.mkdir(parents=True, exist_ok=True)
        name = f"{fmt}-{hashlib.sha256(raw).hexdigest()[:12]}"
        (findings / name).write_bytes(raw)
        (findings / f"{name}.txt").write_text(f"{what}\n\n{trace}")
    kinds = Counter(what.split(":")[0] + ": " + what.split(": ", 1)[-1][:90] for what, _, _ in found)
    return {
        "format": fmt,
        "inputs": inputs,
        "accepted": outcomes["accepted"],
        "refused": outcomes["refused"],
        "findings": len(found),
        "kinds": dict(kinds.most_common(8)),
        "slowest_s": round(slowest, 3),
    }


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--format", choices=["yaml", "xlsx", "csv", "achz", "json"], required=True)
    parser.add_argument("--inputs", type=int, default=400)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--time-limit", type=float, default=10.0, help="seconds per input")
    parser.add_argument("--memory", type=int, default=3072, help="MB of address space for the whole process")
    parser.add_argument("--findings", type=Path, default=Path(tempfile.gettempdir()) / "ach-fuzz-findings")
    args = parser.parse_args(argv)
    limit = args.memory * 2**20
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    summary = campaign(args.format, args.inputs, args.seed, args.time_limit, args.findings)
    print(json.dumps(summary))
    return 1 if summary["findings"] else 0


if __name__ == "__main__":
    sys.exit(main())
