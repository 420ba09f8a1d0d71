#include "schedule/schedule.h"

#include <cmath>
#include <fmt/format.h>

#include "core/config.h"
#include "core/names.h"

namespace gftlab {
namespace {

constexpr double kDefaultAnnealFraction = 0.7;
constexpr double kExponentialDefaultRatio = 1e-3;

std::vector<ScheduleStage> read_stages(const Config& cfg) {
  const std::string key = "method.schedule.stages";
  const Value& v = cfg.get(key);
  if (v.numbers.empty()) throw cfg.error(key, "`step` needs a non-empty list of [beta, fraction] pairs");
  if (v.shape.size() != 2 || v.shape[1] != 2)
    throw cfg.error(key, "must be a list of [beta, fraction] pairs, e.g. [[4, 0.5], [1, 0.5]]");
  std::vector<ScheduleStage> stages;
  double total = 0.0;
  for (size_t k = 0; k < v.numbers.size(); k += 2) {
    const ScheduleStage stage{v.numbers[k], v.numbers[k + 1]};
    if (!(stage.beta >= 0.0) || !(stage.fraction > 0.0))
      throw cfg.error(key, "each stage needs beta >= 0 and fraction > 0");
    total += stage.fraction;
    stages.push_back(stage);
  }
  if (std::abs(total - 1.0) > 1e-9)
    throw cfg.error(key, fmt::format("stage fractions (of anneal_steps) must sum to 1, not {}", total));
  return stages;
}

}  // namespace

const std::vector<std::string>& schedule_kind_names() {
  static const std::vector<std::string> names = {"constant", "linear", "cosine", "exponential", "step"};
  return names;
}

Schedule::Schedule(ScheduleSettings settings) : s_(std::move(settings)) {}

double Schedule::beta(int64_t step) const {
  if (step >= s_.anneal_steps) return 0.0;
  return annealing(static_cast<double>(step) / static_cast<double>(s_.anneal_steps));
}

double Schedule::annealing(double p) const {
  switch (s_.kind) {
    case ScheduleKind::kConstant: return s_.beta0;
    case ScheduleKind::kLinear: return s_.beta0 + (s_.beta_end - s_.beta0) * p;
    case ScheduleKind::kCosine: return s_.beta_end + (s_.beta0 - s_.beta_end) * 0.5 * (1.0 + std::cos(M_PI * p));
    case ScheduleKind::kExponential: return s_.beta0 * std::pow(s_.beta_end / s_.beta0, p);
    case ScheduleKind::kStep: break;
  }
  double end = 0.0;
  for (const auto& stage : s_.stages) {
    end += stage.fraction;
    if (p < end) return stage.beta;
  }
  return s_.stages.back().beta;  // p just below 1 after rounding of the fractions (read_stages: never empty)
}

Schedule make_schedule(const Config& cfg) {
  ScheduleSettings s;
  s.kind = enum_from_name<ScheduleKind>(cfg.get_string("method.schedule.kind"), schedule_kind_names());
  s.beta0 = cfg.get_float("method.schedule.beta0");
  const int64_t steps = cfg.get_int("finetune.steps");
  const int64_t anneal = cfg.get_int("method.schedule.anneal_steps");
  if (anneal >= 0) s.anneal_steps = anneal;
  else if (s.kind == ScheduleKind::kConstant) s.anneal_steps = std::max<int64_t>(steps, 1) + 1;  // never within the run
  else s.anneal_steps = static_cast<int64_t>(std::llround(kDefaultAnnealFraction * static_cast<double>(steps)));
  const double end = cfg.get_float("method.schedule.beta_end");
  s.beta_end = end >= 0 ? end : (s.kind == ScheduleKind::kExponential ? s.beta0 * kExponentialDefaultRatio : 0.0);
  if (s.kind == ScheduleKind::kStep) s.stages = read_stages(cfg);
  if ((s.kind == ScheduleKind::kLinear || s.kind == ScheduleKind::kCosine) && s.beta_end > s.beta0)
    throw cfg.error("method.schedule.beta_end", fmt::format("must not exceed beta0 = {} (beta only cools)", s.beta0));
  if (s.kind == ScheduleKind::kExponential && !(s.beta_end > 0.0 && s.beta_end <= s.beta0))
    throw cfg.error("method.schedule.beta_end",
                    fmt::format("`exponential` needs 0 < beta_end <= beta0 = {} (geometric decay)", s.beta0));
  return Schedule(std::move(s));
}

}  // namespace gftlab
