// glibc hands every freed block over 128 KiB back to the OS and maps fresh zeroed pages for the
// next one, so solvers that make multi-megabyte temporaries each iteration spend most of their
// time in page faults. Measured on a 10-slice Colin27 batch, 30 cs-wavelet iterations on the
// 2-core VM: 515k faults and 1.15 s per slice by default, 74k faults and 0.26-0.36 s per slice
// with blocks up to 32 MiB kept on the heap. mallopt() from main() or from a load-time
// initialiser did not take effect in our executables (the fault count stayed at 515k) while the
// same settings as glibc tunables at process start did, hence the re-exec.
#pragma once

namespace qs {

// Unless GLIBC_TUNABLES already sets malloc thresholds (or QS_KEEP_MALLOC is set), re-executes
// the program once with glibc.malloc.mmap_threshold=32 MiB and trim_threshold=1 GiB added.
// Returns (without re-executing) when that is not possible.
void reexec_with_tensor_friendly_malloc(char** argv);

}  // namespace qs
