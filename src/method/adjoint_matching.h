// Adjoint Matching (Domingo-Enrich et al., arXiv 2409.08861; method.md section 4): reward fine-tuning as
// stochastic optimal control. For the linear path x_t = (1 - t) x0 + t x1 the memoryless noise schedule is
// sigma(t)^2 = 2 (1 - t) / t, and dX = (2 v(X, t) - X / t) dt + sigma(t) dB has the marginals of v with X_1
// independent of the start. Each step simulates trajectories of the current model without gradient
// (Euler-Maruyama on t0 = tau_0 < ... < tau_N = 1, tau_k = t0 + (1 - t0) (k / N)^2), integrates the lean adjoint backward from
// a_N = -lambda grad r(X_N) with vector-Jacobian products of the base drift b(x, t) = 2 v_pre(x, t) - x / t,
// and regresses the control u = 2 (v_theta - v_pre) / sigma onto -sigma a at a random subset of the times.
// The fine-tuned model then samples p_pre(x) exp(lambda r(x)) / Z.
#pragma once

#include <functional>
#include <vector>

#include "method/method.h"

namespace gftlab {

// r(x) per sample [B] for x [B, ...], differentiable in x.
using Reward = std::function<at::Tensor(const at::Tensor& x)>;

struct AdjointSettings {
  int64_t steps = 100;        // Euler-Maruyama steps of a trajectory (40 left a visible bias in 1-D tests)
  int64_t time_samples = 10;  // times per trajectory in the loss (0: all)
  double t0 = 0.01;           // first time of the grid (the schedule is singular at 0)
  double reward_scale = 1.0;  // lambda
};

struct Trajectory {
  std::vector<double> t;       // tau_0 .. tau_N
  std::vector<at::Tensor> x;   // X at each tau
};

class Config;
class Distribution;

// method.reward `log_ratio_exact`: r(x) = log q(x) - log p_source(x) for analytic Gaussian-mixture source and
// target, the pretrained model's distribution taken as the source's; the tilted p_pre exp(r) is then q.
// ConfigError when either is not analytic.
Reward make_reward(const Config& cfg, const Distribution& source, const Distribution& target);
AdjointSettings adjoint_settings(const Config& cfg);

class AdjointMatching : public Method {
 public:
  AdjointMatching(FieldPtr pretrained, Reward reward, AdjointSettings settings);
  std::string name() const override { return "adjoint_matching"; }
  at::Tensor loss(VelocityField& model, const StepBatch& batch) override;
  StepCost cost(int64_t step) const override;

  static double sigma(double t);
  std::vector<double> time_grid() const;
  // The memoryless SDE of `model` from x at grid index `from`, with the given standard normal increments
  // (one per step), without gradient.
  Trajectory simulate(VelocityField& model, at::Tensor x, const std::vector<at::Tensor>& noise, size_t from = 0) const;
  // a at every grid time (index-aligned with the trajectory): the discrete adjoint of X_N -> -lambda r(X_N)
  // through steps of the base drift.
  std::vector<at::Tensor> lean_adjoint(const Trajectory& trajectory) const;

 private:
  FieldPtr pretrained_;
  Reward reward_;
  AdjointSettings s_;
};

}  // namespace gftlab
