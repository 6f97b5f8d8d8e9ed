#!/usr/bin/env bash
# On the GPU machine: the fused decode kernels and the decode benchmarks (issue: GPU decode).
#   tools/gpu/decode.sh build     configure + build (build dir outside the carried tree: /tmp/qs-cuda)
#   tools/gpu/decode.sh check     the kernel tests, compute-sanitizer memcheck/racecheck on them, the CUDA KV tests
#   tools/gpu/decode.sh kernel-tests  the same without the CUDA KV tests
#   tools/gpu/decode.sh kernels A quantiscope bench-kernels with the arguments A... (end them with --)
#   tools/gpu/decode.sh decode A  quantiscope bench-decode with the arguments A...
# Steps chain: `decode.sh build check kernels -- decode A`. Logs and tables go to $OUT.
set -uo pipefail
cd "$(dirname "$0")/../.."
OUT=${OUT:-/tmp/qs-gpu-out}
B=${QS_CUDA_BUILD:-/tmp/qs-cuda}
mkdir -p "$OUT"
if [ -z "${QUANTISCOPE_DATA:-}" ] && [ -d .gpu-data ]; then export QUANTISCOPE_DATA=$PWD/.gpu-data; fi
Q=$B/app/quantiscope
status=0
while [ $# -gt 0 ]; do
  step=$1; shift
  case $step in
    build)
      PREFIX=$(python3 -c 'import torch;print(torch.utils.cmake_prefix_path)')
      export TORCH_CUDA_ARCH_LIST=${TORCH_CUDA_ARCH_LIST:-9.0a}
      nvidia-smi --query-gpu=name,memory.total,driver_version,clocks.sm,clocks.mem --format=csv,noheader | tee "$OUT/gpu.txt"
      cmake -S . -B "$B" -G Ninja -DCMAKE_BUILD_TYPE=Release -DQS_BUILD_GUI=OFF -DQS_WITH_CUDA=ON -DCMAKE_PREFIX_PATH="$PREFIX" > "$OUT/configure.log" 2>&1 || { tail -n 30 "$OUT/configure.log"; exit 1; }
      cmake --build "$B" -j "$(nproc)" > "$OUT/build.log" 2>&1 || { grep -E "error|Error" "$OUT/build.log" | head -n 40; exit 1; }
      echo "build ok";;
    check|kernel-tests)
      "$B/tests/test_cuda" --gtest_filter='PackedAttention.*:QuantizeRows.*:FwhtKernel.*' 2>&1 | tee "$OUT/packed_attention.txt" | tail -n 6 || status=1
      if command -v compute-sanitizer > /dev/null; then
        for tool in memcheck racecheck; do
          compute-sanitizer --tool $tool --error-exitcode 9 "$B/tests/test_cuda" --gtest_filter='PackedAttention.SaysWhyItCannotRun:PackedAttention.Sanitizer*:FwhtKernel.InPlaceAndThroughFwht' > "$OUT/sanitizer-$tool.txt" 2>&1
          echo "compute-sanitizer $tool: exit $? ($(grep -c 'ERROR SUMMARY: 0 errors\|RACECHECK SUMMARY: 0 hazards' "$OUT/sanitizer-$tool.txt") clean summaries)"
        done
      else
        echo "compute-sanitizer not found"
      fi
      if [ "$step" = check ]; then
        "$B/tests/test_cuda" --gtest_filter='CudaKv.*:CudaFused.*' 2>&1 | tee "$OUT/cuda_kv.txt" | grep -E "OK|FAILED|fused|error" | tail -n 30 || status=1
      fi;;
    ctest)
      (cd "$B" && OMP_NUM_THREADS=2 ctest -j 8 2>&1) > "$OUT/ctest.log"; tail -n 4 "$OUT/ctest.log"; grep -E "Failed|\*\*\*" "$OUT/ctest.log" | head;;
    kernels)
      args=()
      while [ $# -gt 0 ] && [ "$1" != "--" ]; do args+=("$1"); shift; done
      [ $# -gt 0 ] && shift
      echo "### quantiscope bench-kernels ${args[*]}" | tee -a "$OUT/bench-kernels.md"
      "$Q" bench-kernels "${args[@]}" 2>&1 | tee -a "$OUT/bench-kernels.md";;
    decode)
      args=()
      while [ $# -gt 0 ] && [ "$1" != "--" ]; do args+=("$1"); shift; done
      [ $# -gt 0 ] && shift
      echo "### quantiscope bench-decode ${args[*]}" | tee -a "$OUT/bench-decode.md"
      "$Q" bench-decode "${args[@]}" 2>&1 | tee -a "$OUT/bench-decode.md";;
    *) echo "unknown step $step"; exit 2;;
  esac
done
exit $status
