"""Issue 24: a file given where a signature CSV belongs is named in the one-line error."""
from emdkit.cli import main
from emdkit.cli._policy import EXIT_USAGE


def test_an_image_given_as_a_signature_is_named(tmp_path, capsys):
    a = tmp_path / "a.csv"
    a.write_text("x,y,weight\n0,0,1\n")
    png = tmp_path / "img.png"
    png.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(16))
    assert main(["emd", "between", str(a), str(png)]) == EXIT_USAGE
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err
    assert err.startswith(f"emdkit: error: {png} is not a text CSV file (byte 0 cannot be read "
                          "as utf-8)")
    assert main(["emd", "pairwise", str(a), str(png)]) == EXIT_USAGE
    assert f"{png} is not a text CSV file" in capsys.readouterr().err


def test_a_pair_the_solver_cannot_certify_is_named_by_its_files(tmp_path, capsys, monkeypatch):
    """A SolverError is a runtime failure (exit 1) naming the files, not an internal error."""
    import emdkit
    from emdkit.cli._policy import EXIT_FAILURE

    files = []
    for k in range(3):
        path = tmp_path / f"s{k}.csv"
        path.write_text(f"x,weight\n{k},1\n")
        files.append(str(path))

    def fail(sigs, **kw):
        raise emdkit.SolverError("signatures[1] and signatures[2]: the optimum could not be "
                                 "certified")
    monkeypatch.setattr(emdkit, "pairwise_emd", fail)
    assert main(["emd", "pairwise", *files]) == EXIT_FAILURE
    err = capsys.readouterr().err
    assert err == (f"emdkit: error: {files[1]} and {files[2]}: the optimum could not be "
                   "certified\n")
