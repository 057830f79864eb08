"""The built documentation site, opened in a real browser (headless Debian chromium, Playwright).

Needs ``make docs`` first (docs/_build/html) and /usr/bin/chromium. Without them the test is
skipped with the reason, except where ``EMDKIT_REQUIRE_DOCS=1`` (set by .ci/run after it builds
the site), where a missing site or browser is a failure.
"""
from __future__ import annotations

import functools
import http.server
import os
import shutil
import threading
import urllib.error
import urllib.request
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urldefrag, urljoin, urlparse

import pytest

SITE = Path(__file__).resolve().parents[2] / "docs" / "_build" / "html"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
REQUIRED = os.environ.get("EMDKIT_REQUIRE_DOCS") == "1"
# Pages the issue names: the home page, one API page, one gallery page, one migration guide.
PAGES = {
    "home": "index.html",
    "api": "api/generated/emdkit.emd.html",
    "gallery": "auto_examples/plot_colour_search.html",
    "migration": "migration/opencv.html",
}
# Pages whose figures are the point: each must show at least one loaded image.
MUST_HAVE_IMAGES = {"gallery"}
# Sphinx's search loads its index and renders results asynchronously.
SEARCH_TIMEOUT_MS = 30_000
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def _missing() -> str | None:
    if not (SITE / "index.html").exists():
        return f"the site is not built ({SITE}): run `make docs`"
    if not Path(CHROMIUM).exists():
        return "chromium is not installed: `apt-get install -y chromium` (.ci/run does)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "playwright is not installed: pip install 'emdkit[docs]'"
    return None


@pytest.fixture(scope="module")
def site_url():
    reason = _missing()
    if reason:
        if REQUIRED:
            pytest.fail(reason)
        pytest.skip(reason)
    handler = functools.partial(_QuietHandler, directory=str(SITE))
    server = _QuietServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


class _QuietServer(http.server.ThreadingHTTPServer):
    def handle_error(self, request, client_address) -> None:
        # the browser drops connections it no longer needs (a page left mid-load)
        import sys
        if not isinstance(sys.exc_info()[1], (BrokenPipeError, ConnectionResetError)):
            super().handle_error(request, client_address)


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:  # keep pytest's output readable
        pass


@pytest.fixture(scope="module")
def browser(site_url):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def page(browser):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.js_errors = errors
    yield page
    page.close()


@pytest.mark.parametrize("name", sorted(PAGES))
def test_page_renders_with_images(page, site_url, tmp_path, name):
    response = page.goto(site_url + PAGES[name], wait_until="load")
    assert response is not None and response.status == 200, f"{PAGES[name]}: HTTP {response and response.status}"
    heading = page.locator("article h1").first.inner_text()
    assert heading.strip(), f"{PAGES[name]} has no visible title"
    images = page.evaluate("""() => Array.from(document.images).map(img => ({
        src: img.currentSrc || img.src, loaded: img.complete && img.naturalWidth > 0}))""")
    broken = [img["src"] for img in images if not img["loaded"]]
    assert not broken, f"{PAGES[name]}: images that did not load: {broken}"
    if name in MUST_HAVE_IMAGES:
        assert images, f"{PAGES[name]} shows no figure"
    assert not page.js_errors, f"{PAGES[name]}: JavaScript errors {page.js_errors}"
    page.screenshot(path=str(tmp_path / f"{name}.png"), full_page=False)


def test_search_box_finds_emd(page, site_url, tmp_path):
    page.goto(site_url + "index.html", wait_until="load")
    box = page.locator("form[role=search] input[name=q], input[name=q]").first
    box.fill("emd")
    box.press("Enter")
    page.wait_for_url("**/search.html?q=emd*")
    results = page.locator("#search-results ul.search li")
    results.first.wait_for(timeout=SEARCH_TIMEOUT_MS)
    titles = results.all_inner_texts()
    assert len(titles) >= 3, f"search for 'emd' found only {titles}"
    assert any("emd" in t.lower() for t in titles), titles
    page.screenshot(path=str(tmp_path / "search.png"))


class _Links(HTMLParser):
    """href/src of every tag, and every id (targets for #fragments)."""

    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []
        self.ids: set[str] = set()

    def handle_starttag(self, tag, attrs) -> None:
        attrs = dict(attrs)
        for key in ("href", "src"):
            if attrs.get(key) and not (tag == "link" and "preconnect" in (attrs.get("rel") or "")):
                self.links.append(attrs[key])
        if attrs.get("id"):
            self.ids.add(attrs["id"])
        if tag == "a" and attrs.get("name"):
            self.ids.add(attrs["name"])


def _parse(url: str, cache: dict) -> _Links:
    if url not in cache:
        with urllib.request.urlopen(url, timeout=10) as response:
            parser = _Links()
            if "html" in response.headers.get("Content-Type", ""):
                parser.feed(response.read().decode("utf-8", "replace"))
            cache[url] = parser
    return cache[url]


def test_no_internal_link_is_broken(site_url):
    """Every link and image source on every page, fetched from the server; fragments must exist."""
    pages = [site_url + str(p.relative_to(SITE)) for p in sorted(SITE.rglob("*.html"))]
    cache: dict[str, _Links] = {}
    broken: list[str] = []
    checked = 0
    for source in pages:
        for link in _parse(source, cache).links:
            target = urljoin(source, link)
            if urlparse(target).netloc != urlparse(site_url).netloc:
                continue  # external: not fetched (the build is offline)
            address, fragment = urldefrag(target)
            try:
                parsed = _parse(address, cache)
            except urllib.error.HTTPError as exc:
                broken.append(f"{source} -> {link} (HTTP {exc.code})")
                continue
            checked += 1
            if fragment and address.endswith(".html") and fragment not in parsed.ids:
                broken.append(f"{source} -> {link} (no id {fragment!r})")
    assert checked > 100, f"only {checked} internal links found: is the site complete?"
    assert not broken, f"{len(broken)} broken internal links:\n" + "\n".join(broken[:40])


def test_api_reference_covers_every_public_name(site_url):
    """Each name in each package's ``__all__`` has its page in the built site (or, for a plain
    value such as ``__version__``, its entry on the package page)."""
    import importlib
    import pkgutil

    import emdkit

    packages = ["emdkit"] + [f"emdkit.{m.name}" for m in pkgutil.iter_modules(emdkit.__path__)
                             if m.ispkg and m.name != "cli"]
    api = SITE / "api" / "generated"
    missing = []
    for package in packages:
        module = importlib.import_module(package)
        page = api / f"{package}.html"
        if not page.exists():
            missing.append(f"{package} (no package page)")
            continue
        html = page.read_text()
        for name in module.__all__:
            # its own page (or the top-level page of a re-exported name), or an entry on the
            # package page (plain values such as __version__)
            homes = [api / f"{package}.{name}.html", api / f"emdkit.{name}.html"]
            own_page = any(home.exists() and f'id="{home.stem}"' in home.read_text()
                           for home in homes)
            if not (own_page or f'id="{package}.{name}"' in html):
                missing.append(f"{package}.{name}")
    assert not missing, (f"public names without API documentation: {missing} (a site built "
                         "before these names were added? rebuild with `make docs`)")


# Pages with formulas: the definition (display maths) and an API page (numpydoc's maths).
MATHS_PAGES = ["user_guide/definition.html", "api/generated/emdkit.emd.html"]
# What TeX looks like when nobody typeset it
RAW_TEX = ("\\(", "\\[", "\\frac", "\\sum", "\\mathrm", "\\min_")


@pytest.mark.parametrize("path", MATHS_PAGES)
def test_maths_is_typeset_with_no_outside_network(browser, site_url, tmp_path, path):
    """MathJax comes from the site itself: with every outside address blocked the formulas are
    typeset (MathJax's output elements) and no raw LaTeX is left in the text."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    blocked: list[str] = []

    def route(r):
        if r.request.url.startswith(site_url):
            r.continue_()
        else:
            blocked.append(r.request.url)
            r.abort()

    context.route("**/*", route)
    page = context.new_page()
    page.goto(site_url + path, wait_until="load")
    # a MathJax that could not load (a CDN, blocked here) never defines this: the wait fails
    page.wait_for_function("window.MathJax && MathJax.startup && MathJax.startup.promise",
                           timeout=SEARCH_TIMEOUT_MS)
    page.evaluate("MathJax.startup.promise")
    typeset = page.locator("mjx-container").count()
    text = page.locator("article").inner_text()
    page.screenshot(path=str(tmp_path / "maths.png"))
    context.close()
    assert typeset > 0, f"{path}: MathJax typeset nothing"
    raw = [tex for tex in RAW_TEX if tex in text]
    assert not raw, f"{path}: raw LaTeX left on the page: {raw}"
    assert not blocked, f"{path} asked for outside addresses: {blocked}"
