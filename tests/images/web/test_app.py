"""Every route through Starlette's test client: good requests, bad ids and k, bad uploads,
traversal attempts; each refusal is one 4xx line and the server keeps answering."""
import http.client
import io
import json
import re

import numpy as np
import pytest
from PIL import Image

from emdkit.cli import main
from emdkit.images import ImageIndex
from emdkit.images.web import create_app, service, store as web_store

from .._oracle import emd_linprog


@pytest.fixture(scope="module")
def client(web_data):
    from starlette.testclient import TestClient

    app = create_app(web_data["db"], [web_data["tiles"]])
    with TestClient(app, raise_server_exceptions=False) as c:
        yield c


@pytest.fixture(scope="module")
def ids(client):
    """{file name: index id}, from the JSON API."""
    got = client.get("/api/search", params={"id": _any_id(client), "k": service.MAX_K}).json()
    return {r["path"].rsplit("/", 1)[-1]: r["id"] for r in got["results"]}


def _any_id(client) -> int:
    page = client.get("/").text
    return int(re.search(r'href="/search\?id=(\d+)"', page).group(1))


def assert_one_line_refusal(response, status=None):
    assert 400 <= response.status_code < 500, (response.status_code, response.text)
    if status is not None:
        assert response.status_code == status, response.text
    body = response.text
    assert "Traceback" not in body and 'File "' not in body
    if response.headers["content-type"].startswith("application/json"):
        assert set(response.json()) == {"error", "status"}
        assert "\n" not in response.json()["error"]
    else:  # an HTML page: the one-line message, and the site's navigation to go on from
        assert response.headers["content-type"].startswith("text/html"), response.headers
        message = re.search(r'<p class="message">(.*?)</p>', body, re.S)
        assert message and "\n" not in message.group(1) and len(message.group(1)) < 400, body
        assert f"<h1>{response.status_code}</h1>" in body
        assert '<a href="/">Browse</a>' in body and '<a href="/">Back to browsing' in body


def assert_still_serving(client):
    assert client.get("/api/info").status_code == 200


# ---- good requests --------------------------------------------------------------------------
def test_pages_render(client, ids, web_data):
    a, b = ids["desert_00.png"], ids["ocean_01.png"]
    browse = client.get("/")
    assert browse.status_code == 200
    assert browse.text.count('class="card"') == 23  # 5 × 4 tiles + 3 photos
    assert "23</b> indexed images" in browse.text and "Staleness: 0 file(s) changed" in browse.text
    assert browse.text.count('<svg class="palette"') == 23
    res = client.get("/search", params={"id": a, "k": 5})
    assert res.status_code == 200 and res.text.count('<tr class="hit">') == 5
    assert "exact EMDs computed" in res.text and "ΔE*ab" in res.text
    pair = client.get("/pair", params={"a": a, "b": b})
    assert pair.status_code == 200 and 'id="flow"' in pair.text and 'class="flow"' in pair.text
    assert client.get("/api").status_code == 200 and "/api/search?id=ID" in client.get("/api").text
    for url in (f"/thumb/{a}", f"/image/{a}"):
        r = client.get(url)
        assert r.status_code == 200 and r.headers["content-type"] == "image/jpeg"
        assert Image.open(io.BytesIO(r.content)).size == (24, 24)  # never enlarged
    assert client.get("/static/style.css").status_code == 200
    assert client.get("/?page=1").status_code == 200


def test_thumbnails_are_made_once(client, ids, monkeypatch):
    a = ids["ice_02.png"]
    first = client.get(f"/thumb/{a}").content

    def no_decoding(*args):
        raise AssertionError("a cached thumbnail was decoded again")

    monkeypatch.setattr(web_store, "_make_thumbnail", no_decoding)
    assert client.get(f"/thumb/{a}").content == first


def test_map_links_every_point_to_its_search(client):
    r = client.get("/map")
    assert r.status_code == 200
    links = re.findall(r'<a href="/search\?id=(\d+)"><circle', r.text)
    assert len(links) == 23 and len(set(links)) == 23
    assert "tiles/desert" in r.text and "extra/photos" not in r.text  # folders under --roots named


def test_search_by_id_reuses_the_stored_signature(client, ids, monkeypatch):
    monkeypatch.setattr(service, "decode_rgb", lambda *a, **k: pytest.fail("decoded an image"))
    monkeypatch.setattr(service, "signature_from_rgb", lambda *a, **k: pytest.fail("signed"))
    got = client.get("/api/search", params={"id": ids["forest_00.png"], "k": 3}).json()
    assert got["results"][0]["path"].endswith("forest_00.png") and got["results"][0]["emd"] == 0


# ---- the ranking of `emdkit images search` ------------------------------------------------
@pytest.mark.parametrize("name, k", [("desert_01.png", 5), ("astronaut.jpg", 23), ("ice_03.png", 1)])
def test_api_ranking_equals_the_cli(client, ids, web_data, capsys, name, k):
    path = next(p for p in [*web_data["tiles"].rglob("*.png"), *web_data["photos"]] if p.name == name)
    assert main(["images", "search", str(path), "--db", str(web_data["db"]), "-k", str(k),
                 "--json"]) == 0
    cli = json.loads(capsys.readouterr().out)
    by_id = client.get("/api/search", params={"id": ids[name], "k": k}).json()
    upload = client.post("/api/search", params={"k": k},
                         files={"image": (name, path.read_bytes())}).json()
    for api in (by_id, upload):
        assert [r["path"] for r in api["results"]] == [r["path"] for r in cli["results"]]
        assert [r["emd"] for r in api["results"]] == pytest.approx(
            [r["emd"] for r in cli["results"]], rel=1e-12, abs=1e-12)
        assert api["units"] == cli["units"] == "ΔE*ab"
        assert api["candidates"] == cli["candidates"]


def test_exclude_self_and_metric(client, ids):
    a = ids["ocean_02.png"]
    got = client.get("/api/search", params={"id": a, "k": 3, "exclude_self": 1,
                                            "metric": "cityblock"}).json()
    assert all(r["id"] != a for r in got["results"]) and got["metric"] == "cityblock"
    assert got["candidates"] == 22


def test_pair_numbers_match_an_independent_lp(client, ids, web_data):
    a, b = ids["desert_00.png"], ids["astronaut.jpg"]  # 576 px vs 9216 px: partial matching
    p = client.get("/api/pair", params={"a": a, "b": b}).json()
    with ImageIndex(web_data["db"]) as index:
        sigs = {path.rsplit("/", 1)[-1]: s for path, s in index.signatures()}
    sa, sb = sigs["desert_00.png"], sigs["astronaut.jpg"]
    assert p["emd"] == pytest.approx(emd_linprog(sa.colours, sa.weights, sb.colours, sb.weights),
                                     rel=1e-7)
    assert p["partial"] is True and p["total_flow"] == pytest.approx(576)
    assert sum(f["flow"] for f in p["flows"]) == pytest.approx(p["total_flow"])
    assert p["work"] == pytest.approx(p["emd"] * p["total_flow"])
    search = client.get("/api/search", params={"id": a, "k": 23}).json()
    assert p["emd"] == pytest.approx(next(r["emd"] for r in search["results"] if r["id"] == b))
    equal = client.get("/api/pair", params={"a": a, "b": ids["ice_00.png"]}).json()
    assert equal["partial"] is False


def test_flow_drawing_widths_are_proportional_to_flow(client, ids):
    page = client.get("/pair", params={"a": ids["desert_00.png"], "b": ids["forest_01.png"]}).text
    widths = [float(w) for w in re.findall(r'class="flow" d="[^"]+" stroke="url\(#band\d+\)" '
                                            r'stroke-width="([\d.]+)"', page)]
    p = client.get("/api/pair", params={"a": ids["desert_00.png"], "b": ids["forest_01.png"]}).json()
    flows = sorted(f["flow"] for f in p["flows"])
    assert len(widths) == len(flows) > 1
    ratio = np.array(sorted(widths)) / np.array(flows)
    big = np.array(flows) > 0.01 * max(flows)  # tiny flows are drawn at a visible minimum
    assert np.allclose(ratio[big], ratio[big][0], rtol=1e-2)
    assert "yes: the totals differ" not in page and "no: equal totals" in page


def test_upload_page_and_its_pair_links(client, web_data):
    data = web_data["upload"].read_bytes()
    r = client.post("/search", files={"image": ("../../etc/passwd", data)}, data={"k": "4"})
    assert r.status_code == 200 and r.text.count('<tr class="hit">') == 4
    assert "Nearest to passwd" in r.text  # the client's file name is only a label
    link = re.search(r'href="(/pair\?upload=[^"]+)"', r.text).group(1).replace("&amp;", "&")
    pair = client.get(link)
    assert pair.status_code == 200 and 'class="flow"' in pair.text
    raw = client.post("/api/search?k=2", content=data, headers={"content-type": "image/webp"})
    assert raw.status_code == 200 and len(raw.json()["results"]) == 2


# ---- bad requests: one 4xx line each, and the server keeps serving ---------------------------
BAD_IDS = ["abc", "-1", "1.5", "1e3", "99999999", "", " 1", "0x10", "１", "9" * 40,
           "../../etc/passwd", "..%2F..%2Fetc%2Fpasswd", "%2e%2e%2f%2e%2e%2fetc%2fpasswd"]


@pytest.mark.parametrize("bad", BAD_IDS)
@pytest.mark.parametrize("route", ["/search?id={}", "/api/search?id={}", "/pair?a={}&b=1",
                                   "/pair?a=1&b={}", "/api/pair?a={}&b=1"])
def test_bad_ids_are_refused(client, ids, route, bad):
    good = str(ids["ice_00.png"])
    url = route.replace("b=1", f"b={good}").replace("a=1", f"a={good}").format(bad)
    assert_one_line_refusal(client.get(url))
    assert_still_serving(client)


@pytest.mark.parametrize("bad", BAD_IDS)
@pytest.mark.parametrize("route", ["/thumb/{}", "/image/{}"])
def test_bad_image_ids_are_refused(client, route, bad):
    r = client.get(route.format(bad))
    assert_one_line_refusal(r)
    assert b"root:" not in r.content
    assert_still_serving(client)


@pytest.mark.parametrize("k", ["0", "-1", "101", "ten", "1.5", "", "10000000000000000000000"])
def test_bad_k_is_refused(client, ids, k):
    if k == "":  # an empty k means the default
        assert client.get(f"/api/search?id={ids['ice_00.png']}&k=").status_code == 200
        return
    for url in (f"/api/search?id={ids['ice_00.png']}&k={k}", f"/search?id={ids['ice_00.png']}&k={k}"):
        assert_one_line_refusal(client.get(url), 400)
    assert_one_line_refusal(client.post(f"/api/search?k={k}", content=b"x"), None)
    assert_still_serving(client)


def test_bad_metric_and_page(client, ids):
    assert_one_line_refusal(client.get(f"/api/search?id={ids['ice_00.png']}&metric=hamming"), 400)
    assert_one_line_refusal(client.get("/?page=0"))
    assert_one_line_refusal(client.get("/?page=999"), 404)
    assert_one_line_refusal(client.get("/?page=x"), 400)
    assert_one_line_refusal(client.get("/nowhere"), 404)
    assert_one_line_refusal(client.delete("/api/search"), 405)
    assert_one_line_refusal(client.get("/pair?upload=forged&b=1"))
    assert_still_serving(client)


def _png(size, mode="RGB") -> bytes:
    out = io.BytesIO()
    Image.new(mode, size).save(out, "PNG")
    return out.getvalue()


@pytest.mark.parametrize("route", ["/api/search", "/search"])
@pytest.mark.parametrize("case, status", [
    ("text", 415), ("empty", 400), ("truncated", 415), ("bomb", 413), ("too_many_bytes", 413),
    ("no_field", 400)])
def test_bad_uploads_are_refused(client, web_data, route, case, status):
    photo = web_data["upload"].read_bytes()
    files = {"image": ("x.png", {
        "text": b"this is not an image\n" * 10,
        "empty": b"",
        "truncated": _jpeg_truncated(),
        # 4097×4097 bi-level pixels: a 2 kB file that decodes to 16.8 Mpx, over MAX_UPLOAD_PIXELS
        "bomb": _png((4097, 4097), "1"),
        "too_many_bytes": photo + b"\0" * (service.MAX_UPLOAD_BYTES + 1),
        "no_field": photo}[case])}
    if case == "no_field":
        files = {"picture": files["image"]}
    r = client.post(route, files=files)
    assert_one_line_refusal(r, status)
    assert_still_serving(client)


def _jpeg_truncated() -> bytes:
    out = io.BytesIO()
    Image.fromarray(np.random.default_rng(0).integers(0, 255, (64, 64, 3), dtype=np.uint8)).save(
        out, "JPEG")
    return out.getvalue()[:600]


def test_the_limits_are_bytes_and_pixels():
    assert service.MAX_UPLOAD_BYTES == 16 * 2**20 and service.MAX_UPLOAD_PIXELS == 4096 * 4096
    assert len(_png((4097, 4097), "1")) < 10_000  # the bomb really is small on the wire


def test_an_internal_error_is_one_line_500_and_the_server_survives(client, ids, monkeypatch):
    def boom(*args, **kwargs):
        raise RuntimeError("secret internal detail\nwith a second line")

    monkeypatch.setattr(service, "knn_search", boom)
    r = client.get(f"/api/search?id={ids['ice_00.png']}")
    assert r.status_code == 500 and r.json()["error"].startswith("internal error (RuntimeError)")
    assert "secret" not in r.text and "Traceback" not in r.text
    r = client.get(f"/search?id={ids['ice_00.png']}")
    assert r.status_code == 500 and "secret" not in r.text and "Traceback" not in r.text
    assert '<p class="message">internal error (RuntimeError)' in r.text
    monkeypatch.undo()
    assert client.get(f"/api/search?id={ids['ice_00.png']}").status_code == 200


# ---- raw requests on a live server (no client-side URL normalisation) ------------------------
RAW_PATHS = ["/thumb/../../etc/passwd", "/image/..%2F..%2Fetc%2Fpasswd", "/thumb/%2e%2e/%2e%2e/etc/passwd",
             "/static/../../../../etc/passwd", "/static/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
             "/static/..%2f..%2f..%2fetc%2fpasswd", "/static/%252e%252e%252fetc%252fpasswd",
             "/thumb/%00", "/static/..\\..\\etc\\passwd", "/../../../etc/passwd",
             "/static//etc/passwd", "/image/1%2F..%2F..%2Fetc%2Fpasswd"]


@pytest.mark.parametrize("raw", RAW_PATHS)
def test_traversal_attempts_on_the_wire(live_server, raw):
    conn = http.client.HTTPConnection("127.0.0.1", live_server.port, timeout=10)
    conn.putrequest("GET", raw, skip_accept_encoding=True)
    conn.endheaders()
    r = conn.getresponse()
    body = r.read()
    assert 400 <= r.status < 500 and b"root:" not in body and b"Traceback" not in body
    conn.close()
    conn = http.client.HTTPConnection("127.0.0.1", live_server.port, timeout=10)
    conn.request("GET", "/api/info")
    assert conn.getresponse().status == 200


def test_upload_without_content_length_is_refused(live_server):
    conn = http.client.HTTPConnection("127.0.0.1", live_server.port, timeout=10)
    conn.putrequest("POST", "/api/search")
    conn.putheader("Transfer-Encoding", "chunked")
    conn.putheader("Content-Type", "image/png")
    conn.endheaders()
    conn.send(b"5\r\nhello\r\n0\r\n\r\n")
    r = conn.getresponse()
    assert r.status == 411 and b"Content-Length" in r.read()


# ---- live updates and staleness ------------------------------------------------------------
def test_new_rows_appear_while_serving_and_writers_never_block(web_data, tmp_path, monkeypatch):
    from starlette.testclient import TestClient

    import shutil
    db = tmp_path / "live.db"
    folder = tmp_path / "imgs"
    shutil.copytree(web_data["tiles"] / "ice", folder)
    with ImageIndex(db) as index:
        index.update([folder])
    monkeypatch.setattr(web_store, "STALENESS_TTL_S", 0.0)
    with TestClient(create_app(db, [folder], warm_up=False),
                    raise_server_exceptions=False) as c:
        assert c.get("/api/info").json()["images"] == 4
        shutil.copy(web_data["upload"], folder / "cat.webp")
        assert c.get("/api/info").json()["unindexed_under_roots"] == 1
        with ImageIndex(db) as writer:
            writer.conn.execute("BEGIN IMMEDIATE")  # the indexer mid-transaction
            assert c.get("/api/info").json()["images"] == 4  # WAL: readers are not blocked
            writer.conn.execute("ROLLBACK")
            writer.update([folder])
        info = c.get("/api/info").json()
        assert info["images"] == 5 and info["unindexed_under_roots"] == 0
        got = c.post("/api/search?k=1", files={"image": ("c", web_data["upload"].read_bytes())})
        assert got.json()["results"][0]["path"].endswith("cat.webp")
        (folder / "ice_00.png").write_bytes((folder / "ice_01.png").read_bytes())
        page = c.get("/").text
        assert "Staleness: 1 file(s) changed since indexing" in page
    assert db.read_bytes()[18:20] == b"\x02\x02"  # WAL is recorded in the file header


def test_the_server_never_writes_the_database(web_data, tmp_path):
    from starlette.testclient import TestClient

    import shutil
    db = tmp_path / "ro.db"
    shutil.copy(web_data["db"], db)
    before = db.read_bytes()
    with TestClient(create_app(db, warm_up=False)) as c:
        c.get("/")
        c.get("/api/search?id=1")
    assert db.read_bytes() == before


def test_create_app_refuses_missing_or_foreign_databases(tmp_path):
    with pytest.raises(FileNotFoundError, match="no index database"):
        create_app(tmp_path / "none.db")
    (tmp_path / "junk.db").write_bytes(b"not sqlite at all" * 100)
    with pytest.raises(ValueError, match="not an emdkit image index"):
        create_app(tmp_path / "junk.db")



def test_the_map_is_a_bounded_sample(web_data):
    from starlette.testclient import TestClient

    with TestClient(create_app(web_data["db"], map_sample=5, warm_up=False)) as c:
        page = c.get("/map").text
    assert len(re.findall(r"<circle", page)) == 5 and "an even sample of the 23" in page


def test_the_thumbnail_cache_is_bounded_in_bytes(client, ids, monkeypatch):
    store = client.app.state.store
    monkeypatch.setattr(web_store, "THUMB_CACHE_BYTES", 1)  # room for one thumbnail only
    for name in ("ice_00.png", "ice_01.png", "ice_02.png"):
        assert client.get(f"/thumb/{ids[name]}").status_code == 200
    assert store.thumbnails_cached == 1


def test_client_names_are_escaped(client, web_data):
    r = client.post("/search", files={"image": ('<b onmouseover="x">.png', web_data["upload"].read_bytes())})
    assert r.status_code == 200
    assert "<b onmouseover" not in r.text and "Nearest to &lt;b onmouseover=" in r.text


def test_an_empty_index_answers_409(tmp_path):
    from starlette.testclient import TestClient

    with ImageIndex(tmp_path / "empty.db"):
        pass
    with TestClient(create_app(tmp_path / "empty.db", warm_up=False)) as c:
        assert "The index is empty" in c.get("/").text
        with_upload = c.post("/api/search", content=_png((4, 4)), headers={"content-type": "image/png"})
        assert_one_line_refusal(with_upload, 409)


# ---- exact wording, human units, the icon (issue 25) ------------------------------------------
def test_out_of_range_numbers_are_named_exactly(client, ids):
    big = "99999999999999999999999"
    r = client.get(f"/api/search?id={big}")
    assert r.status_code == 404 and r.json()["error"].startswith(f"no image with id {big} in the index")
    r = client.get("/?page=-1")
    assert r.status_code == 404 and "page must be from 1 to 1, got -1" in r.text
    r = client.get("/?page=x")
    assert r.status_code == 400 and "page must be a whole number from 1 to 1, got &#39;x&#39;" in r.text
    r = client.get(f"/api/search?id={ids['ice_00.png']}&k=0")
    assert r.json()["error"] == f"k must be from 1 to {service.MAX_K}, got 0"
    r = client.get(f"/api/search?id={ids['ice_00.png']}&k=5_0")  # int() would read 50
    assert r.json()["error"] == f"k must be a whole number from 1 to {service.MAX_K}, got '5_0'"


def test_limits_are_shown_in_human_units(client):
    for page in ("/", "/api"):
        text = client.get(page).text
        assert "16 MiB" in text and "16.8 megapixels" in text
        assert "16777216" not in text
    r = client.post("/api/search", files={"image": ("big.png", _png((4097, 4097), "1"))})
    assert r.json()["error"] == ("the upload is 4097×4097 pixels (16.8 megapixels); the limit "
                                 "is 16.8 megapixels")


def test_favicon_and_error_pages_keep_the_navigation(client):
    icon = client.get("/favicon.ico")
    assert icon.status_code == 200 and icon.headers["content-type"].startswith("image/svg+xml")
    assert 'rel="icon"' in client.get("/").text
    missing = client.get("/nowhere")
    assert missing.status_code == 404 and missing.headers["content-type"].startswith("text/html")
    assert '<nav><a href="/">Browse</a>' in missing.text


def test_the_page_and_the_cli_print_the_registrys_units(client, ids, web_data, capsys):
    from emdkit.cli import main
    from emdkit.core.costs import GROUND_COSTS
    from emdkit.images.signature import COORDINATE_UNITS
    a, b = ids["desert_00.png"], ids["ocean_01.png"]
    for name, cost in GROUND_COSTS.items():
        expected = cost.units(COORDINATE_UNITS["lab"])  # the fixture index is CIELAB
        assert client.get(f"/api/pair?a={a}&b={b}&metric={name}").json()["units"] == expected
        page = client.get(f"/search?id={a}&k=2&metric={name}").text
        assert f"EMD ({expected})" in page
        assert f'<option value="{name}"' in page and cost.formula in page
        assert main(["images", "search", str(web_data["upload"]), "--db", str(web_data["db"]),
                     "-k", "2", "--metric", name, "--json"]) == 0
        assert json.loads(capsys.readouterr().out)["units"] == expected
