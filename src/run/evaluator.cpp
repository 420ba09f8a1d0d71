#include "run/evaluator.h"

#include <fmt/format.h>

#include <cmath>

#include "core/config.h"
#include "core/rng.h"
#include "core/stop_signal.h"
#include "data/distribution.h"
#include "io/run_layout.h"
#include "io/run_log.h"
#include "metrics/metric.h"
#include "metrics/metric_groups.h"
#include "path/path.h"
#include "run/run_checkpoint.h"
#include "run/run_file.h"

namespace gftlab {

RunData draw_run_data(const Config& cfg, const Distribution& target, const Path& path) {
  const uint64_t seed = static_cast<uint64_t>(cfg.get_int("seed"));
  RunData d;
  auto data_gen = make_generator(seed, "target-data");
  d.train_set = target.sample(cfg.get_int("target.n_train"), data_gen);
  const at::Tensor eval_set = target.held_out(cfg.get_int("target.n_eval"), data_gen);
  const int64_t n = cfg.get_int("eval.n_samples");
  d.reference = eval_set.narrow(0, 0, n);
  if (eval_set.size(0) >= 2 * n) d.floor_set = eval_set.narrow(0, n, n);
  d.probe = make_probe_set(eval_set, path, cfg.get_int("eval.probe_samples"), seed);
  auto noise_gen = make_generator(seed, "eval-noise");
  d.noise = at::randn(d.reference.sizes(), noise_gen, at::kFloat);
  return d;
}

void Evaluator::operator()(VelocityField& model, int64_t step, double train_seconds, RunLog& log, History& history) {
  EvalContext ctx(model, data_.noise, data_.reference, sampler_, features_, inception_);
  log.append(run_layout::kEvalStep, std::vector<int64_t>{step});
  log.append(run_layout::kEvalTrainSeconds, std::vector<double>{train_seconds});
  log.append(run_layout::kEvalProbeFmLoss, std::vector<double>{probe_fm_loss(model, data_.probe)});
  for (auto& metric : metrics_) {
    const bool once = final_only_.count(metric->group()) > 0;
    if (once && step != last_step_) continue;
    if (stop_requested())
      throw_stopped(fmt::format("evaluating '{}' at step {}", metric->group(), step), kContinuesRun);
    for (const auto& [name, value] : metric->compute(ctx)) {
      if (!once) log.append(run_layout::kEval + name, std::vector<double>{value});
      last_[name] = value;
    }
  }
  write_sample_grid(log, ctx, cfg_.get_int("eval.grid_samples"), step);
  const double q = last_.at(cfg_.get_string("stability.quality_metric"));
  append_quality(log, step, q);
  history.eval_steps.push_back(step);
  history.quality.push_back(q);
  log.flush();
}

void Evaluator::quality_only(VelocityField& model, int64_t step, RunLog& log) {
  EvalContext ctx(model, data_.noise, data_.reference, sampler_, features_, inception_);
  const auto& name = cfg_.get_string("stability.quality_metric");
  const auto& group = group_of_quality(name).name;
  for (auto& metric : metrics_)
    if (metric->group() == group)
      for (const auto& [metric_name, value] : metric->compute(ctx))
        if (metric_name == name) append_quality(log, step, value);
}

double Evaluator::noise_floor(VelocityField& model) {
  const auto& name = cfg_.get_string("stability.quality_metric");
  if (!data_.floor_set.defined() || (name != "w2" && name != "fd")) return std::nan("");
  EvalContext ctx(model, data_.noise, data_.reference, sampler_, features_, inception_);
  return name == "w2" ? ctx.w2_to_reference(data_.floor_set) : ctx.frechet_to_reference(data_.floor_set);
}

}  // namespace gftlab
