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

from dataclasses import dataclass

from ..casefile.dump import DEFAULT_RELIABILITY, UNSOURCED_COMMENT
from ..casefile.fields import CASE_FIELDS, KINDS, top_order
from ..casefile.values import id_hint
from ..casefile.yaml import differs, reads_back
from ..errors import Diagnostic, EditError
from ..formatting import plain
from .document import CODES, TODO, TODO_IF_FALSE, CaseDocument
from .priors import fill_priors
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

    def set_fields(self, ident: str | None, *, kind: str | None = None, unset=(), **fields) -> None:
        """Change (or add) fields of a hypothesis, source, item or candidate, or of the case itself
        (``ident`` None); ``unset`` removes optional ones. A prior given to one hypothesis of a case
        without priors fills the others by :func:`fill_priors`'s rule, said in :attr:`changes`."""
        fields = {k: v for k, v in fields.items() if v is not None}
        if not fields and not unset:
            raise EditError(
                [
                    Diagnostic(
                        "error",
                        "nothing to change",
                        self.name,
                        field=ident or "",
                        hint="give at least one option, e.g. --credibility high",
                    )
                ]
            )

        def run(ed: CaseDocument):
            names = [*fields, *unset]
            if ident is None:
                target = _Target(ed.root, ed.data, ed.expected, top_order(), CASE_FIELDS, ("question",), "the case", "")
            else:
                kind_ = ed.resolve(ident, kind, tuple(KINDS), names)
                index, entry = ed.find(kind_, ident)
                k = KINDS[kind_]
                target = _Target(
                    entry,
                    ed.data[k.section][index],
                    ed.expect_entry(kind_, index),
                    k.order,
                    k.settable,
                    k.required,
                    k.a_noun,
                    f"{k.section} {ident}",
                )
                if kind_ == "evidence" and "source" in fields:
                    ed.check_source(fields["source"], entry, f"evidence {ident} › source")
            bad = [n for n in names if n not in target.settable]
            if bad:
                raise ed.refuse(
                    f"{target.noun} has no field {', '.join(repr(b) for b in bad)} to set",
                    target.node,
                    target.field,
                    f"{target.noun} takes: {', '.join(target.settable)}",
                )
            if isinstance(fields.get("if_false"), dict):
                hyps = ed.known_hypotheses(fields["if_false"])
                left_out = [h for h in hyps if h not in fields["if_false"]]
                if left_out:
                    raise ed.refuse(
                        f"an if_false per hypothesis names every hypothesis: not given: {', '.join(left_out)}",
                        target.node,
                        f"{target.field} › if_false",
                        f"give one number for all, or one for each of {', '.join(hyps)}",
                    )
            prefix = f"{ident} " if ident else ""
            for name, value in fields.items():
                if name == "prior":
                    self._priors(ed, {ident: value})
                else:
                    self._put(ed, target, name, value, prefix)
            for name in unset:
                if name in target.required:
                    raise ed.refuse(f"'{name}' is required for {target.noun}", target.node, target.field)
                old = ed.get(target.node, name)
                if old is None:
                    continue
                ed.delete_pair(target.node, old)
                target.expected.pop(name, None)
                self.changes.append(f"{prefix}{name}: removed")

        self._run(run)

    def set_priors(self, priors: dict) -> None:
        """Give hypotheses prior weights; in a case without priors, those left out share the rest."""
        self._run(lambda ed: self._priors(ed, priors))

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
            hyps = ed.known_hypotheses(ratings)
            eid = id or ed.next_id("evidence")
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

    def add_candidate(
        self, text: str, ratings: dict, *, id: str | None = None, credibility=None, notes: str | None = None
    ) -> str:
        """Append a candidate observation for ``ach collect``: rated under every hypothesis
        (not yet observed, so NA, "not rated", has no meaning here). Returns its id."""
        made = []

        def run(ed: CaseDocument):
            hyps = ed.known_hypotheses(ratings)
            missing = [h for h in hyps if h not in ratings]
            if missing:
                raise ed.refuse(
                    f"a candidate observation needs a likelihood under every hypothesis; not given: {', '.join(missing)}",
                    ed.section("hypotheses"),
                    "collection › likelihood",
                    "give --rate HYP=RATING for each: how expected the observation would be under it",
                )
            cid = id or ed.next_id("candidate")
            ed.check_new_id("candidate", cid)
            spec = {"id": cid, "text": text, "likelihood": {h: ratings[h] for h in hyps}}
            if credibility is not None:
                spec["credibility"] = credibility
            if notes is not None:
                spec["notes"] = notes
            ed.append_entry("candidate", spec)
            made.append(cid)
            self.changes.append(f"added candidate observation {cid}")

        self._run(run)
        return made[-1]

    # -- machinery -----------------------------------------------------------
    def _put(self, ed: CaseDocument, target: _Target, name: str, value, prefix: str) -> None:
        """Write one field of ``target``, adding the key where the schema's order puts it."""
        old = ed.get(target.node, name)
        if old is not None and name in target.current and differs(target.current[name], value, name) is None:
            return  # the file says that already
        target.expected[name] = value
        if old is None:
            ed.insert_key(target.node, name, value, target.order)
            self.changes.append(f"{prefix}{name}: (none) → {plain(value)}")
        elif isinstance(value, dict) and is_mapping(old[1]):  # cell by cell: each cell's comment stays
            hyps = ed.hypothesis_ids()
            for key, cell in list(old[1].value):
                if key.value not in value:
                    ed.delete_pair(old[1], (key, cell))
            for key, v in value.items():
                cell = ed.get(old[1], key)
                if cell is None:
                    ed.insert_cell(old[1], key, v, hyps, comment=None)
                else:
                    ed.replace_value(cell[1], v, drop_comment=TODO_IF_FALSE)
            self.changes.append(f"{prefix}{name}: {plain(target.current.get(name))} → {plain(value)}")
        else:
            ed.replace_value(old[1], value, drop_comment="# TODO")  # the scaffold's to-do, now done
            self.changes.append(f"{prefix}{name}: {plain(target.current.get(name))} → {plain(value)}")

    def _priors(self, ed: CaseDocument, priors: dict) -> None:
        hyps = ed.known_hypotheses(priors)
        entries = dict(ed.entries("hypothesis"))
        by_id = {ed.entry_id(entry): i for i, entry in entries.items()}
        have = {h for h in hyps if "prior" in ed.data["hypotheses"][by_id[h]]}
        weights = dict(priors)
        if not set(hyps) - set(priors) <= have:  # priors are all or none: share out the rest
            try:
                filled, rule = fill_priors(priors, [h for h in hyps if h not in priors])
            except ValueError as exc:
                raise ed.refuse(
                    str(exc),
                    ed.section("hypotheses"),
                    "hypotheses",
                    "give every hypothesis its prior: --priors KH=35,ISIS=20,...",
                ) from None
            weights.update(filled)
            self.changes.append(rule)
        for hid in hyps:
            if hid not in weights:
                continue
            i = by_id[hid]
            k = KINDS["hypothesis"]
            target = _Target(
                entries[i], ed.data["hypotheses"][i], ed.expect_entry("hypothesis", i), k.order, (), (), "", ""
            )
            self._put(ed, target, "prior", weights[hid], f"{hid} ")

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


@dataclass
class _Target:
    """What an edit of fields writes to: an entry of a list, or the case's own top level."""

    node: object  # the mapping node in the file
    current: dict  # its data as the file holds it
    expected: dict  # its data as the edited file must read back
    order: tuple  # the usual order of its keys
    settable: tuple
    required: tuple
    noun: str  # "a source", "the case"
    field: str  # where a refusal points: "sources us-gov"
