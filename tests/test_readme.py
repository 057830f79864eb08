"""The README's Python snippets run as written (issue 14), each in a fresh namespace."""
import re
from pathlib import Path

import pytest

from emdkit.cli._policy import MODULE_EXTRA

README = Path(__file__).resolve().parents[1] / "README.md"
SNIPPETS = re.findall(r"^```python\n(.*?)^```", README.read_text(), flags=re.S | re.M)


def test_the_readme_has_python_snippets():
    assert len(SNIPPETS) >= 2


@pytest.mark.parametrize("index", range(len(SNIPPETS)))
def test_readme_snippet_runs(index, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # a snippet that writes files writes them here
    code = compile(SNIPPETS[index], f"README.md python snippet {index + 1}", "exec")
    try:
        exec(code, {"__name__": "readme"})
    except ModuleNotFoundError as exc:
        if exc.name and exc.name.split(".")[0] in MODULE_EXTRA:
            pytest.skip(f"needs the optional extra that installs {exc.name}")
        raise
