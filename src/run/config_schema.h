// The configuration schema of every layer together, and what each gftlab program does first.
#pragma once

#include <vector>

#include "core/config.h"

namespace gftlab {

const std::vector<KeySpec>& full_config_schema();

// First thing in main: the BLAS kernel chosen (select_blas_kernel: before any BLAS call), the allocator tuned
// (tune_allocator), and the schema installed for Config.
void start_program();

}  // namespace gftlab
