#include <cmath>
#include <stdexcept>

#include "core/rng.h"
#include "sampler/sampler.h"
#include "core/device.h"

namespace gftlab {

double EulerMaruyamaSampler::diffusion(double t) const {
  if (shape_ == DiffusionShape::kConstant) return g_;
  return g_ * 2.0 * std::sqrt(std::max(t * (1.0 - t), 0.0));
}

Solution EulerMaruyamaSampler::solve(const Field& f, at::Tensor x, double t0, double t1, StepObserver* obs) const {
  const double t_end = t1 - t_margin_;
  if (!(t_end > t0)) throw std::invalid_argument("euler_maruyama integrates forward in time, from t0 to t1 - t_margin");
  auto gen = make_generator(seed_);
  Solution out;
  const double h = (t_end - t0) / static_cast<double>(steps_);
  for (int64_t k = 0; k < steps_; ++k) {
    const double t = t0 + h * static_cast<double>(k);
    const at::Tensor v = f(t, x);
    const double g = diffusion(t);
    at::Tensor next = x + h * v;
    if (g != 0.0) {
      // Grid points stay at least h before t = 1, so the score's denominator is positive.
      const at::Tensor score = (t * v - x) / (1.0 - t + sigma_ * sigma_);
      next = next + (h * g * g / 2.0) * score + (g * std::sqrt(h)) * randn_on(x.sizes(), gen, x.options());
    }
    if (obs) obs->on_step(t, h, x, v, next);
    x = next;
  }
  out.nfe = steps_;
  out.steps = steps_;
  out.x = x;
  return out;
}

}  // namespace gftlab
