"""
Colour-signature search on bundled photos
=========================================

Index scikit-image's four bundled colour photos and their left and right halves, then search
with each whole photo: its own halves should come first. Signatures are at most 24 CIELAB
colours weighted by pixel fractions, so distances are in ΔE*ab. The last figure draws the
optimal flow between two signatures.
"""
import tempfile
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
from PIL import Image
from skimage.color import lab2rgb

import emdkit
from emdkit.images import ImageIndex, SignatureOptions, image_signature, search_index
from emdkit.images.demo_data import make_skimage_photos

workdir = Path(tempfile.mkdtemp(prefix="emdkit-gallery-"))
photos = make_skimage_photos(workdir, max_side=160)
for path in photos:  # two halves of every photo join the collection
    image = Image.open(path).convert("RGB")
    w, h = image.size
    image.crop((0, 0, w // 2, h)).save(path.with_name(f"{path.stem}-left.png"))
    image.crop((w // 2, 0, w, h)).save(path.with_name(f"{path.stem}-right.png"))

options = SignatureOptions(normalize=True)  # compare colour distributions, not pixel counts
with ImageIndex(workdir / "images.db", options) as index:
    print(index.update([workdir / "photos"]).summary())
    results = {p.stem: search_index(index, p, k=3, exclude_self=True) for p in photos}

for name, result in results.items():
    hits = ", ".join(f"{Path(h.name).stem} ({h.distance:.1f})" for h in result.hits)
    print(f"{name:>10}: {hits}   [{result.n_exact} exact EMDs of {result.n_candidates}]")

# %%
# Each row: the query, then its three nearest images by exact EMD.
fig, axes = plt.subplots(len(photos), 4, figsize=(8, 2.1 * len(photos)))
for row, path in zip(axes, photos):
    row[0].imshow(Image.open(path))
    row[0].set_title(f"query: {path.stem}", fontsize=9)
    for ax, hit in zip(row[1:], results[path.stem].hits):
        ax.imshow(Image.open(hit.name))
        ax.set_title(f"{Path(hit.name).stem}\nEMD {hit.distance:.1f} ΔE", fontsize=8)
for ax in axes.ravel():
    ax.axis("off")
fig.tight_layout()

# %%
# The flow between two signatures
# -------------------------------
# Colours of the coffee photo (left) and of the rocket photo (right) in the (a*, b*) plane,
# disc area ∝ weight, lines ∝ the optimal flow between them.
coffee = image_signature(workdir / "photos" / "coffee.tiff", options)
rocket = image_signature(workdir / "photos" / "rocket.png", options)
r = emdkit.signature_emd(coffee.colours, coffee.weights, rocket.colours, rocket.weights)
print(f"EMD(coffee, rocket) = {r.distance:.2f} ΔE*ab, {len(r.flow_sparse().data)} flow arcs")


def swatch(lab):
    return np.clip(lab2rgb(lab[None, :, :])[0], 0, 1)


fig, ax = plt.subplots(figsize=(6.5, 5.5))
flow = r.flow
for i, j in zip(*np.nonzero(flow > 1e-9)):
    (a1, b1), (a2, b2) = coffee.colours[i, 1:], rocket.colours[j, 1:]
    ax.plot([a1, a2], [b1, b2], color="0.4", lw=0.5 + 30 * flow[i, j], alpha=0.6, zorder=1)
ax.scatter(coffee.colours[:, 1], coffee.colours[:, 2], s=3000 * coffee.weights,
           c=swatch(coffee.colours), edgecolors="k", marker="o", label="coffee", zorder=2)
ax.scatter(rocket.colours[:, 1], rocket.colours[:, 2], s=3000 * rocket.weights,
           c=swatch(rocket.colours), edgecolors="k", marker="s", label="rocket", zorder=2)
ax.set(xlabel="a* (green → red)", ylabel="b* (blue → yellow)",
       title=f"optimal flow, EMD = {r.distance:.1f} ΔE*ab")
ax.legend()
fig.tight_layout()
