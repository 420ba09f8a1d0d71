// The test binary's entry point: the process set-up of `gftlab` itself (the BLAS kernel), then Catch2.
#define CATCH_CONFIG_RUNNER
#include <catch2/catch.hpp>

#include "core/runtime.h"

int main(int argc, char** argv) {
  gftlab::select_blas_kernel();
  return Catch::Session().run(argc, argv);
}
