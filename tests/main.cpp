// The test binary's entry point: the process set-up of `gftlab` itself (the BLAS kernel, the allocator), then
// Catch2.
#define CATCH_CONFIG_RUNNER
#include <catch2/catch.hpp>

#include <system_error>

#include "core/runtime.h"
#include "scratch.h"
#include "run/config_schema.h"

int main(int argc, char** argv) {
  gftlab::start_program();
  // One thread per test process: `ctest -j` runs as many processes as there are cores, and two 2-thread
  // processes on 2 cores ran a training step 3x slower each, against 1.2x for two 1-thread processes.
  gftlab::set_threads(1);
  const int failed = Catch::Session().run(argc, argv);
  std::error_code ignored;
  std::filesystem::remove_all(gftlab::testing::scratch_dir(), ignored);
  return failed;
}
