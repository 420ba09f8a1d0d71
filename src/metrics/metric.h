// Metric: one group of evaluation numbers. The evaluator shares generated samples between metrics.
#pragma once

#include <ATen/ATen.h>

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "metrics/path_metrics.h"

namespace gftlab {

class Config;
class Distribution;
class FeatureSpace;
class GaussianMixture;
class Sampler;
class VelocityField;

using MetricValues = std::vector<std::pair<std::string, double>>;

// What one evaluation sees: the model, fixed noise, held-out reference samples, and a cache of the
// samples generated with the configured sampler; for images also the feature space of the image metrics.
// Euler trajectories from the noise are integrated once per step count, with their path statistics: the
// sampler (when it is Euler), the path metrics and the ladder's rungs share them.
class EvalContext {
 public:
  EvalContext(VelocityField& model, const at::Tensor& noise, const at::Tensor& reference, const Sampler& sampler,
              FeatureSpace* features = nullptr, FeatureSpace* inception = nullptr)
      : model_(model),
        noise_(noise),
        reference_(reference),
        sampler_(sampler),
        features_(features),
        inception_(inception) {}
  VelocityField& model() { return model_; }
  const at::Tensor& noise() const { return noise_; }
  const at::Tensor& reference() const { return reference_; }
  const at::Tensor& generated();
  int64_t generated_nfe();
  struct EulerRun {
    Solution solution;  // x: the samples at t = 1
    PathStats path;
  };
  const EulerRun& euler(int64_t steps);
  // Image runs, or a supplied extractor: the feature space of FD and the diversity scores.
  bool has_features() const { return features_ != nullptr; }
  at::Tensor features_of(const at::Tensor& images);
  const at::Tensor& generated_features();
  const at::Tensor& reference_features();
  // eval.fid.inception: the Inception space of FID and KID (null without one).
  FeatureSpace* inception() { return inception_; }
  const at::Tensor& generated_inception_features();
  // Exact W2 of samples against the held-out ones; the generated samples' is computed once.
  double w2_to_reference(const at::Tensor& x);
  // FD of images against the held-out ones (their statistics are computed once per run).
  double frechet_to_reference(const at::Tensor& images);

 private:
  VelocityField& model_;
  const at::Tensor& noise_;
  const at::Tensor& reference_;
  const Sampler& sampler_;
  FeatureSpace* features_;
  FeatureSpace* inception_;
  at::Tensor generated_, generated_features_, generated_inception_features_;
  int64_t nfe_ = 0;
  std::optional<double> generated_w2_;
  std::map<int64_t, EulerRun> euler_runs_;
};

// A metric lives for one run: the reference samples are the same at every call, so what depends on them
// alone may be computed at the first.
class Metric {
 public:
  virtual ~Metric() = default;
  virtual MetricValues compute(EvalContext& ctx) = 0;
  // Its row's name in metric_groups() (set by make_metrics).
  const std::string& group() const { return group_; }

 private:
  friend std::vector<std::unique_ptr<Metric>> make_metrics(const Config&, const Distribution&, uint64_t);
  std::string group_;
};

// Builds the metric groups selected by eval.metrics for this target; ConfigError when a named group
// does not apply (e.g. velocity_error on a non-analytic target).
std::vector<std::unique_ptr<Metric>> make_metrics(const Config& cfg, const Distribution& target, uint64_t seed);

}  // namespace gftlab
