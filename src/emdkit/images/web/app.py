"""The Starlette application: pages, JSON API, thumbnails. Build it with :func:`create_app`.

One class per part of the site: :class:`Site` holds what every page shares (the store, the
templates, the uploads kept for pair links), :class:`Pages` the HTML pages, :class:`Api` the JSON
answers and :class:`Pixels` the images. Every failure a client can cause is a
:class:`ClientError` (4xx, one line); anything else is logged here with its traceback and
reaches the client as ``500`` with one line, so no request can show a stack trace or stop the
server. Pages answer errors with an HTML page that keeps the site's navigation; ``/api`` answers
with JSON.
"""
from __future__ import annotations

import logging
import math
import secrets
import threading
from collections import OrderedDict
from pathlib import Path

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, PlainTextResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.templating import Jinja2Templates

from emdkit._format import human_bytes, megapixels
from emdkit.core.costs import GROUND_COSTS

from . import render, service
from .service import MAX_K, MAX_UPLOAD_BYTES, MAX_UPLOAD_PIXELS, ClientError
from .store import THUMB_SIDE, VIEW_SIDE, IndexStore
from ..signature import distance_units

HERE = Path(__file__).parent
PER_PAGE = 48
# room for the multipart boundaries and headers around one file
MULTIPART_OVERHEAD = 64 * 2**10
# uploaded signatures kept for the pair view links of their results page (memory only)
UPLOADS_KEPT = 64
log = logging.getLogger("emdkit.images.web")


def create_app(db_path, roots=None, map_sample: int = service.MAP_SAMPLE,
               warm_up: bool = True) -> Starlette:
    """The web app over the index at ``db_path`` (opened read-only; see :class:`IndexStore`).

    roots : see :class:`IndexStore`.
    map_sample : at most this many images on the MDS map (an even sample by path).
    warm_up : run the search, signature and map code once on tiny inputs now, so their
        compilation and imports (seconds, once per process) are not paid by a visitor.

    Raises
    ------
    FileNotFoundError : no database at ``db_path``, or a folder in ``roots`` is missing.
    ValueError : the file is not an emdkit image index.

    Examples
    --------
    >>> import uvicorn                                            # doctest: +SKIP
    >>> uvicorn.run(create_app("images.db"), host="127.0.0.1", port=8765)  # doctest: +SKIP

    or, without a server, with Starlette's test client:

    >>> from starlette.testclient import TestClient               # doctest: +SKIP
    >>> TestClient(create_app("images.db")).get("/api/search?id=1&k=5").json()["results"]  # doctest: +SKIP
    """
    site = Site(IndexStore(db_path, roots), service.MapCache(map_sample))
    if warm_up:
        service.warm_up(site.options)
    pages, api, pixels = Pages(site), Api(site), Pixels(site)
    routes = [
        Route("/", pages.browse), Route("/search", pages.search),
        Route("/search", pages.upload, methods=["POST"]), Route("/pair", pages.pair),
        Route("/map", pages.map), Route("/api", pages.api),
        Route("/api/search", api.search), Route("/api/search", api.upload, methods=["POST"]),
        Route("/api/pair", api.pair), Route("/api/info", api.info),
        Route("/thumb/{image_id}", pixels.endpoint(THUMB_SIDE)),
        Route("/image/{image_id}", pixels.endpoint(VIEW_SIDE)),
        Route("/favicon.ico", pixels.favicon),
        Mount("/static", StaticFiles(directory=str(HERE / "static")), name="static"),
    ]
    app = Starlette(routes=routes, exception_handlers={
        ClientError: _client_error, HTTPException: _http_error, Exception: _server_error})
    app.state.store = site.store
    app.state.site = site
    return app


class Site:
    """What every page shares: the store, the templates, the units and the held uploads."""

    def __init__(self, store: IndexStore, maps: service.MapCache) -> None:
        self.store, self.maps = store, maps
        self.options = opts = store.options
        self.units = distance_units(opts.colour_space)
        self.weight_unit = service.weight_units(opts.normalize)
        self.templates = Jinja2Templates(directory=str(HERE / "templates"))
        self._uploads: OrderedDict[str, tuple] = OrderedDict()
        self._uploads_lock = threading.Lock()

    def page(self, request: Request, name: str, status: int = 200, **ctx) -> Response:
        snap = self.store.snapshot()
        ctx.update(n_images=len(snap.entries), options=self.options, units=self.units,
                   weight_unit=self.weight_unit, max_k=MAX_K, metrics=GROUND_COSTS.values(),
                   db=self.store.db_path.name, max_bytes=human_bytes(MAX_UPLOAD_BYTES),
                   max_pixels=megapixels(MAX_UPLOAD_PIXELS))
        return self.templates.TemplateResponse(request, name, ctx, status_code=status)

    def card(self, entry, distance=None) -> dict:
        return {"id": entry.id, "name": entry.name, "folder": self.store.folder_of(entry),
                "distance": distance, "w": entry.width, "h": entry.height,
                "palette": render.palette_bar(entry.colours, entry.weights,
                                              self.options.colour_space)}

    def hold_upload(self, sig, filename: str) -> str:
        """Keep an uploaded signature for the pair links of its results; its token."""
        token = secrets.token_urlsafe(12)
        with self._uploads_lock:
            self._uploads[token] = (sig, filename)
            while len(self._uploads) > UPLOADS_KEPT:
                self._uploads.popitem(last=False)
        return token

    def held_upload(self, token: str) -> tuple:
        with self._uploads_lock:
            held = self._uploads.get(token)
        if held is None:
            raise ClientError(404, "that upload is no longer held by the server: upload it again")
        return held

    async def read_upload(self, request: Request):
        """(signature, file name, k, metric) of an uploaded image, under the size limits."""
        q = request.query_params
        length = request.headers.get("content-length")
        if length is None:
            raise ClientError(411, "send the upload with a Content-Length header")
        if not length.isdigit() or int(length) > MAX_UPLOAD_BYTES + MULTIPART_OVERHEAD:
            raise ClientError(413, f"the upload is larger than the limit of "
                                   f"{human_bytes(MAX_UPLOAD_BYTES)}")
        filename = "upload"
        if request.headers.get("content-type", "").startswith("multipart/form-data"):
            form = await request.form(max_files=1, max_fields=8)
            file = form.get("image")
            if file is None or isinstance(file, str):
                raise ClientError(400, "the form has no file field named 'image'")
            data = await file.read(MAX_UPLOAD_BYTES + 1)
            filename = Path(file.filename or "upload").name[:80] or "upload"  # shown, never a path
            k_raw, metric_raw = form.get("k") or q.get("k"), form.get("metric") or q.get("metric")
            await form.close()
        else:  # raw image bytes, e.g. curl --data-binary @photo.jpg
            data = await request.body()
            k_raw, metric_raw = q.get("k"), q.get("metric")
        k, metric = service.parse_k(k_raw), service.parse_metric(metric_raw)
        sig = await run_in_threadpool(service.decode_upload, data, self.store)
        return sig, filename, k, metric


class Pages:
    """The HTML pages: browse, search results, pair view, map, the API's documentation."""

    def __init__(self, site: Site) -> None:
        self.site = site

    def browse(self, request: Request):
        site = self.site
        snap = site.store.snapshot()
        n_pages = max(1, math.ceil(len(snap.entries) / PER_PAGE))
        number = service.parse_int(request.query_params.get("page"), "page", 1, n_pages, 1,
                                   out_of_range=404)
        chunk = snap.entries[(number - 1) * PER_PAGE: number * PER_PAGE]
        return site.page(request, "browse.html", cards=[site.card(e) for e in chunk],
                         page=number, n_pages=n_pages, stale=site.store.staleness(),
                         roots=site.store.roots)

    def search(self, request: Request):
        q = request.query_params
        entry = service.parse_id(q.get("id"), self.site.store.snapshot())
        k, metric = service.parse_k(q.get("k")), service.parse_metric(q.get("metric"))
        exclude = service.parse_flag(q.get("exclude_self"))
        found = service.search(self.site.store, (entry.colours, entry.weights), k, metric,
                               entry.path if exclude else None)
        return self._results(request, found, query=self.site.card(entry),
                             query_ref=f"a={entry.id}", exclude=exclude)

    async def upload(self, request: Request):
        site = self.site
        sig, filename, k, metric = await site.read_upload(request)
        found = await run_in_threadpool(service.search, site.store, sig.as_pair(), k, metric)
        token = site.hold_upload(sig, filename)
        query = {"id": None, "name": filename, "folder": "upload", "distance": None,
                 "w": sig.size[0], "h": sig.size[1],
                 "palette": render.palette_bar(sig.colours, sig.weights,
                                               site.options.colour_space)}
        return self._results(request, found, query=query, query_ref=f"upload={token}")

    def _results(self, request, found, query, query_ref, exclude=False):
        site = self.site
        return site.page(request, "results.html", query=query, query_ref=query_ref,
                         found=found, hits=[site.card(e, d) for e, d in found.hits],
                         search_units=distance_units(site.options.colour_space, found.metric),
                         exclude=exclude, ms=found.seconds * 1000)

    def pair(self, request: Request):
        site, q = self.site, request.query_params
        snap = site.store.snapshot()
        metric = service.parse_metric(q.get("metric"))
        b = service.parse_id(q.get("b"), snap, "b")
        if q.get("upload") is not None:
            sig, filename = site.held_upload(q.get("upload"))
            a_pair, a_card, a_label = sig.as_pair(), None, filename
        else:
            a = service.parse_id(q.get("a"), snap, "a")
            a_pair, a_card, a_label = (a.colours, a.weights), site.card(a), a.name
        p = service.pair(a_pair, (b.colours, b.weights), metric)
        svg = render.flow_svg(p, site.options.colour_space, site.weight_unit, (a_label, b.name))
        return site.page(request, "pair.html", a=a_card, a_label=a_label, b=site.card(b),
                         pair=p, svg=svg,
                         pair_units=distance_units(site.options.colour_space, metric))

    def map(self, request: Request):
        site = self.site
        entries, xy, seconds = site.maps.get(site.store.snapshot())
        points = [(e.id, site.store.folder_of(e), e.name) for e in entries]
        svg, legend = render.map_svg(points, xy)
        return site.page(request, "map.html", svg=svg, legend=legend, n_map=len(entries),
                         seconds=seconds)

    def api(self, request: Request):
        return self.site.page(request, "api.html")


class Api:
    """The JSON answers under ``/api``."""

    def __init__(self, site: Site) -> None:
        self.site = site

    def search(self, request: Request):
        store, q = self.site.store, request.query_params
        entry = service.parse_id(q.get("id"), store.snapshot())
        k, metric = service.parse_k(q.get("k")), service.parse_metric(q.get("metric"))
        exclude = service.parse_flag(q.get("exclude_self"))
        found = service.search(store, (entry.colours, entry.weights), k, metric,
                               entry.path if exclude else None)
        return _json(found.as_json(store, {"id": entry.id, "path": entry.path}), found.seconds)

    async def upload(self, request: Request):
        sig, filename, k, metric = await self.site.read_upload(request)
        found = await run_in_threadpool(service.search, self.site.store, sig.as_pair(), k,
                                        metric)
        return _json(found.as_json(self.site.store, {"upload": filename, "width": sig.size[0],
                                                     "height": sig.size[1]}), found.seconds)

    def pair(self, request: Request):
        site, q = self.site, request.query_params
        snap = site.store.snapshot()
        a, b = service.parse_id(q.get("a"), snap, "a"), service.parse_id(q.get("b"), snap, "b")
        metric = service.parse_metric(q.get("metric"))
        p = service.pair((a.colours, a.weights), (b.colours, b.weights), metric)
        return JSONResponse({"a": a.id, "b": b.id,
                             "units": distance_units(site.options.colour_space, metric),
                             "weight_units": site.weight_unit, **p.as_json()})

    def info(self, request: Request):
        site = self.site
        snap, stale = site.store.snapshot(), site.store.staleness()
        return JSONResponse({"images": len(snap.entries), "options": site.options.to_dict(),
                             "units": site.units, "changed_since_indexing": stale.changed,
                             "missing": stale.missing,
                             "unindexed_under_roots": stale.unindexed if site.store.roots
                             else None,
                             "unreadable": [{"path": path, "reason": reason}
                                            for path, reason in stale.unreadable],
                             "max_upload_bytes": MAX_UPLOAD_BYTES,
                             "max_upload_pixels": MAX_UPLOAD_PIXELS, "max_k": MAX_K})


class Pixels:
    """Thumbnails and views, by index id only, and the site's icon."""

    def __init__(self, site: Site) -> None:
        self.site = site

    def endpoint(self, side: int):
        def image(request: Request):
            store = self.site.store
            entry = service.parse_id(request.path_params["image_id"], store.snapshot())
            try:
                data = store.thumbnail(entry, side)
            except FileNotFoundError as exc:
                raise ClientError(404, f"image {entry.id}: {exc}")
            except ValueError as exc:
                raise ClientError(410, f"image {entry.id}: {exc}")
            return Response(data, media_type="image/jpeg",
                            headers={"Cache-Control": "private, max-age=3600"})
        return image

    def favicon(self, request: Request):
        return FileResponse(HERE / "static" / "favicon.svg", media_type="image/svg+xml",
                            headers={"Cache-Control": "public, max-age=86400"})


def _json(body: dict, seconds: float) -> JSONResponse:
    return JSONResponse(body, headers={"Server-Timing": f"search;dur={seconds * 1000:.2f}"})


def _error(request: Request, status: int, message: str) -> Response:
    """One line: JSON under /api, else an HTML page with the site's navigation."""
    message = " ".join(str(message).split())[:300]
    if request.url.path.startswith("/api/"):
        return JSONResponse({"error": message, "status": status}, status_code=status)
    site = getattr(request.app.state, "site", None)
    if site is not None:
        try:
            return site.page(request, "error.html", status=status, status_code=status,
                             message=message)
        except Exception:  # noqa: BLE001 — the index itself is failing: the one line will do
            log.exception("could not render the error page")
    return PlainTextResponse(f"{status}: {message}\n", status_code=status)


async def _client_error(request: Request, exc: ClientError) -> Response:
    return _error(request, exc.status, str(exc))


async def _http_error(request: Request, exc: HTTPException) -> Response:
    return _error(request, exc.status_code, exc.detail)


async def _server_error(request: Request, exc: Exception) -> Response:
    log.error("internal error on %s %s", request.method, request.url.path, exc_info=exc)
    return _error(request, 500, f"internal error ({type(exc).__name__}); the server log has "
                                "the details")
