#include "core/config.h"
#include "method/method.h"

namespace gftlab {

at::Tensor mean_squared_norm(const at::Tensor& diff) { return diff.pow(2).flatten(1).sum(1).mean(); }

at::Tensor FlowMatching::loss(VelocityField& model, const StepBatch& batch) {
  return mean_squared_norm(model.forward(batch.t, batch.xt) - batch.u);
}

std::unique_ptr<Method> make_method(const Config& cfg, FieldPtr /*pretrained*/) {
  const auto& name = cfg.get_string("method.name");
  if (name == "standard" || name == "scratch") return std::make_unique<FlowMatching>(name == "standard");
  throw cfg.error("method.name", "unsupported method " + name);
}

}  // namespace gftlab
