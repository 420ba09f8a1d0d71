#include "method/adjoint_matching.h"

#include <torch/csrc/autograd/autograd.h>

#include <algorithm>
#include <cmath>
#include <fmt/format.h>
#include <stdexcept>

#include "core/config.h"
#include "data/distribution.h"
#include "data/gaussian_mixture.h"
#include "core/device.h"

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
                                                   "gmm_random, 8gaussians), not `{}`",
                                                   role, distribution_kind(cfg, role)));
  return [q, p](const at::Tensor& x) {
    const auto flat = x.reshape({x.size(0), -1}).to(at::kDouble);
    return q->log_prob(flat) - p->log_prob(flat);
  };
}

AdjointSettings adjoint_settings(const Config& cfg, AdjointDynamics dynamics) {
  AdjointSettings s;
  const bool ode = dynamics == AdjointDynamics::kOde;
  s.dynamics = dynamics;
  s.steps = cfg.get_int("method.adjoint.steps");
  s.time_samples = cfg.get_int("method.adjoint.time_samples");
  s.t0 = cfg.get_float("method.adjoint.t0");
  s.reward_scale = cfg.get_float("method.reward_scale");
  s.truncate = cfg.get_float("method.adjoint.truncate");
  s.kl_weight = cfg.get_string("method.adjoint.regulariser") == "kl";
  // A key of the other variant would be silently ignored: refuse it.
  const auto refuse_unless_default = [&](const char* key, const char* used_by) {
    const Value& set = cfg.get(key);
    const Value& fallback = find_key_spec(key)->default_value;
    if (set.f != fallback.f || set.s != fallback.s)
      throw cfg.error(key, fmt::format("applies to `{}` only, not `{}`", used_by, cfg.get_string("method.name")));
  };
  if (ode) refuse_unless_default("method.adjoint.t0", "adjoint_matching");
  if (!ode) refuse_unless_default("method.adjoint.truncate", "adjoint_deterministic");
  if (!ode) refuse_unless_default("method.adjoint.regulariser", "adjoint_deterministic");
  if (ode && static_cast<double>(s.steps) * s.truncate < 1.0)
    throw cfg.error("method.adjoint.truncate", fmt::format("{} of {} steps leaves no step to train: at least 1 / "
                                                           "method.adjoint.steps",
                                                           s.truncate, s.steps));
  return s;
}

AdjointMatching::AdjointMatching(FieldPtr pretrained, Reward reward, AdjointSettings settings)
    : pretrained_(std::move(pretrained)), reward_(std::move(reward)), s_(settings) {
  if (!(s_.t0 > 0.0 && s_.t0 < 1.0) || s_.steps < 1 || !(s_.truncate > 0.0 && s_.truncate <= 1.0))
    throw std::invalid_argument("AdjointMatching: bad settings");
  grid_.resize(static_cast<size_t>(s_.steps) + 1);
  for (size_t k = 0; k < grid_.size(); ++k) {
    const double u = static_cast<double>(k) / static_cast<double>(s_.steps);
    // Quadratic spacing for the SDE: its -x / t is stiff near t0, where uniform Euler steps would be far too long.
    grid_[k] = sde() ? s_.t0 + (1.0 - s_.t0) * u * u : u;
  }
  grid_.back() = 1.0;
}

std::string AdjointMatching::name() const { return sde() ? "adjoint_matching" : "adjoint_deterministic"; }

double AdjointMatching::sigma(double t) { return std::sqrt(2.0 * (1.0 - t) / t); }

std::vector<double> AdjointMatching::time_grid() const { return grid_; }

size_t AdjointMatching::first_regressed() const {
  // The KL weight vanishes at t = 0, where the Hamiltonian has no minimiser.
  return !sde() && s_.kl_weight ? 1 : 0;
}

size_t AdjointMatching::adjoint_start() const {
  size_t k = first_regressed();
  while (grid_[k] < 1.0 - s_.truncate - 1e-12) ++k;
  return std::min(k, grid_.size() - 2);
}

at::Tensor AdjointMatching::drift(VelocityField& field, double t, const at::Tensor& x) const {
  const auto v = field.forward_at(t, x);
  return sde() ? 2.0 * v - x / t : v;
}

std::pair<double, double> AdjointMatching::loss_factors(double t) const {
  if (sde()) return {2.0 / sigma(t), sigma(t)};
  const double w = s_.kl_weight ? 2.0 * t / (1.0 - t) : 1.0;
  return {std::sqrt(w), 1.0 / std::sqrt(w)};
}

Trajectory AdjointMatching::simulate(VelocityField& model, at::Tensor x, const std::vector<at::Tensor>& noise,
                                     size_t from) const {
  at::NoGradGuard no_grad;
  Trajectory traj;
  traj.t = grid_;
  traj.x.assign(traj.t.size(), at::Tensor());
  traj.x[from] = x;
  for (size_t k = from; k + 1 < traj.t.size(); ++k) {
    const double t = traj.t[k], h = traj.t[k + 1] - t;
    x = x + h * drift(model, t, x);
    if (sde()) x = x + sigma(t) * std::sqrt(h) * noise[k];
    traj.x[k + 1] = x;
  }
  return traj;
}

std::vector<at::Tensor> AdjointMatching::lean_adjoint(const Trajectory& traj) const {
  const size_t n = traj.x.size();
  std::vector<at::Tensor> a(n);
  {
    // Rewards (a classifier, a mixture's log ratio) live on the CPU, whatever device trains.
    const auto x = traj.x.back().detach().to(at::kCPU, at::kDouble).requires_grad_(true);
    const auto r = reward_(x).sum();
    a.back() = (-s_.reward_scale * torch::autograd::grad({r}, {x})[0]).to(traj.x.back().options());
  }
  for (size_t k = n - 1; k-- > adjoint_start();) {
    const double t = traj.t[k], h = traj.t[k + 1] - t;
    const auto x = traj.x[k].detach().requires_grad_(true);
    // X_{k+1} = X_k + h b(X_k) (+ noise), so a_k = (I + h grad b(X_k))^T a_{k+1}.
    a[k] = a[k + 1] + h * torch::autograd::grad({drift(*pretrained_, t, x)}, {x}, {a[k + 1]})[0];
  }
  return a;
}

StepLoss AdjointMatching::loss(VelocityField& model, const StepBatch& batch) {
  if (!batch.gen.defined()) throw std::logic_error("AdjointMatching needs the trainer's generator");
  at::Generator gen = batch.gen;
  std::vector<at::Tensor> noise;
  if (sde())
    for (int64_t k = 0; k < s_.steps; ++k) noise.push_back(randn_on(batch.x0.sizes(), gen, batch.x0.options()));
  const auto traj = simulate(model, batch.x0, noise);
  const auto a = lean_adjoint(traj);

  // Times of the regression: a random subset of tau_k before tau_N = 1 (sigma, and 1 / w of `kl`, vanish
  // there). Before the truncated adjoint's window the control is held at 0, the truncated problem's optimum:
  // left untrained, the network's shared weights would drift there.
  const int64_t first = static_cast<int64_t>(first_regressed()), all = s_.steps - first;
  const int64_t k = s_.time_samples > 0 ? std::min(s_.time_samples, all) : all;
  const auto picked = (at::randperm(all, gen, at::kLong).narrow(0, 0, k) + first).contiguous();
  std::vector<at::Tensor> xs, scaled_adjoints, ts, c_factors;
  for (int64_t i = 0; i < k; ++i) {
    const auto idx = static_cast<size_t>(picked.data_ptr<int64_t>()[i]);
    const double t = traj.t[idx];
    const auto [c, d] = loss_factors(t);
    xs.push_back(traj.x[idx]);
    scaled_adjoints.push_back(a[idx].defined() ? d * a[idx] : at::zeros_like(traj.x[idx]));
    ts.push_back(times(t, traj.x[idx]));
    c_factors.push_back(times(c, traj.x[idx]));
  }
  const auto x = at::cat(xs), t = at::cat(ts);
  at::Tensor v_pre;
  {
    at::NoGradGuard no_grad;
    v_pre = pretrained_->forward(t, x);
  }
  const auto scale = per_sample(at::cat(c_factors), x);
  return {mean_squared_norm(scale * (model.forward(t, x) - v_pre) + at::cat(scaled_adjoints)), {}};
}

StepCost AdjointMatching::cost(int64_t /*step*/) const {
  const double n = static_cast<double>(s_.steps), adjoint = n - static_cast<double>(adjoint_start());
  const double regressed = n - static_cast<double>(first_regressed());
  const double k = s_.time_samples > 0 ? std::min(static_cast<double>(s_.time_samples), regressed) : regressed;
  // simulation (n) + the base dynamics in the adjoint + the regression's two fields (2k); the adjoint's
  // VJPs and the reward's gradient.
  return {n + adjoint + 2.0 * k, adjoint + 1.0};
}

}  // namespace gftlab
