// The test binary's entry point: the process set-up of `gftlab` itself (the BLAS kernel), then Catch2.
#define CATCH_CONFIG_RUNNER
#include <catch2/catch.hpp>

#include "core/runtime.h"

int main(int argc, char** argv) {
  gftlab::select_blas_kernel();
  // One thread per test process: `ctest -j` runs as many processes as there are cores, and two 2-thread
  // processes on 2 cores ran a training step 3x slower each, against 1.2x for two 1-thread processes.
  gftlab::set_threads(1);
  return Catch::Session().run(argc, argv);
}
