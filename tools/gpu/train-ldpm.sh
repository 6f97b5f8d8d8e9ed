#!/usr/bin/env bash
# On the GPU machine: LDPM's three trainings and its evaluation (issue "LDPM"), as steps that chain:
#   tools/gpu/train-ldpm.sh vae MIN sketch MIN ldm MIN eval pack
#     vae MIN      mri train-vae for MIN minutes (--max-minutes; the optimiser has no schedule to cut short)
#     sketch MIN   mri train-sketch likewise
#     ldm MIN      mri train-ldm with the VAE and sketch of the earlier steps (or of an earlier call)
#     vae-natural MIN  the same VAE trained on photographs (.gpu-mri/natural.h5): the stand-in for
#                  the Stable Diffusion VAE in the paper's ablation
#     ldm-natural MIN  train-ldm in the natural-image VAE's latent space (same sketch network)
#     probe        20 steps of each, for their steps/s
#     tune         the classical methods' lambda on training slices (eval reads the choice)
#     eval-main [DIR], eval-ablations [DIR]: the two halves of eval
#     eval [DIR]   mri compare on Colin27's held-out slab and on INIA19: the classical methods, LDPM and
#                  its ablations, with the weights in DIR (default: this machine's trained ones); LDPM
#                  with the natural-image VAE; both VAEs' round trips (mri eval-vae)
#     pack         the weights (vae.pt, sketch.pt, unet.pt, each < 16 MiB) and ldpm-TAG.tar.xz (logs,
#                  loss curves, evaluation tables) into $OUT; TAG=${TAG:-run}
# Carry .gpu-mri (tools/gpu/prepare-mri.sh makes it here) in the first call: the volumes, the
# weights (/tmp/ldpm/w) and the tuned lambdas stay on the machine while it is warm, so a later
# call need not carry .gpu-mri again and may continue with the next step.
set -uo pipefail
cd "$(dirname "$0")/../.."
OUT=${OUT:-/tmp/qs-gpu-out}
B=${QS_CUDA_BUILD:-/tmp/qs-cuda}
Q=$B/app/quantiscope
M=.gpu-mri
SPLIT=resources/mri/colin27-split.json
NATURAL_SPLIT=resources/mri/natural-split.json
W=/tmp/ldpm/w
BATCH=${BATCH:-32} CROP=${CROP:-128}
mkdir -p "$OUT" "$W" /tmp/ldpm/log /tmp/ldpm/eval
mkdir -p /tmp/ldpm/mri $M
for f in $M/*.h5; do [ -s "$f" ] && cp --update=none "$f" /tmp/ldpm/mri/; done
cp --update=none /tmp/ldpm/mri/*.h5 $M/ 2> /dev/null
[ -s $M/colin27.h5 ] || { echo "error: $M/colin27.h5 is missing (run tools/gpu/prepare-mri.sh here and carry $M)"; exit 3; }
if [ ! -x "$Q" ]; then
  tools/gpu/decode.sh build > /tmp/ldpm/log/build.txt 2>&1 || { tail -n 20 /tmp/ldpm/log/build.txt; exit 1; }
fi
# AUG: augmentation flags for every training, e.g. AUG="--aug-contrast 0.3 --aug-bias 0.3 --aug-deform 3 --aug-noise 0.01"
# (the shipped weights trained without: flips and random crops only).
read -r -a aug <<< "${AUG:-}"
common=(--device cuda --batch "$BATCH" --crop "$CROP" --force "${aug[@]}")
train() {  # COMMAND NAME MINUTES STEPS VOLUME SPLIT EXTRA...
  local command=$1 name=$2 minutes=$3 steps=$4 volume=$5 split=$6; shift 6
  local start=$(date +%s)
  "$Q" mri "train-$command" $M/$volume.h5 --split "$split" "${common[@]}" --out /tmp/ldpm/$name --steps "$steps" --max-minutes "$minutes" "$@" > /tmp/ldpm/log/$name.log 2>&1
  local rc=$?
  cp /tmp/ldpm/$name/loss.csv /tmp/ldpm/log/$name-loss.csv 2> /dev/null
  echo "train-$name: exit $rc in $(( $(date +%s) - start )) s; $(grep -E 'steps/s' /tmp/ldpm/log/$name.log | tail -n 1)"
  grep -E "latent scale|stopped|error" /tmp/ldpm/log/$name.log | tail -n 3
  return $rc
}
cmp() {  # TAG VOLUME SLICES METHODS ACCELS [-o ...]
  local tag=$1 vol=$2 slices=$3 methods=$4 accels=$5; shift 5
  local start=$(date +%s)
  "$Q" mri compare $M/$vol.h5 --methods "$methods" --accels "$accels" --masks random,equispaced --slices "$slices" --device cuda \
    -o ldpm.weights="$EVAL_W" "$@" --csv /tmp/ldpm/eval/$tag.csv --force > /tmp/ldpm/eval/$tag.md 2> /tmp/ldpm/eval/$tag.err
  echo "compare $tag: exit $? in $(( $(date +%s) - start )) s"; grep -v "^$" /tmp/ldpm/eval/$tag.md | tail -n 12; tail -n 3 /tmp/ldpm/eval/$tag.err
}
status=0
while [ $# -gt 0 ]; do
  step=$1; shift
  case $step in
    vae) train vae vae "$1" 1000000 colin27 $SPLIT --eval-every 1000 && cp /tmp/ldpm/vae/vae.pt $W/ || status=1; shift;;
    sketch) train sketch sketch "$1" 1000000 colin27 $SPLIT --eval-every 1000 && cp /tmp/ldpm/sketch/sketch.pt $W/ || status=1; shift;;
    ldm) train ldm ldm "$1" 1000000 colin27 $SPLIT --eval-every 2000 --vae $W/vae.pt --sketch $W/sketch.pt && cp /tmp/ldpm/ldm/unet.pt $W/ || status=1; shift;;
    vae-natural)
      train vae vae-natural "$1" 1000000 natural $NATURAL_SPLIT --eval-every 1000 && cp /tmp/ldpm/vae-natural/vae.pt $W/vae-natural.pt || status=1; shift;;
    ldm-natural)
      train ldm ldm-natural "$1" 1000000 colin27 $SPLIT --eval-every 2000 --vae $W/vae-natural.pt --sketch $W/sketch.pt && cp /tmp/ldpm/ldm-natural/unet.pt $W/unet-natural.pt || status=1
      shift;;
    probe)
      train vae vae 5 20 colin27 $SPLIT --eval-every 20 && cp /tmp/ldpm/vae/vae.pt $W/
      train sketch sketch 5 20 colin27 $SPLIT --eval-every 20 && cp /tmp/ldpm/sketch/sketch.pt $W/
      train ldm ldm 5 20 colin27 $SPLIT --eval-every 20 --vae $W/vae.pt --sketch $W/sketch.pt;;
    tune)
      # The classical methods' lambda, tuned on training slices (TUNE_SLICES, outside the held-out
      # slab and its margin) at 8x, mean PSNR over both masks; never on the slab itself.
      tuned=()
      echo "method,lambda,mean_psnr" > /tmp/ldpm/eval/lambda-tuning.csv
      for method in cs-wavelet cs-tv; do
        best=""; best_psnr=-1
        for lambda in ${LAMBDAS:-0.0005 0.001 0.002 0.005 0.01 0.02 0.05}; do
          "$Q" mri compare $M/colin27.h5 --methods $method --accels 8 --masks random,equispaced --slices "${TUNE_SLICES:-110:116}" --device cuda \
            -o $method.lambda=$lambda --csv /tmp/ldpm/eval/tune.csv --force > /dev/null 2>&1 || continue
          p=$(awk -F, 'NR > 1 { s += $5; n++ } END { if (n) printf "%.4f", s / n }' /tmp/ldpm/eval/tune.csv)
          echo "$method,$lambda,$p" >> /tmp/ldpm/eval/lambda-tuning.csv
          if awk -v a="$p" -v b="$best_psnr" 'BEGIN { exit !(a > b) }'; then best=$lambda; best_psnr=$p; fi
        done
        echo "lambda for $method (tuned on training slices ${TUNE_SLICES:-110:116}): $best ($best_psnr dB)"
        [ -n "$best" ] && tuned+=(-o $method.lambda=$best)
      done
      echo "${tuned[@]}" > /tmp/ldpm/eval/lambda.txt;;
    eval|eval-main|eval-ablations)
      EVAL_W=$W
      if [ $# -gt 0 ] && [ -d "$1" ]; then EVAL_W=$1; shift; fi
      tuned=()
      [ -s /tmp/ldpm/eval/lambda.txt ] && read -r -a tuned < /tmp/ldpm/eval/lambda.txt
      echo "classical methods with ${tuned[*]:-their default lambda}"
      if [ "$step" != eval-ablations ]; then
        cmp colin-heldout colin27 150:170 zero-filled,cs-wavelet,cs-tv,ldpm 4,8 "${tuned[@]}"
        [ -s $M/inia19.h5 ] && cmp inia19 inia19 "${INIA_SLICES:-54:74}" zero-filled,cs-wavelet,cs-tv,ldpm 4,8 "${tuned[@]}"
      fi
      [ "$step" = eval-main ] && continue
      # The ablations at 8x only (each is 20 slices x 2 masks of 50 sampling steps).
      cmp colin-sketch-only colin27 150:170 ldpm 8 -o ldpm.output=sketch
      cmp colin-no-dc colin27 150:170 ldpm 8 -o ldpm.dc=none -o ldpm.final-dc=0
      cmp colin-soft-dc colin27 150:170 ldpm 8 -o ldpm.dc=soft
      cmp colin-single-stage colin27 150:170 ldpm 8 -o ldpm.switch=49
      cmp colin-from-noise colin27 150:170 ldpm 8 -o ldpm.start=noise
      cmp colin-cs-tv-sketch colin27 150:170 ldpm 8 -o ldpm.sketch=cs-tv
      if [ -s $W/unet-natural.pt ]; then
        mkdir -p /tmp/ldpm/w-natural
        cp $W/vae-natural.pt /tmp/ldpm/w-natural/vae.pt; cp $W/unet-natural.pt /tmp/ldpm/w-natural/unet.pt; cp $W/sketch.pt /tmp/ldpm/w-natural/
        EVAL_W=/tmp/ldpm/w-natural cmp colin-natural-vae colin27 150:170 ldpm 4,8
      fi
      for v in vae vae-natural; do
        [ -s $W/$v.pt ] || continue
        for vol in colin27:150:170 inia19:${INIA_SLICES:-54:74}; do
          "$Q" mri eval-vae $M/${vol%%:*}.h5 --vae $W/$v.pt --slices ${vol#*:} --device cuda | tail -n 1 | tee -a /tmp/ldpm/eval/vae-round-trip.md
        done
      done;;
    pack)
      cp $W/*.pt "$OUT"/ 2> /dev/null
      nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader > /tmp/ldpm/log/gpu.txt
      tar -C /tmp/ldpm -cJf "$OUT/ldpm-${TAG:-run}.tar.xz" log eval;;
    *) echo "unknown step $step (vae MIN, sketch MIN, ldm MIN, vae-natural MIN, ldm-natural MIN, probe, tune, eval [DIR], eval-main [DIR], eval-ablations [DIR], pack)"; exit 2;;
  esac
done
exit $status
