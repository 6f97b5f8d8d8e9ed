#!/usr/bin/env bash
# Produces the tables of docs/results/mri-classical.md: `quantiscope mri compare` (zero-filled,
# cs-wavelet, cs-tv x {4x, 8x} x {random, equispaced}) and the BART peer comparison, on
# Colin27 and on the EPI volume. Run on a quiet machine: it reports seconds per slice.
#   tools/mri/classical_table.sh [build/app/quantiscope] [OUT_DIR]
set -euo pipefail
cd "$(dirname "$0")/../.."
Q=${1:-build/app/quantiscope}
OUT=${2:-/tmp/qs-mri-classical}
DATA=${QUANTISCOPE_DATA:-../shared/data}
COLIN=/usr/share/mricron/templates/ch2better.nii.gz
EPI=$DATA/mri/nibabel/example4d.nii.gz
mkdir -p "$OUT"
ITERS=100
{
  echo "## Colin27 (ch2better, axial slices 145:155, centre 368x296)"
  $Q mri compare $COLIN --slices 145:155 --crop 368x296 --methods zero-filled,cs-wavelet,cs-tv --iters $ITERS --csv "$OUT/colin27.csv" --force
  echo "## EPI (example4d time point 0, slices 4:20, 96x128)"
  $Q mri compare $EPI --slices 4:20 --methods zero-filled,cs-wavelet,cs-tv --iters $ITERS --csv "$OUT/epi.csv" --force
} 2>/dev/null | tee "$OUT/compare.md"
for wavelet in haar db2; do
  tools/mri/bart_peer.py --quantiscope $Q --volume $COLIN --slices 145:155 --crop 368x296 --iters $ITERS --wavelet $wavelet --label "Colin27"
  tools/mri/bart_peer.py --quantiscope $Q --volume $EPI --slices 4:20 --iters $ITERS --wavelet $wavelet --label "EPI"
done | tee "$OUT/bart_peer.md"
