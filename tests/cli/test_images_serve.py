"""`emdkit images serve`: its --help, its start-up message and its refusals (no server runs:
uvicorn.run is replaced by a recorder)."""
import pytest

from emdkit.cli import build_parser, main
from emdkit.cli import images_serve

pytest.importorskip("starlette", reason="the web page needs the web extra")


def _serve_parser():
    parser = build_parser()
    images = next(a for a in parser._subparsers._group_actions[0].choices.values()
                  if a.prog.endswith("images"))
    return images._subparsers._group_actions[0].choices["serve"]


def test_help_documents_every_option(capsys):
    sv = _serve_parser()
    with pytest.raises(SystemExit):
        main(["images", "serve", "--help"])
    text = capsys.readouterr().out
    for action in sv._actions:
        for flag in action.option_strings:
            assert flag in text
        assert action.help and len(action.help) > 10
    for route in ("GET  /api/search?id=ID", "POST /api/search", "/api/pair", "/api/info"):
        assert route in text
    assert "binds 127.0.0.1" in text and "read-only" in text


def test_help_numbers_are_the_servers():
    from emdkit.images.web import service
    assert images_serve.MAX_UPLOAD_BYTES == service.MAX_UPLOAD_BYTES
    assert images_serve.MAX_UPLOAD_PIXELS == service.MAX_UPLOAD_PIXELS
    assert images_serve.MAX_K == service.MAX_K
    assert images_serve.MAP_SAMPLE == service.MAP_SAMPLE


@pytest.fixture
def recorded_run(monkeypatch):
    """Replaces the serving loop: records the app and the socket it would serve on."""
    import uvicorn
    calls = []

    def run(server, sockets):
        calls.append((server.config.app, sockets[0].getsockname()))
    monkeypatch.setattr(uvicorn.Server, "run", run)
    return calls


@pytest.fixture
def db(tmp_path):
    from emdkit.images.demo_data import make_bluemarble_tiles
    make_bluemarble_tiles(tmp_path / "tiles", per_class=4, tile=8, classes=["ice"])
    path = tmp_path / "serve.db"
    assert main(["images", "index", str(tmp_path / "tiles"), "--db", str(path), "--no-progress",
                 "-K", "4"]) == 0
    return path


def test_binds_loopback_by_default_and_says_so(db, recorded_run, capsys):
    assert main(["images", "serve", "--db", str(db), "--port", "0"]) == 0
    app, (host, port) = recorded_run[0]
    assert host == "127.0.0.1" and port > 0
    out = capsys.readouterr().out
    assert "4 images from" in out and "(read-only)" in out
    assert f"listening on http://127.0.0.1:{port}/" in out
    assert "bound to 127.0.0.1: reachable from this machine only" in out


def test_other_hosts_get_a_warning(db, recorded_run, capsys):
    assert main(["images", "serve", "--db", str(db), "--host", "0.0.0.0", "--port", "0"]) == 0
    assert recorded_run[0][1][0] == "0.0.0.0"
    assert "OTHER MACHINES CAN REACH THIS PAGE" in capsys.readouterr().out


@pytest.mark.parametrize("argv, words", [
    (["--db", "{tmp}/none.db"], "no index database"),
    (["--db", "{db}", "--port", "70000"], "--port must be at most 65535"),
    (["--db", "{db}", "--port", "-1"], "--port must be >= 0"),
    (["--db", "{db}", "--map-sample", "1"], "--map-sample must be >= 2"),
    (["--db", "{db}", "--roots", "{tmp}/nowhere"], "--roots: no such folder"),
    (["--db", "{junk}"], "not an emdkit image index"),
    (["--db", "{db}", "--port", "{busy}"], "cannot listen on 127.0.0.1:"),
    (["--db", "{db}", "--host", "no.such.host.invalid"], "is not an address"),
])
def test_bad_arguments_are_one_line(argv, words, db, tmp_path, recorded_run, capsys):
    import socket
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"junk" * 500)
    busy = socket.socket()
    busy.bind(("127.0.0.1", 0))
    busy.listen()
    argv = [a.format(tmp=tmp_path, db=db, junk=junk, busy=busy.getsockname()[1]) for a in argv]
    assert main(["images", "serve", *argv]) == 2
    err = capsys.readouterr().err
    busy.close()
    assert err.startswith("emdkit: error:") and words in err and err.count("\n") == 1
    assert not recorded_run
