#!/usr/bin/python3
"""Peer check of Quantiscope's compressed-sensing reconstructions against BART's `pics`.

Both tools get the same single-coil k-space (simulated by `quantiscope mri simulate`), the
same mask, the same data scaling (BART: -w, ours: -o scale=), the same lambda, wavelet
(--wavelet), ADMM rho (-u) and iteration count, exchanged through BART .cfl files. Metrics come from `quantiscope mri eval`
(fastMRI definitions) against the fully sampled magnitude. Prints a markdown table with PSNR,
SSIM, NMSE and seconds per slice of both tools from the same run; with --check, exits 1 when
one of ours is more than --tolerance dB below BART's.

  tools/mri/bart_peer.py --quantiscope build/app/quantiscope --volume VOL --slices 150:152 \
      --crop 368x296 --accels 4,8 --masks random --iters 50 --check
"""
import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

import numpy as np


def read_cfl(base):
    with open(base + ".hdr") as f:
        f.readline()
        dims = [int(x) for x in f.readline().split()]
    data = np.fromfile(base + ".cfl", dtype=np.complex64)
    return data.reshape(dims, order="F")


def write_cfl(base, array):
    array = np.asarray(array, dtype=np.complex64)
    with open(base + ".hdr", "w") as f:
        f.write("# Dimensions\n" + " ".join(str(d) for d in array.shape) + "\n")
    array.ravel(order="F").tofile(base + ".cfl")


def ifft2c(k):
    """fastMRI's centred orthonormal inverse FFT over the first two (BART) axes."""
    k = np.fft.ifftshift(k, axes=(0, 1))
    return np.fft.fftshift(np.fft.ifft2(k, axes=(0, 1), norm="ortho"), axes=(0, 1))


def run(cmd):
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if p.returncode != 0:
        sys.exit("command failed (%d): %s\n%s%s" % (p.returncode, " ".join(cmd), p.stdout, p.stderr))
    return p.stdout


def metrics(q, target, pred):
    out = run([q, "mri", "eval", "--target", target, "--pred", pred])
    m = re.search(r"NMSE (\S+)\s+PSNR (\S+) dB\s+SSIM (\S+)", out)
    return float(m.group(2)), float(m.group(3)), float(m.group(1))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quantiscope", required=True)
    ap.add_argument("--bart", default=shutil.which("bart") or "bart")
    ap.add_argument("--volume", required=True)
    ap.add_argument("--slices", default="150:152")
    ap.add_argument("--crop", default="")
    ap.add_argument("--time", default="0")
    ap.add_argument("--accels", default="4,8")
    ap.add_argument("--masks", default="random,equispaced")
    ap.add_argument("--iters", type=int, default=100)
    ap.add_argument("--lambda-wavelet", type=float, default=0.005)
    ap.add_argument("--lambda-tv", type=float, default=0.005)
    ap.add_argument("--wavelet", default="haar", help="haar or db2 (BART: dau2)")
    ap.add_argument("--rho-factor", type=float, default=10.0, help="ADMM rho = factor x lambda, for both tools")
    ap.add_argument("--seed", default="0")
    ap.add_argument("--tolerance", type=float, default=0.5)
    ap.add_argument("--check", action="store_true")
    ap.add_argument("--label", default="")
    ap.add_argument("--keep", default="", help="keep the work folder here")
    a = ap.parse_args()

    work = a.keep or tempfile.mkdtemp(prefix="qs-bart-")
    os.makedirs(work, exist_ok=True)
    q = a.quantiscope
    j = lambda name: os.path.join(work, name)
    sim = [q, "mri", "simulate", a.volume, "--slices", a.slices, "--time", a.time, "--out", j("k.cfl"), "--force"]
    if a.crop:
        sim += ["--crop", a.crop]
    run(sim)
    k = read_cfl(j("k"))  # [W, H, 1, ..., S at dim 13]
    w, h, s = k.shape[0], k.shape[1], k.shape[13]
    k = k.reshape(w, h, s, order="F")
    if w % 2 or h % 2:
        sys.exit("BART's centred FFT equals fastMRI's only for even sizes: crop to even H and W (got %dx%d)" % (h, w))
    write_cfl(j("full_mask"), np.ones((w, h)))
    run([q, "mri", "recon", "--method", "zero-filled", "--kspace", j("k.cfl"), "--mask", j("full_mask.cfl"), "--out", j("target.cfl"), "--force"])
    write_cfl(j("sens"), np.ones((w, h)))

    rows, failures = [], []
    for mask_type in a.masks.split(","):
        for accel in a.accels.split(","):
            run([q, "mri", "mask", "--type", mask_type, "--accel", accel, "--seed", a.seed, "--shape", "%dx%d" % (h, w), "--out", j("mask.cfl"), "--force"])
            mask = read_cfl(j("mask")).reshape(w, h, order="F").real != 0
            ku = np.where(mask[:, :, None], k, 0)
            # One scale for both tools: the zero-filled 99th percentile (Quantiscope's automatic rule).
            scale = float(np.percentile(np.abs(ifft2c(ku)), 99))
            for method, reg, lam, extra in (("cs-wavelet", "W", a.lambda_wavelet, ["--wavelet", {"db2": "dau2"}.get(a.wavelet, a.wavelet)]),
                                            ("cs-tv", "T", a.lambda_tv, ["-u", repr(a.rho_factor * a.lambda_tv)])):
                opts = ["-o", "wavelet=" + a.wavelet] if method == "cs-wavelet" else ["--rho", repr(a.rho_factor * lam)]
                out = run([q, "mri", "recon", "--method", method, "--kspace", j("k.cfl"), "--mask", j("mask.cfl"), "--lambda", str(lam),
                           "--iters", str(a.iters), "-o", "scale=%r" % scale, "--out", j("ours.cfl"), "--force"] + opts)
                ours_sec = float(re.search(r"\(([\d.]+) s per slice\)", out).group(1))
                bart_imgs, t0 = [], time.perf_counter()
                for i in range(s):
                    write_cfl(j("ku"), ku[:, :, i] / scale)
                    run([a.bart, "pics", "-w", "1", "-i", str(a.iters), "-R", "%s:3:0:%r" % (reg, lam)] + extra + [j("ku"), j("sens"), j("bart_slice")])
                    bart_imgs.append(read_cfl(j("bart_slice")).reshape(w, h, order="F") * scale)
                bart_sec = (time.perf_counter() - t0) / s
                stack = np.zeros([w, h] + [1] * 11 + [s], dtype=np.complex64)
                stack[:, :, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, :] = np.stack(bart_imgs, axis=-1)
                write_cfl(j("bart"), stack)
                ours = metrics(q, j("target.cfl"), j("ours.cfl"))
                bart = metrics(q, j("target.cfl"), j("bart.cfl"))
                rows.append((mask_type, accel, method, lam, ours, ours_sec, bart, bart_sec))
                if ours[0] < bart[0] - a.tolerance:
                    failures.append("%s %sx %s: ours %.2f dB < BART %.2f dB - %.1f" % (mask_type, accel, method, ours[0], bart[0], a.tolerance))

    title = a.label or os.path.basename(a.volume)
    print("\n%s, slices %s%s, %dx%d, %d iterations, wavelet %s, rho %g x lambda; same k-space, mask, scale, lambda for both\n" %
          (title, a.slices, (", crop " + a.crop) if a.crop else "", h, w, a.iters, a.wavelet, a.rho_factor))
    print("| mask | R | method | lambda | PSNR ours | PSNR BART | dPSNR | SSIM ours | SSIM BART | NMSE ours | NMSE BART | s/slice ours | s/slice BART |")
    print("|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for m, r, meth, lam, o, osec, b, bsec in rows:
        print("| %s | %s | %s | %g | %.2f | %.2f | %+.2f | %.4f | %.4f | %.5f | %.5f | %.3f | %.3f |" %
              (m, r, meth, lam, o[0], b[0], o[0] - b[0], o[1], b[1], o[2], b[2], osec, bsec))
    if not a.keep:
        shutil.rmtree(work)
    if a.check and failures:
        print("\nFAIL: " + "; ".join(failures))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
