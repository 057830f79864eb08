"""Colour-signature image similarity and search with the exact EMD (Rubner et al. 2000)::

    sig = image_signature("sea.jpg")                     # CIELAB, ≤24 colours, weights sum to 1
    with ImageIndex("images.db") as index:
        print(index.update(["photos/"]).summary())        # incremental, crash-safe
        result = search_index(index, "sea.jpg", k=10)     # exact top 10, bound-pruned

Needs the ``images`` extra (Pillow, scikit-image, scikit-learn; matplotlib for figures).
"""
from .index import SCHEMA_VERSION, ImageIndex, IndexReport
from .loading import UnreadableImageError, find_images, load_rgb
from .search import Hit, SearchResult, centroid_bound, knn_search, nearest_colour_bound, search_index
from .signature import ColourSignature, SignatureOptions, image_signature, signature_from_rgb
from .table import emd_table, plot_table, write_table_csv

__all__ = ["SCHEMA_VERSION", "ColourSignature", "Hit", "ImageIndex", "IndexReport",
           "SearchResult", "SignatureOptions", "UnreadableImageError", "centroid_bound",
           "emd_table", "find_images", "image_signature", "knn_search", "load_rgb",
           "nearest_colour_bound", "plot_table", "search_index", "signature_from_rgb",
           "write_table_csv"]
