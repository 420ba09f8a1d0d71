#include <fmt/format.h>
#include <stdexcept>

#include "core/config.h"
#include "core/names.h"
#include "data/gaussian_mixture.h"
#include "method/adjoint_matching.h"
#include "method/method.h"

namespace gftlab {

Gft::Gft(std::string name, FieldPtr frozen, Schedule schedule, bool sum_scale, TimeWeight time_weight,
         TargetVelocity target)
    : name_(std::move(name)),
      frozen_(std::move(frozen)),
      schedule_(std::move(schedule)),
      sum_scale_(sum_scale),
      time_weight_(time_weight),
      target_(std::move(target)) {}

at::Tensor Gft::regression_target(const StepBatch& batch, double beta) const {
  const at::Tensor u = target_(batch);
  if (beta == 0.0) return u;
  at::NoGradGuard no_grad;
  const at::Tensor v_pre = frozen_->forward(batch.t, batch.xt);
  return (u + beta * v_pre) / (1.0 + beta);
}

StepLoss Gft::loss(VelocityField& model, const StepBatch& batch) {
  const double beta = schedule_.beta(batch.step);
  const at::Tensor v = model.forward(batch.t, batch.xt);
  const at::Tensor diff = v - regression_target(batch, beta);
  at::Tensor loss;
  switch (time_weight_) {
    case TimeWeight::kT: loss = weighted_mean_squared_norm(diff, batch.t); break;
    case TimeWeight::kOneMinusT: loss = weighted_mean_squared_norm(diff, 1.0 - batch.t); break;
    case TimeWeight::kUniform: loss = mean_squared_norm(diff); break;
  }
  if (sum_scale_ && beta != 0.0) loss = loss * (1.0 + beta);
  // One more reduction of the forward pass already made. For `gft` at beta = 0 with uniform weight it is the
  // same expression on the same tensors as the loss, hence the same bits.
  return {loss, mean_squared_norm(v.detach() - batch.u)};
}

StepCost Gft::cost(int64_t step) const { return {schedule_.beta(step) > 0.0 ? 2.0 : 1.0, 0.0}; }

std::vector<double> Gft::series_values(int64_t step) const {
  const double beta = schedule_.beta(step);
  return {beta, beta / (1.0 + beta)};
}

}  // namespace gftlab
