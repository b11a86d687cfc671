"""Other formats an analyst keeps matrices in: spreadsheets, PARC ACH files.

Every importer produces the same thing: a plain dict shaped like a case file
(docs/FORMAT.md), a header comment saying where it came from, and the
warnings found on the way, the loader's own included. :func:`ach.casefile.write_case`
checks the dict and writes it. Every exporter reads a loaded
:class:`~ach.case.Case`. A new importer is a module here and a line in
:data:`IMPORTERS`.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from ..casefile import check_text, dump_case
from ..casefile.dump import DEFAULT_RELIABILITY
from ..errors import AchError, CaseError, Diagnostic, errors_of
from ..formatting import count

__all__ = ["EXPORTERS", "IMPORTERS", "UnknownFormat", "export", "read"]

IMPORTERS = {
    ".xlsx": "spreadsheet",
    ".xlsm": "spreadsheet",
    ".csv": "csv",
    ".tsv": "csv",
    ".achz": "achz",
    ".json": "tool",
}
EXPORTERS = (".xlsx", ".csv", ".achz")


class UnknownFormat(AchError):
    """A file ach has no importer or exporter for; the message says what would do."""


def read(path) -> tuple[dict, str, list[Diagnostic]]:
    """(case dict, header comment, warnings) from a spreadsheet, CSV or PARC ACH file, by its suffix.

    Raises :class:`~ach.errors.CaseError` listing every problem, located.
    """
    suffix = Path(path).suffix.lower()
    kind = IMPORTERS.get(suffix)
    warnings: list[Diagnostic] = []
    if kind == "spreadsheet":
        from .tabular import read_xlsx

        data, header = read_xlsx(path, warnings)
    elif kind == "csv":
        from .tabular import read_csv

        data, header = read_csv(path, warnings)
    elif kind == "achz":
        from .achz import read_achz

        data, header = read_achz(path, warnings)
        _, found = check_text(dump_case(data, header).encode("utf-8"), str(path))  # the loader's findings too,
        found = [replace(d, line=None) for d in found]  # located by field: the lines are the YAML's, not the file's
        if errors_of(found):  # said here, at the .achz, not at lines of a case file never written
            raise CaseError([*warnings, *(d for d in found if d not in warnings)])
        warnings += [d for d in found if d not in warnings]
    elif kind == "tool":  # another ACH tool's JSON export, its layout found by its content
        from .tools import read_tool_export

        data, header = read_tool_export(path, warnings)
    else:
        if suffix in (".xls", ".ods", ".numbers"):
            hint = "save it as an Excel workbook (.xlsx) and import that"
        elif suffix in (".yaml", ".yml"):
            hint = "it is a case file already: `ach validate` checks it"
        else:
            hint = "ach imports .xlsx (Excel), .csv, .achz (PARC ACH) and .json (Intel Workbench, ArkhamMirror)"
        raise UnknownFormat(f"cannot import '{path}': unknown kind of file. {hint}")
    unsourced = [e.get("id") for e in data.get("evidence") or [] if isinstance(e, dict) and not e.get("source")]
    if unsourced and "default_reliability" not in data:  # the file says what they are taken as, not the loader
        data["default_reliability"] = DEFAULT_RELIABILITY
        warnings.append(
            Diagnostic(
                "warning",
                f"{count(unsourced, 'item')} {'names' if len(unsourced) == 1 else 'name'} no source: the case file says `default_reliability: "
                f"{DEFAULT_RELIABILITY}`, each such item its own source, taken as fully reliable",
                str(path),
                field="default_reliability",
                hint="lower it in the case file, or give the items their sources, if you doubt them",
                code="unsourced",
            )
        )
    return data, header, warnings


def export(case, path, *, overwrite: bool = False, warnings: list | None = None) -> list[Path]:
    """Write a loaded case as ``.xlsx``, ``.csv`` (with its companions) or ``.achz`` (PARC ACH); the paths
    written. ``warnings`` gains one for every comment of the case file the spreadsheet cannot hold, and
    for what PARC ACH cannot hold."""
    suffix = Path(path).suffix.lower()
    if suffix == ".xlsx":
        from .tabular import export_xlsx

        return [export_xlsx(case, path, overwrite=overwrite, warnings=warnings)]
    if suffix == ".csv":
        from .tabular import export_csv

        return export_csv(case, path, overwrite=overwrite, warnings=warnings)
    if suffix == ".achz":
        from .achz import export_achz

        return [export_achz(case, path, overwrite=overwrite, warnings=warnings)]
    raise UnknownFormat(f"'{path}' must end in {' or '.join(EXPORTERS)}")
