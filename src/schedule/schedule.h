// Schedule: the GFT temperature beta(step) over fine-tuning (docs/method.md, "Gradual Fine-Tuning"). Every kind is
// exactly 0 from `anneal_steps` on; `constant` without an explicit anneal_steps never anneals (KL-regularised
// fine-tuning). The kinds are the rows of one table (schedule_kinds): adding a cooling schedule is a row, its
// shape function, its line in docs/method.md and its closed-form check in tests/test_stability.cpp.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace gftlab {

class Config;

struct ScheduleStage {
  double beta;
  double fraction;  // of anneal_steps
};

struct ScheduleKind;

struct ScheduleSettings {
  const ScheduleKind* kind = nullptr;
  double beta0 = 1.0;
  double beta_end = 0.0;
  int64_t anneal_steps = 0;  // resolved: beta = 0 from this step on
  double steepness = 10.0;   // `sigmoid`
  std::vector<ScheduleStage> stages;
};

// What a kind does with method.schedule.beta_end.
enum class EndRule {
  kUnused,       // `constant`, `step`
  kAtMostBeta0,  // cools from beta0 to beta_end in [0, beta0]; -1: 0
  kGeometric,    // 0 < beta_end <= beta0; -1: beta0 / 1000
};

struct ScheduleKind {
  std::string name;                                            // method.schedule.kind
  double (*beta)(const ScheduleSettings& s, double progress);  // progress = step / anneal_steps in [0, 1)
  EndRule end;
  bool anneals_by_default;  // false: without anneal_steps, beta stays beta0 for the whole run
  bool reads_stages;        // method.schedule.stages
};

// Every kind, in the order the schema lists them.
const std::vector<ScheduleKind>& schedule_kinds();
std::vector<std::string> schedule_kind_names();

class Schedule {
 public:
  explicit Schedule(ScheduleSettings settings);
  double beta(int64_t step) const;

 private:
  ScheduleSettings s_;
};

// Reads method.schedule.* and resolves the auto values (anneal_steps -1, beta_end -1) against the run's
// `finetune_steps`; ConfigError on inconsistent values.
Schedule make_schedule(const Config& cfg, int64_t finetune_steps);

}  // namespace gftlab
