#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "core/config.h"
#include "core/names.h"
#include "model/velocity_field.h"
#include "sampler/sampler.h"

namespace gftlab {

std::string FixedStepSampler::name() const {
  switch (method_) {
    case FixedMethod::kEuler: return "euler";
    case FixedMethod::kHeun: return "heun";
    case FixedMethod::kRk4: return "rk4";
  }
  return "?";
}

Solution FixedStepSampler::solve(const Field& f, at::Tensor x, double t0, double t1, StepObserver* obs) const {
  Solution out;
  const double h = (t1 - t0) / static_cast<double>(steps_);
  for (int64_t k = 0; k < steps_; ++k) {
    const double t = t0 + h * static_cast<double>(k);
    const at::Tensor k1 = f(t, x);
    at::Tensor next;
    switch (method_) {
      case FixedMethod::kEuler:
        next = x + h * k1;
        out.nfe += 1;
        break;
      case FixedMethod::kHeun: {
        const at::Tensor k2 = f(t + h, x + h * k1);
        next = x + (h / 2) * (k1 + k2);
        out.nfe += 2;
        break;
      }
      case FixedMethod::kRk4: {
        const at::Tensor k2 = f(t + h / 2, x + (h / 2) * k1);
        const at::Tensor k3 = f(t + h / 2, x + (h / 2) * k2);
        const at::Tensor k4 = f(t + h, x + h * k3);
        next = x + (h / 6) * (k1 + 2 * k2 + 2 * k3 + k4);
        out.nfe += 4;
        break;
      }
    }
    if (obs) obs->on_step(t, h, x, k1, next);
    x = next;
  }
  out.steps = steps_;
  out.x = x;
  return out;
}

double Dopri5Sampler::scaled_rms(const at::Tensor& v, const at::Tensor& magnitude) const {
  return (v / (atol_ + rtol_ * magnitude)).pow(2).mean().sqrt().item<double>();
}

Solution Dopri5Sampler::solve(const Field& f, at::Tensor x, double t0, double t1, StepObserver* obs) const {
  // Butcher tableau; the last row is the fifth-order solution, so its stage is FSAL's first stage.
  static const double a[6][6] = {{1.0 / 5},
                                 {3.0 / 40, 9.0 / 40},
                                 {44.0 / 45, -56.0 / 15, 32.0 / 9},
                                 {19372.0 / 6561, -25360.0 / 2187, 64448.0 / 6561, -212.0 / 729},
                                 {9017.0 / 3168, -355.0 / 33, 46732.0 / 5247, 49.0 / 176, -5103.0 / 18656},
                                 {35.0 / 384, 0.0, 500.0 / 1113, 125.0 / 192, -2187.0 / 6784, 11.0 / 84}};
  static const double c[6] = {1.0 / 5, 3.0 / 10, 4.0 / 5, 8.0 / 9, 1.0, 1.0};
  static const double b4[7] = {5179.0 / 57600,    0.0,          7571.0 / 16695, 393.0 / 640,
                               -92097.0 / 339200, 187.0 / 2100, 1.0 / 40};

  Solution out;
  const double span = t1 - t0, dir = span >= 0 ? 1.0 : -1.0;
  if (span == 0) {
    out.x = x;
    return out;
  }
  at::Tensor k1 = f(t0, x);
  out.nfe = 1;
  // Initial step (Hairer, Norsett & Wanner, II.4): from the scales of x, f(x) and a trial Euler step.
  const at::Tensor x_abs = x.abs();
  const double d0 = scaled_rms(x, x_abs), d1 = scaled_rms(k1, x_abs);
  double h0 = (d0 < 1e-5 || d1 < 1e-5) ? 1e-6 : 0.01 * d0 / d1;
  h0 = std::min(h0, std::abs(span));
  const at::Tensor f1 = f(t0 + dir * h0, x + dir * h0 * k1);
  out.nfe += 1;
  const double d2 = scaled_rms(f1 - k1, x_abs) / h0;
  const double h1 = std::max(d1, d2) <= 1e-15 ? std::max(1e-6, h0 * 1e-3) : std::pow(0.01 / std::max(d1, d2), 0.2);
  double h = std::min({100 * h0, h1, std::abs(span)});

  double t = t0;
  while (dir * (t1 - t) > 1e-12) {
    if (out.steps + out.rejected >= max_steps_) throw std::runtime_error("dopri5: step limit reached");
    h = std::min(h, std::abs(t1 - t));
    const double hs = dir * h;
    at::Tensor k[7];
    at::Tensor y5;
    k[0] = k1;
    for (int s = 0; s < 6; ++s) {
      at::Tensor y = x;
      for (int j = 0; j <= s; ++j)
        if (a[s][j] != 0.0) y = y + hs * a[s][j] * k[j];
      k[s + 1] = f(t + c[s] * hs, y);
      if (s == 5) y5 = y;
    }
    out.nfe += 6;
    at::Tensor err = at::zeros_like(x);
    for (int j = 0; j < 7; ++j) {
      const double w = (j < 6 ? a[5][j] : 0.0) - b4[j];
      if (w != 0.0) err = err + hs * w * k[j];
    }
    const double e = scaled_rms(err, at::maximum(x.abs(), y5.abs()));
    if (e <= 1.0) {
      if (obs) obs->on_step(t, hs, x, k[0], y5);
      t += hs;
      x = y5;
      k1 = k[6];
      ++out.steps;
    } else {
      ++out.rejected;
    }
    const double factor = e == 0.0 ? 10.0 : std::clamp(0.9 * std::pow(e, -0.2), 0.2, 10.0);
    h *= factor;
  }
  out.x = x;
  return out;
}

namespace {

template <FixedMethod kMethod>
std::unique_ptr<Sampler> fixed_step(const Config& cfg, const std::string& prefix, double, uint64_t) {
  return std::make_unique<FixedStepSampler>(kMethod, cfg.get_int(prefix + ".steps"));
}

std::unique_ptr<Sampler> dopri5(const Config& cfg, const std::string& prefix, double, uint64_t) {
  return std::make_unique<Dopri5Sampler>(make_dopri5(cfg, prefix));
}

std::unique_ptr<Sampler> euler_maruyama(const Config& cfg, const std::string& prefix, double sigma, uint64_t seed) {
  return std::make_unique<EulerMaruyamaSampler>(
      cfg.get_int(prefix + ".steps"), cfg.get_float(prefix + ".g"),
      cfg.get_string(prefix + ".g_shape") == "bridge" ? DiffusionShape::kBridge : DiffusionShape::kConstant,
      cfg.get_float(prefix + ".t_margin"), sigma, seed);
}

}  // namespace

const std::vector<SamplerKind>& sampler_kinds() {
  static const std::vector<SamplerKind> kinds = {
      {"euler", fixed_step<FixedMethod::kEuler>}, {"heun", fixed_step<FixedMethod::kHeun>},
      {"rk4", fixed_step<FixedMethod::kRk4>},     {"dopri5", dopri5},
      {"euler_maruyama", euler_maruyama},
  };
  return kinds;
}

std::vector<std::string> sampler_kind_names() { return kind_names(sampler_kinds()); }

std::unique_ptr<Sampler> make_sampler(const Config& cfg, const std::string& prefix, double path_sigma, uint64_t seed) {
  return kind_named(sampler_kinds(), cfg.get_string(prefix + ".kind")).make(cfg, prefix, path_sigma, seed);
}

Dopri5Sampler make_dopri5(const Config& cfg, const std::string& prefix) {
  return Dopri5Sampler(cfg.get_float(prefix + ".atol"), cfg.get_float(prefix + ".rtol"));
}

Field field_of(VelocityField& model) {
  return [&model](double t, const at::Tensor& x) {
    at::NoGradGuard no_grad;
    return model.forward_at(t, x);
  };
}

}  // namespace gftlab
