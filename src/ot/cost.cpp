#include "ot/cost.h"

namespace gftlab {

at::Tensor flat64(const at::Tensor& x) { return x.detach().to(at::kDouble).flatten(1).contiguous(); }

at::Tensor squared_distances(const at::Tensor& a, const at::Tensor& b) {
  const auto x = flat64(a), y = flat64(b);
  // |x|^2 + |y|^2 - 2 x.y with the product accumulated into the sum by the GEMM (beta = 1, alpha = -2) and
  // the clamp in place: the same rounding as the three-temporary expression, about 10x faster on this VM
  // at n = 1000, d = 2, where the expression's passes over the n x m matrix cost more than the product.
  auto d = x.pow(2).sum(1, true) + y.pow(2).sum(1).unsqueeze(0);
  d.addmm_(x, y.t(), 1.0, -2.0);
  return d.clamp_min_(0);
}

}  // namespace gftlab
