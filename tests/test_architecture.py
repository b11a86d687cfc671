"""The layout holds: data flows one way, no cycles, nothing private crosses a module, modules stay small.

These are the rules of docs/ARCHITECTURE.md, checked on the code itself so
that a change that breaks one fails here, not in review.
"""

from __future__ import annotations

import ast
import itertools
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "ach"
MAX_LINES = 560  # "about 550": one concept per module
MODULES = sorted(p for p in PACKAGE.rglob("*.py") if p.name != "__main__.py")


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def test_the_layer_contract_holds():
    """import-linter's layers contract in pyproject.toml (also run by .ci/run)."""
    lint = Path(sys.executable).parent / "lint-imports"
    proc = subprocess.run([str(lint)], capture_output=True, text=True, cwd=ROOT)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "0 broken" in proc.stdout


def test_no_import_cycles():
    import grimp

    graph = grimp.build_graph("ach")
    cycles = [
        (a, b)
        for a, b in itertools.combinations(sorted(graph.modules), 2)
        if graph.chain_exists(a, b) and graph.chain_exists(b, a)
    ]
    assert not cycles, cycles[:10]


def _imports(path: Path):
    tree = ast.parse(path.read_text())
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            yield node


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_private_name_is_imported_across_modules(path):
    for node in _imports(path):
        if node.level == 0 and not (node.module or "").startswith("ach"):
            continue  # another library's business
        private = [a.name for a in node.names if a.name.startswith("_") and a.name != "__version__"]
        assert not private, f"{path.name} imports {private} from {node.module}"
        assert not any(part.startswith("_") for part in (node.module or "").split(".")), node.module


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(ROOT)))
def test_modules_stay_small(path):
    lines = len(path.read_text().splitlines())
    assert lines <= MAX_LINES, f"{path.relative_to(ROOT)} has {lines} lines: split it along its concepts"


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_module_declares_its_public_names(path):
    tree = ast.parse(path.read_text())
    names = [
        t.id for node in tree.body if isinstance(node, ast.Assign) for t in node.targets if isinstance(t, ast.Name)
    ]
    names += [n.target.id for n in tree.body if isinstance(n, ast.AnnAssign) and isinstance(n.target, ast.Name)]
    assert "__all__" in names, f"{path.relative_to(ROOT)} has no __all__"
    declared = next(
        node.value
        for node in tree.body
        if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == "__all__" for t in node.targets)
    )
    public = (
        ast.literal_eval(declared)
        if not isinstance(declared, ast.List) or all(isinstance(e, ast.Constant) for e in declared.elts)
        else None
    )
    if public is None:
        return  # built from other names (ach/__init__.py)
    defined = {n.name for n in tree.body if isinstance(n, (ast.FunctionDef, ast.ClassDef))}
    defined |= set(names)
    defined |= {a.asname or a.name for node in tree.body if isinstance(node, ast.ImportFrom) for a in node.names}
    missing = [n for n in public if n not in defined]
    assert not missing, f"{path.relative_to(ROOT)}: __all__ names {missing}, which it does not define"


def test_the_cli_starts_without_the_heavy_libraries():
    """`ach --help` must stay quick: no PyMC, matplotlib, scipy or openpyxl on the way in."""
    code = (
        "import sys, ach.cli; "
        "heavy = [m for m in ('pymc', 'pytensor', 'matplotlib', 'scipy', 'openpyxl', 'arviz', 'jinja2') if m in sys.modules]; "
        "print(','.join(heavy))"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "", f"imported on start: {proc.stdout.strip()}"
