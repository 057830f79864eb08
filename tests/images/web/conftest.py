import threading
import time

import pytest

pytest.importorskip("starlette", reason="the web page needs the web extra")
pytest.importorskip("uvicorn", reason="the web page needs the web extra")

from emdkit.images import ImageIndex, SignatureOptions  # noqa: E402
from emdkit.images.demo_data import make_bluemarble_tiles, make_skimage_photos  # noqa: E402

# few clusters keep the fixture index quick to build; the server code does not depend on K
# pixel counts: the pair tests need partial matching, which is opt-in since issue 14
FIXTURE_OPTIONS = SignatureOptions(n_colours=8, normalize=False)


@pytest.fixture(scope="session")
def web_data(tmp_path_factory):
    """An index of 5 land-cover classes × 4 Blue Marble tiles (24 px) and the four
    scikit-image photos; ``upload`` is a photo kept out of the index (for upload searches)."""
    root = tmp_path_factory.mktemp("web")
    tiles = root / "tiles"
    make_bluemarble_tiles(tiles, per_class=4, tile=24)
    photos = make_skimage_photos(root / "extra", max_side=96)
    indexed = [p for p in photos if p.stem != "chelsea"]
    upload = next(p for p in photos if p.stem == "chelsea")
    db = root / "images.db"
    with ImageIndex(db, FIXTURE_OPTIONS) as index:
        report = index.update([tiles] + indexed)
        assert not report.failed
    return {"db": db, "tiles": tiles, "upload": upload, "photos": indexed, "root": root}


class LiveServer:
    """uvicorn serving an app on 127.0.0.1 and a free port, in a thread of this process."""

    def __init__(self, app) -> None:
        import uvicorn

        self.server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=0,
                                                    log_level="warning", access_log=False))
        self.thread = threading.Thread(target=self.server.run, daemon=True)
        self.thread.start()
        deadline = time.monotonic() + 30
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("the live server did not start")
            time.sleep(0.05)
        self.port = self.server.servers[0].sockets[0].getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


@pytest.fixture(scope="module")
def live_server(web_data):
    from emdkit.images.web import create_app

    server = LiveServer(create_app(web_data["db"], [web_data["tiles"]]))
    yield server
    server.stop()
