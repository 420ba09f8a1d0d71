// Method: the fine-tuning objective. The training loop calls only this interface, so new objectives
// (GFT, l2sp, ...) plug in without touching the loop.
#pragma once

#include <ATen/ATen.h>

#include <memory>
#include <string>
#include <vector>

#include "model/velocity_field.h"

namespace gftlab {

class Config;

struct StepBatch {
  at::Tensor t, x0, x1, xt, u;
  int64_t step = 0;
};

// Mean over the batch of the squared norm over each sample's elements.
at::Tensor mean_squared_norm(const at::Tensor& diff);

class Method {
 public:
  virtual ~Method() = default;
  virtual std::string name() const = 0;
  // false: the model starts from a fresh initialisation instead of the pretrained weights.
  virtual bool starts_from_pretrained() const { return true; }
  // Scalar, differentiable with respect to `model`'s parameters.
  virtual at::Tensor loss(VelocityField& model, const StepBatch& batch) = 0;
  // Per-step values logged under /train/<name> (host values, no tensor sync).
  virtual std::vector<std::string> series_names() const { return {}; }
  virtual std::vector<double> series_values(int64_t /*step*/) const { return {}; }
};

// Flow matching onto u: `standard` from the pretrained weights, `scratch` from a fresh initialisation.
class FlowMatching : public Method {
 public:
  explicit FlowMatching(bool from_pretrained) : from_pretrained_(from_pretrained) {}
  std::string name() const override { return from_pretrained_ ? "standard" : "scratch"; }
  bool starts_from_pretrained() const override { return from_pretrained_; }
  at::Tensor loss(VelocityField& model, const StepBatch& batch) override;

 private:
  bool from_pretrained_;
};

// `pretrained` is the frozen copy of v_pre (eval mode, no grad) for methods that need it.
std::unique_ptr<Method> make_method(const Config& cfg, FieldPtr pretrained);

}  // namespace gftlab
