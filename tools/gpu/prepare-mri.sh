#!/usr/bin/env bash
# Here (the development machine): the head volumes LDPM's GPU runs read, as compressed fastMRI
# .h5 files in .gpu-mri/ (the GPU machine has no ITK to read NIfTI). Carry .gpu-mri.
#   colin27.h5  Colin27 0.5 mm (mricron-data ch2better): training outside the held-out slab, and the slab
#   inia19.h5   INIA19 macaque T1 (mricron-data): an unseen subject
#   natural.h5  95 grey photo crops (tools/mri/natural_images.py): the natural-image VAE's training set
set -euo pipefail
cd "$(dirname "$0")/../.."
Q=${Q:-build/app/quantiscope}
T=/usr/share/mricron/templates
mkdir -p .gpu-mri
"$Q" mri convert "$T/ch2better.nii.gz" .gpu-mri/colin27.h5 --force
"$Q" mri convert "$T/inia19-t1-brain.nii.gz" .gpu-mri/inia19.h5 --force
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
tools/mri/natural_images.py "$tmp/natural"
"$Q" mri convert "$tmp/natural.cfl" .gpu-mri/natural.h5 --force
ls -la .gpu-mri
