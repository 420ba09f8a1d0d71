#include "method/adjoint_matching.h"

#include <torch/csrc/autograd/autograd.h>

#include <algorithm>
#include <cmath>
#include <fmt/format.h>
#include <stdexcept>

#include "core/config.h"
#include "data/gaussian_mixture.h"

namespace gftlab {
namespace {

// [n] -> [n, 1, ..., 1] against samples like `like`.
at::Tensor per_sample(const at::Tensor& values, const at::Tensor& like) {
  std::vector<int64_t> shape(static_cast<size_t>(like.dim()), 1);
  shape[0] = values.size(0);
  return values.reshape(shape);
}

at::Tensor times(double t, const at::Tensor& x) { return at::full({x.size(0)}, t, x.options()); }

}  // namespace

Reward make_reward(const Config& cfg, const Distribution& source, const Distribution& target) {
  const GaussianMixture* q = target.mixture();
  const GaussianMixture* p = source.mixture();
  for (const auto& [mixture, role] : {std::pair{q, "target"}, std::pair{p, "source"}})
    if (!mixture)
      throw cfg.error("method.reward", fmt::format("`log_ratio_exact` needs an analytic Gaussian-mixture {} (gmm, "
                                                   "gmm_random, 8gaussians), not `{}`", role,
                                                   cfg.get_string(std::string(role) + ".kind")));
  return [q, p](const at::Tensor& x) {
    const auto flat = x.reshape({x.size(0), -1}).to(at::kDouble);
    return q->log_prob(flat) - p->log_prob(flat);
  };
}

AdjointSettings adjoint_settings(const Config& cfg) {
  AdjointSettings s;
  s.steps = cfg.get_int("method.adjoint.steps");
  s.time_samples = cfg.get_int("method.adjoint.time_samples");
  s.t0 = cfg.get_float("method.adjoint.t0");
  s.reward_scale = cfg.get_float("method.reward_scale");
  return s;
}

AdjointMatching::AdjointMatching(FieldPtr pretrained, Reward reward, AdjointSettings settings)
    : pretrained_(std::move(pretrained)), reward_(std::move(reward)), s_(settings) {
  if (!(s_.t0 > 0.0 && s_.t0 < 1.0) || s_.steps < 1) throw std::invalid_argument("AdjointMatching: bad settings");
}

double AdjointMatching::sigma(double t) { return std::sqrt(2.0 * (1.0 - t) / t); }

std::vector<double> AdjointMatching::time_grid() const {
  std::vector<double> t(static_cast<size_t>(s_.steps) + 1);
  // Quadratic spacing: the drift's -x / t is stiff near t0, where uniform Euler steps would be far too long.
  for (size_t k = 0; k < t.size(); ++k) {
    const double u = static_cast<double>(k) / static_cast<double>(s_.steps);
    t[k] = s_.t0 + (1.0 - s_.t0) * u * u;
  }
  return t;
}

Trajectory AdjointMatching::simulate(VelocityField& model, at::Tensor x, const std::vector<at::Tensor>& noise,
                                     size_t from) const {
  at::NoGradGuard no_grad;
  Trajectory traj;
  traj.t = time_grid();
  traj.x.assign(traj.t.size(), at::Tensor());
  traj.x[from] = x;
  for (size_t k = from; k + 1 < traj.t.size(); ++k) {
    const double t = traj.t[k], h = traj.t[k + 1] - t;
    const auto drift = 2.0 * model.forward(times(t, x), x) - x / t;
    x = x + h * drift + sigma(t) * std::sqrt(h) * noise[k];
    traj.x[k + 1] = x;
  }
  return traj;
}

std::vector<at::Tensor> AdjointMatching::lean_adjoint(const Trajectory& traj) const {
  const size_t n = traj.x.size();
  std::vector<at::Tensor> a(n);
  {
    const auto x = traj.x.back().detach().to(at::kDouble).requires_grad_(true);
    const auto r = reward_(x).sum();
    a.back() = (-s_.reward_scale * torch::autograd::grad({r}, {x})[0]).to(traj.x.back().scalar_type());
  }
  for (size_t k = n - 1; k-- > 0;) {
    const double t = traj.t[k], h = traj.t[k + 1] - t;
    const auto x = traj.x[k].detach().requires_grad_(true);
    const auto drift = 2.0 * pretrained_->forward(times(t, x), x) - x / t;
    // X_{k+1} = X_k + h b(X_k) + noise, so a_k = (I + h grad b(X_k))^T a_{k+1}.
    a[k] = a[k + 1] + h * torch::autograd::grad({drift}, {x}, {a[k + 1]})[0];
  }
  return a;
}

at::Tensor AdjointMatching::loss(VelocityField& model, const StepBatch& batch) {
  if (!batch.gen.defined()) throw std::logic_error("AdjointMatching needs the trainer's generator");
  at::Generator gen = batch.gen;
  std::vector<at::Tensor> noise;
  for (int64_t k = 0; k < s_.steps; ++k) noise.push_back(at::randn(batch.x0.sizes(), gen, batch.x0.options()));
  const auto traj = simulate(model, batch.x0, noise);
  const auto a = lean_adjoint(traj);

  // Times of the regression: a random subset of tau_0 .. tau_{N-1} (sigma is 0 at tau_N = 1).
  const int64_t all = s_.steps, k = s_.time_samples > 0 ? std::min(s_.time_samples, all) : all;
  const auto picked = at::randperm(all, gen, at::kLong).narrow(0, 0, k).contiguous();
  std::vector<at::Tensor> xs, targets, ts, sigmas;
  for (int64_t i = 0; i < k; ++i) {
    const auto idx = static_cast<size_t>(picked.data_ptr<int64_t>()[i]);
    const double t = traj.t[idx];
    xs.push_back(traj.x[idx]);
    targets.push_back(-sigma(t) * a[idx]);
    ts.push_back(times(t, traj.x[idx]));
    sigmas.push_back(at::full({traj.x[idx].size(0)}, sigma(t), traj.x[idx].options()));
  }
  const auto x = at::cat(xs), t = at::cat(ts), target = at::cat(targets);
  const auto sig = per_sample(at::cat(sigmas), x);
  at::Tensor v_pre;
  {
    at::NoGradGuard no_grad;
    v_pre = pretrained_->forward(t, x);
  }
  const auto control = 2.0 * (model.forward(t, x) - v_pre) / sig;
  return mean_squared_norm(control - target);
}

StepCost AdjointMatching::cost(int64_t /*step*/) const {
  const double n = static_cast<double>(s_.steps);
  const double k = static_cast<double>(s_.time_samples > 0 ? std::min(s_.time_samples, s_.steps) : s_.steps);
  // simulation (n) + the base drift in the adjoint (n) + the regression's two fields (2k); the adjoint's
  // n VJPs and the reward's gradient.
  return {2.0 * n + 2.0 * k, n + 1.0};
}

}  // namespace gftlab
