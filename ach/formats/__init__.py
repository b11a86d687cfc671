"""Other formats an analyst keeps matrices in: spreadsheets, legacy ACH files.

Every importer produces the same thing: a plain dict shaped like a case file
(see docs/FORMAT.md), which :func:`ach.formats.casefile.write_case` checks and
writes. Every exporter reads a loaded :class:`~ach.case.Case`.
"""
