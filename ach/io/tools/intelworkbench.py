"""Intel Workbench project exports (JSON) to a case dict.

Intel Workbench (github.com/solomonneas/intel-workbench, now lidless-labs/intel-workbench) is
a browser ACH tool; its Export page writes the project as it keeps it::

    {"id": …, "name": …, "description": …, "createdAt": …, "updatedAt": …,
     "achMatrices": [{"id": …, "name": …,
                      "hypotheses": [{"id", "name", "description", "confidence"?,
                                      "confidenceJustification"?, "probabilityBand"?, "attackTechniques"?}],
                      "evidence": [{"id", "description", "source", "credibility", "relevance",
                                    "attackTechniques"?}],
                      "ratings": {evidence id: {hypothesis id: "C" | "I" | "N" | "NA"}}}],
     "biasChecklists": […]}

Also read: the same matrix on its own, and the browser's saved state
(``{"state": {"projects": […]}, "version": …}``) or a list of projects. A
project holds several matrices; one is imported (the first with hypotheses or
evidence, or the one named by ``matrix``), and a warning names the others.
The layout and its sources are in docs/FORMATS-TOOLS.md.
"""

from __future__ import annotations

from pathlib import Path

from ...formatting import clip, count
from .build import (
    MAX_HYPOTHESES,
    MAX_ITEMS,
    Sources,
    header,
    hypotheses,
    level,
    ordered,
    question_for,
    ratings_line,
    unrated,
)
from .jsondoc import Walk, clean, join, kind_of, shown

__all__ = ["NAME", "convert", "match"]

NAME = "Intel Workbench"

RATINGS = {"C": "C", "I": "I", "N": "N", "NA": "NA", "N/A": "NA", "CC": "CC", "II": "II"}

KNOWN = {
    "project": {"id", "name", "description", "achMatrices", "biasChecklists", "createdAt", "updatedAt"},
    "matrix": {"id", "name", "hypotheses", "evidence", "ratings", "assumptions", "createdAt", "updatedAt"},
    "hypothesis": {
        "id",
        "name",
        "description",
        "confidence",
        "confidenceJustification",
        "probabilityBand",
        "attackTechniques",
    },
    "evidence": {"id", "description", "source", "credibility", "relevance", "attackTechniques", "qoic"},
}


def _is_matrix(doc) -> bool:
    if not isinstance(doc, dict) or not isinstance(doc.get("hypotheses"), list):
        return False
    if isinstance(doc.get("ratings"), dict):
        return True
    entries = [h for h in doc["hypotheses"] if isinstance(h, dict)]
    return "ratings" not in doc and bool(entries) and all("name" in h and "title" not in h for h in entries)


def _projects(doc) -> tuple[list, str | None] | None:
    """The projects of ``doc`` and the path of their list (None: ``doc`` is the project)."""
    if isinstance(doc, dict) and "achMatrices" in doc:
        return [doc], None
    if isinstance(doc, dict) and isinstance(doc.get("state"), dict):  # the browser's saved state
        listed, prefix = doc["state"].get("projects"), "state.projects"
    elif isinstance(doc, dict):
        listed, prefix = doc.get("projects"), "projects"
    else:
        listed, prefix = doc, ""
    if isinstance(listed, list) and listed and all(isinstance(p, dict) and "achMatrices" in p for p in listed):
        return listed, prefix
    return None


def match(doc) -> bool:
    """Whether ``doc`` is in a layout this module reads."""
    return _projects(doc) is not None or _is_matrix(doc)


def convert(doc, walk: Walk, matrix: str | None = None) -> tuple[dict, str]:
    """(case dict, header comment) for an export :func:`match` accepted; CaseError for every problem."""
    projects = _projects(doc)
    found = [("", {}, doc)] if projects is None else _matrices(walk, *projects)
    chosen = _choose(walk, found, matrix)
    walk.check()
    return _Matrix(walk, *chosen).convert()


def _matrices(walk: Walk, projects: list, prefix: str | None) -> list[tuple[str, dict, dict]]:
    out = []
    for p, project in enumerate(projects):
        ppath = "" if prefix is None else join(prefix, p)
        project = walk.obj(project, ppath, "a project")
        if project is None:
            continue
        for m, mx in enumerate(walk.items(project, "achMatrices", ppath, "ACH matrices")):
            mpath = join(join(ppath, "achMatrices"), m)
            if walk.obj(mx, mpath, "an ACH matrix") is not None:
                out.append((mpath, project, mx))
    if not out and not walk.errors:
        walk.error(
            "achMatrices",
            "the project has no ACH matrix",
            "build the matrix in Intel Workbench and export the project again",
            code="tool-empty",
        )
    return out


def _name(mx: dict) -> str:
    return mx.get("name") if isinstance(mx.get("name"), str) else ""


def _choose(walk: Walk, found: list, wanted: str | None):
    if not found:
        return None
    if wanted is not None:
        picked = [f for f in found if wanted in (_name(f[2]), f[2].get("id"))]
        if not picked:
            names = ", ".join(f"'{clip(_name(f[2]), 40)}'" for f in found)
            walk.error("achMatrices", f"no ACH matrix is called '{clip(wanted, 40)}'", f"the matrices are {names}")
            return None
        chosen = picked[0]
    else:
        filled = [f for f in found if f[2].get("hypotheses") or f[2].get("evidence")]
        chosen = (filled or found)[0]
    others = [f for f in found if f is not chosen]
    if others:
        names = ", ".join(f"'{clip(_name(f[2]), 40)}'" for f in others[:6]) + (", …" if len(others) > 6 else "")
        walk.warn(
            chosen[0],
            f"the export holds {count(found, 'ACH matrix', 'ACH matrices')}; '{clip(_name(chosen[2]), 40)}' is "
            f"imported, not {names}",
            "to import another, give its name (Python: read_tool_export(path, matrix=NAME)), or export a "
            "project that holds only that matrix",
            code="tool-matrices",
        )
    return chosen


class _Matrix:
    def __init__(self, walk: Walk, path: str, project: dict, mx: dict):
        self.walk, self.path, self.project, self.mx = walk, path, project, mx
        self.sources = Sources(NAME)
        self.seen: dict[str, set[str]] = {}

    def note_keys(self, kind: str, entry: dict) -> None:
        self.seen.setdefault(kind, set()).update(k for k in entry if isinstance(k, str))

    def unread(self) -> None:
        where = {
            "project": self.path.rsplit("achMatrices", 1)[0].rstrip("."),
            "matrix": self.path,
            "hypothesis": join(self.path, "hypotheses") + "[*]",
            "evidence": join(self.path, "evidence") + "[*]",
        }
        self.walk.unread({where[k]: v for k, v in self.seen.items()}, {where[k]: v for k, v in KNOWN.items()})

    def convert(self) -> tuple[dict, str]:
        walk, mx = self.walk, self.mx
        project_name = walk.text(self.project, "name", "") if self.project else ""
        matrix_name = walk.text(mx, "name", self.path)
        title = project_name or matrix_name or Path(walk.name).stem or "Intel Workbench project"
        if project_name and matrix_name and matrix_name != project_name:
            title = f"{project_name}: {matrix_name}"
        description = walk.text(self.project, "description", "") if self.project else ""
        if self.project:
            self.note_keys("project", self.project)
        self.note_keys("matrix", mx)

        hyp_ids, hyps = self.hypotheses()
        items = self.evidence(hyp_ids)
        walk.check()
        self.unread()

        data: dict = {"title": title, "question": question_for(title)}
        if description:
            data["description"] = description
        data["hypotheses"] = hyps
        if self.sources.entries:
            data["sources"] = self.sources.entries
        data["evidence"] = items
        return data, self.header(matrix_name, hyps, items)

    def hypotheses(self) -> tuple[dict[str, str], list[dict]]:
        walk = self.walk
        entries = walk.items(self.mx, "hypotheses", self.path, "hypotheses", most=MAX_HYPOTHESES)
        found, ids = [], {}
        for j, entry in enumerate(entries):
            place = join(join(self.path, "hypotheses"), j)
            entry = walk.obj(entry, place, "a hypothesis")
            if entry is None:
                continue
            self.note_keys("hypothesis", entry)
            hid = walk.ident(entry, "id", place, "hypothesis")
            name = walk.text(entry, "name", place)
            if not name:
                walk.error(join(place, "name"), "the hypothesis has no name", "give every hypothesis a name")
            if hid is not None and hid in ids:
                walk.error(
                    join(place, "id"), f"the id '{clip(hid, 40)}' is also an earlier hypothesis's", "ids must be unique"
                )
            elif hid is not None:
                ids[hid] = f"H{len(found) + 1}"
            found.append((place, name, self.about(entry, place)))
        if len(found) < 2 and not walk.errors:
            walk.error(
                join(self.path, "hypotheses"),
                f"the matrix has {'no hypotheses' if not found else 'only one hypothesis'}; an analysis needs at least two",
                "add the hypotheses in Intel Workbench (one of them a catch-all such as 'Another actor') and export again",
                code="tool-empty",
            )
        return ids, hypotheses(walk, found)

    def about(self, entry: dict, place: str) -> str:
        """The hypothesis's description, with its confidence, likelihood band and ATT&CK techniques."""
        walk = self.walk
        parts = [walk.text(entry, "description", place)]
        confidence = walk.text(entry, "confidence", place)
        if confidence:
            why = walk.text(entry, "confidenceJustification", place)
            parts.append(f"Intel Workbench confidence: {confidence}" + (f" ({why})" if why else "") + ".")
        band = walk.text(entry, "probabilityBand", place)
        if band:
            parts.append(f"Intel Workbench likelihood band: {band.replace('-', ' ')}.")
        parts.append(self.techniques(entry, place))
        return "\n".join(p for p in parts if p)

    def techniques(self, entry: dict, place: str) -> str:
        tags = entry.get("attackTechniques")
        if tags is None:
            return ""
        if not isinstance(tags, list):
            self.walk.warn(
                join(place, "attackTechniques"), f"'attackTechniques' is {kind_of(tags)}, not a list: left out"
            )
            return ""
        names = [clean(t) for t in tags if isinstance(t, str) and clean(t)]
        return f"ATT&CK: {', '.join(names)}." if names else ""

    def evidence(self, hyp_ids: dict[str, str]) -> list[dict]:
        walk = self.walk
        entries = walk.items(self.mx, "evidence", self.path, "evidence items", most=MAX_ITEMS)
        if self.mx.get("evidence") == []:
            walk.error(
                join(self.path, "evidence"),
                "the matrix has no evidence",
                "add evidence in Intel Workbench and export again",
                code="tool-empty",
            )
        ratings = self.mx.get("ratings")
        rpath = join(self.path, "ratings")
        if ratings is not None:
            ratings = walk.obj(ratings, rpath, "'ratings'")
        ratings = ratings or {}
        out, ids, blank, defaulted = [], {}, [], []
        for i, entry in enumerate(entries):
            place = join(join(self.path, "evidence"), i)
            entry = walk.obj(entry, place, "an evidence item")
            if entry is None:
                continue
            self.note_keys("evidence", entry)
            eid = walk.ident(entry, "id", place, "evidence item")
            item: dict = {"id": f"E{len(out) + 1}"}
            if eid is not None and eid in ids:
                walk.error(
                    join(place, "id"), f"the id '{clip(eid, 40)}' is also an earlier item's", "ids must be unique"
                )
                eid = None
            elif eid is not None:
                ids[eid] = item["id"]
            text = walk.text(entry, "description", place)
            if not text:
                text = f"(item {i + 1} has no description in the Intel Workbench export)"
                walk.warn(join(place, "description"), "the item has no description; a placeholder text stands in")
            item["text"] = text
            source = self.sources.id_for(walk.text(entry, "source", place))
            if source:
                item["source"] = source
            for what in ("credibility", "relevance"):
                raw = entry.get(what)
                if raw is None:
                    defaulted.append(f"{item['id']} {what}")
                    item[what] = "medium"  # what Intel Workbench reads for a missing one
                elif level(raw) is None:
                    walk.error(
                        join(place, what),
                        f"{what} is {shown(raw)}, not High, Medium or Low",
                        "write High, Medium or Low",
                    )
                else:
                    item[what] = level(raw)
            item["likelihood"] = self.cells(ratings, rpath, eid, hyp_ids, item["id"], blank)
            notes = [self.techniques(entry, place), self.qoic(entry, place)]
            if any(notes):
                item["notes"] = "\n".join(n for n in notes if n)
            out.append(ordered(item))
        for key in ratings:
            if key not in ids:
                walk.warn(
                    join(rpath, key), "ratings of an evidence id the matrix does not list: left out", code="tool-orphan"
                )
        unrated(walk, rpath, blank, NAME)
        if defaulted:
            walk.warn(
                join(self.path, "evidence"),
                f"{count(defaulted, 'value')} missing, read as Medium as Intel Workbench reads them: {', '.join(defaulted[:10])}"
                + (", …" if len(defaulted) > 10 else ""),
                code="tool-default",
            )
        return out

    def cells(self, ratings: dict, rpath: str, eid, hyp_ids: dict[str, str], item_id: str, blank: list) -> dict:
        walk = self.walk
        row = ratings.get(eid) if eid is not None else None
        place = join(rpath, eid) if eid is not None else rpath
        if row is not None and walk.obj(row, place, "the ratings of an item") is None:
            row = None
        row = row or {}
        cells = {}
        for hid, h in hyp_ids.items():
            value = row.get(hid)
            if value is None:
                blank.append(f"{item_id} × {h}")
                cells[h] = "NA"
                continue
            rating = RATINGS.get("".join(value.split()).upper()) if isinstance(value, str) else None
            if rating is None:
                walk.error(
                    join(place, hid),
                    f"the rating is {shown(value)}, not one Intel Workbench writes",
                    "use C (consistent), I (inconsistent), N (neutral) or NA (not applicable)",
                    code="tool-rating",
                )
                continue
            cells[h] = rating
        for hid in row:
            if hid not in hyp_ids:
                walk.warn(
                    join(place, hid),
                    "a rating under a hypothesis id the matrix does not list: left out",
                    code="tool-orphan",
                )
        return cells

    def qoic(self, entry: dict, place: str) -> str:
        """Intel Workbench's Quality of Information Check (Admiralty codes, provenance), kept as words."""
        q = entry.get("qoic")
        if not isinstance(q, dict):
            return ""
        qpath = join(place, "qoic")
        parts = []
        for key, label in (
            ("admiraltyReliability", "source reliability"),
            ("admiraltyAccuracy", "information accuracy"),
        ):
            value = self.walk.text(q, key, qpath)
            if value:
                parts.append(f"Admiralty {label} {value}")
        if q.get("corroborated") is True:
            parts.append("corroborated")
        for key in ("sourceProvenance", "caveats"):
            value = self.walk.text(q, key, qpath)
            if value:
                parts.append(value)
        return ("Intel Workbench quality of information: " + "; ".join(parts) + ".") if parts else ""

    def header(self, matrix_name: str, hyps: list[dict], items: list[dict]) -> str:
        catch = next((h for h in hyps if h.get("catch_all")), None)
        named = self.sources.entries
        intro = f"Imported from the Intel Workbench project export {Path(self.walk.name).name}" + (
            f" (ACH matrix '{clip(matrix_name)}')." if matrix_name else "."
        )
        did = [
            f"{len(hyps)} hypotheses, H1 to H{len(hyps)} in the order of the export. Intel Workbench has no priors, so "
            "all priors are uniform. A hypothesis's confidence, likelihood band and ATT&CK techniques are kept in its "
            "description: they are the analyst's conclusions, not inputs, and are not used as priors.",
            f"The catch-all is {catch['id']} ('{clip(catch['title'])}')."
            if catch
            else "No hypothesis looks like a catch-all ('Other', 'Someone else'), so none is marked.",
            f"{len(items)} evidence items, E1 to E{len(items)} in the order of the export.",
            f"The ratings C, I, N and NA are kept. They map through the default scale: {ratings_line()}, and NA = the "
            "item's if_false (the cell says nothing). A cell left unrated is NA, as Intel Workbench scores it.",
            "Credibility and relevance High/Medium/Low are kept. In ach, credibility is the probability that the "
            "item is genuine (low 0.30, medium 0.60, high 0.90), not Intel Workbench's weight (1.5, 1, 0.5).",
            f"The items name {count(named, 'source')} in words; each is a source here, with reliability 1 "
            "(Intel Workbench rates no sources) and a TODO in its notes."
            if named
            else "No item names a source: each item is its own source (default_reliability 1).",
            "The project's title is the case title; Intel Workbench has no question, so one was made up from it.",
        ]
        todo = [
            "Give each source a reliability and remove the TODO from its notes (`ach validate` lists them): "
            "the items of one source stand or fall together.",
            "Write the question the hypotheses answer"
            + ("." if catch else ", and mark a catch-all (`catch_all: true`)."),
            "Give each item a confidence (low/medium/high) in its likelihoods, and consider CC and II where an "
            "item is very consistent or very inconsistent (Intel Workbench has no such ratings).",
        ]
        return header(intro, did, todo, self.walk.warnings)
