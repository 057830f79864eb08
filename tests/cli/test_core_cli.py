import json

import numpy as np
import pytest

import emdkit
from emdkit.cli import main


def write_sig(path, X, w, header=True):
    lines = (["x,y,weight"] if header else []) + [f"{a},{b},{c}" for (a, b), c in zip(X, w)]
    path.write_text("\n".join(lines) + "\n")


def test_between_prints_json_equal_to_the_library(tmp_path, capsys):
    rng = np.random.default_rng(0)
    X, Y = rng.random((5, 2)), rng.random((7, 2))
    wx, wy = rng.random(5), rng.random(7)
    write_sig(tmp_path / "a.csv", X, wx)
    write_sig(tmp_path / "b.csv", Y, wy, header=False)
    assert main(["emd", "between", str(tmp_path / "a.csv"), str(tmp_path / "b.csv"), "--json",
                 "--flow", str(tmp_path / "flow.csv")]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["distance"] == pytest.approx(emdkit.signature_emd(X, wx, Y, wy).distance, rel=1e-12)
    assert (tmp_path / "flow.csv").read_text().startswith("i,j,flow")


def test_pairwise_csv_matches_an_independent_lp_oracle(tmp_path):
    from ..core.oracle import lp_emd_work
    from scipy.spatial.distance import cdist
    rng = np.random.default_rng(1)
    sigs, files = [], []
    for k in range(4):
        X, w = rng.random((4 + k, 2)), rng.random(4 + k) + 0.1  # unequal totals: partial matching
        write_sig(tmp_path / f"s{k}.csv", X, w)
        sigs.append((X, w))
        files.append(str(tmp_path / f"s{k}.csv"))
    assert main(["emd", "pairwise", *files, "--csv", str(tmp_path / "D.csv")]) == 0
    rows = (tmp_path / "D.csv").read_text().splitlines()
    assert rows[0].split(",")[1:] == [f"s{k}" for k in range(4)]
    D = np.array([[float(x) for x in r.split(",")[1:]] for r in rows[1:]])
    expected = np.array([[lp_emd_work(wa, wb, cdist(A, B)) / min(wa.sum(), wb.sum())
                          for B, wb in sigs] for A, wa in sigs])
    assert expected[0, 1] > 0.05  # a matrix of zeros could not pass
    np.testing.assert_allclose(D, expected, rtol=1e-8, atol=1e-9)


def test_errors_are_one_clear_line(tmp_path, capsys):
    (tmp_path / "bad.csv").write_text("x,w\n1,2\nfoo,3\n")
    assert main(["emd", "between", str(tmp_path / "bad.csv"), str(tmp_path / "bad.csv")]) == 2
    assert "line 3 is not numeric" in capsys.readouterr().err
    assert main(["emd", "between", str(tmp_path / "nope.csv"), str(tmp_path / "bad.csv")]) == 2
    assert "signature file not found" in capsys.readouterr().err
    (tmp_path / "neg.csv").write_text("1,-2\n")
    assert main(["emd", "between", str(tmp_path / "neg.csv"), str(tmp_path / "neg.csv")]) == 2
    assert "neg.csv: line 1: the weight (last column) is negative" in capsys.readouterr().err


def test_help_lists_every_area(capsys):
    with pytest.raises(SystemExit):
        main(["--help"])
    text = capsys.readouterr().out
    for area in ("demo", "emd", "images", "ordinal", "sgm"):
        assert area in text
