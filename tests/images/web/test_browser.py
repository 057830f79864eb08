"""The web page in a real browser: Debian's headless Chromium driven by Playwright.

Browse, click an image and read k results with their EMDs, open a pair view and find the flow
drawing, upload a photo and get results; screenshots of each step go to the test's tmp folder,
and also to ``$EMDKIT_SCREENSHOT_DIR`` when set (how docs/images/web_*.png were made).
Skipped, with the reason, when Chromium or Playwright is missing; ``.ci/run`` installs both.
"""
import os
import shutil
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("EMDKIT_CHROMIUM", "/usr/bin/chromium")
# the flags the project runs headless Chromium with in containers (no sandbox: CI runs as root)
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
K = 6
TIMEOUT_MS = 60_000  # the first search may pay the solver's compilation on a busy CI machine

pytestmark = [
    pytest.mark.skipif(not Path(CHROMIUM).is_file(),
                       reason=f"no Chromium at {CHROMIUM} (apt-get install chromium; .ci/run does)"),
]


@pytest.fixture(scope="module")
def browser():
    sync_api = pytest.importorskip("playwright.sync_api",
                                   reason="the browser test needs Playwright (pip install playwright)")
    with sync_api.sync_playwright() as pw:  # launch() gives the browser a fresh empty profile
        b = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield b
        b.close()


def _shoot(page, name: str, tmp_path: Path) -> Path:
    shot = tmp_path / f"{name}.png"
    page.screenshot(path=str(shot), full_page=True)
    out = os.environ.get("EMDKIT_SCREENSHOT_DIR")
    if out:
        Path(out).mkdir(parents=True, exist_ok=True)
        shutil.copy(shot, Path(out) / shot.name)
    assert shot.stat().st_size > 5_000  # a real rendering, not an empty page
    return shot


def test_browse_search_pair_and_upload_in_chromium(browser, live_server, web_data, tmp_path):
    page = browser.new_page(viewport={"width": 1100, "height": 900})
    page.set_default_timeout(TIMEOUT_MS)

    # browse: thumbnails with palette bars, the index's size and staleness
    page.goto(live_server.url + "/")
    cards = page.locator("#browse .card")
    assert cards.count() == 23
    assert page.locator("#browse .card svg.palette rect").count() >= 23
    assert "23 indexed images" in page.locator("section.status").inner_text()
    # thumbnails load lazily and are made on first request, which can outlast the load event on
    # a busy machine: scroll them all into range, wait (up to the timeout) for every one to
    # arrive, then check that each one decoded
    page.evaluate("window.scrollTo(0, document.body.scrollHeight)")
    page.wait_for_function("Array.from(document.images).every(i => i.complete)")
    page.evaluate("window.scrollTo(0, 0)")
    assert page.evaluate("Array.from(document.images).every(i => i.naturalWidth > 0)")
    _shoot(page, "web_browse", tmp_path)

    # click an image: its top k, each with an EMD
    page.locator('#browse .card a.thumb[href]').nth(4).click()
    page.wait_for_selector("table#results")
    page.locator("input[name=k]").first.fill(str(K))
    page.locator("form.opts button[type=submit]").click()
    page.wait_for_url("**k=6**")
    rows = page.locator("table#results tr.hit")
    assert rows.count() == K
    emds = [float(t) for t in page.locator("td.emd").all_inner_texts()]
    assert len(emds) == K and emds == sorted(emds) and emds[0] == 0.0  # itself first
    assert int(page.locator("#n-exact").inner_text()) >= K
    assert "exact EMDs computed" in page.locator("#summary").inner_text()
    _shoot(page, "web_search", tmp_path)

    # the pair view of the query and its farthest shown result: the flow drawing
    rows.nth(K - 1).locator("a.pair").click()
    page.wait_for_selector("svg#flow")
    bands = page.locator("svg#flow path.flow")
    assert bands.count() >= 1
    assert page.locator("svg#flow").bounding_box()["width"] > 300  # drawn, not collapsed
    emd_text = page.locator("#emd").inner_text()
    assert float(emd_text.split()[0]) == pytest.approx(emds[-1], abs=1e-3) and "ΔE*ab" in emd_text
    _shoot(page, "web_pair", tmp_path)

    # upload a bundled photo (scikit-image's cat, not in the index) and get results
    page.goto(live_server.url + "/")
    page.set_input_files("form.upload input[name=image]", str(web_data["upload"]))
    page.locator("form.upload input[name=k]").fill(str(K))
    page.locator("form.upload button[type=submit]").click()
    page.wait_for_selector("table#results")
    assert page.locator("table#results tr.hit").count() == K
    assert "chelsea.webp" in page.locator("h1").inner_text()
    assert all(float(t) > 0 for t in page.locator("td.emd").all_inner_texts())
    _shoot(page, "web_upload", tmp_path)
    page.close()


def _offline_context(browser, origin: str, width: int):
    """A browser context that may reach ``origin`` only: every other request is aborted and
    listed in ``context.blocked``, so a page that needs the network shows it."""
    context = browser.new_context(viewport={"width": width, "height": 844})
    context.blocked = []

    def route(r):
        if r.request.url.startswith(origin):
            r.continue_()
        else:
            context.blocked.append(r.request.url)
            r.abort()

    context.route("**/*", route)
    return context


NARROW_PX = 390  # an iPhone 12-15 in portrait


def test_every_page_fits_a_phone_offline_and_errors_are_pages(browser, live_server, tmp_path):
    context = _offline_context(browser, live_server.url, NARROW_PX)
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    page.goto(live_server.url + "/")
    ids = [int(a.get_attribute("data-id")) for a in page.locator("#browse a.thumb").all()[:2]]
    paths = ["/", f"/search?id={ids[0]}&k=10", f"/pair?a={ids[0]}&b={ids[1]}", "/map", "/api",
             "/nowhere", "/?page=-1", "/search?id=99999999999999999999999"]
    for path in paths:
        response = page.goto(live_server.url + path)
        page.wait_for_load_state("load")
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= NARROW_PX, f"{path} is {width} px wide at {NARROW_PX} px: it scrolls sideways"
        if response.status >= 400:  # an HTML page with the message and the way back
            assert response.headers["content-type"].startswith("text/html"), path
            assert page.locator("#error .message").inner_text().strip(), path
            page.locator("header nav a", has_text="Browse").wait_for()
            assert page.locator("#error a[href='/']").count() == 1, path
        _shoot(page, "narrow_" + "".join(c if c.isalnum() else "_" for c in path)[:40], tmp_path)
    icon = context.request.get(live_server.url + "/favicon.ico")  # what a browser asks first
    assert icon.status == 200 and icon.headers["content-type"].startswith("image/svg+xml")
    assert not context.blocked, f"the pages asked for outside addresses: {context.blocked}"
    context.close()
