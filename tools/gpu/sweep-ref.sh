#!/usr/bin/env bash
# On the GPU machine: the full KV-codec accuracy sweep on the reference LLM (issue "reference
# LLM"), both protocols, every window of WikiText-2 test and of the corpus's held-out split.
#   tools/gpu/sweep-ref.sh [MAX_WINDOWS [DECODE_WINDOWS]]     (defaults: all windows, 16 decode windows)
# Carry .gpu-data (WikiText-2, GSM8K) and .gpu-corpus (heldout.txt.xz). Tables come back in $OUT.
set -uo pipefail
cd "$(dirname "$0")/../.."
OUT=${OUT:-/tmp/qs-gpu-out}
B=${QS_CUDA_BUILD:-/tmp/qs-cuda}
D=${QUANTISCOPE_DATA:-$PWD/.gpu-data}
mkdir -p "$OUT" /tmp/corpus
[ -s .gpu-corpus/heldout.txt.xz ] || { echo "error: .gpu-corpus/heldout.txt.xz is missing (carry .gpu-corpus)"; exit 3; }
xz -dc .gpu-corpus/heldout.txt.xz > /tmp/corpus/heldout.txt
tools/gpu/decode.sh build > /tmp/sweep-build.txt 2>&1 || { tail -n 20 /tmp/sweep-build.txt; exit 1; }
# The codec list of docs/results/kv-accuracy.md, calibration on GSM8K (disjoint from both texts).
"$B/app/quantiscope" kv-sweep --models resources/models/qs-ref-llm --device cuda \
  --texts "$D/eval/wikitext-2/wiki.test.raw,/tmp/corpus/heldout.txt" --ctx 512 \
  --max-windows "${1:-0}" --decode-windows "${2:-16}" --calib-data "$D/eval/gsm8k/test.jsonl" --calib-tokens 32768 \
  --codecs "f32,q8_0,q4_0,kivi-4,kivi-2,rotatekv-4,rotatekv-3,rotatekv-2,rotatekv-2@reorder=none,rotatekv-2@sinks=0,\
rotatekv-2@meta=fp8,rotatekv-2@group=8,rotatekv-2@group=8:reorder=none,rotatekv-post-2,akvq-2,akvq-2@tsa=0,\
f16/rotatekv-2,rotatekv-2/f16,kivi-2/f16" --csv "$OUT/ref-sweep.csv" --md "$OUT/ref-sweep.md" --force 2>&1 | tr '\r' '\n' | grep -v "windows\]" | tail -n 60
