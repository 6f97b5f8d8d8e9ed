#!/usr/bin/env bash
# On the GPU machine: LDPM's three trainings and its evaluation (issue "LDPM").
#   tools/gpu/train-ldpm.sh probe                 build, then 20 timed steps of each trainer
#   tools/gpu/train-ldpm.sh train VAE SKETCH LDM  build, the three trainings (steps each); weights
#                                                 (vae.pt, sketch.pt, unet.pt, each < 16 MiB) and
#                                                 ldpm-train.tar.xz (curves, logs) come back in $OUT
#   tools/gpu/train-ldpm.sh eval [WEIGHTS_DIR]    mri compare on Colin27's held-out slab and on INIA19:
#                                                 classical methods, LDPM and its ablations; ldpm-eval.tar.xz
# Carry .gpu-mri (tools/gpu/prepare-mri.sh makes it here). The weights stay in /tmp/ldpm/w while
# the machine is warm, so `eval` may follow `train` in the next call.
set -uo pipefail
cd "$(dirname "$0")/../.."
OUT=${OUT:-/tmp/qs-gpu-out}
B=${QS_CUDA_BUILD:-/tmp/qs-cuda}
Q=$B/app/quantiscope
M=.gpu-mri
SPLIT=resources/mri/colin27-split.json
W=/tmp/ldpm/w
BATCH=${BATCH:-32} CROP=${CROP:-128}
mkdir -p "$OUT" "$W" /tmp/ldpm/log
[ -s $M/colin27.h5 ] || { echo "error: $M/colin27.h5 is missing (run tools/gpu/prepare-mri.sh here and carry $M)"; exit 3; }
tools/gpu/decode.sh build > /tmp/ldpm/log/build.txt 2>&1 || { tail -n 20 /tmp/ldpm/log/build.txt; exit 1; }
common=(--split $SPLIT --device cuda --batch "$BATCH" --crop "$CROP" --force)
train() {  # NAME STEPS EXTRA...
  local name=$1 steps=$2; shift 2
  local start=$(date +%s)
  "$Q" mri "train-$name" $M/colin27.h5 "${common[@]}" --out /tmp/ldpm/$name --steps "$steps" "$@" > /tmp/ldpm/log/$name.log 2>&1
  local rc=$?
  echo "train-$name: $steps steps in $(( $(date +%s) - start )) s (exit $rc); $(grep -E 'held-out|latent scale' /tmp/ldpm/log/$name.log | tail -n 2 | tr '\n' ' ')"
  return $rc
}
case ${1:-probe} in
  probe)
    train vae 20 --eval-every 20 && cp /tmp/ldpm/vae/vae.pt $W/
    train sketch 20 --eval-every 20 && cp /tmp/ldpm/sketch/sketch.pt $W/
    train ldm 20 --eval-every 20 --vae $W/vae.pt --sketch $W/sketch.pt;;
  train)
    train vae "${2:-2000}" --eval-every 500 && cp /tmp/ldpm/vae/vae.pt $W/ || exit 1
    train sketch "${3:-2000}" --eval-every 500 && cp /tmp/ldpm/sketch/sketch.pt $W/ || exit 1
    train ldm "${4:-4000}" --eval-every 1000 --vae $W/vae.pt --sketch $W/sketch.pt && cp /tmp/ldpm/ldm/unet.pt $W/ || exit 1
    cp $W/*.pt "$OUT"/
    for n in vae sketch ldm; do cp /tmp/ldpm/$n/loss.csv /tmp/ldpm/log/$n-loss.csv; done
    nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader > /tmp/ldpm/log/gpu.txt
    tar -C /tmp/ldpm -cJf "$OUT/ldpm-train.tar.xz" log;;
  eval)
    w=${2:-$W}
    mkdir -p /tmp/ldpm/eval
    cmp() {  # TAG VOLUME SLICES METHODS ACCELS [-o ...]
      local tag=$1 vol=$2 slices=$3 methods=$4 accels=$5; shift 5
      local start=$(date +%s)
      "$Q" mri compare $M/$vol.h5 --methods "$methods" --accels "$accels" --masks random,equispaced --slices "$slices" --device cuda \
        -o ldpm.weights="$w" "$@" --csv /tmp/ldpm/eval/$tag.csv --force > /tmp/ldpm/eval/$tag.md 2> /tmp/ldpm/eval/$tag.err
      echo "compare $tag: exit $? in $(( $(date +%s) - start )) s"; cat /tmp/ldpm/eval/$tag.md
    }
    cmp colin-heldout colin27 150:170 zero-filled,cs-wavelet,cs-tv,ldpm 4,8
    # The ablations at 8x only (each is 20 slices x 2 masks of 50 sampling steps).
    cmp colin-sketch-only colin27 150:170 ldpm 8 -o ldpm.output=sketch
    cmp colin-no-dc colin27 150:170 ldpm 8 -o ldpm.dc=none -o ldpm.final-dc=0
    cmp colin-soft-dc colin27 150:170 ldpm 8 -o ldpm.dc=soft
    cmp colin-single-stage colin27 150:170 ldpm 8 -o ldpm.switch=49
    cmp colin-from-noise colin27 150:170 ldpm 8 -o ldpm.start=noise
    cmp colin-cs-tv-sketch colin27 150:170 ldpm 8 -o ldpm.sketch=cs-tv
    [ -s $M/inia19.h5 ] && cmp inia19 inia19 "${INIA_SLICES:-54:74}" zero-filled,cs-wavelet,cs-tv,ldpm 4,8
    tar -C /tmp/ldpm -cJf "$OUT/ldpm-eval.tar.xz" eval;;
  *) echo "unknown mode $1 (probe, train, eval)"; exit 2;;
esac
