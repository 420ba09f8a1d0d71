#include "metrics/path_metrics.h"

#include <cmath>

namespace gftlab {

void PathStats::on_step(double, double dt, const at::Tensor& x, const at::Tensor& v, const at::Tensor& x_next) {
  const auto step_len = (x_next - x).flatten(1).to(at::kDouble).norm(2, 1);
  const auto vf = v.flatten(1).to(at::kDouble);
  const auto kin = vf.pow(2).sum(1) * std::abs(dt);
  if (!length_.defined()) {
    length_ = step_len;
    kinetic_ = kin;
    displacement_integral_ = vf * dt;
  } else {
    length_ = length_ + step_len;
    kinetic_ = kinetic_ + kin;
    displacement_integral_ = displacement_integral_ + vf * dt;
  }
}

std::map<std::string, double> PathStats::summary(const at::Tensor& x0, const at::Tensor& x1) const {
  const auto disp = (x1 - x0).flatten(1).to(at::kDouble);
  // int |D - v|^2 dt = |D|^2 - 2 D . int v dt + int |v|^2 dt, with D = X1 - X0 constant along the path.
  const auto straight = disp.pow(2).sum(1) - 2 * (disp * displacement_integral_).sum(1) + kinetic_;
  const auto ratio = length_ / disp.norm(2, 1).clamp_min(1e-12);
  return {{"path_length", length_.mean().item<double>()},
          {"kinetic_energy", kinetic_.mean().item<double>()},
          {"straightness", straight.mean().item<double>()},
          {"path_ratio", ratio.mean().item<double>()}};
}

}  // namespace gftlab
