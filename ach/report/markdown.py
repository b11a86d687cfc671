"""User text made inert for Markdown: what an analyst wrote is shown, never interpreted.

A case file travels; its titles, item texts and citations may hold Markdown
(``[x](javascript:…)``, ``**``, ``|``) or HTML written by someone else. Every
such string reaches ``report.md`` through :func:`text`, which folds it to one
line, turns ``&`` and a ``<`` that could open a tag into entities and
backslash-escapes every character that could open a Markdown construct, so
any CommonMark or GitHub renderer shows exactly the characters written.
:func:`link` makes a citation a link only when its address is one
:attr:`ach.case.Citation.link` allows.
"""

from __future__ import annotations

import re
from urllib.parse import quote

__all__ = ["link", "text"]

# Inline constructs: code, emphasis, links and images, tables, strikethrough, math, escapes. An
# underscore between two letters or digits can neither open nor close emphasis: left as written.
_INLINE = re.compile(r"[\\`*\[\]|~$]|(?<![^\W_])_|_(?![^\W_])")
# Block constructs the line can open with: headings, quotes, bullets (not a signed number), setext rules, numbers.
_BLOCK = re.compile(r"^(?:[#=>]|[-+](?!\d))")
# Only a '<' before a letter, '/', '!' or '?' can open HTML or an autolink: "<0.1 %" stays readable.
_TAG = re.compile(r"<(?=[A-Za-z/!?])")
_NUMBERED = re.compile(r"^(\d+)([.)])(?=\s|$)")
# Characters an address may keep inside ``(...)``; everything else is percent-encoded.
_URL_SAFE = ":/?#@!$&'*+,;=%~-._"


def text(value) -> str:
    """``value`` as Markdown that renders to exactly its characters, on one line.

    ``&`` and a ``<`` that could open a tag become entities (no raw HTML, no
    entity of the writer's);
    the rest is backslash-escaped only where it could mean something, so the
    Markdown file stays readable as text.
    """
    folded = _TAG.sub("&lt;", " ".join(str(value).split()).replace("&", "&amp;"))
    escaped = _BLOCK.sub(lambda m: "\\" + m[0], _INLINE.sub(lambda m: "\\" + m[0], folded))
    return _NUMBERED.sub(r"\1\\\2", escaped)


def link(label, url: str) -> str:
    """``[label](url)`` when ``url`` is a safe address (see :attr:`Citation.link`), else the label alone."""
    if not url:
        return text(label)
    address = quote(url, safe=_URL_SAFE).replace("&", "&amp;")  # a destination decodes entities
    return f"[{text(label)}]({address})"
