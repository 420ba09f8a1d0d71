#include "metrics/likelihood.h"

#include <torch/csrc/autograd/autograd.h>

#include <cmath>

#include "model/velocity_field.h"
#include "sampler/sampler.h"

namespace gftlab {
namespace {

// Divergence of v with respect to x, where v = model(t, x) was built with x requiring grad.
at::Tensor divergence(const at::Tensor& v, const at::Tensor& x, const at::Tensor& probe) {
  if (probe.defined()) {
    const auto g = torch::autograd::grad({v}, {x}, {probe}, /*retain_graph=*/false)[0];
    return (g * probe).sum(1);
  }
  at::Tensor div = at::zeros({x.size(0)}, x.options());
  for (int64_t i = 0; i < x.size(1); ++i) {
    const auto onehot = at::zeros_like(v);
    onehot.select(1, i).fill_(1.0);
    const auto g = torch::autograd::grad({v}, {x}, {onehot}, /*retain_graph=*/i + 1 < x.size(1))[0];
    div = div + g.select(1, i);
  }
  return div;
}

}  // namespace

at::Tensor model_nll(VelocityField& model, const at::Tensor& x1, const Sampler& solver, int64_t exact_max_dim,
                     at::Generator& gen) {
  const int64_t n = x1.size(0), d = x1.flatten(1).size(1);
  const auto shape = x1.sizes().vec();
  at::Tensor probe;
  if (d > exact_max_dim) probe = at::randint(0, 2, {n, d}, gen, at::kFloat) * 2 - 1;
  const Field augmented = [&](double t, const at::Tensor& state) {
    at::AutoGradMode grad_on(true);
    const auto x = state.narrow(1, 0, d).detach().requires_grad_(true);
    // The state is flat; the model sees samples in their own shape (images for a U-Net).
    const auto v = model.forward_at(t, x.view(shape)).flatten(1);
    const auto div = divergence(v, x, probe);
    return at::cat({v.detach(), div.detach().unsqueeze(1)}, 1);
  };
  const auto start = at::cat({x1.flatten(1).to(at::kFloat), at::zeros({n, 1}, at::kFloat)}, 1);
  const auto end = solver.solve(augmented, start, 1.0, 0.0).x.to(at::kDouble);
  const auto x0 = end.narrow(1, 0, d);
  // Integrating backward leaves -int_0^1 div dt in the last column: log p1(x1) = log p0(x0) + that.
  const auto log_p0 = -0.5 * (x0.pow(2).sum(1) + d * std::log(2 * M_PI));
  return -(log_p0 + end.select(1, d));
}

}  // namespace gftlab
