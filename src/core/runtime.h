// Process-level set-up and provenance: threads, the BLAS actually loaded, git state, versions, host.
#pragma once

#include <map>
#include <string>

namespace gftlab {

// Sets LibTorch's intra-op threads (0: all cores) and returns the number in use.
int set_threads(int requested);
// Keeps freed memory in the process: glibc's defaults return the buffers of every convolution step to the
// kernel and fault them in again (about 40% of an image run's time was system time).
void tune_allocator();
// OpenBLAS 0.3.21 (Debian 12) does not know recent Xeons (e.g. model 207): its detection falls through to
// the SSE3 "Prescott" kernels, 4x slower at float32 GEMM than the AVX-512 ones the CPU runs. Then this
// switches to the kernel OpenBLAS's own fallback would choose, as OPENBLAS_CORETYPE would (never when that
// is set, or with another BLAS). Call it first in main, before any BLAS call. Returns the kernel in use.
std::string select_blas_kernel();
// OpenBLAS's kernel name ("" for another BLAS).
std::string blas_core();
// Path of the BLAS library mapped into this process ("" if none is mapped yet).
std::string loaded_blas();
// A warning line when the loaded BLAS is the slow reference implementation; "" otherwise.
std::string blas_warning();

struct Provenance {
  std::string git_commit = "unknown";
  bool git_dirty = false;
  std::string host;
  std::map<std::string, std::string> versions;  // library name -> version
};
Provenance collect_provenance();
std::string utc_now_iso8601();

}  // namespace gftlab
