"""PARC ACH files, bytes to an XML tree: decompressed, decoded and parsed, safely.

The decompressed size is bounded (zip bombs), a DOCTYPE is refused (so no
entity can expand: billion laughs, external entities), and the XML nesting and
element count are bounded. Every element keeps its line, for messages.
"""

from __future__ import annotations

import gzip
import io
import re
import zlib
from dataclasses import dataclass
from dataclasses import field as _field
from xml.parsers import expat

from ...errors import Diagnostic

__all__ = [
    "FORMAT_HINT",
    "MAX_BYTES",
    "MAX_DEPTH",
    "MAX_ELEMENTS",
    "Node",
    "Stop",
    "clean",
    "decode",
    "decompress",
    "key_of",
    "parse_xml",
    "stop",
]

MAX_BYTES = 50 * 1024 * 1024  # compressed file, and decompressed XML: far above any real project


MAX_DEPTH = 64  # XML nesting; a project is 4 levels deep


MAX_ELEMENTS = 200_000  # a 1,000-item project has about 15,000 elements


_NOT_YAML = re.compile("[\x7f-\x84\x86-\x9f\ufffe\uffff]")
FORMAT_HINT = "see docs/FORMATS-ACHZ.md for the PARC ACH layout ach reads"


class Stop(Exception):
    """Abandon parsing: the diagnostic says why."""

    def __init__(self, diagnostic: Diagnostic):
        super().__init__(diagnostic.message)
        self.diagnostic = diagnostic


def stop(name: str, message: str, hint: str = "", line: int | None = None, field: str = "") -> Stop:
    """A problem that ends the reading: of the file as a whole (its compression, its encoding) when it
    has no line and no field, else of the XML at that place."""
    code = "xml" if line or field else "archive"
    return Stop(Diagnostic("error", message, name, line, field, hint, code=code))


def decompress(raw: bytes, name: str, notes: list[Diagnostic]) -> bytes:
    if not raw:
        raise stop(name, "the file is empty (0 bytes)", "export the project from PARC ACH again")
    if len(raw) > MAX_BYTES:
        raise stop(name, f"the file is larger than {MAX_BYTES // 2**20} MB; a PARC ACH project is far smaller")
    if raw[:2] != b"\x1f\x8b":
        if _looks_like_xml(raw):
            notes.append(
                Diagnostic(
                    "warning",
                    "the file is not gzip-compressed; it was read as plain XML",
                    name,
                    hint="PARC ACH writes .achz files compressed; an uncompressed export works too",
                    code="archive",
                )
            )
            return raw
        kind = _kind(raw)
        raise stop(
            name,
            f"not a PARC ACH file: it is not gzip-compressed{kind} (it starts with bytes {raw[:4].hex(' ')})",
            "an .achz file is gzip-compressed XML as PARC ACH saves it; open the project in PARC ACH and save it again",
        )
    try:
        with gzip.GzipFile(fileobj=io.BytesIO(raw)) as fh:
            data = fh.read(MAX_BYTES + 1)
    except EOFError:
        raise stop(
            name,
            "the compressed data ends early: the file is truncated",
            "copy or download the file again; it was cut off",
        ) from None
    except (gzip.BadGzipFile, zlib.error, OSError, ValueError) as exc:
        raise stop(name, f"the compressed data is corrupt ({exc})", "copy or download the file again") from None
    if len(data) > MAX_BYTES:
        raise stop(
            name,
            f"the file decompresses to more than {MAX_BYTES // 2**20} MB; refused (a PARC ACH project is "
            "far smaller: this looks like a compression bomb)",
            "check where the file came from",
        )
    if not data:
        raise stop(name, "the compressed file is empty: it holds no project", "export the project from PARC ACH again")
    return data


def _looks_like_xml(raw: bytes) -> bool:
    head = raw[:8]
    return (
        head.startswith((b"\xff\xfe<\x00", b"\xfe\xff\x00<", b"\xef\xbb\xbf<", b"<\x00", b"\x00<"))
        or raw.lstrip()[:1] == b"<"
    )


def _kind(raw: bytes) -> str:
    for magic, what in (
        (b"PK\x03\x04", "a ZIP archive"),
        (b"%PDF", "a PDF document"),
        (b"\xd0\xcf\x11\xe0", "an old Office document"),
        (b"BZh", "bzip2-compressed"),
        (b"\xfd7zXZ", "xz-compressed"),
        (b"7z\xbc\xaf", "a 7-Zip archive"),
    ):
        if raw.startswith(magic):
            return f": it is {what}"
    return ""


_DECLARED = re.compile(rb"""^<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9._-]{1,40})["']""")


_EIGHT_BIT = re.compile(r"^(?:latin-?1|iso-?8859-\d{1,2}|windows-125\d|cp125\d|us-ascii|ascii)$", re.I)


def decode(xml: bytes, name: str, notes: list[Diagnostic]) -> str:
    """The XML text: UTF-16 as PARC ACH writes it (BOM or not, LE or BE); UTF-8 or a declared 8-bit
    encoding with a warning."""
    if xml.startswith((b"\xff\xfe", b"\xfe\xff")):
        encoding = "utf-16"  # the BOM says which byte order
    elif len(xml) >= 2 and xml[1] == 0 and xml[0] != 0:
        encoding = "utf-16-le"
    elif len(xml) >= 2 and xml[0] == 0 and xml[1] != 0:
        encoding = "utf-16-be"
    else:
        encoding = None
    if encoding:
        try:
            text = xml.decode(encoding)
        except UnicodeDecodeError as exc:
            if exc.reason == "truncated data":
                raise stop(
                    name,
                    "the UTF-16 text ends in the middle of a character: the content is truncated",
                    "copy or download the file again",
                ) from None
            raise stop(
                name,
                f"not valid UTF-16 text ({exc.reason} at byte {exc.start} of the decompressed content)",
                "PARC ACH writes UTF-16 XML; the file may be damaged",
            ) from None
    else:
        body = xml[3:] if xml.startswith(b"\xef\xbb\xbf") else xml
        try:
            text = body.decode("utf-8")
            used = "UTF-8"
        except UnicodeDecodeError as exc:
            declared = _DECLARED.match(body.lstrip())
            label = declared.group(1).decode("ascii") if declared else ""
            if not _EIGHT_BIT.match(label):
                line = body[: exc.start].count(b"\n") + 1
                raise stop(
                    name,
                    f"the XML is neither UTF-16 nor UTF-8 (byte 0x{body[exc.start]:02x} at line {line})",
                    "PARC ACH writes UTF-16 XML; save it as UTF-16 or UTF-8",
                    line,
                    "XML",
                ) from None
            text, used = body.decode(label, errors="replace"), label
        notes.append(
            Diagnostic(
                "warning",
                f"the XML is {used}, not the UTF-16 PARC ACH writes; read as {used}",
                name,
                hint="nothing to do if the text looks right in the new file",
                code="encoding",
            )
        )
    text = text.lstrip("\ufeff")
    if "\x00" in text:
        raise stop(
            name,
            "the text contains NUL characters: it is not UTF-16 XML as PARC ACH writes it (UTF-32? damaged?)",
            "export the project from PARC ACH again",
        )
    if not text.strip():
        raise stop(name, "the file holds no XML (only blank space)", "export the project from PARC ACH again")
    if not text.lstrip().startswith("<"):
        raise stop(
            name,
            f"the decompressed content is not XML (it starts with {text.strip()[:20]!r})",
            "check the file is a PARC ACH project; if the text looks garbled it is not UTF-16",
            1,
            "XML",
        )
    return text


@dataclass
class Node:
    tag: str
    line: int
    attrs: dict[str, str]
    children: list[Node] = _field(default_factory=list)
    parts: list[str] = _field(default_factory=list)

    @property
    def key(self) -> str:
        return key_of(self.tag)

    @property
    def text(self) -> str:
        return clean("".join(self.parts))

    def find(self, names) -> Node | None:
        for child in self.children:
            if child.key in names:
                return child
        return None

    def value(self, names) -> tuple[str | None, int]:
        """The first of ``names`` found as an attribute or a child element: (text, line)."""
        for n in names:
            for k, v in self.attrs.items():
                if key_of(k) == n:
                    return clean(v), self.line
            child = self.find((n,))
            if child is not None:
                return child.text, child.line
        return None, self.line


def key_of(tag: str) -> str:
    local = tag.rsplit("}", 1)[-1].rsplit(":", 1)[-1]
    return re.sub(r"[-_. ]", "", local).lower()


def clean(text: str) -> str:
    return _NOT_YAML.sub("", text).strip()


def parse_xml(text: str, name: str) -> Node:
    declaration = re.match(r"\s*<\?xml\b[^>]*\?>", text)
    if declaration:  # the text is decoded already: what it says about encoding no longer applies
        text = re.sub(r"[^\n]", " ", declaration.group()) + text[declaration.end() :]
    parser = expat.ParserCreate()
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    stack: list[Node] = []
    roots: list[Node] = []
    count = 0

    def refuse_doctype(*_args):
        raise stop(
            name,
            "the XML has a DOCTYPE declaration; refused (it can define entities that expand without "
            "limit, and PARC ACH never writes one)",
            "remove the <!DOCTYPE …> part",
            parser.CurrentLineNumber,
            "XML",
        )

    def refuse_entity(*_args):
        raise stop(
            name,
            "the XML declares entities; refused",
            "remove the <!ENTITY …> declarations",
            parser.CurrentLineNumber,
            "XML",
        )

    def start(tag, attrs):
        nonlocal count
        count += 1
        if count > MAX_ELEMENTS:
            raise stop(
                name,
                f"the XML has more than {MAX_ELEMENTS:,} elements; refused",
                "check the file is a PARC ACH project",
                parser.CurrentLineNumber,
                "XML",
            )
        if len(stack) >= MAX_DEPTH:
            raise stop(
                name,
                f"the XML is nested more than {MAX_DEPTH} levels deep; refused",
                "check the file is a PARC ACH project",
                parser.CurrentLineNumber,
                "XML",
            )
        node = Node(tag, parser.CurrentLineNumber, dict(attrs))
        (stack[-1].children if stack else roots).append(node)
        stack.append(node)

    def end(_tag):
        stack.pop()

    def chars(data):
        if stack:
            stack[-1].parts.append(data)

    parser.StartDoctypeDeclHandler = refuse_doctype
    parser.EntityDeclHandler = refuse_entity
    parser.UnparsedEntityDeclHandler = refuse_entity
    parser.ExternalEntityRefHandler = refuse_entity
    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = chars
    try:
        parser.Parse(text, True)
    except expat.ExpatError as exc:
        reason = expat.ErrorString(exc.code)
        hints = {
            "no element found": "the XML ends early: the file is truncated or damaged",
            "unclosed token": "the XML ends early: the file is truncated or damaged",
            "mismatched tag": "an element is closed with the wrong name, or not closed",
            "undefined entity": "write & as &amp; and < as &lt; in text",
            "junk after document element": "only one root element may be in the file",
            "not well-formed (invalid token)": "a character that XML does not allow (a stray < or &, or a control character)",
        }
        raise stop(
            name,
            f"malformed XML: {reason} (line {exc.lineno}, column {exc.offset + 1})",
            hints.get(reason, "the file is damaged; export the project from PARC ACH again"),
            exc.lineno,
            "XML",
        ) from None
    except RecursionError:
        raise stop(name, "the XML is nested too deeply to read", FORMAT_HINT, None, "XML") from None
    if not roots:
        raise stop(name, "the XML has no root element", FORMAT_HINT, None, "XML")
    return roots[0]
