#!/usr/bin/env bash
# The runs behind docs/results/gpu-decode.md on the GPU machine: build, the kernel tests
# (+ compute-sanitizer), bench-kernels (both decode kernels side by side, FWHT), then bench-decode
# on the Llama-2-7B and Llama-3-8B shapes (random weights: speed only). A 30-minute device budget
# and the 600 s per-call limit split this into the calls below (each one call of `run`):
#   tools/gpu/decode-report.sh kernels   build, tests, bench-kernels
#   tools/gpu/decode-report.sh llama2    bench-decode rows for Llama-2-7B (+ max batch at 32K)
#   tools/gpu/decode-report.sh llama3    bench-decode rows for Llama-3-8B
# Tables go to $OUT/bench-kernels.md and $OUT/bench-decode.md.
set -uo pipefail
cd "$(dirname "$0")/../.."
D=tools/gpu/decode.sh
C5="f16,q8_0,q4_0,rotatekv-post-2@reorder=none,akvq-2"
C7="$C5,kivi-2"
common="--device cuda --dtype f16 --gen-tokens 16 --fill random"
case ${1:-kernels} in
  kernels)
    $D build check kernels -- ;;
  llama2)
    $D build decode --random-init llama2-7b $common --caches $C7 --batch 1 --ctx 512,32768,131072 -- \
       decode --random-init llama2-7b $common --caches $C7 --batch 16,32 --ctx 4096 -- \
       decode --random-init llama2-7b $common --caches f16,q4_0,rotatekv-post-2@reorder=none,akvq-2 --batch 1 --ctx 512 --max-batch 32768 -- \
       2>&1 | grep -v '^\[warn\]' ;;
  llama3)
    $D build decode --random-init llama3-8b $common --caches $C5 --batch 1,16 --ctx 4096,32768 -- 2>&1 | grep -v '^\[warn\]' ;;
  *) echo "usage: $0 kernels|llama2|llama3"; exit 2 ;;
esac
