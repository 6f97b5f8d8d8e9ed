#!/usr/bin/env bash
# On the GPU machine: the reference LLM's run (issue "reference LLM"), in one call.
#   tools/gpu/train-ref.sh probe        build, then a 12-step throughput probe of the ref preset
#   tools/gpu/train-ref.sh train SECS   build, probe, then a run whose step count is sized from the
#                                       probe to SECS seconds (--max-minutes stops it regardless),
#                                       then the transformers cross-check of the exported folder
# The corpus travels in the carried folder .gpu-corpus/ (train.txt.xz, heldout.txt.xz from
# tools/corpus/build_corpus.py). Everything the run makes (the bf16 Hugging Face folder, loss.csv,
# the logs, the cross-check) is packed as /tmp/ref.tar in 15 MiB parts. A call brings back at most
# 64 MiB, so this call returns summary.txt and the first three parts and
#   tools/gpu/train-ref.sh rest         (the next call, on the still-warm machine) the others.
# Locally: cat ref.tar.part-* | tar x.
set -uo pipefail
cd "$(dirname "$0")/../.."
OUT=${OUT:-/tmp/qs-gpu-out}
B=${QS_CUDA_BUILD:-/tmp/qs-cuda}
Q=$B/app/quantiscope
TOK=resources/models/qs-ref-tokenizer/tokenizer.model
BATCH=${BATCH:-32} SEQ=${SEQ:-512}
PROBE_STEPS=${PROBE_STEPS:-12}
mkdir -p "$OUT" /tmp/corpus /tmp/ref
mode=${1:-probe}
if [ "$mode" = rest ]; then
  ls /tmp/ref.tar.part-* > /dev/null 2>&1 || { echo "error: no /tmp/ref.tar.part-* (the machine was released?)"; exit 3; }
  for p in /tmp/ref.tar.part-*; do case $p in *-aa|*-ab|*-ac) ;; *) cp "$p" "$OUT/";; esac; done
  ls -la "$OUT"; exit 0
fi
for f in train heldout; do
  [ -s .gpu-corpus/$f.txt.xz ] || { echo "error: .gpu-corpus/$f.txt.xz is missing (carry .gpu-corpus)"; exit 3; }
  xz -dc .gpu-corpus/$f.txt.xz > /tmp/corpus/$f.txt
done
tools/gpu/decode.sh build > /tmp/ref/build.txt 2>&1 || { tail -n 20 /tmp/ref/build.txt; exit 1; }
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader > /tmp/ref/gpu.txt
"$Q" train-lm --preset ref --data /tmp/corpus/train.txt --tokenizer "$TOK" --out /tmp/probe --force --steps "$PROBE_STEPS" --warmup 2 \
  --batch "$BATCH" --seq "$SEQ" --device cuda --bf16 > /tmp/ref/probe.log 2>&1 || { tail -n 20 /tmp/ref/probe.log; exit 1; }
# Tokens per second of the last 6 steps (the first ones compile and warm up).
rate=$(grep -E '^step ' /tmp/ref/probe.log | tail -n 6 | sed -E 's/.* ([0-9.]+) tok\/s.*/\1/' | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
echo "probe: ${rate} tokens/s at batch $BATCH x $SEQ (bf16 autocast, $(cat /tmp/ref/gpu.txt))" | tee /tmp/ref/summary.txt
if [ "$mode" = train ]; then
  secs=${2:?usage: train-ref.sh train SECONDS}
  steps=$(awk -v s="$secs" -v r="$rate" -v t=$((BATCH * SEQ)) 'BEGIN {n = int(0.85 * s * r / t); print (n < 20 ? 20 : n)}')
  echo "train: $steps steps of $((BATCH * SEQ)) tokens (budget ${secs} s)" | tee -a /tmp/ref/summary.txt
  "$Q" train-lm --preset ref --data /tmp/corpus/train.txt --heldout /tmp/corpus/heldout.txt --tokenizer "$TOK" --out /tmp/ref/run --force \
    --steps "$steps" --warmup $((steps / 20 + 1)) --batch "$BATCH" --seq "$SEQ" --lr 8e-4 --weight-decay 0.4 --device cuda --bf16 \
    --eval-every $((steps / 10 + 1)) --ckpt-every 100000000 --export-dtype bf16 --max-minutes "$(awk -v s="$secs" 'BEGIN {print s / 60}')" \
    > /tmp/ref/train.log 2>&1
  echo "train-lm exit $?; $(grep -E '^step ' /tmp/ref/train.log | tail -n 1)" | tee -a /tmp/ref/summary.txt
  # Cross-check: transformers' LlamaForCausalLM on the exported folder against our log-probabilities.
  head -c 20000 /tmp/corpus/heldout.txt > /tmp/ref/crosscheck.txt.in
  "$Q" ppl -m /tmp/ref/run/hf -f /tmp/ref/crosscheck.txt.in --ctx 256 --device cuda --save-logits /tmp/ref/ours.logits --force > /tmp/ref/ppl.txt 2>&1
  timeout 90 python3 tools/gpu/hf_crosscheck.py /tmp/ref/run/hf /tmp/ref/ours.logits --windows 4 2>&1 | tee /tmp/ref/crosscheck.txt | tail -n 3 | tee -a /tmp/ref/summary.txt
  rm -f /tmp/ref/run/checkpoint.pt /tmp/ref/ours.logits  # 566 MB of f32 and Adam state: not brought back
fi
cp /tmp/ref/summary.txt "$OUT/summary.txt"
rm -f /tmp/ref.tar.part-*
(cd /tmp/ref && tar cf - --exclude=build.txt .) | split -b 15M - /tmp/ref.tar.part-
cp /tmp/ref.tar.part-a[abc] "$OUT/" 2>/dev/null
ls -la "$OUT" /tmp/ref.tar.part-*
