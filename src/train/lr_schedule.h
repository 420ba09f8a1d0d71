// Learning-rate schedules, a pure function of the step.
#pragma once

#include <cstdint>
#include <string>

namespace gftlab {

struct LrSchedule {
  std::string kind = "constant";  // constant | warmup_cosine
  double lr = 1e-3;
  int64_t warmup_steps = 0;
  int64_t total_steps = 1;
  double min_lr_ratio = 0.1;

  double at(int64_t step) const;
};

}  // namespace gftlab
