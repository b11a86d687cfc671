"""The finished assessment: one :class:`Report` rendered many ways.

Like lifelines' summary objects, a ``Report`` gathers every number and
sentence once, from a :class:`~ach.result.Result` (it never samples and never
computes a posterior: :mod:`ach.report.context` selects and formats,
:mod:`ach.report.narrative` words the findings), and renders that one context
through Jinja2 templates (``ach/report/templates``):

    report = result.report()          # or Report(result)
    report.to_markdown()              # figures referenced as figures/<name>.png
    report.to_html()                  # one self-contained file, figures inlined
    report.summary_html()             # compact block; also Jupyter's _repr_html_
    report.brief_html()               # two pages: bottom line, key judgments, linchpins, what would change our mind
    report.to_pdf()                   # the HTML printed by headless Chromium (ach.report.pdf)
    report.save("reports/k1")         # report.md, report.html, figures/*.png
    report.save("reports/k1", brief=True, pdf=True)   # and brief.md, brief.html, report.pdf, brief.pdf
    Report(result, sections=[team_section(team_result)])  # with a section a higher floor made

HTML escaping is Jinja's autoescape; user text in Markdown goes through
:mod:`ach.report.markdown`.
"""

from __future__ import annotations

import base64
from functools import cache, cached_property
from pathlib import Path

from ..files import write_atomic
from ..plots import figure_pngs
from ..plots.evidence import TOP_ITEMS
from . import markdown, pdf
from .context import Context
from .section import entries

__all__ = ["BRIEF_FIGURES", "FIGURE_DIR", "Report", "section_page"]

FIGURE_DIR = "figures"
BRIEF_FIGURES = ("posterior",)  # the brief's one picture: the probabilities, with their intervals when sampled


class Report:
    """An intelligence assessment built from a :class:`~ach.result.Result`.

    ``top``: how many items "What drove the result" lists; ``dpi``: figure
    resolution; ``sections``: :class:`~ach.report.section.Section` objects
    added after "What would change our mind" (the team's, by
    :func:`ach.team.report.team_section`). Figures are drawn once, on first
    use, and reused by every rendering; ``workers``: processes that draw them
    (the ``ach`` command uses every core; a program that runs threads of its
    own keeps the default, one).
    """

    def __init__(self, result, *, top: int = TOP_ITEMS, dpi: int = 150, sections=(), workers: int = 1):
        self.result = result
        self.dpi = dpi
        self.workers = workers
        self.sections = tuple(sections)
        self._context = Context(result, top, self.sections)
        self._figures: dict[str, bytes] | None = None

    @property
    def context(self) -> dict:
        """The one context every template reads."""
        return self._context.data

    @cached_property
    def figure_names(self) -> tuple[str, ...]:
        """The figures this report shows: those with something to show (:func:`ach.plots.available_figures`),
        then its sections' figures."""
        return self._context.figure_names + tuple(f.name for s in self.sections for f in s.figures)

    # -- renderings -------------------------------------------------------------
    def to_markdown(self, figure_dir: str = FIGURE_DIR) -> str:
        """Markdown; figures are referenced as ``<figure_dir>/<name>.png`` (see :meth:`save`)."""
        src = {name: f"{figure_dir}/{name}.png" for name in self.figure_names}
        return _template("report.md.j2").render({**self.context, "src": src})

    def to_html(self) -> str:
        """One self-contained HTML file: inline CSS, figures as base64 PNG data URIs."""
        return _template("report.html.j2").render({**self.context, "src": self._inline(self.figure_names)})

    def brief_markdown(self, figure_dir: str = FIGURE_DIR) -> str:
        """The brief in Markdown: bottom line, key judgments, linchpins, what would change our mind."""
        src = {name: f"{figure_dir}/{name}.png" for name in self._brief_figures}
        return _template("brief.md.j2").render({**self.context, "src": src, "brief_figures": self._brief_figures})

    def brief_html(self) -> str:
        """The brief as one self-contained HTML file, laid out to print on two pages for a case like K-1."""
        src = self._inline(self._brief_figures)
        return _template("brief.html.j2").render({**self.context, "src": src, "brief_figures": self._brief_figures})

    def to_pdf(self, paper: str = "A4") -> bytes:
        """The HTML report printed to PDF (see :mod:`ach.report.pdf`); ``paper``: ``"A4"`` or ``"Letter"``."""
        return pdf.print_pdfs([self._document()], paper)[0]

    def brief_pdf(self, paper: str = "A4") -> bytes:
        return pdf.print_pdfs([self._document(brief=True)], paper)[0]

    def summary_html(self) -> str:
        """Bottom line, analytic confidence and the posterior table, for notebooks."""
        return _template("summary.html.j2").render(**self.context)

    def summary_markdown(self) -> str:
        return _template("summary.md.j2").render(**self.context)

    def _repr_html_(self) -> str:
        return self.summary_html()

    def _repr_markdown_(self) -> str:
        return self.summary_markdown()

    def __repr__(self) -> str:
        return f"<Report {self.result.case.name}: {self.result.bottom_line()}>"

    def figures(self) -> dict[str, bytes]:
        """Every figure as PNG bytes, drawn once."""
        if self._figures is None:
            self._figures = figure_pngs(self.result, self._context.figure_names, self.dpi, self.workers)
            self._figures.update((f.name, f.png) for s in self.sections for f in s.figures)
        return self._figures

    def save(self, folder, *, brief: bool = False, pdf: bool = False, paper: str = "A4") -> dict:
        """Write ``report.md``, ``report.html`` and ``figures/*.png`` into ``folder``.

        ``brief``: also ``brief.md`` and ``brief.html``; ``pdf``: also
        ``report.pdf`` (and ``brief.pdf``), by :meth:`save_pdf`, after the rest
        is written, so a missing browser (:class:`ach.report.pdf.PdfError`)
        costs only the PDFs. Each file is written to a temporary file beside
        it and moved into place, so a reader never sees half a report.
        Returns ``{"markdown": path, "html": path, "figures": {name: path}}``,
        with ``"brief_markdown"``, ``"brief_html"``, ``"pdf"`` and
        ``"brief_pdf"`` when written.
        """
        folder = Path(folder)
        figures = {name: write_atomic(folder / FIGURE_DIR / f"{name}.png", png) for name, png in self.figures().items()}
        markdown = write_atomic(folder / "report.md", self.to_markdown().encode("utf-8"))
        page = write_atomic(folder / "report.html", self.to_html().encode("utf-8"))
        paths = {"markdown": markdown, "html": page, "figures": figures}
        if brief:
            paths["brief_markdown"] = write_atomic(folder / "brief.md", self.brief_markdown().encode("utf-8"))
            paths["brief_html"] = write_atomic(folder / "brief.html", self.brief_html().encode("utf-8"))
        if pdf:
            paths.update(self.save_pdf(folder, brief=brief, paper=paper))
        return paths

    def save_pdf(self, folder, *, brief: bool = False, paper: str = "A4") -> dict:
        """Write ``report.pdf`` (and, with ``brief``, ``brief.pdf``) into ``folder``, one browser for both."""
        folder = Path(folder)
        documents = [self._document()] + ([self._document(brief=True)] if brief else [])
        printed = pdf.print_pdfs(documents, paper)
        paths = {"pdf": write_atomic(folder / "report.pdf", printed[0])}
        if brief:
            paths["brief_pdf"] = write_atomic(folder / "brief.pdf", printed[1])
        return paths

    # -- helpers ----------------------------------------------------------------
    @cached_property
    def _brief_figures(self) -> tuple[str, ...]:
        return tuple(name for name in BRIEF_FIGURES if name in self.figure_names)

    def _inline(self, names) -> dict[str, str]:
        figures = self.figures()
        return {name: _data_uri(figures[name]) for name in names}

    def _document(self, brief: bool = False) -> pdf.Document:
        case = self.context["case"]
        if brief:
            return pdf.Document(self.brief_html(), f"{case['title']}: brief", case["handling"] or "")
        return pdf.Document(self.to_html(), case["title"], case["handling"] or "")


def section_page(section, *, title: str, figure_dir: str = FIGURE_DIR) -> tuple[str, str]:
    """A :class:`~ach.report.section.Section` on a page of its own (the team report): self-contained HTML,
    and Markdown that references its figures as ``<figure_dir>/<name>.png``."""
    from .. import __version__

    context = {"title": title, "version": __version__, "s": entries([section], 0)[0]}
    inline = {f.name: _data_uri(f.png) for f in section.figures}
    files = {f.name: f"{figure_dir}/{f.name}.png" for f in section.figures}
    return (
        _template("section_page.html.j2").render({**context, "src": inline}),
        _template("section_page.md.j2").render({**context, "src": files}),
    )


# -- rendering ------------------------------------------------------------------------
@cache
def _environment(autoescape: bool):
    from jinja2 import Environment, PackageLoader, StrictUndefined

    env = Environment(
        loader=PackageLoader("ach.report", "templates"),
        autoescape=autoescape,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        undefined=StrictUndefined,
    )
    env.filters["md"] = markdown.text
    env.filters["md_link"] = markdown.link
    env.filters["nb"] = _keep_units  # '47 %' never breaks across lines
    return env


def _template(name: str):
    return _environment(name.endswith(".html.j2")).get_template(name)


def _data_uri(png: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


def _keep_units(text) -> str:
    return str(text).replace(" %", "\u00a0%").replace(" pp", "\u00a0pp")
