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

_PUBLIC = {
    "load": ("casefile", "load"),
    "loads": ("casefile", "loads"),
    "check": ("casefile", "check"),
    "analyze": ("analysis", "analyze"),
    "whatif": ("analysis", "whatif"),
    "compare": ("casediff", "compare"),
    "Case": ("case", "Case"),
    "Result": ("result", "Result"),
    "Report": ("report", "Report"),
    "CaseError": ("errors", "CaseError"),
    "Diagnostic": ("errors", "Diagnostic"),
}

__all__ = [*_PUBLIC, "__version__"]


def __getattr__(name):
    if name not in _PUBLIC:
        raise AttributeError(f"module 'ach' has no attribute {name!r}")
    from importlib import import_module

    module, attribute = _PUBLIC[name]
    return getattr(import_module(f"ach.{module}"), attribute)


def __dir__():
    return sorted(__all__)
