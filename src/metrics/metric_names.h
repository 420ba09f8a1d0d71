#pragma once

#include <string>
#include <vector>

namespace gftlab {

// Metric groups selectable with eval.metrics; "all" means every group that applies to the target.
inline std::vector<std::string> metric_group_names() {
  return {"all", "w2", "sliced_w2", "mmd", "energy", "nll", "velocity_error", "target_nll",
          "diversity", "fd", "path", "adaptive_nfe", "euler_ladder"};
}

}  // namespace gftlab
