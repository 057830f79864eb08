"""A web page for the image index: browse, search by example, the flow of a pair, the map.

    emdkit images serve --db images.db            # http://127.0.0.1:8765/

or in Python ``uvicorn.run(create_app("images.db"))``. Needs the ``web`` extra (Starlette,
uvicorn, Jinja2, python-multipart) on top of ``images``.
"""
from .app import create_app
from .service import MAX_UPLOAD_BYTES, MAX_UPLOAD_PIXELS

__all__ = ["MAX_UPLOAD_BYTES", "MAX_UPLOAD_PIXELS", "create_app"]
