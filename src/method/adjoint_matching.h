// Reward fine-tuning as optimal control (docs/method.md, "Baselines"), in two variants that share the machinery:
// simulate trajectories of the current model without gradient on a time grid tau_0 < ... < tau_N = 1,
// integrate the lean adjoint backward from a_N = -lambda grad r(X_N) with vector-Jacobian products of the
// base dynamics, and regress the model's deviation from the base, dv = v_theta - v_pre, onto the minimiser
// of the control Hamiltonian at a random subset of the grid times.
//
// `adjoint_matching` (Domingo-Enrich et al., arXiv 2409.08861). For the linear path
// x_t = (1 - t) x0 + t x1 the memoryless schedule is sigma(t)^2 = 2 (1 - t) / t, and
// dX = (2 v(X, t) - X / t) dt + sigma(t) dB has the marginals of v with X_1 independent of the start. The
// grid is quadratic in t from t0 (tau_k = t0 + (1 - t0) (k / N)^2), the base drift 2 v_pre - x / t, the
// control u = 2 dv / sigma regressed onto -sigma a. Its fixed point samples p_pre(x) exp(lambda r(x)) / Z.
//
// `adjoint_deterministic` (after Guo et al., arXiv 2605.06583): the same problem posed for the ODE
// dX/dt = v_pre(X, t) + dv(X, t) on the uniform grid from 0, minimising E[int_0^1 w(t)/2 |dv|^2 dt -
// lambda r(X_1)]. The adjoint follows v_pre, the Hamiltonian's minimiser is dv = -a / w, and the loss is
// w |dv + a / w|^2. With w = 2 t / (1 - t) (`kl`) the running cost is the KL between the memoryless SDEs
// of v_pre + dv and v_pre, the cost Adjoint Matching pays; `l2` is w = 1. The adjoint is truncated to
// the final fraction of the trajectory (grid times >= 1 - truncate), which saves the backward pass over the
// rest; there the control's target is 0, the optimum of the truncated problem. A deterministic control moves
// each trajectory to a better end point instead of reweighting them, so its fixed point is in general
// not the tilted distribution: for N(0, 1) and r = -x^2 / 2 + x it maps x0 to (x0 + lambda G) / (1 + lambda G),
// G = int w(t)^-1 Phi(1, t)^2 dt over the trained window (tests/test_adjoint.cpp).
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "method/method.h"

namespace gftlab {

// r(x) per sample [B] for x [B, ...], differentiable in x.
using Reward = std::function<at::Tensor(const at::Tensor& x)>;

enum class AdjointDynamics { kMemorylessSde, kOde };

struct AdjointSettings {
  AdjointDynamics dynamics = AdjointDynamics::kMemorylessSde;
  int64_t steps = 100;        // steps of a trajectory (40 left a visible bias in 1-D tests of the SDE)
  int64_t time_samples = 10;  // times per trajectory in the loss (0: all trained times)
  double t0 = 0.01;           // SDE: first time of the grid (the schedule is singular at 0)
  double reward_scale = 1.0;  // lambda
  double truncate = 1.0;      // ODE: the final fraction of [0, 1] where the control may act
  bool kl_weight = true;      // ODE: w(t) = 2 t / (1 - t), else 1
};

struct Trajectory {
  std::vector<double> t;      // tau_0 .. tau_N
  std::vector<at::Tensor> x;  // X at each tau
};

class Config;
class Distribution;

// method.reward `log_ratio_exact`: r(x) = log q(x) - log p_source(x) for analytic Gaussian-mixture source and
// target, the pretrained model's distribution taken as the source's; the tilted p_pre exp(r) is then q.
// ConfigError when either is not analytic.
Reward make_reward(const Config& cfg, const Distribution& source, const Distribution& target);
// The settings of `dynamics` (the SDE of adjoint_matching, the ODE of adjoint_deterministic); ConfigError for keys
// of the other variant set away from their defaults.
AdjointSettings adjoint_settings(const Config& cfg, AdjointDynamics dynamics);

class AdjointMatching : public Method {
 public:
  AdjointMatching(FieldPtr pretrained, Reward reward, AdjointSettings settings);
  std::string name() const override;
  StepLoss loss(VelocityField& model, const StepBatch& batch) override;
  bool draws_target_batches() const override { return false; }
  StepCost cost(int64_t step) const override;

  static double sigma(double t);
  std::vector<double> time_grid() const;
  // First grid index of the regression (1 for the ODE's KL weight, else 0), and of the adjoint (the truncation).
  size_t first_regressed() const;
  size_t adjoint_start() const;
  // The dynamics of `model` from x at grid index `from`, without gradient; the SDE takes one standard normal
  // increment per step, the ODE none.
  Trajectory simulate(VelocityField& model, at::Tensor x, const std::vector<at::Tensor>& noise, size_t from = 0) const;
  // a at grid times adjoint_start() .. N (index-aligned with the trajectory, undefined before): the discrete
  // adjoint of X_N -> -lambda r(X_N) through steps of the base dynamics.
  std::vector<at::Tensor> lean_adjoint(const Trajectory& trajectory) const;

 private:
  bool sde() const { return s_.dynamics == AdjointDynamics::kMemorylessSde; }
  at::Tensor drift(VelocityField& field, double t, const at::Tensor& x) const;
  // The loss at time t is |c(t) dv + d(t) a|^2.
  std::pair<double, double> loss_factors(double t) const;

  FieldPtr pretrained_;
  Reward reward_;
  AdjointSettings s_;
  std::vector<double> grid_;
};

}  // namespace gftlab
