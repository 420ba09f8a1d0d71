// Method: the fine-tuning objective. The training loop calls only this interface, so new objectives
// (GFT, l2sp, ...) plug in without touching the loop.
#pragma once

#include <ATen/ATen.h>

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "model/velocity_field.h"
#include "method/method_names.h"
#include "schedule/schedule.h"

namespace gftlab {

class Config;
class Distribution;

struct StepBatch {
  at::Tensor t, x0, x1, xt, u;
  int64_t step = 0;
  // The trainer's generator: methods that draw (trajectory noise) draw from it, so a checkpoint that saves
  // its state restores theirs too.
  at::Generator gen;
};

// Mean over the batch of the squared norm over each sample's elements.
at::Tensor mean_squared_norm(const at::Tensor& diff);
// The same with per-sample weights w [B].
at::Tensor weighted_mean_squared_norm(const at::Tensor& diff, const at::Tensor& w);

// Network evaluations and vector-Jacobian products of one loss() call.
struct StepCost {
  double nfe = 1.0;
  double vjp = 0.0;
};

// What one step's loss() returns. `fm_loss` is the plain flow-matching loss mean ||v_theta(t, x_t) - u||^2 of
// the step's batch (detached), logged as /train/fm_loss: the method's own loss is scaled and regresses onto
// other targets (GFT), so only fm_loss is comparable across arms. Undefined for methods that draw no target
// batch.
struct StepLoss {
  at::Tensor value;  // scalar, differentiable with respect to the model's parameters
  at::Tensor fm_loss;
};

class Method {
 public:
  virtual ~Method() = default;
  virtual std::string name() const = 0;
  virtual StepLoss loss(VelocityField& model, const StepBatch& batch) = 0;
  // False for methods that use only the batch's noise (the reward-based ones): they log no fm_loss.
  virtual bool draws_target_batches() const { return true; }
  // Per-step values logged under /train/<name> (host values, no tensor sync).
  virtual std::vector<std::string> series_names() const { return {}; }
  virtual std::vector<double> series_values(int64_t /*step*/) const { return {}; }
  // Logged for every method as /train/nfe and /train/vjp, so that methods can be compared at equal cost.
  virtual StepCost cost(int64_t /*step*/) const { return {}; }
};

// Flow matching onto u: `standard` from the pretrained weights, `scratch` from a fresh initialisation.
class FlowMatching : public Method {
 public:
  explicit FlowMatching(bool from_pretrained) : from_pretrained_(from_pretrained) {}
  std::string name() const override { return from_pretrained_ ? "standard" : "scratch"; }
  StepLoss loss(VelocityField& model, const StepBatch& batch) override;

 private:
  bool from_pretrained_;
};

// The GFT objective (docs/method.md, "Gradual Fine-Tuning"): regression onto y = (u + beta v_pre) / (1 + beta)
// with beta from the cooling schedule, u either the conditional velocity x1 - x0 (`gft`) or the target's exact
// marginal velocity u_t(x_t) (`gft_marginal`). The frozen v_pre is not evaluated while beta is 0.
class Gft : public Method {
 public:
  using TargetVelocity = std::function<at::Tensor(const StepBatch&)>;
  Gft(std::string name, FieldPtr frozen, Schedule schedule, bool sum_scale, TimeWeight time_weight,
      TargetVelocity target);
  std::string name() const override { return name_; }
  StepLoss loss(VelocityField& model, const StepBatch& batch) override;
  // y for this batch at temperature beta (no graph).
  at::Tensor regression_target(const StepBatch& batch, double beta) const;
  std::vector<std::string> series_names() const override { return {"beta", "lambda"}; }
  std::vector<double> series_values(int64_t step) const override;
  StepCost cost(int64_t step) const override;  // v_theta, and v_pre while beta > 0

 private:
  std::string name_;
  FieldPtr frozen_;
  Schedule schedule_;
  bool sum_scale_;
  TimeWeight time_weight_;
  TargetVelocity target_;
};

// Standard fine-tuning plus alpha * ||theta - theta_pre||^2 (weight-space regularisation).
class L2sp : public Method {
 public:
  L2sp(const VelocityField& pretrained, double alpha);
  std::string name() const override { return "l2sp"; }
  StepLoss loss(VelocityField& model, const StepBatch& batch) override;

 private:
  std::vector<at::Tensor> anchor_;
  double alpha_;
};

// false for `scratch`: the model starts from a fresh initialisation, and no pretrained model is needed.
bool uses_pretrained(const Config& cfg);
// ConfigError if the configured method cannot run here (schedule values, marginal GFT requirements, rewards);
// `finetune_steps` is the run's length (finetune.steps, which the train layer reads).
void check_method(const Config& cfg, int64_t finetune_steps, const Distribution& target,
                  const Distribution* source = nullptr);
// `pretrained` is the frozen v_pre (eval mode, no grad); null exactly when !uses_pretrained(cfg). The
// reward-based methods need `source` (the exact log density ratio) or, for `log_ratio_classifier`, `reward`.
std::unique_ptr<Method> make_method(const Config& cfg, int64_t finetune_steps, FieldPtr pretrained,
                                    const Distribution& target, const Distribution* source = nullptr,
                                    std::function<at::Tensor(const at::Tensor&)> reward = nullptr);

}  // namespace gftlab
