"""``ach import`` and ``ach export``: spreadsheets and PARC ACH files."""

from __future__ import annotations

import datetime as dt
import shlex
import sys
from pathlib import Path

import click

from ..errors import CaseError
from ..formatting import count
from .common import EXIT_INVALID, AchCommand, emit_json, load_case, show_diagnostics

__all__ = ["COMMANDS"]


def _lists_all(params) -> str:
    return f"ach import {shlex.quote(str(params.get('file')))} --json"


@click.command("import", cls=AchCommand, outcome="nothing was written", lists_all=_lists_all)
@click.argument("file", type=click.Path(dir_okay=True))
@click.option(
    "--out",
    "-o",
    "out",
    type=click.Path(dir_okay=False),
    help="The case file to write (.yaml); may be left out with --json, to check the file only.",
)
@click.option("--force", is_flag=True, help="Replace the case file if it exists.")
@click.option(
    "--json",
    "as_json",
    is_flag=True,
    help="Print every problem as JSON on stdout, as `ach validate --json` does for a case file.",
)
def import_case(file, out, force, as_json):
    """Turn a spreadsheet (.xlsx, .csv), a PARC ACH file (.achz) or another ACH tool's JSON export
    (.json: Intel Workbench, ArkhamMirror) into a case file.

    The result is checked as a case before it is written; nothing is written
    if it is not valid. See docs/FORMATS-SPREADSHEET.md for the sheet layout,
    docs/FORMATS-TOOLS.md for the JSON layouts (found by the file's content).
    """
    from .. import io
    from ..files import refuse_existing

    if out is None and not as_json:
        raise click.UsageError("Missing option '--out' / '-o': the case file to write (or --json to only check)")
    if out is not None and Path(out).suffix.lower() not in (".yaml", ".yml"):
        raise click.BadParameter(f"'{out}' is not a .yaml file: the import writes a case file", param_hint="'--out'")
    if not as_json:
        refuse_existing([out], force)
        _write(*io.read(file), file, out, force)
        return
    diagnostics: list = []
    try:  # every refusal as JSON, that of an existing --out too
        if out is not None:
            refuse_existing([out], force)
        data, header, diagnostics = io.read(file)
        if out is not None:
            _write(data, header, diagnostics, file, out, force, quiet=True)
        valid = True
    except CaseError as exc:  # after the import's warnings, when the written case is what was refused
        diagnostics, valid = [*diagnostics, *(d for d in exc.diagnostics if d not in diagnostics)], False
    emit_json([{"path": file, "valid": valid, "diagnostics": [d.to_dict() for d in diagnostics], "acknowledged": []}])
    sys.exit(0 if valid else EXIT_INVALID)


def _write(data, header, warnings, file, out, force, quiet=False) -> None:
    """Check and write the imported case; its warnings and a line saying what was written (on stderr when
    stdout holds JSON)."""
    from ..casefile import write_case

    stamp = dt.datetime.now().strftime("%Y-%m-%d %H:%M")
    header = f"Written by `ach import {Path(file).name}` on {stamp}.\n" + (header or f"Imported from {file}.")
    path = write_case(data, out, header=header, overwrite=force)
    if not quiet:
        show_diagnostics(warnings, _lists_all({"file": file}))
    named = len(data.get("sources") or [])
    counts = (
        f"{count(data['hypotheses'], 'hypothesis', 'hypotheses')}, {count(data['evidence'], 'item')}, "
        f"{count(named, 'source')}"
    )
    if data.get("collection"):
        counts += f", {count(data['collection'], 'candidate')}"
    note = f" ({count(warnings, 'warning')})" if warnings else ""
    click.echo(f"{path}: written from {file}: {counts}{note}", err=quiet)


@click.command("export", cls=AchCommand, outcome="nothing was written")
@click.argument("case")
@click.option(
    "--to",
    "-o",
    "--out",
    "to",
    required=True,
    type=click.Path(dir_okay=False),
    help="The file to write: .xlsx (Excel workbook), .csv (evidence matrix plus companion files) or .achz "
    "(PARC ACH 2.0 project); -o as for ach import.",
)
@click.option("--force", is_flag=True, help="Replace the file(s) if they exist.")
def export_case(case, to, force):
    """Write a case as an Excel workbook, CSV files or a PARC ACH file, laid out as an ACH matrix.

    One row per evidence item, one column per hypothesis; further sheets for
    the hypotheses, sources, the case's fields and candidate observations.
    `ach import` reads it back. With .csv, the companions x.hypotheses.csv,
    x.sources.csv, x.case.csv (and x.collection.csv) are written beside x.csv.
    A .achz file holds only what PARC ACH can (docs/FORMATS-ACHZ.md): a warning
    says what is left out or rounded.
    """
    from .. import io

    if Path(to).suffix.lower() not in io.EXPORTERS:
        raise click.BadParameter(
            f"'{to}' must end in .xlsx or .csv (a spreadsheet), or .achz (PARC ACH)", param_hint="'--to'"
        )
    loaded = load_case(case)
    warnings: list = []
    paths = io.export(loaded, to, overwrite=force, warnings=warnings)
    show_diagnostics(warnings, lists_all=None)  # what a file format cannot hold: no command lists more
    click.echo(f"{paths[0]}: {count(loaded.evidence, 'item')} × {count(loaded.hypotheses, 'hypothesis', 'hypotheses')}")
    for extra in paths[1:]:
        click.echo(f"  and {extra}")


COMMANDS = (import_case, export_case)
