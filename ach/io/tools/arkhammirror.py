"""ArkhamMirror ACH matrix exports (JSON) to a case dict.

ArkhamMirror (github.com/mantisfury/ArkhamMirror) has an ACH shard whose
``GET /api/ach/export/{id}?format=json`` writes one matrix::

    {"metadata": {"id", "title", "description", "status", "created_at", "updated_at",
                  "created_by", "project_id", "tags"},
     "hypotheses": [{"id", "title", "description", "column_index", "is_lead"}],
     "evidence": [{"id", "description", "source", "type", "credibility", "relevance", "row_index"}],
     "ratings": [{"evidence_id", "hypothesis_id", "rating", "reasoning", "confidence"}],
     "scores": […]}

with ratings ``++ + N - -- N/A``, credibility and relevance numbers in [0, 1]
(its form offers 1.0, 0.7 and 0.4) and the matrix's description as its focus
question. Also read: that document inside the API's answer (``{"matrix_id",
"format", "content"}``), as one JSON string (what the page's Export JSON
button downloads), and the matrix as ``GET /api/ach/matrix/{id}`` gives it
(the metadata at the top). The layout and its sources are in
docs/FORMATS-TOOLS.md.
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
from .jsondoc import Walk, join, kind_of, load_json, shown

__all__ = ["NAME", "convert", "match", "weight_level"]

NAME = "ArkhamMirror"

SYMBOLS = {"++": "CC", "+": "C", "N": "N", "-": "I", "--": "II", "N/A": "NA", "NA": "NA"}
SYMBOLS |= {k: k for k in ("CC", "C", "I", "II")}  # the letters its HTML report shows

FORM_WEIGHTS = (1.0, 0.7, 0.4)  # what its Add Evidence form offers: High, Medium, Low

META = {"id", "title", "description", "status", "created_at", "updated_at", "created_by", "project_id", "tags"}
KNOWN = {
    "matrix": {"metadata", "hypotheses", "evidence", "ratings", "scores", "notes", "linked_document_ids", *META},
    "metadata": META | {"notes"},
    "hypothesis": {"id", "title", "description", "column_index", "is_lead", "notes", "author", "matrix_id"},
    "evidence": {
        "id",
        "description",
        "source",
        "type",
        "credibility",
        "relevance",
        "row_index",
        "document_ids",
        "notes",
        "author",
        "matrix_id",
    },
    "rating": {"evidence_id", "hypothesis_id", "rating", "reasoning", "confidence", "author", "matrix_id"},
}


def _is_matrix(doc) -> bool:
    if not isinstance(doc, dict) or not isinstance(doc.get("hypotheses"), list) or "evidence" not in doc:
        return False
    return isinstance(doc.get("ratings"), list) or isinstance(doc.get("metadata"), dict)


def match(doc):
    """The matrix document in ``doc`` if it is in a layout this module reads (the API's answer
    unwrapped), else None. A string ``content`` is returned as it is: :func:`convert` parses it."""
    if isinstance(doc, dict) and "content" in doc and str(doc.get("format", "")).lower() == "json":
        inner = doc["content"]
        return doc if isinstance(inner, str) or _is_matrix(inner) else None
    return doc if _is_matrix(doc) else None


def convert(doc, walk: Walk) -> tuple[dict, str]:
    """(case dict, header comment) for a document :func:`match` returned; CaseError for every problem."""
    path = ""
    if "content" in doc and "hypotheses" not in doc:
        path = "content"
        doc = doc["content"]
        if isinstance(doc, str):
            doc = load_json(doc.encode("utf-8", "surrogatepass"), walk.name)
        if not _is_matrix(doc):
            walk.error(path, f"'content' holds {kind_of(doc)} that is not an ArkhamMirror matrix")
            walk.check()
    return _Matrix(walk, path, doc).convert()


def weight_level(value) -> str | None:
    """An ArkhamMirror weight in [0, 1] as its own labels read it: high from 0.8, medium from 0.5, else low
    (also for the number written as text, "0.7"); None for anything else."""
    if isinstance(value, str):
        try:
            value = float(value.strip())
        except ValueError:
            return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= 1:  # NaN is not
        return None
    return "high" if value >= 0.8 else "medium" if value >= 0.5 else "low"


def _by_index(entries: list, key: str) -> list[tuple[int, object]]:
    """(position, entry) in the order of ``key`` (column_index, row_index) when every entry has a whole
    number there, else in file order."""
    pairs = list(enumerate(entries))
    keys = [e.get(key) if isinstance(e, dict) else None for e in entries]
    if all(isinstance(k, int) and not isinstance(k, bool) for k in keys):
        pairs.sort(key=lambda p: keys[p[0]])
    return pairs


class _Matrix:
    def __init__(self, walk: Walk, path: str, doc: dict):
        self.walk, self.path, self.doc = walk, path, doc
        self.sources = Sources(NAME)
        self.seen: dict[str, set[str]] = {}
        self.lead: list[str] = []

    def note_keys(self, kind: str, entry: dict) -> None:
        self.seen.setdefault(kind, set()).update(k for k in entry if isinstance(k, str))

    def convert(self) -> tuple[dict, str]:
        walk, doc = self.walk, self.doc
        self.note_keys("matrix", doc)
        meta, mpath = doc, self.path
        if "metadata" in doc:
            mpath = join(self.path, "metadata")
            meta = walk.obj(doc["metadata"], mpath, "'metadata'") or {}
            self.note_keys("metadata", meta)
        title = walk.text(meta, "title", mpath) or Path(walk.name).stem or "ArkhamMirror matrix"
        focus = walk.text(meta, "description", mpath)
        notes = walk.text(meta, "notes", mpath) or walk.text(doc, "notes", self.path)

        hyp_ids, hyps = self.hypotheses()
        items = self.evidence(hyp_ids)
        walk.check()
        where = {
            "matrix": self.path,
            "metadata": join(self.path, "metadata"),
            "hypothesis": join(self.path, "hypotheses") + "[*]",
            "evidence": join(self.path, "evidence") + "[*]",
            "rating": join(self.path, "ratings") + "[*]",
        }
        walk.unread({where[k]: v for k, v in self.seen.items()}, {where[k]: v for k, v in KNOWN.items()})

        data: dict = {"title": title, "question": focus or question_for(title)}
        if notes:
            data["description"] = notes
        data["hypotheses"] = hyps
        if self.sources.entries:
            data["sources"] = self.sources.entries
        data["evidence"] = items
        return data, self.header(hyps, items, asked=bool(focus))

    def hypotheses(self) -> tuple[dict[str, str], list[dict]]:
        walk = self.walk
        entries = walk.items(self.doc, "hypotheses", self.path, "hypotheses", most=MAX_HYPOTHESES)
        found, ids = [], {}
        for j, entry in _by_index(entries, "column_index"):
            place = join(join(self.path, "hypotheses"), j)
            entry = walk.obj(entry, place, "a hypothesis")
            if entry is None:
                continue
            self.note_keys("hypothesis", entry)
            hid = walk.ident(entry, "id", place, "hypothesis")
            name = walk.text(entry, "title", place)
            if not name:
                walk.error(join(place, "title"), "the hypothesis has no title", "give every hypothesis a title")
            hid_new = f"H{len(found) + 1}"
            if hid is not None and hid in ids:
                walk.error(
                    join(place, "id"), f"the id '{clip(hid, 40)}' is also an earlier hypothesis's", "ids must be unique"
                )
            elif hid is not None:
                ids[hid] = hid_new
            if entry.get("is_lead") is True:
                self.lead.append(hid_new)
            about = [walk.text(entry, "description", place), walk.text(entry, "notes", place)]
            found.append((place, name, "\n".join(a for a in about if a)))
        if len(found) < 2 and not walk.errors:
            walk.error(
                join(self.path, "hypotheses"),
                f"the matrix has {'no hypotheses' if not found else 'only one hypothesis'}; an analysis needs at least two",
                "add the hypotheses in ArkhamMirror (one of them a catch-all such as 'Someone else') and export again",
                code="tool-empty",
            )
        return ids, hypotheses(walk, found)

    def evidence(self, hyp_ids: dict[str, str]) -> list[dict]:
        walk = self.walk
        entries = walk.items(self.doc, "evidence", self.path, "evidence items", most=MAX_ITEMS)
        if self.doc.get("evidence") == []:
            walk.error(
                join(self.path, "evidence"),
                "the matrix has no evidence",
                "add evidence in ArkhamMirror and export again",
                code="tool-empty",
            )
        out, ids, defaulted = [], {}, []
        for i, entry in _by_index(entries, "row_index"):
            place = join(join(self.path, "evidence"), i)
            entry = walk.obj(entry, place, "an evidence item")
            if entry is None:
                continue
            self.note_keys("evidence", entry)
            eid = walk.ident(entry, "id", place, "evidence item")
            item: dict = {"id": f"E{len(out) + 1}", "notes": []}
            if eid is not None and eid in ids:
                walk.error(
                    join(place, "id"), f"the id '{clip(eid, 40)}' is also an earlier item's", "ids must be unique"
                )
            elif eid is not None:
                ids[eid] = item["id"]
            text = walk.text(entry, "description", place)
            if not text:
                text = f"(item {i + 1} has no description in the ArkhamMirror export)"
                walk.warn(join(place, "description"), "the item has no description; a placeholder text stands in")
            item["text"] = text
            source = self.sources.id_for(walk.text(entry, "source", place))
            if source:
                item["source"] = source
            kind = walk.text(entry, "type", place)
            if kind:
                item["type"] = kind
            for what in ("credibility", "relevance"):
                raw = entry.get(what)
                if raw is None:
                    defaulted.append(f"{item['id']} {what}")
                    item[what] = "high"  # ArkhamMirror's default, 1.0
                    continue
                item[what] = weight_level(raw) or level(raw)
                if item[what] is None:
                    walk.error(
                        join(place, what),
                        f"{what} is {shown(raw)}, not a number from 0 to 1",
                        "ArkhamMirror writes 1.0 (high), 0.7 (medium) or 0.4 (low)",
                        code="tool-weight",
                    )
                elif weight_level(raw) and float(raw) not in FORM_WEIGHTS:
                    item["notes"].append(f"ArkhamMirror {what}: {float(raw):g} (read as {item[what]}).")
            item["notes"] += [walk.text(entry, "notes", place), self.documents(entry, place)]
            out.append(item)
        self.ratings(ids, hyp_ids, out)
        if defaulted:
            walk.warn(
                join(self.path, "evidence"),
                f"{count(defaulted, 'value')} missing, read as 1.0 (high) as ArkhamMirror does: {', '.join(defaulted[:10])}"
                + (", …" if len(defaulted) > 10 else ""),
                code="tool-default",
            )
        for item in out:
            notes = [n for n in item.pop("notes") if n]
            if notes:
                item["notes"] = "\n".join(notes)
        return [ordered(item) for item in out]

    def documents(self, entry: dict, place: str) -> str:
        docs = entry.get("document_ids")
        if not isinstance(docs, list) or not docs:
            return ""
        shown = [str(d) for d in docs if isinstance(d, (str, int)) and not isinstance(d, bool)]
        return f"ArkhamMirror documents: {', '.join(shown)}." if shown else ""

    def ratings(self, ids: dict[str, str], hyp_ids: dict[str, str], items: list[dict]) -> None:
        walk = self.walk
        rpath = join(self.path, "ratings")
        by_id = {item["id"]: item for item in items}
        cells: dict[tuple[str, str], str] = {}
        confidence: dict[str, list[str]] = {}
        for k, entry in enumerate(walk.items(self.doc, "ratings", self.path, "ratings", required=False)):
            place = join(rpath, k)
            entry = walk.obj(entry, place, "a rating")
            if entry is None:
                continue
            self.note_keys("rating", entry)
            e, h = (
                self.ref(entry, key, place, known) for key, known in (("evidence_id", ids), ("hypothesis_id", hyp_ids))
            )
            value = entry.get("rating")
            rating = SYMBOLS.get(_symbol(value)) if isinstance(value, str) else None
            if rating is None:
                walk.error(
                    join(place, "rating"),
                    f"the rating is {shown(value) if 'rating' in entry else 'missing'}, not one ArkhamMirror writes",
                    "use ++ (very consistent), + (consistent), N (neutral), - (inconsistent), -- (very inconsistent) or N/A",
                    code="tool-rating",
                )
                continue
            if not (e and h):
                continue
            if (e, h) in cells and cells[e, h] != rating:
                walk.error(
                    place, f"{e} is rated twice under {h}: {cells[e, h]} and {rating}", "keep one rating per cell"
                )
                continue
            cells[e, h] = rating
            why = walk.text(entry, "reasoning", place)
            if why:
                by_id[e]["notes"].append(f"Reasoning under {h}: {why}")
            weight = entry.get("confidence")
            if weight_level(weight) is not None and weight != 1:
                confidence.setdefault(e, []).append(f"{h} {weight:g}")
        blank = []
        for item in items:
            item["likelihood"] = {}
            for h in hyp_ids.values():
                if (item["id"], h) not in cells:
                    blank.append(f"{item['id']} × {h}")
                item["likelihood"][h] = cells.get((item["id"], h), "NA")
            if item["id"] in confidence:
                item["notes"].append(f"ArkhamMirror rating confidence: {', '.join(confidence[item['id']])}.")
        unrated(walk, rpath, blank, NAME)

    def ref(self, entry: dict, key: str, place: str, known: dict[str, str]) -> str | None:
        """The new id (E3, H2) a rating's evidence_id or hypothesis_id names; None, noted, if it names none."""
        value = entry.get(key)
        value = str(value) if isinstance(value, int) and not isinstance(value, bool) else value
        if not isinstance(value, str) or not value:
            what = "missing" if key not in entry else shown(value)
            self.walk.error(
                join(place, key), f"the rating has no '{key}' ({what})", f"name the cell's {key[:-3]} by its id"
            )
            return None
        if value not in known:
            self.walk.warn(
                join(place, key),
                f"a rating of {key[:-3]} '{clip(value, 40)}', which the matrix does not list: left out",
                code="tool-orphan",
            )
            return None
        return known[value]

    def header(self, hyps: list[dict], items: list[dict], asked: bool) -> str:
        catch = next((h for h in hyps if h.get("catch_all")), None)
        named = self.sources.entries
        intro = f"Imported from the ArkhamMirror ACH matrix export {Path(self.walk.name).name}."
        did = [
            f"{len(hyps)} hypotheses, H1 to H{len(hyps)} in ArkhamMirror's column order; no priors there, so all "
            "priors are uniform."
            + (f" Its lead hypothesis was {', '.join(self.lead)}: a conclusion, not an input." if self.lead else ""),
            f"The catch-all is {catch['id']} ('{clip(catch['title'])}')."
            if catch
            else "No hypothesis looks like a catch-all ('Other', 'Someone else'), so none is marked.",
            f"{len(items)} evidence items, E1 to E{len(items)} in ArkhamMirror's row order.",
            f"The ratings ++ + N - -- N/A are CC C N I II NA here, on the default scale: {ratings_line()}, and "
            "NA = the item's if_false (the cell says nothing). A cell left unrated is NA, as ArkhamMirror scores it. "
            "The reasoning and (when not 1) the confidence of a rating are kept in the item's notes.",
            "Credibility and relevance, weights in [0, 1], are high from 0.8, medium from 0.5 and low below, as "
            "ArkhamMirror labels them; a weight its form does not offer (1.0, 0.7, 0.4) is kept in the notes. In "
            "ach, credibility is the probability that the item is genuine (low 0.30, medium 0.60, high 0.90).",
            f"The items name {count(named, 'source')} in words; each is a source here, with reliability 1 "
            "(ArkhamMirror rates no sources) and a TODO in its notes."
            if named
            else "No item names a source: each item is its own source (default_reliability 1).",
            "The matrix's description, its focus question, is the question."
            if asked
            else "The matrix has no description (its focus question), so a question was made up from the title.",
            "The scores ArkhamMirror computed are not read: `ach analyze` computes its own.",
        ]
        todo = [
            "Give each source a reliability and remove the TODO from its notes (`ach validate` lists them): "
            "the items of one source stand or fall together.",
            "Give each item a confidence (low/medium/high) in its likelihoods, and consider priors.",
        ]
        if not asked:
            todo.insert(1, "Write the question the hypotheses answer.")
        return header(intro, did, todo, self.walk.warnings)


def _symbol(value: str) -> str:
    """'−−' (minus signs), ' -- ', 'n/a' -> '--', '--', 'N/A'."""
    for dash in ("\u2212", "\u2013", "\u2014"):
        value = value.replace(dash, "-")
    return "".join(value.split()).upper()
