"""Importing legacy PARC ACH ``.achz`` files (gzip-compressed UTF-16 XML).

The sample files in tests/data/achz/ are made by :func:`build_samples` below;
after changing it, regenerate them with ``python tests/test_achz.py``
(test_committed_samples_are_current fails until you do).
"""

from __future__ import annotations

import gzip
import sys
from dataclasses import dataclass, field
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

import pytest
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st

import ach
from ach.casefile import check_text, dump_case, write_case
from ach.casefile.fields import valid_id
from ach.errors import CaseError, Diagnostic
from ach.io.achz import convert as achz
from ach.io.achz import parse_achz, read_achz
from ach.io.achz import xml as achz_xml
from ach.io.achz.xml import MAX_BYTES as ACHZ_MAX_BYTES

DATA = Path(__file__).resolve().parent / "data" / "achz"
K1_CASE = Path(__file__).resolve().parents[1] / "cases" / "k1.yaml"
BROKEN = DATA / "broken"
CLASSIC = ("CC", "C", "N", "I", "II", "NA")


# -- building .achz files ------------------------------------------------------------


def encode_achz(xml: str, encoding: str = "utf-16-le", bom: bool = True, compress: bool = True) -> bytes:
    """Bytes of an .achz file holding ``xml``: encoded (UTF-16 LE with a BOM, as PARC ACH
    writes it, unless told otherwise), then gzip-compressed (deterministically: mtime 0)."""
    marks = {"utf-16-le": b"\xff\xfe", "utf-16-be": b"\xfe\xff", "utf-8": b"\xef\xbb\xbf"}
    raw = (marks.get(encoding, b"") if bom else b"") + xml.encode(encoding)
    return gzip.compress(raw, compresslevel=9, mtime=0) if compress else raw


@dataclass
class Item:
    name: str
    ratings: list[str]
    code: str | None = None
    notes: str | None = None
    link: str | None = None
    type: str | None = None
    date: str | None = None
    flag: bool | None = None
    credibility: str | None = None
    relevance: str | None = None


@dataclass
class Project:
    title: str | None
    hypotheses: list[str | tuple[str, str]]  # name, or (name, description)
    items: list[Item] = field(default_factory=list)
    version: str = "2.0.5"


def project_xml(
    p: Project, *, attributes: bool = False, case: str = "Pascal", indent: str = "  ", declaration: bool = True
) -> str:
    """PARC ACH XML for a project: fields as child elements (or as attributes), element
    names in PascalCase, lower case or UPPER case."""

    def tag(name: str) -> str:
        return {"Pascal": name, "lower": name.lower(), "upper": name.upper()}[case]

    def fields(pairs) -> tuple[str, str]:
        pairs = [(k, v) for k, v in pairs if v is not None]
        if attributes:
            return "".join(f" {tag(k)}={quoteattr(v)}" for k, v in pairs), ""
        return "", "".join(f"<{tag(k)}>{escape(v)}</{tag(k)}>" for k, v in pairs)

    i1, i2, i3 = indent, indent * 2, indent * 3
    out = ['<?xml version="1.0" encoding="utf-16"?>'] if declaration else []
    out.append(f"<{tag('ACHProject')} version={quoteattr(p.version)}>")
    if p.title is not None:
        out.append(f"{i1}<{tag('Title')}>{escape(p.title)}</{tag('Title')}>")
    out.append(f"{i1}<{tag('Hypotheses')}>")
    for j, h in enumerate(p.hypotheses, start=1):
        name, description = (h, None) if isinstance(h, str) else h
        attrs, body = fields([("Name", name), ("Description", description)])
        out.append(f'{i2}<{tag("Hypothesis")} id="{j}"{attrs}>{body}</{tag("Hypothesis")}>')
    out.append(f"{i1}</{tag('Hypotheses')}>")
    out.append(f"{i1}<{tag('Evidence')}>")
    for i, e in enumerate(p.items, start=1):
        flag = None if e.flag is None else ("true" if e.flag else "false")
        attrs, body = fields(
            [
                ("Name", e.name),
                ("Notes", e.notes),
                ("Link", e.link),
                ("Type", e.type),
                ("Date", e.date),
                ("Code", e.code),
                ("Flag", flag),
                ("Credibility", e.credibility),
                ("Relevance", e.relevance),
                ("Consistency", ",".join(e.ratings)),
            ]
        )
        body = body.replace("><", f">\n{i3}<") if body and indent else body
        end = f"\n{i2}" if body and indent else ""
        out.append(
            f'{i2}<{tag("Item")} id="{i}"{attrs}>'
            + (f"\n{i3}{body}{end}" if body and indent else body)
            + f"</{tag('Item')}>"
        )
    out.append(f"{i1}</{tag('Evidence')}>")
    out.append(f"</{tag('ACHProject')}>")
    return "\n".join(out) + "\n"


NYT = "https://www.nytimes.com/2020/02/06/world/middleeast/iraq-iran-attack.html"
K1 = Project(
    "K-1 rocket attack, Kirkuk, 27 December 2019: who fired?",
    [
        ("Kataib Hezbollah", "Kataib Hezbollah (KH), an Iran-aligned PMF militia, or a front acting for it."),
        ("Another Iran-aligned militia", "Any other Iran-aligned armed group, acting without KH."),
        ("The Islamic State", "Islamic State (Daesh, داعش) cells active in Kirkuk province."),
        "Baathist or other Sunni insurgents",
        ("A criminal or tribal group", "Hired crews, smugglers, tribal feuds."),
        "Other / none of the above",
    ],
    [
        Item(
            "US officials say they have great confidence KH carried out more than half of the 11 rocket attacks on "
            "bases in November & December, including K-1.",
            ["C", "I", "II", "II", "I", "I"],
            code="E01",
            notes="Anonymous officials; intelligence not released.",
            link=NYT,
            type="Intelligence Report",
            date="2020-02-06",
            credibility="Medium",
            relevance="High",
        ),
        Item(
            "Two US officials say the examination of the Kia truck helped attribute the attack to KH.",
            ["C", "I", "II", "II", "II", "II"],
            code="E02",
            link=NYT,
            type="Intelligence Report",
            date="2/6/2020 12:00:00 AM",
            credibility="Low",
            relevance="High",
            flag=True,
        ),
        Item(
            "A US official says intercepted communications show KH's participation.",
            ["CC", "I", "II", "II", "II", "II"],
            code="E03",
            link=NYT,
            type="Intelligence Report",
            date="2020-02-06T00:00:00",
            credibility="Medium",
            relevance="High",
        ),
        Item(
            "Defense Secretary Esper said US forces had been attacked by KH at a base near Kirkuk.",
            ["C", "N", "N", "N", "N", "N"],
            code="E04",
            link="Press conference, 2 Jan 2020",
            type="Public statement",
            date="02 Jan 2020",
            credibility="High",
            relevance="Medium",
        ),
        Item(
            "31 rockets were launched (US officials).",
            ["C", "C", "I", "I", "N", "N"],
            code="E05",
            link=NYT,
            type="Physical evidence",
            date="2020-02-06",
            credibility="Medium",
            relevance="Low",
        ),
        Item(
            "General Adnan found three racks of 12 tubes, fewer than half loaded; Iraqi witnesses counted 11 rockets.",
            ["I", "N", "C", "C", "N", "N"],
            code="E06",
            link=NYT,
            type="Physical evidence",
            date="2020-02-06",
            credibility="High",
            relevance="Medium",
            notes="First officer at the truck.\nContradicts E05.",
        ),
        Item(
            "ISIS carried out three attacks near the base in the days before 27 December.",
            ["N", "N", "C", "N", "N", "N"],
            code="E07",
            link=NYT,
            type="Intelligence Report",
            date="2020-02-06",
            credibility="Medium",
            relevance="Medium",
        ),
        Item(
            "Only someone who knows the area could have reached the firing position (General Adnan).",
            ["I", "I", "C", "C", "N", "N"],
            code="E08",
            link=NYT,
            type="Logical Deduction",
            date="2020-02-06",
            credibility="Medium",
            relevance="Medium",
            flag=False,
        ),
        Item(
            "The nearby Turkmen and Arab villages sympathise with Daesh (Brigadier General Hassan).",
            ["N", "N", "C", "C", "N", "NA"],
            code="E09",
            link=NYT,
            type="Assumption",
            date="2020-02-06",
            credibility="Low",
            relevance="Low",
        ),
        Item(
            "The US surveillance balloon was down for maintenance on the day of the attack (Col. al-Tamimi).",
            ["N", "N", "N", "N", "N", "N"],
            code="E10",
            link=NYT,
            type="News Report",
            date="not recorded",
            credibility="Medium",
            relevance="Low",
            notes="Non-diagnostic; kept as a check.",
        ),
        Item(
            "No group claimed responsibility.",
            ["C", "C", "I", "N", "C", "C"],
            code="E11",
            type="Absence of Evidence",
            date="13/02/2020",
            credibility="High",
            relevance="High",
            notes="ISIS usually claims its attacks.",
        ),
        Item(
            "Kataib Hezbollah denied involvement.",
            ["C", "C", "C", "C", "C", "NA"],
            code="E12",
            link="Rudaw, 13 Feb 2020",
            type="News Report",
            date="February 13, 2020",
            credibility="Medium",
            relevance="Low",
        ),
    ],
)

SMALL = Project(
    "The missing cake",
    ["The dog", "The child", "Someone else"],
    [
        Item("Crumbs on the dog bed", ["c", " i ", "n"], code="1", credibility="high"),
        Item("The child says the dog did it", ["C", "NA", "N"], type="Testimony"),
        Item("Chocolate on the child's sleeve", ["II", "CC", "C"], code="c-3", date="2024-03-01", flag=True),
    ],
    version="2.0.3",
)


def k1_xml(project: Project = K1, **kw) -> str:
    return project_xml(project, **kw)


def replace_once(text: str, old: str, new: str) -> str:
    assert text.count(old) >= 1, old
    return text.replace(old, new, 1)


# PARC ACH 2.0's own layout, from the element names the Open Source ACH importer (import_action.php) reads.
PARC_SPELLED = {"CC": "C C", "II": "I I"}
EST = 5 * 3_600_000  # midnight in New York is 05:00 UTC (in winter)


def epoch_ms(iso: str, offset_ms: int = EST) -> int:
    """Milliseconds since 1970 of the midnight that starts ``iso`` in a time zone ``offset_ms`` behind UTC."""
    import datetime as dt

    return (dt.date.fromisoformat(iso) - dt.date(1970, 1, 1)).days * 86_400_000 + offset_ms


def parc_xml(
    p: Project,
    *,
    root: str = "ACH",
    classification: str | None = "U",
    matrix: bool = True,
    indent: str = "  ",
    declaration: bool = True,
) -> str:
    """A project in PARC ACH 2.0's layout: a root of any name, PROJECT-TITLE, CLASSIFICATION, LAST-INDEX,
    COLOR-SCHEME, a MATRIX of HYPOTHESIS (NAME) and EVIDENCE; dates as ms since 1970 (0: none), flags 1/0,
    ratings as PARC spells them (``C C``, ``I I``). An item's ``date`` is ISO (turned into the ms of New
    York's midnight), a whole number (written as it is) or None (0)."""
    i1, i2, i3 = indent, indent * 2, indent * 3
    out = ['<?xml version="1.0" encoding="UTF-16"?>'] if declaration else []
    out.append(f"<{root}>")
    if p.title is not None:
        out.append(f"{i1}<PROJECT-TITLE>{escape(p.title)}</PROJECT-TITLE>")
    if classification is not None:
        out.append(f"{i1}<CLASSIFICATION>{escape(classification)}</CLASSIFICATION>")
    out.append(f"{i1}<LAST-INDEX>{len(p.items)}</LAST-INDEX>")
    out.append(f"{i1}<COLOR-SCHEME>0</COLOR-SCHEME>")
    if matrix:
        out.append(f"{i1}<MATRIX>")
    for h in p.hypotheses:
        name = h if isinstance(h, str) else h[0]
        out.append(f"{i2}<HYPOTHESIS><NAME>{escape(name)}</NAME></HYPOTHESIS>")
    for e in p.items:
        if e.date is None:
            date = "0"
        elif e.date.lstrip("-").isdigit():
            date = e.date
        else:
            date = str(epoch_ms(e.date))
        fields = [
            ("NAME", e.name),
            ("NOTES", e.notes or ""),
            ("LINK", e.link or ""),
            ("TYPE", e.type or ""),
            ("DATE", date),
            ("CODE", e.code or ""),
            ("FLAG", "1" if e.flag else "0"),
            ("CREDIBILITY", e.credibility or ""),
            ("VALUES", ",".join(PARC_SPELLED.get(r, r) for r in e.ratings)),
        ]
        out.append(f"{i2}<EVIDENCE>")
        out += [f"{i3}<{k}>{escape(v)}</{k}>" for k, v in fields]
        out.append(f"{i2}</EVIDENCE>")
    if matrix:
        out.append(f"{i1}</MATRIX>")
    out.append(f"</{root}>")
    return "\n".join(out) + "\n"


PARC_K1 = Project(
    K1.title,
    K1.hypotheses,
    [
        Item(
            e.name,
            e.ratings,
            code=e.code,
            notes=e.notes,
            link=e.link,
            type=e.type,
            date=achz.parse_date(e.date)[0] if e.date else None,
            flag=e.flag,
            credibility=e.credibility.upper() if e.credibility else None,
        )
        for e in K1.items
    ],
)


SMALL_PARC = Project(
    "The missing cake",
    ["The dog", "The child", "Someone else"],
    [
        Item("Crumbs on the dog bed", ["C", "I", "N"], code="1", credibility="HIGH", date="0"),
        Item("The child says the dog did it", ["C", "NA", "N"], code="1", type="Testimony", date="1709294523456"),
        Item("Chocolate on the child's sleeve", ["II", "CC", "C"], code="c 3", date="2024-03-01", flag=True),
    ],
)


BILLION_LAUGHS = """<?xml version="1.0" encoding="utf-16"?>
<!DOCTYPE ACHProject [
  <!ENTITY lol "lol">
  <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
  <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
  <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
  <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
  <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
  <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
  <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
  <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
  <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<ACHProject version="2.0.5">
  <Title>&lol9;</Title>
  <Hypotheses><Hypothesis><Name>A</Name></Hypothesis><Hypothesis><Name>B</Name></Hypothesis></Hypotheses>
  <Evidence><Item><Name>x</Name><Consistency>C,I</Consistency></Item></Evidence>
</ACHProject>
"""


def build_samples() -> dict[str, bytes]:
    """Every committed sample: relative path -> bytes."""
    good = k1_xml()
    huge_head = '<?xml version="1.0" encoding="utf-16"?>\n<ACHProject version="2.0.5">\n  <Title>'
    huge = huge_head + " " * (ACHZ_MAX_BYTES // 2) + "</Title>\n</ACHProject>\n"
    gz = encode_achz(good)
    parc = parc_xml(PARC_K1)
    parc_gz = encode_achz(parc, "utf-16-be")
    return {
        # readable
        "k1.achz": gz,
        "small.achz": encode_achz(project_xml(SMALL, attributes=True, case="lower"), "utf-16-be", bom=False),
        "utf8.achz": encode_achz(good.replace('encoding="utf-16"', 'encoding="utf-8"'), "utf-8", bom=False),
        "duplicate_codes.achz": encode_achz(
            good.replace("<Code>E03</Code>", "<Code>E02</Code>").replace("<Code>E04</Code>", "<Code>E 4</Code>")
        ),
        "parc.achz": encode_achz(parc_xml(PARC_K1), "utf-16-be"),
        "parc_utf8.achz": encode_achz(parc_xml(SMALL_PARC, root="ACHData", classification="SECRET"), "utf-8"),
        # broken
        "broken/empty.achz": b"",
        "broken/truncated.achz": gz[: len(gz) // 2],
        "broken/not_gzip.achz": b"PK\x03\x04\x14\x00\x06\x00\x08\x00" + bytes(range(40)),
        "broken/corrupt.achz": gz[:40] + bytes(b ^ 0x55 for b in gz[40:60]) + gz[60:],
        "broken/bad_utf16.achz": gzip.compress(b"\xff\xfe" + good.encode("utf-16-le")[:-1], mtime=0),
        "broken/latin1.achz": encode_achz(good.replace("داعش", "Dä'esh"), "latin-1", bom=False),
        "broken/malformed.achz": encode_achz(replace_once(good, "</Name>", "</Nmae>")),
        "broken/wrong_count.achz": encode_achz(
            replace_once(good, "<Consistency>C,C,I,I,N,N</Consistency>", "<Consistency>C,C,I,I,N</Consistency>")
        ),
        "broken/unknown_rating.achz": encode_achz(
            replace_once(good, "<Consistency>N,N,C,N,N,N</Consistency>", "<Consistency>N,N,X,N,N,N</Consistency>")
        ),
        "broken/nameless_hypothesis.achz": encode_achz(
            replace_once(good, "<Name>Baathist or other Sunni insurgents</Name>", "<Name> </Name>")
        ),
        "broken/empty_project.achz": encode_achz(project_xml(Project("Empty", []))),
        "broken/billion_laughs.achz": encode_achz(BILLION_LAUGHS),
        "broken/huge.achz": encode_achz(huge),
        "broken/not_ach.achz": encode_achz('<?xml version="1.0"?>\n<html><body>Not a project</body></html>\n'),
        "broken/parc_truncated.achz": parc_gz[: len(parc_gz) * 2 // 3],
        "broken/parc_no_matrix.achz": encode_achz(parc_xml(PARC_K1, matrix=False)),
        "broken/parc_wrong_count.achz": encode_achz(
            replace_once(parc, "<VALUES>C,C,I,I,N,N</VALUES>", "<VALUES>C,C,I,I,N</VALUES>")
        ),
        "broken/parc_unknown_rating.achz": encode_achz(
            replace_once(parc, "<VALUES>N,N,C,N,N,N</VALUES>", "<VALUES>N,N,CI,N,N,N</VALUES>")
        ),
    }


def write_samples(folder: Path = DATA) -> None:
    for rel, data in build_samples().items():
        path = folder / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)


def fails(path_or_bytes, name: str = "case.achz") -> CaseError:
    """The CaseError reading the file raises (any other exception fails the test)."""
    with pytest.raises(CaseError) as info:
        if isinstance(path_or_bytes, bytes):
            parse_achz(path_or_bytes, name)
        else:
            read_achz(path_or_bytes)
    errors = info.value.diagnostics
    assert errors and all(isinstance(d, Diagnostic) and d.level == "error" for d in errors)
    return info.value


def only(error: CaseError) -> Diagnostic:
    assert len(error.diagnostics) == 1, error.diagnostics
    return error.diagnostics[0]


def matrix(data: dict) -> list[list[str]]:
    hyps = [h["id"] for h in data["hypotheses"]]
    return [[e["likelihood"][h] for h in hyps] for e in data["evidence"]]


# -- the samples ---------------------------------------------------------------------


def test_committed_samples_are_current():
    for rel, data in build_samples().items():
        path = DATA / rel
        assert path.exists() and path.read_bytes() == data, f"{rel} is stale: run python tests/test_achz.py"


def test_k1_sample_imports_into_a_case_ach_can_analyse(tmp_path):
    warnings: list = []
    data, header = read_achz(DATA / "k1.achz", warnings)
    out = write_case(data, tmp_path / "k1.yaml", header=header)
    case = ach.load(out)
    assert [h.id for h in case.hypotheses] == ["H1", "H2", "H3", "H4", "H5", "H6"]
    assert [e.id for e in case.evidence] == [f"E{i:02d}" for i in range(1, 13)]
    result = ach.analyze(out, sample=False)
    assert abs(sum(result.posterior) - 1) < 1e-9
    assert case.title.startswith("K-1 rocket attack")
    assert case.question == f"Which hypothesis best explains the evidence in '{K1.title}'?"
    text = out.read_text(encoding="utf-8")
    assert text.startswith("# yaml-language-server")
    assert "# Imported from the PARC ACH file k1.achz (PARC ACH 2.0.5)." in text
    # the only warning: E10's date
    assert [d.field for d in warnings] == ["Evidence item 10 (code E10) › Date"]


def test_ratings_land_in_their_hypothesis_columns():
    data, _ = read_achz(DATA / "k1.achz")
    assert matrix(data) == [item.ratings for item in K1.items]
    ev = {e["id"]: e for e in data["evidence"]}
    assert ev["E03"]["likelihood"] == {"H1": "CC", "H2": "I", "H3": "II", "H4": "II", "H5": "II", "H6": "II"}
    assert ev["E06"]["likelihood"]["H3"] == "C" and ev["E06"]["likelihood"]["H1"] == "I"
    assert ev["E09"]["likelihood"]["H6"] == "NA"
    assert ev["E11"]["likelihood"]["H3"] == "I"


def test_ratings_map_through_the_default_scale(tmp_path):
    data, header = read_achz(DATA / "k1.achz")
    case = ach.load(write_case(data, tmp_path / "k1.yaml", header=header))
    e03 = next(e for e in case.evidence if e.id == "E03")
    assert e03.likelihood["H1"].mean == 0.90 and e03.likelihood["H2"].mean == 0.20 and e03.likelihood["H3"].mean == 0.05
    e09 = next(e for e in case.evidence if e.id == "E09")
    assert e09.likelihood["H6"] is None  # NA: takes the item's if_false
    for words in (
        "CC 0.90, C 0.70, N 0.50, I 0.20, II 0.05",
        "NA = the item's if_false",
        "every item is its own source",
        "all priors are uniform",
        "Add sources with reliabilities",
        "confidence",
    ):
        assert words in " ".join(header.split()), words


def test_fields_are_carried_over():
    data, _ = read_achz(DATA / "k1.achz")
    h = data["hypotheses"]
    assert h[0] == {
        "id": "H1",
        "title": "Kataib Hezbollah",
        "description": "Kataib Hezbollah (KH), an Iran-aligned PMF militia, or a front acting for it.",
    }
    assert "داعش" in h[2]["description"]
    ev = {e["id"]: e for e in data["evidence"]}
    e01 = ev["E01"]
    assert e01["text"].endswith("November & December, including K-1.")
    assert e01["citation"] == {"report": NYT, "url": NYT}
    assert (e01["type"], e01["date"], e01["credibility"], e01["relevance"]) == (
        "Intelligence Report",
        "2020-02-06",
        "medium",
        "high",
    )
    assert e01["notes"] == "Anonymous officials; intelligence not released."
    assert "source" not in e01
    assert ev["E02"]["date"] == "2020-02-06" and "Flagged in PARC ACH." in ev["E02"]["notes"]
    assert "month/day/year" in ev["E02"]["notes"]
    assert ev["E03"]["date"] == "2020-02-06"
    assert ev["E04"]["date"] == "2020-01-02" and ev["E04"]["citation"] == {"report": "Press conference, 2 Jan 2020"}
    assert ev["E06"]["notes"] == "First officer at the truck.\nContradicts E05."
    assert "notes" not in ev["E08"]  # Flag false: nothing to say
    assert "date" not in ev["E10"] and "PARC ACH date: not recorded" in ev["E10"]["notes"]
    assert ev["E11"]["date"] == "2020-02-13" and ev["E11"]["citation"] == {"report": "PARC ACH import"}
    assert ev["E12"]["date"] == "2020-02-13"


def test_catch_all_is_the_last_hypothesis_that_looks_like_other():
    data, header = read_achz(DATA / "k1.achz")
    marked = [h["id"] for h in data["hypotheses"] if h.get("catch_all")]
    assert marked == ["H6"]  # not H2 "Another Iran-aligned militia"
    assert "The catch-all is H6" in header


@pytest.mark.parametrize(
    "name, expected",
    [
        ("Other", True),
        ("Others", True),
        ("Someone else", True),
        ("None of the above", True),
        ("Other / none of the above", True),
        ("Another actor", True),
        ("Unknown", True),
        ("Something else (e.g. an accident)", True),
        ("Any other group", True),
        ("OTHER", True),
        ("Another Iran-aligned militia", False),
        ("Other Iran-aligned militia", False),
        ("Kataib Hezbollah", False),
        ("The dog", False),
        ("", False),
        ("Otherworldly forces", False),
    ],
)
def test_catch_all_names(name, expected):
    assert achz.is_catch_all(name) is expected


def test_no_catch_all_is_said_in_the_header():
    project = Project("Two", ["Alpha", "Beta"], [Item("x", ["C", "I"])])
    data, header = parse_achz(encode_achz(project_xml(project)), "two.achz")
    assert not any(h.get("catch_all") for h in data["hypotheses"])
    assert "No hypothesis looks like a catch-all" in header


def test_small_sample_lower_case_attributes_utf16_be_without_bom(tmp_path):
    data, header = read_achz(DATA / "small.achz")
    assert matrix(data) == [["C", "I", "N"], ["C", "NA", "N"], ["II", "CC", "C"]]
    assert [e["id"] for e in data["evidence"]] == ["1", "E2", "c-3"]
    assert data["hypotheses"][2]["catch_all"] is True
    assert data["evidence"][0]["credibility"] == "high"
    assert "(PARC ACH 2.0.3)" in header
    ach.load(write_case(data, tmp_path / "small.yaml", header=header))


def test_utf8_is_read_with_a_warning():
    warnings: list = []
    data, header = read_achz(DATA / "utf8.achz", warnings)
    assert matrix(data) == [item.ratings for item in K1.items]
    assert "داعش" in data["hypotheses"][2]["description"]
    assert any("not the UTF-16 PARC ACH writes" in d.message for d in warnings)
    assert "Import warnings" in header and "UTF-8" in header


def test_duplicate_and_invalid_codes_get_positional_ids(tmp_path):
    warnings: list = []
    data, header = read_achz(DATA / "duplicate_codes.achz", warnings)
    ids = [e["id"] for e in data["evidence"]]
    assert ids[:5] == ["E01", "E02", "E3", "E4", "E05"]
    assert len(set(ids)) == len(ids)
    ev = {e["id"]: e for e in data["evidence"]}
    assert "PARC ACH code: E02" in ev["E3"]["notes"] and "PARC ACH code: E 4" in ev["E4"]["notes"]
    fields = [d.field for d in warnings]
    assert "Evidence item 3 (code E02) › Code" in fields and "Evidence item 4 (code E 4) › Code" in fields
    assert "also item 2's; the item is E3" in " ".join(d.message for d in warnings)
    ach.load(write_case(data, tmp_path / "dup.yaml", header=header))


def test_positional_ids_avoid_codes_used_later():
    project = Project("P", ["A", "B"], [Item("x", ["C", "I"]), Item("y", ["I", "C"], code="E1")])
    data, _ = parse_achz(encode_achz(project_xml(project)), "p.achz")
    assert [e["id"] for e in data["evidence"]] == ["E1-2", "E1"]


def test_question_and_description_elements_are_used():
    xml = project_xml(Project("T", ["A", "B"], [Item("x", ["C", "I"])])).replace(
        "<Title>T</Title>", "<Title>T</Title><Question>Who did it?</Question><Description>About T</Description>"
    )
    data, header = parse_achz(encode_achz(xml), "t.achz")
    assert data["question"] == "Who did it?" and data["description"] == "About T"
    assert "Check the question" not in header


# -- variations real files may have ---------------------------------------------------


@pytest.mark.parametrize(
    "encoding, bom",
    [
        ("utf-16-le", True),
        ("utf-16-le", False),
        ("utf-16-be", True),
        ("utf-16-be", False),
        ("utf-8", True),
        ("utf-8", False),
    ],
)
@pytest.mark.parametrize("case", ["Pascal", "lower", "upper"])
def test_encodings_and_element_case(encoding, bom, case):
    data, _ = parse_achz(encode_achz(project_xml(K1, case=case), encoding, bom), "k1.achz")
    assert matrix(data) == [item.ratings for item in K1.items]


def test_attributes_instead_of_elements():
    data, _ = parse_achz(encode_achz(project_xml(K1, attributes=True)), "k1.achz")
    assert matrix(data) == [item.ratings for item in K1.items]
    assert data["evidence"][0]["citation"]["url"] == NYT


def test_uncompressed_xml_is_read_with_a_warning():
    warnings: list = []
    data, _ = parse_achz(encode_achz(k1_xml(), compress=False), "k1.xml", warnings)
    assert len(data["evidence"]) == 12
    assert any("not gzip-compressed" in d.message for d in warnings)


def test_minimal_layout_without_lists_and_with_text_names():
    xml = """<ACHProject><Title>Bare</Title>
      <Hypothesis>Alpha</Hypothesis><Hypothesis>Beta</Hypothesis>
      <Evidence><Name>one</Name><Consistency>C;I</Consistency></Evidence>
      <Evidence name="two" consistency="n/a, ii"/>
    </ACHProject>"""
    data, _ = parse_achz(encode_achz(xml), "bare.achz")
    assert [h["title"] for h in data["hypotheses"]] == ["Alpha", "Beta"]
    assert matrix(data) == [["C", "I"], ["NA", "II"]]


def test_consistency_as_child_values_and_trailing_comma():
    xml = project_xml(Project("T", ["A", "B", "C"], [Item("x", ["C", "I", "N"]), Item("y", ["C", "I", "N", ""])]))
    xml = xml.replace(
        "<Consistency>C,I,N</Consistency>",
        "<Consistency><Value>CC</Value><Value>ii</Value><Value>Na</Value></Consistency>",
    )
    data, _ = parse_achz(encode_achz(xml), "t.achz")
    assert matrix(data) == [["CC", "II", "NA"], ["C", "I", "N"]]


def test_namespaces_and_leading_blank_space():
    xml = "\n\n" + k1_xml().replace("<ACHProject ", '<ACHProject xmlns="urn:parc:ach" ')
    data, _ = parse_achz(encode_achz(xml), "k1.achz")
    assert matrix(data) == [item.ratings for item in K1.items]


@pytest.mark.parametrize(
    "raw, iso, noted",
    [
        ("2020-02-06", "2020-02-06", False),
        ("2020-2-6", "2020-02-06", False),
        ("20200206", "2020-02-06", False),
        ("2020-02-06T13:45:00Z", "2020-02-06", False),
        ("2/6/2020 12:00:00 AM", "2020-02-06", True),
        ("13/2/2020", "2020-02-13", False),
        ("2/13/2020", "2020-02-13", False),
        ("06.02.2020", "2020-02-06", False),
        ("6 Feb 2020", "2020-02-06", False),
        ("February 6, 2020", "2020-02-06", False),
        ("Sept 6 2020", "2020-09-06", False),
        ("2020-02-30", None, True),
        ("yesterday", None, True),
        ("13/13/2020", None, True),
        ("6 Foo 2020", None, True),
    ],
)
def test_dates(raw, iso, noted):
    date, note = achz.parse_date(raw)
    assert date == iso
    assert bool(note) is noted


def test_unknown_credibility_is_kept_in_the_notes():
    project = Project("T", ["A", "B"], [Item("x", ["C", "I"], credibility="Very high", relevance="MEDIUM")])
    warnings: list = []
    data, _ = parse_achz(encode_achz(project_xml(project)), "t.achz", warnings)
    item = data["evidence"][0]
    assert "credibility" not in item and item["relevance"] == "medium"
    assert "PARC ACH credibility: Very high" in item["notes"]
    assert warnings[0].field == "Evidence item 1 › Credibility"


def test_missing_title_is_named_after_the_file():
    data, _ = parse_achz(encode_achz(project_xml(Project(None, ["A", "B"], [Item("x", ["C", "I"])]))), "dir/lost.achz")
    assert data["title"] == "lost"


def test_nameless_item_gets_a_placeholder():
    warnings: list = []
    data, _ = parse_achz(
        encode_achz(project_xml(Project("T", ["A", "B"], [Item("", ["C", "I"], code="X1")]))), "t.achz", warnings
    )
    assert data["evidence"][0]["text"] == "(item 1 has no name in the PARC ACH file)"
    assert warnings[0].field == "Evidence item 1 (code X1) › Name"


def test_duplicate_hypothesis_ids_and_names():
    xml = project_xml(Project("T", ["Alpha", "Alpha", "Other"], [Item("x", ["C", "I", "N"])])).replace(
        'id="2"', 'id="1"'
    )
    warnings: list = []
    data, _ = parse_achz(encode_achz(xml), "t.achz", warnings)
    assert [h["id"] for h in data["hypotheses"]] == ["H1", "H2", "H3"]
    assert matrix(data) == [["C", "I", "N"]]
    assert "two hypotheses are both called 'Alpha'" in warnings[0].message


def test_too_many_hypotheses_or_items(monkeypatch):
    monkeypatch.setattr(achz, "MAX_HYPOTHESES", 5)
    monkeypatch.setattr(achz, "MAX_ITEMS", 10)
    err = fails(encode_achz(k1_xml()))
    assert [d.field for d in err.diagnostics] == ["Hypotheses", "Evidence"]
    assert "6 hypotheses; at most 5" in err.diagnostics[0].message


# -- broken files: a clear error naming the place ----------------------------------------


def test_missing_file_and_folder(tmp_path):
    assert only(fails(tmp_path / "nope.achz")).message == "no such file"
    assert "folder" in only(fails(tmp_path)).message


def test_empty_file():
    d = only(fails(BROKEN / "empty.achz"))
    assert "empty" in d.message and d.file == str(BROKEN / "empty.achz")


def test_truncated_gzip():
    d = only(fails(BROKEN / "truncated.achz"))
    assert "truncated" in d.message


def test_not_gzip():
    d = only(fails(BROKEN / "not_gzip.achz"))
    assert "not gzip-compressed: it is a ZIP archive" in d.message and "50 4b 03 04" in d.message


def test_corrupt_gzip():
    d = only(fails(BROKEN / "corrupt.achz"))
    assert "corrupt" in d.message or "truncated" in d.message


def test_bad_utf16():
    d = only(fails(BROKEN / "bad_utf16.achz"))
    assert "UTF-16" in d.message and "truncated" in d.message


def test_eight_bit_text_without_declaration_is_refused():
    d = only(fails(BROKEN / "latin1.achz"))
    assert "neither UTF-16 nor UTF-8" in d.message and d.line is not None and d.field == "XML"


def test_eight_bit_text_with_its_declaration_is_read():
    xml = k1_xml().replace("داعش", "Dä'esh").replace('encoding="utf-16"', 'encoding="windows-1252"')
    warnings: list = []
    data, _ = parse_achz(encode_achz(xml, "cp1252", bom=False), "k1.achz", warnings)
    assert "Dä'esh" in data["hypotheses"][2]["description"]
    assert "windows-1252" in warnings[0].message


def test_malformed_xml():
    d = only(fails(BROKEN / "malformed.achz"))
    assert d.message.startswith("malformed XML: mismatched tag") and d.field == "XML"
    assert d.line == k1_xml().splitlines().index(next(x for x in k1_xml().splitlines() if "</Name>" in x)) + 1


def test_wrong_number_of_consistency_values():
    d = only(fails(BROKEN / "wrong_count.achz"))
    assert d.field == "Evidence item 5 (code E05) › Consistency"
    assert d.message.startswith("5 consistency values for 6 hypotheses")
    assert "H1 Kataib Hezbollah, H2 Another Iran-aligned mi…" in d.hint
    assert d.line == next(n for n, x in enumerate(k1_xml().splitlines(), 1) if "C,C,I,I,N,N" in x)
    assert f"{BROKEN / 'wrong_count.achz'}:{d.line}: error: Evidence item 5 (code E05) › Consistency:" in str(d)


def test_unknown_rating():
    d = only(fails(BROKEN / "unknown_rating.achz"))
    assert d.field == "Evidence item 7 (code E07) › Consistency"
    assert "value 3 (for H3) is 'X', not a consistency rating" in d.message
    assert "CC, C, N, I, II, NA" in d.hint


def test_nameless_hypothesis():
    d = only(fails(BROKEN / "nameless_hypothesis.achz"))
    assert d.field == "Hypothesis 4 › Name" and "no name" in d.message
    assert d.line == next(n for n, x in enumerate(k1_xml().splitlines(), 1) if "Baathist" in x)


def test_empty_project():
    err = fails(BROKEN / "empty_project.achz")
    fields = {d.field: d.message for d in err.diagnostics}
    assert "no hypotheses" in fields["Hypotheses"] and "no evidence" in fields["Evidence"]


def test_billion_laughs_is_refused():
    d = only(fails(BROKEN / "billion_laughs.achz"))
    assert "DOCTYPE" in d.message and d.line == 2 and d.field == "XML"


def test_internal_entity_without_doctype_is_an_xml_error():
    xml = k1_xml().replace("<Title>", "<Title>&lol;")
    assert "undefined entity" in only(fails(encode_achz(xml))).message


def test_huge_decompressed_size_is_refused():
    assert (BROKEN / "huge.achz").stat().st_size < 100_000
    d = only(fails(BROKEN / "huge.achz"))
    assert "decompresses to more than 50 MB" in d.message


def test_huge_compressed_file_is_refused(tmp_path, monkeypatch):
    monkeypatch.setattr(achz_xml, "MAX_BYTES", 1000)
    path = tmp_path / "big.achz"
    path.write_bytes(encode_achz(k1_xml()))
    assert "larger" in only(fails(path)).message or "MB" in only(fails(path)).message


def test_not_an_ach_project():
    d = only(fails(BROKEN / "not_ach.achz"))
    assert "<html>" in d.message and "not a PARC ACH project" in d.message


def test_deep_nesting_and_many_elements_are_refused(monkeypatch):
    deep = "<ACHProject>" + "<a>" * 100 + "</a>" * 100 + "</ACHProject>"
    assert "nested more than" in only(fails(encode_achz(deep))).message
    monkeypatch.setattr(achz_xml, "MAX_ELEMENTS", 50)
    assert "more than 50 elements" in only(fails(encode_achz(k1_xml()))).message


def test_every_error_is_reported_at_once():
    xml = replace_once(k1_xml(), "<Consistency>N,N,C,N,N,N</Consistency>", "<Consistency>N,N,X,N,N,N</Consistency>")
    xml = replace_once(xml, "<Consistency>C,C,I,I,N,N</Consistency>", "<Consistency>C,C</Consistency>")
    xml = replace_once(xml, "<Consistency>I,I,C,C,N,N</Consistency>", "")
    err = fails(encode_achz(xml))
    assert [d.field for d in err.diagnostics] == [
        "Evidence item 5 (code E05) › Consistency",
        "Evidence item 7 (code E07) › Consistency",
        "Evidence item 8 (code E08) › Consistency",
    ]
    assert "no consistency values" in err.diagnostics[2].message


def test_a_failed_import_writes_nothing(tmp_path):
    """The import either yields a whole case or raises before anything is written."""
    for path in sorted(BROKEN.glob("*.achz")):
        out = tmp_path / (path.stem + ".yaml")
        with pytest.raises(CaseError):
            data, header = read_achz(path)
            write_case(data, out, header=header)
        assert list(tmp_path.iterdir()) == []


def test_every_broken_sample_fails_cleanly():
    for path in sorted(BROKEN.glob("*.achz")):
        err = fails(path)
        assert all(d.file == str(path) for d in err.diagnostics)
        assert all(d.hint or d.field for d in err.diagnostics), path


# -- PARC ACH 2.0's layout (the element names of the Open Source ACH importer) -------------------


PARC_XML = parc_xml(PARC_K1)


def test_parc_layout_imports_with_its_fields(tmp_path):
    warnings: list = []
    data, header = read_achz(DATA / "parc.achz", warnings)
    assert warnings == []
    assert data["title"] == K1.title and data["handling"] == "U"
    assert [h["title"] for h in data["hypotheses"]] == [h if isinstance(h, str) else h[0] for h in K1.hypotheses]
    assert [h["id"] for h in data["hypotheses"]] == [f"H{j}" for j in range(1, 7)]
    assert data["hypotheses"][-1].get("catch_all") is True
    ev = {e["id"]: e for e in data["evidence"]}
    assert list(ev) == [f"E{i:02d}" for i in range(1, 13)]  # CODE is the id
    assert matrix(data) == [[r.upper() for r in e.ratings] for e in K1.items]  # 'C C' is CC, 'I I' is II
    assert ev["E01"]["date"] == "2020-02-06" and ev["E04"]["date"] == "2020-01-02"
    assert "date" not in ev["E10"] and "date" not in ev["E10"].get("notes", "")  # DATE 0: no date, nothing to say
    assert ev["E02"]["notes"].endswith("Flagged in PARC ACH.") and "notes" not in ev["E08"]  # FLAG 1 / 0
    assert (ev["E01"]["credibility"], ev["E02"]["credibility"], ev["E04"]["credibility"]) == ("medium", "low", "high")
    assert ev["E01"]["citation"] == {"report": NYT, "url": NYT} and ev["E01"]["type"] == "Intelligence Report"
    assert "PARC ACH 2.0 layout" in header and "The classification 'U' is the handling line." in header
    case = ach.load(write_case(data, tmp_path / "k1.yaml", header=header))
    assert case.handling == "U"
    assert abs(sum(ach.analyze(case, sample=False).posterior) - 1) < 1e-9


def test_parc_classification_is_the_reports_handling_line(tmp_path):
    from ach.report import Report

    data, header = read_achz(DATA / "parc_utf8.achz")
    assert data["handling"] == "SECRET"
    case = ach.load(write_case(data, tmp_path / "cake.yaml", header=header))
    html = Report(ach.analyze(case, sample=False)).to_html()
    assert "SECRET" in html


@pytest.mark.parametrize("root", ["ACH", "ACHData", "project", "x:Matrix-File"])
def test_parc_root_may_have_any_name(root):
    xml = parc_xml(SMALL_PARC, root=root)
    if ":" in root:
        xml = xml.replace(f"<{root}>", f'<{root} xmlns:x="urn:x">', 1)
    data, _ = parse_achz(encode_achz(xml), "cake.achz")
    assert [h["title"] for h in data["hypotheses"]] == ["The dog", "The child", "Someone else"]


def test_parc_dates_zero_and_unaligned_instants():
    data, _ = read_achz(DATA / "parc_utf8.achz")
    e1, e2, e3 = data["evidence"]
    assert "date" not in e1 and "notes" not in e1  # 0: none, silently
    assert e2["date"] == "2024-03-01"  # 12:02:03.456 UTC: its UTC date
    assert e3["date"] == "2024-03-01"  # New York's midnight


@settings(max_examples=200, deadline=None)
@given(st.dates(), st.integers(-11 * 4 - 3, 12 * 4))
def test_parc_dates_are_the_day_whose_midnight_the_instant_is(day, quarters):
    """A date stored as the analyst's local midnight reads back as that day, in every time zone from
    UTC-11:45 to UTC+12 (whole quarter hours: every real offset is one)."""
    from ach.io.achz.words import epoch_date

    ms = epoch_ms(day.isoformat(), offset_ms=-quarters * 900_000)
    assert epoch_date(ms) == day.isoformat()


@pytest.mark.parametrize(
    ("parc", "written", "flagged", "said"),
    [
        (True, "1", True, None),
        (True, "0", False, None),
        (True, "", False, None),
        (True, "yes", True, "'yes' is not 1 or 0; read as flagged"),
        (True, "On", True, "'On' is not 1 or 0; read as flagged"),
        (True, "true", True, "'true' is not 1 or 0; read as flagged"),
        (True, "no", False, "'no' is not 1 or 0; read as not flagged"),
        (True, "maybe", False, "'maybe' is not 1 or 0; kept in the notes"),
        (False, "true", True, None),
        (False, "false", False, None),
        (False, "1", True, None),
        (False, "yes", True, "'yes' is not true or false; read as flagged"),
    ],
)
def test_a_flag_as_the_layout_writes_it_is_read_silently_anything_else_with_a_warning(parc, written, flagged, said):
    """PARC ACH writes FLAG 1|0 (the older layout Flag true|false): other words are read, located and said."""
    if parc:
        xml = replace_once(parc_xml(SMALL_PARC), "<FLAG>1</FLAG>", f"<FLAG>{written}</FLAG>")
    else:
        xml = replace_once(project_xml(SMALL_PARC), "<Flag>true</Flag>", f"<Flag>{written}</Flag>")
    warnings: list = []
    data, _ = parse_achz(encode_achz(xml), "cake.achz", warnings)
    notes = data["evidence"][2].get("notes", "")
    assert ("Flagged in PARC ACH." in notes) == flagged
    assert ("PARC ACH flag: maybe" in notes) == (written == "maybe")
    flags = [w for w in warnings if "flag" in w.field.lower()]
    assert [w.message for w in flags] == ([said] if said else []), warnings
    for w in flags:
        assert w.line == next(
            n for n, t in enumerate(xml.splitlines(), 1) if f">{written}</" in t and "flag>" in t.lower()
        )
        assert w.field.endswith("› FLAG" if parc else "› Flag") and w.hint.startswith(
            "write 1" if parc else "write true"
        )


def test_parc_date_beyond_any_calendar_is_kept_in_the_notes():
    xml = replace_once(PARC_XML, f"<DATE>{epoch_ms('2020-02-06')}</DATE>", "<DATE>999999999999999999</DATE>")
    warnings: list = []
    data, _ = parse_achz(encode_achz(xml), "k1.achz", warnings)
    assert "date" not in data["evidence"][0] and "PARC ACH date: 999999999999999999" in data["evidence"][0]["notes"]
    assert [d.field for d in warnings] == ["EVIDENCE 1 (CODE E01) › DATE"]


def test_parc_text_dates_are_read_too():
    xml = replace_once(PARC_XML, f"<DATE>{epoch_ms('2020-02-06')}</DATE>", "<DATE>2020-02-07</DATE>")
    data, _ = parse_achz(encode_achz(xml), "k1.achz")
    assert data["evidence"][0]["date"] == "2020-02-07"


def test_parc_duplicate_and_invalid_codes_get_generated_ids_with_a_warning():
    warnings: list = []
    data, _ = read_achz(DATA / "parc_utf8.achz", warnings)
    assert [e["id"] for e in data["evidence"]] == ["1", "E2", "E3"]
    assert [d.field for d in warnings if d.field] == ["EVIDENCE 2 (CODE 1) › CODE", "EVIDENCE 3 (CODE c 3) › CODE"]
    assert "is also item 1's" in warnings[1].message and "cannot be an id" in warnings[2].message
    assert data["evidence"][1]["notes"] == "PARC ACH code: 1"


def test_parc_missing_matrix_is_one_located_error():
    d = only(fails(BROKEN / "parc_no_matrix.achz"))
    assert d.field == "MATRIX" and "no <MATRIX> element" in d.message and d.line == 2


def test_parc_truncated_gzip():
    assert "truncated" in only(fails(BROKEN / "parc_truncated.achz")).message


def test_parc_values_count_mismatch():
    d = only(fails(BROKEN / "parc_wrong_count.achz"))
    assert d.field == "EVIDENCE 5 (CODE E05) › VALUES"
    assert d.message.startswith("5 consistency values for 6 hypotheses ('C,C,I,I,N')")
    assert d.line == next(n for n, x in enumerate(PARC_XML.splitlines(), 1) if "<VALUES>C,C,I,I,N,N</VALUES>" in x)


def test_parc_unknown_rating_names_element_item_and_position():
    d = only(fails(BROKEN / "parc_unknown_rating.achz"))
    assert d.field == "EVIDENCE 7 (CODE E07) › VALUES"
    assert "value 3 (for H3) is 'CI', not a consistency rating" in d.message
    assert "(item 'ISIS carried out three attacks near the…')" in d.message
    assert "C C, C, N, I, I I, NA" in d.hint


def test_parc_every_error_at_once():
    xml = replace_once(PARC_XML, "<VALUES>N,N,C,N,N,N</VALUES>", "<VALUES>N,N,X,N,Y,N</VALUES>")
    xml = replace_once(xml, "<VALUES>C,C,I,I,N,N</VALUES>", "<VALUES>C,C</VALUES>")
    xml = replace_once(xml, "<NAME>The Islamic State</NAME>", "<NAME></NAME>")
    err = fails(encode_achz(xml))
    assert [(d.field, d.message.split(" (")[0]) for d in err.diagnostics] == [
        ("HYPOTHESIS 3 › NAME", "the hypothesis has no name"),
        ("EVIDENCE 5 (CODE E05) › VALUES", "2 consistency values for 6 hypotheses"),
        ("EVIDENCE 7 (CODE E07) › VALUES", "value 3"),
        ("EVIDENCE 7 (CODE E07) › VALUES", "value 5"),
    ]


@pytest.mark.parametrize(
    ("encoding", "bom", "compress", "warned"),
    [
        ("utf-16-le", True, True, False),
        ("utf-16-be", True, True, False),
        ("utf-16-le", False, True, False),
        ("utf-8", True, True, True),
        ("utf-8", False, True, True),
        ("utf-16-le", True, False, True),
    ],
)
def test_parc_encodings_and_byte_order_marks(encoding, bom, compress, warned):
    warnings: list = []
    xml = PARC_XML if encoding != "utf-8" else PARC_XML.replace('encoding="UTF-16"', 'encoding="UTF-8"')
    data, _ = parse_achz(encode_achz(xml, encoding, bom, compress), "k1.achz", warnings)
    assert matrix(data) == [[r.upper() for r in e.ratings] for e in K1.items]
    assert bool(warnings) is warned


def test_a_classification_in_the_older_layout_is_its_handling_line_too():
    xml = replace_once(k1_xml(), "<Title>", "<Classification>CONFIDENTIAL</Classification><Title>")
    data, header = parse_achz(encode_achz(xml), "k1.achz")
    assert data["handling"] == "CONFIDENTIAL" and "the <ACHProject> layout" in header


def test_the_older_layout_is_still_read_beside_it():
    data, _ = read_achz(DATA / "k1.achz")
    parc, _ = read_achz(DATA / "parc.achz")
    assert matrix(data) == matrix(parc) and "handling" not in data


# -- export: a case as a PARC ACH 2.0 file -----------------------------------------------------


def exported(case, tmp_path: Path, name: str = "out.achz") -> tuple[Path, list]:
    from ach.io import export

    warnings: list = []
    (path,) = export(ach.load(case) if isinstance(case, (str, Path)) else case, tmp_path / name, warnings=warnings)
    return path, warnings


def parc_tree(path: Path):
    """The exported file as a strict XML parser sees it, after the checks of its bytes."""
    import xml.etree.ElementTree as ET

    raw = path.read_bytes()
    assert raw[:2] == b"\x1f\x8b"  # gzip, as the Open Source ACH importer gunzips it
    xml = gzip.decompress(raw)
    assert xml[:2] == b"\xfe\xff"  # UTF-16 with its byte-order mark (which that importer needs)
    return ET.fromstring(xml.decode("utf-16"))


def test_export_writes_the_parc_layout(tmp_path):
    path, _ = exported(K1_CASE, tmp_path)
    root = parc_tree(path)
    assert [c.tag for c in root] == ["PROJECT-TITLE", "CLASSIFICATION", "LAST-INDEX", "COLOR-SCHEME", "MATRIX"]
    matrix_ = root.find("MATRIX")
    hyps = matrix_.findall("HYPOTHESIS")
    assert hyps[0].findtext("NAME") == "Kataib Hezbollah"
    items = matrix_.findall("EVIDENCE")
    case = ach.load(K1_CASE)
    assert len(items) == len(case.evidence) and root.findtext("LAST-INDEX") == str(len(case.evidence))
    first = [c.tag for c in items[0]]
    assert first[:8] == ["NAME", "NOTES", "LINK", "TYPE", "DATE", "CODE", "FLAG", "CREDIBILITY"]
    assert first[-1] == "VALUES"
    for e in items:
        values = e.findtext("VALUES").split(",")
        assert len(values) == len(hyps) and set(values) <= {"C C", "C", "N", "NA", "I", "I I"}
        assert e.findtext("FLAG") in ("0", "1") and e.findtext("CREDIBILITY") in ("", "HIGH", "MEDIUM", "LOW")
        assert int(e.findtext("DATE")) % 86_400_000 in (0, 36_000_000)  # 0 (none) or 10:00 UTC


def test_export_round_trip_of_k1_keeps_what_parc_can_hold(tmp_path):
    path, warnings = exported(K1_CASE, tmp_path)
    data, header = read_achz(path)
    back = ach.load(write_case(data, tmp_path / "back.yaml", header=header))
    case = ach.load(K1_CASE)
    assert [(h.id, h.title) for h in back.hypotheses] == [(h.id, h.title) for h in case.hypotheses]
    assert [h.catch_all for h in back.hypotheses] == [h.catch_all for h in case.hypotheses]
    assert len(back.evidence) == len(case.evidence)
    for a, b in zip(case.evidence, back.evidence):
        assert (b.id, b.text, b.date, b.type, b.relevance, b.notes) == (
            a.id,
            a.text,
            a.date,
            a.type,
            a.relevance,
            a.notes,
        )
        want = {h: "NA" if m is None else case.scale.to_rating(m.mean) for h, m in a.likelihood.items()}
        assert {h: "NA" if m is None else m.label for h, m in b.likelihood.items()} == want
        expected = a.credibility.label if a.credibility.label in ("low", "medium", "high") else None
        if a.credibility.label and expected is None:
            from ach.scales import heuer_level

            expected = heuer_level(a.credibility.mean)
        assert (b.credibility.label or None) == expected
    kinds = " | ".join(d.message for d in warnings)
    assert "written as the nearest classic rating" in kinds and "E01/KH likely → C" in kinds
    assert "sources (with their reliabilities)" in kinds and "priors" in kinds
    assert all(d.code == "not-carried" and d.level == "warning" for d in warnings)


def test_export_of_an_imported_parc_file_gives_the_same_case_back(tmp_path):
    """PARC → ach → PARC → ach: nothing is lost or changed (flags, dates, handling, codes, credibility)."""
    for sample in ("parc.achz", "parc_utf8.achz", "k1.achz", "small.achz"):
        data, header = read_achz(DATA / sample)
        case = ach.load(write_case(data, tmp_path / f"{sample}.yaml", header=header))
        path, _ = exported(case, tmp_path, f"again-{sample}")
        again, _ = read_achz(path)
        for h in data["hypotheses"]:
            h.pop("description", None)  # PARC ACH 2.0 has no place for it (the <ACHProject> layout had)
        assert again == {**data, "evidence": again["evidence"]} and again["evidence"] == data["evidence"], sample


def test_export_flags_come_from_the_flag_line_of_the_notes(tmp_path):
    data, header = read_achz(DATA / "parc.achz")
    case = ach.load(write_case(data, tmp_path / "k1.yaml", header=header))
    root = parc_tree(exported(case, tmp_path)[0])
    items = root.find("MATRIX").findall("EVIDENCE")
    assert [e.findtext("FLAG") for e in items] == ["1" if e.flag else "0" for e in PARC_K1.items]
    assert "Flagged" not in (items[1].findtext("NOTES") or "")


def test_export_refuses_to_replace_a_file_and_leaves_no_temporary(tmp_path):
    from ach.io import export

    path, _ = exported(K1_CASE, tmp_path)
    before = path.read_bytes()
    with pytest.raises(CaseError) as info:
        export(ach.load(K1_CASE), path)
    assert "exists already" in info.value.diagnostics[0].message and path.read_bytes() == before
    export(ach.load(K1_CASE), path, overwrite=True)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.achz"]


def test_export_of_a_case_dict_and_odd_text(tmp_path):
    from ach.io.achz import export_achz

    case = {
        "title": 'Odd <text> & "quotes" -- with a comment end -->',
        "question": "Which?",
        "handling": "UNCLASSIFIED // FOR TRAINING",
        "hypotheses": [{"id": "A", "title": "A & B"}, {"id": "B", "title": "Nobody"}],
        "evidence": [
            {
                "id": "E1",
                "text": "x < y",
                "likelihood": {"A": 0.97, "B": "NA"},
                "credibility": 0.95,
                "date": "1901-12-31",
            },
        ],
    }
    warnings: list = []
    path = export_achz(case, tmp_path / "odd.achz", warnings=warnings)
    data, _ = read_achz(path)
    assert data["title"] == case["title"] and data["handling"] == case["handling"]
    assert data["evidence"][0]["likelihood"] == {"A": "CC", "B": "NA"} and data["evidence"][0]["date"] == "1901-12-31"
    assert data["evidence"][0]["credibility"] == "high"
    said = " | ".join(d.message for d in warnings)
    assert "A/… " not in said and "E1/A 0.97 → C C" in said and "'UNCLASSIFIED // FOR TRAINING'" in said


def test_export_is_on_the_command_line(tmp_path):
    import subprocess

    from .conftest import ACH_COMMAND

    out = tmp_path / "k1.achz"
    proc = subprocess.run([*ACH_COMMAND, "export", str(K1_CASE), "-o", str(out)], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr and "nearest classic rating" in proc.stderr
    assert parc_tree(out).find("MATRIX") is not None
    proc = subprocess.run(
        [*ACH_COMMAND, "export", str(K1_CASE), "-o", str(tmp_path / "k1.xml")], capture_output=True, text=True
    )
    assert proc.returncode == 2 and ".achz (PARC ACH)" in proc.stderr


IDS = st.from_regex(r"[A-Za-z][A-Za-z0-9_]{0,6}", fullmatch=True)
WORDS = st.text(st.characters(categories=("L", "N", "P", "S")), min_size=1, max_size=25).map(str.strip).filter(bool)
LIKELIHOODS = st.sampled_from(["CC", "C", "N", "I", "II", "NA", "likely", "remote", 0.5, 0.01, "35%"])


@st.composite
def cases(draw) -> dict:
    hids = draw(st.lists(IDS, min_size=2, max_size=6, unique=True))
    eids = draw(st.lists(IDS, min_size=1, max_size=8, unique=True))
    evidence = []
    for eid in eids:
        item = {"id": eid, "text": draw(WORDS), "likelihood": {h: draw(LIKELIHOODS) for h in hids}}
        if draw(st.booleans()):
            item["date"] = draw(st.dates()).isoformat()
        if draw(st.booleans()):
            item["credibility"] = draw(st.sampled_from(["low", "medium", "high", 0.5, 2]))
        if draw(st.booleans()):
            item["relevance"] = draw(st.sampled_from(["low", "medium", "high"]))
        notes = draw(st.lists(WORDS, max_size=2)) + (["Flagged in PARC ACH."] if draw(st.booleans()) else [])
        if notes:
            item["notes"] = "\n".join(notes)
        evidence.append(item)
    hyps = [{"id": h, "title": draw(WORDS)} for h in hids]
    return {"title": draw(WORDS), "question": "Which?", "hypotheses": hyps, "evidence": evidence}


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture]
)
@given(cases())
def test_export_round_trip_property(tmp_path, case):
    from ach.io.achz import export_achz
    from ach.scales import Scale, heuer_level

    path = export_achz(case, tmp_path / "gen.achz", overwrite=True)
    data, header = read_achz(path)
    assert_valid_case(data, header)
    assert [(h["id"], h["title"]) for h in data["hypotheses"]] == [(h["id"], h["title"]) for h in case["hypotheses"]]
    scale = Scale()
    for a, b in zip(case["evidence"], data["evidence"], strict=True):
        assert (b["id"], b["text"], b.get("date"), b.get("relevance")) == (
            a["id"],
            a["text"],
            a.get("date"),
            a.get("relevance"),
        )
        for h, v in a["likelihood"].items():
            belief = scale.likelihood(v)
            assert b["likelihood"][h] == ("NA" if belief is None else scale.to_rating(belief.mean))
        cred = a.get("credibility")
        want = (
            cred
            if cred in ("low", "medium", "high")
            else None
            if cred is None
            else heuer_level(ach.scales.credibility(cred).mean)
        )
        assert b.get("credibility") == want
        lines = (a.get("notes") or "").splitlines()
        assert (b.get("notes") or "").splitlines() == [x for x in lines if x != "Flagged in PARC ACH."] + (
            ["Flagged in PARC ACH."] if "Flagged in PARC ACH." in lines else []
        )


# -- fuzzing: only CaseError or success ---------------------------------------------------


FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
GOOD_XML = k1_xml()


def survives(raw: bytes) -> dict | None:
    """Read fuzzed bytes: a CaseError naming the file, or a case ach accepts."""
    try:
        data, header = parse_achz(raw, "fuzz.achz")
    except CaseError as exc:
        assert exc.diagnostics and all(d.file == "fuzz.achz" for d in exc.diagnostics)
        return None
    assert_valid_case(data, header)
    return data


def assert_valid_case(data: dict, header: str) -> None:
    """What write_case checks before writing: the YAML it would write loads without errors."""
    _, diagnostics = check_text(dump_case(data, header).encode("utf-8"), "imported.yaml")
    assert not [d for d in diagnostics if d.level == "error"], diagnostics


@FUZZ
@given(st.binary(max_size=2000))
@example(b"\x1f\x8b")
@example(b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff")
@example(gzip.compress(b""))
def test_fuzz_random_bytes(raw):
    survives(raw)


@FUZZ
@given(st.text(max_size=500), st.sampled_from(["utf-16-le", "utf-16-be", "utf-8"]), st.booleans())
def test_fuzz_random_text(text, encoding, bom):
    try:
        raw = encode_achz(text, encoding, bom)
    except UnicodeEncodeError:  # lone surrogates cannot be encoded at all
        assume(False)
    survives(raw)


@st.composite
def mutated(draw, text: str = GOOD_XML) -> str:
    for _ in range(draw(st.integers(1, 4))):
        kind = draw(st.sampled_from(["delete", "insert", "replace", "duplicate", "truncate"]))
        i = draw(st.integers(0, len(text)))
        j = draw(st.integers(i, min(len(text), i + 80)))
        if kind == "delete":
            text = text[:i] + text[j:]
        elif kind == "insert":
            text = (
                text[:i]
                + draw(
                    st.sampled_from(
                        [
                            "<",
                            ">",
                            "&",
                            "&amp;",
                            ",",
                            "X",
                            "</Item>",
                            "<Item>",
                            "<Name>",
                            "<!DOCTYPE x>",
                            "\x85",
                            "\u2028",
                            "\ufeff",
                            ",N",
                            "<Code>E01</Code>",
                            "<Hypothesis><Name>Other</Name></Hypothesis>",
                            "<Consistency>C</Consistency>",
                            "]]>",
                            "<![CDATA[x]]>",
                            # PARC ACH 2.0's layout
                            "<MATRIX>",
                            "</MATRIX>",
                            "<EVIDENCE>",
                            "</EVIDENCE>",
                            "<HYPOTHESIS><NAME>x</NAME></HYPOTHESIS>",
                            "<VALUES>C C</VALUES>",
                            "I I,",
                            "<DATE>-1</DATE>",
                            "<DATE>99999999999999999999</DATE>",
                            "<FLAG>1</FLAG>",
                            "<CODE>E01</CODE>",
                            "<CLASSIFICATION>TS</CLASSIFICATION>",
                        ]
                    )
                    | st.text(max_size=10)
                )
                + text[i:]
            )
        elif kind == "replace":
            text = text[:i] + draw(st.text(min_size=1, max_size=3)) + text[j:]
        elif kind == "duplicate":
            text = text[:j] + text[i:j] + text[j:]
        else:
            text = text[:i]
    return text


@FUZZ
@given(mutated(), st.sampled_from(["utf-16-le", "utf-16-be", "utf-8"]))
def test_fuzz_mutated_xml(text, encoding):
    try:
        raw = encode_achz(text, encoding)
    except UnicodeEncodeError:
        assume(False)
    survives(raw)


@FUZZ
@given(mutated(PARC_XML), st.sampled_from(["utf-16-le", "utf-16-be", "utf-8"]))
def test_fuzz_mutated_parc_xml(text, encoding):
    try:
        raw = encode_achz(text, encoding)
    except UnicodeEncodeError:
        assume(False)
    survives(raw)


@FUZZ
@given(cases())
def test_fuzz_exported_files_read_back(case):
    """Whatever case is exported, the file reads back as a valid case (the writer never writes what the
    reader refuses)."""
    from ach.io.achz.write import achz_bytes

    survives(achz_bytes(case))


GOOD_GZ = encode_achz(GOOD_XML)


@FUZZ
@given(
    st.lists(st.tuples(st.integers(0, len(GOOD_GZ) - 1), st.integers(0, 255)), min_size=1, max_size=5),
    st.integers(0, len(GOOD_GZ)),
)
def test_fuzz_damaged_compressed_bytes(flips, cut):
    raw = bytearray(GOOD_GZ)
    for at, value in flips:
        raw[at] = value
    survives(bytes(raw[: max(cut, 1)]))


# -- round trip: generated projects come back with the same matrix -----------------------


NAMES = st.text(st.characters(categories=("L", "N", "P", "S", "Zs")), min_size=1, max_size=30).filter(str.strip)


@st.composite
def projects(draw) -> tuple[Project, list[list[str]]]:
    n = draw(st.integers(2, 7))
    hyps = draw(st.lists(NAMES, min_size=n, max_size=n))
    rows = draw(st.lists(st.lists(st.sampled_from(CLASSIC), min_size=n, max_size=n), min_size=1, max_size=12))
    items = []
    for row in rows:
        spelled = [draw(st.sampled_from([r, r.lower(), f" {r}", f"{r} ", r.capitalize()])) for r in row]
        items.append(
            Item(
                draw(NAMES),
                spelled,
                code=draw(st.none() | st.from_regex(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,5}", fullmatch=True) | NAMES),
                notes=draw(st.none() | NAMES),
                link=draw(st.none() | st.just(NYT) | NAMES),
                date=draw(st.none() | st.dates().map(str) | NAMES),
                flag=draw(st.none() | st.booleans()),
                credibility=draw(st.none() | st.sampled_from(["High", "medium", "LOW", "?"])),
                relevance=draw(st.none() | st.sampled_from(["High", "Medium", "Low"])),
            )
        )
    return Project(draw(st.none() | NAMES), hyps, items), rows


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    projects(),
    st.booleans(),
    st.sampled_from(["Pascal", "lower", "upper"]),
    st.sampled_from([("utf-16-le", True), ("utf-16-be", False), ("utf-8", False)]),
)
def test_round_trip_matrix(generated, attributes, case, encoding):
    project, rows = generated
    raw = encode_achz(project_xml(project, attributes=attributes, case=case), *encoding)
    data, header = parse_achz(raw, "gen.achz")
    assert matrix(data) == rows
    assert_valid_case(data, header)
    assert [h["title"] for h in data["hypotheses"]] == [h.strip() for h in project.hypotheses]
    ids = [e["id"] for e in data["evidence"]]
    assert len(set(ids)) == len(ids)
    for item, e in zip(project.items, data["evidence"]):
        assert e["text"] == item.name.strip()
        if item.code and valid_id(item.code.strip()) and item.code == item.code.strip():
            first = next(it for it in project.items if it.code == item.code)
            assert (e["id"] == item.code) is (first is item)


if __name__ == "__main__":
    write_samples(Path(sys.argv[1]) if len(sys.argv) > 1 else DATA)
    print(f"wrote {len(build_samples())} samples to {DATA}")


def test_the_loaders_warnings_on_an_import_name_the_field_not_a_line_of_a_file_that_is_not_there():
    from ach import io

    _, _, warnings = io.read(DATA / "k1.achz")
    loader = [w for w in warnings if w.code == "non-diagnostic"]
    assert loader and all(w.line is None and w.field.startswith("evidence E") for w in loader)
    assert all(w.file == str(DATA / "k1.achz") for w in warnings)
    xml = [w for w in warnings if w.line is not None]  # the converter's: lines of the project's XML
    assert xml and all("Evidence item" in w.field for w in xml)
