"""Import legacy PARC ACH project files (``.achz``): gzip-compressed UTF-16 XML.

PARC ACH never published a schema; the layout this reader accepts is described
in docs/FORMATS-ACHZ.md. In short::

    <ACHProject version="2.0.5">
      <Title>…</Title>
      <Hypotheses><Hypothesis><Name>…</Name><Description>…</Description></Hypothesis>…</Hypotheses>
      <Evidence>
        <Item><Name>…</Name><Notes/><Link/><Type/><Date/><Code/><Flag/>
              <Credibility/><Relevance/><Consistency>C,I,II,N,NA</Consistency></Item>…
      </Evidence>
    </ACHProject>

:func:`read_achz` returns a plain dict shaped like a case file plus a header
comment for the new file; :func:`ach.formats.casefile.write_case` checks and
writes it. Every problem raises :class:`~ach.diagnostics.CaseError` whose
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

import datetime as dt
import gzip
import io
import re
import zlib
from dataclasses import dataclass
from dataclasses import field as _field
from pathlib import Path
from xml.parsers import expat

from ..diagnostics import CaseError, Diagnostic
from ..scales import NA, RATINGS, suggest

MAX_BYTES = 50 * 1024 * 1024  # compressed file, and decompressed XML: far above any real project
MAX_DEPTH = 64  # XML nesting; a project is 4 levels deep
MAX_ELEMENTS = 200_000  # a 1,000-item project has about 15,000 elements
MAX_HYPOTHESES = 100
MAX_ITEMS = 5_000

ID_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
CLASSIC = ("CC", "C", "N", "I", "II", NA)
LEVEL_WORDS = {
    "high": "high",
    "h": "high",
    "medium": "medium",
    "med": "medium",
    "m": "medium",
    "low": "low",
    "l": "low",
}
TRUE_WORDS = {"true", "yes", "1", "y", "flagged", "on"}
FALSE_WORDS = {"false", "no", "0", "n", "off", "", "none"}

FORMAT_HINT = "see docs/FORMATS-ACHZ.md for the PARC ACH layout ach reads"

# Element names, compared after _key(): lower case, no namespace, no '_', '-', '.' or spaces.
ROOTS = {"achproject", "project", "ach", "achmatrix", "achfile", "parcach", "achdocument"}
TITLE = ("title", "projecttitle", "projectname", "name")
QUESTION = ("question", "focusquestion", "keyquestion")
HYPOTHESIS_LISTS = {"hypotheses", "hypothesislist", "hypothesiscollection"}
HYPOTHESIS = {"hypothesis"}
HYPOTHESIS_ENTRIES = {"hypothesis", "item"}
EVIDENCE_LISTS = {"evidence", "evidencelist", "evidenceitems", "items", "evidences", "evidencecollection"}
ITEMS = {"item", "evidenceitem", "evidence"}
NAME = ("name", "title", "text", "label")
ITEM_NAME = (*NAME, "description")
CONSISTENCY = ("consistency", "consistencies", "consistencyvalues", "ratings", "scores")

# Characters XML allows but YAML cannot carry (C1 controls): dropped from all text.
_NOT_YAML = re.compile("[\x7f-\x84\x86-\x9f\ufffe\uffff]")
# A catch-all's name is made of these words only, and has at least one of the first kind.
_CATCH_ALL_CORE = {
    "other",
    "others",
    "another",
    "someone",
    "somebody",
    "something",
    "anyone",
    "anybody",
    "none",
    "unknown",
    "nobody",
    "else",
    "unidentified",
    "unlisted",
}
_CATCH_ALL_WORDS = _CATCH_ALL_CORE | {
    "all",
    "any",
    "some",
    "an",
    "a",
    "of",
    "the",
    "above",
    "or",
    "and",
    "actor",
    "actors",
    "group",
    "groups",
    "party",
    "parties",
    "explanation",
    "explanations",
    "cause",
    "causes",
    "hypothesis",
    "hypotheses",
    "possibility",
    "possibilities",
    "option",
    "options",
    "perpetrator",
    "perpetrators",
    "reason",
    "reasons",
    "answer",
    "answers",
    "person",
    "persons",
    "people",
    "entity",
    "entities",
}


class _Stop(Exception):
    """Abandon parsing: the diagnostic says why."""

    def __init__(self, diagnostic: Diagnostic):
        super().__init__(diagnostic.message)
        self.diagnostic = diagnostic


# -- public API -----------------------------------------------------------------


def read_achz(path: str | Path, warnings: list[Diagnostic] | None = None) -> tuple[dict, str]:
    """(case dict, header comment) for a PARC ACH ``.achz`` file.

    Raises :class:`CaseError` naming the file and the place in the XML for
    every problem found. Pass a list as ``warnings`` to receive the warnings
    (each is also summarised in the header).
    """
    name = str(path)
    try:
        size = Path(path).stat().st_size
        if size > MAX_BYTES:
            raise CaseError(
                [
                    Diagnostic(
                        "error",
                        f"the file is {size / 2**20:.0f} MB; a PARC ACH project is far smaller "
                        f"(limit {MAX_BYTES // 2**20} MB)",
                        name,
                        hint="check that this is an .achz file",
                    )
                ]
            )
        raw = Path(path).read_bytes()
    except FileNotFoundError:
        raise CaseError([Diagnostic("error", "no such file", name, hint="check the path")]) from None
    except IsADirectoryError:
        raise CaseError(
            [Diagnostic("error", "is a folder, not a PARC ACH file", name, hint="name an .achz file")]
        ) from None
    except OSError as exc:
        raise CaseError(
            [
                Diagnostic(
                    "error", f"cannot read: {exc.strerror or exc}", name, hint="check the path and its permissions"
                )
            ]
        ) from None
    except ValueError as exc:  # a NUL byte in the path
        raise CaseError([Diagnostic("error", f"cannot read: {exc}", name, hint="check the path")]) from None
    return parse_achz(raw, name, warnings)


def parse_achz(raw: bytes, name: str = "<achz>", warnings: list[Diagnostic] | None = None) -> tuple[dict, str]:
    """:func:`read_achz` for the bytes of a file; ``name`` is used in diagnostics."""
    notes: list[Diagnostic] = []
    try:
        xml = _decompress(raw, name, notes)
        text = _decode(xml, name, notes)
        root = _parse_xml(text, name)
        data, header = _Converter(root, name, notes).convert()
    except _Stop as stop:
        raise CaseError([stop.diagnostic]) from None
    if warnings is not None:
        warnings.extend(d for d in notes if d.level == "warning")
    return data, header


# -- bytes -> XML text ------------------------------------------------------------


def _error(name: str, message: str, hint: str = "", line: int | None = None, field: str = "") -> _Stop:
    return _Stop(Diagnostic("error", message, name, line, field, hint))


def _decompress(raw: bytes, name: str, notes: list[Diagnostic]) -> bytes:
    if not raw:
        raise _error(name, "the file is empty (0 bytes)", "export the project from PARC ACH again")
    if len(raw) > MAX_BYTES:
        raise _error(name, f"the file is larger than {MAX_BYTES // 2**20} MB; a PARC ACH project is far smaller")
    if raw[:2] != b"\x1f\x8b":
        if _looks_like_xml(raw):
            notes.append(
                Diagnostic(
                    "warning",
                    "the file is not gzip-compressed; it was read as plain XML",
                    name,
                    hint="PARC ACH writes .achz files compressed; an uncompressed export works too",
                )
            )
            return raw
        kind = _kind(raw)
        raise _error(
            name,
            f"not a PARC ACH file: it is not gzip-compressed{kind} (it starts with bytes {raw[:4].hex(' ')})",
            "an .achz file is gzip-compressed XML as PARC ACH saves it; open the project in PARC ACH and save it again",
        )
    try:
        with gzip.GzipFile(fileobj=io.BytesIO(raw)) as fh:
            data = fh.read(MAX_BYTES + 1)
    except EOFError:
        raise _error(
            name,
            "the compressed data ends early: the file is truncated",
            "copy or download the file again; it was cut off",
        ) from None
    except (gzip.BadGzipFile, zlib.error, OSError, ValueError) as exc:
        raise _error(name, f"the compressed data is corrupt ({exc})", "copy or download the file again") from None
    if len(data) > MAX_BYTES:
        raise _error(
            name,
            f"the file decompresses to more than {MAX_BYTES // 2**20} MB; refused (a PARC ACH project is "
            "far smaller: this looks like a compression bomb)",
            "check where the file came from",
        )
    if not data:
        raise _error(
            name, "the compressed file is empty: it holds no project", "export the project from PARC ACH again"
        )
    return data


def _looks_like_xml(raw: bytes) -> bool:
    head = raw[:8]
    return head.startswith((b"\xff\xfe<\x00", b"\xfe\xff\x00<", b"\xef\xbb\xbf<", b"<\x00", b"\x00<")) or raw.lstrip()[
        :5
    ] in (b"<?xml", b"<ACHP", b"<achp")


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


def _decode(xml: bytes, name: str, notes: list[Diagnostic]) -> str:
    """The XML text: UTF-16 as PARC ACH writes it (BOM or not, LE or BE); UTF-8 or a declared 8-bit
    encoding with a warning."""
    if xml.startswith(b"\xff\xfe") or xml.startswith(b"\xfe\xff"):
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
                raise _error(
                    name,
                    "the UTF-16 text ends in the middle of a character: the content is truncated",
                    "copy or download the file again",
                ) from None
            raise _error(
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
                raise _error(
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
            )
        )
    text = text.lstrip("\ufeff")
    if "\x00" in text:
        raise _error(
            name,
            "the text contains NUL characters: it is not UTF-16 XML as PARC ACH writes it (UTF-32? damaged?)",
            "export the project from PARC ACH again",
        )
    if not text.strip():
        raise _error(name, "the file holds no XML (only blank space)", "export the project from PARC ACH again")
    if not text.lstrip().startswith("<"):
        raise _error(
            name,
            f"the decompressed content is not XML (it starts with {text.strip()[:20]!r})",
            "check the file is a PARC ACH project; if the text looks garbled it is not UTF-16",
            1,
            "XML",
        )
    return text


# -- XML text -> tree ---------------------------------------------------------------


@dataclass
class _Node:
    tag: str
    line: int
    attrs: dict[str, str]
    children: list[_Node] = _field(default_factory=list)
    parts: list[str] = _field(default_factory=list)

    @property
    def key(self) -> str:
        return _key(self.tag)

    @property
    def text(self) -> str:
        return _clean("".join(self.parts))

    def find(self, names) -> _Node | None:
        for child in self.children:
            if child.key in names:
                return child
        return None

    def value(self, names) -> tuple[str | None, int]:
        """The first of ``names`` found as an attribute or a child element: (text, line)."""
        for n in names:
            for k, v in self.attrs.items():
                if _key(k) == n:
                    return _clean(v), self.line
            child = self.find((n,))
            if child is not None:
                return child.text, child.line
        return None, self.line


def _key(tag: str) -> str:
    local = tag.rsplit("}", 1)[-1].rsplit(":", 1)[-1]
    return re.sub(r"[-_. ]", "", local).lower()


def _clean(text: str) -> str:
    return _NOT_YAML.sub("", text).strip()


def _parse_xml(text: str, name: str) -> _Node:
    declaration = re.match(r"\s*<\?xml\b[^>]*\?>", text)
    if declaration:  # the text is decoded already: what it says about encoding no longer applies
        text = re.sub(r"[^\n]", " ", declaration.group()) + text[declaration.end() :]
    parser = expat.ParserCreate()
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    stack: list[_Node] = []
    roots: list[_Node] = []
    count = 0

    def refuse_doctype(*_args):
        raise _error(
            name,
            "the XML has a DOCTYPE declaration; refused (it can define entities that expand without "
            "limit, and PARC ACH never writes one)",
            "remove the <!DOCTYPE …> part",
            parser.CurrentLineNumber,
            "XML",
        )

    def refuse_entity(*_args):
        raise _error(
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
            raise _error(
                name,
                f"the XML has more than {MAX_ELEMENTS:,} elements; refused",
                "check the file is a PARC ACH project",
                parser.CurrentLineNumber,
                "XML",
            )
        if len(stack) >= MAX_DEPTH:
            raise _error(
                name,
                f"the XML is nested more than {MAX_DEPTH} levels deep; refused",
                "check the file is a PARC ACH project",
                parser.CurrentLineNumber,
                "XML",
            )
        node = _Node(tag, parser.CurrentLineNumber, dict(attrs))
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
            "junk after document element": "only one root element (<ACHProject>) may be in the file",
            "not well-formed (invalid token)": "a character that XML does not allow (a stray < or &, or a control character)",
        }
        raise _error(
            name,
            f"malformed XML: {reason} (line {exc.lineno}, column {exc.offset + 1})",
            hints.get(reason, "the file is damaged; export the project from PARC ACH again"),
            exc.lineno,
            "XML",
        ) from None
    except RecursionError:
        raise _error(name, "the XML is nested too deeply to read", FORMAT_HINT, None, "XML") from None
    if not roots:
        raise _error(name, "the XML has no root element", FORMAT_HINT, None, "XML")
    return roots[0]


# -- tree -> case dict --------------------------------------------------------------


class _Converter:
    def __init__(self, root: _Node, name: str, notes: list[Diagnostic]):
        self.root, self.name, self.notes = root, name, notes
        self.errors: list[Diagnostic] = []
        self.order = ""  # "H1 Kataib Hezbollah, H2 …" for hints

    def error(self, field: str, message: str, hint: str = "", line: int | None = None) -> None:
        self.errors.append(Diagnostic("error", message, self.name, line, field, hint))

    def warn(self, field: str, message: str, hint: str = "", line: int | None = None) -> None:
        self.notes.append(Diagnostic("warning", message, self.name, line, field, hint))

    def convert(self) -> tuple[dict, str]:
        root = self.root
        if root.key not in ROOTS:
            raise _error(
                self.name,
                f"the XML root element is <{root.tag}>, not <ACHProject>: not a PARC ACH project",
                FORMAT_HINT,
                root.line,
                "XML",
            )
        title, _ = root.value(TITLE)
        if not title:
            title = Path(self.name).stem or "PARC ACH project"
            self.warn("Title", f"the project has no title; it is called '{title}' after the file", line=root.line)
        question, _ = root.value(QUESTION)
        description, _ = root.value(("description", "summary"))
        version = next((v for k, v in root.attrs.items() if _key(k) in ("version", "achversion")), "")

        hypotheses = self.hypotheses()
        evidence = self.evidence(hypotheses)
        if self.errors:
            raise CaseError(self.errors)

        data: dict = {
            "title": title,
            "question": question or f"Which hypothesis best explains the evidence in '{title}'?",
        }
        if description:
            data["description"] = description
        data["hypotheses"] = hypotheses
        data["evidence"] = evidence
        return data, self.header(version.strip(), hypotheses, evidence, asked=bool(question))

    # -- hypotheses ---------------------------------------------------------
    def hypotheses(self) -> list[dict]:
        nodes = self.children(HYPOTHESIS_LISTS, HYPOTHESIS_ENTRIES, HYPOTHESIS)
        if len(nodes) < 2:
            found = "no hypotheses" if not nodes else "only one hypothesis"
            self.error(
                "Hypotheses",
                f"the project has {found}; an analysis needs at least two",
                "add the hypotheses in PARC ACH (one of them a catch-all such as 'Someone else') and export again",
                self.root.line,
            )
        if len(nodes) > MAX_HYPOTHESES:
            self.error(
                "Hypotheses",
                f"the project has {len(nodes)} hypotheses; at most {MAX_HYPOTHESES} can be imported",
                "check the file",
                self.root.line,
            )
            return []
        out = []
        for j, node in enumerate(nodes, start=1):
            place = f"Hypothesis {j}"
            name, line = node.value(NAME)
            if not name and not node.children:
                name = node.text
            if not name:
                self.error(f"{place} › Name", "the hypothesis has no name", "give every hypothesis a name", line)
                continue
            spec = {"id": f"H{j}", "title": name}
            description, _ = node.value(("description", "notes", "rationale"))
            if description and description != name:
                spec["description"] = description
            out.append(spec)
        titles = [h["title"] for h in out]
        for title in sorted({t for t in titles if titles.count(t) > 1}):
            self.warn(
                "Hypotheses",
                f"two hypotheses are both called '{title}'",
                "they stay separate (H-ids differ); rename one in the new file",
            )
        catch = [h for h in out if _is_catch_all(h["title"])]
        if catch:
            catch[-1]["catch_all"] = True
        return out

    def children(self, lists: set, inner: set, outer: set) -> list[_Node]:
        """The entries of the lists (``<Hypotheses><Hypothesis/>…</Hypotheses>``; entries named
        one of ``inner``), or else the elements named one of ``outer`` right under the root."""
        containers = [c for c in self.root.children if c.key in lists and any(g.key in inner for g in c.children)]
        if containers:
            return [g for c in containers for g in c.children if g.key in inner]
        # no list: entries right under the root (an empty <Evidence/> is an empty list, not an item)
        return [c for c in self.root.children if c.key in outer and (c.key not in lists or c.children or c.attrs)]

    # -- evidence ------------------------------------------------------------
    def evidence(self, hypotheses: list[dict]) -> list[dict]:
        nodes = self.children(EVIDENCE_LISTS, ITEMS, ITEMS)
        n_hyp = len(self.children(HYPOTHESIS_LISTS, HYPOTHESIS_ENTRIES, HYPOTHESIS))
        if not nodes:
            self.error(
                "Evidence",
                "the project has no evidence items",
                "add evidence in PARC ACH and export again",
                self.root.line,
            )
            return []
        if len(nodes) > MAX_ITEMS:
            self.error(
                "Evidence",
                f"the project has {len(nodes)} evidence items; at most {MAX_ITEMS} can be imported",
                "check the file",
                self.root.line,
            )
            return []
        hyp_ids = [h["id"] for h in hypotheses] if len(hypotheses) == n_hyp else None
        if hyp_ids and len(hyp_ids) <= 12:
            self.order = ", ".join(f"{h['id']} {_short(h['title'], 24)}" for h in hypotheses)
        codes = self.ids(nodes)
        out = []
        for i, node in enumerate(nodes, start=1):
            code, _ = node.value(("code", "evidencecode", "number"))
            place = f"Evidence item {i}" + (f" (code {_short(code, 30)})" if code else "")
            item: dict = {"id": codes[i - 1]}
            text, line = node.value(ITEM_NAME)
            if not text and not node.children:
                text = node.text
            if not text:
                text = f"(item {i} has no name in the PARC ACH file)"
                self.warn(f"{place} › Name", "the item has no name; a placeholder text stands in", line=line)
            item["text"] = text
            notes: list[str] = []
            body, _ = node.value(("notes", "note", "comments", "comment"))
            if body:
                notes.append(body)
            if code and code != item["id"]:
                notes.append(f"PARC ACH code: {code}")

            link, _ = node.value(("link", "url", "hyperlink", "reference"))
            item["citation"] = {"report": link or "PARC ACH import"}
            if link and re.match(r"(?i)^https?://", link):
                item["citation"]["url"] = link

            kind, _ = node.value(("type", "evidencetype", "kind"))
            if kind:
                item["type"] = kind
            raw_date, line = node.value(("date", "evidencedate", "datetime"))
            if raw_date:
                date, note = _date(raw_date)
                if date:
                    item["date"] = date
                if note:
                    notes.append(note)
                    if not date:
                        self.warn(
                            f"{place} › Date",
                            f"'{raw_date}' is not a date ach can read; it is kept in the notes",
                            line=line,
                        )
            flag, line = node.value(("flag", "flagged", "isflagged"))
            if flag is not None:
                word = flag.lower()
                if word in TRUE_WORDS:
                    notes.append("Flagged in PARC ACH.")
                elif word not in FALSE_WORDS:
                    notes.append(f"PARC ACH flag: {flag}")
            for what in ("credibility", "relevance"):
                value, line = node.value((what,))
                if value:
                    level = LEVEL_WORDS.get(value.lower())
                    if level:
                        item[what] = level
                    else:
                        notes.append(f"PARC ACH {what}: {value}")
                        self.warn(
                            f"{place} › {what.title()}",
                            f"'{value}' is not High, Medium or Low; left out (kept in the notes)",
                            line=line,
                        )
            if notes:
                item["notes"] = "\n".join(notes)
            likelihood = self.consistency(node, place, n_hyp, hyp_ids)
            if likelihood is not None:
                item["likelihood"] = likelihood
            out.append(_ordered(item))
        return out

    def ids(self, nodes: list[_Node]) -> list[str]:
        """Evidence ids: the PARC code where it is a valid id not used before, else E<position>."""
        codes = [node.value(("code", "evidencecode", "number"))[0] or "" for node in nodes]
        ids: list[str | None] = []
        for code in codes:
            usable = code and ID_PATTERN.match(code) and code not in ids
            ids.append(code if usable else None)
        taken = {c for c in codes if c}
        out = []
        for i, (code, eid) in enumerate(zip(codes, ids), start=1):
            if eid is None:
                eid, n = f"E{i}", 2
                while eid in taken:
                    eid, n = f"E{i}-{n}", n + 1
                taken.add(eid)
                if code:
                    place = f"Evidence item {i} (code {_short(code, 30)}) › Code"
                    why = (
                        f"is also item {codes.index(code) + 1}'s"
                        if ID_PATTERN.match(code)
                        else "cannot be an id (letters, digits, '_', '.', '-')"
                    )
                    self.warn(
                        place,
                        f"the code '{_short(code, 30)}' {why}; the item is {eid} (the code is kept in its notes)",
                        line=nodes[i - 1].line,
                    )
            out.append(eid)
        return out

    def consistency(self, node: _Node, place: str, n_hyp: int, hyp_ids: list[str] | None) -> dict | None:
        raw, line = node.value(CONSISTENCY)
        element = node.find(CONSISTENCY)
        if element is not None and element.children:  # <Consistency><Value>C</Value>…</Consistency>
            values = [c.text for c in element.children]
        elif raw is None or raw == "":
            self.error(
                f"{place} › Consistency",
                "the item has no consistency values",
                f"give one of {', '.join(CLASSIC)} per hypothesis, separated by commas",
                line,
            )
            return None
        else:
            values = [v.strip() for v in re.split(r"[,;]", raw)]
            if len(values) == n_hyp + 1 and values[-1] == "":
                values.pop()  # a trailing comma
        where = f"{place} › Consistency"
        if len(values) != n_hyp:
            shown = _short(raw if raw else ", ".join(values), 80)
            self.error(
                where,
                f"{len(values)} consistency value{'s' * (len(values) != 1)} for {n_hyp} hypotheses ('{shown}')",
                "give exactly one value per hypothesis, in the order the hypotheses are listed"
                + (f": {self.order}" if self.order else ""),
                line,
            )
            return None
        cells, ok = {}, True
        for j, value in enumerate(values, start=1):
            rating = _rating(value)
            if rating is None:
                shown = f"'{value}'" if value else "empty"
                about = f" (for {hyp_ids[j - 1]})" if hyp_ids else f" (for hypothesis {j})"
                self.error(
                    where,
                    f"value {j}{about} is {shown}, not a consistency rating",
                    "; ".join(
                        filter(
                            None, [suggest(value, list(CLASSIC)) if value else "", f"use one of {', '.join(CLASSIC)}"]
                        )
                    ),
                    line,
                )
                ok = False
            elif hyp_ids:
                cells[hyp_ids[j - 1]] = rating
        return cells if ok and hyp_ids else None

    # -- header --------------------------------------------------------------
    def header(self, version: str, hypotheses: list[dict], evidence: list[dict], asked: bool) -> str:
        source = Path(self.name).name
        catch = next((h for h in hypotheses if h.get("catch_all")), None)
        ratings = ", ".join(f"{k} {v:.2f}" for k, v in RATINGS.items())
        lines = [
            f"Imported from the PARC ACH file {source}" + (f" (PARC ACH {version})" if version else "") + ".",
            "",
            "What the import did",
            f"  - {len(hypotheses)} hypotheses, ids H1 to H{len(hypotheses)} in the PARC order; no priors in PARC ACH,",
            "    so all priors are uniform.",
            f"  - The catch-all is {catch['id']} ('{_short(catch['title'])}')."
            if catch
            else "  - No hypothesis looks like a catch-all ('Other', 'None of the above'), so none is marked:",
            *(
                ["    add one, or mark one with `catch_all: true`, unless the list really is exhaustive."]
                if not catch
                else []
            ),
            f"  - {len(evidence)} evidence items; ids are the PARC codes where they are valid and unique, else",
            "    E<position>. Flags, unreadable dates and replaced codes are kept in the notes.",
            "  - The consistency ratings are kept as written; they map through the default scale:",
            f"    {ratings}, and NA = the item's if_false (by default",
            "    the mean of its other likelihoods: the cell says nothing).",
            "  - PARC ACH has no sources: every item is its own source, with reliability 1.",
            "  - Credibility and relevance High/Medium/Low are kept. In ach, credibility is the probability",
            "    that the item is genuine (low 0.30, medium 0.60, high 0.90), not Heuer's weight.",
            "",
            "What to do now",
            "  - Add sources with reliabilities, and point each item at its source: items from one",
            "    source stand or fall together.",
            "  - Give each item a confidence (low/medium/high) in its likelihoods, and consider priors.",
        ]
        if not asked:
            lines.append("  - Check the question: the PARC file has none, so it was made up from the title.")
        warnings = [d for d in self.notes if d.level == "warning"]
        if warnings:
            lines += ["", "Import warnings"]
            for d in warnings[:50]:
                lines.append(f"  - {d.field + ': ' if d.field else ''}{_short(d.message, 200)}")
            if len(warnings) > 50:
                lines.append(f"  - … and {len(warnings) - 50} more")
        return "\n".join(lines)


def _ordered(item: dict) -> dict:
    order = ("id", "text", "date", "type", "likelihood", "credibility", "relevance", "citation", "notes")
    return {k: item[k] for k in order if k in item}


def _short(text: str, n: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= n else text[: n - 1] + "…"


def _is_catch_all(name: str) -> bool:
    """'Other', 'Someone else', 'None of the above', 'Other / unknown actor' (parentheses ignored);
    not 'Another Iran-aligned militia'."""
    words = re.sub(r"[^a-z]+", " ", re.sub(r"\([^)]*\)", " ", name.lower())).split()
    return bool(_CATCH_ALL_CORE & set(words)) and set(words) <= _CATCH_ALL_WORDS


def _rating(value: str) -> str | None:
    key = "".join(value.split()).upper()
    if key in ("N/A", "N.A."):
        key = NA
    return key if key in CLASSIC else None


_MONTHS = {
    m: i for i, m in enumerate(("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), 1)
}


def _date(raw: str) -> tuple[str | None, str]:
    """(YYYY-MM-DD or None, a note for the item's notes or '')."""
    s = raw.strip()
    ymd, note = None, ""
    if m := re.fullmatch(r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[T ].*)?", s):
        ymd = int(m[1]), int(m[2]), int(m[3])
    elif m := re.fullmatch(r"(\d{4})(\d{2})(\d{2})", s):
        ymd = int(m[1]), int(m[2]), int(m[3])
    elif m := re.fullmatch(r"(\d{1,2})([-/.])(\d{1,2})\2(\d{4})(?:[T ].*)?", s):
        a, sep, b, y = int(m[1]), m[2], int(m[3]), int(m[4])
        if sep == "." or (a > 12 >= b):
            ymd = y, b, a  # day first: European dots, or unambiguous
        else:
            ymd = y, a, b  # month first, as the US software writes it
            if a <= 12 and b <= 12 and a != b:
                note = f"PARC ACH date '{raw}' read as month/day/year."
    elif m := re.fullmatch(r"(\d{1,2})\s+([A-Za-z]{3,})\.?,?\s+(\d{4})", s):
        ymd = (int(m[3]), _MONTHS.get(m[2][:3].lower(), 0), int(m[1])) if _full_month(m[2]) else None
    elif m := re.fullmatch(r"([A-Za-z]{3,})\.?\s+(\d{1,2}),?\s+(\d{4})", s):
        ymd = (int(m[3]), _MONTHS.get(m[1][:3].lower(), 0), int(m[2])) if _full_month(m[1]) else None
    try:
        if ymd:
            return dt.date(*ymd).isoformat(), note
    except ValueError:
        pass
    return None, f"PARC ACH date: {raw}"


def _full_month(word: str) -> bool:
    names = (
        "january",
        "february",
        "march",
        "april",
        "may",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
        "sept",
    )
    w = word.lower()
    return any(n.startswith(w) for n in names) and len(w) >= 3
