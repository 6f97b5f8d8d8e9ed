#!/usr/bin/env bash
# On the GPU machine (no Qt, no ITK): build core, CLI and tests against PyTorch's LibTorch 2.x
# with CUDA, run every test (CUDA ones included), then the GPU benchmarks. Logs go to $OUT.
#   tools/gpu/build-and-test.sh [--bench | --mri | --kv]   (--bench: LLM and MRI benchmarks; --mri: MRI only;
#   --kv: every KV codec on CUDA vs CPU, and decode speed of each cache type on a 7B shape)
# Test assets: QUANTISCOPE_DATA (default ../shared/data; on the device machine the caller
# carries them in .gpu-data/).
set -euo pipefail
cd "$(dirname "$0")/../.."
OUT=${OUT:-/tmp/qs-gpu-out}
mkdir -p "$OUT"
if [ -z "${QUANTISCOPE_DATA:-}" ] && [ -d .gpu-data ]; then export QUANTISCOPE_DATA=$PWD/.gpu-data; fi
PREFIX=$(python3 -c 'import torch;print(torch.utils.cmake_prefix_path)')
export TORCH_CUDA_ARCH_LIST=${TORCH_CUDA_ARCH_LIST:-9.0a}
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader | tee "$OUT/gpu.txt"
python3 -c 'import torch;print("torch", torch.__version__, "cuda", torch.version.cuda)' | tee -a "$OUT/gpu.txt"

cmake -S . -B build-cuda -G Ninja -DCMAKE_BUILD_TYPE=Release -DQS_BUILD_GUI=OFF -DQS_WITH_CUDA=ON \
  -DCMAKE_PREFIX_PATH="$PREFIX" 2>&1 | tail -n 20 | tee "$OUT/configure.log"
cmake --build build-cuda -j "$(nproc)" 2>&1 | tail -n 40 | tee "$OUT/build.log"
# Tiny models: many torch threads per test only fight each other across parallel tests.
status=0
(cd build-cuda && OMP_NUM_THREADS=2 ctest --output-on-failure -j 8 2>&1) | tee "$OUT/ctest.log" | tail -n 30 || status=1
./build-cuda/tests/test_cuda --gtest_filter='Cuda.HalfAndBfloat16TrackFloat32' 2>&1 | grep tolerance | tee "$OUT/tolerance.txt" || true

if [ "${1:-}" = "--kv" ]; then
  ./build-cuda/tests/test_cuda --gtest_filter='CudaKv.*' 2>&1 | tee "$OUT/cuda_kv.txt" | tail -n 5 || true
  Q=./build-cuda/app/quantiscope
  {
    for c in f16 q8_0 q4_0 kivi-4 kivi-2 rotatekv-2 rotatekv-post-2 akvq-2; do
      opt=""; case $c in rotatekv*) opt="--kv-opt reorder=none";; esac  # random weights: no calibration file
      echo "### -ctk $c -ctv $c $opt"
      $Q bench --random-init llama2-7b --device cuda --dtype f16 -ctk $c -ctv $c $opt --batch 1,16 --prompt-tokens 512 --gen-tokens 64 --reps 2
    done
  } 2>&1 | tee "$OUT/kv_bench.md"
fi
if [ "${1:-}" = "--bench" ]; then
  Q=./build-cuda/app/quantiscope
  {
    $Q bench --model "$QUANTISCOPE_DATA/llm/stories260K/stories260K.gguf" --device cuda --batch 1,16 --prompt-tokens 128 --gen-tokens 128
    for dt in f16 bf16; do
      $Q bench --random-init llama2-7b --device cuda --dtype $dt -ctk $dt -ctv $dt --batch 1,16 --prompt-tokens 512 --gen-tokens 128 --reps 2
    done
  } 2>&1 | tee "$OUT/bench.md"
fi
if [ "${1:-}" = "--bench" ] || [ "${1:-}" = "--mri" ]; then
  # MRI: the same compare on CPU and CUDA (Colin27 slices 145:155 carried as fastMRI HDF5).
  Q=./build-cuda/app/quantiscope
  K=$QUANTISCOPE_DATA/mri/colin27_145_155.h5
  {
    for dev in cuda cpu; do
      echo "### single-coil, $dev"
      $Q mri compare "$K" --device $dev --iters 100 2>/dev/null
    done
    $Q mri simulate "$K" --coils 8 --out /tmp/colin8.h5 --force
    for dev in cuda cpu; do
      echo "### 8 coils (simulated), $dev"
      $Q mri compare /tmp/colin8.h5 --device $dev --iters 100 --accels 4 2>/dev/null
    done
  } 2>&1 | tee "$OUT/mri_compare.md"
fi
exit $status
