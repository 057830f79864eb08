"""``emdkit images serve``: the web page for an image index (issue 16).

Kept apart from ``emdkit.cli.images`` so the web extra (Starlette, uvicorn, Jinja2) is imported
only when the server starts.
"""
from __future__ import annotations

import argparse
import ipaddress
import socket
import sys
from pathlib import Path

from emdkit._format import human_bytes, megapixels

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8765
# Shown in --help without importing the web package (which would make `emdkit --help` load
# Starlette); tests/cli/test_images_serve_cli.py checks they equal emdkit.images.web.service's.
MAP_SAMPLE = 300
MAX_K = 100
MAX_UPLOAD_BYTES = 16 * 2**20
MAX_UPLOAD_PIXELS = 4096 * 4096


def register_serve(verbs: argparse._SubParsersAction) -> None:
    sv = verbs.add_parser(
        "serve", help="web page: browse the index, search by example, see the flow, map",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description="Serve the index as a web page and a JSON API. Pages: browse (thumbnails "
                    "with palette bars, index size, settings and staleness), search by clicking "
                    "or uploading an image (top k with exact EMDs, the bounds that pruned the "
                    "rest, the time), the optimal flow between two palettes, and an MDS map.",
        epilog=f"""JSON API (documented on the /api page):
  GET  /api/search?id=ID&k=K[&metric=M][&exclude_self=1]   same ranking as `images search`
  POST /api/search?k=K   (multipart field 'image', or the raw file as the body)
  GET  /api/pair?a=ID&b=ID        the flow, EMD, work, total flow, partial or not
  GET  /api/info                  size, settings, staleness, limits

Safety: binds {DEFAULT_HOST} (this machine only) unless --host says otherwise. The database is
opened read-only; `emdkit images index` may update it while this runs (new rows appear on the
next request). Uploads: at most {human_bytes(MAX_UPLOAD_BYTES)} and {megapixels(MAX_UPLOAD_PIXELS)}
(4096×4096), decoded in memory by Pillow, never saved. Images are served by index id only. k is at most {MAX_K}.

Example:
  emdkit images index photos/ --db images.db
  emdkit images serve --db images.db --roots photos/""")
    sv.add_argument("--db", type=Path, default=Path("images.db"),
                    help="the index database, opened read-only (default images.db)")
    sv.add_argument("--host", default=DEFAULT_HOST,
                    help=f"address to listen on (default {DEFAULT_HOST}: this machine only; "
                         f"0.0.0.0 exposes the page to the whole network)")
    sv.add_argument("--port", type=int, default=DEFAULT_PORT,
                    help=f"TCP port (default {DEFAULT_PORT}; 0 picks a free one)")
    sv.add_argument("--roots", nargs="+", type=Path, metavar="DIR", default=None,
                    help="folders the images were indexed from: names each image's folder "
                         "(map colours) and counts image files there not yet indexed "
                         "(staleness); default: folders named by their parent only")
    sv.add_argument("--map-sample", type=int, default=MAP_SAMPLE,
                    help=f"images on the MDS map, an even sample by path (default {MAP_SAMPLE}; "
                         f"its pairwise EMDs grow as the square)")
    sv.add_argument("--access-log", action="store_true",
                    help="print one line per request (default: only warnings and errors)")
    sv.set_defaults(func=cmd_serve)


def cmd_serve(args: argparse.Namespace) -> int:
    from emdkit.core.validation import check_positive_int
    check_positive_int(args.port, "--port", minimum=0)
    if args.port > 65535:
        raise ValueError(f"--port must be at most 65535, got {args.port}")
    check_positive_int(args.map_sample, "--map-sample", minimum=2)
    try:
        import uvicorn

        from emdkit.images.web import create_app
    except ImportError as exc:
        print(f"emdkit: error: the web page needs the web extra ({exc.name} is missing): "
              f"pip install 'emdkit[images,web]'", file=sys.stderr)
        return 2
    app = create_app(args.db, args.roots, map_sample=args.map_sample)
    sock = _listen(args.host, args.port)  # bound here, so the message below is true
    port = sock.getsockname()[1]
    n = len(app.state.store.snapshot().entries)
    print(f"emdkit images serve: {n} images from {args.db} (read-only)")
    print(f"listening on http://{_url_host(args.host)}:{port}/ — " + _reach(args.host))
    sys.stdout.flush()
    config = uvicorn.Config(app, access_log=args.access_log,
                            log_level="info" if args.access_log else "warning")
    try:
        uvicorn.Server(config).run(sockets=[sock])
    finally:
        sock.close()
    return 0


def _listen(host: str, port: int) -> socket.socket:
    """A listening TCP socket on host:port; a one-line ValueError when that is impossible."""
    try:
        family, kind, proto, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
    except socket.gaierror as exc:
        raise ValueError(f"--host {host!r} is not an address this machine can listen on: {exc.strerror}")
    sock = socket.socket(family, kind, proto)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(address)
        sock.listen(128)
    except OSError as exc:
        sock.close()
        raise ValueError(f"cannot listen on {host}:{port}: {exc.strerror}")
    return sock


def _url_host(host: str) -> str:
    return f"[{host}]" if ":" in host else host


def _reach(host: str) -> str:
    try:
        loopback = ipaddress.ip_address(host).is_loopback
    except ValueError:
        loopback = host == "localhost"
    if loopback:
        return f"bound to {host}: reachable from this machine only (use --host to change)"
    return (f"bound to {host}: OTHER MACHINES CAN REACH THIS PAGE; it has no login "
            f"(use --host 127.0.0.1 to keep it local)")
