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
