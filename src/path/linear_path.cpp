#include "path/path.h"
#include "core/config.h"
#include "core/device.h"

namespace gftlab {

at::Tensor broadcast_time(const at::Tensor& t, const at::Tensor& like) {
  std::vector<int64_t> shape(like.dim(), 1);
  shape[0] = t.size(0);
  return t.reshape(shape);
}

PathSample LinearPath::sample(const at::Tensor& x0, const at::Tensor& x1, const at::Tensor& t,
                              at::Generator& gen) const {
  const auto tb = broadcast_time(t, x1);
  at::Tensor xt = tb * x1 + (1 - tb) * x0;
  if (sigma_ > 0) xt = xt + sigma_ * randn_on(x1.sizes(), gen, x1.options());
  return {xt, x1 - x0};
}

LinearPath make_path(const Config& cfg) { return LinearPath(cfg.get_float("path.sigma")); }

}  // namespace gftlab
