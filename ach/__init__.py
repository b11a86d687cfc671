"""ach: Bayesian Analysis of Competing Hypotheses.

    import ach
    case = ach.load("cases/k1.yaml")
    result = ach.analyze(case)          # exact posterior + PyMC uncertainty
    result.report().to_html()
    ach.whatif(case, drop=["E02"], reliability={"us-gov": 0.3}).after.posterior

Heavy modules (PyMC, matplotlib) are imported only when used.
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("ach")
except PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0.1.0+src"

__all__ = ["Case", "CaseError", "Result", "__version__", "analyze", "check", "load", "loads", "whatif"]


def __getattr__(name):
    if name in ("load", "loads", "check"):
        from . import loader

        return getattr(loader, name)
    if name in ("analyze", "Result"):
        from . import analysis

        return getattr(analysis, name)
    if name == "whatif":
        from .scenario import whatif

        return whatif
    if name == "CaseError":
        from .diagnostics import CaseError

        return CaseError
    if name == "Case":
        from .case import Case

        return Case
    raise AttributeError(f"module 'ach' has no attribute {name!r}")
