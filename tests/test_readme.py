"""The README says what the code does: its quoted K-1 bottom line is the one `ach` computes."""

import re
from pathlib import Path

import ach

ROOT = Path(__file__).resolve().parents[1]


def quoted_bottom_line() -> str:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = re.search(r"<!-- bottom-line -->\n(.*?)\n<!-- /bottom-line -->", readme, re.S)
    assert block, "README.md lost its <!-- bottom-line --> block"
    return "\n".join(line.removeprefix(">").removeprefix(" ") for line in block.group(1).splitlines())


def test_readme_quotes_the_k1_bottom_line_ach_computes():
    result = ach.analyze(ach.load(ROOT / "cases" / "k1.yaml"), sample=False)
    expected = "\n\n".join([result.bottom_line(), "\n".join(f"- {line}" for line in result.qualifications())])
    assert quoted_bottom_line() == expected, "update README.md's bottom-line block from `ach analyze cases/k1.yaml`"
