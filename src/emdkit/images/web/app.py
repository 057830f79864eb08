"""The Starlette application: pages, JSON API, thumbnails. Build it with :func:`create_app`.

Every failure a client can cause is a :class:`ClientError` (4xx, one line); anything else is
logged here with its traceback and reaches the client as ``500`` with one line, so no request
can show a stack trace or stop the server.
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
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.templating import Jinja2Templates

from . import render, service
from .service import MAX_K, MAX_UPLOAD_BYTES, MAX_UPLOAD_PIXELS, ClientError
from .store import THUMB_SIDE, VIEW_SIDE, IndexStore

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
    store = IndexStore(db_path, roots)
    maps = service.MapCache(map_sample)
    if warm_up:
        service.warm_up(store.options)
    uploads: OrderedDict[str, tuple] = OrderedDict()
    uploads_lock = threading.Lock()
    templates = Jinja2Templates(directory=str(HERE / "templates"))
    opts = store.options
    unit = service.units(opts.colour_space)
    wunit = service.weight_units(opts.normalize)

    def page(request, name, status=200, **ctx):
        snap = store.snapshot()
        ctx.update(n_images=len(snap.entries), options=opts, units=unit, weight_unit=wunit,
                   max_k=MAX_K, metrics=service.METRICS, db=store.db_path.name,
                   max_bytes=MAX_UPLOAD_BYTES, max_pixels=MAX_UPLOAD_PIXELS)
        return templates.TemplateResponse(request, name, ctx, status_code=status)

    def card(entry, distance=None):
        return {"id": entry.id, "name": entry.name, "folder": store.folder_of(entry),
                "distance": distance, "w": entry.width, "h": entry.height,
                "palette": render.palette_bar(entry.colours, entry.weights, opts.colour_space)}

    # ---- pages ---------------------------------------------------------------------------
    def browse(request: Request):
        snap = store.snapshot()
        n_pages = max(1, math.ceil(len(snap.entries) / PER_PAGE))
        number = _int_param(request, "page", 1, 1, n_pages)
        chunk = snap.entries[(number - 1) * PER_PAGE: number * PER_PAGE]
        return page(request, "browse.html", cards=[card(e) for e in chunk], page=number,
                    n_pages=n_pages, stale=store.staleness(), roots=store.roots)

    def search_page(request: Request):
        q = request.query_params
        snap = store.snapshot()
        entry = service.parse_id(q.get("id"), snap)
        k, metric = service.parse_k(q.get("k")), service.parse_metric(q.get("metric"))
        exclude = service.parse_flag(q.get("exclude_self"))
        found = service.search(store, (entry.colours, entry.weights), k, metric,
                               entry.path if exclude else None)
        return results_page(request, found, query=card(entry), query_ref=f"a={entry.id}",
                            exclude=exclude)

    def results_page(request, found, query, query_ref, exclude=False):
        u = service.units(opts.colour_space, found.metric)
        return page(request, "results.html", query=query, query_ref=query_ref, found=found,
                    hits=[card(e, d) for e, d in found.hits], search_units=u, exclude=exclude,
                    ms=found.seconds * 1000)

    async def upload_page(request: Request):
        sig, filename, k, metric = await _read_upload(request)
        found = await run_in_threadpool(service.search, store, sig.as_pair(), k, metric)
        token = secrets.token_urlsafe(12)
        with uploads_lock:
            uploads[token] = (sig, filename)
            while len(uploads) > UPLOADS_KEPT:
                uploads.popitem(last=False)
        query = {"id": None, "name": filename, "folder": "upload", "distance": None,
                 "w": sig.size[0], "h": sig.size[1],
                 "palette": render.palette_bar(sig.colours, sig.weights, opts.colour_space)}
        return results_page(request, found, query=query, query_ref=f"upload={token}")

    def pair_page(request: Request):
        q = request.query_params
        snap = store.snapshot()
        metric = service.parse_metric(q.get("metric"))
        b = service.parse_id(q.get("b"), snap, "b")
        if q.get("upload") is not None:
            with uploads_lock:
                held = uploads.get(q.get("upload"))
            if held is None:
                raise ClientError(404, "that upload is no longer held by the server: upload it again")
            sig, filename = held
            a_pair, a_card, a_label = sig.as_pair(), None, filename
        else:
            a = service.parse_id(q.get("a"), snap, "a")
            a_pair, a_card, a_label = (a.colours, a.weights), card(a), a.name
        p = service.pair(a_pair, (b.colours, b.weights), metric)
        svg = render.flow_svg(p, opts.colour_space, wunit, (a_label, b.name))
        return page(request, "pair.html", a=a_card, a_label=a_label, b=card(b), pair=p, svg=svg,
                    pair_units=service.units(opts.colour_space, metric))

    def map_page(request: Request):
        entries, xy, seconds = maps.get(store.snapshot())
        points = [(e.id, store.folder_of(e), e.name) for e in entries]
        svg, legend = render.map_svg(points, xy)
        return page(request, "map.html", svg=svg, legend=legend, n_map=len(entries),
                    seconds=seconds)

    def api_page(request: Request):
        return page(request, "api.html")

    # ---- JSON API ------------------------------------------------------------------------
    def api_search_get(request: Request):
        q = request.query_params
        entry = service.parse_id(q.get("id"), store.snapshot())
        k, metric = service.parse_k(q.get("k")), service.parse_metric(q.get("metric"))
        exclude = service.parse_flag(q.get("exclude_self"))
        found = service.search(store, (entry.colours, entry.weights), k, metric,
                               entry.path if exclude else None)
        return _json(found.as_json(store, {"id": entry.id, "path": entry.path}), found.seconds)

    async def api_search_post(request: Request):
        sig, filename, k, metric = await _read_upload(request)
        found = await run_in_threadpool(service.search, store, sig.as_pair(), k, metric)
        return _json(found.as_json(store, {"upload": filename, "width": sig.size[0],
                                           "height": sig.size[1]}), found.seconds)

    def api_pair(request: Request):
        q, snap = request.query_params, store.snapshot()
        a, b = service.parse_id(q.get("a"), snap, "a"), service.parse_id(q.get("b"), snap, "b")
        metric = service.parse_metric(q.get("metric"))
        p = service.pair((a.colours, a.weights), (b.colours, b.weights), metric)
        return JSONResponse({"a": a.id, "b": b.id, "units": service.units(opts.colour_space, metric),
                             "weight_units": wunit, **p.as_json()})

    def api_info(request: Request):
        snap, stale = store.snapshot(), store.staleness()
        return JSONResponse({"images": len(snap.entries), "options": opts.to_dict(),
                             "units": unit, "changed_since_indexing": stale.changed,
                             "missing": stale.missing,
                             "unindexed_under_roots": stale.unindexed if store.roots else None,
                             "unreadable": [{"path": path, "reason": reason}
                                            for path, reason in stale.unreadable],
                             "max_upload_bytes": MAX_UPLOAD_BYTES,
                             "max_upload_pixels": MAX_UPLOAD_PIXELS, "max_k": MAX_K})

    # ---- pixels, by index id only ------------------------------------------------------------
    def image(side):
        def endpoint(request: Request):
            entry = service.parse_id(request.path_params["image_id"], store.snapshot())
            try:
                data = store.thumbnail(entry, side)
            except FileNotFoundError as exc:
                raise ClientError(404, f"image {entry.id}: {exc}")
            except ValueError as exc:
                raise ClientError(410, f"image {entry.id}: {exc}")
            return Response(data, media_type="image/jpeg",
                            headers={"Cache-Control": "private, max-age=3600"})
        return endpoint

    async def _read_upload(request: Request):
        q = request.query_params
        length = request.headers.get("content-length")
        if length is None:
            raise ClientError(411, "send the upload with a Content-Length header")
        if not length.isdigit() or int(length) > MAX_UPLOAD_BYTES + MULTIPART_OVERHEAD:
            raise ClientError(413, f"the upload is larger than the limit of {MAX_UPLOAD_BYTES} bytes")
        ctype = request.headers.get("content-type", "")
        filename = "upload"
        if ctype.startswith("multipart/form-data"):
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
        sig = await run_in_threadpool(service.decode_upload, data, store)
        return sig, filename, k, metric

    routes = [
        Route("/", browse), Route("/search", search_page), Route("/search", upload_page,
                                                                   methods=["POST"]),
        Route("/pair", pair_page), Route("/map", map_page), Route("/api", api_page),
        Route("/api/search", api_search_get), Route("/api/search", api_search_post, methods=["POST"]),
        Route("/api/pair", api_pair), Route("/api/info", api_info),
        Route("/thumb/{image_id}", image(THUMB_SIDE)), Route("/image/{image_id}", image(VIEW_SIDE)),
        Mount("/static", StaticFiles(directory=str(HERE / "static")), name="static"),
    ]
    app = Starlette(routes=routes, exception_handlers={
        ClientError: _client_error, HTTPException: _http_error, Exception: _server_error})
    app.state.store = store
    return app


def _int_param(request: Request, name: str, default: int, lo: int, hi: int) -> int:
    raw = request.query_params.get(name)
    if raw is None or raw == "":
        return default
    if not (raw.isascii() and raw.isdigit()) or len(raw) > 9:
        raise ClientError(400, f"{name} must be a whole number, got {raw[:40]!r}")
    if not lo <= int(raw) <= hi:
        raise ClientError(404 if name == "page" else 400, f"{name} must be from {lo} to {hi}, got {raw}")
    return int(raw)


def _json(body: dict, seconds: float) -> JSONResponse:
    return JSONResponse(body, headers={"Server-Timing": f"search;dur={seconds * 1000:.2f}"})


def _one_line(request: Request, status: int, message: str) -> Response:
    message = " ".join(str(message).split())[:300]
    if request.url.path.startswith("/api"):
        return JSONResponse({"error": message, "status": status}, status_code=status)
    return PlainTextResponse(f"{status}: {message}\n", status_code=status)


async def _client_error(request: Request, exc: ClientError) -> Response:
    return _one_line(request, exc.status, str(exc))


async def _http_error(request: Request, exc: HTTPException) -> Response:
    return _one_line(request, exc.status_code, exc.detail)


async def _server_error(request: Request, exc: Exception) -> Response:
    log.error("internal error on %s %s", request.method, request.url.path, exc_info=exc)
    return _one_line(request, 500, f"internal error ({type(exc).__name__}); the server log has the details")
