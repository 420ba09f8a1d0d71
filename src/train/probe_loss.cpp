#include "train/probe_loss.h"

#include <algorithm>

#include "core/rng.h"
#include "core/device.h"

namespace gftlab {

ProbeSet make_probe_set(const at::Tensor& held_out, const Path& path, int64_t n, uint64_t seed) {
  auto gen = make_generator(seed, "probe");
  const auto x1 = held_out.narrow(0, 0, std::min(n, held_out.size(0)));
  const auto x0 = randn_on(x1.sizes(), gen, x1.options());
  const auto t = rand_on({x1.size(0)}, gen, x1.options());
  const auto sample = path.sample(x0, x1, t, gen);
  return {t, sample.xt, sample.u};
}

double probe_fm_loss(VelocityField& model, const ProbeSet& probe, int64_t batch) {
  at::NoGradGuard no_grad;
  const int64_t n = probe.t.size(0);
  at::Tensor total = at::zeros({}, at::kDouble);
  for (int64_t start = 0; start < n; start += batch) {
    const int64_t len = std::min(batch, n - start);
    const auto v = model.forward(probe.t.narrow(0, start, len), probe.xt.narrow(0, start, len));
    total += (v - probe.u.narrow(0, start, len)).pow(2).flatten(1).sum(1).to(at::kDouble).sum();
  }
  return total.item<double>() / static_cast<double>(n);
}

FunctionProbe::FunctionProbe(const ProbeSet& probe, int64_t points, int64_t coords, uint64_t seed,
                             const at::Device& device) {
  const int64_t n = std::min(points, probe.t.size(0));
  t_ = probe.t.narrow(0, 0, n).to(device);
  xt_ = probe.xt.narrow(0, 0, n).to(device);
  const int64_t dim = probe.xt[0].numel();
  if (dim <= coords) return;
  auto gen = make_generator(seed, "function-probe");
  const auto directions = at::randn({dim, coords}, gen, at::kFloat);
  projection_ = (directions / directions.norm(2, 0, true)).to(device);
}

std::vector<double> FunctionProbe::operator()(VelocityField& model) const {
  at::NoGradGuard no_grad;
  at::Tensor v = model.forward(t_, xt_).flatten(1);
  if (projection_.defined()) v = v.matmul(projection_);
  const auto host = v.to(at::kCPU, at::kDouble).contiguous();
  return std::vector<double>(host.data_ptr<double>(), host.data_ptr<double>() + host.numel());
}

}  // namespace gftlab
