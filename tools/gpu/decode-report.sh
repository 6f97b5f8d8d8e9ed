#!/usr/bin/env bash
# The runs behind docs/results/gpu-decode.md, in one call on the GPU machine: build, the kernel
# tests (+ compute-sanitizer), bench-kernels, then bench-decode on the Llama-2-7B and Llama-3-8B
# shapes (random weights: speed only). Tables go to $OUT/bench-decode.md and bench-kernels.md.
set -uo pipefail
cd "$(dirname "$0")/../.."
D=tools/gpu/decode.sh
C7="f16,q8_0,q4_0,kivi-2,rotatekv-post-2@reorder=none,akvq-2"
common="--device cuda --dtype f16 --gen-tokens 16 --fill random"
$D build check kernels || true
$D decode --random-init llama2-7b $common --caches $C7 --batch 1 --ctx 512,32768,131072 -- \
   decode --random-init llama2-7b $common --caches $C7 --batch 16,32,64 --ctx 4096 -- \
   decode --random-init llama2-7b --device cuda --dtype f16 --gen-tokens 16 --fill prefill --caches f16,q4_0,akvq-2 --batch 16 --ctx 4096 -- \
   decode --random-init llama2-7b $common --caches f16,q8_0,q4_0,rotatekv-post-2@reorder=none,akvq-2 --batch 1 --ctx 512 --max-batch 32768 -- \
   decode --random-init llama3-8b $common --caches f16,q4_0,rotatekv-post-2@reorder=none,akvq-2 --batch 1,16 --ctx 4096,32768 -- \
   2>&1 | grep -v '^\[warn\]'
