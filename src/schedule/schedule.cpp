#include "schedule/schedule.h"

#include <algorithm>
#include <cmath>
#include <fmt/format.h>

#include "core/config.h"
#include "core/names.h"

namespace gftlab {
namespace {

constexpr double kDefaultAnnealFraction = 0.7;
constexpr double kExponentialDefaultRatio = 1e-3;

double constant(const ScheduleSettings& s, double) { return s.beta0; }
double linear(const ScheduleSettings& s, double p) { return s.beta0 + (s.beta_end - s.beta0) * p; }
double cosine(const ScheduleSettings& s, double p) {
  return s.beta_end + (s.beta0 - s.beta_end) * 0.5 * (1.0 + std::cos(M_PI * p));
}
double exponential(const ScheduleSettings& s, double p) { return s.beta0 * std::pow(s.beta_end / s.beta0, p); }
// A logistic curve centred at half the annealing, rescaled to run exactly from beta0 (p = 0) to beta_end (p = 1):
// beta holds near beta0, cools fastest at the midpoint, and settles near beta_end.
double sigmoid(const ScheduleSettings& s, double p) {
  const auto logistic = [k = s.steepness](double x) { return 1.0 / (1.0 + std::exp(-k * (x - 0.5))); };
  const double fall = (logistic(1.0) - logistic(p)) / (logistic(1.0) - logistic(0.0));  // 1 at p = 0, 0 at p = 1
  return s.beta_end + (s.beta0 - s.beta_end) * fall;
}
double step(const ScheduleSettings& s, double p) {
  double end = 0.0;
  for (const auto& stage : s.stages) {
    end += stage.fraction;
    if (p < end) return stage.beta;
  }
  return s.stages.back().beta;  // p just below 1 after rounding of the fractions (read_stages: never empty)
}

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

// beta_end as the kind reads it: -1 resolved, the range checked.
double resolve_end(const Config& cfg, const ScheduleKind& kind, double beta0) {
  const double end = cfg.get_float("method.schedule.beta_end");
  switch (kind.end) {
    case EndRule::kUnused: return 0.0;
    case EndRule::kAtMostBeta0:
      if (end > beta0)
        throw cfg.error("method.schedule.beta_end", fmt::format("must not exceed beta0 = {} (beta only cools)", beta0));
      return end >= 0 ? end : 0.0;
    case EndRule::kGeometric: {
      const double resolved = end >= 0 ? end : beta0 * kExponentialDefaultRatio;
      if (!(resolved > 0.0 && resolved <= beta0))
        throw cfg.error("method.schedule.beta_end",
                        fmt::format("`{}` needs 0 < beta_end <= beta0 = {} (geometric decay)", kind.name, beta0));
      return resolved;
    }
  }
  return 0.0;
}

}  // namespace

const std::vector<ScheduleKind>& schedule_kinds() {
  static const std::vector<ScheduleKind> kinds = {
      {"constant", constant, EndRule::kUnused, false, false},
      {"linear", linear, EndRule::kAtMostBeta0, true, false},
      {"cosine", cosine, EndRule::kAtMostBeta0, true, false},
      {"exponential", exponential, EndRule::kGeometric, true, false},
      {"sigmoid", sigmoid, EndRule::kAtMostBeta0, true, false},
      {"step", step, EndRule::kUnused, true, true},
  };
  return kinds;
}

std::vector<std::string> schedule_kind_names() { return kind_names(schedule_kinds()); }

Schedule::Schedule(ScheduleSettings settings) : s_(std::move(settings)) {}

double Schedule::beta(int64_t step) const {
  if (step >= s_.anneal_steps) return 0.0;
  return s_.kind->beta(s_, static_cast<double>(step) / static_cast<double>(s_.anneal_steps));
}

Schedule make_schedule(const Config& cfg, int64_t finetune_steps) {
  const ScheduleKind* kind = &kind_named(schedule_kinds(), cfg.get_string("method.schedule.kind"));
  ScheduleSettings s;
  s.kind = kind;
  s.beta0 = cfg.get_float("method.schedule.beta0");
  s.steepness = cfg.get_float("method.schedule.steepness");
  const int64_t steps = finetune_steps;
  const int64_t anneal = cfg.get_int("method.schedule.anneal_steps");
  if (anneal >= 0)
    s.anneal_steps = anneal;
  else if (!kind->anneals_by_default)
    s.anneal_steps = std::max<int64_t>(steps, 1) + 1;  // never within the run
  else
    s.anneal_steps = static_cast<int64_t>(std::llround(kDefaultAnnealFraction * static_cast<double>(steps)));
  s.beta_end = resolve_end(cfg, *kind, s.beta0);
  if (kind->reads_stages) s.stages = read_stages(cfg);
  return Schedule(std::move(s));
}

}  // namespace gftlab
