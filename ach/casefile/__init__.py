"""The case file: YAML and its schema in, a :class:`~ach.case.Case` out, and back.

load(path) -> Case            raises CaseError listing every problem
check(path) -> (Case | None, [Diagnostic])
to_data(case) -> (dict, comment); write_case(data, path)
"""

from .dump import dump_case, to_data, write_case
from .load import check, check_text, load, loads
from .schema import schema

__all__ = ["check", "check_text", "dump_case", "load", "loads", "schema", "to_data", "write_case"]
