"""PARC ACH project files (``.achz``): gzip-compressed UTF-16 XML, read and written.

Two layouts are read (docs/FORMATS-ACHZ.md). PARC ACH 2.0's, as the Open Source
ACH importer reads it (the only public code written against real files)::

    <any-root>
      <PROJECT-TITLE>…</PROJECT-TITLE><CLASSIFICATION>U</CLASSIFICATION>
      <LAST-INDEX>…</LAST-INDEX><COLOR-SCHEME>…</COLOR-SCHEME>
      <MATRIX>
        <HYPOTHESIS><NAME>…</NAME></HYPOTHESIS>…
        <EVIDENCE><NAME/><NOTES/><LINK/><TYPE/><DATE>ms since 1970, 0 none</DATE><CODE/>
                  <FLAG>1|0</FLAG><CREDIBILITY>HIGH|MEDIUM|LOW</CREDIBILITY>
                  <VALUES>C C,C,N,NA,I,I I</VALUES></EVIDENCE>…
      </MATRIX>
    </any-root>

and the ``<ACHProject>`` layout ach read first (``<Hypotheses>``, ``<Evidence>``
of ``<Item>`` with ``<Consistency>C,I,II,N,NA</Consistency>``).
:func:`export_achz` writes the PARC ACH 2.0 layout.

:func:`read_achz` returns a plain dict shaped like a case file plus a header
comment for the new file; :func:`ach.casefile.write_case` checks and
writes it. Every problem raises :class:`~ach.errors.CaseError` whose
diagnostics name the ``.achz`` file, the place in the XML (``field``) and the
XML line (``line``, counted in the decompressed XML) where known.

The reader is lenient about what real files vary in (element-name case,
attributes instead of child elements, optional fields, a byte-order mark,
UTF-16 LE or BE, plain UTF-8) and strict about what the numbers depend on
(one consistency value per hypothesis, each one of CC C N NA I II, named
hypotheses). It is safe on hostile input: the decompressed size is bounded
(zip bombs), a DOCTYPE is refused (so no entity can expand: billion laughs,
external entities), and the XML nesting and element count are bounded.
"""

from __future__ import annotations

from pathlib import Path

from ...errors import CaseError, Diagnostic
from ...files import read_input
from .convert import Converter
from .write import export_achz
from .xml import MAX_BYTES, Stop, decode, decompress, parse_xml

__all__ = ["export_achz", "parse_achz", "read_achz"]


def read_achz(path: str | Path, warnings: list[Diagnostic] | None = None) -> tuple[dict, str]:
    """(case dict, header comment) for a PARC ACH ``.achz`` file.

    Raises :class:`CaseError` naming the file and the place in the XML for
    every problem found. Pass a list as ``warnings`` to receive the warnings
    (each is also summarised in the header).
    """
    name = str(path)
    raw = read_input(path, "a PARC ACH (.achz) file", limit=MAX_BYTES)
    return parse_achz(raw, name, warnings)


def parse_achz(raw: bytes, name: str = "<achz>", warnings: list[Diagnostic] | None = None) -> tuple[dict, str]:
    """:func:`read_achz` for the bytes of a file; ``name`` is used in diagnostics."""
    notes: list[Diagnostic] = []
    try:
        xml = decompress(raw, name, notes)
        text = decode(xml, name, notes)
        root = parse_xml(text, name)
        data, header = Converter(root, name, notes).convert()
    except Stop as stop:
        raise CaseError([stop.diagnostic]) from None
    if warnings is not None:
        warnings.extend(d for d in notes if d.level == "warning")
    return data, header
