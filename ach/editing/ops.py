"""The edits an analyst makes to a case file: rate, set, remove, add.

:class:`CaseText` holds the text of a case file; each method plans its
splices on a fresh :class:`~ach.editing.document.CaseDocument`, checks that
the new text reads back as exactly the intended data (retrying with every new
string double-quoted if a prettier rendering did not), and either changes
:attr:`CaseText.text` or raises :class:`~ach.errors.EditError` leaving it as
it was. Nothing is checked against the case rules here and nothing is
written: :func:`ach.editing.apply.apply` does both.
"""

from __future__ import annotations

from ..casefile.dump import DEFAULT_RELIABILITY, UNSOURCED_COMMENT
from ..casefile.fields import KINDS, top_order
from ..casefile.values import id_hint
from ..casefile.yaml import differs, reads_back
from ..errors import Diagnostic, EditError
from ..formatting import plain
from .document import CODES, TODO, TODO_IF_FALSE, CaseDocument
from .splice import Unsupported, is_mapping

__all__ = ["CaseText"]


class CaseText:
    """The text of a case file and the edits that can be made to it.

    Each method changes :attr:`text` (or raises :class:`EditError` and leaves
    it as it was) and appends a description to :attr:`changes`. Nothing is
    checked against the case rules here and nothing is written: :func:`apply`
    does both.
    """

    def __init__(self, text: str, name: str = "<case>"):
        self.name = name
        self.bom = text.startswith("\ufeff")
        self.text = text[1:] if self.bom else text
        self.changes: list[str] = []
        self.todo: list[str] = []

    # -- public edits --------------------------------------------------------
    def rate(self, item: str, hypothesis: str, rating, *, why: str | None = None, kind: str | None = None) -> None:
        """Set one cell of the matrix; ``why`` replaces the comment on its line ('' removes it)."""

        def run(ed: CaseDocument):
            kind_ = ed.resolve(item, kind, ("evidence", "candidate"))
            index, entry = ed.find(kind_, item)
            hyps = ed.hypothesis_ids()
            pair = ed.get(entry, "likelihood")
            if hypothesis not in hyps:
                raise ed.refuse(
                    f"'{hypothesis}' is not a hypothesis",
                    pair[0] if pair else entry,
                    f"{KINDS[kind_].section} {item} › likelihood",
                    id_hint(hypothesis, hyps),
                )
            if pair is None or not is_mapping(pair[1]):
                raise ed.refuse(
                    f"{KINDS[kind_].noun} '{item}' has no likelihood mapping to rate",
                    entry,
                    f"{KINDS[kind_].section} {item}",
                    "add `likelihood:` with one rating per hypothesis by hand",
                )
            cells = pair[1]
            old = ed.get(cells, hypothesis)
            was = ed.data[KINDS[kind_].section][index]["likelihood"].get(hypothesis)
            ed.expect_entry(kind_, index)["likelihood"][hypothesis] = rating
            if why is not None and cells.flow_style:
                raise ed.refuse(
                    "the likelihoods of this item are written on one line ({...}), where a comment "
                    "cannot belong to one cell",
                    pair[0],
                    f"{KINDS[kind_].section} {item} › likelihood",
                    "rate it without --why, or write the likelihoods one per line",
                )
            if old is None:
                ed.insert_cell(cells, hypothesis, rating, hyps, comment=_why_comment(why) or None)
                self.changes.append(f"{item} under {hypothesis}: (none) → {plain(rating)}")
            else:
                ed.replace_value(
                    old[1],
                    rating,
                    comment=_why_comment(why),
                    drop_comment=TODO,
                    column=None if cells.flow_style else ed.comment_column(cells),
                    keep_quotes=isinstance(rating, str) and rating.upper() in CODES,
                )
                if cells.flow_style:
                    ed.drop_todo_line(pair[0], hypothesis)
                self.changes.append(f"{item} under {hypothesis}: {plain(was)} → {plain(rating)}")

        self._run(run)

    def set_fields(self, ident: str, *, kind: str | None = None, unset=(), **fields) -> None:
        """Change (or add) fields of a hypothesis, source, item or candidate; ``unset`` removes optional ones."""
        fields = {k: v for k, v in fields.items() if v is not None}
        if not fields and not unset:
            raise EditError(
                [
                    Diagnostic(
                        "error",
                        "nothing to change",
                        self.name,
                        field=ident,
                        hint="give at least one option, e.g. --credibility high",
                    )
                ]
            )

        def run(ed: CaseDocument):
            names = [*fields, *unset]
            kind_ = ed.resolve(ident, kind, tuple(KINDS), names)
            index, entry = ed.find(kind_, ident)
            bad = [n for n in names if n not in KINDS[kind_].settable]
            if bad:
                raise ed.refuse(
                    f"{KINDS[kind_].a_noun} has no field {', '.join(repr(b) for b in bad)} to set",
                    entry,
                    f"{KINDS[kind_].section} {ident}",
                    f"{KINDS[kind_].a_noun} takes: {', '.join(KINDS[kind_].settable)}",
                )
            if kind_ == "evidence" and "source" in fields:
                ed.check_source(fields["source"], entry, f"evidence {ident} › source")
            expected = ed.expect_entry(kind_, index)
            current = ed.data[KINDS[kind_].section][index]
            for name, value in fields.items():
                old = ed.get(entry, name)
                if old is not None and name in current and differs(current[name], value, name) is None:
                    continue  # the file says that already
                expected[name] = value
                if old is None:
                    ed.insert_key(entry, name, value, KINDS[kind_].order)
                    self.changes.append(f"{ident} {name}: (none) → {plain(value)}")
                else:
                    before = current.get(name)
                    ed.replace_value(old[1], value)
                    self.changes.append(f"{ident} {name}: {plain(before)} → {plain(value)}")
            for name in unset:
                if name in KINDS[kind_].required:
                    raise ed.refuse(
                        f"'{name}' is required for {KINDS[kind_].a_noun}", entry, f"{KINDS[kind_].section} {ident}"
                    )
                old = ed.get(entry, name)
                if old is None:
                    continue
                ed.delete_pair(entry, old)
                expected.pop(name, None)
                self.changes.append(f"{ident} {name}: removed")

        self._run(run)

    def remove(self, ident: str, *, kind: str | None = None) -> None:
        """Remove an item, a candidate, an unused source, or a hypothesis (and its cells everywhere)."""

        def run(ed: CaseDocument):
            kind_ = ed.resolve(ident, kind, tuple(KINDS))
            index, entry = ed.find(kind_, ident)
            if kind_ == "source":
                users = [
                    e.get("id")
                    for e in ed.data.get("evidence") or []
                    if isinstance(e, dict) and e.get("source") == ident
                ]
                if users:
                    raise ed.refuse(
                        f"source '{ident}' is used by {len(users)} item{'s' if len(users) > 1 else ''} ({', '.join(map(str, users))})",
                        entry,
                        f"sources {ident}",
                        "remove those items or give them another source first (ach set CASE ITEM --source OTHER)",
                    )
            if kind_ == "hypothesis":
                left = len(ed.data.get("hypotheses") or []) - 1
                if left < 2:
                    raise ed.refuse(
                        f"removing '{ident}' would leave {left} hypothesis; a case needs at least two",
                        entry,
                        f"hypotheses {ident}",
                        "add the replacement first (ach add hypothesis)",
                    )
                cells = self._remove_cells(ed, ident)
            ed.delete_entry(entry)
            del ed.expected[KINDS[kind_].section][index]
            if len(ed.section(KINDS[kind_].section).value) == 1:  # the list is empty now: say so, `sources: []`
                colon = ed.text.index(":", ed.content_end(ed.get(ed.root, KINDS[kind_].section)[0]))
                ed.splice(colon + 1, colon + 1, " []")
            self.changes.append(f"removed {KINDS[kind_].noun} {ident}")
            if kind_ == "hypothesis" and cells:
                self.changes.append(f"removed its {cells} cell{'s' if cells > 1 else ''} from the items and candidates")

        self._run(run)

    def add_hypothesis(
        self,
        id: str,
        title: str,
        *,
        prior=None,
        catch_all: bool = False,
        description: str | None = None,
        default_rating=None,
    ) -> None:
        """Append a hypothesis; every item gets a cell for it (``default_rating``, else NA), marked ``# TODO rate``."""

        def run(ed: CaseDocument):
            ed.check_new_id("hypothesis", id)
            hyps = [*ed.hypothesis_ids(), id]
            spec = {"id": id, "title": title}
            if description is not None:
                spec["description"] = description
            if prior is not None:
                spec["prior"] = prior
            if catch_all:
                spec["catch_all"] = True
            ed.append_entry("hypothesis", spec)
            rating = "NA" if default_rating is None else default_rating
            with_prior = [h for h in ed.data.get("hypotheses") or [] if isinstance(h, dict) and "prior" in h]
            if prior is None and with_prior:
                raise ed.refuse(
                    f"the other hypotheses have prior weights, so '{id}' needs one too",
                    ed.section("hypotheses"),
                    "hypotheses",
                    "give --prior WEIGHT",
                )
            if prior is not None and not with_prior:
                raise ed.refuse(
                    f"the other hypotheses have no prior weights (uniform), so '{id}' cannot have one",
                    ed.section("hypotheses"),
                    "hypotheses",
                    "leave out --prior, or first give every hypothesis a weight (ach set CASE HYP --prior W)",
                )
            filled = {"evidence": [], "candidate": []}
            for kind_ in ("evidence", "candidate"):
                for i, entry in ed.entries(kind_):
                    pair = ed.get(entry, "likelihood")
                    if pair is None or not is_mapping(pair[1]) or ed.get(pair[1], id) is not None:
                        continue
                    if kind_ == "candidate" and default_rating is None:
                        raise ed.refuse(
                            f"candidate observations cannot take NA, and '{ed.entry_id(entry)}' needs a rating for {id}",
                            entry,
                            f"collection {ed.entry_id(entry)} › likelihood",
                            "give --default-rating (written with a '# TODO rate' comment), or rate the candidates first",
                        )
                    ed.insert_cell(pair[1], id, rating, hyps, comment=TODO)
                    ed.expect_entry(kind_, i)["likelihood"][id] = rating
                    filled[kind_].append(ed.entry_id(entry))
            deceptive = []  # a per-hypothesis if_false needs the new hypothesis too: the mean of its others, to check
            for i, entry in ed.entries("evidence"):
                pair = ed.get(entry, "if_false")
                current = ed.data["evidence"][i].get("if_false")
                if pair is None or not is_mapping(pair[1]) or not isinstance(current, dict) or id in current:
                    continue
                numbers = [v for v in current.values() if isinstance(v, (int, float)) and not isinstance(v, bool)]
                value = round(sum(numbers) / len(numbers), 4) if numbers else 0.5
                ed.insert_cell(pair[1], id, value, hyps, comment=TODO_IF_FALSE)
                ed.expect_entry("evidence", i)["if_false"][id] = value
                deceptive.append(ed.entry_id(entry))
            self.changes.append(f"added hypothesis {id}: {title}")
            if deceptive:
                self.todo.append(
                    f"{len(deceptive)} items with a per-hypothesis if_false now give {id} the mean of their others "
                    f"({_some(deceptive)}), marked '{TODO_IF_FALSE}': set it with `ach set CASE ITEM --if-false ...`"
                )
            for kind_, ids in filled.items():
                if ids:
                    what = "items" if kind_ == "evidence" else "candidates"
                    self.todo.append(
                        f"{len(ids)} {what} now rate {id} as {plain(rating)} with '{TODO}' "
                        f"({_some(ids)}): rate them with `ach rate CASE ITEM {id} RATING`"
                    )

        self._run(run)

    def add_source(
        self, id: str, reliability, *, title: str | None = None, confidence: str | None = None, notes: str | None = None
    ) -> None:
        def run(ed: CaseDocument):
            ed.check_new_id("source", id)
            spec = {"id": id}
            if title is not None:
                spec["title"] = title
            spec["reliability"] = reliability
            if confidence is not None:
                spec["confidence"] = confidence
            if notes is not None:
                spec["notes"] = notes
            ed.append_entry("source", spec)
            self.changes.append(f"added source {id} (reliability {plain(reliability)})")

        self._run(run)

    def add_evidence(
        self,
        text: str,
        ratings: dict,
        *,
        id: str | None = None,
        source: str | None = None,
        date: str | None = None,
        type: str | None = None,
        confidence: str | None = None,
        credibility=None,
        relevance: str | None = None,
        notes: str | None = None,
        report: str | None = None,
        quote: str | None = None,
        url: str | None = None,
    ) -> str:
        """Append an item; hypotheses missing from ``ratings`` are written NA with ``# TODO rate``. Returns its id."""
        made = []

        def run(ed: CaseDocument):
            hyps = ed.hypothesis_ids()
            unknown = [h for h in ratings if h not in hyps]
            if unknown:
                raise ed.refuse(
                    f"'{unknown[0]}' is not a hypothesis",
                    ed.section("hypotheses"),
                    "hypotheses",
                    id_hint(unknown[0], hyps),
                )
            eid = id or ed.next_item_id()
            ed.check_new_id("evidence", eid)
            if source is not None:
                ed.check_source(source, ed.section("evidence"), "evidence › source")
            spec = {"id": eid, "text": text}
            for key, value in (("source", source), ("date", date), ("type", type)):
                if value is not None:
                    spec[key] = value
            spec["likelihood"] = {h: ratings.get(h, "NA") for h in hyps}
            for key, value in (("confidence", confidence), ("credibility", credibility), ("relevance", relevance)):
                if value is not None:
                    spec[key] = value
            if report is not None or quote is not None or url is not None:
                spec["citation"] = {
                    k: v for k, v in (("report", report), ("quote", quote), ("url", url)) if v is not None
                }
            if notes is not None:
                spec["notes"] = notes
            todo = [h for h in hyps if h not in ratings]
            ed.append_entry("evidence", spec, todo=todo)
            if source is None and "default_reliability" not in ed.data:  # say what an unsourced item is taken as
                ed.insert_key(ed.root, "default_reliability", DEFAULT_RELIABILITY, top_order(), UNSOURCED_COMMENT)
                ed.expected["default_reliability"] = DEFAULT_RELIABILITY
                self.changes.append(
                    f"default_reliability: (none) → {DEFAULT_RELIABILITY} (the item names no source: it is its own, "
                    "taken as fully reliable; lower it with `ach set CASE --default-reliability ...` if you doubt it)"
                )
            made.append(eid)
            self.changes.append(f"added evidence item {eid}" + (f" (source {source})" if source else ""))
            if todo:
                self.todo.append(
                    f"{eid} does not rate {', '.join(todo)}: written as NA with '{TODO}' "
                    f"(rate them: ach rate CASE {eid} HYPOTHESIS RATING)"
                )

        self._run(run)
        return made[-1]

    # -- machinery -----------------------------------------------------------
    def _remove_cells(self, ed: CaseDocument, hid: str) -> int:
        count = 0
        for kind_ in ("evidence", "candidate"):
            for i, entry in ed.entries(kind_):
                expected = ed.expect_entry(kind_, i)
                for key in ("likelihood", "if_false") if kind_ == "evidence" else ("likelihood",):
                    pair = ed.get(entry, key)
                    if pair is None or not is_mapping(pair[1]):
                        continue
                    cell = ed.get(pair[1], hid)
                    if cell is None:
                        continue
                    if key == "if_false" and len(pair[1].value) == 1:
                        ed.delete_pair(entry, pair)  # an if_false that named only this hypothesis goes entirely
                        expected.pop("if_false", None)
                        continue
                    ed.delete_pair(pair[1], cell)
                    if pair[1].flow_style:
                        ed.drop_todo_line(pair[0], hid, TODO if key == "likelihood" else TODO_IF_FALSE)
                    expected[key].pop(hid, None)
                    count += key == "likelihood"
        return count

    def _run(self, fn) -> None:
        """Apply ``fn`` on a fresh parse; retry writing every new string double-quoted if
        the pretty rendering did not read back as intended; never leave a half edit."""
        changes, todo = list(self.changes), list(self.todo)
        last = None
        for safe in (False, True):
            self.changes, self.todo = list(changes), list(todo)
            ed = CaseDocument(self.text, self.name, safe=safe)
            try:
                fn(ed)
                new = ed.result()
            except Unsupported as exc:
                self.changes, self.todo = changes, todo
                raise EditError(
                    [
                        Diagnostic(
                            "error",
                            f"cannot make this edit in place: {exc}",
                            self.name,
                            hint="make the change by hand (the file was not changed)",
                        )
                    ]
                ) from None
            problem = reads_back(new, ed.expected)
            if problem is None:
                self.text = new
                return
            last = problem
        self.changes, self.todo = changes, todo
        raise EditError(
            [
                Diagnostic(
                    "error",
                    f"cannot make this edit without disturbing the file ({last})",
                    self.name,
                    hint="make the change by hand; please report the file layout as an ach bug",
                )
            ]
        )

    @property
    def full_text(self) -> str:
        return ("\ufeff" if self.bom else "") + self.text


def _why_comment(why):
    if why is None:
        return None
    why = " ".join(str(why).split())
    return "" if not why else (why if why.startswith("#") else f"# {why}")


def _some(ids: list[str], n: int = 6) -> str:
    return ", ".join(ids) if len(ids) <= n else ", ".join(ids[: n - 1]) + f", … {ids[-1]}"
