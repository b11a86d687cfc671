"""The teaching notebooks (notebooks/, notebooks/solutions/) run top to bottom.

Each notebook is executed with nbclient in its own folder, so relative case
paths (``../cases/k1.yaml``, ``../../cases/...`` in solutions) resolve as they
do for a reader. Committed notebooks hold no outputs and use only the public
API of ``ach``.
"""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"
ALL = sorted(NOTEBOOKS.glob("*.ipynb")) + sorted((NOTEBOOKS / "solutions").glob("*.ipynb"))
TIMEOUT = 600  # seconds per cell


def _id(path: Path) -> str:
    return str(path.relative_to(NOTEBOOKS))


def _code_cells(path: Path) -> list[str]:
    nb = json.loads(path.read_text(encoding="utf-8"))
    return [
        "".join(c["source"]) if isinstance(c["source"], list) else c["source"]
        for c in nb["cells"]
        if c["cell_type"] == "code"
    ]


def test_notebooks_exist():
    main = sorted(p.name for p in NOTEBOOKS.glob("*.ipynb"))
    assert len(main) >= 5, main
    for p in NOTEBOOKS.glob("*.ipynb"):
        assert (NOTEBOOKS / "solutions" / f"{p.stem}-solutions.ipynb").exists(), f"no solutions for {p.name}"


@pytest.mark.parametrize("path", ALL, ids=_id)
def test_notebook_runs(path):
    """Execute every cell in order, in the notebook's folder; any error fails
    the test with the failing cell and its traceback."""
    import nbclient
    import nbformat

    nb = nbformat.read(path, as_version=4)
    # "python3" is ipykernel's kernel, which runs on this interpreter (sys.executable).
    client = nbclient.NotebookClient(
        nb, timeout=TIMEOUT, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}}
    )
    client.execute()


@pytest.mark.parametrize("path", ALL, ids=_id)
def test_notebook_has_no_outputs(path):
    """Git holds the notebooks without outputs or execution counts."""
    nb = json.loads(path.read_text(encoding="utf-8"))
    for i, cell in enumerate(nb["cells"]):
        if cell["cell_type"] == "code":
            assert cell.get("outputs") == [], f"{_id(path)} cell {i} has outputs"
            assert cell.get("execution_count") is None, f"{_id(path)} cell {i} has an execution count"


PRIVATE_IMPORT = re.compile(r"^\s*from\s+ach(\.[\w.]+)?\s+import\s+(.*)$", re.M)


def _private_uses(source: str) -> list[str]:
    """Private names of ach used in one code cell: ``x._name`` attribute access,
    ``from ach.x import _y``, ``import ach._x`` and ``ach._x``."""
    found = []
    try:
        tree = ast.parse(source)
    except SyntaxError:  # IPython magics: fall back to text search
        tree = None
    if tree is not None:
        for node in ast.walk(tree):
            if isinstance(node, ast.Attribute) and node.attr.startswith("_") and not node.attr.startswith("__"):
                found.append("." + node.attr)
            elif isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "ach":
                if any(part.startswith("_") for part in node.module.split(".")):
                    found.append(node.module)
                found += [a.name for a in node.names if a.name.startswith("_")]
            elif isinstance(node, ast.Import):
                found += [
                    a.name
                    for a in node.names
                    if a.name.split(".")[0] == "ach" and any(p.startswith("_") for p in a.name.split("."))
                ]
    else:
        found += re.findall(r"\.\_[A-Za-z]\w*", source)
        for _, names in PRIVATE_IMPORT.findall(source):
            found += [n.strip() for n in names.split(",") if n.strip().startswith("_")]
    return found


@pytest.mark.parametrize("path", ALL, ids=_id)
def test_notebook_uses_public_api_only(path):
    for i, source in enumerate(_code_cells(path)):
        assert not _private_uses(source), f"{_id(path)} code cell {i} uses private names: {_private_uses(source)}"


def test_private_name_check_catches_private_use():
    assert _private_uses("result._repr_html_()")
    assert _private_uses("from ach.analysis import _pct")
    assert _private_uses("from ach import _x")
    assert _private_uses("import ach._secret")
    assert not _private_uses("import ach\nresult.bayes.problems()\nx.__class__")
