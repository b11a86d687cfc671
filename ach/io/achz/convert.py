"""A PARC ACH XML tree to a case dict: hypotheses, items, ratings, credibility, dates.

Two layouts: PARC ACH 2.0's (any root holding ``PROJECT-TITLE``,
``CLASSIFICATION`` and a ``MATRIX`` of ``HYPOTHESIS`` and ``EVIDENCE``
elements, ``VALUES`` such as ``C C,I,NA``, dates in milliseconds) and the
earlier ``<ACHProject>`` one ach read first (docs/FORMATS-ACHZ.md).
"""

from __future__ import annotations

import re
from pathlib import Path

from ...casefile.fields import valid_id
from ...errors import CaseError, Diagnostic, suggest
from ...formatting import clip
from ...scales import NA, RATINGS
from .words import epoch_date, is_catch_all, parse_date
from .xml import FORMAT_HINT, Node, key_of, stop

__all__ = [
    "CLASSIC",
    "FLAG_NOTE",
    "MAX_HYPOTHESES",
    "MAX_ITEMS",
    "PARC_SPELLING",
    "Converter",
    "is_catch_all",
    "parse_date",
]

MAX_HYPOTHESES = 100


MAX_ITEMS = 5_000


CLASSIC = (*RATINGS, NA)


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


# The flags each layout writes (PARC ACH 2.0: FLAG 1|0; the older layout: Flag true|false); read silently.
FLAG_WORDS = {
    True: {"1": True, "0": False, "": False},
    False: {"true": True, "false": False, "1": True, "0": False, "": False},
}


# Element names, compared after key_of(): lower case, no namespace, no '_', '-', '.' or spaces.
ROOTS = {"achproject", "project", "ach", "achmatrix", "achfile", "parcach", "achdocument"}


# PARC ACH 2.0: the root (of any name) holds these, the hypotheses and items are in its MATRIX
# (CLASSIFICATION is not among them: a file in the <ACHProject> layout may have one too).
PARC_MARKS = {"matrix", "projecttitle", "lastindex", "colorscheme"}


# The line of an item's notes that says PARC ACH flagged it (an .achz export turns it back into FLAG 1).
FLAG_NOTE = "Flagged in PARC ACH."


CODE = ("code", "evidencecode", "number")


# How PARC ACH 2.0 writes the classic ratings in VALUES (the doubles with a space).
PARC_SPELLING = {"CC": "C C", "II": "I I"}


TITLE = ("title", "projecttitle", "projectname", "name")


QUESTION = ("question", "focusquestion", "keyquestion")


HYPOTHESIS_LISTS = {"hypotheses", "hypothesislist", "hypothesiscollection"}


HYPOTHESIS = {"hypothesis"}


HYPOTHESIS_ENTRIES = {"hypothesis", "item"}


EVIDENCE_LISTS = {"evidence", "evidencelist", "evidenceitems", "items", "evidences", "evidencecollection"}


ITEMS = {"item", "evidenceitem", "evidence"}


NAME = ("name", "title", "text", "label")


ITEM_NAME = (*NAME, "description")


CONSISTENCY = ("consistency", "values", "consistencies", "consistencyvalues", "ratings", "scores")


class Converter:
    def __init__(self, root: Node, name: str, notes: list[Diagnostic]):
        self.root, self.name, self.notes = root, name, notes
        self.errors: list[Diagnostic] = []
        self.order = ""  # "H1 Kataib Hezbollah, H2 …" for hints
        self.body = root  # where the hypotheses and items are: the root, or PARC ACH 2.0's MATRIX
        self.parc = False  # the PARC ACH 2.0 layout: upper-case element names in messages, dates in ms

    def error(self, field: str, message: str, hint: str = "", line: int | None = None) -> None:
        self.errors.append(Diagnostic("error", message, self.name, line, field, hint))

    def warn(self, field: str, message: str, hint: str = "", line: int | None = None) -> None:
        self.notes.append(Diagnostic("warning", message, self.name, line, field, hint))

    def flag(self, flag: str, notes: list[str], field: str, line: int) -> None:
        """An item's flag: as the layout writes it, silently; another yes or no word, read with a warning
        saying what was read; anything else, kept in the notes with a warning."""
        word = flag.strip().lower()
        known = FLAG_WORDS[self.parc].get(word)
        flagged = known if known is not None else True if word in TRUE_WORDS else False if word in FALSE_WORDS else None
        if flagged:
            notes.append(FLAG_NOTE)
        elif flagged is None:
            notes.append(f"PARC ACH flag: {flag}")
        if known is None:
            yes, no = ("1", "0") if self.parc else ("true", "false")
            done = {True: "read as flagged", False: "read as not flagged", None: "kept in the notes"}[flagged]
            self.warn(
                field,
                f"'{flag}' is not {yes} or {no}; {done}",
                f"write {yes} for a flagged item, {no} for one that is not",
                line=line,
            )

    def called(self, name: str) -> str:
        """How a message names a field: as the file's layout spells it (``Consistency`` or ``VALUES``)."""
        if not self.parc:
            return name
        return {"Consistency": "VALUES", "Hypotheses": "MATRIX", "Evidence": "MATRIX"}.get(name, name.upper())

    def convert(self) -> tuple[dict, str]:
        root = self.root
        marks = [c for c in root.children if c.key in PARC_MARKS]
        if marks:
            self.parc = True
            matrices = [c for c in root.children if c.key == "matrix"]
            if not matrices:
                raise stop(
                    self.name,
                    f"the project has no <MATRIX> element: <{root.tag}> holds <{marks[0].tag}> as PARC ACH 2.0 "
                    "writes it, but not the MATRIX that holds the hypotheses and the evidence",
                    "the file is damaged or cut short; save the project from PARC ACH again",
                    root.line,
                    "MATRIX",
                )
            self.body = matrices[0]
            if len(matrices) > 1:
                self.warn(
                    "MATRIX",
                    f"the project has {len(matrices)} MATRIX elements; only the first is read",
                    line=matrices[1].line,
                )
        elif root.key not in ROOTS:
            raise stop(
                self.name,
                f"the XML root element is <{root.tag}>, not <ACHProject>, and it holds no <MATRIX>: "
                "not a PARC ACH project",
                FORMAT_HINT,
                root.line,
                "XML",
            )
        title, _ = root.value(TITLE)
        if not title:
            title = Path(self.name).stem or "PARC ACH project"
            self.warn(
                self.called("Title"), f"the project has no title; it is called '{title}' after the file", line=root.line
            )
        question, _ = root.value(QUESTION)
        description, _ = root.value(("description", "summary"))
        version = next((v for k, v in root.attrs.items() if key_of(k) in ("version", "achversion")), "")
        handling, _ = root.value(("classification", "handling"))

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
        if handling:
            data["handling"] = handling
        data["hypotheses"] = hypotheses
        data["evidence"] = evidence
        return data, self.header(version.strip(), hypotheses, evidence, asked=bool(question), handling=handling or "")

    # -- hypotheses ---------------------------------------------------------
    def hypotheses(self) -> list[dict]:
        nodes = self.children(HYPOTHESIS_LISTS, HYPOTHESIS_ENTRIES, HYPOTHESIS)
        if len(nodes) < 2:
            found = "no hypotheses" if not nodes else "only one hypothesis"
            self.error(
                self.called("Hypotheses"),
                f"the project has {found}; an analysis needs at least two",
                "add the hypotheses in PARC ACH (one of them a catch-all such as 'Someone else') and export again",
                self.body.line,
            )
        if len(nodes) > MAX_HYPOTHESES:
            self.error(
                self.called("Hypotheses"),
                f"the project has {len(nodes)} hypotheses; at most {MAX_HYPOTHESES} can be imported",
                "check the file",
                self.root.line,
            )
            return []
        out = []
        own = [node.attrs.get("ach-id", "") for node in nodes] if self.parc else []  # the ids an ach export keeps
        for j, node in enumerate(nodes, start=1):
            place = f"{self.called('Hypothesis')} {j}"
            name, line = node.value(NAME)
            if not name and not node.children:
                name = node.text
            if not name:
                self.error(
                    f"{place} › {self.called('Name')}",
                    "the hypothesis has no name",
                    "give every hypothesis a name",
                    line,
                )
                continue
            hid = own[j - 1] if own and valid_id(own[j - 1]) and own.count(own[j - 1]) == 1 else f"H{j}"
            spec = {"id": hid, "title": name}
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
        catch = [h for h in out if is_catch_all(h["title"])]
        if catch:
            catch[-1]["catch_all"] = True
        return out

    def children(self, lists: set, inner: set, outer: set) -> list[Node]:
        """The entries of the lists (``<Hypotheses><Hypothesis/>…</Hypotheses>``; entries named
        one of ``inner``), or else the elements named one of ``outer`` right under the root."""
        body = self.body
        containers = [c for c in body.children if c.key in lists and any(g.key in inner for g in c.children)]
        if containers and not self.parc:
            return [g for c in containers for g in c.children if g.key in inner]
        # no list: entries right under the root (an empty <Evidence/> is an empty list, not an item)
        return [c for c in body.children if c.key in outer and (c.key not in lists or c.children or c.attrs)]

    # -- evidence ------------------------------------------------------------
    def evidence(self, hypotheses: list[dict]) -> list[dict]:
        nodes = self.children(EVIDENCE_LISTS, ITEMS, ITEMS)
        n_hyp = len(self.children(HYPOTHESIS_LISTS, HYPOTHESIS_ENTRIES, HYPOTHESIS))
        if not nodes:
            self.error(
                self.called("Evidence"),
                "the project has no evidence items",
                "add evidence in PARC ACH and export again",
                self.body.line,
            )
            return []
        if len(nodes) > MAX_ITEMS:
            self.error(
                self.called("Evidence"),
                f"the project has {len(nodes)} evidence items; at most {MAX_ITEMS} can be imported",
                "check the file",
                self.body.line,
            )
            return []
        hyp_ids = [h["id"] for h in hypotheses] if len(hypotheses) == n_hyp else None
        if hyp_ids and len(hyp_ids) <= 12:
            self.order = ", ".join(f"{h['id']} {clip(h['title'], 24)}" for h in hypotheses)
        codes = self.ids(nodes)
        out = []
        for i, node in enumerate(nodes, start=1):
            code, _ = node.value(CODE)
            place = self.place(i, code)
            item: dict = {"id": codes[i - 1]}
            text, line = node.value(ITEM_NAME)
            if not text and not node.children:
                text = node.text
            if not text:
                text = f"(item {i} has no name in the PARC ACH file)"
                self.warn(
                    f"{place} › {self.called('Name')}", "the item has no name; a placeholder text stands in", line=line
                )
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
            if raw_date and self.parc and re.fullmatch(r"-?[0-9]{1,20}", raw_date):
                if int(raw_date) != 0:  # PARC ACH: milliseconds since 1970, 0 for no date
                    date = epoch_date(int(raw_date))
                    if date:
                        item["date"] = date
                    else:
                        notes.append(f"PARC ACH date: {raw_date}")
                        self.warn(
                            f"{place} › DATE",
                            f"{raw_date} ms since 1970 is no calendar date; it is kept in the notes",
                            line=line,
                        )
            elif raw_date:
                date, note = parse_date(raw_date)
                if date:
                    item["date"] = date
                if note:
                    notes.append(note)
                    if not date:
                        self.warn(
                            f"{place} › {self.called('Date')}",
                            f"'{raw_date}' is not a date ach can read; it is kept in the notes",
                            line=line,
                        )
            flag, line = node.value(("flag", "flagged", "isflagged"))
            if flag is not None:
                self.flag(flag, notes, f"{place} › {self.called('Flag')}", line)
            for what in ("credibility", "relevance"):
                value, line = node.value((what,))
                if value:
                    level = LEVEL_WORDS.get(value.lower())
                    if level:
                        item[what] = level
                    else:
                        notes.append(f"PARC ACH {what}: {value}")
                        self.warn(
                            f"{place} › {self.called(what.title())}",
                            f"'{value}' is not High, Medium or Low; left out (kept in the notes)",
                            line=line,
                        )
            if notes:
                item["notes"] = "\n".join(notes)
            likelihood = self.consistency(node, place, text, n_hyp, hyp_ids)
            if likelihood is not None:
                item["likelihood"] = likelihood
            out.append(_ordered(item))
        return out

    def place(self, i: int, code: str | None) -> str:
        """Where an item is, for messages: ``Evidence item 7 (code E07)``, ``EVIDENCE 7 (CODE E07)``."""
        if self.parc:
            return f"EVIDENCE {i}" + (f" (CODE {clip(code, 30)})" if code else "")
        return f"Evidence item {i}" + (f" (code {clip(code, 30)})" if code else "")

    def ids(self, nodes: list[Node]) -> list[str]:
        """Evidence ids: the PARC code where it is a valid id not used before, else E<position>."""
        codes = [node.value(CODE)[0] or "" for node in nodes]
        ids: list[str | None] = []
        for code in codes:
            usable = code and valid_id(code) and code not in ids
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
                    place = f"{self.place(i, code)} › {self.called('Code')}"
                    why = (
                        f"is also item {codes.index(code) + 1}'s"
                        if valid_id(code)
                        else "cannot be an id (letters, digits, '_', '.', '-')"
                    )
                    self.warn(
                        place,
                        f"the code '{clip(code, 30)}' {why}; the item is {eid} (the code is kept in its notes)",
                        line=nodes[i - 1].line,
                    )
            out.append(eid)
        return out

    def consistency(self, node: Node, place: str, text: str, n_hyp: int, hyp_ids: list[str] | None) -> dict | None:
        raw, line = node.value(CONSISTENCY)
        where = f"{place} › {self.called('Consistency')}"
        spelled = ", ".join(PARC_SPELLING.get(r, r) for r in CLASSIC) if self.parc else ", ".join(CLASSIC)
        element = node.find(CONSISTENCY)
        if element is not None and element.children:  # <Consistency><Value>C</Value>…</Consistency>
            values = [c.text for c in element.children]
        elif raw is None or raw == "":
            self.error(
                where,
                "the item has no consistency values",
                f"give one of {spelled} per hypothesis, separated by commas",
                line,
            )
            return None
        else:
            values = [v.strip() for v in re.split(r"[,;]", raw)]
            if len(values) == n_hyp + 1 and values[-1] == "":
                values.pop()  # a trailing comma
        if len(values) != n_hyp:
            shown = clip(raw if raw else ", ".join(values), 80)
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
                    f"value {j}{about} is {shown}, not a consistency rating (item '{clip(text, 40)}')",
                    "; ".join(filter(None, [suggest(value, list(CLASSIC)) if value else "", f"use one of {spelled}"])),
                    line,
                )
                ok = False
            elif hyp_ids:
                cells[hyp_ids[j - 1]] = rating
        return cells if ok and hyp_ids else None

    # -- header --------------------------------------------------------------
    def header(self, version: str, hypotheses: list[dict], evidence: list[dict], asked: bool, handling: str) -> str:
        source = Path(self.name).name
        catch = next((h for h in hypotheses if h.get("catch_all")), None)
        ratings = ", ".join(f"{k} {v:.2f}" for k, v in RATINGS.items())
        positional = [h["id"] for h in hypotheses] == [f"H{j}" for j in range(1, len(hypotheses) + 1)]
        ids = f"ids H1 to H{len(hypotheses)}" if positional else "ids as an ach export wrote them"
        layout = "the PARC ACH 2.0 layout (a MATRIX)" if self.parc else "the <ACHProject> layout"
        lines = [
            f"Imported from the PARC ACH file {source}" + (f" (PARC ACH {version})" if version else "") + ".",
            f"It was read as {layout}.",
            "",
            "What the import did",
            f"  - {len(hypotheses)} hypotheses, {ids} in the PARC order; no priors in PARC ACH,",
            "    so all priors are uniform.",
            f"  - The catch-all is {catch['id']} ('{clip(catch['title'])}')."
            if catch
            else "  - No hypothesis looks like a catch-all ('Other', 'None of the above'), so none is marked:",
            *(
                ["    add one, or mark one with `catch_all: true`, unless the list really is exhaustive."]
                if not catch
                else []
            ),
            f"  - {len(evidence)} evidence items; ids are the PARC codes where they are valid and unique, else",
            "    E<position>. Flags, unreadable dates and replaced codes are kept in the notes",
            f"    (a flagged item's notes say '{FLAG_NOTE}'; an .achz export flags it again).",
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
        if handling:
            lines.insert(
                lines.index("What to do now") - 1,
                f"  - The classification '{clip(handling, 60)}' is the handling line.",
            )
        if not asked:
            lines.append("  - Check the question: the PARC file has none, so it was made up from the title.")
        warnings = [d for d in self.notes if d.level == "warning"]
        if warnings:
            lines += ["", "Import warnings"]
            for d in warnings[:50]:
                lines.append(f"  - {d.field + ': ' if d.field else ''}{clip(d.message, 200)}")
            if len(warnings) > 50:
                lines.append(f"  - … and {len(warnings) - 50} more")
        return "\n".join(lines)


def _ordered(item: dict) -> dict:
    order = ("id", "text", "date", "type", "likelihood", "credibility", "relevance", "citation", "notes")
    return {k: item[k] for k in order if k in item}


def _rating(value: str) -> str | None:
    key = "".join(value.split()).upper()
    if key in ("N/A", "N.A."):
        key = NA
    return key if key in CLASSIC else None
