// What a run draws from its seed before training, and one evaluation of its EMA model.
#pragma once

#include <ATen/ATen.h>

#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "train/probe_loss.h"

namespace gftlab {

class Config;
class Distribution;
class FeatureSpace;
class Metric;
class Path;
class RunLog;
class Sampler;
class VelocityField;
struct History;

// What a run draws from its seed before training: the finite training set, the held-out reference samples,
// the fixed evaluation noise and the probe set, each from its own generator.
struct RunData {
  at::Tensor train_set, reference, noise;
  at::Tensor floor_set;  // held-out samples disjoint from `reference`, as many (undefined when too few)
  ProbeSet probe;
};

RunData draw_run_data(const Config& cfg, const Distribution& target, const Path& path);

// One evaluation of the EMA model: every metric group (the final-only ones at the last step), the probe
// loss and the sample grid into the log, and the quality metric into the stability history.
class Evaluator {
 public:
  Evaluator(const Config& cfg, std::vector<std::unique_ptr<Metric>>& metrics, const std::set<std::string>& final_only,
            const Sampler& sampler, FeatureSpace* features, FeatureSpace* inception, const RunData& data,
            int64_t last_step)
      : cfg_(cfg),
        metrics_(metrics),
        final_only_(final_only),
        sampler_(sampler),
        features_(features),
        inception_(inception),
        data_(data),
        last_step_(last_step) {}

  void operator()(VelocityField& model, int64_t step, double train_seconds, RunLog& log, History& history);
  // The quality metric alone, between the full evaluations (eval.dense_every): the speed measure's crossing.
  void quality_only(VelocityField& model, int64_t step, RunLog& log);
  // The quality metric between two disjoint held-out sets of its own size: the smallest difference it resolves.
  double noise_floor(VelocityField& model);
  // Each metric's value at the latest evaluation.
  const std::map<std::string, double>& last() const { return last_; }

 private:
  const Config& cfg_;
  std::vector<std::unique_ptr<Metric>>& metrics_;
  const std::set<std::string>& final_only_;
  const Sampler& sampler_;
  FeatureSpace* features_;
  FeatureSpace* inception_;
  const RunData& data_;
  int64_t last_step_;
  std::map<std::string, double> last_;
};

}  // namespace gftlab
