"""The `emdkit sgm` verbs: help text and a quick E0 writing its table, figure and section."""
import pytest

from emdkit.cli import build_parser, main


def test_sgm_help_lists_the_verbs(capsys):
    with pytest.raises(SystemExit):
        build_parser().parse_args(["sgm", "--help"])
    text = capsys.readouterr().out
    for verb in ("e0", "e1", "e2", "e3", "e4", "all"):
        assert verb in text


def test_quick_e0_writes_its_files(tmp_path):
    pytest.importorskip("matplotlib")
    assert main(["sgm", "e0", "--quick", "--out", str(tmp_path)]) == 0
    for name in ("e0.csv", "e0.md", "e0_gaussian_oracle.png", "e0_sample_floor.png"):
        assert (tmp_path / name).stat().st_size > 0
    assert "Bures" in (tmp_path / "e0.md").read_text()
