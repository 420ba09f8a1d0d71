#include "train/lr_schedule.h"

#include <algorithm>
#include <cmath>

namespace gftlab {

const std::vector<std::string>& lr_schedule_names() {
  static const std::vector<std::string> names = {"constant", "warmup_cosine"};
  return names;
}

double LrSchedule::at(int64_t step) const {
  if (kind == LrKind::kConstant) return lr;
  if (step < warmup_steps) return lr * static_cast<double>(step + 1) / static_cast<double>(warmup_steps);
  const double span = std::max<int64_t>(1, total_steps - warmup_steps);
  const double progress = std::min(1.0, static_cast<double>(step - warmup_steps) / span);
  const double floor = lr * min_lr_ratio;
  return floor + (lr - floor) * 0.5 * (1.0 + std::cos(M_PI * progress));
}

}  // namespace gftlab
