// The feature network behind the image metrics: a CNN classifier that gftlab trains itself on the whole
// Fashion-MNIST training split (no Inception weights, hence "FD-<net>", never "FID"). Its penultimate
// layer gives the features. Stored by content hash under <dir>/<id>.pt with <id>.yaml (settings, test
// accuracy), trained once even when several workers need it.
#pragma once

#include <torch/nn/module.h>
#include <torch/nn/modules/conv.h>
#include <torch/nn/modules/linear.h>

#include <functional>
#include <memory>
#include <string>

namespace gftlab {

class Config;

struct FeatureNetSettings {
  int64_t width = 32;  // channels of the first convolution; features have 4 * width entries
  int64_t epochs = 5;
  int64_t batch_size = 128;
  int64_t train_images = 60000;  // the first this many of the training split (which comes shuffled)
  double lr = 1e-3;
  int64_t seed = 0;
  static FeatureNetSettings from_config(const Config& cfg);  // the features.* keys
  std::string id() const;                                    // content hash of the settings and numerics
};

class FeatureNet : public torch::nn::Module {
 public:
  explicit FeatureNet(int64_t width);
  at::Tensor features(const at::Tensor& images);  // [n, 1, 28, 28] in [-1, 1] -> [n, 4 * width]
  at::Tensor logits(const at::Tensor& images);    // [n, 10]
  void initialise(at::Generator& gen);

 private:
  torch::nn::Conv2d conv1_{nullptr}, conv2_{nullptr};
  torch::nn::Linear fc_{nullptr}, out_{nullptr};
};

// A map from samples to features: gftlab's own network, or a TorchScript module a researcher supplies
// (features/script_features.h).
// How a stop message names the samples whose features were being computed, unless told otherwise.
inline constexpr const char* kEvaluatedSamples = "the evaluated samples";

struct FeatureExtractor {
  std::function<at::Tensor(const at::Tensor&)> embed;  // one batch [n, ...] -> [n, D]
  std::shared_ptr<FeatureNet> net;                     // gftlab's own network (null for a TorchScript module)
  std::string id;                                      // content address: the settings' hash, or the file's SHA-256
  std::string name;          // "fmnist-cnn<width>-<id prefix>" or the configured name: "FD-<name>-<N>"
  std::string file;          // a TorchScript module's file
  double test_accuracy = 0;  // own network: on the 10 000 test images
  bool reused = false;
  int64_t batch_size = 1000;  // samples per call of embed
  // Float64 features of samples, in batches, without gradients; a stop request is answered between batches
  // (`whose` names the samples in its message).
  at::Tensor operator()(const at::Tensor& samples, const char* whose = kEvaluatedSamples) const;
};

// Loads the stored network for `settings`, or trains, tests and stores it (printing its test accuracy).
FeatureExtractor get_or_train_feature_net(const FeatureNetSettings& settings, const std::string& dir);

// Test-split accuracy of a network (used when training it, and by the tests).
double test_accuracy(FeatureNet& net);

}  // namespace gftlab
