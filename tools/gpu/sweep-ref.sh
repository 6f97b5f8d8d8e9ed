#!/usr/bin/env bash
# On the GPU machine: the KV-codec accuracy sweep on the reference LLM (issue "reference LLM"),
# every window of WikiText-2 test and of the corpus's held-out split.
#   tools/gpu/sweep-ref.sh [MAX_WINDOWS [DECODE_WINDOWS [TEXTS [PROTOCOLS [TAG]]]]]
#     defaults: all windows, 16 decode windows, TEXTS=wikitext,heldout, PROTOCOLS=prefill,decode
#   A sweep too long for one call is split by text and protocol; TAG names its tables
#   ($OUT/ref-sweep-TAG.{csv,md}). The progress log comes back even when a call is cut short.
#   QS_SWEEP_BATCH (default 16): windows run side by side (kv-sweep --batch)
#   QS_SWEEP_CODECS: a codec list in place of the full one below (to split one sweep over parallel runs)
#   kv-sweep runs with --keep-partial: `timeout -s INT` ends it with the tables of the windows done
#   tools/gpu/sweep-ref.sh stage    only keep the carried weight shards in /tmp/qs-w and exit
# Carry .gpu-data (WikiText-2, GSM8K) and .gpu-corpus/heldout.txt.xz.
# The weights (94 MB in 7 shards) exceed one call's 64 MiB, so they travel in two calls to a warm
# machine: here, `git rm -q --cached resources/models/qs-ref-llm/*.safetensors` and the same
# pattern in .git/info/exclude; call 1 carries shards 1-4 and runs `stage`; call 2 carries
# 5-7 and sweeps (every call restores the shards kept in /tmp/qs-w); afterwards here
# `git reset -q -- resources/models/qs-ref-llm` and drop the exclude line. Commit nothing between.
set -uo pipefail
cd "$(dirname "$0")/../.."
OUT=${OUT:-/tmp/qs-gpu-out}
B=${QS_CUDA_BUILD:-/tmp/qs-cuda}
D=${QUANTISCOPE_DATA:-$PWD/.gpu-data}
TAG=${5:-all}
W=resources/models/qs-ref-llm
mkdir -p /tmp/qs-w
for f in "$W"/*.safetensors; do [ -s "$f" ] && cp --update=none "$f" /tmp/qs-w/; done
cp --update=none /tmp/qs-w/*.safetensors "$W"/ 2> /dev/null
[ "${1:-}" = stage ] && { echo "kept $(ls /tmp/qs-w | wc -l) of 7 shards in /tmp/qs-w"; exit 0; }
[ "$(ls "$W"/*.safetensors 2> /dev/null | wc -l)" = 7 ] || { echo "error: $W has $(ls "$W"/*.safetensors 2> /dev/null | wc -l) of 7 weight shards (see the header)"; exit 3; }
mkdir -p "$OUT" /tmp/corpus
[ -s .gpu-corpus/heldout.txt.xz ] || [ -s /tmp/corpus/heldout.txt ] || { echo "error: .gpu-corpus/heldout.txt.xz is missing (carry it)"; exit 3; }
[ -s /tmp/corpus/heldout.txt ] || xz -dc .gpu-corpus/heldout.txt.xz > /tmp/corpus/heldout.txt
texts=()
for t in $(echo "${3:-wikitext,heldout}" | tr ',' ' '); do
  case $t in
    wikitext) texts+=("$D/eval/wikitext-2/wiki.test.raw");;
    heldout) texts+=("/tmp/corpus/heldout.txt");;
    *) echo "unknown text $t (wikitext, heldout)"; exit 2;;
  esac
done
# QS_NO_BUILD=1: parallel runs after one build (concurrent configures of one build folder collide).
[ -n "${QS_NO_BUILD:-}" ] || tools/gpu/decode.sh build > /tmp/sweep-build.txt 2>&1 || { tail -n 20 /tmp/sweep-build.txt; exit 1; }
start=$(date +%s)
# The codec list of docs/results/kv-accuracy.md, calibration on GSM8K (disjoint from both texts).
"$B/app/quantiscope" kv-sweep --models resources/models/qs-ref-llm --device cuda \
  --texts "$(IFS=,; echo "${texts[*]}")" --ctx 512 --protocols "${4:-prefill,decode}" --batch "${QS_SWEEP_BATCH:-16}" --keep-partial \
  --max-windows "${1:-0}" --decode-windows "${2:-16}" --calib-data "$D/eval/gsm8k/test.jsonl" --calib-tokens 32768 \
  --codecs "${QS_SWEEP_CODECS:-f32,q8_0,q4_0,kivi-4,kivi-2,rotatekv-4,rotatekv-3,rotatekv-2,rotatekv-2@reorder=none,rotatekv-2@sinks=0,\
rotatekv-2@meta=fp8,rotatekv-2@group=8,rotatekv-2@group=8:reorder=none,rotatekv-post-2,akvq-2,akvq-2@tsa=0,\
f16/rotatekv-2,rotatekv-2/f16,kivi-2/f16}" --csv "$OUT/ref-sweep-$TAG.csv" --md "$OUT/ref-sweep-$TAG.md" --force 2>&1 \
  | stdbuf -oL tr '\r' '\n' | tee "$OUT/ref-sweep-$TAG.log" | grep -v "windows\]" | tail -n 60
echo "sweep $TAG: $(( $(date +%s) - start )) s"
