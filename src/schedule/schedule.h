// Schedule: the GFT temperature beta(step) over fine-tuning (docs/method.md, "Gradual Fine-Tuning"). Every kind is
// exactly 0 from `anneal_steps` on; `constant` without an explicit anneal_steps never anneals (KL-regularised
// fine-tuning).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace gftlab {

class Config;

struct ScheduleStage {
  double beta;
  double fraction;  // of anneal_steps
};

enum class ScheduleKind { kConstant, kLinear, kCosine, kExponential, kStep };
// The names of method.schedule.kind, in ScheduleKind's order.
const std::vector<std::string>& schedule_kind_names();

struct ScheduleSettings {
  ScheduleKind kind = ScheduleKind::kConstant;
  double beta0 = 1.0;
  double beta_end = 0.0;
  int64_t anneal_steps = 0;  // resolved: beta = 0 from this step on
  std::vector<ScheduleStage> stages;
};

class Schedule {
 public:
  explicit Schedule(ScheduleSettings settings);
  double beta(int64_t step) const;

 private:
  double annealing(double progress) const;
  ScheduleSettings s_;
};

// Reads method.schedule.* and resolves the auto values (anneal_steps -1, beta_end -1) against
// finetune.steps; ConfigError on inconsistent values.
Schedule make_schedule(const Config& cfg);

}  // namespace gftlab
