"""`ach import` and `ach export`: spreadsheets and legacy ACH files (registered by ach.cli)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click

from .cli import _count, _friendly_errors, _load, fail_on, main

IMPORTERS = {".xlsx": "spreadsheet", ".xlsm": "spreadsheet", ".csv": "csv", ".tsv": "csv", ".achz": "achz"}
EXPORTERS = (".xlsx", ".csv")


def _refused(exc) -> None:
    """Every problem, located; then 'nothing was written' and exit 1 (never a traceback)."""
    fail_on(exc, "nothing was written")


def read_any(path: str, warnings: list) -> tuple[dict, str]:
    """(case dict, header comment) from a spreadsheet, CSV or PARC ACH file, by its suffix."""
    from .diagnostics import CaseError, Diagnostic

    kind = IMPORTERS.get(Path(path).suffix.lower())
    if kind == "spreadsheet":
        from .formats.spreadsheet import read_xlsx

        return read_xlsx(path, warnings)
    if kind == "csv":
        from .formats.spreadsheet import read_csv

        return read_csv(path, warnings)
    if kind == "achz":
        try:
            from .formats.achz import read_achz
        except ImportError:
            raise CaseError(
                [Diagnostic("error", "this ach cannot read PARC ACH (.achz) files", path, hint="update ach")]
            ) from None
        return read_achz(path, warnings)
    if Path(path).suffix.lower() in (".xls", ".ods", ".numbers"):
        hint = "save it as an Excel workbook (.xlsx) and import that"
    elif Path(path).suffix.lower() in (".yaml", ".yml"):
        hint = "it is a case file already: `ach validate` checks it"
    else:
        hint = "ach imports .xlsx (Excel), .csv and .achz (PARC ACH)"
    raise click.UsageError(f"cannot import '{path}': unknown kind of file. {hint}")


@main.command("import")
@click.argument("file", type=click.Path(dir_okay=True))
@click.option(
    "--out", "-o", "out", required=True, type=click.Path(dir_okay=False), help="The case file to write (.yaml)."
)
@click.option("--force", is_flag=True, help="Replace the case file if it exists.")
@_friendly_errors
def import_case(file, out, force):
    """Turn a spreadsheet (.xlsx, .csv) or a PARC ACH file (.achz) into a case file.

    The result is checked as a case before it is written; nothing is written
    if it is not valid. See docs/FORMATS-SPREADSHEET.md for the sheet layout.
    """
    from .diagnostics import CaseError, Diagnostic
    from .formats.casefile import dump_case, write_case
    from .loader import check_text

    if Path(out).suffix.lower() not in (".yaml", ".yml"):
        raise click.BadParameter(f"'{out}' is not a .yaml file: the import writes a case file", param_hint="'--out'")
    warnings: list = []
    try:
        if Path(out).exists() and not force:
            raise CaseError(
                [
                    Diagnostic(
                        "error",
                        "the file exists already; nothing was written",
                        out,
                        hint="choose another name, or pass --force to replace it",
                    )
                ]
            )
        data, header = read_any(file, warnings)
        stamp = dt.datetime.now().strftime("%Y-%m-%d %H:%M")
        header = f"Written by `ach import {Path(file).name}` on {stamp}.\n" + (header or f"Imported from {file}.")
        if (
            IMPORTERS.get(Path(file).suffix.lower()) == "achz"
        ):  # the spreadsheet reader has placed the loader's warnings
            _, found = check_text(dump_case(data, header).encode("utf-8"), out)
            warnings += [d for d in found if d.level == "warning"]
        path = write_case(data, out, header=header, overwrite=force)
    except CaseError as exc:
        _refused(CaseError([*exc.diagnostics, *(w for w in warnings if w not in exc.diagnostics)]))
    for d in warnings:
        click.echo(str(d), err=True)
    named = len(data.get("sources") or [])
    counts = (
        f"{_count(data['hypotheses'], 'hypothesis', 'hypotheses')}, {_count(data['evidence'], 'item')}, "
        f"{_count(range(named), 'source')}"
    )
    if data.get("collection"):
        counts += f", {_count(data['collection'], 'candidate')}"
    note = f" ({_count(warnings, 'warning')})" if warnings else ""
    click.echo(f"{path}: written from {file}: {counts}{note}")


@main.command("export")
@click.argument("case")
@click.option(
    "--to",
    "to",
    required=True,
    type=click.Path(dir_okay=False),
    help="The file to write: .xlsx (Excel workbook) or .csv (evidence matrix plus companion files).",
)
@click.option("--force", is_flag=True, help="Replace the file(s) if they exist.")
@_friendly_errors
def export_case(case, to, force):
    """Write a case as an Excel workbook or CSV files, laid out as an ACH matrix.

    One row per evidence item, one column per hypothesis; further sheets for
    the hypotheses, sources, the case's fields and candidate observations.
    `ach import` reads it back. With .csv, the companions x.hypotheses.csv,
    x.sources.csv, x.case.csv (and x.collection.csv) are written beside x.csv.
    """
    from .diagnostics import CaseError

    suffix = Path(to).suffix.lower()
    if suffix not in EXPORTERS:
        raise click.BadParameter(f"'{to}' must end in .xlsx or .csv", param_hint="'--to'")
    try:
        loaded = _load(case)
        if suffix == ".xlsx":
            from .formats.spreadsheet import export_xlsx

            paths = [export_xlsx(loaded, to, overwrite=force)]
        else:
            from .formats.spreadsheet import export_csv

            paths = export_csv(loaded, to, overwrite=force)
    except CaseError as exc:
        _refused(exc)
    items = _count(loaded.evidence, "item")
    hyps = _count(loaded.hypotheses, "hypothesis", "hypotheses")
    click.echo(f"{paths[0]}: {items} × {hyps}")
    for extra in paths[1:]:
        click.echo(f"  and {extra}")
