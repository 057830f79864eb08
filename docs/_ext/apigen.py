"""Writes one API page per public package, listing every name in its ``__all__``.

Nothing is listed by hand: a name added to ``__all__`` gets its page at the next build, and a
name removed loses it. Runs at ``config-inited``, before autosummary looks for stubs to write.
Names that ``emdkit.core`` re-exports at the top level are documented once, as ``emdkit.X``.
"""
from __future__ import annotations

import importlib
import pkgutil
from pathlib import Path

OUT = "api/generated"
# Subpackages that are programs, not libraries: the CLI is documented by its --help.
NOT_LIBRARIES = {"cli"}
INDEX_INTRO = """\
API reference
=============

Every name in each package's ``__all__``, generated from its docstring at build time. The
core (``emdkit.emd``, ``emdkit.signature_emd``, ...) needs only numpy, scipy and the compiled engine; each
other package is an optional extra (see :doc:`/getting_started`).

.. toctree::
   :maxdepth: 1

"""
# Plain values (not functions or classes) are rendered with autodata, not autosummary.
DATA_NAMES = {"__version__"}


def public_names(package: str) -> list[str]:
    """The names in ``package.__all__``, in order; a missing ``__all__``, or a name in it that
    cannot be imported, is an error that names the package and the name."""
    module = importlib.import_module(package)
    names = getattr(module, "__all__", None)
    if names is None:
        raise RuntimeError(f"{package} has no __all__: the API reference is built from it")
    for name in names:
        try:
            getattr(module, name)
        except Exception as exc:  # lazy (PEP 562) names import here
            raise RuntimeError(f"{package}.__all__ lists {name!r}, which cannot be imported: "
                               f"{type(exc).__name__}: {exc}") from exc
    return list(names)


def reexported(package: str, name: str, top_level: set[str]) -> bool:
    """Whether ``emdkit`` re-exports this very object at the top level (documented there once)."""
    if package == "emdkit" or name not in top_level:
        return False
    top = importlib.import_module("emdkit")
    return getattr(top, name) is getattr(importlib.import_module(package), name)


def autosummary(names: list[str], toctree: bool) -> list[str]:
    lines = [".. autosummary::"] + (["   :toctree: ."] if toctree else []) + ["   :nosignatures:", ""]
    return lines + [f"   {name}" for name in names] + [""]


def package_page(package: str, top_level: set[str]) -> str:
    names = public_names(package)
    title = f"``{package}``"
    lines = [title, "=" * len(title), "", f".. automodule:: {package}", "   :no-members:", "",
             f".. currentmodule:: {package}", ""]
    own = [n for n in names if n not in DATA_NAMES and not reexported(package, n, top_level)]
    shared = [n for n in names if n not in DATA_NAMES and reexported(package, n, top_level)]
    if own:
        lines += autosummary(own, toctree=True)
    if shared:
        lines += [f"Also in ``{package}.__all__``, documented at the top level as ``emdkit.<name>``:",
                  "", ".. currentmodule:: emdkit", ""] + autosummary(shared, toctree=False)
    for name in (n for n in names if n in DATA_NAMES):
        lines += [f".. autodata:: {package}.{name}", "   :annotation:", ""]
    return "\n".join(lines)


def packages() -> list[str]:
    """emdkit and each of its subpackages but the CLI, found on disk (nothing listed by hand)."""
    top = importlib.import_module("emdkit")
    subs = sorted(m.name for m in pkgutil.iter_modules(top.__path__)
                  if m.ispkg and m.name not in NOT_LIBRARIES)
    # core first: it is what every other package rests on
    subs.sort(key=lambda name: name != "core")
    return ["emdkit"] + [f"emdkit.{name}" for name in subs]


def write_if_changed(path: Path, text: str) -> None:
    """Unchanged pages keep their mtime, so an incremental build does not re-read them."""
    if not path.exists() or path.read_text() != text:
        path.write_text(text)


def write_pages(app, config) -> None:
    out = Path(app.srcdir) / OUT
    out.mkdir(parents=True, exist_ok=True)
    top_level = set(public_names("emdkit"))
    found = packages()
    for package in found:
        write_if_changed(out / f"{package}.rst", package_page(package, top_level))
    write_if_changed(out / "index.rst", INDEX_INTRO + "".join(f"   {p}\n" for p in found))


def setup(app):
    app.connect("config-inited", write_pages)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
