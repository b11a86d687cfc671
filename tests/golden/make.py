"""Regenerate the golden outputs that pin ach's behaviour: ``python tests/golden/make.py``.

For every case in ``cases/``: ``<name>.json`` is ``ach analyze --json
--no-sample`` and ``<name>.report.md`` the Markdown report without sampling.
``tests/test_golden.py`` compares against them; regenerate only for a change
of output that is meant, and read the diff before committing it.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
GENERATED = "(pinned for the golden files)"


def outputs(path: Path) -> tuple[dict, str]:
    """(the JSON contract, the Markdown report) of one case, exact engine only."""
    import dataclasses

    import ach

    result = dataclasses.replace(ach.analyze(Path("cases") / path.name, sample=False), generated=GENERATED)
    data = result.to_dict()
    data.pop("ach_version", None)
    data["provenance"].pop("ach_version", None)
    return data, result.report().to_markdown()


def main() -> None:
    sys.path.insert(0, str(ROOT))
    import os

    os.chdir(ROOT)
    for path in sorted((ROOT / "cases").glob("*.yaml")):
        data, markdown = outputs(path)
        (HERE / f"{path.stem}.json").write_text(json.dumps(data, indent=1, ensure_ascii=False, sort_keys=True) + "\n")
        (HERE / f"{path.stem}.report.md").write_text(markdown)
        print(f"wrote {path.stem}.json, {path.stem}.report.md")


if __name__ == "__main__":
    main()
