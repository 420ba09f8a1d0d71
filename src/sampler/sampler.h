// Sampler: integrates dx/dt = f(t, x) over a batch, counting network evaluations (NFE).
// Works in either time direction, on any state tensor (the likelihood ODE reuses it).
#pragma once

#include <ATen/ATen.h>

#include <functional>
#include <memory>
#include <string>

#include "sampler/sampler_kinds.h"

namespace gftlab {

class Config;
class VelocityField;

using Field = std::function<at::Tensor(double t, const at::Tensor& x)>;

// Sees every accepted step: x at t, the first-stage velocity v = f(t, x), and x at t + dt.
class StepObserver {
 public:
  virtual ~StepObserver() = default;
  virtual void on_step(double t, double dt, const at::Tensor& x, const at::Tensor& v, const at::Tensor& x_next) = 0;
};

struct Solution {
  at::Tensor x;
  int64_t nfe = 0;
  int64_t steps = 0;     // accepted steps
  int64_t rejected = 0;  // adaptive solvers only
};

class Sampler {
 public:
  virtual ~Sampler() = default;
  virtual std::string name() const = 0;
  virtual Solution solve(const Field& f, at::Tensor x, double t0, double t1, StepObserver* obs = nullptr) const = 0;
};

enum class FixedMethod { kEuler, kHeun, kRk4 };

class FixedStepSampler : public Sampler {
 public:
  FixedStepSampler(FixedMethod method, int64_t steps) : method_(method), steps_(steps) {}
  std::string name() const override;
  Solution solve(const Field& f, at::Tensor x, double t0, double t1, StepObserver* obs = nullptr) const override;
  FixedMethod method() const { return method_; }
  int64_t steps() const { return steps_; }

 private:
  FixedMethod method_;
  int64_t steps_;
};

// Dormand-Prince 5(4) with FSAL, standard step-size control, RMS error norm over the whole batch.
class Dopri5Sampler : public Sampler {
 public:
  Dopri5Sampler(double atol, double rtol, int64_t max_steps = 100000)
      : atol_(atol), rtol_(rtol), max_steps_(max_steps) {}
  std::string name() const override { return "dopri5"; }
  Solution solve(const Field& f, at::Tensor x, double t0, double t1, StepObserver* obs = nullptr) const override;

 private:
  // RMS over all elements of v / (atol + rtol * magnitude).
  double scaled_rms(const at::Tensor& v, const at::Tensor& magnitude) const;
  double atol_, rtol_;
  int64_t max_steps_;
};

enum class DiffusionShape { kConstant, kBridge };

// Euler-Maruyama for the stochastic flow with the same marginals (docs/method.md, "Sampling"): dX = (v + g^2/2 *
// score) dt + g dW, score = (t v - x) / (1 - t + sigma^2) for the Gaussian source of the linear path with noise
// sigma (docs/method.md's formula is the sigma = 0 case), from t0 forward to t1 - t_margin. g(t) = g (kConstant)
// or g * 2 sqrt(t (1 - t)) (kBridge, zero at both ends). Every call draws the same Brownian increments (from
// `seed`), like the fixed evaluation noise, so that evaluations differ only through the model. With g = 0 it is
// the Euler ODE solver.
class EulerMaruyamaSampler : public Sampler {
 public:
  EulerMaruyamaSampler(int64_t steps, double g, DiffusionShape shape, double t_margin, double sigma, uint64_t seed)
      : steps_(steps), g_(g), shape_(shape), t_margin_(t_margin), sigma_(sigma), seed_(seed) {}
  std::string name() const override { return "euler_maruyama"; }
  Solution solve(const Field& f, at::Tensor x, double t0, double t1, StepObserver* obs = nullptr) const override;
  double diffusion(double t) const;

 private:
  int64_t steps_;
  double g_;
  DiffusionShape shape_;
  double t_margin_;
  double sigma_;
  uint64_t seed_;
};

// The sampler configured under `prefix` (e.g. "eval.sampler"; the row of sampler_kinds()); an SDE sampler
// needs the path's sigma (path.sigma), and `seed` drives its noise.
std::unique_ptr<Sampler> make_sampler(const Config& cfg, const std::string& prefix, double path_sigma, uint64_t seed);
// The dopri5 solver with the tolerances under `prefix` (also what the adaptive_nfe metric counts steps of).
Dopri5Sampler make_dopri5(const Config& cfg, const std::string& prefix);

// The model as an ODE right-hand side (no autograd graph).
Field field_of(VelocityField& model);

}  // namespace gftlab
