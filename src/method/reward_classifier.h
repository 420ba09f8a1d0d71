// The `log_ratio_classifier` reward (docs/method.md, "Baselines") for targets known only through samples: a
// classifier trained to tell the run's target training samples from samples of the pretrained model. With
// balanced classes its logit estimates log q(x) - log p_pre(x), so p_pre exp(r) is the target. Trained once
// per (pretrained model, training set, settings) and stored by content hash beside the pretrained models,
// with its held-out accuracy and expected calibration error.
#pragma once

#include <string>

#include "method/adjoint_matching.h"
#include "model/velocity_field.h"

namespace gftlab {

class Config;

struct ClassifierSettings {
  int64_t width = 128;
  int64_t steps = 2000;
  int64_t samples = 2000;  // per class: at most this many target samples, and as many pretrained-model samples
  int64_t batch_size = 256;
  double lr = 1e-3;
  int64_t sampler_steps = 100;  // Euler steps for the pretrained model's samples
  static ClassifierSettings from_config(const Config& cfg);
};

struct ClassifierReward {
  Reward reward;  // the classifier's logit, differentiable in x
  std::string id;
  double accuracy = 0.0;           // on a held-out fifth of each class
  double calibration_error = 0.0;  // expected calibration error there (10 equal-width bins)
  int64_t samples_per_class = 0;
  bool reused = false;
};

// `target_samples` [n, ...]: the run's training set; the same number of pretrained samples is drawn from
// `pretrained` (Euler from N(0, I)) with a generator derived from `seed`. `key` names what the samples depend
// on (the pretrained model's id, the target's keys and seed) and joins the settings in the store id.
ClassifierReward get_or_train_reward_classifier(const ClassifierSettings& settings, VelocityField& pretrained,
                                                const at::Tensor& target_samples, uint64_t seed, const std::string& key,
                                                const std::string& store_dir);

}  // namespace gftlab
