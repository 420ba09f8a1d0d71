#include "features/feature_space.h"

namespace gftlab {

const FeatureExtractor& FeatureSpace::extractor() {
  if (!extractor_) extractor_ = get_or_train_feature_net(settings_, store_dir_);
  return *extractor_;
}

const at::Tensor& FeatureSpace::reference_features(const at::Tensor& reference) {
  if (!reference_features_.defined()) reference_features_ = features(reference);
  return reference_features_;
}

const GaussianStats& FeatureSpace::reference_stats(const at::Tensor& reference) {
  if (!reference_stats_.mean.defined()) reference_stats_ = gaussian_stats(reference_features(reference));
  return reference_stats_;
}

}  // namespace gftlab
