// `gftlab sweep collect`: one summary.h5 per sweep with an external link to every run file and a flat
// table (one row per planned run, whatever its state) for the analysis. Schema in docs/sweeps.md.
#pragma once

#include <string>

#include "sweep/sweep_plan.h"

namespace gftlab {

struct CollectCounts {
  std::string path;  // <directory>/summary.h5
  int complete = 0, diverged = 0, failed = 0, pending = 0;
};

// Writes <directory>/summary.h5 atomically (temporary name, then rename).
CollectCounts collect_sweep(const SweepPlan& plan);

}  // namespace gftlab
