"""Each committed report is rebuilt byte for byte from its stored raw data (issue 26).

The rebuild runs in a copy of ``reports/<study>`` (raw data and protocol only), with the study's
own command; every file it writes must equal the committed file of the same name.
"""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from emdkit.cli import main
from emdkit.cli._policy import missing_modules

ROOT = Path(__file__).resolve().parents[2]
STUDIES = {  # study -> (extras it needs, the rebuild command with {out})
    "ordinal": (("torch", "ordinal"), ["ordinal", "report", "--out", "{out}"]),
    "images": (("images",), ["images", "report", "--out", "{out}"]),
    "sgm": (("sgm",), ["sgm", "report", "--out", "{out}"]),
}


@pytest.mark.parametrize("study", sorted(STUDIES))
def test_report_rebuilds_byte_for_byte_from_raw_data(study, tmp_path):
    extras, command = STUDIES[study]
    committed = ROOT / "reports" / study
    if not (committed / "raw").is_dir():
        pytest.skip(f"reports/{study}/raw is not committed yet")
    missing = [m for extra in extras for m in missing_modules(extra)]
    if missing:
        pytest.skip(f"needs {missing}")
    out = tmp_path / study
    shutil.copytree(committed / "raw", out / "raw")
    shutil.copy(committed / "PROTOCOL.md", out / "PROTOCOL.md")
    assert main([part.format(out=out) for part in command]) == 0
    written = sorted(p.relative_to(out) for p in out.rglob("*") if p.is_file()
                     and p.parts[len(out.parts)] != "raw" and p.name != "PROTOCOL.md")
    assert written, "the rebuild wrote nothing"
    differ = [str(p) for p in written if (out / p).read_bytes() != (committed / p).read_bytes()]
    assert not differ, f"rebuilt files differ from the committed ones: {differ}"
