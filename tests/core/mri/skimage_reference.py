#!/usr/bin/python3
"""fastMRI's metrics computed the way fastmri/evaluate.py does, with scikit-image.

usage: skimage_reference.py TARGET.cfl PRED.cfl
Both are BART .cfl volumes [W, H, 1, ..., S at dim 13]; their real parts are the images.
Prints one JSON object: nmse, psnr, ssim (volume) and ssim_slices.
"""
import json
import sys

import numpy as np
from skimage.metrics import peak_signal_noise_ratio, structural_similarity


def read_cfl(base):
    base = base[:-4] if base.endswith(".cfl") else base
    with open(base + ".hdr") as f:
        f.readline()
        dims = [int(x) for x in f.readline().split()]
    data = np.fromfile(base + ".cfl", dtype=np.complex64).reshape(dims, order="F")
    w, h, s = dims[0], dims[1], dims[13]
    # (S, H, W), float64 as the evaluator's inputs are promoted.
    return np.ascontiguousarray(data.reshape(w, h, s, order="F").real.transpose(2, 1, 0)).astype(np.float64)


def main():
    gt, pred = read_cfl(sys.argv[1]), read_cfl(sys.argv[2])
    maxval = gt.max()
    nmse = np.linalg.norm(gt - pred) ** 2 / np.linalg.norm(gt) ** 2
    psnr = peak_signal_noise_ratio(gt, pred, data_range=maxval)
    slices = [structural_similarity(gt[i], pred[i], data_range=maxval) for i in range(gt.shape[0])]
    print(json.dumps({"nmse": nmse, "psnr": psnr, "ssim": float(np.mean(slices)), "ssim_slices": slices}))


if __name__ == "__main__":
    main()
