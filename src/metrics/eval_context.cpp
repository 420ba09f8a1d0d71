// EvalContext: what one evaluation computes once and every metric group shares (metrics/metric.h).
#include <cmath>

#include "features/feature_space.h"
#include "features/frechet.h"
#include "metrics/metric.h"
#include "metrics/sample_distances.h"
#include "model/velocity_field.h"
#include "sampler/sampler.h"

namespace gftlab {

const at::Tensor& EvalContext::generated() {
  if (generated_.defined()) return generated_;
  const auto* fixed = dynamic_cast<const FixedStepSampler*>(&sampler_);
  const auto solution = fixed && fixed->method() == FixedMethod::kEuler
                            ? euler(fixed->steps()).solution
                            : sampler_.solve(field_of(model_), noise_, 0.0, 1.0);
  generated_ = solution.x;
  nfe_ = solution.nfe;
  return generated_;
}

const EvalContext::EulerRun& EvalContext::euler(int64_t steps) {
  const auto found = euler_runs_.find(steps);
  if (found != euler_runs_.end()) return found->second;
  EulerRun run;
  run.solution = FixedStepSampler(FixedMethod::kEuler, steps).solve(field_of(model_), noise_, 0.0, 1.0, &run.path);
  return euler_runs_.emplace(steps, std::move(run)).first->second;
}

int64_t EvalContext::generated_nfe() {
  generated();
  return nfe_;
}

at::Tensor EvalContext::features_of(const at::Tensor& images) { return features_->features(images); }

const at::Tensor& EvalContext::generated_features() {
  if (!generated_features_.defined()) generated_features_ = features_of(generated());
  return generated_features_;
}

const at::Tensor& EvalContext::generated_inception_features() {
  if (!generated_inception_features_.defined()) generated_inception_features_ = inception_->features(generated());
  return generated_inception_features_;
}

const at::Tensor& EvalContext::reference_features() { return features_->reference_features(reference_); }

double EvalContext::w2_to_reference(const at::Tensor& x) {
  if (!generated_.defined() || !x.is_same(generated_)) return exact_w2(x, reference_);
  if (!generated_w2_) generated_w2_ = exact_w2(x, reference_);
  return *generated_w2_;
}

double EvalContext::frechet_to_reference(const at::Tensor& images) {
  if (!at::isfinite(images).all().item<bool>()) return std::nan("");
  const auto& reference = features_->reference_stats(reference_);  // first: the run's first long evaluation stage
  const auto& features = images.is_same(generated_) ? generated_features() : features_of(images);
  return frechet_distance(gaussian_stats(features), reference);
}

}  // namespace gftlab
