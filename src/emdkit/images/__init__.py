"""Colour-signature image similarity and search with the exact EMD (Rubner et al. 2000)::

    sig = image_signature("sea.jpg")                     # CIELAB, ≤24 colours, weights sum to 1
    with ImageIndex("images.db") as index:
        print(index.update(["photos/"]).summary())        # incremental, crash-safe
        result = search_index(index, "sea.jpg", k=10)     # exact top 10, bound-pruned

Needs the ``images`` extra (Pillow, scikit-image, scikit-learn; matplotlib for figures).
"""
from __future__ import annotations

from emdkit._lazy import lazy_exports

# public name -> module that defines it. Names load on first use (PEP 562): `emdkit images
# search` needs the index and the search, not the table's imports (issue 21: a first answer
# within 0.5 s of a fresh process).
_EXPORTS = {
    "SCHEMA_VERSION": "index", "ImageIndex": "index", "IndexReport": "index",
    "UnreadableImageError": "loading", "find_images": "loading", "load_rgb": "loading",
    "Hit": "search", "SearchResult": "search", "centroid_bound": "search",
    "knn_search": "search", "nearest_colour_bound": "search", "search_index": "search",
    "ColourSignature": "signature", "SignatureOptions": "signature",
    "image_signature": "signature", "signature_from_rgb": "signature",
    "emd_table": "table", "plot_table": "table", "write_table_csv": "table",
}
__all__ = sorted(_EXPORTS)

__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)
