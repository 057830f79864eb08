"""Quantities as people read them: "16 MiB", "16.8 megapixels" (for help texts and pages).

Standard library only, so the command line's ``--help`` can use it without loading numpy.
"""
from __future__ import annotations


def human_bytes(n: int) -> str:
    """``n`` bytes in binary units, to three significant figures.

    >>> human_bytes(16 * 2**20), human_bytes(1536), human_bytes(999)
    ('16 MiB', '1.5 KiB', '999 bytes')
    """
    for unit, size in (("GiB", 2**30), ("MiB", 2**20), ("KiB", 2**10)):
        if n >= size:
            return f"{n / size:.3g} {unit}"
    return f"{n} bytes"


def megapixels(n: int) -> str:
    """``n`` pixels in megapixels, to three significant figures.

    >>> megapixels(4096 * 4096), megapixels(640 * 480)
    ('16.8 megapixels', '0.307 megapixels')
    """
    return f"{n / 1e6:.3g} megapixels"
