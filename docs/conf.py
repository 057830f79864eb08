"""Sphinx configuration for the emdkit site (`make docs`; warnings are errors there).

Generated at build time, never by hand: the API pages (from each subpackage's ``__all__``,
``_ext/apigen.py``), the gallery (``examples/``, executed), the migration guides' numbers
(``.. emdkit-run::`` blocks, executed) and the benchmark and report pages (copied from
``bench/`` and ``reports/`` by ``_ext/pages.py``).
"""
import importlib.util
import os
import sys
from pathlib import Path

DOCS = Path(__file__).resolve().parent
ROOT = DOCS.parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(DOCS / "_ext"))

# Figures are written, never shown; a build never needs a display.
os.environ.setdefault("MPLBACKEND", "Agg")

import emdkit  # noqa: E402  (after the path is set)

project = "emdkit"
author = "the emdkit developers"
copyright = "2026, the emdkit developers"
release = emdkit.__version__
version = release

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.mathjax",
    "sphinx.ext.intersphinx",
    "numpydoc",
    "sphinx_gallery.gen_gallery",
    "myst_parser",
    "apigen",
    "pages",
    "emdkit_run",
    "matplotlib.sphinxext.plot_directive",
]

# MathJax is served from the site itself, never from a CDN: the build and the site are offline.
# sphinx-mathjax-offline (the docs extra) ships MathJax 3.2.2; its static/ folder is copied into
# _static/, so mathjax/tex-chtml.js and its fonts sit beside the pages.
_MATHJAX = importlib.util.find_spec("sphinx-mathjax-offline")
if _MATHJAX is None:
    raise RuntimeError('the docs need sphinx-mathjax-offline: pip install ".[docs]"')
html_static_path = [str(Path(_MATHJAX.origin).parent / "static")]
mathjax_path = "mathjax/tex-chtml.js"

source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
exclude_patterns = ["_build", "screenshots", "examples"]
templates_path = ["_templates"]

# The site is built offline: no inventories are fetched, so cross-project links stay plain.
intersphinx_mapping = {}

html_theme = "furo"
html_title = f"emdkit {release}"

autosummary_generate = True
autosummary_imported_members = True
autodoc_typehints = "none"          # numpydoc's Parameters section carries the types
autodoc_member_order = "bysource"
numpydoc_show_class_members = False  # members are listed by the class template instead
numpydoc_class_members_toctree = False
numpydoc_xref_param_type = False

myst_enable_extensions = ["dollarmath"]
myst_heading_anchors = 3

sphinx_gallery_conf = {
    "examples_dirs": ["examples"],
    "gallery_dirs": ["auto_examples"],
    "filename_pattern": r"/plot_",      # every plot_*.py runs at build time
    "download_all_examples": False,
    "remove_config_comments": True,
    "within_subsection_order": "FileNameSortKey",
    "abort_on_example_error": True,
    "only_warn_on_example_error": False,
    "show_memory": False,
    "plot_gallery": "True",
}

# plot:: directives (the user guide's pictures) run at build time, like the gallery.
plot_include_source = True
plot_html_show_source_link = False
plot_html_show_formats = False
plot_formats = [("png", 110)]
