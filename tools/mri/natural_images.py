#!/usr/bin/python3
"""The natural-image stand-in for the Stable Diffusion VAE (issue "LDPM"): the photographs in
Debian's python3-skimage data folder as one grey-scale stack of 256 x 256 slices, written as a
BART .cfl that `quantiscope mri convert` turns into the .h5 that `mri train-vae` reads.

    tools/mri/natural_images.py OUT_BASE     (writes OUT_BASE.cfl and OUT_BASE.hdr)

Each photo is converted to luminance, scaled so its shorter side is 288 pixels, and cut into
five 256 x 256 crops (four corners and the centre). The photos are taken in the order below, so
the split file resources/mri/natural-split.json holds out the last photo's five crops.
Synthetic test patterns (checkerboards, palettes, the Shepp-Logan phantom, silhouettes) are left
out: they are not photographs, and the phantom is MRI-like.
"""
import sys
from pathlib import Path

import numpy as np
from skimage import color, io, transform

DATA = Path("/usr/lib/python3/dist-packages/skimage/data")
PHOTOS = ["astronaut.png", "camera.png", "chelsea.png", "coffee.png", "grass.png", "gravel.png", "brick.png",
          "hubble_deep_field.jpg", "ihc.png", "moon.png", "motorcycle_left.png", "page.png", "retina.jpg",
          "text.png", "coins.png", "microaneurysms.png", "cell.png", "clock_motion.png", "rocket.jpg"]
SIDE, CROP = 288, 256


def grey(path):
    im = io.imread(path)
    if im.ndim == 3:
        im = color.rgb2gray(im[..., :3])
    im = im.astype(np.float64)
    return im / im.max() if im.max() > 1 else im


def crops(im):
    scale = SIDE / min(im.shape)
    im = transform.resize(im, (round(im.shape[0] * scale), round(im.shape[1] * scale)), anti_aliasing=True)
    h, w = im.shape
    at = [(0, 0), (0, w - CROP), (h - CROP, 0), (h - CROP, w - CROP), ((h - CROP) // 2, (w - CROP) // 2)]
    return [im[y:y + CROP, x:x + CROP] for y, x in at]


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    missing = [p for p in PHOTOS if not (DATA / p).is_file()]
    if missing:
        sys.exit(f"error: {DATA} lacks {', '.join(missing)} (install python3-skimage)")
    stack = np.stack([c for p in PHOTOS for c in crops(grey(DATA / p))])  # (S, H, W), W fastest
    base = sys.argv[1]
    stack.astype(np.complex64).tofile(base + ".cfl")
    dims = [CROP, CROP] + [1] * 11 + [stack.shape[0]] + [1] * 2  # BART: W, H, ..., SLICE at 13
    Path(base + ".hdr").write_text("# Dimensions\n" + " ".join(map(str, dims)) + "\n")
    print(f"{base}.cfl: {stack.shape[0]} slices of {CROP} x {CROP} from {len(PHOTOS)} photos")


if __name__ == "__main__":
    main()
