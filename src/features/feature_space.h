// The feature space of the feature-based metrics for one run (FD, precision/recall, density/coverage and
// Vendi in gftlab's own network's or a supplied module's space; FID and KID in Inception's): the extractor
// is made when an evaluation first needs it, and the held-out samples' features are computed once.
#pragma once

#include <ATen/ATen.h>

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "features/feature_net.h"
#include "features/frechet.h"

namespace gftlab {

class FeatureSpace {
 public:
  // With a `cache_dir`, the held-out samples' features are kept in a content store there, named by the
  // hash of (the samples' bytes, the extractor's id): the arms of a sweep share a seed, hence these samples.
  explicit FeatureSpace(std::function<FeatureExtractor()> make, std::string cache_dir = "")
      : make_(std::move(make)), cache_dir_(std::move(cache_dir)) {}
  const FeatureExtractor& extractor();
  at::Tensor features(const at::Tensor& samples, const char* whose = kEvaluatedSamples) {
    return extractor()(samples, whose);
  }
  // Features of the held-out reference samples (the same tensor at every evaluation of a run).
  const at::Tensor& reference_features(const at::Tensor& reference);
  // Their Gaussian statistics, what every FD of the run compares against.
  const GaussianStats& reference_stats(const at::Tensor& reference);
  bool loaded() const { return extractor_.has_value(); }

 private:
  at::Tensor cached_reference_features(const at::Tensor& reference);

  std::function<FeatureExtractor()> make_;
  std::string cache_dir_;
  std::optional<FeatureExtractor> extractor_;
  at::Tensor reference_features_;
  GaussianStats reference_stats_;
};

class Config;

// gftlab's own network takes Fashion-MNIST's images; others need a supplied extractor.
inline bool own_feature_net_takes(const std::vector<int64_t>& sample_shape) {
  return sample_shape == std::vector<int64_t>{1, 28, 28};
}

// What the configuration supplies to the metrics of feature spaces (eval.features.*, eval.fid.*).
struct FeatureSettings {
  bool torchscript = false;  // eval.features.torchscript is set
  bool inception = false;    // eval.fid.inception is set
  int64_t kid_subsets = 0;
  int64_t kid_subset_size = 0;
  static FeatureSettings from_config(const Config& cfg);
};

// The configured spaces. Features: eval.features.torchscript, else gftlab's own network for 1 x 28 x 28 images (loaded
// or trained when an evaluation first needs it), else none. Inception: eval.fid.inception, else none. A supplied module
// is loaded and probed here, before any work (ConfigError), and the held-out samples' features in its space are kept in
// <output.features_dir>/reference: through Inception they may cost minutes.
std::unique_ptr<FeatureSpace> make_feature_space(const Config& cfg, const std::vector<int64_t>& sample_shape);
std::unique_ptr<FeatureSpace> make_inception_space(const Config& cfg, const std::vector<int64_t>& sample_shape);

}  // namespace gftlab
