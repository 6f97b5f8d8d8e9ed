#!/usr/bin/env bash
# The figure of docs/results/ldpm.md: one held-out Colin27 slice reconstructed by every method
# side by side, each with its error map (|x - target|, x5), PSNR/SSIM in the titles. Runs here
# on the CPU with the committed weights (about a minute; LDPM at 50 steps is ~30 s of it).
#   tools/mri/ldpm_figure.sh OUT.png [SLICE=160] [ACCEL=8] [MASK=random]
# The classical methods use the lambdas tuned on training slices (resources/models/ldpm-colin27/run/eval/lambda-tuning.csv).
set -euo pipefail
cd "$(dirname "$0")/../.."
OUT=${1:?usage: ldpm_figure.sh OUT.png [SLICE] [ACCEL] [MASK]}
SLICE=${2:-160} ACCEL=${3:-8} MASK=${4:-random}
Q=${Q:-build/app/quantiscope}
C=/usr/share/mricron/templates/ch2better.nii.gz
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$Q" mri simulate "$C" --out "$tmp/k.h5" --slices "$SLICE:$((SLICE + 1))" > /dev/null
"$Q" mri convert "$C" "$tmp/target.cfl" --slices "$SLICE:$((SLICE + 1))" > /dev/null
recon() {  # NAME METHOD OPTIONS...
  local name=$1 method=$2; shift 2
  "$Q" mri recon --method "$method" --kspace "$tmp/k.h5" --mask-type "$MASK" --accel "$ACCEL" --out "$tmp/$name.cfl" "$@" > /dev/null 2>&1
}
recon zero-filled zero-filled
recon cs-wavelet cs-wavelet --lambda 0.005
recon cs-tv cs-tv --lambda 0.0001
recon sketch ldpm -o output=sketch
recon ldpm ldpm
/usr/bin/python3 - "$tmp" "$OUT" "$SLICE" "$ACCEL" "$MASK" <<'PY'
import sys
import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
from skimage.metrics import peak_signal_noise_ratio, structural_similarity

tmp, out, sl, accel, mask = sys.argv[1:]
def cfl(name):
    dims = [int(d) for d in open(f"{tmp}/{name}.hdr").read().split("\n")[1].split()]
    x = np.fromfile(f"{tmp}/{name}.cfl", dtype=np.complex64)
    return np.abs(x.reshape(dims[1], dims[0]))  # one slice: W fastest
target = cfl("target")
names = [("zero-filled", "zero-filled"), ("cs-wavelet", "cs-wavelet"), ("cs-tv", "cs-tv"), ("sketch", "sketch only"), ("ldpm", "LDPM (MR-VAE)")]
rng = target.max()
fig, ax = plt.subplots(2, len(names) + 1, figsize=(3 * (len(names) + 1), 7.2))
ax[0][0].imshow(target, cmap="gray", vmin=0, vmax=rng); ax[0][0].set_title(f"target (slice {sl})")
ax[1][0].axis("off")
for i, (n, title) in enumerate(names, 1):
    x = cfl(n)
    p = peak_signal_noise_ratio(target, x, data_range=rng)
    s = structural_similarity(target, x, data_range=rng, win_size=7)
    ax[0][i].imshow(x, cmap="gray", vmin=0, vmax=rng); ax[0][i].set_title(f"{title}\n{p:.2f} dB, SSIM {s:.3f}", fontsize=10)
    ax[1][i].imshow(np.abs(x - target), cmap="inferno", vmin=0, vmax=rng / 5); ax[1][i].set_title("|error| (x5)", fontsize=10)
for a in ax.flat:
    a.set_xticks([]); a.set_yticks([])
fig.suptitle(f"Colin27 held-out slice {sl}, {mask} mask {accel}x, single coil (one slice: PSNR uses this slice's maximum)", fontsize=11)
fig.tight_layout()
fig.savefig(out, dpi=80)
print(f"wrote {out}")
PY
