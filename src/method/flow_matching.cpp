#include "core/config.h"
#include "method/method.h"

namespace gftlab {

at::Tensor mean_squared_norm(const at::Tensor& diff) { return diff.pow(2).flatten(1).sum(1).mean(); }

at::Tensor weighted_mean_squared_norm(const at::Tensor& diff, const at::Tensor& w) {
  return (diff.pow(2).flatten(1).sum(1) * w).mean();
}

StepLoss FlowMatching::loss(VelocityField& model, const StepBatch& batch) {
  const auto loss = mean_squared_norm(model.forward(batch.t, batch.xt) - batch.u);
  return {loss, loss.detach()};
}

L2sp::L2sp(const VelocityField& pretrained, double alpha) : alpha_(alpha) {
  for (const auto& p : pretrained.parameters()) anchor_.push_back(p.detach().clone());
}

StepLoss L2sp::loss(VelocityField& model, const StepBatch& batch) {
  const auto fm = mean_squared_norm(model.forward(batch.t, batch.xt) - batch.u);
  const auto params = model.parameters();
  std::vector<at::Tensor> distances;
  for (size_t k = 0; k < params.size(); ++k) distances.push_back((params[k] - anchor_[k]).pow(2).sum());
  return {fm + alpha_ * at::stack(distances).sum(), fm.detach()};
}

}  // namespace gftlab
