// Feature extractors that a researcher supplies as TorchScript files (docs/config.md, eval.features and eval.fid):
// - `eval.features.torchscript`: forward(x) maps a batch [n, sample shape...], as the model sees it (images
//   in [-1, 1]), to features [n, D]. FD-<eval.features.name>-<N>, precision/recall, density/coverage and
//   Vendi are then computed in its space instead of gftlab's own network's.
// - `eval.fid.inception`: the TorchScript Inception-v3 that clean-fid (legacy_tensorflow), StyleGAN2-ADA and
//   StyleGAN3 use (NVlabs' inception-2015-12-05.pt): forward(img, return_features=True) with img
//   [n, 3, H, W] in [0, 255], resized to 299 x 299 inside, gives [n, 2048] pool features. Images are first
//   quantised as those tools do (inception_input).
// Each is loaded and probed with a batch of two before any work: a missing file, a file that is not
// TorchScript, a module that does not take the call, or an output of another shape is a ConfigError (exit 2)
// that names the key.
#pragma once

#include <ATen/ATen.h>

#include <string>
#include <vector>

#include "features/feature_net.h"

namespace gftlab {

class Config;

constexpr int64_t kInceptionFeatures = 2048;

FeatureExtractor load_torchscript_features(const Config& cfg, const std::vector<int64_t>& sample_shape);
FeatureExtractor load_inception(const Config& cfg, const std::vector<int64_t>& sample_shape);

// Model output in [-1, 1] -> (x + 1) * 127.5, rounded (half to even) and clipped to [0, 255], as float;
// one channel repeated to three.
at::Tensor inception_input(const at::Tensor& images);

}  // namespace gftlab
