#!/usr/bin/env bash
# On the GPU machine: Nsight Compute on one launch of a kernel inside a quantiscope command.
#   tools/gpu/profile.sh REGEX [quantiscope arguments...]
# REGEX matches the mangled kernel name (e.g. mma_decode_kernelILi2ELi1). The report (speed of
# light, scheduler, warp stalls, instruction mix, occupancy) goes to $OUT/ncu-<n>.txt.
set -uo pipefail
cd "$(dirname "$0")/../.."
OUT=${OUT:-/tmp/qs-gpu-out}
B=${QS_CUDA_BUILD:-/tmp/qs-cuda}
mkdir -p "$OUT"
regex=$1; shift
NCU=$(command -v ncu || ls /usr/local/cuda*/bin/ncu /opt/nvidia/nsight-compute/*/ncu 2>/dev/null | head -n 1)
if [ -z "$NCU" ]; then echo "ncu not found"; exit 3; fi
n=$(ls "$OUT"/ncu-*.txt 2>/dev/null | wc -l)
"$NCU" --kernel-name-base mangled --kernel-name "regex:$regex" --launch-count 1 \
  --section SpeedOfLight --section SchedulerStats --section WarpStateStats --section InstructionStats \
  --section Occupancy --section LaunchStats --section MemoryWorkloadAnalysis --section SourceCounters \
  "$B/app/quantiscope" "$@" > "$OUT/ncu-$n.txt" 2>&1
echo "ncu exit $?: $OUT/ncu-$n.txt"
grep -E "Duration|Memory Throughput|DRAM Throughput|Compute \(SM\)|Executed Ipc|Issue Slots Busy|No Eligible|Registers Per|Achieved Occupancy|Theoretical Occupancy|Stall|Warp Cycles Per Issued|Executed Instructions  " "$OUT/ncu-$n.txt" | head -n 40
