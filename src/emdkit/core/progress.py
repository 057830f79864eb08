"""A tqdm progress bar when asked for, and a no-op stand-in otherwise (tqdm loads only when used)."""
from __future__ import annotations

import sys


class _NoBar:
    def update(self, n: int) -> None:
        pass

    def close(self) -> None:
        pass


def progress_bar(total: int, enabled: bool, desc: str, unit: str):
    """tqdm(total, desc, unit) if ``enabled`` and there is work, else an object that does nothing."""
    if not enabled or total == 0:
        return _NoBar()
    from .._extras import require
    tqdm = require("tqdm.auto", "progress", "progress=True").tqdm
    return tqdm(total=total, desc=desc, unit=unit)


def progress_writer(enabled: bool):
    """A function that writes one line of progress to stderr (through tqdm.write when tqdm
    is installed, so it does not break a bar), or None when not ``enabled``."""
    if not enabled:
        return None
    try:
        from tqdm.auto import tqdm
    except ImportError:
        tqdm = None

    def write(text: str) -> None:
        if tqdm is not None:
            tqdm.write(text, file=sys.stderr)
        else:
            print(text, file=sys.stderr, flush=True)
    return write
