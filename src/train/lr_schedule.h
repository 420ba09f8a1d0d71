// Learning-rate schedules, a pure function of the step.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace gftlab {

enum class LrKind { kConstant, kWarmupCosine };
// The names of pretrain/finetune.lr_schedule, in LrKind's order.
const std::vector<std::string>& lr_schedule_names();

struct LrSchedule {
  LrKind kind = LrKind::kConstant;
  double lr = 1e-3;
  int64_t warmup_steps = 0;
  int64_t total_steps = 1;
  double min_lr_ratio = 0.1;

  double at(int64_t step) const;
};

}  // namespace gftlab
