"""Report helpers: identities and tests listed apart, guide lines fitted to data."""
import numpy as np
import pytest

from emdkit.sgm.report import Section, guide_line, write_readme


def test_readme_lists_identities_apart_from_tests(tmp_path):
    sections = [Section("e9", "E9", "body", 1.5, tests={"a test": True, "another": False},
                        identities={"an identity": True})]
    text = write_readme(tmp_path, sections, quick=False).read_text()
    tests_part = text.split("## Tests")[1].split("## Identities")[0]
    ident_part = text.split("## Identities")[1].split("## Wall time")[0]
    assert "a test" in tests_part and "❌ another" in tests_part and "an identity" not in tests_part
    assert "an identity" in ident_part and "a test" not in ident_part
    assert "1 of 2 pass" in text and "shared" in text and "--out reports/sgm" in text
    assert sections[0].checks == {"a test": True, "another": False, "identity: an identity": True}


class _Axes:
    def plot(self, x, y, *args, **kw):
        self.x, self.y = np.asarray(x), np.asarray(y)


@pytest.mark.parametrize("log_x", [True, False])
def test_guide_line_level_is_fitted_to_the_data(log_x):
    x = np.array([1.0, 2.0, 4.0])
    y = 3.0 * (x ** -1.0 if log_x else np.exp(-x)) * np.array([1.1, 0.9, 1.0])
    ax = _Axes()
    guide_line(ax, x, y, -1.0, "g", log_x=log_x)
    ratio = y / ax.y
    assert np.exp(np.mean(np.log(ratio))) == pytest.approx(1.0)  # geometric mean through the data
    with pytest.raises(ValueError, match="matching"):
        guide_line(ax, x, y[:2], -1.0, "g")
