// The feature space of the image metrics for one run: the feature network is loaded (or trained) when
// an evaluation first needs it, and the held-out images' features are computed once.
#pragma once

#include <ATen/ATen.h>

#include <optional>
#include <string>

#include "features/feature_net.h"
#include "features/frechet.h"

namespace gftlab {

class FeatureSpace {
 public:
  FeatureSpace(FeatureNetSettings settings, std::string store_dir)
      : settings_(settings), store_dir_(std::move(store_dir)) {}
  const FeatureExtractor& extractor();
  at::Tensor features(const at::Tensor& images) { return extractor()(images); }
  // Features of the held-out reference images (the same tensor at every evaluation of a run).
  const at::Tensor& reference_features(const at::Tensor& reference);
  // Their Gaussian statistics, what every FD of the run compares against.
  const GaussianStats& reference_stats(const at::Tensor& reference);
  bool loaded() const { return extractor_.has_value(); }

 private:
  FeatureNetSettings settings_;
  std::string store_dir_;
  std::optional<FeatureExtractor> extractor_;
  at::Tensor reference_features_;
  GaussianStats reference_stats_;
};

}  // namespace gftlab
