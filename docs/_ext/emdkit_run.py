"""``.. emdkit-run::``: run a block of Python at build time and show the code and its output.

The migration guides quote numbers from other libraries (OpenCV, pyemd, POT, SciPy,
``wasserstein``); these blocks compute them on every build, so a guide cannot drift from what
the libraries answer. Blocks in one page share one namespace, top to bottom, which starts with
``DOCS_DIR`` (the docs folder, a ``Path``). An exception fails
the build. With ``:output: rst`` the printed text is parsed as reStructuredText (for tables of
computed numbers); ``:hide-code:`` shows only the output.
"""
from __future__ import annotations

import contextlib
import io
import traceback
from pathlib import Path

from docutils import nodes
from docutils.parsers.rst import directives
from docutils.statemachine import StringList
from sphinx.util.docutils import SphinxDirective
from sphinx.util.nodes import nested_parse_with_titles

NAMESPACE_KEY = "emdkit_run_namespace"


class EmdkitRun(SphinxDirective):
    has_content = True
    option_spec = {"output": lambda arg: directives.choice(arg, ("text", "rst")),
                   "hide-code": directives.flag}

    def run(self) -> list[nodes.Node]:
        code = "\n".join(self.content)
        namespace = self.env.temp_data.setdefault(
            NAMESPACE_KEY, {"__name__": "__emdkit_run__", "DOCS_DIR": Path(self.env.srcdir)})
        self.env.emdkit_run_docs.add(self.env.docname)
        printed = io.StringIO()
        try:
            with contextlib.redirect_stdout(printed):
                exec(compile(code, f"<{self.env.docname}, line {self.lineno}>", "exec"), namespace)
        except Exception:  # the build must stop on it, with the code's own traceback
            raise self.error(f"emdkit-run block failed:\n{traceback.format_exc()}")
        result: list[nodes.Node] = []
        if "hide-code" not in self.options:
            block = nodes.literal_block(code, code, language="python")
            result.append(block)
        text = printed.getvalue().rstrip("\n")
        if text and self.options.get("output") == "rst":
            container = nodes.container(classes=["emdkit-run-output"])
            nested_parse_with_titles(self.state, StringList(text.splitlines(), self.get_source_info()[0]),
                                     container)
            result.append(container)
        elif text:
            result.append(nodes.literal_block(text, text, language="none",
                                              classes=["emdkit-run-output"]))
        return result


def init_env(app, env, docnames) -> None:
    if not hasattr(env, "emdkit_run_docs"):
        env.emdkit_run_docs = set()


def always_rerun(app, env, added, changed, removed) -> list[str]:
    """Pages with computed numbers are re-read at every build, so the numbers are always fresh."""
    return sorted(getattr(env, "emdkit_run_docs", set()) - set(changed) - set(removed))


def purge(app, env, docname) -> None:
    getattr(env, "emdkit_run_docs", set()).discard(docname)


def merge(app, env, docnames, other) -> None:
    env.emdkit_run_docs |= getattr(other, "emdkit_run_docs", set())


def setup(app):
    app.add_directive("emdkit-run", EmdkitRun)
    app.connect("env-before-read-docs", init_env)
    app.connect("env-get-outdated", always_rerun)
    app.connect("env-purge-doc", purge)
    app.connect("env-merge-info", merge)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
