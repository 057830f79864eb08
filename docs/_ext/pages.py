"""Brings the benchmark results and the experiment reports into the site, unedited.

``bench/RESULTS*.md`` (with the figures in ``bench/``) and each ``reports/<area>/README.md``
(with its figures) are copied into
``docs/_generated/`` at every build and rendered by MyST, so the site shows the numbers the
benchmarks and experiments wrote, never a hand-made copy of them.
"""
from __future__ import annotations

import shutil
from pathlib import Path

OUT = "_generated"
FIGURE_SUFFIXES = {".png", ".svg", ".jpg"}


def copy_if_changed(src: Path, dst: Path) -> None:
    if not dst.exists() or dst.read_bytes() != src.read_bytes():
        dst.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(src, dst)


def copy_figures(src_dir: Path, out_dir: Path) -> None:
    for figure in src_dir.iterdir():
        if figure.suffix in FIGURE_SUFFIXES:
            copy_if_changed(figure, out_dir / figure.name)


def copy_pages(app, config) -> None:
    root = Path(app.srcdir).parent
    out = Path(app.srcdir) / OUT
    for md in sorted((root / "bench").glob("RESULTS*.md")):
        copy_if_changed(md, out / "bench" / md.name)
    copy_figures(root / "bench", out / "bench")
    for readme in sorted((root / "reports").glob("*/README.md")):
        area = readme.parent
        copy_if_changed(readme, out / "reports" / area.name / "index.md")
        copy_figures(area, out / "reports" / area.name)


def setup(app):
    app.connect("config-inited", copy_pages)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
