"""Issue 14's missing basics: LICENSE, CHANGELOG, CITATION.cff and py.typed, consistent with
pyproject.toml and the package."""
import tomllib
from pathlib import Path

import emdkit

ROOT = Path(__file__).resolve().parents[1]


def test_license_is_the_mit_text_that_pyproject_names():
    assert tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["license"] == "MIT"
    assert (ROOT / "LICENSE").read_text().startswith("MIT License")


def test_py_typed_ships_with_the_package():
    # scikit-build-core puts every tracked file under the package directory into the wheel
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert pyproject["tool"]["scikit-build"]["wheel"]["packages"] == ["src/emdkit"]
    assert (Path(emdkit.__file__).parent / "py.typed").exists()


def test_citation_and_changelog_name_this_version():
    citation = (ROOT / "CITATION.cff").read_text()
    assert f"version: {emdkit.__version__}" in citation and "cff-version:" in citation
    assert f"## [{emdkit.__version__}]" in (ROOT / "CHANGELOG.md").read_text()
